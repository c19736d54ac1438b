"""zz phase and zz milestone done: milestone states (已完成, 逾期完成, 已逾期, 未到期),
derived from data or marked by hand."""

from zzcheck import refused


def states(zz, unit, as_of):
    data = zz.json(["phase", "--as-of", as_of, "--unit", unit])
    assert data["as_of"] == as_of
    return {m["name"]: (m["state"], m["done_on"]) for m in data["units"][0]["milestones"]}


def test_phase_json_shape(district):
    data = district.json("phase --as-of 2017-05-01")
    assert data["current_phase"] == {"no": 2, "name": "自查自纠", "start": "2017-03-31", "end": "2017-06-30"}
    assert [u["unit"] for u in data["units"]] == ["杨村街道", "下朱庄街道", "梅厂镇", "区行政审批局", "区政务服务中心"]
    ms = data["units"][0]["milestones"]
    assert [m["name"] for m in ms] == ["实施方案", "领导机构", "动员会议", "四查四看", "问题清单", "整改清单", "制度清单", "接受督查", "总结报告"]
    assert set(ms[0]) >= {"name", "phase", "due_on", "state", "done_on"}
    assert district.json("phase --as-of 2018-01-05")["current_phase"] is None


def test_manual_milestone_states(district):
    zz = district
    assert states(zz, "杨村", "2017-03-20")["实施方案"] == ("未到期", None)
    assert states(zz, "杨村", "2017-04-01")["实施方案"] == ("已逾期", None)
    rec = zz.json("milestone done 杨村 实施方案 --date 2017-03-25")
    assert (rec["state"], rec["done_on"]) == ("已完成", "2017-03-25")
    zz.ok("milestone done 杨村 领导机构 --date 2017-04-05")
    s = states(zz, "杨村", "2017-04-10")
    assert s["实施方案"] == ("已完成", "2017-03-25")
    assert s["领导机构"] == ("逾期完成", "2017-04-05")
    assert s["动员会议"] == ("已逾期", None)
    # as of a day before it was done, it was not done yet
    assert states(zz, "杨村", "2017-04-04")["领导机构"] == ("已逾期", None)
    assert states(zz, "杨村", "2017-03-24")["实施方案"] == ("未到期", None)
    summary = zz.json(["milestone", "done", "杨村", "总结报告", "--date", "2017-12-10", "--ref", "杨村街道〔2017〕45号"])
    assert (summary["state"], summary["due_on"], summary["ref"]) == ("已完成", "2017-12-10", "杨村街道〔2017〕45号")
    assert states(zz, "杨村", "2017-12-11")["总结报告"][0] == "已完成"


def test_milestone_refusals(district):
    refused(district, "milestone done 杨村 年中总结", "节点", "不是本方案的节点", "总结报告")
    refused(district, "milestone done 杨村 实施方案 --date 2017-02-30", "日期")
    refused(district, "milestone done 街道 实施方案", "可指多个单位")


def test_derived_milestones(district):
    zz = district
    for item in (1, 2, 3):
        zz.ok(f"check add --unit 杨村 --item {item} --date 2017-05-0{item}")
    assert states(zz, "杨村", "2017-07-01")["四查四看"] == ("已逾期", None)  # only 3 of 4 items
    zz.ok("check add --unit 杨村 --item 4 --date 2017-07-05")
    s = states(zz, "杨村", "2017-07-10")
    assert s["四查四看"] == ("逾期完成", "2017-07-05")
    assert s["问题清单"] == ("已逾期", None)
    zz.ok(["issue", "add", "x", "--unit", "梅厂镇", "--area", "1"])
    import datetime as dt

    today = dt.date.today().isoformat()
    assert states(zz, "梅厂镇", "2030-01-01")["问题清单"] == ("逾期完成" if today > "2017-06-30" else "已完成", today)
    assert states(zz, "下朱庄", "2017-06-01")["整改清单"] == ("未到期", None)


def test_phase_table(district):
    out = district.ok("phase --as-of 2017-07-01").stdout
    assert "当前阶段：督查问责" in out and "已逾期节点" in out
