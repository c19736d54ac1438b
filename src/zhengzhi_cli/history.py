"""The audit trail read back (`zz log`), undone (`zz undo`), and the register copied
(`zz backup`, `zz restore`)."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import sqlite3
import tempfile
from itertools import groupby
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from . import audit
from .errors import Conflict, Invalid, NotFound, ZzError
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


NAME_FIELDS = ("description", "task", "title", "name", "person", "text", "note")


def first_rows(session, change_ids: list[int]) -> dict[int, dict]:
    """Each change's first row (table, action, id, the row's unit and its text), so that `zz log`
    can name the record a change made: 新增问题 #12 杨村街道 窗口办事拖沓."""
    from . import units

    CR = ChangeRow.__table__
    out: dict[int, dict] = {}
    for start in range(0, len(change_ids), 500):
        part = change_ids[start:start + 500]
        firsts = sa.select(sa.func.min(CR.c.id)).where(CR.c.change_id.in_(part)).group_by(CR.c.change_id)
        for cid, t, a, key, before, after in session.connection().execute(
                sa.select(CR.c.change_id, CR.c.table_name, CR.c.action, CR.c.row_key, CR.c.before, CR.c.after)
                .where(CR.c.id.in_(firsts))):
            values = json.loads(after or before or "{}")
            row_id = json.loads(key)
            if isinstance(row_id, dict):
                row_id = row_id.get("id")
            elif isinstance(row_id, list):
                row_id = row_id[0] if len(row_id) == 1 else None
            text = next((values[f] for f in NAME_FIELDS if isinstance(values.get(f), str) and values[f]), None)
            out[cid] = {"table": t, "action": a, "id": row_id, "unit_id": values.get("unit_id"), "text": text}
    names = units.names_by_id(session) if any(r["unit_id"] for r in out.values()) else {}
    for r in out.values():
        r["unit"] = names.get(r.pop("unit_id"))
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
    from . import docno

    docno.check_undo(session, change_id)  # a 文号 once given is never given back
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


# Temporary files carry the pid of the zz that made them: a later run removes those whose
# process is gone (killed mid-way: a full-size copy and its -wal/-shm), never another's at work.
_TEMP = re.compile(r"^\..+\.zz(\d+)-[A-Za-z0-9_]+\.tmp(-wal|-shm|-journal)?$")
_OLD_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp(-wal|-shm|-journal)?$")  # before the pid was in the name
_OLD_TEMP_AGE = 600  # seconds: an older zz at work keeps its file fresh


def _atomic_target(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.zz{os.getpid()}-", suffix=".tmp", dir=out.parent)
    os.close(fd)
    return Path(tmp)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temporary files a killed zz left in `folder`; returns what was removed."""
    import time

    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        try:
            stale = (m is not None and not _alive(int(m.group(1)))) or (
                m is None and _OLD_TEMP.match(entry.name) is not None
                and entry.stat().st_mtime < time.time() - _OLD_TEMP_AGE)
            if stale and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _unlink_with_sidecars(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _copy_register(src: sqlite3.Connection, target) -> None:
    """SQLite's online backup of `src` into the file `target`; both connections closed after."""
    try:
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup_sqlite(db_path: Path, out: Path, *, evidence_of: str | None = None) -> dict:
    """A consistent copy through SQLite's online backup, even while others write; a register
    whose pages are damaged is refused (its copy would be damaged too). With `evidence_of` (the
    register's URL) its evidence store is copied beside the backup before the backup is put in
    place: a disk that fills up on the way leaves the file that was there before, not half a backup."""
    from .integrity import open_read_only, page_findings

    if not db_path.exists():
        raise NotFound(f"登记簿不存在：{db_path}", field="db")
    src = open_read_only(db_path)
    try:
        damaged = page_findings(src)
        if damaged:
            raise Conflict(f"登记簿已损坏，拒绝备份（{_first(damaged)}）。请运行 zz db check 查看，"
                           "并用 zz restore 从更早的备份恢复", field="backup")
        tmp = _atomic_target(out)
        try:
            dst = sqlite3.connect(tmp)
            try:
                with dst:
                    src.backup(dst)
                check = page_findings(dst, full=True)
                dst.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError as exc:
                if "full" not in str(exc):
                    raise
                raise _disk_full(out) from None
            finally:
                dst.close()
            if check:
                raise Conflict(f"备份校验失败：{_first(check)}", field="backup")
            copied = _put_in_place(tmp, out, evidence_of)
        finally:
            _unlink_with_sidecars(tmp)
    finally:
        src.close()
    return {"backup": str(out), "bytes": out.stat().st_size, "evidence": copied}


def _disk_full(out: Path) -> Invalid:
    return Invalid(f"备份文件（-o）：“{out.parent}”所在磁盘已满，未能写完备份（已删去未写完的文件，"
                   "登记簿未受影响）。请腾出空间或换一个位置", field="output")


def _put_in_place(tmp: Path, out: Path, evidence_of: str | None) -> int | None:
    """The finished copy becomes `out`: the evidence store first (so a backup file never names
    files its folder lacks), then the mode of the file it replaces or 0644 like every output
    (mkstemp made it 0600), fsync, rename. Returns the number of evidence files copied."""
    from . import outputs

    try:
        copied = backup_evidence(evidence_of, out) if evidence_of else None
        os.chmod(tmp, outputs.mode_for(out))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, out)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise _disk_full(out) from None
        raise
    return copied


