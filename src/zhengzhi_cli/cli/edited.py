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


def edit_record(ctx, json_: bool, domain: str, record_id: int, changes: dict, *, named: Callable[[dict], str],
                show: Callable[..., dict] | None = None) -> None:
    """`zz <noun> edit ID --option …`: the domain module's `edit(session, ID, **changes)` (an option not
    given is None: left as it is), the record read back (`show(session, ID)`, the module's own unless
    given), then the fields that changed; `named(record)` says which record it is."""
    import importlib

    module = importlib.import_module(f"..{domain}", __package__)
    run(ctx, json_, edit=lambda session: module.edit(session, record_id, **changes),
        show=lambda session: (show or module.show)(session, record_id), title=named)


def say(title: str, rec: dict, changes: list[dict], json_: bool) -> None:
    if json_:
        output.emit_json({**rec, "changes": changes})
        return
    from ..edits import lines

    output.line(f"已修改{title}：")
    for text in lines(changes):
        output.line(text)
