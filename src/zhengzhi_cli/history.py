"""The audit trail read back (`zz log`), undone (`zz undo`), and the register copied
(`zz backup`, `zz restore`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
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


def last_undoable(session) -> Change:
    change = session.exec(
        select(Change).where(Change.undone_by.is_(None), Change.undoes.is_(None)).order_by(Change.id.desc()).limit(1)
    ).first()
    if change is None:
        raise NotFound("没有可撤销的改动", field="undo")
    return change


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


def undo(session, change_id: int) -> dict:
    """Revert one change, row by row in reverse order, as a new recorded change."""
    change = session.get(Change, change_id)
    if change is None or change.undone_by is not None or change.undoes is not None:
        raise Conflict("这项改动已撤销或不可撤销", field="undo")
    from . import models

    models.load_all()
    tables = SQLModel.metadata.tables
    conn = session.connection()
    rows = session.exec(select(ChangeRow).where(ChangeRow.change_id == change_id).order_by(ChangeRow.id.desc())).all()
    session.info["zz_undoes"] = change_id
    audit.set_summary(session, f"撤销改动 #{change_id}：{change.summary or change.command}")
    for r in rows:
        table = tables.get(r.table_name)
        if table is None:
            continue
        pk_cols = list(table.primary_key.columns)
        key_values = _typed(table, dict(zip([c.key for c in pk_cols], json.loads(r.row_key))))
        where = sa.and_(*[c == key_values[c.key] for c in pk_cols])
        before = json.loads(r.before) if r.before else None
        current = conn.execute(sa.select(table).where(where)).mappings().first()
        if r.action == "insert":
            if current is not None:
                conn.execute(sa.delete(table).where(where))
                audit.record(session, r.table_name, list(key_values.values()), "delete", dict(current), None)
        elif r.action == "update":
            if current is None:
                raise Conflict(f"无法撤销：{r.table_name} 的记录 {r.row_key} 已不存在", field="undo")
            conn.execute(sa.update(table).where(where).values(**_typed(table, before)))
            audit.record(session, r.table_name, list(key_values.values()), "update",
                         {k: current[k] for k in before if k in current}, before)
        elif r.action == "delete":
            if current is None:
                conn.execute(sa.insert(table).values(**_typed(table, before)))
                audit.record(session, r.table_name, list(key_values.values()), "insert", None, before)
    new_id = audit.write(session)
    conn.execute(sa.update(Change.__table__).where(Change.__table__.c.id == change_id).values(undone_by=new_id))
    return {"undone": change_id, "change": new_id, "rows": len(rows)}


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
