"""The schema's versions. A fresh register is created from the models and stamped with the
latest version; an older one is upgraded in place, one recorded step at a time, inside one
transaction; a register from a newer zz is refused and left untouched.

Each step freezes its own DDL (it must create what that version had, whatever the models
say later), so steps never import the models.
"""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from .errors import ZzError

SCHEMA_VERSION = 13
APP = "zz"

_checked: set[str] = set()


class SchemaTooNew(ZzError):
    pass


def _read_version(conn) -> int | None:
    insp = sa.inspect(conn)
    if not insp.has_table("meta"):
        if insp.get_table_names():
            raise ZzError("这个数据库不是 zz 登记簿（没有 meta 表），为防误写已拒绝打开。请用 --db 指定 zz 的登记簿文件")
        return None
    row = conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
    return int(row[0]) if row else None


def _lock(conn) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(727274)"))


def _set_meta(conn, key: str, value: str) -> None:
    updated = conn.execute(sa.text("UPDATE meta SET value = :v WHERE key = :k"), {"k": key, "v": value}).rowcount
    if not updated:
        conn.execute(sa.text("INSERT INTO meta (key, value) VALUES (:k, :v)"), {"k": key, "v": value})


def create(conn, plan_text: str) -> None:
    from sqlmodel import SQLModel

    from . import models

    models.load_all()
    SQLModel.metadata.create_all(conn)
    _set_meta(conn, "schema_version", str(SCHEMA_VERSION))
    _set_meta(conn, "app", APP)
    _set_meta(conn, "plan", plan_text)


def _v2_supervision(conn) -> None:
    """v1 → v2: inspections, accountability, opinions, typical cases, bulletins."""
    md = sa.MetaData()
    T, C, I, D, S, X, F = sa.Table, sa.Column, sa.Integer, sa.Date, sa.String, sa.Text, sa.ForeignKey
    sa.Table("unit", md, C("id", I, primary_key=True))
    sa.Table("issue", md, C("id", I, primary_key=True))
    inspection = T("inspection", md, C("id", I, primary_key=True), C("kind", S(16), nullable=False),
                   C("inspected_on", D, nullable=False, index=True), C("inspectors", X), C("findings", X), C("note", X),
                   C("created_on", D, nullable=False))
    inspection_unit = T("inspection_unit", md, C("inspection_id", I, F("inspection.id"), primary_key=True),
                        C("unit_id", I, F("unit.id"), primary_key=True, index=True))
    accountability = T("accountability", md, C("id", I, primary_key=True), C("person", S(100), nullable=False),
                       C("position", S(200)), C("unit_id", I, F("unit.id"), nullable=False, index=True),
                       C("measure", S(16), nullable=False), C("decided_on", D, nullable=False, index=True),
                       C("decided_by", S(200)), C("reason", X), C("referral", X), C("outcome", X), C("outcome_on", D), C("note", X))
    accountability_issue = T("accountability_issue", md, C("accountability_id", I, F("accountability.id"), primary_key=True),
                             C("issue_id", I, F("issue.id"), primary_key=True, index=True))
    opinion = T("opinion", md, C("id", I, primary_key=True), C("unit_id", I, F("unit.id"), nullable=False, index=True),
                C("channel", S(16), nullable=False), C("from_group", S(16), nullable=False), C("content", X, nullable=False),
                C("topic", S(200)), C("people", I, nullable=False), C("received_on", D, nullable=False, index=True),
                C("issue_id", I, F("issue.id")), C("published_on", D), C("note", X))
    typical_case = T("typical_case", md, C("id", I, primary_key=True), C("kind", S(8), nullable=False),
                     C("unit_id", I, F("unit.id"), nullable=False, index=True), C("title", X, nullable=False),
                     C("person", S(100)), C("what", X), C("happened_on", D), C("published_on", D),
                     C("published_where", S(200)), C("note", X))
    bulletin = T("bulletin", md, C("id", I, primary_key=True), C("no", I, nullable=False, unique=True),
                 C("period", S(32), nullable=False, index=True), C("issued_on", D, nullable=False), C("title", X),
                 C("file", X), C("note", X))
    for table in (inspection, inspection_unit, accountability, accountability_issue, opinion, typical_case, bulletin):
        table.create(conn)
    conn.execute(sa.text("ALTER TABLE issue ADD COLUMN inspection_id INTEGER REFERENCES inspection (id)"))
    conn.execute(sa.text("ALTER TABLE issue ADD COLUMN opinion_id INTEGER REFERENCES opinion (id)"))


