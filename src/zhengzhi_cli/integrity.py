"""Is the register whole? (`zz db check`, and before every backup and restore.)

Three questions: are SQLite's pages sound (quick_check / integrity_check), do the foreign keys
hold (foreign_key_check), and is the schema exactly the one this zz defines — the tables,
columns and indexes of the models' metadata, and nothing else: a trigger or view in a
restored file would run inside every later command (wipe the audit trail, copy names into
the public ledger, block every write). Findings are Chinese sentences; nothing here prints.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MAX_FINDINGS = 20  # integrity_check may list thousands of bad pages; a clerk needs the first few


def expected_schema() -> dict[str, tuple[set[str], set[str]]]:
    """table → (column names, index names), as the current models define them."""
    from sqlmodel import SQLModel

    from . import models

    models.load_all()
    return {t.name: ({c.name for c in t.columns}, {i.name for i in t.indexes if i.name})
            for t in SQLModel.metadata.tables.values()}


def open_read_only(path: Path) -> sqlite3.Connection:
    from .db import read_only_uri

    return sqlite3.connect(read_only_uri(path), uri=True, timeout=60)


def page_findings(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """SQLite's own check of every page (quick_check skips the index-to-table cross-check).
    A file that is no database at all (a destroyed header) is left to raise."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}({MAX_FINDINGS})").fetchall()]
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise
        return ["数据页损坏，SQLite 无法读完登记簿的结构"]
    # SQLite's own words name pages and tables only, never row data
    return [] if rows == ["ok"] else [f"数据页损坏（SQLite 报告：{r}）" for r in rows]


def foreign_key_findings(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("PRAGMA foreign_key_check").fetchmany(MAX_FINDINGS)
    return [f"外键不符：表 {table} 第 {rowid} 行指向 {parent} 中不存在的记录" for table, rowid, parent, _ in rows]


def schema_findings(conn: sqlite3.Connection) -> list[str]:
    """How a SQLite file's schema differs from the current models' (empty: exactly the same)."""
    expected = expected_schema()
    objects = conn.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    found: list[str] = []
    tables = {name for kind, name, _ in objects if kind == "table"}
    for kind, name, table in objects:
        if kind == "trigger":
            found.append(f"含有触发器 {name}（表 {table}）：登记簿不应有触发器")
        elif kind == "view":
            found.append(f"含有视图 {name}：登记簿不应有视图")
        elif kind == "table" and name not in expected:
            found.append(f"含有多余的表 {name}")
        elif kind == "index" and name not in expected.get(table, (set(), set()))[1]:
            found.append(f"含有多余的索引 {name}（表 {table}）")
        elif kind not in ("table", "index", "trigger", "view"):
            found.append(f"含有未知对象 {name}（{kind}）")
    for name, (columns, indexes) in sorted(expected.items()):
        if name not in tables:
            found.append(f"缺少表 {name}")
            continue
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
        if have - columns:
            found.append(f"表 {name} 含有多余的列：{'、'.join(sorted(have - columns))}")
        if columns - have:
            found.append(f"表 {name} 缺少列：{'、'.join(sorted(columns - have))}")
        have_ix = {r[1] for r in conn.execute(f'PRAGMA index_list("{name}")') if not r[1].startswith("sqlite_")}
        if indexes - have_ix:
            found.append(f"表 {name} 缺少索引：{'、'.join(sorted(indexes - have_ix))}")
    return found


def version_finding(conn: sqlite3.Connection) -> tuple[int | None, list[str]]:
    from .migrations import SCHEMA_VERSION

    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        return None, ["没有 meta 表：不是 zz 登记簿"]
    if not row:
        return None, ["meta 表中没有架构版本：不是 zz 登记簿"]
    try:
        version = int(row[0])
    except (TypeError, ValueError):
        return None, ["meta 表中的架构版本无法识别"]
    if version > SCHEMA_VERSION:
        return version, [f"架构版本 {version} 比本 zz 认识的 {SCHEMA_VERSION} 新，请升级 zz"]
    if version < SCHEMA_VERSION:
        return version, [f"架构版本 {version} 较旧（当前 {SCHEMA_VERSION}），下次写入时会自动升级"]
    return version, []


def check_sqlite(path: Path, *, full: bool = True) -> dict:
    """Every finding about a register file (`zz db check`). Opens it read-only."""
    from .migrations import SCHEMA_VERSION

    if not path.is_file():
        from .errors import NotFound

        raise NotFound(f"登记簿不存在：{path}", field="db")
    conn = open_read_only(path)
    try:
        pages = page_findings(conn, full=full)
        version, about_version = version_finding(conn) if not pages else (None, [])
        keys = foreign_key_findings(conn) if not pages else []
        schema = schema_findings(conn) if version == SCHEMA_VERSION and not pages else []
    finally:
        conn.close()
    return _result(str(path), version, pages=pages, foreign_keys=keys, schema=schema, version_notes=about_version)


def check_engine(engine) -> dict:
    """`zz db check` on a server register (PostgreSQL): the schema against the models; the
    server keeps its own pages and enforces foreign keys itself."""
    import sqlalchemy as sa

    expected = expected_schema()
    engine = engine.execution_options(zz_begin="DEFERRED")  # a reader: never queue behind writers
    insp = sa.inspect(engine)
    schema: list[str] = []
    tables = set(insp.get_table_names())
    for name in sorted(tables - set(expected)):
        schema.append(f"含有多余的表 {name}")
    for name in insp.get_view_names():
        schema.append(f"含有视图 {name}：登记簿不应有视图")
    for name, (columns, indexes) in sorted(expected.items()):
        if name not in tables:
            schema.append(f"缺少表 {name}")
            continue
        have = {c["name"] for c in insp.get_columns(name)}
        if have ^ columns:
            schema.append(f"表 {name} 的列与本 zz 不符：{'、'.join(sorted(have ^ columns))}")
        have_ix = {i["name"] for i in insp.get_indexes(name)}
        if indexes - have_ix:
            schema.append(f"表 {name} 缺少索引：{'、'.join(sorted(indexes - have_ix))}")
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            for (name, table) in conn.execute(sa.text(
                    "SELECT trigger_name, event_object_table FROM information_schema.triggers"
                    " WHERE trigger_schema = current_schema()")).all():
                schema.append(f"含有触发器 {name}（表 {table}）：登记簿不应有触发器")
        try:
            version = int(conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one())
        except Exception:
            version = None
    return _result(str(engine.url.render_as_string(hide_password=True)), version, pages=[], foreign_keys=[],
                   schema=schema, version_notes=[] if version is not None else ["没有架构版本：不是 zz 登记簿"])


def _result(where: str, version, *, pages, foreign_keys, schema, version_notes) -> dict:
    from .migrations import SCHEMA_VERSION

    refused = [n for n in version_notes if "较旧" not in n]
    return {"register": where, "schema_version": version, "ok": not (pages or foreign_keys or schema or refused),
            "pages": pages, "foreign_keys": foreign_keys, "schema": schema, "notes": version_notes,
            "current_schema_version": SCHEMA_VERSION}
