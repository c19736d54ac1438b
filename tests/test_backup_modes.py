"""`zz backup`: the file it makes is readable like every other output (0644, or the mode of the
file it replaces; it was 0600), and a disk that fills up on the way — while the register is
copied, or while its evidence store is — leaves a Chinese refusal, no partial file, the old
backup (with --force) as it was, and the register untouched. On PostgreSQL the same tests drive
the logical backup (a snapshot copied into a SQLite file).
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import procs
from tests.zzcheck import refused


def _seed(zz) -> None:
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB tmpfs (root only): skipped cleanly where it cannot be mounted."""
    place = tmp_path / "小盘"
    place.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(place)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield place
    finally:
        subprocess.run(["umount", "-l", str(place)], capture_output=True)


def _bloat(register_url: str, size: int) -> None:
    """Make the register bigger than the tiny disk: a long note on the issue (through SQL, so
    that no text rule trims it)."""
    engine = sa.create_engine(procs.sa_url(register_url))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE issue SET note = :n"), {"n": os.urandom(size // 2).hex()})
    engine.dispose()


# ---- modes ----

def test_a_backup_is_created_0644(zz, tmp_path):
    _seed(zz)
    os.umask(0o022)
    zz.ok(["backup", "-o", tmp_path / "备份.db"])
    assert _mode(tmp_path / "备份.db") == 0o644


def test_a_backup_keeps_the_mode_of_the_file_it_replaces(zz, tmp_path):
    _seed(zz)
    old = tmp_path / "备份.db"
    zz.ok(["backup", "-o", old])
    os.chmod(old, 0o640)
    zz.ok(["issue", "add", "新问题", "--unit", "杨村", "--area", "6"])
    zz.ok(["backup", "-o", old, "--force"])
    assert _mode(old) == 0o640
    restored = procs.snapshot(procs.sa_url(str(old)))
    assert len(restored["issue"]) == 2  # and it is the new backup


def test_the_logical_backup_is_0644_too(zz, register_url, tmp_path):
    """The PostgreSQL path (history.backup_logical) driven on either backend."""
    from zhengzhi_cli import history
    from zhengzhi_cli.db import make_engine

    _seed(zz)
    engine = make_engine(procs.sa_url(register_url) if "://" not in register_url else register_url)
    try:
        result = history.backup_logical(engine, tmp_path / "逻辑备份.db")
    finally:
        engine.dispose()
    assert result["rows"] > 0
    assert _mode(tmp_path / "逻辑备份.db") == 0o644


# ---- a full disk ----

def test_backup_onto_a_full_disk_leaves_nothing_and_keeps_the_old_backup(zz, register_url, tiny_disk):
    _seed(zz)
    old = tiny_disk / "备份.db"
    zz.ok(["backup", "-o", old])
    old_bytes = old.read_bytes()
    _bloat(register_url, 1_500_000)
    before = procs.snapshot(register_url)
    r = refused(zz, ["backup", "-o", old, "--force"], "磁盘已满", "登记簿未受影响")
    assert "No space" not in r.stderr and "OperationalError" not in r.stderr
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["备份.db"]  # no temp file, no -journal
    assert old.read_bytes() == old_bytes  # the backup that was there is whole
    assert procs.snapshot(register_url) == before
    r = refused(zz, ["backup", "-o", tiny_disk / "新备份.db"], "磁盘已满")
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["备份.db"]


def test_backup_whose_evidence_does_not_fit_is_refused_whole(zz, register_url, tiny_disk, tmp_path, monkeypatch):
    """The register fits, its evidence store does not: before, the backup file stayed (0600) with
    an empty evidence folder beside it, and the message quoted “No space left on device”."""
    monkeypatch.setenv("ZZ_EVIDENCE_DIR", str(tmp_path / "佐证材料库"))
    _seed(zz)
    photo = tmp_path / "整改后.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(1_200_000))
    zz.ok(["evidence", "add", "1", photo])
    before = procs.snapshot(register_url)
    r = refused(zz, ["backup", "-o", tiny_disk / "备份.db"], "磁盘已满", "登记簿未受影响")
    assert "No space" not in r.stderr and "未能存入佐证材料库" not in r.stderr, r.stderr
    assert not (tiny_disk / "备份.db").exists()
    left = [p for p in tiny_disk.rglob("*") if p.is_file()]
    assert left == [], left  # nothing half-copied
    assert procs.snapshot(register_url) == before


def test_the_logical_backup_onto_a_full_disk(zz, register_url, tiny_disk):
    """The PostgreSQL path, driven on either backend: SQLITE_FULL while the rows are copied into
    the backup file is the same Chinese refusal, and nothing is left behind."""
    from zhengzhi_cli import history
    from zhengzhi_cli.db import make_engine
    from zhengzhi_cli.errors import Invalid

    _seed(zz)
    _bloat(register_url, 1_500_000)
    engine = make_engine(procs.sa_url(register_url) if "://" not in register_url else register_url)
    try:
        with pytest.raises(Invalid) as refused_:
            history.backup_logical(engine, tiny_disk / "逻辑备份.db")
    finally:
        engine.dispose()
    assert "磁盘已满" in refused_.value.message and "登记簿未受影响" in refused_.value.message
    assert list(tiny_disk.iterdir()) == []