def _v3_report_indexes(conn) -> None:
    """v2 → v3: the reports' covering indexes (unit × status × area × source for issues, the
    per-unit fix figures); each replaces a v1 index that is its prefix."""
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_issue_unit_status_area"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_issue_report ON issue (unit_id, status, area, source)"))
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_fix_unit_status"))
    conn.execute(sa.text(
        "CREATE INDEX IF NOT EXISTS ix_fix_report ON fix (unit_id, status, deadline, ongoing, done_on, verified_on)"))


def _v4_as_of_indexes(conn) -> None:
    """v3 → v4: covering indexes for reports as of an earlier day (issues found by D, per unit;
    an issue's fixes and their counts by D); each replaces an index that is its prefix."""
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_issue_report"))
    conn.execute(sa.text(
        "CREATE INDEX IF NOT EXISTS ix_issue_report_found ON issue (unit_id, status, area, source, found_on)"))
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_fix_issue"))
    conn.execute(sa.text(
        "CREATE INDEX IF NOT EXISTS ix_fix_issue_state ON fix (issue_id, status, done_on, verified_on, unit_id, deadline, ongoing)"))
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_issue_found_on"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_issue_found_unit ON issue (found_on, unit_id)"))


def _v5_as_of_columns(conn) -> None:
    """v4 → v5: what reports as of an earlier day need, kept on the rows so they stay index-only:
    on each issue the day its fixes were all completed / all verified (NULL while any is not), on
    each fix its issue's found_on; back-filled, and the covering indexes over them (each replaces
    an index that is its prefix)."""
    conn.execute(sa.text("ALTER TABLE issue ADD COLUMN fixes_done_on DATE"))
    conn.execute(sa.text("ALTER TABLE issue ADD COLUMN fixes_verified_on DATE"))
    conn.execute(sa.text("ALTER TABLE fix ADD COLUMN issue_found_on DATE"))
    conn.execute(sa.text(
        "UPDATE issue SET"
        " fixes_done_on = (SELECT CASE WHEN COUNT(*) > 0 AND COUNT(fix.done_on) = COUNT(*) THEN MAX(fix.done_on) END"
        " FROM fix WHERE fix.issue_id = issue.id),"
        " fixes_verified_on = (SELECT CASE WHEN COUNT(*) > 0 AND COUNT(fix.verified_on) = COUNT(*)"
        " THEN MAX(fix.verified_on) END FROM fix WHERE fix.issue_id = issue.id)"))
    conn.execute(sa.text("UPDATE fix SET issue_found_on = (SELECT issue.found_on FROM issue WHERE issue.id = fix.issue_id)"))
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_issue_report_found"))
    conn.execute(sa.text(
        "CREATE INDEX IF NOT EXISTS ix_issue_report_asof ON issue"
        " (unit_id, status, area, source, found_on, fixes_done_on, fixes_verified_on)"))
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_fix_report"))
    conn.execute(sa.text(
        "CREATE INDEX IF NOT EXISTS ix_fix_report_found ON fix"
        " (unit_id, status, deadline, ongoing, issue_found_on, done_on, verified_on)"))
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_fix_status_deadline"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_fix_status_deadline_due ON fix (status, deadline, ongoing, done_on)"))
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_fix_done_on"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_fix_done_deadline ON fix (done_on, deadline, ongoing)"))


