"""History stays true (SPEC §5a): a report for a past day D shows the register as it stood on D.

An extension counts from the day it was approved (`zz fix extend --date`); a completion, a 销号
or a 退回 after D leaves D's figures alone; milestones met by data are dated by the data's own
dates and can be set by hand; an issued 通报 keeps its number, date and content."""

from __future__ import annotations

import pytest
from conftest import august_changes, fix_at, issue_at, sqlite_only
from zzcheck import refused


def july(zz) -> dict:
    data = zz.json("report monthly --month 2017-07")
    data.pop("prepared_on")
    return data


def summary_july(zz) -> dict:
    data = zz.json("report summary --as-of 2017-07-31")
    data.pop("prepared_on")
    return data


# ---------------------------------------------------------------- 1. extension counts from its approval


def test_an_extension_approved_in_august_leaves_july_overdue(district):
    zz = district
    fid = fix_at(zz, issue_at(zz), "2017-07-15")
    before = july(zz)
    assert before["overview"]["overdue"] == 1 and before["overdue"]["total"] == 1
    assert before["overdue"]["rows"][0]["deadline"] == "2017-07-15"
    ext = zz.json(["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "跨部门协调",
                   "--date", "2017-08-10"])
    assert ext["deadline"] == "2017-09-30"
    assert [(e["kind"], e["date"]) for e in ext["events"]] == [("延期", "2017-08-10")]
    assert july(zz) == before
    august = zz.json("report monthly --month 2017-08")
    assert august["overview"]["overdue"] == 0 and august["overdue"]["total"] == 0


def test_an_extension_approved_in_july_counts_in_july(district):
    zz = district
    fid = fix_at(zz, issue_at(zz), "2017-07-15")
    zz.ok(["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "跨部门协调",
           "--date", "2017-07-10"])
    assert july(zz)["overview"]["overdue"] == 0


def test_extension_dates_go_forward(district):
    zz = district
    fid = fix_at(zz, issue_at(zz), "2017-07-15")
    zz.ok(["fix", "extend", str(fid), "--to", "2017-08-30", "--approver", "孙剑楠", "--reason", "协调", "--date", "2017-08-10"])
    refused(zz, ["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调",
                 "--date", "2017-08-01"], "批准日期（--date）", "早于上一次延期")
    refused(zz, ["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调",
                 "--date", "2017-02-30"], "--date")


# ---------------------------------------------------------------- 2. status on D from dated events


def test_july_report_is_the_same_after_august_changes(july_register):
    zz, fixes = july_register
    before, before_summary = july(zz), summary_july(zz)
    assert before["overview"]["overdue"] == 3  # extend, complete, start: the returned one was done on 07-22
    august_changes(zz, fixes)
    after = july(zz)
    assert after["overview"] == before["overview"]
    assert after["units"] == before["units"] and after["areas"] == before["areas"] and after["sources"] == before["sources"]
    assert after["overdue"] == before["overdue"]
    assert after == before
    assert summary_july(zz) == before_summary


@pytest.mark.parametrize("change", ["extend", "complete", "verify", "return", "start"])
def test_each_august_change_alone_leaves_july(july_register, change):
    zz, fixes = july_register
    before = july(zz)
    august = {
        "extend": ["fix", "extend", str(fixes["extend"]), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调",
                   "--date", "2017-08-10"],
        "complete": ["fix", "done", str(fixes["complete"]), "--date", "2017-08-05"],
        "verify": ["fix", "verify", str(fixes["verify"]), "--by", "张华", "--date", "2017-08-03"],
        "return": ["fix", "return", str(fixes["return"]), "--by", "张华", "--reason", "台账不全", "--date", "2017-08-08"],
        "start": ["fix", "progress", str(fixes["start"]), "开始整改", "--date", "2017-08-02"],
    }[change]
    zz.ok(august)
    assert july(zz) == before


def test_a_returned_fix_keeps_its_earlier_completion_for_earlier_days(july_register):
    zz, fixes = july_register
    zz.ok(["fix", "return", str(fixes["return"]), "--by", "张华", "--reason", "台账不全", "--date", "2017-08-08"])
    events = zz.json(f"fix show {fixes['return']}")["events"]
    assert [e["kind"] for e in events] == ["进展", "完成", "退回"]
    july_units = {u["unit"]: u for u in july(zz)["units"]}
    assert july_units["梅厂镇"]["done"] == 2 and july_units["梅厂镇"]["overdue"] == 0
    august_units = {u["unit"]: u for u in zz.json("report monthly --month 2017-08")["units"]}
    assert august_units["梅厂镇"]["overdue"] == 1  # on 08-31 it was back in 整改中, past its deadline


