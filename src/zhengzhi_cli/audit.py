"""The audit trail: every command's changes, row by row, with before and after.

ORM changes are captured after each flush; bulk writes (imports) call `record`.
`write` turns what was captured into one `change` and its `change_row`s, inside the
command's own transaction, so the trail can never disagree with the data.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os

from sqlalchemy import event, inspect

ENV_OPERATOR = "ZZ_OPERATOR"
ROWS = "zz_audit_rows"
SKIP_TABLES = {"change", "change_row", "meta"}


def operator() -> str:
    name = os.environ.get(ENV_OPERATOR)
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return "unknown"


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def row_dict(obj) -> dict:
    state = inspect(obj)
    return {col.key: _plain(state.dict.get(col.key)) for col in state.mapper.column_attrs}


def _key(obj) -> str:
    state = inspect(obj)
    return json.dumps([_plain(v) for v in state.mapper.primary_key_from_instance(obj)], ensure_ascii=False)


def attach(session, *, command: str) -> None:
    session.info[ROWS] = []
    session.info["zz_command"] = command
    event.listen(session, "after_flush", _after_flush)


def _after_flush(session, _ctx) -> None:
    rows = session.info.setdefault(ROWS, [])
    for obj in session.new:
        table = inspect(obj).mapper.local_table.name
        if table not in SKIP_TABLES:
            rows.append((table, _key(obj), "insert", None, row_dict(obj)))
    for obj in session.dirty:
        state = inspect(obj)
        table = state.mapper.local_table.name
        if table in SKIP_TABLES or not session.is_modified(obj, include_collections=False):
            continue
        before, after = {}, {}
        for col in state.mapper.column_attrs:
            hist = state.attrs[col.key].history
            if hist.has_changes():
                before[col.key] = _plain(hist.deleted[0]) if hist.deleted else None
                after[col.key] = _plain(hist.added[0]) if hist.added else None
        if after:
            rows.append((table, _key(obj), "update", before, after))
    for obj in session.deleted:
        table = inspect(obj).mapper.local_table.name
        if table not in SKIP_TABLES:
            rows.append((table, _key(obj), "delete", row_dict(obj), None))


def record(session, table: str, key, action: str, before: dict | None, after: dict | None) -> None:
    """Add one row to the trail for a change made with Core (bulk) statements."""
    session.info.setdefault(ROWS, []).append(
        (table, json.dumps(key if isinstance(key, list) else [key]), action,
         {k: _plain(v) for k, v in before.items()} if before else None,
         {k: _plain(v) for k, v in after.items()} if after else None)
    )


def set_summary(session, summary: str) -> None:
    session.info["zz_summary"] = summary


def write(session) -> int | None:
    """Store the captured rows as one change; returns its id (None when nothing changed)."""
    from .models import Change, ChangeRow

    rows = session.info.get(ROWS) or []
    if not rows:
        return None
    change_table = Change.__table__
    conn = session.connection()
    change_id = conn.execute(
        change_table.insert().values(
            at=dt.datetime.now().replace(microsecond=0), operator=operator(),
            command=session.info.get("zz_command", ""), summary=session.info.get("zz_summary"),
            undoes=session.info.get("zz_undoes"),
        ).returning(change_table.c.id)
    ).scalar_one()
    conn.execute(
        ChangeRow.__table__.insert(),
        [
            {"change_id": change_id, "table_name": t, "row_key": k, "action": a,
             "before": json.dumps(b, ensure_ascii=False) if b is not None else None,
             "after": json.dumps(af, ensure_ascii=False) if af is not None else None}
            for t, k, a, b, af in rows
        ],
    )
    session.info[ROWS] = []
    session.info["zz_change_id"] = change_id
    return change_id
