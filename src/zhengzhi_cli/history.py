"""The audit trail read back (`zz log`), undone (`zz undo`), and the register copied
(`zz backup`, `zz restore`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
from itertools import groupby
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from . import audit
from .errors import Conflict, Invalid, NotFound
from .models import Change, ChangeRow


def log(session, *, since: dt.date | None = None, limit: int | None = None, rows: bool = True,
        change_id: int | None = None) -> list[dict]:
    q = select(Change).order_by(Change.id.desc())
    if change_id is not None:
        q = q.where(Change.id == change_id)
    if since:
        q = q.where(Change.at >= dt.datetime.combine(since, dt.time()))
    if limit:
        q = q.limit(limit)
    changes = list(session.exec(q).all())
    by_change: dict[int, list[dict]] = {}
    if rows and changes:
        ids = [c.id for c in changes]
        for start in range(0, len(ids), 500):
            for r in session.exec(select(ChangeRow).where(ChangeRow.change_id.in_(ids[start : start + 500])).order_by(ChangeRow.id)).all():
                by_change.setdefault(r.change_id, []).append({
                    "table": r.table_name, "key": json.loads(r.row_key), "action": r.action,
                    "before": json.loads(r.before) if r.before else None,
                    "after": json.loads(r.after) if r.after else None,
                })
    return [
        {"id": c.id, "at": c.at.isoformat(sep=" "), "operator": c.operator, "command": c.command,
         "summary": c.summary, "undone_by": c.undone_by, "undoes": c.undoes,
         "rows": by_change.get(c.id, []) if rows else None}
        for c in changes
    ]


def row_counts(session, change_ids: list[int]) -> dict[int, list[dict]]:
    """How many rows of each table each change inserted, updated or deleted, counted by the database
    (`zz log` and `zz undo` show these; a 100k-row import is one line, read at once)."""
    CR = ChangeRow.__table__
    out: dict[int, list[dict]] = {}
    for start in range(0, len(change_ids), 500):
        part = change_ids[start:start + 500]
        for cid, t, a, n in session.connection().execute(
                sa.select(CR.c.change_id, CR.c.table_name, CR.c.action, sa.func.count()).where(CR.c.change_id.in_(part))
                .group_by(CR.c.change_id, CR.c.table_name, CR.c.action).order_by(CR.c.change_id, sa.func.min(CR.c.id))):
            out.setdefault(cid, []).append({"table": t, "action": a, "rows": n})
    return out


def _undoable():
    return sa.and_(Change.undone_by.is_(None), Change.undoes.is_(None))


def last_undoable(session, *, operator: str | None = None) -> Change:
    """The latest change that may be undone: the operator's own, or anyone's (operator None)."""
    q = select(Change).where(_undoable()).order_by(Change.id.desc()).limit(1)
    change = session.exec(q.where(Change.operator == operator) if operator is not None else q).first()
    if change is not None:
        return change
    if operator is not None:
        other = session.exec(q).first()
        if other is not None:
            raise NotFound(
                f"没有操作人“{operator}”可撤销的改动。最近一次改动 #{other.id} 是“{other.operator}”"
                f"于 {other.at.isoformat(sep=' ')} 做的（{other.summary or other.command}）；"
                "确需撤销他人的改动，请加 --any", field="undo")
    raise NotFound("没有可撤销的改动", field="undo")


def describe(session, change_id: int, *, counts: bool = True) -> dict:
    """A change as `zz undo` shows it before doing it: who, when, what, and how many rows of each
    table (counted by the database, so a 100k-row import shows at once)."""
    change = session.get(Change, change_id)
    if change is None:
        raise NotFound(f"没有编号为 {change_id} 的改动", field="undo")
    return {"id": change.id, "at": change.at.isoformat(sep=" "), "operator": change.operator, "command": change.command,
            "summary": change.summary, "undone_by": change.undone_by, "undoes": change.undoes,
            "counts": row_counts(session, [change_id]).get(change_id, []) if counts else None}


def dependents(session, change_id: int) -> list[dict]:
    """Later changes (not undone, not undos) that depend on this one: they touched a row it touched
    (same table and key), or they point at a row it inserted (a fix added to its issue). Undoing this
    one first would overwrite or orphan their work."""
    CR, C = ChangeRow.__table__, Change.__table__
    conn = session.connection()
    current = sa.and_(CR.c.change_id > change_id, C.c.undone_by.is_(None), C.c.undoes.is_(None))
    later = conn.execute(sa.select(CR.c.change_id, CR.c.table_name, CR.c.row_key)
                         .join(C, C.c.id == CR.c.change_id).where(current)).all()
    if not later:
        return []
    mine = conn.execute(sa.select(CR.c.table_name, CR.c.row_key, CR.c.action).where(CR.c.change_id == change_id)).all()
    touched = {(t, k) for t, k, _a in mine}
    ids = {c for c, t, k in later if (t, k) in touched}
    inserted = {(t, k) for t, k, a in mine if a == "insert"}
    pointing = _pointing_at({t for t, _k in inserted})
    if pointing:  # the later rows that may hold a foreign key to what this change inserted: their values
        for c, t, after in conn.execute(
                sa.select(CR.c.change_id, CR.c.table_name, CR.c.after).join(C, C.c.id == CR.c.change_id)
                .where(current, CR.c.table_name.in_(list(pointing)), CR.c.after.is_not(None), CR.c.change_id.not_in(sorted(ids)))):
            values = json.loads(after)
            if any(values.get(col) is not None and (parent, json.dumps([values[col]])) in inserted
                   for col, parent in pointing[t]):
                ids.add(c)
    if not ids:
        return []
    rows = session.exec(select(Change).where(Change.id.in_(sorted(ids))).order_by(Change.id)).all()
    return [{"id": c.id, "operator": c.operator, "at": c.at.isoformat(sep=" "), "command": c.command,
             "summary": c.summary} for c in rows]


def _pointing_at(parents: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Tables with a foreign key to one of `parents`: {child table: [(column, parent table)]}."""
    from . import models

    if not parents:
        return {}
    models.load_all()
    out: dict[str, list[tuple[str, str]]] = {}
    for table in SQLModel.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name in parents:
                out.setdefault(table.name, []).append((fk.parent.key, fk.column.table.name))
    return out


