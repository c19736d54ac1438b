"""Summary reports (总结报告, due 12-10): marked with date and 文号; who is late shows in zz phase and the bulletin."""


def _summary(data, unit):
    u = next(x for x in data["units"] if x["unit"] == unit)
    return next(m for m in u["milestones"] if m["name"] == "总结报告")


def test_who_is_late_with_the_summary_report(district, tmp_path):
    zz = district
    marked = zz.json(["milestone", "done", "杨村", "总结报告", "--date", "2017-12-08", "--ref", "杨村街道〔2017〕45号"])
    assert marked["state"] == "已完成" and marked["due_on"] == "2017-12-10"
    zz.ok("milestone done 梅厂 总结报告 --date 2017-12-15")

    before_due = zz.json("phase --as-of 2017-12-01")
    assert _summary(before_due, "下朱庄街道")["state"] == "未到期"
    assert _summary(before_due, "梅厂镇")["state"] == "未到期"  # submitted later than this day

    after = zz.json("phase --as-of 2017-12-20")
    yc = _summary(after, "杨村街道")
    assert yc["state"] == "已完成" and yc["done_on"] == "2017-12-08" and yc["ref"] == "杨村街道〔2017〕45号"
    assert _summary(after, "梅厂镇")["state"] == "逾期完成"
    late = sorted(u["unit"] for u in after["units"] if _summary(after, u["unit"])["state"] == "已逾期")
    assert late == sorted(["下朱庄街道", "区政务服务中心", "区行政审批局"])

    table = zz.ok("phase --as-of 2017-12-20 --unit 下朱庄").stdout
    assert "✗" in table and "已逾期节点" in table

    # the December bulletin names the units still without a summary report
    out = tmp_path / "通报.md"
    zz.ok(f"bulletin --month 2017-12 -o {out} --date 2018-01-05")
    lagging = {u["unit"]: u["missed_milestones"] for u in zz.json("bulletin --month 2017-12")["lagging_units"]}
    assert "总结报告" in lagging["下朱庄街道"]
    assert "总结报告" not in lagging.get("梅厂镇", [])  # in by the month's end, though late
    assert "总结报告" not in lagging.get("杨村街道", [])


def test_summary_report_marking_refusals(district):
    zz = district
    r = zz("milestone done 不存在 总结报告 --date 2017-12-08")
    assert r.exit_code == 1 and "单位" in r.stderr
    r = zz("milestone done 杨村 接受督查 --date 2017-09-01")  # any milestone may be set by hand (SPEC §4, round 2)
    assert r.exit_code == 0
