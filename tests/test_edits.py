"""A register the clerk can correct (issue #11 part 1): `zz … edit ID` for fixes, rules, checks,
inspections, accountability, opinions and cases — a real correction, audited, undoable, refused
when it changes nothing or a value is invalid — and `zz issue void`, which withdraws an issue
entered in error but keeps it, apart from listings, overdue counts and reports."""

from __future__ import annotations

import pytest

from zzcheck import clean, refused


def _issue(zz, text="窗口办事拖沓", unit="杨村", found="2017-04-01", **opts) -> int:
    args = ["issue", "add", text, "--unit", unit, "--area", "6", "--found", found]
    for key, value in opts.items():
        args += [f"--{key}", value]
    return zz.json(args)["id"]


def _fix(zz, issue: int, deadline="2017-05-31", **opts) -> int:
    args = ["fix", "add", str(issue), "推行首问负责制", "--deadline", deadline]
    for key, value in opts.items():
        args += [f"--{key}", value]
    return zz.json(args)["id"]


def _one(recs, rid):
    return next(r for r in recs if r["id"] == rid)


# Each record kind: how to make one, how to read it back, a correction (option, value, JSON key,
# the value read back), an option repeating the current value, and an invalid value with the
# words its refusal must contain.
KINDS = {
    "fix": dict(
        make=lambda zz: _fix(zz, _issue(zz)),
        read=lambda zz, i: zz.json(f"fix show {i}"),
        edit=(["--task", "推行首问负责制和限时办结制"], "task", "推行首问负责制和限时办结制"),
        same=["--deadline", "2017-05-31"],
        bad=(["--deadline", "明年某天"], "整改时限"),
    ),
    "rule": dict(
        make=lambda zz: zz.json(["rule", "add", "首问负责制度", "--unit", "杨村", "--action", "立"])["id"],
        read=lambda zz, i: _one(zz.json("rule list"), i),
        edit=(["--due", "2017/6/30"], "due_on", "2017-06-30"),
        same=["--action", "立"],
        bad=(["--action", "删"], "立改废"),
    ),
    "check": dict(
        make=lambda zz: zz.json("check add --unit 杨村 --item 1 --date 2017-04-15")["id"],
        read=lambda zz, i: _one(zz.json("check list"), i),
        edit=(["--item", "3"], "item", 3),
        same=["--date", "2017年4月15日"],
        bad=(["--date", "2017-13-45"], "日期"),
    ),
    "inspect": dict(
        make=lambda zz: zz.json("inspect add --unit 杨村 --kind 明察暗访 --date 2017-07-12")["id"],
        read=lambda zz, i: zz.json(f"inspect show {i}"),
        edit=(["--unit", "杨村、梅厂"], "units", ["杨村街道", "梅厂镇"]),
        same=["--kind", "明察暗访"],
        bad=(["--kind", "飞行检查"], "督查形式"),
    ),
    "accountability": dict(
        make=lambda zz: zz.json("accountability add 王明 --unit 杨村 --measure 诫勉谈话 --date 2017-08-02")["id"],
        read=lambda zz, i: zz.json(f"accountability show {i}"),
        edit=(["--measure", "通报批评"], "measure", "通报批评"),
        same=["--person", "王明"],
        bad=(["--measure", "罚款"], "问责方式"),
    ),
    "opinion": dict(
        make=lambda zz: zz.json("opinion add 办事要跑好几趟 --unit 杨村 --channel 座谈会 --from 服务对象 --date 2017-05-01")["id"],
        read=lambda zz, i: _one(zz.json("opinion list")["opinions"], i),
        edit=(["--count", "5"], "people", 5),
        same=["--channel", "座谈会"],
        bad=(["--count", "0"], "反映人数"),
    ),
    "case": dict(
        make=lambda zz: zz.json("case add 窗口推行延时服务 --kind 正面 --unit 杨村")["id"],
        read=lambda zz, i: _one(zz.json("case list"), i),
        edit=(["--kind", "反面典型"], "kind", "反面"),
        same=["--title", "窗口推行延时服务"],
        bad=(["--kind", "中性"], "典型类别"),
    ),
}


