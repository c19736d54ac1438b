"""How every `zz … edit` answers: the record's fields that changed, old → new (or, with --json,
the corrected record with its `changes`)."""

from __future__ import annotations

from . import output


def say(title: str, rec: dict, changes: list[dict], json_: bool) -> None:
    if json_:
        output.emit_json({**rec, "changes": changes})
        return
    from ..edits import lines

    output.line(f"已修改{title}：")
    for text in lines(changes):
        output.line(text)
