"""#11, what was left: one date vocabulary and the same date warnings for every date option, a
missing register refused, links across units refused, `issue edit` old → new, milestones and
sources matched by a unique part of their name."""

from __future__ import annotations

import pytest

from tests.conftest import Zz, sqlite_only
from tests.zzcheck import refused, said_no


def _issue(zz, unit="杨村街道", found="2017-05-01", text="窗口办事拖沓") -> int:
    return zz.json(["issue", "add", text, "--unit", unit, "--area", "6", "--found", found])["id"]


# ---------------------------------------------------------------- one date vocabulary

@pytest.mark.parametrize("words, day", [
    ("6月底前", "2017-06-30"), ("9月中旬", "2017-09-20"), ("第三季度", "2017-09-30"), ("上半年", "2017-06-30"),
    ("年底前", "2017-12-31"), ("17年6月30日", "2017-06-30"), ("6月30日前", "2017-06-30"),
])
def test_rule_due_takes_the_words_fix_deadline_takes(district, words, day):
    rule = district.json(["rule", "add", "首问负责制度", "--unit", "杨村街道", "--action", "立", "--due", words])
    assert rule["due_on"] == day


def test_every_kind_of_date_option_takes_the_same_words(district):
    zz = district
    issue = _issue(zz, found="5月2日")
    assert zz.json(["issue", "show", str(issue)])["found_on"] == "2017-05-02"
    fix = zz.json(["fix", "add", str(issue), "推行首问负责制", "--deadline", "6月底前"])["id"]
    extended = zz.json(["fix", "extend", str(fix), "--to", "9月中旬", "--approver", "孙剑楠", "--reason", "跨部门",
                        "--date", "7月10日"])
    assert extended["deadline"] == "2017-09-20"
    assert zz.json(["fix", "done", str(fix), "--date", "9月上旬"])["done_on"] == "2017-09-10"
    rule = zz.json(["rule", "add", "制度", "--unit", "杨村街道", "--action", "立"])["id"]
    assert zz.json(["rule", "done", str(rule), "--date", "8月底"])["done_on"] == "2017-08-31"
    assert zz.json(["check", "add", "--unit", "杨村街道", "--item", "1", "--date", "4月中旬"])["date"] == "2017-04-20"
    zz.ok(["milestone", "done", "杨村街道", "实施方案", "--date", "3月下旬"])
    assert zz.ok(["fix", "list", "--as-of", "2017年8月1日"]).stdout


def test_a_date_option_refused_names_the_option(district):
    issue = _issue(district)
    fix = district.json(["fix", "add", str(issue), "推行首问负责制", "--deadline", "2017-06-30"])["id"]
    refused(district, ["rule", "add", "制度", "--unit", "杨村街道", "--action", "立", "--due", "下周"],
            "计划完成时间（--due）", "6月底前")
    refused(district, ["fix", "extend", str(fix), "--to", "改天", "--approver", "孙", "--reason", "忙"], "新时限（--to）", "9月中旬")
    refused(district, ["fix", "done", str(fix), "--date", "6月31日"], "完成日期（--date）", "没有31日")
    refused(district, ["fix", "list", "--as-of", "8月1日"], "--as-of", "没有写年份")  # no register year before it opens


# ---------------------------------------------------------------- implausible dates: warned, kept

def test_deadline_before_the_issue_is_warned_and_kept(district):
    issue = _issue(district, found="2017-05-01")
    r = district.ok(["fix", "add", str(issue), "推行首问负责制", "--deadline", "2017-04-01"])
    assert "请核对" in r.stderr and "早于问题的发现日期 2017-05-01" in r.stderr and "整改时限（--deadline）" in r.stderr
    assert district.json(["fix", "show", "1"])["deadline"] == "2017-04-01"


def test_completion_in_the_future_or_before_the_issue_is_warned(district):
    issue = _issue(district, found="2017-05-01")
    fix = district.json(["fix", "add", str(issue), "推行首问负责制", "--deadline", "2017-06-30"])["id"]
    r = district.ok(["fix", "done", str(fix), "--date", "2099-01-01"])
    assert "晚于今天" in r.stderr and "请核对" in r.stderr and "完成日期（--date）" in r.stderr
    district.ok("undo --yes")
    r = district.ok(["fix", "done", str(fix), "--date", "2017-04-20"])
    assert "早于问题的发现日期" in r.stderr
    assert district.json(["fix", "show", str(fix)])["done_on"] == "2017-04-20"


