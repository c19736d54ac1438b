"""Several clerks at once: writers queue on the register's lock (bounded by ZZ_BUSY_TIMEOUT)
and nothing is lost, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict

from tests import procs
from tests.conftest import backend

CLERKS = 24


@contextlib.contextmanager
def write_lock_held(register_url: str):
    """Hold the register's write lock the way another zz command would."""
    if backend() == "postgresql":
        import psycopg

        from tests.pg import libpq_url
        from zhengzhi_cli.db import PG_WRITE_LOCK

        conn = psycopg.connect(libpq_url(register_url))
        conn.execute(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
    else:
        import sqlite3

        conn = sqlite3.connect(register_url, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()


def test_parallel_issue_adds_lose_nothing(district, register_url):
    before = procs.count(register_url, "change")
    units = ["杨村", "梅厂镇", "区行政审批局"]
    clerks = [procs.start(register_url, "issue", "add", f"第{i}号问题：窗口办事拖沓", "--unit", units[i % 3],
                          "--area", str(i % 10 + 1), "--owner", f"办事员{i}", "--json")
              for i in range(CLERKS)]
    results = [(p.wait(timeout=180), *p.communicate()) for p in clerks]
    for code, out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    issues = district.json("issue list")
    assert sorted(i["description"] for i in issues) == sorted(f"第{i}号问题：窗口办事拖沓" for i in range(CLERKS))
    seqs = defaultdict(list)
    for issue in issues:
        seqs[issue["unit"]].append(issue["seq"])
    for unit, got in seqs.items():  # 序号 per unit: no gap, no repeat
        assert sorted(got) == list(range(1, len(got) + 1)), unit
    assert procs.count(register_url, "change") == before + CLERKS  # one audited change each


def test_writer_waits_for_the_lock_then_succeeds(district, register_url):
    with write_lock_held(register_url):
        proc = procs.start(register_url, "issue", "add", "等锁的问题", "--unit", "杨村", "--area", "6", ZZ_BUSY_TIMEOUT=30)
        time.sleep(1.0)
        assert proc.poll() is None  # waiting, not failing
    code = proc.wait(timeout=60)
    assert code == 0, proc.communicate()[1]
    assert [i["description"] for i in district.json("issue list")] == ["等锁的问题"]


def test_lock_wait_is_bounded_with_a_clear_message(district, register_url):
    before = procs.snapshot(register_url)
    with write_lock_held(register_url):
        started = time.monotonic()
        result = procs.run(register_url, "issue", "add", "等不到锁", "--unit", "杨村", "--area", "6", ZZ_BUSY_TIMEOUT=1)
        waited = time.monotonic() - started
    assert result.returncode == 1
    assert "登记簿正被其他人写入" in result.stderr and "ZZ_BUSY_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert waited < 20
    assert procs.snapshot(register_url) == before


def test_readers_are_not_blocked_by_a_writer(district, register_url):
    district.ok("issue add 已有问题 --unit 杨村 --area 6")
    with write_lock_held(register_url):
        result = procs.run(register_url, "issue", "list", "--json", ZZ_BUSY_TIMEOUT=2)
    assert result.returncode == 0, result.stderr
    assert "已有问题" in result.stdout


def test_import_while_others_add_loses_nothing(district, register_url, tmp_path):
    from tests.workbooks import unit_workbook

    book = unit_workbook(tmp_path / "梅厂镇.xlsx", unit="梅厂镇", issues=200)
    importer = procs.start(register_url, "import", book, "--unit", "梅厂镇")
    clerks: list = []

    def add_some():
        for i in range(12):
            clerks.append(procs.run(register_url, "issue", "add", f"并发登记{i}", "--unit", "杨村", "--area", "3"))

    thread = threading.Thread(target=add_some)
    thread.start()
    code = importer.wait(timeout=300)
    thread.join(timeout=300)
    assert code == 0, importer.communicate()[1]
    for r in clerks:
        assert r.returncode == 0, r.stderr
    issues = district.json("issue list")
    assert sum(1 for i in issues if i["unit"] == "梅厂镇") == 200
    assert sorted(i["description"] for i in issues if i["unit"] == "杨村街道") == sorted(f"并发登记{i}" for i in range(12))