def _v6_import_identity(conn) -> None:
    """v5 → v6: what a unit's workbook brought is told apart from what the office entered (the
    unit's own 序号 on issues, fixes and rules; back-filled for rows an import inserted), a unit's
    claimed 销号 and a completion date taken from the 填报日期 are marked, and layouts taught with
    `zz import --map` are remembered per unit."""
    for table in ("issue", "fix", "rule"):
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN src_seq INTEGER"))
        conn.execute(sa.text(
            f"UPDATE {table} SET src_seq = seq WHERE seq IS NOT NULL AND EXISTS (SELECT 1 FROM change_row"
            f" JOIN change ON change.id = change_row.change_id WHERE change_row.table_name = '{table}'"
            f" AND change_row.action = 'insert' AND change_row.row_key = '[' || {table}.id || ']'"
            " AND change.command LIKE 'zz import%')"))
        conn.execute(sa.text(f"CREATE UNIQUE INDEX uq_{table}_unit_src_seq ON {table} (unit_id, src_seq)"))
    conn.execute(sa.text("UPDATE issue SET src_seq = NULL WHERE inspection_id IS NOT NULL OR opinion_id IS NOT NULL"))
    conn.execute(sa.text("ALTER TABLE fix ADD COLUMN claimed BOOLEAN NOT NULL DEFAULT FALSE"))
    conn.execute(sa.text("ALTER TABLE fix ADD COLUMN done_reported BOOLEAN NOT NULL DEFAULT FALSE"))
    md = sa.MetaData()
    sa.Table("unit", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("import_mapping", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False),
             sa.Column("header", sa.String(200), nullable=False), sa.Column("field", sa.String(64), nullable=False),
             sa.Column("created_on", sa.Date, nullable=False),
             sa.UniqueConstraint("unit_id", "header", name="uq_import_mapping_unit_header")).create(conn)