# ---------------------------------------------------------------- 3. milestones dated by the data's own dates


def milestone(zz, unit, key, as_of):
    data = zz.json(["phase", "--as-of", as_of, "--unit", unit])
    return next(m for m in data["units"][0]["milestones"] if m["name"] == key)


def test_issues_found_in_april_but_typed_in_later_meet_the_list_in_april(district):
    zz = district
    issue_at(zz, found="2017-04-12")  # typed in today, years after
    m = milestone(zz, "杨村", "问题清单", "2017-07-01")
    assert (m["state"], m["done_on"]) == ("已完成", "2017-04-12")
    assert milestone(zz, "杨村", "问题清单", "2017-04-11")["state"] == "未到期"
    lagging = {u["unit"]: u for u in zz.json("bulletin --month 2017-07")["lagging_units"]}
    assert "问题清单" not in lagging.get("杨村街道", {}).get("missed_milestones", [])
    assert "问题清单" in lagging["梅厂镇"]["missed_milestones"]


def test_a_rule_typed_in_later_meets_the_list_on_its_own_date(district):
    zz = district
    rid = zz.json(["rule", "add", "首问负责制度", "--unit", "杨村", "--action", "立"])["id"]
    zz.ok(f"rule done {rid} --date 2017-05-10")
    m = milestone(zz, "杨村", "制度清单", "2017-07-01")
    assert (m["state"], m["done_on"]) == ("已完成", "2017-05-10")


def test_any_milestone_can_be_set_by_hand_and_overrides_the_data(district):
    zz = district
    rec = zz.json("milestone done 梅厂 问题清单 --date 2017-06-20")
    assert (rec["name"], rec["state"], rec["done_on"]) == ("问题清单", "已完成", "2017-06-20")
    issue_at(zz, found="2017-04-12")
    zz.ok("milestone done 杨村 问题清单 --date 2017-07-05")  # the office's date stands over the data's
    m = milestone(zz, "杨村", "问题清单", "2017-07-10")
    assert (m["state"], m["done_on"]) == ("逾期完成", "2017-07-05")
    assert milestone(zz, "杨村", "问题清单", "2017-07-01")["state"] == "已逾期"
    four = zz.json("milestone done 下朱庄 四查四看 --date 2017-05-20")
    assert four["state"] == "已完成"


# ---------------------------------------------------------------- 4. an issued 通报 keeps its number, date and content


@pytest.fixture
def bulletin_month(district):
    zz = district
    fid = fix_at(zz, issue_at(zz, found="2017-06-01"), "2017-07-05")
    zz.ok("accountability add 赵六 --unit 杨村 --measure 批评教育 --date 2017-07-10 --reason 推诿扯皮")
    return zz, fid


def test_the_bulletin_date_is_honoured(bulletin_month, tmp_path):
    zz, _ = bulletin_month
    out = tmp_path / "通报.md"
    rec = zz.ok(["bulletin", "--month", "2017-07", "--date", "2017-07-15", "-o", out])
    text = out.read_text(encoding="utf-8")
    assert "2017年7月15日" in text and "截至2017-07-15" in text and "截至2017-07-31" not in text, rec.stdout
    assert zz.json("bulletin --list")[0]["as_of"] == "2017-07-15"
    refused(zz, ["bulletin", "--month", "2017-08", "--date", "2017-07-20", "-o", tmp_path / "x.md"], "印发日期", "早于")


def test_regenerating_an_issued_bulletin_reproduces_it(bulletin_month, tmp_path):
    zz, fid = bulletin_month
    first = tmp_path / "第1期.md"
    zz.ok(["bulletin", "--month", "2017-07", "--date", "2017-08-03", "-o", first])
    # August and later: the overdue fix is extended, then done; another accountability case of July is entered
    zz.ok(["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调", "--date", "2017-08-10"])
    zz.ok(f"fix done {fid} --date 2017-08-20")
    zz.ok("accountability add 钱七 --unit 梅厂 --measure 诫勉谈话 --date 2017-07-20")
    again = tmp_path / "再生成.md"
    r = zz.ok(["bulletin", "--month", "2017-07", "-o", again])
    assert "第1期" in r.stdout
    assert again.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    refused(zz, ["bulletin", "--month", "2017-07", "--date", "2017-09-01", "-o", tmp_path / "y.md"], "第1期", "--reissue")
    shown = zz.json("bulletin --month 2017-07")
    assert shown["no"] == 1 and shown["totals"]["accountability"] == 1