def check_undoable(session, change_id: int, *, operator: str | None, counts: bool = True) -> dict:
    """Everything `zz undo` checks, read-only: the change may be undone and nothing later depends on
    it. Run once before showing it, and again inside the write transaction (the register may have
    moved on while the clerk read the screen)."""
    detail = describe(session, change_id, counts=counts)
    if detail["undone_by"] is not None:
        raise Conflict(f"改动 #{change_id} 已由改动 #{detail['undone_by']} 撤销，未做任何改动", field="undo")
    if detail["undoes"] is not None:
        raise Conflict(f"改动 #{change_id} 本身是一次撤销，不能再撤销", field="undo")
    latest = last_undoable(session, operator=operator)
    if latest.id != change_id:
        who = f"“{operator}”" if operator is not None else "登记簿"
        raise Conflict(f"显示之后{who}又有了新的改动 #{latest.id}（{latest.summary or latest.command}），"
                       "为防撤错未做任何改动。请重新运行 zz undo 查看", field="undo")
    later = dependents(session, change_id)
    if later:
        lines = "\n".join(f"  #{c['id']}（{c['operator']}，{c['at']}）：{c['command']}" for c in later)
        raise Conflict(f"无法撤销改动 #{change_id}：之后的改动又改了同样的记录，须先撤销它们（由各自的操作人撤销，"
                       f"或加 --any）：\n{lines}", field="undo")
    return detail


def _typed(table: sa.Table, values: dict) -> dict:
    out = {}
    for key, value in values.items():
        col = table.c.get(key)
        if col is None:
            continue
        if value is not None and isinstance(col.type, sa.DateTime):
            value = dt.datetime.fromisoformat(value)
        elif value is not None and isinstance(col.type, sa.Date):
            value = dt.date.fromisoformat(value)
        out[key] = value
    return out


