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


def _copy(conn, change_id: int, table_name: str, ids: list[int], action: str) -> None:
    """Rows as they stand now into the trail, in one INSERT … SELECT per 200 id ranges: the database
    itself writes each row's JSON (json_object / json_build_object), so 100k rows cost no Python.
    An insert is recorded as the row after; a delete (before it happens) as the row before."""
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from .models import ChangeRow

    table = SQLModel.metadata.tables[table_name]
    (pk,) = table.primary_key.columns
    column = "after" if action == "insert" else "before"
    dialect = conn.dialect.name
    ranges = _id_ranges(sorted(set(ids)))
    for start in range(0, len(ranges), 200):
        cond = sa.or_(*[pk.between(a, b) for a, b in ranges[start:start + 200]])
        if dialect not in ("sqlite", "postgresql"):
            rows = [{"change_id": change_id, "table_name": table_name, "row_key": json.dumps([row[pk.key]]), "action": action,
                     column: _dump({k: _plain(v) for k, v in row.items()})}
                    for row in conn.execute(sa.select(table).where(cond).order_by(pk)).mappings()]
            if rows:
                conn.execute(ChangeRow.__table__.insert(), rows)
            continue
        obj, arr = _json_functions(dialect)
        sel = sa.select(
            sa.literal_column(str(int(change_id))), sa.literal_column(f"'{table_name}'"), sa.cast(arr(pk), sa.Text),
            sa.literal_column(f"'{action}'"), sa.cast(obj(*_json_pairs(table)), sa.Text),
        ).where(cond).order_by(pk)
        conn.execute(ChangeRow.__table__.insert().from_select(["change_id", "table_name", "row_key", "action", column], sel))


def _copy_inserted(conn, change_id: int, entry: _Inserted) -> None:
    _copy(conn, change_id, entry.table, entry.ids, "insert")


def copy_rows(session, table_name: str, ids, *, action: str = "delete") -> None:
    """Bulk form of `record(..., "delete", row, None)` for rows about to be deleted with Core
    statements (undo of an import): copied into the trail now, by the database, under this
    command's change (its row inserted now, see `change_id`)."""
    _copy(session.connection(), change_id(session), table_name, list(ids), action)


EARLY = "zz_change_id_early"


def change_id(session) -> int:
    """This command's change, its row inserted now (`write` then adds the other rows to it)."""
    cid = session.info.get(EARLY)
    if cid is None:
        cid = session.info[EARLY] = _insert_change(session.connection(), session)
    return cid


def _insert_change(conn, session) -> int:
    from .models import Change

    change_table = Change.__table__
    return conn.execute(
        change_table.insert().values(
            at=dt.datetime.now().replace(microsecond=0), operator=operator(),
            command=session.info.get("zz_command", ""), summary=session.info.get("zz_summary"),
            undoes=session.info.get("zz_undoes"),
        ).returning(change_table.c.id)
    ).scalar_one()


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
    rows = session.info.get(ROWS) or []
    early = session.info.pop(EARLY, None)
    if not rows and early is None:
        return None
    conn = session.connection()
    change_id = early if early is not None else _insert_change(conn, session)
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
