"""zz log (who, when, what, before/after), zz undo, zz backup."""

import sqlite3
import threading

from conftest import sqlite_only
from zzcheck import refused


def test_log_records_operator_and_before_after(district):
    zz = district
    issue = zz.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--owner", "王明"],
                    env={"ZZ_OPERATOR": "督查室张华"})["id"]
    zz.ok(f"issue edit {issue} --owner 李强", env={"ZZ_OPERATOR": "杨村街道刘芳"})
    log = zz.json("log")
    edit, add = log[0], log[1]
    assert edit["operator"] == "杨村街道刘芳" and add["operator"] == "督查室张华"
    assert edit["command"].replace("'", "") == f"zz issue edit {issue} --owner 李强"
    row = next(r for r in edit["rows"] if r["table"] == "issue")
    assert (row["action"], row["before"], row["after"]) == ("update", {"owner": "王明"}, {"owner": "李强"})
    new = next(r for r in add["rows"] if r["table"] == "issue")
    assert new["action"] == "insert" and new["after"]["description"] == "窗口办事拖沓"
    assert all(set(entry) >= {"id", "at", "operator", "command", "rows"} for entry in log)
    assert "杨村街道刘芳" in zz.ok("log").stdout
    assert zz.json("log --since 2999-01-01") == []


def test_reads_write_nothing_to_the_log(district):
    before = len(district.json("log"))
    district.ok("unit list")
    district.ok("issue list")
    district.ok("phase")
    assert len(district.json("log")) == before


def test_undo_reverts_the_last_change(district):
    zz = district
    issue = zz.json(["issue", "add", "x", "--unit", "杨村", "--area", "6", "--owner", "王明"])["id"]
    zz.ok(f"issue edit {issue} --owner 李强")
    refused(zz, "undo", "--yes", status=2)
    assert zz.json(f"issue show {issue}")["owner"] == "李强"
    r = zz.ok("undo --yes")
    assert "将撤销改动" in r.stderr and "已撤销改动" in r.stdout
    assert zz.json(f"issue show {issue}")["owner"] == "王明"
    zz.ok("undo --yes")  # the add itself
    assert zz.json("issue list") == []
    log = zz.json("log")
    assert log[0]["undoes"] is not None and log[0]["summary"].startswith("撤销改动")


def test_undo_of_a_fix_step_restores_issue_status(district):
    zz = district
    issue = zz.json(["issue", "add", "x", "--unit", "杨村", "--area", "6"])["id"]
    fix = zz.json(f"fix add {issue} y --deadline 2017-06-30")["id"]
    zz.ok(f"fix done {fix}")
    assert zz.json(f"issue show {issue}")["status"] == "已整改"
    zz.ok("undo -y")
    assert zz.json(f"fix show {fix}")["status"] == "未开始"
    assert zz.json(f"issue show {issue}")["status"] == "未整改"
    assert zz.json(f"fix show {fix}")["events"] == []


def test_undo_with_nothing_to_undo(zz):
    zz.ok("init")
    refused(zz, "undo --yes", "没有可撤销的改动")


@sqlite_only()
def test_backup_is_a_consistent_copy(district, tmp_path):
    zz = district
    zz.ok(["issue", "add", "x", "--unit", "杨村", "--area", "6"])
    out = tmp_path / "备份" / "zz-2017-06-30.db"
    out.parent.mkdir()  # -o never creates folders
    r = zz.ok(["backup", "-o", str(out)])
    assert "已备份到" in r.stdout and out.exists()
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM issue").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM unit").fetchone()[0] == 5
    conn.close()
    # the backup is a register zz can open
    assert len(zz.json(["--db", str(out), "unit", "list"])) == 5


@sqlite_only()
def test_backup_while_another_clerk_writes(district, tmp_path):
    zz = district
    conn = sqlite3.connect(zz.db, timeout=30, check_same_thread=False, isolation_level=None)
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y') ON CONFLICT(key) DO UPDATE SET value = value || 'y'")
            conn.execute("COMMIT")

    t = threading.Thread(target=writer)
    t.start()
    try:
        for n in range(3):
            zz.ok(["backup", "-o", str(tmp_path / f"b{n}.db")])
    finally:
        stop.set()
        t.join()
        conn.close()
    for n in range(3):
        c = sqlite3.connect(tmp_path / f"b{n}.db")
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT count(*) FROM unit").fetchone()[0] == 5
        c.close()


def test_backup_needs_output(zz):
    refused(zz, "backup", "-o", status=2)


def test_log_names_supervision_tables_in_chinese(district):
    district.ok(["case", "add", "推行延时服务", "--kind", "正面", "--unit", "杨村", "--date", "2017-06-01"])
    out = district.ok(["log", "--limit", "1"]).stdout
    assert "新增典型案例 1" in out and "typical_case" not in out
