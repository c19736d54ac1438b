"""The audit trail: every command's changes, row by row, with before and after.

ORM changes are captured after each flush; bulk writes (imports) call `record`.
`write` turns what was captured into one `change` and its `change_row`s, inside the
command's own transaction, so the trail can never disagree with the data.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from sqlalchemy import event, inspect

ENV_OPERATOR = "ZZ_OPERATOR"
ROWS = "zz_audit_rows"
SKIP_TABLES = {"change", "change_row", "meta"}

# The changes this process has committed, in order. Once one is committed, an error that
# follows (a closed or full stdout, a later file of a batch) must say what was written,
# never "nothing was written": a script that retries would write it twice.
committed: list[int] = []


def operator() -> str:
    name = os.environ.get(ENV_OPERATOR)
    if name:
        return name
    # what getpass.getuser() does, without importing getpass (and termios) on every command
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # no user database entry (containers), or Windows
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
    event.listen(session, "after_commit", _after_commit)


def _after_commit(session) -> None:
    change_id = session.info.get("zz_change_id")
    if change_id is not None and change_id not in committed:
        committed.append(change_id)


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


class _Json(str):
    """A before/after already serialised by `record_many`."""


def record_many(session, table: str, action: str, items) -> None:
    """Bulk form of `record` for imports: (key, before, after) triples, serialised here once,
    so `write` only inserts them."""
    encode = json.JSONEncoder(ensure_ascii=False, default=_plain).encode
    rows = session.info.setdefault(ROWS, [])
    append = rows.append
    for key, before, after in items:
        append((table, json.dumps(key if isinstance(key, list) else [key]), action,
                _Json(encode(before)) if before is not None else None,
                _Json(encode(after)) if after is not None else None))


class _Inserted:
    """Rows a bulk import just inserted: copied into the trail by one INSERT … SELECT at write time."""

    def __init__(self, table: str, ids: list[int]):
        self.table = table
        self.ids = sorted(ids)


def record_inserted(session, table: str, ids) -> None:
    """Bulk form of `record(..., "insert", None, row)` for rows inserted with Core: the database
    itself writes each row's JSON (json_object / json_build_object), so 100k rows cost no Python.
    Keeps its place in the order of the other recorded rows (undo replays in reverse)."""
    ids = list(ids)
    if ids:
        session.info.setdefault(ROWS, []).append(_Inserted(table, ids))


def _id_ranges(ids: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _json_pairs(table) -> list:
    import sqlalchemy as sa

    pairs = []
    for col in table.columns:
        pairs += [sa.literal_column(f"'{col.key}'"), col]
    return pairs


def _json_functions(dialect: str):
    import sqlalchemy as sa

    if dialect == "sqlite":
        return sa.func.json_object, sa.func.json_array
    return sa.func.json_build_object, sa.func.json_build_array


def rows_as_json(conn, table, ids: list[int]) -> list[tuple[int, str]]:
    """(id, the row as JSON) for those of `ids` that exist, built by the database itself (one
    statement per 200 id ranges), so recording 100k rows a bulk change removes costs no Python per column."""
    import sqlalchemy as sa

    (pk,) = table.primary_key.columns
    out: list[tuple[int, str]] = []
    ranges = _id_ranges(sorted(set(ids)))
    dialect = conn.dialect.name
    for start in range(0, len(ranges), 200):
        cond = sa.or_(*[pk.between(a, b) for a, b in ranges[start:start + 200]])
        if dialect not in ("sqlite", "postgresql"):
            for row in conn.execute(sa.select(table).where(cond).order_by(pk)).mappings():
                out.append((row[pk.key], _dump({k: _plain(v) for k, v in row.items()})))
            continue
        obj, _arr = _json_functions(dialect)
        out += conn.execute(sa.select(pk, sa.cast(obj(*_json_pairs(table)), sa.Text)).where(cond).order_by(pk)).all()
    return out


def record_json(session, table: str, action: str, items) -> None:
    """Bulk form of `record` for rows already serialised (by `rows_as_json`): (key, before, after) triples
    of JSON text or None."""
    append = session.info.setdefault(ROWS, []).append
    for key, before, after in items:
        append((table, json.dumps(key if isinstance(key, list) else [key]), action,
                _Json(before) if before is not None else None, _Json(after) if after is not None else None))


def _copy_inserted(conn, change_id: int, entry: _Inserted) -> None:
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from .models import ChangeRow

    table = SQLModel.metadata.tables[entry.table]
    (pk,) = table.primary_key.columns
    dialect = conn.dialect.name
    ranges = _id_ranges(entry.ids)
    if dialect not in ("sqlite", "postgresql"):
        rows = [(entry.table, json.dumps([i]), "insert", None, _Json(j)) for i, j in rows_as_json(conn, table, entry.ids)]
        _insert_rows(conn, change_id, rows)
        return
    obj, arr = _json_functions(dialect)
    pairs = _json_pairs(table)
    target = ChangeRow.__table__
    for start in range(0, len(ranges), 200):
        cond = sa.or_(*[pk.between(a, b) for a, b in ranges[start:start + 200]])
        sel = sa.select(
            sa.literal_column(str(int(change_id))), sa.literal_column(f"'{entry.table}'"), sa.cast(arr(pk), sa.Text),
            sa.literal_column("'insert'"), sa.cast(obj(*pairs), sa.Text),
        ).where(cond).order_by(pk)
        conn.execute(target.insert().from_select(["change_id", "table_name", "row_key", "action", "after"], sel))


def _insert_rows(conn, change_id: int, rows: list) -> None:
    from .models import ChangeRow

    if rows:
        conn.execute(
            ChangeRow.__table__.insert(),
            [{"change_id": change_id, "table_name": t, "row_key": k, "action": a, "before": _dump(b), "after": _dump(af)}
             for t, k, a, b, af in rows],
        )


def _dump(value) -> str | None:
    if value is None or isinstance(value, _Json):
        return value
    return json.dumps(value, ensure_ascii=False)


def set_summary(session, summary: str) -> None:
    session.info["zz_summary"] = summary


def write(session) -> int | None:
    """Store the captured rows as one change; returns its id (None when nothing changed)."""
    from .models import Change

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
    batch: list = []
    for entry in rows:
        if isinstance(entry, _Inserted):
            _insert_rows(conn, change_id, batch)
            batch = []
            _copy_inserted(conn, change_id, entry)
        else:
            batch.append(entry)
    _insert_rows(conn, change_id, batch)
    session.info[ROWS] = []
    session.info["zz_change_id"] = change_id
    return change_id
