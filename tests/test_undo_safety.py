"""zz undo loses no one's work (issue #10): it is per operator, shows whose change it is, refuses
another's without --any, refuses a change later ones depend on, never frees an id for reuse; and
no message claims "nothing was written" after a commit."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests import procs
from tests.conftest import FIXTURES, backend, sqlite_only
from tests.workbooks import FIX_HEADERS, ISSUE_HEADERS, fix_rows, issue_rows, write_book
from tests.zzcheck import clean, refused

A = {"ZZ_OPERATOR": "督查室张华"}
B = {"ZZ_OPERATOR": "杨村街道刘芳"}


def add(zz, text: str, env: dict) -> int:
    return zz.json(["issue", "add", text, "--unit", "杨村", "--area", "6"], env=env)["id"]


def descriptions(zz) -> list[str]:
    return sorted(i["description"] for i in zz.json("issue list"))


def test_undo_reverts_only_the_operators_own_change(district):
    zz = district
    add(zz, "乙登记的问题", B)
    add(zz, "甲登记的问题", A)  # the register's last change is A's
    r = zz.ok("undo --yes", env=B)
    assert "杨村街道刘芳" in r.stderr and "乙登记的问题" in r.stderr  # whose change, and what, shown first
    assert descriptions(zz) == ["甲登记的问题"]  # A's work is untouched
    # B has nothing left to undo: A's change is not offered, and the message says how to take it
    refused(zz, "undo --yes", "没有操作人“杨村街道刘芳”可撤销的改动", "督查室张华", "--any", env=B)
    assert descriptions(zz) == ["甲登记的问题"]


def test_another_operators_change_needs_any_and_a_confirmation(district):
    zz = district
    add(zz, "甲登记的问题", A)
    refused(zz, "undo --any", "--any --yes", status=2, env=B)  # no terminal: never a prompt, never a guess
    r = zz.ok("undo --any --yes", env=B)
    assert "督查室张华" in r.stderr and "不是你" in r.stderr and "zz issue add" in r.stderr
    assert "已撤销改动" in r.stdout and "督查室张华" in r.stdout
    assert descriptions(zz) == []
    log = zz.json("log")
    assert log[0]["operator"] == "杨村街道刘芳" and log[0]["undoes"] == log[1]["id"]


def test_a_change_that_later_changes_depend_on_is_refused_with_their_list(district):
    zz = district
    issue = add(zz, "窗口办事拖沓", A)
    zz.ok(f"issue edit {issue} --owner 李强", env=B)
    edit = zz.json("log")[0]["id"]
    r = refused(zz, "undo --yes", f"#{edit}", "杨村街道刘芳", f"zz issue edit {issue} --owner 李强", env=A)
    assert "无法撤销" in r.stderr
    assert zz.json(f"issue show {issue}")["owner"] == "李强"
    zz.ok("undo --yes", env=B)  # B takes back the edit; then A's add may go
    zz.ok("undo --yes", env=A)
    assert zz.json("issue list") == []


def test_the_change_is_checked_again_inside_the_write_transaction(district):
    """What was shown is what is undone: if the operator made another change meanwhile, the undo
    of the shown one is refused (the domain call the command makes after the confirmation)."""
    from zhengzhi_cli import history
    from zhengzhi_cli.db import Settings, open_session
    from zhengzhi_cli.errors import Conflict

    zz = district
    add(zz, "第一条", A)
    with open_session(Settings(db=zz.db), write=False) as session:
        shown = history.last_undoable(session, operator=A["ZZ_OPERATOR"]).id
    add(zz, "第二条", A)  # while the clerk read the screen
    with pytest.raises(Conflict, match="新的改动"):
        with open_session(Settings(db=zz.db)) as session:
            history.undo(session, shown, operator=A["ZZ_OPERATOR"])
    assert descriptions(zz) == ["第一条", "第二条"]


def test_an_undone_records_id_is_never_given_again(district):
    zz = district
    first = add(zz, "会被撤销的问题", A)
    zz.ok("undo --yes", env=A)
    again = add(zz, "新登记的问题", A)
    assert again > first
    assert zz.json(f"issue show {again}")["description"] == "新登记的问题"
    # a unit too (any table undo deletes from)
    unit = zz.json("unit add 临时单位 --kind 街道", env=A)["id"]
    zz.ok("undo --yes", env=A)
    assert zz.json("unit add 另一个单位 --kind 街道", env=A)["id"] > unit


@sqlite_only()
def test_an_upgraded_register_never_reuses_an_id_either(tmp_path):
    from tests.conftest import Zz

    path = tmp_path / "v4.db"
    shutil.copyfile(FIXTURES / "register_v4.sqlite", path)
    zz = Zz(str(path))
    unit = zz.json("unit list")[0]["name"]
    first = zz.json(["issue", "add", "升级后登记", "--unit", unit, "--area", "1"], env=A)["id"]  # upgrades first
    zz.ok("undo --yes", env=A)
    assert zz.json(["issue", "add", "再登记", "--unit", unit, "--area", "1"], env=A)["id"] > first
    assert procs.sqlite_integrity(str(path)) == "ok"


def test_undo_of_a_reimport_restores_every_updated_row(district, tmp_path):
    """The set-based undo: an import that inserted some rows and updated others is reverted exactly."""
    zz = district
    write_book(tmp_path / "a.xlsx", unit="杨村街道", sheets={"问题清单": (ISSUE_HEADERS, issue_rows(30)),
                                                              "整改清单": (FIX_HEADERS, fix_rows(30))})
    zz.ok(["import", tmp_path / "a.xlsx"], env=A)
    before = zz.json("issue list"), zz.json("fix list")
    changed = issue_rows(40, prefix="改过的问题")
    write_book(tmp_path / "b.xlsx", unit="杨村街道", sheets={"问题清单": (ISSUE_HEADERS, changed),
                                                              "整改清单": (FIX_HEADERS, fix_rows(40))})
    zz.ok(["import", tmp_path / "b.xlsx"], env=A)
    assert len(zz.json("issue list")) == 40
    zz.ok("undo --yes", env=A)
    assert (zz.json("issue list"), zz.json("fix list")) == before


def zz_shell(register_url: str, tail: str, **env) -> subprocess.CompletedProcess:
    """`zz issue add … TAIL` through a shell, as a script would run it."""
    import shlex

    cmd = " ".join(shlex.quote(a) for a in [*procs.zz_argv(), "issue", "add", "脚本登记的问题", "--unit", "杨村", "--area", "6"])
    return subprocess.run(["bash", "-c", f"{cmd} {tail}"], env=procs.env_for(register_url, **env), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("tail", ["| head -c0; exit ${PIPESTATUS[0]}", "--json | head -c0; exit ${PIPESTATUS[0]}",
                                  ">&-", ">/dev/full"])
def test_a_lost_stdout_after_the_commit_says_what_was_written(district, register_url, tail):
    result = zz_shell(register_url, tail)
    assert "本次命令未写入任何数据" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, result.stderr
    change = district.json("log")[0]["id"]
    assert f"已写入：改动 #{change}" in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr  # done: a script that retries on failure would add it twice
    assert descriptions(district) == ["脚本登记的问题"]


def test_a_batch_import_whose_later_file_fails_says_what_was_written(district, tmp_path, monkeypatch):
    from zhengzhi_cli import workbook_import as transfer

    zz = district
    good = write_book(tmp_path / "1.xlsx", unit="杨村街道", sheets={"问题清单": (ISSUE_HEADERS, issue_rows(3))})
    bad = write_book(tmp_path / "2.xlsx", unit="梅厂镇", sheets={"问题清单": (ISSUE_HEADERS, issue_rows(3))})
    real = transfer.import_file

    def failing(session, path, **kw):
        if path.name == "2.xlsx":
            raise RuntimeError("磁盘故障")
        return real(session, path, **kw)

    monkeypatch.setattr(transfer, "import_file", failing)
    r = zz(["import", good, bad])
    assert r.exit_code == 1
    assert "本次命令未写入任何数据" not in r.stderr, r.stderr
    change = zz.json("log")[0]["id"]
    assert f"已写入：改动 #{change}" in r.stderr, r.stderr
    assert len(zz.json("issue list")) == 3


def test_an_interrupt_after_a_commit_says_what_was_written(district, tmp_path, monkeypatch):
    """Ctrl-C while a batch's second file is read: the first file landed, and "已中断" says so."""
    from zhengzhi_cli import workbook_import as transfer

    zz = district
    good = write_book(tmp_path / "1.xlsx", unit="杨村街道", sheets={"问题清单": (ISSUE_HEADERS, issue_rows(3))})
    other = write_book(tmp_path / "2.xlsx", unit="梅厂镇", sheets={"问题清单": (ISSUE_HEADERS, issue_rows(3))})
    real = transfer.import_file

    def interrupted(session, path, **kw):
        if path.name == "2.xlsx":
            raise KeyboardInterrupt
        return real(session, path, **kw)

    monkeypatch.setattr(transfer, "import_file", interrupted)
    r = zz(["import", good, other])
    assert r.exit_code == 130
    assert "未做任何改动" not in r.stderr and "已写入：改动 #" in r.stderr, r.stderr
    assert len(zz.json("issue list")) == 3


