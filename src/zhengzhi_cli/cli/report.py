"""zz report phases|monthly|summary|public (being built: reports issue)"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


from . import public  # noqa: E402  (zz report public lives with the disclosure code)

public.register(app)
