"""zz report public (being built: supervision issue). Registered onto the report sub-app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
