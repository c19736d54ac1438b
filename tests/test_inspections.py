"""zz inspect: inspections, their findings as issues (source 督查), the 接受督查 milestone, the monthly feedback."""

import zipfile

import openpyxl


def changes(zz) -> int:
    return len(zz.json("log --limit 10000"))


def test_inspection_with_finding_as_issue(district):
    zz = district
    rec = zz.json(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-12", "--by", "督查室张华、刘强",
                   "--finding", "窗口人员上班时间脱岗", "--as-issue", "--area", "规矩意识"])
    assert rec["kind"] == "明察暗访" and rec["units"] == ["杨村街道"] and rec["inspected_on"] == "2017-07-12"
    assert rec["inspectors"] == "督查室张华、刘强" and rec["findings"] == ["窗口人员上班时间脱岗"]
    [found] = rec["issues"]
    issue = zz.json(f"issue show {found['id']}")
    assert issue["source"] == "督查" and issue["inspection_id"] == rec["id"] and issue["found_on"] == "2017-07-12"
    assert issue["area"] == "规矩意识" and issue["unit"] == "杨村街道"
    shown = zz.json(f"inspect show {rec['id']}")
    assert shown["issues"][0]["description"] == "窗口人员上班时间脱岗"


def test_several_units_findings_name_their_unit(district):
    zz = district
    rec = zz.json(["inspect", "add", "--unit", "杨村、梅厂", "--unit", "D13", "--kind", "集中督查", "--date", "2017/8/3",
                   "--finding", "杨村：值班表未公示", "--finding", "梅厂镇：台账不全", "--as-issue", "--area", "6"])
    assert rec["units"] == ["杨村街道", "梅厂镇", "区行政审批局"]
    assert [(i["unit"], i["description"]) for i in rec["issues"]] == [("杨村街道", "值班表未公示"), ("梅厂镇", "台账不全")]
    # a finding registered afterwards, for one of the units visited
    later = zz.json(["inspect", "finding", str(rec["id"]), "审批超时", "--unit", "审批局", "--area", "效能意识"])
    assert later["source"] == "督查" and later["inspection_id"] == rec["id"] and later["unit"] == "区行政审批局"
    assert len(zz.json(f"inspect show {rec['id']}")["issues"]) == 3
    before = changes(zz)
    r = zz(["inspect", "finding", str(rec["id"]), "不属于被督查单位", "--unit", "下朱庄", "--area", "6"])
    assert r.exit_code == 1 and "没有督查" in r.stderr
    r = zz(["inspect", "add", "--unit", "杨村、梅厂", "--kind", "集中督查", "--date", "2017-08-03",
            "--finding", "没写单位的发现", "--as-issue", "--area", "6"])
    assert r.exit_code == 1 and "--finding" in r.stderr and "杨村街道" in r.stderr
    assert changes(zz) == before and len(zz.json("inspect list")) == 1


def test_being_inspected_is_the_phase3_milestone(district):
    zz = district
    zz.ok("inspect add --unit 杨村 --kind 抽查检查 --date 2017-08-20")
    zz.ok("inspect add --unit 梅厂 --kind 抽查检查 --date 2017-10-09")
    units = {u["unit"]: {m["name"]: m for m in u["milestones"]} for u in zz.json("phase --as-of 2017-10-10")["units"]}
    assert units["杨村街道"]["接受督查"]["state"] == "已完成" and units["杨村街道"]["接受督查"]["done_on"] == "2017-08-20"
    assert units["梅厂镇"]["接受督查"]["state"] == "逾期完成"
    assert units["下朱庄街道"]["接受督查"]["state"] == "已逾期"


def test_list_filters(district):
    zz = district
    zz.ok("inspect add --unit 杨村 --kind 明察暗访 --date 2017-07-12")
    zz.ok("inspect add --unit 梅厂 --kind 抽查检查 --date 2017-08-02")
    assert [r["kind"] for r in zz.json("inspect list --month 2017-08")] == ["抽查检查"]
    assert [r["units"] for r in zz.json("inspect list --unit 杨村")] == [["杨村街道"]]
    assert len(zz.json("inspect list --kind 明察暗访")) == 1
    assert "明察暗访" in zz.ok("inspect list").stdout