def test_a_correction_is_reissued_with_its_reason(bulletin_month, tmp_path):
    zz, _ = bulletin_month
    zz.ok(["bulletin", "--month", "2017-07", "--date", "2017-08-03", "-o", tmp_path / "a.md"])
    zz.ok("accountability add 钱七 --unit 梅厂 --measure 诫勉谈话 --date 2017-07-20")
    refused(zz, ["bulletin", "--month", "2017-07", "--reissue", "-o", tmp_path / "b.md"], "--reason", status=2)
    refused(zz, ["bulletin", "--month", "2017-07", "--reason", "漏报", "-o", tmp_path / "b.md"], "--reissue", status=2)
    refused(zz, ["bulletin", "--month", "2017-06", "--reissue", "--reason", "漏报", "-o", tmp_path / "b.md"], "尚未印发")
    r = zz.ok(["bulletin", "--month", "2017-07", "--reissue", "--reason", "漏报梅厂镇问责一人", "--date", "2017-08-06",
               "-o", tmp_path / "b.md"])
    assert "更正重发" in r.stdout and "第1期" in r.stdout
    rec = zz.json("bulletin --list")
    assert [(b["no"], b["issued_on"]) for b in rec] == [(1, "2017-08-06")] and "漏报梅厂镇问责一人" in rec[0]["note"]
    assert "钱七" in (tmp_path / "b.md").read_text(encoding="utf-8")
    assert zz.json("bulletin --month 2017-07")["totals"]["accountability"] == 2


def test_the_overdue_list_as_of_july_uses_july_deadlines(july_register):
    zz, fixes = july_register
    before = zz.json("fix list --overdue --as-of 2017-07-31")
    august_changes(zz, fixes)
    after = zz.json("fix list --overdue --as-of 2017-07-31")
    assert [(f["id"], f["deadline"], f["days_late"]) for f in after] == [(f["id"], f["deadline"], f["days_late"]) for f in before]
    assert fixes["extend"] in [f["id"] for f in after] and fixes["return"] not in [f["id"] for f in after]
    assert fixes["extend"] not in [f["id"] for f in zz.json("fix list --overdue --as-of 2017-08-31")]


def test_a_fix_typed_in_later_meets_the_list_on_its_progress_date(district):
    zz = district
    fid = fix_at(zz, issue_at(zz, found="2017-04-12"), "2017-09-30")
    zz.ok(f"fix progress {fid} 已起草制度 --date 2017-05-20")
    m = milestone(zz, "杨村", "整改清单", "2017-07-01")
    assert (m["state"], m["done_on"]) == ("已完成", "2017-05-20")


@sqlite_only()
def test_a_v10_register_keeps_the_completions_its_returns_took_back(district):
    """Schema step 11 back-fills a 退回's completion day from the 完成 before it."""
    import sqlite3

    from zhengzhi_cli import migrations

    zz = district
    fid = fix_at(zz, issue_at(zz), "2017-07-25")
    zz.ok(f"fix done {fid} --date 2017-07-22")
    zz.ok(["fix", "return", str(fid), "--by", "张华", "--reason", "台账不全", "--date", "2017-08-08"])
    conn = sqlite3.connect(zz.db)
    with conn:  # back to v10: the register as the previous zz left it
        conn.execute("DROP INDEX ix_fix_event_kind_day")
        conn.execute("ALTER TABLE fix_event DROP COLUMN prior_done_on")
        conn.execute("ALTER TABLE bulletin DROP COLUMN content")
        conn.execute("ALTER TABLE evidence DROP COLUMN public")  # v13's column
        conn.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    conn.close()
    migrations._checked.clear()
    assert july(zz)["overview"]["overdue"] == 0 and july(zz)["overview"]["done"] == 1
    conn = sqlite3.connect(zz.db)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(migrations.SCHEMA_VERSION)
    assert conn.execute("SELECT prior_done_on FROM fix_event WHERE kind = '退回'").fetchone()[0] == "2017-07-22"
    conn.close()