@pytest.mark.parametrize("noun", KINDS)
def test_edit_corrects_the_record_audited_and_undoable(district, noun):
    zz, kind = district, KINDS[noun]
    rid = kind["make"](zz)
    args, key, value = kind["edit"]
    before = kind["read"](zz, rid)[key]
    out = zz.json([noun, "edit", str(rid), *args])
    assert out[key] == value and out["changes"], out
    assert kind["read"](zz, rid)[key] == value  # shown by show / list --json
    entry = zz.json("log --limit 1")[0]
    assert entry["summary"].startswith("修改") and "→" in entry["summary"], entry
    assert entry["rows"] and all(r["action"] in ("update", "insert", "delete") for r in entry["rows"])
    zz.ok("undo --yes")
    assert kind["read"](zz, rid)[key] == before


@pytest.mark.parametrize("noun", KINDS)
def test_edit_prints_old_and_new(district, noun):
    zz, kind = district, KINDS[noun]
    rid = kind["make"](zz)
    args, _, _ = kind["edit"]
    out = zz.ok([noun, "edit", str(rid), *args]).stdout
    assert out.startswith("已修改") and "→" in out


@pytest.mark.parametrize("noun", KINDS)
def test_edit_that_changes_nothing_is_refused(district, noun):
    zz, kind = district, KINDS[noun]
    rid = kind["make"](zz)
    refused(zz, [noun, "edit", str(rid), *kind["same"]], "没有要修改的内容")
    refused(zz, [noun, "edit", str(rid)], "没有要修改的内容", f"zz {noun} edit --help")


@pytest.mark.parametrize("noun", KINDS)
def test_edit_with_an_invalid_value_is_refused(district, noun):
    zz, kind = district, KINDS[noun]
    rid = kind["make"](zz)
    args, needle = kind["bad"]
    before = kind["read"](zz, rid)
    refused(zz, [noun, "edit", str(rid), *args], needle)
    assert kind["read"](zz, rid) == before
    refused(zz, [noun, "edit", "999", *kind["edit"][0]], "999")


# ---- fixes: the owner rule cannot be bypassed by an edit


def test_fix_owner_set_after_creation_then_verify_by_that_owner_refused(district):
    zz = district
    fix = _fix(zz, _issue(zz))
    assert zz.json(f"fix show {fix}")["owner"] is None
    out = zz.json(f"fix edit {fix} --owner 李强")
    assert out["owner"] == "李强" and out["changes"] == [{"field": "owner", "label": "责任人", "old": None, "new": "李强"}]
    zz.ok(f"fix done {fix} --date 2017-05-20")
    refused(zz, f"fix verify {fix} --by 李强", "责任人")
    zz.ok(f"fix verify {fix} --by 督查室张华 --date 2017-05-25")


def test_fix_owner_cannot_become_who_returned_or_verified_it(district):
    zz = district
    fix = _fix(zz, _issue(zz), owner="王明")
    zz.ok(f"fix done {fix} --date 2017-05-20")
    zz.ok(["fix", "return", str(fix), "--by", "张华", "--reason", "佐证不足"])
    refused(zz, f"fix edit {fix} --owner 张华", "张华", "核验")
    zz.ok(f"fix done {fix} --date 2017-05-22")
    zz.ok(f"fix verify {fix} --by 赵丽 --date 2017-05-25")
    refused(zz, f"fix edit {fix} --owner 赵丽", "已由“赵丽”销号")
    refused(zz, f"fix edit {fix} --owner 孙伟", "销号")
    assert zz.json(f"fix show {fix}")["owner"] == "王明"


def test_fix_deadline_edit_only_before_an_extension(district):
    zz = district
    fix = _fix(zz, _issue(zz))
    out = zz.json(f"fix edit {fix} --deadline 长期坚持")
    assert out["deadline"] == "长期坚持"
    zz.ok(f"fix edit {fix} --deadline 2017-06-15")
    zz.ok(["fix", "extend", str(fix), "--to", "2017-07-31", "--approver", "孙剑楠", "--reason", "跨部门协调"])
    refused(zz, f"fix edit {fix} --deadline 2017-08-31", "已经延期", "zz fix extend")
    assert zz.json(f"fix show {fix}")["deadline"] == "2017-07-31"


