"""The clerk's pace: the entry loop checks each answer as it is typed, offers candidates by number,
keeps what was typed; Ctrl-C drops one entry, Ctrl-D ends; no prompt holds the write lock."""

import os
import signal
import time

import pytest

from conftest import sqlite_only


def _first_fields(t, unit="杨村", text="窗口办事拖沓", area="6"):
    t.expect("单位")
    t.send(unit)
    t.expect("问题描述:")
    t.send(text)
    t.expect("整治重点:")
    t.send(area)


@sqlite_only()
def test_a_refused_answer_reasks_only_that_field_with_numbered_candidates(district, terminal):
    t = terminal("issue", "add")
    t.expect("单位:")
    t.send("街道")  # ambiguous: 杨村街道、下朱庄街道
    t.expect("可选（填序号或名称）：")
    t.expect("单位 [街道]:")  # what was typed kept as the default
    t.send("2")
    t.expect("问题描述:")
    t.send("窗口办事拖沓")
    t.expect("整治重点:")
    t.send("11")  # no such area: asked again, the unit and the text are kept
    t.expect("可选（填序号或名称）：")
    t.expect("整治重点 [11]:")
    t.send("6")
    t.expect("问题来源 [自查]:")
    t.send("群众")  # a unique part: 群众投诉
    t.expect("四查四看（可空）:")
    t.send("9")
    t.expect("四查四看（可空） [9]:")
    t.send("3")
    t.expect("发现日期 [")
    t.send("2017-05-04")
    t.expect("责任人:")
    t.send("王明")
    t.expect("已登记问题 #1（下朱庄街道 · 效能意识 · 群众投诉）")
    t.expect("单位 [下朱庄街道]:")
    t.send("")
    t.expect("问题描述:")
    t.send("文件办理超时")
    t.expect("整治重点:")
    t.send("效能")
    t.expect("问题来源 [自查]:")
    t.send("")
    t.expect("四查四看（可空）:")
    t.send("")
    t.expect("发现日期 [2017-05-04]:")  # the previous entry's date is the default
    t.send("")
    t.expect("责任人:")
    t.send("")
    t.expect("已登记问题 #2")
    t.expect("单位 [下朱庄街道]:")
    os.write(t.master, b"\x04")
    t.expect("本次录入 2 条问题")
    assert t.close() == 0
    recs = district.json("issue list")
    assert [(r["unit"], r["area"], r["source"], r["check"] is not None, r["found_on"]) for r in recs] == [
        ("下朱庄街道", "效能意识", "群众投诉", True, "2017-05-04"), ("下朱庄街道", "效能意识", "自查", False, "2017-05-04")]
    assert "Traceback" not in t.seen


@sqlite_only()
def test_ctrl_c_drops_the_entry_and_keeps_the_loop_ctrl_d_says_a_half_entry_was_dropped(district, terminal):
    t = terminal("issue", "add")
    _first_fields(t)
    t.expect("问题来源")
    t.proc.send_signal(signal.SIGINT)  # Ctrl-C
    t.expect("已放弃本条")  # and the loop goes on: 单位 is asked again
    _first_fields(t, text="上班时间玩游戏")
    t.expect("问题来源")
    t.send("")
    t.expect("四查四看")
    t.send("")
    t.expect("发现日期")
    t.send("")
    t.expect("责任人:")
    t.send("")
    t.expect("已登记问题 #1")
    t.expect("单位")
    t.send("梅厂")
    t.expect("问题描述:")
    os.write(t.master, b"\x04")  # Ctrl-D halfway through an entry
    t.expect("本次录入 1 条问题；未录完的一条已放弃")
    assert t.close() == 0
    assert [r["description"] for r in district.json("issue list")] == ["上班时间玩游戏"]


@sqlite_only()
def test_issue_add_with_text_and_no_unit_prompts_and_keeps_the_text(district, terminal):
    t = terminal("issue", "add", "窗口办事拖沓", "--area", "6")
    t.expect("单位:")
    t.send("没有这个单位")
    t.expect("单位 [没有这个单位]:")  # asked again, the text is not lost
    t.send("梅厂")
    t.expect("已登记问题 #1（梅厂镇")
    assert t.close() == 0
    assert district.json("issue list")[0]["description"] == "窗口办事拖沓"


@sqlite_only()
@pytest.mark.parametrize("args, field", [
    (("issue", "add", "窗口办事拖沓", "--unit", "杨村"), "整治重点:"),
    (("unit", "add", "新设单位"), "单位类型"),
    (("issue", "add"), "问题描述:"),
])
def test_a_prompt_held_open_never_blocks_another_writer(district, terminal, args, field):
    t = terminal(*args)
    if args == ("issue", "add"):
        t.expect("单位:")
        t.send("杨村")
    t.expect(field)
    time.sleep(0.3)
    # another clerk writes while the prompt waits for a person
    district.ok("unit add 另一单位 --kind 部门", env={"ZZ_BUSY_TIMEOUT": "1"})
    district.ok("issue add 文件办理超时 --unit 梅厂 --area 6", env={"ZZ_BUSY_TIMEOUT": "1"})
    t.proc.kill()
    t.proc.wait(timeout=20)
    os.close(t.master)


# ---- lists: a page at a terminal, every row for scripts, plain rows when piped ----

