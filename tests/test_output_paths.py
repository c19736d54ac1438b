"""Issue #10 “Nothing lost”: every `-o` is checked before any work and written atomically.

Refused (exit 1, Chinese, nothing written): the register itself and its -wal/-shm/-journal (also
through a symlink or a hard link), devices/FIFOs, folders, '', '.', '..', a missing folder, a suffix
that does not match, an existing file without --force, a read-only file. Written: through a
scratch folder beside the target, fsync, os.replace; the replaced file's mode is kept, else 0644;
a failure (disk full) leaves the old file and no scratch files.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
from pathlib import Path

import pytest

from tests.conftest import sqlite_only
from tests.zzcheck import clean, refused

# name → (the command before -o, the suffix it writes, what a written file starts with)
COMMANDS = {
    "export ledger": (["export", "ledger"], ".xlsx", b"PK"),
    "template": (["template"], ".xlsx", b"PK"),
    "report monthly": (["report", "monthly", "--month", "2017-07", "--as-of", "2017-07-31"], ".xlsx", b"PK"),
    "report phases": (["report", "phases", "--as-of", "2017-07-31"], ".xlsx", b"PK"),
    "report summary": (["report", "summary", "--as-of", "2017-07-31"], ".xlsx", b"PK"),
    "report public": (["report", "public", "--as-of", "2017-07-31"], ".xlsx", b"PK"),
    "bulletin": (["bulletin", "--month", "2017-07", "--date", "2017-08-03"], ".xlsx", b"PK"),
    "bulletin md": (["bulletin", "--month", "2017-07", "--date", "2017-08-03"], ".md", "# ".encode()),
    "inspect report": (["inspect", "report", "--month", "2017-07"], ".xlsx", b"PK"),
    "inspect report md": (["inspect", "report", "--month", "2017-07"], ".md", b"#"),
    "backup": (["backup"], ".db", b"SQLite format 3\x00"),
}
# the backup's own write (mode, disk full) is history.py's, not this module's
WRITERS = [name for name in COMMANDS if name != "backup"]


@pytest.fixture
def july(district):
    """Something in every output for 2017-07: an issue with a fix, an accountability, an inspection."""
    zz = district
    issue = zz.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--found", "2017-07-01"])["id"]
    zz.ok(f"fix add {issue} 推行首问负责 --deadline 2017-07-20")
    zz.ok(["accountability", "add", "王明", "--unit", "杨村", "--measure", "通报批评", "--date", "2017-07-21"])
    zz.ok("inspect add --unit 杨村 --kind 明察暗访 --date 2017-07-12")
    return zz


@pytest.fixture
def reg(zz):
    """A register with one unit: enough for a refusal, which comes before any work."""
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    return zz


def _run(zz, name, out, *extra):
    argv, _, _ = COMMANDS[name]
    return zz([*argv, "-o", str(out), *extra])


def _refused(zz, name, out, *needles, force=False):
    argv, _, _ = COMMANDS[name]
    return refused(zz, [*argv, "-o", str(out), *(["--force"] if force else [])], *needles)


def _listing(folder: Path) -> dict:
    """Every file under a folder with its bytes and mode: a refused or failed write changes none."""
    return {p.relative_to(folder): (p.read_bytes() if p.is_file() else None, stat.S_IMODE(p.lstat().st_mode))
            for p in sorted(folder.rglob("*")) if p.name != "zz.db" and not p.name.startswith("zz.db-")}


@sqlite_only()
@pytest.mark.parametrize("name", COMMANDS)
def test_the_register_itself_is_refused(reg, tmp_path, name):
    zz = reg
    db = Path(zz.db)
    _, suffix, _ = COMMANDS[name]
    (tmp_path / f"link{suffix}").symlink_to(db)
    os.link(db, tmp_path / f"hard{suffix}")
    for target in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal"), tmp_path / f"link{suffix}",
                   tmp_path / f"hard{suffix}"):
        for force in (False, True):
            r = _refused(zz, name, target, "登记簿", "未写入", force=force)
            assert str(target.name) in r.stderr
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"
    for part in ("-wal", "-shm", "-journal"):
        side = Path(f"{db}{part}")
        assert not side.exists() or not side.read_bytes().startswith(b"PK")
    assert len(zz.json("unit list")) == 1  # the register is still whole


@pytest.mark.parametrize("name", COMMANDS)
def test_devices_and_fifos_are_refused(reg, tmp_path, name):
    zz = reg
    _, suffix, _ = COMMANDS[name]
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    _refused(zz, name, fifo, "特殊文件")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    if os.geteuid() == 0:  # a null device node of our own, never the machine's /dev/null
        node = tmp_path / f"null{suffix}"
        try:
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except OSError:
            return
        _refused(zz, name, node, "特殊文件")
        assert stat.S_ISCHR(os.lstat(node).st_mode)


@pytest.mark.parametrize("name", COMMANDS)
def test_folders_and_non_names_are_refused(reg, tmp_path, name):
    zz = reg
    _, suffix, _ = COMMANDS[name]
    folder = tmp_path / f"文件夹{suffix}"
    folder.mkdir()
    before = _listing(tmp_path)
    _refused(zz, name, folder, "是文件夹")
    for target in ("", ".", "..", "sub/.."):
        _refused(zz, name, target, "不是文件名")
    assert _listing(tmp_path) == before


@pytest.mark.parametrize("name", COMMANDS)
def test_a_missing_folder_is_refused_not_created(reg, tmp_path, name):
    zz = reg
    _, suffix, _ = COMMANDS[name]
    _refused(zz, name, tmp_path / "无此文件夹" / f"x{suffix}", "无此文件夹", "不存在")
    assert not (tmp_path / "无此文件夹").exists()


@pytest.mark.parametrize("name", COMMANDS)
def test_a_suffix_that_does_not_match_is_refused(reg, tmp_path, name):
    zz = reg
    _, suffix, _ = COMMANDS[name]
    _refused(zz, name, tmp_path / "x.json", "x.json", "扩展名", suffix)
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("name", COMMANDS)
def test_an_existing_file_is_replaced_only_with_force_keeping_its_mode(july, tmp_path, name):
    zz = july
    _, suffix, magic = COMMANDS[name]
    out = tmp_path / f"已有{suffix}"
    out.write_bytes(b"old contents")
    out.chmod(0o640)
    _refused(zz, name, out, "已存在", "--force")
    assert out.read_bytes() == b"old contents" and stat.S_IMODE(out.stat().st_mode) == 0o640
    r = _run(zz, name, out, "--force")
    assert r.exit_code == 0, r.stderr
    clean(r)
    assert out.read_bytes().startswith(magic)
    if name != "backup":
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no scratch left


@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_file_is_never_replaced(reg, tmp_path, name):
    zz = reg
    _, suffix, _ = COMMANDS[name]
    out = tmp_path / f"只读{suffix}"
    out.write_bytes(b"keep me")
    out.chmod(0o444)
    for force in (False, True):
        _refused(zz, name, out, "只读", force=force)
    assert out.read_bytes() == b"keep me" and stat.S_IMODE(out.stat().st_mode) == 0o444


@pytest.fixture
def strict_umask():
    old = os.umask(0o077)
    yield
    os.umask(old)


@pytest.mark.parametrize("name", WRITERS)
def test_a_new_file_is_0644(july, tmp_path, name, strict_umask):
    """公示、通报、督查反馈 and every other report is for sharing: 0644, whatever the umask."""
    zz = july
    _, suffix, magic = COMMANDS[name]
    out = tmp_path / f"新{suffix}"
    r = _run(zz, name, out)
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes().startswith(magic)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("name", WRITERS)
def test_a_failed_replace_leaves_the_old_file_and_no_temp_files(july, tmp_path, name, monkeypatch):
    zz = july
    _, suffix, _ = COMMANDS[name]
    out = tmp_path / f"旧{suffix}"
    out.write_bytes(b"old contents")
    before = _listing(tmp_path)
    monkeypatch.setattr(os, "replace", _no_space)
    _refused(zz, name, out, "磁盘空间不足", force=True)
    monkeypatch.undo()
    assert _listing(tmp_path) == before
    if name.startswith("bulletin"):
        assert zz.json("bulletin --list") == []  # no number taken for a bulletin that was not written


@pytest.mark.parametrize("name", WRITERS)
def test_a_disk_that_fills_midway_leaves_no_scratch_files(july, tmp_path, name, monkeypatch):
    """Disk full while the file is being written: no 0-byte or partial files anywhere in the folder."""
    zz = july
    _, suffix, _ = COMMANDS[name]
    out = tmp_path / "out" / f"报表{suffix}"
    out.parent.mkdir()
    before = _listing(tmp_path)
    if suffix == ".xlsx":
        monkeypatch.setattr(zipfile.ZipFile, "write", _no_space)
    else:
        monkeypatch.setattr(Path, "write_text", _no_space)
    _refused(zz, name, out, "磁盘空间不足")
    monkeypatch.undo()
    assert _listing(tmp_path) == before
    assert list(out.parent.iterdir()) == []


def test_unwritable_folder_is_refused_in_chinese(reg, tmp_path, monkeypatch):
    """A folder the clerk may not write to (simulated: root may write anywhere)."""
    import tempfile

    zz = reg

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    _refused(zz, "template", tmp_path / "模板.xlsx", "没有写入权限")
    monkeypatch.undo()
    assert not (tmp_path / "模板.xlsx").exists()


def test_force_writes_through_a_symlink_and_keeps_it(reg, tmp_path):
    zz = reg
    real = tmp_path / "真实.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "链接.xlsx"
    link.symlink_to(real)
    r = _run(zz, "template", link, "--force")
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and real.read_bytes().startswith(b"PK")
