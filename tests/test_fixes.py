"""zz fix: add, progress, done, verify (销号), return (退回), extend (延期), list, show;
overdue and its warning tiers."""

import pytest

from zzcheck import refused


@pytest.fixture
def issue(district):
    return district.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--owner", "王明",
                          "--leader", "李强", "--found", "2017-04-12"])["id"]


def add_fix(zz, issue_id, deadline="2017-06-30", *extra):
    return zz.json(["fix", "add", str(issue_id), "推行首问负责制", "--deadline", deadline, *extra])


def test_add_record(district, issue):
    fix = add_fix(district, issue)
    for key in ("id", "issue_id", "unit", "task", "deadline", "owner", "leader", "status", "done_on", "verified_on",
                "verified_by", "overdue"):
        assert key in fix
    assert (fix["unit"], fix["deadline"], fix["owner"], fix["leader"], fix["status"]) == ("杨村街道", "2017-06-30", "王明", "李强", "未开始")
    assert add_fix(district, issue, "长期坚持")["deadline"] == "长期坚持"
    spot = add_fix(district, issue, "立行立改")
    assert spot["deadline"] == "2017-04-19" and spot["on_the_spot"] is True  # the 5th working day after it was found
    assert add_fix(district, issue, "2017年9月30日", "--owner", "赵六")["owner"] == "赵六"


def test_add_refusals(district, issue):
    refused(district, ["fix", "add", "999", "x", "--deadline", "2017-06-30"], "没有编号为 999 的问题")
    refused(district, ["fix", "add", str(issue), "x", "--deadline", "2017-06-31"], "整改时限", "没有31日")
    refused(district, ["fix", "add", str(issue), "x"], "--deadline", status=2)


def test_lifecycle_and_events(district, issue):
    zz = district
    fid = add_fix(zz, issue)["id"]
    assert zz.json(f"fix progress {fid} 已起草 --date 2017-05-01")["status"] == "整改中"
    done = zz.json(f"fix done {fid} --date 2017-06-20 --evidence 制度已印发")
    assert (done["status"], done["done_on"], done["evidence"]) == ("已完成", "2017-06-20", "制度已印发")
    verified = zz.json(f"fix verify {fid} --by 张华 --date 2017.7.1")
    assert (verified["status"], verified["verified_on"], verified["verified_by"]) == ("已销号", "2017-07-01", "张华")
    kinds = [e["kind"] for e in zz.json(f"fix show {fid}")["events"]]
    assert kinds == ["进展", "完成", "销号"]
    refused(zz, f"fix progress {fid} 再写一条", "已销号")
    refused(zz, f"fix done {fid}", "已是“已销号”")


def test_verify_refusals(district, issue):
    zz = district
    fid = add_fix(zz, issue)["id"]
    refused(zz, f"fix verify {fid} --by 张华", "当前为“未开始”", "只有“已完成”的整改才能销号")
    zz.ok(f"fix progress {fid} 进行中")
    refused(zz, f"fix verify {fid} --by 张华", "当前为“整改中”")
    zz.ok(f"fix done {fid} --date 2017-06-20")
    refused(zz, f"fix verify {fid} --by 王明", "责任人", "不能自己销号")
    refused(zz, f"fix verify {fid} --by 张华 --date 2017-06-01", "早于完成日期")
    refused(zz, f"fix verify {fid}", "--by", status=2)
    refused(zz, "fix verify 999 --by 张华", "没有编号为 999 的整改")
    assert zz.json(f"fix show {fid}")["status"] == "已完成"


def test_return_for_a_second_round(district, issue):
    zz = district
    fid = add_fix(zz, issue)["id"]
    refused(zz, f"fix return {fid} --by 张华 --reason 佐证不足", "只有“已完成”")
    zz.ok(f"fix done {fid} --date 2017-06-20")
    refused(zz, f"fix return {fid} --by 王明 --reason 佐证不足", "责任人")
    refused(zz, f"fix return {fid} --by 张华", "--reason", status=2)
    back = zz.json(["fix", "return", str(fid), "--by", "张华", "--reason", "佐证材料不足"])
    assert (back["status"], back["done_on"]) == ("整改中", None)
    events = zz.json(f"fix show {fid}")["events"]
    assert events[-1]["kind"] == "退回" and events[-1]["text"] == "佐证材料不足" and events[-1]["by"] == "张华"