def _many(zz, n: int) -> None:
    """n issues in one go, through the domain (the CLI would take a while for each)."""
    from zhengzhi_cli import issues
    from zhengzhi_cli.db import Settings, open_session

    with open_session(Settings(db=zz.db)) as session:
        for i in range(n):
            issues.add(session, unit="杨村街道", text=f"问题{i:03d}", area="6", found=f"2017-05-{1 + i % 28:02d}")


def test_issue_list_shows_a_page_of_50_newest_first_with_the_total(district):
    _many(district, 60)
    r = district.ok("issue list")
    lines = r.stdout.splitlines()
    assert lines[0].split("\t")[:2] == ["编号", "单位"]  # piped: a header line, then tab-separated rows
    assert len(lines) == 51 and "┃" not in r.stdout and "│" not in r.stdout
    dates = [ln.split("\t")[5] for ln in lines[1:]]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2017-05-28"  # newest first
    assert "共 60 条，显示前 50 条；--limit 0 显示全部" in r.stderr
    assert len(district.ok("issue list --limit 0").stdout.splitlines()) == 61
    assert len(district.json("issue list")) == 60  # --json: every row
    csv_lines = district.ok("issue list --csv").stdout.splitlines()
    assert len(csv_lines) == 61 and csv_lines[0].startswith("编号,单位,")


def test_issue_list_csv_writes_formula_text_as_text(district):
    district.ok(["issue", "add", "=1+2 窗口", "--unit", "杨村", "--area", "6"])
    assert "'=1+2 窗口" in district.ok("issue list --csv").stdout


def test_issue_list_at_80_columns_never_wraps_ids_dates_or_statuses(district, monkeypatch):
    from zhengzhi_cli.cli import output

    district.ok(["issue", "add", "窗口办事拖沓" * 20, "--unit", "区政务服务中心", "--area", "6", "--found", "2017-05-04"])
    monkeypatch.setattr(output, "to_terminal", lambda: True)
    out = district.ok("issue list", env={"COLUMNS": "80"}).stdout
    body = [ln for ln in out.splitlines() if "2017-05-04" in ln]
    assert len(body) == 1, out  # one line per issue: the date, the status whole, the text cut with …
    assert "未整改" in body[0] and "…" in body[0] and " 1 " in body[0], out
    assert max(len(ln) for ln in out.splitlines()) <= 80


def test_issue_list_as_of_is_found_by_and_status_on_that_day(district):
    issue = district.json("issue add 窗口办事拖沓 --unit 杨村 --area 6 --found 2017-05-01")
    fix = district.json(f"fix add {issue['id']} 整改 --deadline 2017-06-30")
    district.ok(f"fix progress {fix['id']} 已部署 --date 2017-05-10")
    district.ok(f"fix done {fix['id']} --date 2017-06-10")
    district.ok(f"fix verify {fix['id']} --by 张华 --date 2017-06-20")
    status = lambda d: [(r["id"], r["status"]) for r in district.json(f"issue list --as-of {d}")]  # noqa: E731
    assert status("2017-04-30") == []  # not yet found
    assert status("2017-06-15") == [(issue["id"], "已整改")]
    assert status("2017-06-25") == [(issue["id"], "已销号")]
    assert [r["id"] for r in district.json("issue list --as-of 2017-06-15 --status 已整改")] == [issue["id"]]
    assert district.json("issue list --as-of 2017-06-15 --status 已销号") == []


def test_fix_list_pages_streams_and_dates_its_statuses(district):
    issue = district.json("issue add 窗口办事拖沓 --unit 杨村 --area 6 --found 2017-05-01")
    fix = district.json(f"fix add {issue['id']} 整改 --deadline 2017-06-30")
    district.ok(f"fix progress {fix['id']} 已部署 --date 2017-05-10")
    district.ok(f"fix done {fix['id']} --date 2017-06-10")
    later = district.json("issue add 文件办理超时 --unit 杨村 --area 6 --found 2017-07-01")
    for _ in range(51):
        district.ok(f"fix add {later['id']} 整改 --deadline 2017-09-30")
    r = district.ok("fix list")
    assert len(r.stdout.splitlines()) == 51 and r.stdout.startswith("编号\t问题\t")
    assert "共 52 条，显示前 50 条" in r.stderr
    assert len(district.json("fix list")) == 52
    assert [(f["id"], f["status"]) for f in district.json("fix list --as-of 2017-06-15")] == [(fix["id"], "已完成")]
    assert district.json("fix list --as-of 2017-06-05 --status 已完成") == []


def test_log_names_the_record_not_only_a_count(district):
    issue = district.json("issue add 窗口办事拖沓 --unit 杨村 --area 6")
    out = district.ok("log").stdout
    assert f"新增问题 #{issue['id']} 杨村街道 窗口办事拖沓" in out, out
    assert "新增单位 #1 杨村街道" in out, out


def test_restore_keeps_a_safety_copy_and_logs_itself(district, tmp_path):
    out = tmp_path / "备份.db"
    district.ok(["backup", "-o", out])
    district.ok("issue add 备份之后登记的问题 --unit 杨村 --area 6")
    r = district.ok(["restore", out, "--yes"])
    assert "原登记簿已另存为" in r.stdout, r.stdout
    kept = r.stdout.split("原登记簿已另存为 ", 1)[1].strip()
    assert district.json("issue list") == []  # the backup is back
    saved = district.json("issue list", env={"ZZ_DB": kept})  # and what it replaced is kept, by name
    assert [i["description"] for i in saved] == ["备份之后登记的问题"]
    assert "恢复登记簿" in (district.json("log")[0]["summary"] or "")
