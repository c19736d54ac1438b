"""zz check (四查四看) and zz rule (制度清单)."""

from zzcheck import refused


def test_check_add_and_list(district):
    zz = district
    rec = zz.json(["check", "add", "--unit", "杨村", "--item", "3", "--date", "2017年4月15日", "--result", "发现问题3个"])
    assert (rec["unit"], rec["item"], rec["check"], rec["look"], rec["date"]) == (
        "杨村街道", 3, "查政务服务开展情况", "看群众评价好不好", "2017-04-15")
    zz.ok("check add --unit 梅厂镇 --item 一 --date 2017-04-16")
    assert [c["unit"] for c in zz.json("check list")] == ["杨村街道", "梅厂镇"]
    assert [c["item"] for c in zz.json("check list --unit 梅厂")] == [1]


def test_check_refusals(district):
    refused(district, "check add --unit 杨村 --item 5 --date 2017-04-15", "四查四看", "1–4")
    refused(district, "check add --unit 杨村 --item 1 --date 2017-02-30", "日期")
    refused(district, "check add --unit 街道 --item 1 --date 2017-04-15", "可指多个单位")
    refused(district, "check add --unit 杨村 --item 1", "--date", status=2)


def test_rule_add_done_list(district):
    zz = district
    issue = zz.json(["issue", "add", "x", "--unit", "杨村", "--area", "4"])["id"]
    rule = zz.json(["rule", "add", "首问负责制度", "--unit", "杨村", "--action", "立", "--due", "2017/6/30", "--issue", str(issue)])
    assert (rule["unit"], rule["title"], rule["action"], rule["due_on"], rule["status"]) == ("杨村街道", "首问负责制度", "立", "2017-06-30", "未完成")
    assert rule["issue_ids"] == [issue]
    assert zz.json(f"issue show {issue}")["rules"][0]["title"] == "首问负责制度"
    done = zz.json(["rule", "done", str(rule["id"]), "--date", "2017-06-20", "--doc-no", "杨村街道〔2017〕12号"])
    assert (done["status"], done["done_on"], done["doc_no"]) == ("已完成", "2017-06-20", "杨村街道〔2017〕12号")
    zz.ok("rule add 公文处理办法 --unit 梅厂镇 --action 改")
    assert [r["title"] for r in zz.json("rule list --unit 杨村")] == ["首问负责制度"]
    assert [r["action"] for r in zz.json("rule list")] == ["立", "改"]
    refused(zz, f"rule done {rule['id']}", "已是“已完成”")


def test_rule_refusals(district):
    zz = district
    other = zz.json(["issue", "add", "x", "--unit", "梅厂镇", "--area", "4"])["id"]
    refused(zz, "rule add 某制度 --unit 杨村 --action 建", "立改废", "立、改、废")
    refused(zz, f"rule add 某制度 --unit 杨村 --action 立 --issue {other}", "不属于“杨村街道”")
    refused(zz, "rule add 某制度 --unit 杨村 --action 立 --issue 999", "没有编号为 999 的问题")
    refused(zz, "rule add 某制度 --unit 杨村 --action 立 --due 2017-13-01", "计划完成时间")
    refused(zz, "rule done 999", "没有编号为 999 的制度")