@pytest.mark.skipif(backend() != "sqlite", reason="the message is the same on both; one backend is enough")
def test_refusals_before_any_commit_still_say_nothing_was_written(district):
    r = district(["issue", "add", "x", "--unit", "不存在的单位", "--area", "6"])
    assert r.exit_code == 1 and "已写入" not in r.stderr
    clean(r)


def test_at_a_terminal_another_operators_change_is_confirmed_naming_them(district, monkeypatch):
    from zhengzhi_cli.cli import history as cli_history

    zz = district
    add(zz, "甲登记的问题", A)
    monkeypatch.setattr(cli_history, "interactive", lambda: True)
    r = zz("undo --any", input="n\n", env=B)
    assert r.exit_code == 1 and "这是 督查室张华 的改动，确认撤销？" in r.stderr and "未做任何改动" in r.stderr
    assert descriptions(zz) == ["甲登记的问题"]
    r = zz("undo --any", input="y\n", env=B)
    assert r.exit_code == 0, r.stderr
    assert descriptions(zz) == []


@sqlite_only()
def test_the_confirmation_waits_outside_any_write_transaction(district, monkeypatch):
    """While the clerk reads the question, other clerks can write (no lock is held)."""
    import sqlite3

    from zhengzhi_cli.cli import history as cli_history

    zz = district
    add(zz, "甲登记的问题", A)
    seen = []

    def confirm(question, **kw):
        other = sqlite3.connect(zz.db, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails with "database is locked" if undo holds the write lock
            other.execute("ROLLBACK")
            seen.append("free")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return True

    monkeypatch.setattr(cli_history, "interactive", lambda: True)
    monkeypatch.setattr(cli_history.typer, "confirm", confirm)
    zz.ok("undo", env=A)
    assert seen == ["free"]
    assert descriptions(zz) == []


def test_a_change_whose_new_record_a_later_change_points_at_is_refused_with_its_list(district):
    """乙 adds a fix to 甲's new issue without touching the issue row: 甲's add is still depended on."""
    zz = district
    issue = add(zz, "窗口办事拖沓", A)
    zz.ok(f"fix add {issue} 推行首问负责制 --deadline 2017-06-30", env=B)
    fix_add = zz.json("log")[0]["id"]
    r = refused(zz, "undo --yes", f"#{fix_add}", "杨村街道刘芳", f"zz fix add {issue}", env=A)
    assert "将撤销" not in r.stderr  # refused before anything is offered
    assert descriptions(zz) == ["窗口办事拖沓"]