def test_dates_outside_the_campaign_are_warned_for_every_kind_of_record(district):
    r = district.ok(["rule", "add", "制度", "--unit", "杨村街道", "--action", "立", "--due", "2019-06-30"])
    assert "不在专项整治的年份" in r.stderr and "请核对" in r.stderr
    r = district.ok(["issue", "add", "窗口", "--unit", "杨村街道", "--area", "6", "--found", "2016-05-01"])
    assert "不在专项整治期间" in r.stderr and "发现日期（--found）" in r.stderr
    r = district.ok(["check", "add", "--unit", "杨村街道", "--item", "1", "--date", "2018-01-05"])
    assert "不在专项整治期间" in r.stderr
    quiet = district.ok(["rule", "add", "制度二", "--unit", "杨村街道", "--action", "立", "--due", "6月底前"])
    assert "请核对" not in quiet.stderr


def test_on_the_spot_is_shown_in_words(district):
    issue = _issue(district, found="2017-05-01")
    r = district.ok(["fix", "add", str(issue), "当场整改", "--deadline", "立行立改"])
    # due the 5th working day after 2017-05-01 (a holiday): 2017-05-08 (the lateness rule, test_pace4)
    assert "立行立改（至2017-05-08）" in r.stdout and "请核对" not in r.stderr
    assert "立行立改（至2017-05-08）" in district.ok("fix list").stdout
    assert "立行立改" in district.ok("fix show 1").stdout


# ---------------------------------------------------------------- a missing register

@sqlite_only()
def test_a_typo_in_db_is_refused_not_a_new_register(tmp_path):
    typo = tmp_path / "zz-typo.db"
    for args in (["issue", "list"], ["unit", "add", "杨村街道", "--kind", "街道"], ["report", "monthly", "--month", "2017-07"]):
        said_no(Zz(str(typo))(args), str(typo), "不存在", "zz init")
    assert not typo.exists()
    Zz(str(typo)).ok("init")
    Zz(str(typo)).ok("unit add 杨村街道 --kind 街道")


# ---------------------------------------------------------------- links across units

def test_accountability_for_another_units_issue_is_refused(district):
    zz = district
    own = _issue(zz, unit="杨村街道")
    other = _issue(zz, unit="梅厂镇", text="乱收费")
    refused(zz, ["accountability", "add", "王明", "--unit", "杨村街道", "--measure", "诫勉谈话", "--date", "2017-08-02",
                 "--issue", str(own), "--issue", str(other)], f"#{other}（梅厂镇）", "杨村街道")
    assert zz.json("accountability list") == []
    rec = zz.json(["accountability", "add", "王明", "--unit", "杨村街道", "--measure", "诫勉谈话", "--date", "2017-08-02",
                   "--issue", str(own)])
    refused(zz, ["accountability", "edit", str(rec["id"]), "--issue", str(other)], f"#{other}（梅厂镇）")
    refused(zz, ["accountability", "edit", str(rec["id"]), "--unit", "梅厂镇"], f"#{own}（杨村街道）")
    # a department answers for its 下属单位's issues
    sub = _issue(zz, unit="区政务服务中心", text="窗口脱岗")
    zz.ok(["accountability", "add", "李四", "--unit", "区行政审批局", "--measure", "批评教育", "--date", "2017-08-03",
           "--issue", str(sub)])


def test_moving_an_issue_with_rules_or_accountability_of_its_unit_is_refused(district):
    zz = district
    issue = _issue(zz)
    rule = zz.json(["rule", "add", "首问负责制度", "--unit", "杨村街道", "--action", "立", "--issue", str(issue)])["id"]
    acc = zz.json(["accountability", "add", "王明", "--unit", "杨村街道", "--measure", "诫勉谈话", "--date", "2017-08-02",
                   "--issue", str(issue)])["id"]
    r = refused(zz, ["issue", "edit", str(issue), "--unit", "梅厂镇"], f"制度 #{rule}", f"问责 #{acc}", "杨村街道")
    assert "zz rule edit" in r.stderr
    assert zz.json(["issue", "show", str(issue)])["unit"] == "杨村街道"


# ---------------------------------------------------------------- issue edit: old → new

