"""zz template, zz import, zz export ledger (being built: workbook issue)"""

from __future__ import annotations

import typer

export_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    pass