def test_extend_keeps_the_original_deadline(district, issue):
    zz = district
    fid = add_fix(zz, issue)["id"]
    refused(zz, f"fix extend {fid} --to 2017-09-30 --reason 跨部门协调", "--approver", status=2)
    refused(zz, ["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", " ", "--reason", "跨部门协调"], "批准人")
    refused(zz, f"fix extend {fid} --to 2017-06-01 --approver 孙剑楠 --reason 协调", "不晚于现时限")
    first = zz.json(f"fix extend {fid} --to 2017-08-31 --approver 孙剑楠 --reason 跨部门协调")
    assert (first["deadline"], first["original_deadline"]) == ("2017-08-31", "2017-06-30")
    second = zz.json(f"fix extend {fid} --to 2017-09-30 --approver 孙剑楠 --reason 再次协调")
    assert (second["deadline"], second["original_deadline"]) == ("2017-09-30", "2017-06-30")
    event = zz.json(f"fix show {fid}")["events"][-1]
    assert (event["kind"], event["approver"], event["old_deadline"], event["new_deadline"]) == ("延期", "孙剑楠", "2017-08-31", "2017-09-30")
    # overdue is measured against the extended deadline
    assert zz.json(f"fix show {fid} --as-of 2017-09-01")["overdue"] is False
    ongoing = add_fix(zz, issue, "长期坚持")["id"]
    refused(zz, f"fix extend {ongoing} --to 2017-09-30 --approver 孙剑楠 --reason x", "长期坚持")


@pytest.mark.parametrize("as_of,late,tier", [("2017-06-30", 0, None), ("2017-07-01", 1, "蓝"), ("2017-07-07", 7, "蓝"),
                                             ("2017-07-08", 8, "黄"), ("2017-07-30", 30, "黄"), ("2017-07-31", 31, "红"),
                                             ("2017-12-31", 184, "红")])
def test_overdue_tiers_at_the_boundaries(district, issue, as_of, late, tier):
    fid = add_fix(district, issue)["id"]
    fix = district.json(f"fix show {fid} --as-of {as_of}")
    assert (fix["overdue"], fix["days_late"], fix["tier"]) == (late > 0, late, tier)
    listed = district.json(f"fix list --overdue --as-of {as_of}")
    assert [f["id"] for f in listed] == ([fid] if late else [])


def test_overdue_ends_with_completion_and_ongoing_is_never_overdue(district, issue):
    zz = district
    dated = add_fix(zz, issue)["id"]
    ongoing = add_fix(zz, issue, "长期坚持")["id"]
    assert [f["id"] for f in zz.json("fix list --overdue --as-of 2017-08-15")] == [dated]
    assert zz.json(f"fix show {ongoing} --as-of 2030-01-01")["overdue"] is False
    zz.ok(f"fix done {dated} --date 2017-08-10")
    assert zz.json("fix list --overdue --as-of 2017-08-15") == []
    # as of a day before it was done, it was overdue
    assert [f["id"] for f in zz.json("fix list --overdue --as-of 2017-08-09")] == [dated]
    assert [i["id"] for i in zz.json("issue list --overdue --as-of 2017-08-09")] == [issue]
    assert zz.json("issue list --overdue --as-of 2017-08-15") == []
    rows = zz.ok("fix list --as-of 2017-08-15").stdout.splitlines()[1:]  # piped: tab-separated rows
    assert [r.split("\t")[4] for r in rows] == ["2017-06-30", "长期坚持"]  # 长期坚持 listed after the dated


def test_list_filters(district, issue):
    zz = district
    a = add_fix(zz, issue)["id"]
    other = zz.json(["issue", "add", "x", "--unit", "梅厂镇", "--area", "1"])["id"]
    b = add_fix(zz, other)["id"]
    zz.ok(f"fix done {b}")
    assert [f["id"] for f in zz.json("fix list")] == [a, b]
    assert [f["id"] for f in zz.json("fix list --unit 梅厂")] == [b]
    assert [f["id"] for f in zz.json("fix list --status 已完成")] == [b]
    refused(zz, "fix list --status 完成了", "整改状态")
