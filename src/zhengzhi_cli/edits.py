"""Corrections (`zz fix|rule|check|inspect|accountability|opinion|case edit`): each edit function
validates its values like the add command does, then hands them here to be compared with the
record, applied, and described (old → new). An edit that would change nothing is refused, so
the audit trail never holds an empty change.

The changes are plain ORM attribute sets: the audit trail (audit.py, on flush) records them and
`zz undo` reverts them like any other command.
"""

from __future__ import annotations

import datetime as dt

from . import audit
from .errors import Invalid

EMPTY = "（空）"
_UNSET = object()


def shown(value) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(f"#{v}" if isinstance(v, int) else str(v) for v in value)
    return str(value)


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def nothing_given(command: str) -> Invalid:
    return Invalid(f"没有要修改的内容：请至少写一个要修改的选项（zz {command} --help 查看可改的项）", field="edit")


class Changes:
    """What one edit changes, field by field: `set` each value the clerk gave, then `done`."""

    def __init__(self, command: str):
        self.command = command
        self.items: list[dict] = []
        self.given = False

    def set(self, obj, attr: str, label: str, new, *, old=_UNSET, apply: bool = True) -> bool:
        """Set obj.attr to new (or, with apply=False, only note old → new for a change made
        elsewhere, e.g. a link table). True when it differs."""
        self.given = True
        current = getattr(obj, attr) if old is _UNSET else old
        if current == new or (current in (None, "") and new in (None, "")):
            return False
        self.items.append({"field": attr, "label": label, "old": _plain(current), "new": _plain(new),
                           "_old": current, "_new": new})
        if apply and obj is not None:
            setattr(obj, attr, new)
        return True

    def changed(self, attr: str) -> bool:
        return any(c["field"] == attr for c in self.items)

    def done(self, session, what: str) -> list[dict]:
        """Refuse an edit that changes nothing; otherwise name the change in the audit trail."""
        if not self.given:
            raise nothing_given(self.command)
        if not self.items:
            raise Invalid(f"没有要修改的内容：所给的值与{what} 现有的记录相同，未做任何改动", field="edit")
        audit.set_summary(session, f"修改{what}：" + "；".join(
            f"{c['label']} {shown(c['_old'])} → {shown(c['_new'])}" for c in self.items))
        return self.public()

    def public(self) -> list[dict]:
        return [{k: v for k, v in c.items() if not k.startswith("_")} for c in self.items]


def lines(changes: list[dict]) -> list[str]:
    """`  责任人：（空） → 李强` for each change, for the terminal."""
    return [f"  {c['label']}：{shown(c['old'])} → {shown(c['new'])}" for c in changes]


def text(value: str | None, *, label: str, field: str, required: bool = False) -> str | None:
    """A free-text option as the add commands take it: trimmed; "" clears an optional one."""
    if value is None:
        return None
    value = value.strip()
    if required and not value:
        raise Invalid(f"{label}：不能为空", field=field)
    return value