def undo(session, change_id: int, *, operator: str | None = None) -> dict:
    """Revert one change as a new recorded change, after checking again (in this write transaction)
    that it is still the latest undoable one of `operator` (None: of anyone) and nothing depends on it.

    Set-based: the change's rows are taken in reverse order in runs of one table and action, and each
    run is reverted with a few statements (deletes by id ranges, grouped executemany updates/inserts)."""
    detail = check_undoable(session, change_id, operator=operator, counts=False)
    from . import models

    models.load_all()
    session.info["zz_undoes"] = change_id
    audit.set_summary(session, f"撤销改动 #{change_id}：{detail['summary'] or detail['command']}")
    CR = ChangeRow.__table__
    conn = session.connection()
    result = conn.execute(sa.select(CR.c.table_name, CR.c.action, CR.c.row_key, CR.c.before)
                          .where(CR.c.change_id == change_id).order_by(CR.c.id.desc())).all()
    count = 0
    try:
        for (table_name, action), run in groupby(result, key=lambda r: (r[0], r[1])):
            run = [(_parse_key(key), json.loads(before) if before else None) for _t, _a, key, before in run]
            count += len(run)
            table = SQLModel.metadata.tables.get(table_name)
            if table is None:
                continue
            REVERT[action](session, conn, table, run)
    except sa.exc.IntegrityError:
        raise Conflict(f"无法撤销改动 #{change_id}：之后登记的其他记录仍引用它新增的记录（如其下的整改、制度、意见），"
                       "请先撤销或修改那些记录", field="undo") from None
    new_id = audit.write(session)
    conn.execute(sa.update(Change.__table__).where(Change.__table__.c.id == change_id).values(undone_by=new_id))
    return {"undone": change_id, "change": new_id, "rows": count, "operator": detail["operator"]}


def _parse_key(text: str) -> list:
    """A trail row's key: "[274]" read without the JSON parser (100k of them in an import's undo)."""
    inner = text[1:-1]
    return [int(inner)] if inner.isdigit() else json.loads(text)


def _single_id(table: sa.Table) -> sa.Column | None:
    pk = list(table.primary_key.columns)
    return pk[0] if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) else None


def _where(table: sa.Table, key: list) -> sa.ColumnElement:
    cols = list(table.primary_key.columns)
    typed = _typed(table, dict(zip([c.key for c in cols], key)))
    return sa.and_(*[c == typed[c.key] for c in cols])


def _current(conn, table: sa.Table, keys: list[list]) -> dict[tuple, dict]:
    """The rows that still exist among `keys`, by key tuple."""
    pk = _single_id(table)
    cols = [c.key for c in table.primary_key.columns]
    out: dict[tuple, dict] = {}
    if pk is not None:
        ranges = audit._id_ranges(sorted({k[0] for k in keys}))
        for start in range(0, len(ranges), 200):
            cond = sa.or_(*[pk.between(a, b) for a, b in ranges[start:start + 200]])
            for row in conn.execute(sa.select(table).where(cond)).mappings():
                out[(row[pk.key],)] = dict(row)
        return out
    for key in keys:
        row = conn.execute(sa.select(table).where(_where(table, key))).mappings().first()
        if row is not None:
            out[tuple(row[c] for c in cols)] = dict(row)
    return out


def _revert_inserts(session, conn, table: sa.Table, run: list) -> None:
    """Rows the change inserted: delete those still there, recording each as it stood."""
    pk = _single_id(table)
    if pk is None:
        current = _current(conn, table, [k for k, _ in run])
        for key, row in current.items():
            conn.execute(sa.delete(table).where(_where(table, list(key))))
            audit.record(session, table.name, list(key), "delete", row, None)
        return
    ids = sorted({k[0] for k, _ in run})
    audit.copy_rows(session, table.name, ids, action="delete")
    ranges = audit._id_ranges(ids)
    for start in range(0, len(ranges), 200):
        conn.execute(sa.delete(table).where(sa.or_(*[pk.between(a, b) for a, b in ranges[start:start + 200]])))