def test_refusals_write_nothing(district):
    zz = district
    before = changes(zz)
    r = zz("inspect add --unit 杨村 --kind 走访 --date 2017-07-12")  # (暗访 is the one kind 明察暗访)
    assert r.exit_code == 1 and "督查形式" in r.stderr and "明察暗访、抽查检查、集中督查" in r.stderr
    r = zz("inspect add --unit 不存在的单位 --kind 明察暗访 --date 2017-07-12")
    assert r.exit_code == 1 and "单位" in r.stderr
    r = zz("inspect add --unit 杨村 --kind 明察暗访 --date 2017-07-12 --finding 脱岗 --as-issue")
    assert r.exit_code == 1 and "整治重点" in r.stderr
    r = zz("inspect add --unit 杨村 --kind 明察暗访 --date 7月32日")  # (7月12日 is 2017-07-12: the plan's year)
    assert r.exit_code == 1 and "督查日期" in r.stderr
    r = zz("inspect show 99")
    assert r.exit_code == 1 and "督查编号" in r.stderr
    assert zz("inspect add --unit 杨村 --date 2017-07-12").exit_code == 2  # no prompt in a script
    assert changes(zz) == before and zz.json("inspect list") == []


def test_date_outside_campaign_is_warned(district):
    r = district.ok("inspect add --unit 杨村 --kind 明察暗访 --date 2018-01-05")
    assert "不在专项整治期间" in r.stderr and "2018-01-05" in r.stderr
    assert "已登记督查" in r.stdout


def test_monthly_feedback_report(district, tmp_path):
    zz = district
    zz.ok(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-12", "--by", "张华",
           "--finding", "=HYPERLINK(\"x\")", "--as-issue", "--area", "7"])
    zz.ok("inspect add --unit 梅厂 --kind 集中督查 --date 2017-07-20 --finding 台账不全 --as-issue --area 6")
    zz.ok("accountability add 王明 --unit 杨村 --measure 批评教育 --date 2017-07-25")
    data = zz.json("inspect report --month 2017-07")
    t = data["totals"]
    assert t["inspections"] == 2 and t["units_inspected"] == 2 and t["issues_found"] == 2
    assert t["by_kind"] == {"明察暗访": 1, "抽查检查": 0, "集中督查": 1}
    assert t["issues_by_status"]["未整改"] == 2 and t["accountability_by_measure"]["批评教育"] == 1
    out = tmp_path / "反馈.xlsx"
    r = zz.ok(f"inspect report --month 2017-07 -o {out}")
    assert "已写入" in r.stdout and out.exists()
    wb = openpyxl.load_workbook(out)
    ws = wb["督查情况"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9 and ws.print_title_rows == "$1:$2"
    with zipfile.ZipFile(out) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # the finding that looks like a formula is text
    md = tmp_path / "反馈.md"
    zz.ok(f"inspect report --month 2017-07 -o {md}")
    assert "台账不全" in md.read_text(encoding="utf-8")
    assert "督查" in zz.ok("inspect report --month 2017-07").stdout


def test_monthly_feedback_empty_month_and_bad_file(district, tmp_path):
    zz = district
    out = tmp_path / "空.xlsx"
    r = zz.ok(f"inspect report --month 2017-05 -o {out}")
    assert "没有督查记录" in r.stdout and not out.exists()
    zz.ok("inspect add --unit 梅厂 --kind 集中督查 --date 2017-07-20")
    r = zz(f"inspect report --month 2017-07 -o {tmp_path / 'x.pdf'}")
    assert r.exit_code == 1 and "-o" in r.stderr and not (tmp_path / "x.pdf").exists()
    r = zz("inspect report --month 2017-13")
    assert r.exit_code == 1 and "月份" in r.stderr
