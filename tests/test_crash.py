"""Crash safety: a process killed with SIGKILL (power cut, kill -9) in the middle of a command
leaves the register exactly as before, and usable; an export killed midway never leaves a
truncated file in place of the previous one.

The kill is made deterministic by tests/paused_zz.py, which stops zz at a named point through its own seams:
the process stops at POINT — every row written, the transaction not yet committed — writes
MARKER, and is killed there. Migrations are covered in test_upgrade.py."""

from __future__ import annotations

import signal
import time

import pytest

from tests import procs
from tests.conftest import backend


def _usable(register_url: str, tmp_path) -> None:
    if backend() == "sqlite":
        assert procs.sqlite_integrity(register_url) == "ok"
    result = procs.run(register_url, "issue", "add", "断电后继续登记", "--unit", "杨村", "--area", "6")
    assert result.returncode == 0, result.stderr


def test_kill_before_commit_leaves_register_as_before(district, register_url, tmp_path):
    district.ok("issue add 已有问题 --unit 杨村 --area 6")
    district.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")
    before = procs.snapshot(register_url)
    for args in (["issue", "add", "写到一半", "--unit", "杨村", "--area", "6"],
                 ["fix", "done", "1", "--date", "2017-06-20"],
                 ["unit", "add", "新单位", "--kind", "镇"]):
        procs.kill_at(register_url, "commit", *args, tmp=tmp_path)
        assert procs.snapshot(register_url) == before, args
    _usable(register_url, tmp_path)


@pytest.fixture
def big_import(district, tmp_path):
    from tests.workbooks import unit_workbook

    return unit_workbook(tmp_path / "杨村街道.xlsx", unit="杨村街道", issues=3000)


def test_kill_during_a_large_import(big_import, district, register_url, tmp_path):
    district.ok("issue add 已有问题 --unit 梅厂 --area 6")
    before = procs.snapshot(register_url)
    procs.kill_at(register_url, "commit", "import", big_import, "--unit", "杨村街道", tmp=tmp_path, timeout=240)
    assert procs.snapshot(register_url) == before
    _usable(register_url, tmp_path)
    # killed at a moment not chosen by the program either: a fraction of a second into the import
    pre = district.json("issue list --unit 杨村街道")
    proc = procs.start(register_url, "import", big_import, "--unit", "杨村街道")
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()
    post = district.json("issue list --unit 杨村街道")
    seqs = {i["seq"] for i in post}
    # the import (序号 1–3000, updating the clerk's issue at 序号 1) landed wholly or not at all
    assert post == pre or (len(post) == 3000 and seqs == set(range(1, 3001))), (len(pre), len(post))
    if backend() == "sqlite":
        assert procs.sqlite_integrity(register_url) == "ok"


def test_killed_export_never_replaces_the_previous_file(district, register_url, tmp_path):
    for i in range(10):
        district.ok(["issue", "add", f"问题{i}", "--unit", "杨村", "--area", str(i % 10 + 1)])
    out = tmp_path / "台账.xlsx"
    first = procs.run(register_url, "export", "ledger", "-o", out)
    assert first.returncode == 0, first.stderr
    previous = out.read_bytes()
    district.ok("issue add 导出之后新增 --unit 杨村 --area 6")
    before = procs.snapshot(register_url)
    proc = procs.start(register_url, "export", "ledger", "-o", out, "--force")
    # the writer makes its temporary file first and fills it: kill as soon as it appears
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".台账.xlsx.")]:
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()
    data = out.read_bytes()
    assert data == previous or _complete_xlsx(out)  # never a truncated file in its place
    assert procs.snapshot(register_url) == before
    # and the next export goes through
    again = procs.run(register_url, "export", "ledger", "-o", out, "--force")
    assert again.returncode == 0, again.stderr
    assert _complete_xlsx(out)


def _complete_xlsx(path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None and "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False