def _revert_updates(session, conn, table: sa.Table, run: list) -> None:
    """Rows the change updated: each row back to the earliest value the change found in each column
    (a row updated twice in one command is set back once), grouped by the columns set."""
    cols = [c.key for c in table.primary_key.columns]
    net: dict[tuple, dict] = {}
    for key, before in run:  # latest first: an earlier update's before overrides a later one's
        net.setdefault(tuple(key), {}).update(before or {})
    current = _current(conn, table, [list(k) for k in net])
    groups: dict[tuple, list] = {}
    trail = []
    for key, before in net.items():
        row = current.get(tuple(_typed(table, dict(zip(cols, key))).values()))
        if row is None:
            raise Conflict(f"无法撤销：{table.name} 的记录 {list(key)} 已不存在", field="undo")
        values = _typed(table, before)
        if not values:  # only columns this version no longer has
            continue
        groups.setdefault(tuple(values), []).append(
            {**{f"k_{c}": v for c, v in zip(cols, _row_key(table, row))}, **{f"v_{c}": v for c, v in values.items()}})
        trail.append((list(key), {c: row[c] for c in values}, before))
    for names, params in groups.items():
        stmt = (sa.update(table).where(sa.and_(*[table.c[c] == sa.bindparam(f"k_{c}") for c in cols]))
                .values({c: sa.bindparam(f"v_{c}") for c in names}))
        conn.execute(stmt, params)
    audit.record_many(session, table.name, "update", trail)


def _row_key(table: sa.Table, row: dict) -> list:
    return [row[c.key] for c in table.primary_key.columns]


def _revert_deletes(session, conn, table: sa.Table, run: list) -> None:
    """Rows the change deleted: insert again those not back already."""
    cols = [c.key for c in table.primary_key.columns]
    current = _current(conn, table, [k for k, _ in run])
    groups: dict[tuple, list] = {}
    trail = []
    for key, before in run:  # reverse order of the deletes: a parent row before the rows that point to it
        values = _typed(table, before)
        k = tuple(values[c] for c in cols)
        if k in current:
            continue
        current[k] = values
        groups.setdefault(tuple(values), []).append(values)
        trail.append((key, None, before))
    for _names, rows in groups.items():
        conn.execute(sa.insert(table), rows)
    audit.record_many(session, table.name, "insert", trail)


REVERT = {"insert": _revert_inserts, "update": _revert_updates, "delete": _revert_deletes}


def _atomic_target(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    return Path(tmp)


def backup_sqlite(db_path: Path, out: Path) -> dict:
    """A consistent copy through SQLite's online backup, even while others write."""
    if not db_path.exists():
        raise NotFound(f"登记簿不存在：{db_path}", field="db")
    tmp = _atomic_target(out)
    try:
        src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=60)
        dst = sqlite3.connect(tmp)
        with dst:
            src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        dst.execute("PRAGMA journal_mode=DELETE")
        src.close()
        dst.close()
        if check != "ok":
            raise Conflict(f"备份校验失败：{check}", field="backup")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"backup": str(out), "bytes": out.stat().st_size}


def check_backup_file(path: Path) -> int:
    """The schema version inside a backup file, or a refusal."""
    from .migrations import SCHEMA_VERSION

    if not path.is_file():
        raise NotFound(f"备份文件不存在：{path}", field="file")
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise Invalid(f"“{path.name}”不是 zz 的备份文件（不是 SQLite 数据库）", field="file")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError:
        raise Invalid(f"“{path.name}”不是 zz 的备份文件（没有 meta 表）", field="file") from None
    finally:
        conn.close()
    if not row:
        raise Invalid(f"“{path.name}”不是 zz 的备份文件", field="file")
    if ok != "ok":
        raise Invalid(f"备份文件已损坏：{ok}", field="file")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise Invalid(f"备份来自更新版本的 zz（架构版本 {version}），请先升级 zz", field="file")
    return version


def restore_sqlite(backup: Path, db_path: Path) -> dict:
    """Copy a backup over the register in one step (SQLite's backup API takes the write lock)."""
    version = check_backup_file(backup)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(db_path, timeout=60)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        src.close()
        dst.close()
    return {"restored": str(backup), "db": str(db_path), "schema_version": version}


# ---- a portable logical backup: any register (PostgreSQL too) to a SQLite register file and back ----

BATCH = 2000


