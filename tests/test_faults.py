"""Faults of the storage and hostile command lines (issue #10: Faults, CLI fuzz, Data loss).

A full disk, a read-only register, a path that cannot be a register, damaged pages, a
backup that is not exactly a register of this schema, a killed backup, an in-memory
register, an internal error that would quote names, and argv a fuzzer sends: each is said
in Chinese (exit 1 or 2), never as a traceback, an English driver message or row data,
and the register stays whole."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import procs
from tests.conftest import Zz, sqlite_only
from tests.zzcheck import CJK
from tests.zzcheck import said_no as refused


def _seed(zz: Zz) -> None:
    zz.ok("init")  # a register made on purpose: other commands refuse a missing file
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")


def _mount(*args) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


# ---- full disk ----

@sqlite_only()
def test_full_disk_is_refused_in_chinese_and_the_register_stays_whole(zz, register_url, monkeypatch):
    """SQLITE_FULL forced by capping the register at the pages it has (PRAGMA max_page_count)."""
    from sqlalchemy import event

    from zhengzhi_cli import db

    _seed(zz)
    before = procs.snapshot(register_url)
    make = db.make_engine

    def capped(url):
        engine = make(url)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn, _record):
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        return engine

    monkeypatch.setattr(db, "make_engine", capped)
    r = refused(zz(["issue", "add", "很长的问题" * 1900, "--unit", "杨村", "--area", "6", "--owner", "李四"]), "磁盘已满")
    assert "OperationalError" not in r.stderr and "database or disk is full" not in r.stderr
    monkeypatch.undo()
    assert procs.snapshot(register_url) == before
    assert procs.sqlite_integrity(register_url) == "ok"


@sqlite_only()
def test_full_disk_on_a_tiny_filesystem(tmp_path):
    place = tmp_path / "小盘"
    place.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(place)):
        pytest.skip("cannot mount a tmpfs here")
    try:
        zz = Zz(str(place / "zz.db"))
        _seed(zz)
        before = procs.snapshot(str(place / "zz.db"))
        filler = place / "填满"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        r = zz(["issue", "add", "很长的问题" * 20000, "--unit", "杨村", "--area", "6"])
        refused(r, "磁盘已满")
        filler.unlink()
        assert procs.snapshot(str(place / "zz.db")) == before
        assert procs.sqlite_integrity(place / "zz.db") == "ok"
        zz.ok("issue add 腾出空间后再登记 --unit 杨村 --area 6")
    finally:
        _umount(place)


@sqlite_only()
def test_backup_onto_a_full_disk(zz, register_url, tmp_path):
    _seed(zz)
    place = tmp_path / "小盘"
    place.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(place)):
        pytest.skip("cannot mount a tmpfs here")
    try:
        r = refused(zz(["backup", "-o", place / "备份.db"]), "磁盘已满", "备份文件")
        assert "登记簿未受影响" in r.stderr
        assert list(place.iterdir()) == []
    finally:
        _umount(place)
    assert procs.sqlite_integrity(register_url) == "ok"


# ---- read-only register ----

def _reads_work_writes_refused(zz: Zz, register: Path) -> None:
    assert [i["description"] for i in zz.json("issue list")] == ["窗口办事拖沓"]
    assert zz.json("fix list")[0]["task"] == "推行首问负责制"
    zz.ok("plan")
    zz.ok("db check")
    r = refused(zz("issue add 又一个问题 --unit 杨村 --area 6"), "只读")
    assert "readonly" not in r.stderr and "INSERT" not in r.stderr


@sqlite_only()
def test_read_only_register_reads_and_refuses_writes(zz, register_url, monkeypatch):
    """Not writable to this user (a 0444 file, a read-only directory): os.access says so. Tests
    run as root, whom 0444 does not stop, so the check is simulated at os.access."""
    _seed(zz)
    before = procs.snapshot(register_url)
    register = Path(register_url)
    real = os.access

    def access(path, mode, *a, **kw):
        if mode & os.W_OK and Path(path).resolve() in (register, register.parent):
            return False
        return real(path, mode, *a, **kw)

    monkeypatch.setattr(os, "access", access)
    _reads_work_writes_refused(zz, register)
    monkeypatch.undo()
    assert procs.snapshot(register_url) == before


@sqlite_only()
def test_register_on_a_read_only_mount(tmp_path):
    place = tmp_path / "只读"
    place.mkdir()
    if not _mount("--bind", str(place), str(place)):
        pytest.skip("cannot bind-mount here")
    try:
        zz = Zz(str(place / "zz.db"))
        _seed(zz)
        if not _mount("-o", "remount,ro,bind", str(place)):
            pytest.skip("cannot remount read-only here")
        _reads_work_writes_refused(zz, place / "zz.db")
        refused(zz(["backup", "-o", place / "备份.db"]))
    finally:
        _umount(place)


def _as_nobody(register: Path, *args) -> subprocess.CompletedProcess:
    import shutil
    import sys

    import zhengzhi_cli

    env = procs.env_for(str(register), HOME=str(register.parent),
                        PYTHONPATH=str(Path(zhengzhi_cli.__file__).resolve().parents[1]))
    argv = [shutil.which("setpriv") or "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            sys.executable, "-c", "from zhengzhi_cli.cli import main; main()", *map(str, args)]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          cwd=register.parent)


@sqlite_only()
@pytest.mark.parametrize("file_mode, dir_mode", [(0o444, 0o777), (0o644, 0o755), (0o444, 0o555)])
def test_read_only_register_for_a_user_who_may_not_write(file_mode, dir_mode):
    """The real thing, where tests run as root: the register read by `nobody` (setpriv)."""
    import shutil
    import tempfile

    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run zz as another user")
    place = Path(tempfile.mkdtemp(prefix="zz-ro-", dir="/tmp"))
    try:
        register = place / "zz.db"
        _seed(Zz(str(register)))
        os.chmod(register, file_mode)
        os.chmod(place, dir_mode)
        probe = _as_nobody(register, "--help")
        if probe.returncode != 0:
            pytest.skip(f"cannot run zz as nobody here: {probe.stderr[-300:]}")
        listed = _as_nobody(register, "issue", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert "窗口办事拖沓" in listed.stdout
        added = _as_nobody(register, "issue", "add", "又一个问题", "--unit", "杨村", "--area", "6")
        assert added.returncode == 1, added.stderr
        assert "只读" in added.stderr and "内部错误" not in added.stderr and "readonly" not in added.stderr
        assert procs.count(str(register), "issue") == 1
    finally:
        os.chmod(place, 0o755)
        shutil.rmtree(place, ignore_errors=True)


# ---- a path that cannot be a register ----

@sqlite_only()
def test_register_path_is_a_directory_or_below_a_file(tmp_path):
    folder = tmp_path / "目录"
    folder.mkdir()
    refused(Zz(str(folder))("issue list"), "是一个目录")
    refused(Zz(str(folder))("init"), "是一个目录")
    blocker = tmp_path / "文件"
    blocker.write_text("x")
    refused(Zz(str(blocker / "zz.db"))("unit add 杨村街道 --kind 街道"), "是一个文件")
    good = tmp_path / "备份.db"
    Zz(str(tmp_path / "zz.db")).ok("unit add 杨村街道 --kind 街道")
    Zz(str(tmp_path / "zz.db")).ok(["backup", "-o", good])
    refused(Zz(str(blocker / "zz.db"))(["restore", good, "--yes"]), "是一个文件")
    refused(Zz(str(folder))(["restore", good, "--yes"]), "是一个目录")
    refused(Zz(str(folder))(["backup", "-o", tmp_path / "b.db"]))
    assert blocker.read_text() == "x"


# ---- in-memory registers keep nothing ----

@pytest.mark.parametrize("where", [("--db", ":memory:"), ("ZZ_DB", "sqlite://"), ("ZZ_DB", "sqlite:///:memory:"),
                                   ("--db", "sqlite:///:memory:")])
def test_an_in_memory_register_is_refused(zz, where):
    option, value = where
    if option == "--db":
        r = zz(["--db", value, "unit", "add", "杨村街道", "--kind", "街道"])
    else:
        r = zz("unit add 杨村街道 --kind 街道", env={"ZZ_DB": value})
    refused(r, "内存", status=(1, 2))
    assert "已" not in r.stdout


# ---- damaged pages and a destroyed header ----

def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _damage_table(path: Path, table: str) -> None:
    """Overwrite the root page of a table with garbage, as a bad sector would."""
    _checkpoint(path)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(bytes([0x0D, 0xFF, 0xFF, 0xFF]) + os.urandom(page_size - 4))


@sqlite_only()
def test_damaged_pages_are_found_and_not_backed_up(zz, register_url, tmp_path):
    _seed(zz)
    good = tmp_path / "完好备份.db"
    zz.ok(["backup", "-o", good])
    check = zz.json("db check")
    assert check["ok"] and check["pages"] == [] and check["schema"] == []
    _damage_table(Path(register_url), "issue")

    r = refused(zz("db check"), "有问题", "zz restore")
    assert "数据页损坏" in r.stdout
    refused(zz("issue list"), "已损坏", "zz db check")
    out = tmp_path / "坏的备份.db"
    refused(zz(["backup", "-o", out]), "已损坏", "拒绝备份")
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".坏的备份")]

    zz.ok(["restore", good, "--yes"])  # a restore is the cure
    assert zz.json("db check")["ok"]
    assert [i["description"] for i in zz.json("issue list")] == ["窗口办事拖沓"]


@sqlite_only()
def test_destroyed_header(zz, register_url, tmp_path):
    _seed(zz)
    good = tmp_path / "完好备份.db"
    zz.ok(["backup", "-o", good])
    _checkpoint(Path(register_url))
    os.chmod(register_url, 0o664)
    with open(register_url, "r+b") as fh:
        fh.write(os.urandom(100))
    for args in ("issue list", "unit add 梅厂镇 --kind 镇", "db check", "report summary --json"):
        r = refused(zz(args))
        assert "不是可用的数据库文件" in r.stderr and "file is not a database" not in r.stderr, r.stderr
    refused(zz(["backup", "-o", tmp_path / "x.db"]), "不是可用的数据库文件")
    zz.ok(["restore", good, "--yes"])
    assert [i["description"] for i in zz.json("issue list")] == ["窗口办事拖沓"]
    assert os.stat(register_url).st_mode & 0o777 == 0o664  # replaced, with the same permissions


def test_db_check_on_a_sound_register(zz):
    _seed(zz)
    r = zz.ok("db check")
    assert "完好" in r.stdout
    data = zz.json("db check")
    assert data["ok"] is True and data["foreign_keys"] == [] and data["schema"] == []


@sqlite_only()
def test_db_check_finds_broken_foreign_keys_and_foreign_objects(zz, register_url):
    _seed(zz)
    conn = sqlite3.connect(register_url)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE fix SET issue_id = 999")
    conn.execute("CREATE VIEW names AS SELECT owner FROM issue")
    conn.commit()
    conn.close()
    r = refused(zz("db check"))
    assert "外键" in r.stdout and "视图" in r.stdout


# ---- restore takes only a register of exactly this schema ----

def _backup_with(zz: Zz, tmp_path: Path, name: str, *sql: str) -> Path:
    out = tmp_path / name
    zz.ok(["backup", "-o", out])
    conn = sqlite3.connect(out)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return out


@sqlite_only()
@pytest.mark.parametrize("sql, word", [
    (["CREATE TRIGGER wipe AFTER INSERT ON issue BEGIN DELETE FROM change_row; DELETE FROM change; END"], "触发器"),
    (["CREATE TRIGGER leak AFTER INSERT ON fix BEGIN UPDATE fix SET task = task || (SELECT owner FROM issue"
      " WHERE issue.id = NEW.issue_id) WHERE id = NEW.id; END"], "触发器"),
    (["CREATE TRIGGER block BEFORE INSERT ON issue BEGIN SELECT RAISE(ABORT, 'no'); END"], "触发器"),
    (["CREATE VIEW everyone AS SELECT owner, leader FROM issue"], "视图"),
    (["CREATE TABLE extra (x)"], "多余的表"),
    (["ALTER TABLE issue ADD COLUMN secret TEXT"], "多余的列"),
    (["CREATE INDEX ix_extra ON issue (owner)"], "多余的索引"),
    (["DROP INDEX ix_issue_found_unit"], "缺少索引"),
])
def test_restore_refuses_a_backup_that_is_not_exactly_a_register(zz, register_url, tmp_path, sql, word):
    _seed(zz)
    bad = _backup_with(zz, tmp_path, "改过的备份.db", *sql)
    zz.ok("issue add 备份之后的问题 --unit 杨村 --area 6")
    before = procs.snapshot(register_url)
    refused(zz(["restore", bad, "--yes"]), word, "拒绝恢复")
    assert procs.snapshot(register_url) == before
    zz.ok("issue add 还能写 --unit 杨村 --area 6")
    assert [c for c in zz.json("log") if "还能写" in c["command"]]


@sqlite_only()
@pytest.mark.parametrize("version", ["5", "1"])
def test_restore_refuses_a_backup_holding_only_the_meta_table(zz, register_url, tmp_path, version):
    _seed(zz)
    bad = tmp_path / "只有meta.db"
    conn = sqlite3.connect(bad)
    conn.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?), ('app', 'zz')", (version,))
    conn.commit()
    conn.close()
    before = procs.snapshot(register_url)
    refused(zz(["restore", bad, "--yes"]), "只有meta.db")
    assert procs.snapshot(register_url) == before
    zz.ok("issue add 还能写 --unit 杨村 --area 6")


@sqlite_only()
def test_restore_refuses_a_damaged_backup(zz, register_url, tmp_path):
    _seed(zz)
    bad = tmp_path / "坏备份.db"
    zz.ok(["backup", "-o", bad])
    _damage_table(bad, "issue")
    before = procs.snapshot(register_url)
    refused(zz(["restore", bad, "--yes"]), "已损坏")
    assert procs.snapshot(register_url) == before


@sqlite_only()
def test_an_older_backup_with_a_trigger_is_refused_after_its_upgrade(zz, register_url, tmp_path):
    from tests.conftest import FIXTURES

    _seed(zz)
    old = tmp_path / "旧备份.db"
    old.write_bytes((FIXTURES / "register_v1.sqlite").read_bytes())
    conn = sqlite3.connect(old)
    conn.execute("CREATE TRIGGER wipe AFTER INSERT ON issue BEGIN DELETE FROM change_row; END")
    conn.commit()
    conn.close()
    before = procs.snapshot(register_url)
    refused(zz(["restore", old, "--yes"]), "触发器")
    assert procs.snapshot(register_url) == before
    assert not [p for p in Path(register_url).parent.iterdir() if p.name.endswith(".tmp")]


# ---- a killed backup leaves nothing behind for long ----

@sqlite_only()
def test_a_killed_backup_is_cleaned_up_by_the_next(zz, register_url, tmp_path):
    _seed(zz)
    folder = tmp_path / "备份"
    folder.mkdir()
    for _ in range(3):
        procs.kill_at(register_url, "backup", "backup", "-o", folder / "zz.db", tmp=tmp_path)
    left = sorted(p.name for p in folder.iterdir())
    assert left and all(".tmp" in n for n in left), left
    r = procs.run(register_url, "backup", "-o", folder / "zz.db")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["zz.db"]


def test_stale_temps_of_another_live_process_are_kept(tmp_path):
    from zhengzhi_cli.history import remove_stale_temps

    live = subprocess.Popen(["sleep", "30"])
    try:
        mine = tmp_path / f".zz.db.zz{live.pid}-abc123.tmp"
        mine.write_bytes(b"x")
        gone = tmp_path / ".zz.db.zz999999999-abc123.tmp-wal"
        gone.write_bytes(b"x")
        other = tmp_path / "别人的.tmp"
        other.write_bytes(b"x")
        fresh_legacy = tmp_path / ".zz.db.k3j4h5g6.tmp"  # named as before the pid was in the name
        fresh_legacy.write_bytes(b"x")
        old_legacy = tmp_path / ".zz.db.a1b2c3d4.tmp-shm"
        old_legacy.write_bytes(b"x")
        os.utime(old_legacy, (1, 1))
        assert sorted(remove_stale_temps(tmp_path)) == sorted([gone, old_legacy])
        assert mine.exists() and other.exists() and fresh_legacy.exists()
    finally:
        live.kill()
        live.wait()


# ---- an internal error never prints row data ----

def test_an_internal_error_prints_no_names(zz, monkeypatch):
    import sqlalchemy as sa

    from zhengzhi_cli import issues

    _seed(zz)

    def broken(*a, **kw):
        raise sa.exc.IntegrityError("INSERT INTO issue (owner, leader) VALUES (?, ?)", ("王明", "李副区长"),
                                    Exception("UNIQUE constraint failed: issue.owner 王明"))

    monkeypatch.setattr(issues, "add", broken)
    r = zz("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明")
    assert r.exit_code == 1
    assert "内部错误" in r.stderr and "zz issue add" in r.stderr and "ZZ_DEBUG=1" in r.stderr
    for secret in ("王明", "李副区长", "INSERT", "UNIQUE", "窗口办事拖沓"):
        assert secret not in r.stderr + r.stdout, r.stderr
    with pytest.raises(sa.exc.IntegrityError):
        zz("issue add 窗口办事拖沓 --unit 杨村 --area 6", env={"ZZ_DEBUG": "1"})


# ---- the command line a fuzzer (or a GBK terminal) sends ----

BIG = "9" * 5000


@pytest.mark.parametrize("argv", [
    ["unit", "show", "\udcb2\udcbb"],
    ["issue", "add", "窗口\udcb2", "--unit", "杨村", "--area", "6"],
    ["issue", "list", "--unit", "\udcd1\udcee\udcb4\udce5"],
    ["issue", "add", "窗口", "--unit", "杨村", "--area", BIG],
    ["issue", "add", "窗口", "--unit", "杨村", "--area", "6", "--check", BIG],
    ["issue", "add", "窗口", "--unit", "杨村", "--area", "²"],
    ["check", "add", "--unit", "杨村", "--item", BIG, "--date", "2017-05-01"],
    ["check", "add", "--unit", "杨村", "--item", " ", "--date", "2017-05-01"],
    ["report", "summary", "--as-of", "9999-12-31", "--json"],
    ["report", "summary", "--as-of", "9999-12-31", "-o", "总结.xlsx"],
    ["report", "summary", "--as-of", "2200-01-01", "--json"],
    ["issue", "list", "--as-of", "0001-01-01"],
])
def test_hostile_argv_is_a_chinese_refusal(zz, register_url, argv):
    _seed(zz)
    before = procs.snapshot(register_url)
    refused(zz(argv), status=(1, 2))
    assert procs.snapshot(register_url) == before


def test_far_dates_within_bounds_still_work(zz):
    _seed(zz)
    assert zz.json("issue list --as-of 2100-12-31")[0]["status"] == "未整改"
    assert zz.json("plan --as-of 1900-01-01")["current_phase"] is None
    assert zz.json("log --since 2999-01-01") == []


HOSTILE = st.one_of(
    st.just(BIG), st.just("-" + BIG), st.sampled_from([" ", "\t", "　", "", "\x00", "\udcb2", "\udcb2\udcbb", "²", "٣",
                                                       "9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01",
                                                       "9999年12月31日", "99999-01-01", "2017-06-31", "１" * 30]),
    st.text(alphabet=st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF), min_size=1, max_size=4),
    st.integers(min_value=10**18, max_value=10**60).map(str),
)
COMMANDS = [
    ("issue add", ["窗口办事拖沓"], ["--unit", "--area", "--check", "--found", "--owner"]),
    ("issue list", [], ["--unit", "--area", "--as-of", "--limit"]),
    ("issue show", ["1"], []),
    ("fix add", ["1", "任务"], ["--deadline", "--owner"]),
    ("fix extend", ["1"], ["--to", "--approver", "--reason", "--date"]),
    ("fix list", [], ["--as-of", "--limit", "--status"]),
    ("check add", [], ["--unit", "--item", "--date"]),
    ("rule add", ["窗口服务规范"], ["--unit", "--action", "--due", "--issue"]),
    ("opinion add", ["办事慢"], ["--unit", "--channel", "--from", "--count"]),
    ("report summary", [], ["--as-of"]),
    ("phase", [], ["--as-of", "--unit"]),
    ("plan", [], ["--as-of"]),
    ("log", [], ["--since", "--limit"]),
    ("unit show", ["杨村"], []),
]
VALID = {"--unit": "杨村", "--area": "6", "--check": "1", "--found": "2017-04-01", "--owner": "王", "--as-of": "2017-06-20",
         "--limit": "5", "--deadline": "2017-06-30", "--to": "2017-09-30", "--approver": "李", "--reason": "需协调",
         "--date": "2017-06-20", "--status": "整改中", "--item": "1", "--action": "立", "--due": "2017-08-01", "--issue": "1",
         "--channel": "座谈会", "--from": "服务对象", "--count": "3", "--since": "2017-01-01"}


@settings(max_examples=int(os.environ.get("ZZ_FUZZ_EXAMPLES", "40")), deadline=None, database=None,
          derandomize=bool(os.environ.get("CI")), suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_at_a_dozen_commands(zz, data):
    if not getattr(zz, "_seeded", False):
        _seed(zz)
        zz._seeded = True
    name, args, options = data.draw(st.sampled_from(COMMANDS), label="command")
    argv = name.split() + [data.draw(HOSTILE, label="arg") if data.draw(st.booleans()) else a for a in args]
    hostile = data.draw(st.sets(st.sampled_from(options), min_size=1, max_size=len(options)) if options else st.just(set()))
    for opt in options:
        argv += [opt, data.draw(HOSTILE, label=opt) if opt in hostile else VALID[opt]]
    if name == "report summary":
        argv.append("--json")
    r = zz(argv)
    said = r.stdout + r.stderr
    assert r.exit_code in (0, 1, 2), (argv[:6], r.exit_code, said[-1500:])
    assert "Traceback" not in said and "内部错误" not in said, (argv[:6], said[-1500:])
    if r.exit_code:
        assert re.search(r"^zz: (用法)?错误：", r.stderr, re.M) and CJK.search(r.stderr), (argv[:6], r.stderr[-1500:])