def test_issue_edit_shows_old_to_new_and_refuses_a_no_op(district):
    zz = district
    issue = _issue(zz)
    r = zz.ok(["issue", "edit", str(issue), "--owner", "李强", "--area", "4", "--found", "2017-05-02"])
    assert "责任人：（空） → 李强" in r.stdout and "整治重点：效能意识 → 服务意识" in r.stdout
    assert "发现日期：2017-05-01 → 2017-05-02" in r.stdout
    changes = zz.json(["issue", "edit", str(issue), "--owner", "王明"])["changes"]
    assert changes == [{"field": "owner", "label": "责任人", "old": "李强", "new": "王明"}]
    refused(zz, ["issue", "edit", str(issue), "--owner", "王明"], "没有要修改的内容")
    refused(zz, ["issue", "edit", str(issue)], "没有要修改的内容")
    assert "修改问题 #" in zz.json("log")[0]["summary"]


# ---------------------------------------------------------------- one matcher

def test_milestones_and_sources_by_a_unique_part_of_the_name(district):
    zz = district
    r = zz.ok(["milestone", "done", "杨村街道", "方案", "--date", "2017-03-20"])
    assert "实施方案" in r.stdout
    refused(zz, ["milestone", "done", "杨村街道", "清单", "--date", "2017-03-20"], "问题清单", "整改清单", "制度清单")
    issue = zz.json(["issue", "add", "窗口", "--unit", "杨村街道", "--area", "6", "--source", "群众"])
    assert issue["source"] == "群众投诉"
    refused(zz, ["issue", "add", "窗口", "--unit", "杨村街道", "--area", "6", "--source", "来信"], "问题来源", "群众投诉")


# ---------------------------------------------------------------- every list pages like issue list

def test_unit_list_shows_a_page_of_50_with_the_total(district, tmp_path):
    import xlsxwriter

    book = tmp_path / "单位名单.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["单位名称", "单位类型"])
    for i in range(60):
        ws.write_row(i + 1, 0, [f"第{i + 1}社区", "事业单位"])
    wb.close()
    district.ok(["unit", "import", str(book)])
    r = district.ok("unit list")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("编号\t") and len(lines) == 51 and "┃" not in r.stdout
    assert "共 65 条，显示前 50 条；--limit 0 显示全部" in r.stderr
    assert len(district.ok("unit list --limit 0").stdout.splitlines()) == 66
    assert len(district.json("unit list")) == 65  # --json: every row
    assert len(district.ok("unit list --csv").stdout.splitlines()) == 66


@pytest.mark.parametrize("noun", ["rule", "check", "inspect", "accountability", "opinion", "case", "unit"])
def test_every_list_takes_limit_and_csv(district, noun):
    r = district.ok([noun, "list", "--csv", "--limit", "1"])
    assert r.stdout.splitlines()[0].startswith("编号,")


def test_rule_list_page_note_and_plain_rows(district):
    for title in ("首问负责制度", "限时办结制度", "责任追究制度"):
        district.ok(["rule", "add", title, "--unit", "杨村街道", "--action", "立"])
    r = district.ok("rule list --limit 2")
    assert len(r.stdout.splitlines()) == 3 and r.stdout.startswith("编号\t")
    assert "共 3 条，显示前 2 条" in r.stderr
    assert [x["title"] for x in district.json("rule list --limit 1")] == ["首问负责制度"]


# ---------------------------------------------------------------- the entry loop: the same words, warnings per entry

@sqlite_only()
def test_entry_loop_takes_date_words_and_warns_before_the_next_entry(district):
    import os

    from zzcheck import Terminal

    env = {k: v for k, v in os.environ.items() if k != "ZZ_NO_PROMPT"} | {"ZZ_DB": district.db, "ZZ_OPERATOR": "录入员"}
    t = Terminal(["issue", "add"], env)
    for found in ("5月2日", "2016-05-01"):
        t.expect("单位")
        t.send("杨村街道")
        t.expect("问题描述:")
        t.send("窗口办事拖沓")
        t.expect("整治重点:")
        t.send("效能意识")
        t.expect("问题来源")
        t.send("")
        t.expect("四查四看（可空）:")
        t.send("")
        t.expect("发现日期")
        t.send(found)
        t.expect("责任人:")
        t.send("")
        t.expect("已登记问题 #")
    t.expect("不在专项整治期间")  # the second entry's date, said before the loop asks for the next
    t.expect("单位")
    os.write(t.master, b"\x04")
    assert t.close() == 0
    assert sorted(i["found_on"] for i in district.json("issue list")) == ["2016-05-01", "2017-05-02"]