def _tables() -> list[sa.Table]:
    """Every table, each after those its NOT NULL foreign keys point to (nullable ones may
    form cycles, issue ↔ opinion: restore sets those after all rows are in)."""
    from . import models

    models.load_all()
    pending = dict(sorted(SQLModel.metadata.tables.items()))
    done: list[sa.Table] = []
    names: set[str] = set()
    while pending:
        ready = [name for name, t in pending.items()
                 if all(fk.column.table.name in names or fk.column.table is t
                        for fk in t.foreign_keys if not fk.parent.nullable)]
        if not ready:
            raise RuntimeError(f"foreign keys in a cycle: {sorted(pending)}")
        for name in ready:
            done.append(pending.pop(name))
            names.add(name)
    return done


def backup_logical(engine, out: Path) -> dict:
    """Copy every table, from one consistent snapshot (REPEATABLE READ), into a new SQLite
    register file; readers and writers go on meanwhile. The file is a complete zz register:
    `zz restore` takes it back into PostgreSQL or SQLite, and `zz --db FILE` opens it."""
    from . import migrations

    migrations.ensure(engine)
    tmp = _atomic_target(out)
    dst = sa.create_engine(f"sqlite:///{tmp}")
    rows_copied = 0
    try:
        with engine.execution_options(zz_begin="DEFERRED", isolation_level="REPEATABLE READ").connect() as src, \
                dst.begin() as dconn:
            tables = _tables()
            SQLModel.metadata.create_all(dconn)
            for table in tables:
                result = src.execution_options(yield_per=BATCH).execute(sa.select(table))
                for part in result.mappings().partitions(BATCH):
                    dconn.execute(table.insert(), [dict(r) for r in part])
                    rows_copied += len(part)
        dst.dispose()
        with sqlite3.connect(tmp) as check_conn:
            ok = check_conn.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise Conflict(f"备份校验失败：{ok}", field="backup")
        os.replace(tmp, out)
    finally:
        dst.dispose()
        if tmp.exists():
            tmp.unlink()
    return {"backup": str(out), "bytes": out.stat().st_size, "rows": rows_copied}


def restore_logical(backup: Path, engine) -> dict:
    """Replace every row of a (PostgreSQL) register with a backup file's, in one transaction
    that holds the write lock: other clerks wait, then see either the old or the restored
    register. An older backup is upgraded on a temporary copy first."""
    import shutil

    from . import migrations
    from .db import make_engine

    version = check_backup_file(backup)
    workdir = Path(tempfile.mkdtemp(prefix="zz-restore-"))
    try:
        source = workdir / "backup.db"
        shutil.copyfile(backup, source)
        src_engine = make_engine(f"sqlite:///{source}")
        migrations.ensure(src_engine)  # an older backup is brought up to the current schema
        migrations._checked.discard(str(src_engine.url))
        migrations.ensure(engine)
        tables = _tables()
        counts: dict[str, int] = {}
        with src_engine.execution_options(zz_begin="DEFERRED").connect() as src, engine.begin() as conn:
            quote = conn.dialect.identifier_preparer.quote
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(quote(t.name) for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    conn.execute(table.delete())
            loaded: set[str] = set()
            later: list[tuple[sa.Table, dict, dict]] = []  # foreign keys that point forward (cycles) are set afterwards
            for table in tables:
                forward = [fk.parent.name for fk in table.foreign_keys
                           if fk.parent.nullable and (fk.column.table.name not in loaded or fk.column.table is table)]
                pk = [c.name for c in table.primary_key.columns]
                n = 0
                for part in src.execute(sa.select(table)).mappings().partitions(BATCH):
                    batch = []
                    for r in part:
                        row = dict(r)
                        held = {c: row[c] for c in forward if row.get(c) is not None}
                        if held:
                            later.append((table, {c: row[c] for c in pk}, held))
                            row.update({c: None for c in held})
                        batch.append(row)
                    conn.execute(table.insert(), batch)
                    n += len(batch)
                counts[table.name] = n
                loaded.add(table.name)
            for table, key, held in later:
                conn.execute(sa.update(table).where(sa.and_(*[table.c[k] == v for k, v in key.items()])).values(**held))
            if conn.dialect.name == "postgresql":
                for table in tables:
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement in (True, "auto"):
                        conn.execute(sa.text(
                            f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({quote(pk[0].name)}), 0) + 1, false) "
                            f"FROM {quote(table.name)}"), {"t": table.name, "c": pk[0].name})
        src_engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"restored": str(backup), "schema_version": version, "rows": sum(counts.values())}