def test_fix_edit_refuses_an_empty_task(district):
    zz = district
    fix = _fix(zz, _issue(zz))
    refused(zz, ["fix", "edit", str(fix), "--task", "  "], "整改任务及措施", "不能为空")


def test_rule_edit_replaces_its_issues_within_its_unit(district):
    zz = district
    mine, other = _issue(zz), _issue(zz, unit="梅厂")
    rule = zz.json(["rule", "add", "首问负责制度", "--unit", "杨村", "--action", "立"])["id"]
    assert zz.json(f"rule edit {rule} --issue {mine}")["issue_ids"] == [mine]
    refused(zz, f"rule edit {rule} --issue {other}", "不属于")
    refused(zz, f"rule edit {rule} --unit 梅厂", "不属于")
    out = zz.json(f"rule edit {rule} --unit 梅厂 --issue {other}")
    assert out["unit"] == "梅厂镇" and out["issue_ids"] == [other]
    zz.ok("undo --yes")
    assert _one(zz.json("rule list"), rule)["issue_ids"] == [mine]


def test_inspection_edit_keeps_units_with_findings_and_moves_their_date(district):
    zz = district
    ins = zz.json(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-12",
                   "--finding", "窗口人员脱岗", "--as-issue", "--area", "规矩意识"])
    issue = ins["issues"][0]["id"]
    refused(zz, f"inspect edit {ins['id']} --unit 梅厂", "问题 #", "杨村街道")
    zz.ok(f"inspect edit {ins['id']} --date 2017-07-13")
    assert zz.json(f"issue show {issue}")["found_on"] == "2017-07-13"
    zz.ok("undo --yes")
    assert zz.json(f"issue show {issue}")["found_on"] == "2017-07-12"


def test_accountability_referral_only_for_referrals(district):
    zz = district
    rid = zz.json("accountability add 王明 --unit 杨村 --measure 诫勉谈话 --date 2017-08-02")["id"]
    refused(zz, f"accountability edit {rid} --referral 区纪委", "移交纪检")
    out = zz.json(f"accountability edit {rid} --measure 移交纪检 --referral 区纪委")
    assert out["measure"] == "移交纪检" and out["referral"] == "区纪委" and out["pending"]
    refused(zz, f"accountability edit {rid} --measure 通报批评", "移交情况")


def test_case_edit_publication_needs_a_date(district):
    zz = district
    rid = zz.json("case add 窗口推行延时服务 --kind 正面 --unit 杨村")["id"]
    refused(zz, f"case edit {rid} --where 区政府网站", "公开日期")
    out = zz.json(f"case edit {rid} --where 区政府网站 --published 2017-09-01")
    assert out["published_on"] == "2017-09-01" and out["published_where"] == "区政府网站"


# ---- issue void


@pytest.mark.parametrize("reason", ["不属实", "不予整改", "重复"])
def test_void_keeps_the_issue_apart(district, reason):
    zz = district
    other = _issue(zz, text="窗口人员脱岗", unit="梅厂")
    issue = _issue(zz)
    fix = _fix(zz, issue)
    args = ["issue", "void", str(issue), "--reason", reason, "--date", "2017-05-10"]
    if reason == "重复":
        args += ["--duplicate-of", str(other)]  # an issue of any unit
    r = zz.ok(args)
    assert "已作废" in r.stdout and reason in r.stdout
    rec = zz.json(f"issue show {issue}")
    assert rec["void_reason"] == reason and rec["voided_on"] == "2017-05-10"
    assert rec["duplicate_of"] == (other if reason == "重复" else None)
    assert [f["id"] for f in rec["fixes"]] == [fix]  # kept, never deleted
    text = zz.ok(f"issue show {issue}").stdout
    assert "作废" in text and reason in text
    assert [i["id"] for i in zz.json("issue list")] == [other]
    assert [i["id"] for i in zz.json("issue list --void")] == [issue]
    assert sorted(i["id"] for i in zz.json("issue list --all")) == sorted([other, issue])
    assert zz.json(f"issue show {other}")["void_reason"] is None