def _first(findings: list[str]) -> str:
    return "；".join(findings[:3]) + (f" 等 {len(findings)} 处" if len(findings) > 3 else "")


def check_backup_file(path: Path) -> int:
    """The schema version inside a backup file, or a refusal: not a SQLite file, damaged pages,
    not a register, from a newer zz, or (at the current version) a schema not exactly this zz's."""
    from .integrity import open_read_only, page_findings, schema_findings, version_finding
    from .migrations import SCHEMA_VERSION

    if not path.is_file():
        raise NotFound(f"备份文件不存在：{path}", field="file")
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise Invalid(f"“{path.name}”不是 zz 的备份文件（不是 SQLite 数据库）", field="file")
    try:
        conn = open_read_only(path)
        try:
            damaged = page_findings(conn)
            if damaged:
                raise Invalid(f"备份文件“{path.name}”已损坏：{_first(damaged)}", field="file")
            version, notes = version_finding(conn)
            if version is None:
                raise Invalid(f"“{path.name}”不是 zz 的备份文件（{_first(notes)}）", field="file")
            if version > SCHEMA_VERSION:
                raise Invalid(f"备份来自更新版本的 zz（架构版本 {version}），请先升级 zz", field="file")
            if version == SCHEMA_VERSION:
                _refuse_foreign_schema(path, schema_findings(conn))
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise Invalid(f"“{path.name}”不是 zz 的备份文件（不是可读的 SQLite 数据库，或已损坏）", field="file") from None
    return version


def _refuse_foreign_schema(path: Path, findings: list[str]) -> None:
    if findings:
        raise Invalid(f"“{path.name}”不是本版本 zz 的登记簿，拒绝恢复（{_first(findings)}）。"
                      "只能恢复 zz backup 生成的备份文件", field="file")


def _restorable_copy(backup: Path, folder: Path) -> tuple[Path, int]:
    """A private copy of the backup, upgraded to the current schema and then checked to be
    exactly this zz's register (tables, columns, indexes; no triggers or views) with sound
    foreign keys: what may replace the register. The caller removes it."""
    version = check_backup_file(backup)
    work = _atomic_target(folder / backup.name)
    try:
        _upgrade_and_check(backup, work, version)
    except BaseException:
        _unlink_with_sidecars(work)
        raise
    return work, version