def _v7_issue_void(conn) -> None:
    """v6 → v7: an issue withdrawn as 不属实, 不予整改 or 重复 (of another issue) is kept, with
    its reason and day; a partial index finds the (few) void issues without a table scan, so the
    reports can leave them out at no cost to their index-only scans."""
    conn.execute(sa.text("ALTER TABLE issue ADD COLUMN void_reason VARCHAR(16)"))
    conn.execute(sa.text("ALTER TABLE issue ADD COLUMN voided_on DATE"))
    conn.execute(sa.text("ALTER TABLE issue ADD COLUMN duplicate_of_id INTEGER REFERENCES issue (id)"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_issue_void ON issue (void_reason) WHERE void_reason IS NOT NULL"))


# The tables v8 makes AUTOINCREMENT (frozen: whatever the models say later).
_V8_TABLES = ("unit", "check_record", "issue", "fix", "fix_event", "rule", "milestone_record", "inspection",
              "accountability", "opinion", "typical_case", "bulletin")


def _v8_no_id_reuse(conn) -> None:
    """v7 → v8: on SQLite an id is never given twice (a record `zz undo` removed took its id with
    it, and SQLite gave max(id) + 1 again, so "#274" named a different problem a minute later).

    Each table above becomes `id INTEGER PRIMARY KEY AUTOINCREMENT`. Its id already is the rowid
    (`PRIMARY KEY (id)` on one INTEGER column), so the table's pages are the same either way: only
    the stored CREATE TABLE text changes, by SQLite's own procedure for such changes (writable_schema
    and a new schema_version, in this transaction), with no row copied. sqlite_sequence then starts
    above the highest id each table holds or the audit trail ever recorded as inserted, so ids an
    earlier undo freed are not handed out either. PostgreSQL's sequences never go back: nothing to do."""
    import re

    if conn.dialect.name != "sqlite":
        return
    q = conn.exec_driver_sql
    ddl = dict(q("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
    changed = {}
    for t in _V8_TABLES:
        sql = ddl.get(t)
        if sql is None or "AUTOINCREMENT" in sql.upper():
            continue
        new, n = re.subn(r"\bid INTEGER NOT NULL\s*,", "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", sql, count=1)
        new, m = re.subn(r",\s*PRIMARY KEY \(id\)", "", new, count=1)
        if not (n and m):
            raise ZzError(f"无法升级登记簿：表 {t} 的结构与预期不同（架构版本 8），登记簿未做任何改动")
        changed[t] = new
    if "sqlite_sequence" not in ddl:  # SQLite makes it with the first AUTOINCREMENT table, and keeps it
        q('CREATE TABLE "zz_v6_sequence" (id INTEGER PRIMARY KEY AUTOINCREMENT)')
        q('DROP TABLE "zz_v6_sequence"')
    if changed:
        version = q("PRAGMA schema_version").scalar()
        q("PRAGMA writable_schema = ON")
        for t, sql in changed.items():
            q("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, t))
        q(f"PRAGMA schema_version = {int(version) + 1}")
        q("PRAGMA writable_schema = RESET")
    trail = {}
    if "change_row" in ddl:
        trail = dict(q("SELECT table_name, MAX(CAST(substr(row_key, 2, length(row_key) - 2) AS INTEGER)) FROM change_row"
                       " WHERE action = 'insert' AND row_key NOT LIKE '%,%' GROUP BY table_name").all())
    for t in _V8_TABLES:
        if t not in ddl:
            continue
        top = max(q(f'SELECT COALESCE(MAX(id), 0) FROM "{t}"').scalar(), trail.get(t) or 0)
        if not q("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (top, t)).rowcount:
            q("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (t, top))


def _v9_evidence(conn) -> None:
    """v8 → v9: 佐证材料 — the files added to a fix, named by SHA-256 (the bytes are kept in a
    store beside the register, not in it)."""
    md = sa.MetaData()
    sa.Table("fix", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("evidence", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("fix_id", sa.Integer, sa.ForeignKey("fix.id"), nullable=False),
             sa.Column("sha256", sa.String(64), nullable=False), sa.Column("size", sa.Integer, nullable=False),
             sa.Column("name", sa.String(255), nullable=False), sa.Column("kind", sa.String(16), nullable=False),
             sa.Column("media", sa.String(16), nullable=False), sa.Column("note", sa.Text),
             sa.Column("added_by", sa.String(100), nullable=False), sa.Column("added_at", sa.DateTime, nullable=False),
             sa.Index("ix_evidence_fix_id", "fix_id"), sa.Index("ix_evidence_sha256", "sha256"),
             sqlite_autoincrement=True).create(conn)


def _v10_gongwen(conn) -> None:
    """v9 → v10: document-number (文号) sequences, the numbers given out, and 督办函 with their replies."""
    md = sa.MetaData()
    C, I, D, S, X = sa.Column, sa.Integer, sa.Date, sa.String, sa.Text
    seq = sa.Table("doc_sequence", md, C("id", I, primary_key=True), C("kind", S(16), nullable=False),
                   C("year", I, nullable=False), C("last", I, nullable=False),
                   sa.UniqueConstraint("kind", "year", name="uq_doc_sequence_kind_year"))
    num = sa.Table("doc_number", md, C("id", I, primary_key=True), C("kind", S(16), nullable=False),
                   C("year", I, nullable=False), C("no", I, nullable=False), C("text", S(64), nullable=False),
                   C("ref", S(64), index=True), C("subject", X), C("issued_on", D, nullable=False),
                   sa.UniqueConstraint("kind", "year", "no", name="uq_doc_number"), sqlite_autoincrement=True)
    sa.Table("unit", md, C("id", I, primary_key=True))
    letter = sa.Table("duban_letter", md, C("id", I, primary_key=True),
                      C("unit_id", I, sa.ForeignKey("unit.id"), nullable=False, index=True),
                      C("doc_no", S(64), nullable=False), C("rule", S(8), nullable=False), C("issued_on", D, nullable=False),
                      C("reply_by", D, nullable=False), C("fix_ids", X, nullable=False), C("replied_on", D), C("reply_ref", X),
                      sa.UniqueConstraint("unit_id", "issued_on", name="uq_duban_letter_unit_day"), sqlite_autoincrement=True)
    for table in (seq, num, letter):
        table.create(conn)


def _v11_history(conn) -> None:
    """v10 → v11: history stays true (SPEC §5a). A 退回 keeps the completion day it took back
    (fix_event.prior_done_on, back-filled from the last 完成 before it); an index finds the events
    after a day D (the few fixes whose deadline or completion changed since D); an issued 通报 keeps
    its content (bulletin.content, JSON) so the same 期 regenerates word for word."""
    conn.execute(sa.text("ALTER TABLE fix_event ADD COLUMN prior_done_on DATE"))
    conn.execute(sa.text(
        "UPDATE fix_event SET prior_done_on = (SELECT MAX(e.happened_on) FROM fix_event e WHERE e.fix_id = fix_event.fix_id"
        " AND e.kind = '完成' AND e.happened_on <= fix_event.happened_on AND e.id < fix_event.id) WHERE kind = '退回'"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_fix_event_kind_day ON fix_event (kind, happened_on, fix_id)"))
    conn.execute(sa.text("ALTER TABLE bulletin ADD COLUMN content TEXT"))


def _v12_on_the_spot(conn) -> None:
    """v11 → v12: a 立行立改 fix was due the day its issue was found (and so overdue the next day);
    now it is due on the N-th working day after ([lateness] on_the_spot_workdays of the register's own
    plan, fixes.spot_deadline). Its deadline is moved there; one already extended keeps that day as its
    first deadline (the first 延期 event's old deadline with it) and is no longer 立行立改."""
    from .fixes import spot_deadline
    from .plan import parse_plan

    text = conn.execute(sa.text("SELECT value FROM meta WHERE key = 'plan'")).scalar()
    plan = parse_plan(text) if text else None
    if plan is None:
        return
    rows = conn.execute(sa.text(
        "SELECT id, deadline, original_deadline, created_on FROM fix WHERE on_the_spot AND deadline IS NOT NULL")).all()
    for fix_id, deadline, original, created in rows:
        first = _day(original if original is not None else deadline)
        new = spot_deadline(plan, first, _day(created))
        if original is None:
            conn.execute(sa.text("UPDATE fix SET deadline = :d WHERE id = :i"), {"d": new, "i": fix_id})
            continue
        conn.execute(sa.text("UPDATE fix SET original_deadline = :d, on_the_spot = :f WHERE id = :i"),
                     {"d": new, "f": False, "i": fix_id})
        conn.execute(sa.text("UPDATE fix_event SET old_deadline = :d WHERE fix_id = :i AND kind = '延期' AND old_deadline = :o"),
                     {"d": new, "i": fix_id, "o": first})


def _v13_evidence_public(conn) -> None:
    """v12 → v13: an evidence file may be cleared for the public archive (evidence.public); every file
    already stored stays internal, as `archive --public` has treated it so far."""
    conn.execute(sa.text("ALTER TABLE evidence ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE"))


def _day(value):
    import datetime as dt

    return dt.date.fromisoformat(value) if isinstance(value, str) else value


STEPS: dict[int, Callable] = {2: _v2_supervision, 3: _v3_report_indexes, 4: _v4_as_of_indexes, 5: _v5_as_of_columns,
                              6: _v6_import_identity, 7: _v7_issue_void, 8: _v8_no_id_reuse, 9: _v9_evidence,
                              10: _v10_gongwen, 11: _v11_history, 12: _v12_on_the_spot,
                              13: _v13_evidence_public}


def ensure(engine, *, plan_text: str | None = None) -> str:
    """Make the register current. Returns 'created', 'upgraded' or 'current'."""
    url = str(engine.url)
    if url in _checked and plan_text is None:
        return "current"
    from .plan import default_plan_text

    # Cheap read first: most opens find a current register and take no write lock.
    with engine.execution_options(zz_begin="DEFERRED").connect() as conn:
        version = _read_version(conn)
        conn.rollback()
    if version == SCHEMA_VERSION:
        _checked.add(url)
        return "current"
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"这个登记簿由更新版本的 zz 创建（架构版本 {version}），当前 zz 只认识到版本 {SCHEMA_VERSION}。"
            "为防损坏已拒绝打开且未做任何改动，请升级 zz"
        )
    with engine.begin() as conn:
        _lock(conn)
        version = _read_version(conn)  # another process may have done it meanwhile
        if version is None:
            create(conn, plan_text or default_plan_text())
            result = "created"
        elif version < SCHEMA_VERSION:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                STEPS[step](conn)
                _set_meta(conn, "schema_version", str(step))
            result = "upgraded"
        else:
            result = "current"
    _checked.add(url)
    return result


def forget(url: str) -> None:
    """The register at this URL was replaced on disk: check it again on next open."""
    _checked.discard(str(sa.engine.make_url(url)))


def version_of(engine) -> int | None:
    with engine.execution_options(zz_begin="DEFERRED").connect() as conn:
        return _read_version(conn)