def test_void_duplicate_rules(district):
    zz = district
    a, b, c = _issue(zz), _issue(zz, text="二"), _issue(zz, text="三")
    refused(zz, f"issue void {a} --reason 重复", "--duplicate-of")
    refused(zz, f"issue void {a} --reason 重复 --duplicate-of {a}", "自己")
    refused(zz, f"issue void {a} --reason 重复 --duplicate-of 999", "999")
    refused(zz, f"issue void {a} --reason 不属实 --duplicate-of {b}", "重复")
    refused(zz, f"issue void {a} --reason 作废", "不属实、不予整改、重复")
    refused(zz, "issue void 999 --reason 不属实", "999")
    zz.ok(f"issue void {b} --reason 不属实")
    refused(zz, f"issue void {a} --reason 重复 --duplicate-of {b}", f"#{b}", "已作废")
    refused(zz, f"issue void {b} --reason 不予整改", "已")
    refused(zz, f"issue void {c} --reason 不属实 --date 2017-03-01", "早于发现日期")
    refused(zz, f"issue void {c}", "--reason", status=2)
    zz.ok(f"issue void {a} --reason 重复 --duplicate-of {c}")


def test_void_leaves_overdue_counts_and_reports(district):
    zz = district
    live, dead = _issue(zz), _issue(zz, text="误登的问题")
    _fix(zz, live, deadline="2017-05-31")
    _fix(zz, dead, deadline="2017-05-31")

    def figures(as_of="2017-07-31"):
        monthly = zz.json(f"report monthly --month {as_of[:7]}")
        summary = zz.json(f"report summary --as-of {as_of}")
        return {
            "issue_overdue": len(zz.json(f"issue list --overdue --as-of {as_of}")),
            "fix_overdue": len(zz.json(f"fix list --overdue --as-of {as_of}")),
            "monthly": (monthly["overview"]["issues"], monthly["overview"]["fixes"], monthly["overview"]["overdue"],
                        monthly["overdue"]["total"]),
            "summary": (summary["overview"]["issues"], summary["overview"]["fixes"], summary["overview"]["overdue"]),
        }

    assert figures() == {"issue_overdue": 2, "fix_overdue": 2, "monthly": (2, 2, 2, 2), "summary": (2, 2, 2)}
    zz.ok(f"issue void {dead} --reason 不属实 --date 2017-07-15")
    assert figures() == {"issue_overdue": 1, "fix_overdue": 1, "monthly": (1, 1, 1, 1), "summary": (1, 1, 1)}
    # a report for a day before the void still counts it (SPEC §5a)
    assert figures("2017-06-30")["monthly"] == (2, 2, 2, 2)
    refused(zz, f"fix add {dead} 再整改 --deadline 2017-09-30", "已作废")
    zz.ok("undo --yes")
    assert figures() == {"issue_overdue": 2, "fix_overdue": 2, "monthly": (2, 2, 2, 2), "summary": (2, 2, 2)}


def test_void_is_audited_and_undo_restores(district):
    zz = district
    issue = _issue(zz)
    zz.ok(f"issue void {issue} --reason 不予整改")
    entry = zz.json("log --limit 1")[0]
    assert "作废问题" in entry["summary"] and entry["rows"][0]["after"]["void_reason"] == "不予整改"
    r = zz.ok("undo --yes")
    clean(r)
    rec = zz.json(f"issue show {issue}")
    assert rec["void_reason"] is None and rec["voided_on"] is None and rec["duplicate_of"] is None
    assert [i["id"] for i in zz.json("issue list")] == [issue]
    assert zz.json("issue list --void") == []


def test_void_leaves_the_public_report_and_milestones(district):
    zz = district
    issue = _issue(zz, unit="下朱庄")
    _fix(zz, issue)

    def state():
        public = zz.json("report public")["totals"]
        unit = next(u for u in zz.json("phase")["units"] if u["unit"] == "下朱庄街道")
        done = {m["key"]: m["done_on"] is not None for m in unit["milestones"]}
        return public["issues"], public["fixes"], done["issue_list"], done["fix_list"]

    assert state() == (1, 1, True, True)
    zz.ok(f"issue void {issue} --reason 不属实")
    assert state() == (0, 0, False, False)
    zz.ok("undo --yes")
    assert state() == (1, 1, True, True)