def _upgrade_and_check(backup: Path, work: Path, version: int) -> None:
    from . import migrations
    from .db import make_engine
    from .integrity import foreign_key_findings, open_read_only, schema_findings

    _copy_register(open_read_only(backup), work)
    if version < migrations.SCHEMA_VERSION:
        engine = make_engine(f"sqlite:///{work}")
        try:
            migrations.ensure(engine)
        except (sa.exc.SQLAlchemyError, sqlite3.DatabaseError):
            raise Invalid(f"备份文件“{backup.name}”（架构版本 {version}）无法升级：不是完整的 zz 登记簿", field="file") from None
        finally:
            engine.dispose()
            migrations.forget(f"sqlite:///{work}")
    conn = sqlite3.connect(work)
    try:
        _refuse_foreign_schema(backup, schema_findings(conn))
        keys = foreign_key_findings(conn)
        if keys:
            raise Invalid(f"备份文件“{backup.name}”的数据不一致，拒绝恢复（{_first(keys)}）", field="file")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def restore_sqlite(backup: Path, db_path: Path) -> dict:
    """Copy a checked backup over the register in one step (SQLite's backup API takes the
    write lock). A register too damaged to open is replaced as a file instead."""
    from . import migrations
    from .db import check_place

    check_place(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    work, version = _restorable_copy(backup, db_path.parent)
    try:
        safety = _safety_copy(db_path)
    except BaseException:
        _unlink_with_sidecars(work)
        raise
    try:
        src = sqlite3.connect(work)
        try:
            dst = sqlite3.connect(db_path, timeout=60)
            try:
                with dst:
                    src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
            except sqlite3.DatabaseError as exc:
                if "not a database" not in str(exc) and "malformed" not in str(exc):
                    raise
                dst.close()
                src.close()
                _replace_damaged(work, db_path)
            finally:
                dst.close()
        finally:
            src.close()
    finally:
        _unlink_with_sidecars(work)
    migrations.forget(f"sqlite:///{db_path}")
    return {"restored": str(backup), "db": str(db_path), "schema_version": version,
            "safety_copy": str(safety) if safety else None}


HOLDINGS = (("units", "unit"), ("issues", "issue"), ("fixes", "fix"), ("rules", "rule"), ("evidence", "evidence"))


def holdings(engine) -> dict:
    """What a register holds, as `zz restore` compares it before replacing anything: the counts of
    units, issues, fixes, rules and evidence files, the last change (id, date and time) and the schema
    version. A register that cannot be read (damaged: the very case a restore cures) says so instead
    of refusing the restore."""
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            out: dict = {"readable": True}
            for key, table in HOLDINGS:
                out[key] = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar() if table in names else 0
            last = conn.execute(sa.text('SELECT id, at FROM "change" ORDER BY id DESC LIMIT 1')).first() \
                if "change" in names else None
            version = conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar() \
                if "meta" in names else None
            conn.rollback()
    except (sa.exc.SQLAlchemyError, sqlite3.DatabaseError):
        return {"readable": False}
    out["last_change"] = last[0] if last else None
    out["last_change_at"] = str(last[1])[:19] if last else None
    out["schema_version"] = int(version) if version is not None else None
    return out


def file_holdings(path: Path) -> dict | None:
    """holdings() of a SQLite register file, opened read-only (None when there is no file yet)."""
    from sqlalchemy.pool import NullPool

    from .integrity import open_read_only

    if not path.is_file() or path.stat().st_size == 0:
        return None
    engine = sa.create_engine("sqlite://", creator=lambda: open_read_only(path), poolclass=NullPool)
    try:
        return holdings(engine)
    finally:
        engine.dispose()


def safety_name(beside: Path, stem: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = beside / f"{stem}.恢复前-{stamp}.db"
    n = 1
    while path.exists():
        n += 1
        path = beside / f"{stem}.恢复前-{stamp}-{n}.db"
    return path


def _safety_copy(db_path: Path) -> Path | None:
    """What a restore replaces, kept beside the register (a whole copy of the file as it is,
    damaged or not, with its WAL folded in when it opens)."""
    import shutil

    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    target = safety_name(db_path.parent, db_path.stem)
    try:
        _copy_register(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=60), target)
    except sqlite3.DatabaseError:  # too damaged to read: the bytes as they are
        shutil.copyfile(db_path, target)
        wal = db_path.with_name(db_path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    except OSError as exc:
        raise Invalid(f"恢复前无法另存当前登记簿到“{target}”（{exc.strerror or exc}），未恢复。请检查磁盘空间与权限",
                      field="restore") from None
    return target


def _replace_damaged(work: Path, db_path: Path) -> None:
    """The register cannot be opened (a destroyed header, damaged pages): swap the file."""
    for side in ("-wal", "-shm", "-journal"):
        try:
            db_path.with_name(db_path.name + side).unlink()
        except FileNotFoundError:
            pass
    try:
        os.chmod(work, db_path.stat().st_mode & 0o777)  # the register keeps who may read and write it
    except OSError:
        pass
    os.replace(work, db_path)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


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


def backup_logical(engine, out: Path, *, evidence_of: str | None = None) -> dict:
    """Copy every table, from one consistent snapshot (REPEATABLE READ), into a new SQLite
    register file; readers and writers go on meanwhile. The file is a complete zz register:
    `zz restore` takes it back into PostgreSQL or SQLite, and `zz --db FILE` opens it."""
    from . import migrations

    migrations.ensure(engine)
    tmp = _atomic_target(out)
    dst = sa.create_engine(f"sqlite:///{tmp}")
    rows_copied = 0
    snapshot = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    try:
        try:
            with engine.execution_options(zz_begin="DEFERRED", **snapshot).connect() as src, dst.begin() as dconn:
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
        except (sa.exc.OperationalError, sqlite3.OperationalError) as exc:
            if "full" not in str(getattr(exc, "orig", exc)):
                raise
            raise _disk_full(out) from None
        if ok != "ok":
            raise Conflict(f"备份校验失败：{ok}", field="backup")
        copied = _put_in_place(tmp, out, evidence_of)
    finally:
        dst.dispose()
        _unlink_with_sidecars(tmp)
    return {"backup": str(out), "bytes": out.stat().st_size, "rows": rows_copied, "evidence": copied}


def restore_logical(backup: Path, engine) -> dict:
    """Replace every row of a (PostgreSQL) register with a backup file's, in one transaction
    that holds the write lock: other clerks wait, then see either the old or the restored
    register. An older backup is upgraded on a temporary copy first."""
    from . import migrations
    from .db import make_engine

    # an older backup is brought up to the current schema on a private copy, then checked
    source, version = _restorable_copy(backup, Path(tempfile.gettempdir()))
    try:
        src_engine = make_engine(f"sqlite:///{source}")
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
        _unlink_with_sidecars(source)
    return {"restored": str(backup), "schema_version": version, "rows": sum(counts.values())}


# ---- 佐证材料: a backup FILE carries the evidence store beside it, as FILE.evidence/ ----

def evidence_beside(backup: Path) -> Path:
    return backup.with_name(backup.name + ".evidence")


def backup_evidence(register_url: str, out: Path) -> int | None:
    """Copy the register's evidence store to `out`.evidence/ (each file re-hashed on the way);
    None when the register has no store (none made yet, or PostgreSQL without ZZ_EVIDENCE_DIR)."""
    from . import evidence
    from .errors import Invalid

    try:
        store = evidence.store_dir(register_url)
    except Invalid:
        return None
    if not store.is_dir():
        return None
    try:
        return evidence.copy_store(store, evidence_beside(out))
    except ZzError as exc:  # the store's own words say 登记簿未改动 and quote strerror in English
        cause = exc.__context__
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise _disk_full(out) from None
        raise


def restore_evidence(backup: Path, register_url: str) -> int | None:
    """Bring the files of `backup`.evidence/ into the register's store (files already there are
    kept: the same name is the same bytes). None when the backup has no evidence folder."""
    from . import evidence

    beside = evidence_beside(backup)
    if not beside.is_dir():
        return None
    return evidence.copy_store(beside, evidence.store_dir(register_url))
