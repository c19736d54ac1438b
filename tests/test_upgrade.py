"""Upgrades: a register made by each earlier schema version (tests/fixtures/register_vN.*)
upgrades in place without loss, to exactly the schema a new register gets; a register from a
newer zz is refused and left untouched; a kill during the upgrade leaves the old version."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import procs
from tests.conftest import OLD_VERSIONS, Zz, backend, sqlite_only
from zhengzhi_cli.migrations import SCHEMA_VERSION


def rows_by_table(url: str) -> dict[str, list[dict]]:
    engine = sa.create_engine(procs.sa_url(url))
    try:
        with engine.connect() as conn:
            md = sa.MetaData()
            md.reflect(conn)
            return {name: [dict(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns)).mappings()]
                    for name, t in md.tables.items()}
    finally:
        engine.dispose()


def schema_version(url: str) -> int:
    engine = sa.create_engine(procs.sa_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one())
    finally:
        engine.dispose()


def schema(url: str) -> dict:
    """Tables, columns, indexes, unique constraints and foreign keys, as names and shapes."""
    engine = sa.create_engine(procs.sa_url(url))
    try:
        insp = sa.inspect(engine)
        out = {}
        for table in sorted(insp.get_table_names()):
            out[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
                "pk": sorted(insp.get_pk_constraint(table)["constrained_columns"]),
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
                "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
                "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                              for f in insp.get_foreign_keys(table)),
            }
        return out
    finally:
        engine.dispose()


@pytest.mark.parametrize("old_register", OLD_VERSIONS, indirect=True)
def test_old_register_upgrades_in_place_without_loss(old_register, register_url):
    version, url = old_register
    before = rows_by_table(url)
    assert schema_version(url) == version
    zz = Zz(url)
    issues = zz.json("issue list --as-of 2017-07-15")  # the first command upgrades
    assert schema_version(url) == SCHEMA_VERSION
    after = rows_by_table(url)
    for table, rows in before.items():
        if table == "meta":
            continue
        assert len(after[table]) == len(rows), table
        for old, new in zip(rows, after[table]):
            assert {k: new[k] for k in old} == old, table
    assert {r["key"]: r["value"] for r in after["meta"]}["plan"] == {r["key"]: r["value"] for r in before["meta"]}["plan"]
    # what the clerk sees: every issue and its fixes, readable through the CLI
    assert [i["id"] for i in issues] == [r["id"] for r in before["issue"]]
    for issue in issues:
        shown = zz.json(f"issue show {issue['id']} --as-of 2017-07-15")
        assert shown["description"] == next(r["description"] for r in before["issue"] if r["id"] == issue["id"])
        assert len(shown["fixes"]) == sum(1 for f in before["fix"] if f["issue_id"] == issue["id"])
    fixes = zz.json("fix list --as-of 2017-07-15")
    assert sorted(f["id"] for f in fixes) == sorted(r["id"] for r in before["fix"])
    # and it keeps working: new rows get fresh ids (sequences carried over on PostgreSQL)
    unit = issues[0]["unit"]
    new = zz.json(["issue", "add", "升级后新登记的问题", "--unit", unit, "--area", "1"])
    assert new["id"] == max(r["id"] for r in before["issue"]) + 1
    # the upgraded schema is the one a new register gets
    Zz(register_url).ok("init")
    assert schema(url) == schema(register_url)


@pytest.mark.parametrize("old_register", OLD_VERSIONS, indirect=True)
def test_kill_during_upgrade_leaves_the_old_version(old_register, tmp_path):
    version, url = old_register
    before = procs.snapshot(url)
    procs.kill_at(url, "migrate", "issue", "list", tmp=tmp_path)
    assert schema_version(url) == version
    assert procs.snapshot(url) == before
    if backend() == "sqlite":
        assert procs.sqlite_integrity(url) == "ok"
    result = procs.run(url, "issue", "list", "--json")  # and the upgrade then goes through
    assert result.returncode == 0, result.stderr
    assert schema_version(url) == SCHEMA_VERSION


def _stamp(url: str, version: int) -> None:
    engine = sa.create_engine(procs.sa_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(version)})
    engine.dispose()


def test_register_from_a_newer_zz_is_refused_and_untouched(zz, register_url):
    zz.ok("unit add 杨村街道 --kind 街道")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6")
    _stamp(register_url, SCHEMA_VERSION + 1)
    before = procs.snapshot(register_url)
    raw = open(register_url, "rb").read() if backend() == "sqlite" else None
    for args in (["issue", "list"], ["issue", "add", "新问题", "--unit", "杨村", "--area", "6"], ["init"]):
        result = procs.run(register_url, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert "更新版本的 zz" in result.stderr and "请升级 zz" in result.stderr
        assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert procs.snapshot(register_url) == before
    if raw is not None:
        assert open(register_url, "rb").read() == raw  # byte for byte


@sqlite_only()
def test_a_database_that_is_not_a_register_is_refused(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    raw = other.read_bytes()
    result = procs.run(str(other), "issue", "list")
    assert result.returncode == 1 and "不是 zz 登记簿" in result.stderr
    assert other.read_bytes() == raw
