"""How every `zz … edit` runs and answers: one short write transaction that applies the edit and
reads the corrected record back, then the fields that changed, old → new (or, with --json, the
corrected record with its `changes`). The commands differ only in their options and their noun."""

from __future__ import annotations

from typing import Annotated, Callable, Optional

import typer

from . import output
from .common import db_session

NOTE = Annotated[Optional[str], typer.Option("--note", help="备注（空字符串清除）")]  # every edit command's --note


def run(ctx, json_: bool, *, edit: Callable[..., list[dict]], show: Callable[..., dict],
        title: Callable[[dict], str]) -> None:
    """`edit(session)` → its changes, `show(session)` → the record, `title(record)` → how it is named."""

    with db_session(ctx, write=True) as session:
        changes = edit(session)
        rec = show(session)
    say(title(rec), rec, changes, json_)


def say(title: str, rec: dict, changes: list[dict], json_: bool) -> None:
    if json_:
        output.emit_json({**rec, "changes": changes})
        return
    from ..edits import lines

    output.line(f"已修改{title}：")
    for text in lines(changes):
        output.line(text)
