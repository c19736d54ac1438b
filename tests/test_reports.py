"""zz report phases|monthly|summary: figures checked against a register built here, every sheet
read back with openpyxl, and `--json` equal to the workbook.

The register (June 2017, D = 2017-06-30, last month ends 05-31):
  杨村街道  I1 效能意识/自查 found 04-12: F1 due 05-31 done 05-20 销号 06-05; F2 due 06-10 open (黄, 20 days)
            I2 服务意识/群众投诉 found 05-03: F3 长期坚持
  下朱庄街道 I3 效能意识/督查 found 06-15: F4 due 06-28 done 06-27; F5 due 06-25 open (蓝, 5 days)
  梅厂镇    I4 政治意识/自查 found 04-01: F6 due 05-15 open (红, 46 days); F7 due 07-31 done 07-05 (after D)
  区行政审批局 I5 found 07-10 (after D) with F8 — not in June's figures
  区政务服务中心: nothing — listed all the same
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from zhengzhi_cli.reports import worst_first


def _build(zz):
    def issue(text, unit, area, source, found):
        return zz.json(["issue", "add", text, "--unit", unit, "--area", area, "--source", source, "--found", found,
                        "--owner", "王明", "--leader", "李强"])["id"]

    def fix(issue_id, task, deadline):
        return zz.json(["fix", "add", str(issue_id), task, "--deadline", deadline])["id"]

    i1 = issue("窗口办事拖沓", "杨村", "效能意识", "自查", "2017-04-12")
    f1 = fix(i1, "推行首问负责制", "2017-05-31")
    fix(i1, "=开展窗口作风整顿", "2017-06-10")  # a formula-looking text stays text
    i2 = issue("服务态度生硬", "杨村", "服务意识", "群众投诉", "2017-05-03")
    fix(i2, "建立服务评价机制", "长期坚持")
    i3 = issue("审批环节繁琐", "下朱庄", "效能意识", "督查", "2017-06-15")
    f4 = fix(i3, "精简审批环节", "2017-06-28")
    fix(i3, "公开办事指南", "2017-06-25")
    i4 = issue("学习传达不及时", "梅厂镇", "政治意识", "自查", "2017-04-01")
    fix(i4, "建立学习传达台账", "2017-05-15")
    f7 = fix(i4, "班子成员分片督导", "2017-07-31")
    i5 = issue("亲商服务不实", "区行政审批局", "亲商意识", "自查", "2017-07-10")
    fix(i5, "走访企业", "2017-07-20")
    zz.ok(f"fix done {f1} --date 2017-05-20")
    zz.ok(f"fix verify {f1} --by 张华 --date 2017-06-05")
    zz.ok(f"fix done {f4} --date 2017-06-27")
    zz.ok(f"fix done {f7} --date 2017-07-05")


@pytest.fixture
def june(district):
    _build(district)
    return district


def _unit(data, name):
    return next(u for u in data["units"] if u["unit"] == name)


def test_monthly_figures(june):
    data = june.json("report monthly --month 2017-06")
    assert data["as_of"] == "2017-06-30" and data["previous_as_of"] == "2017-05-31"
    ov = data["overview"]
    assert (ov["units"], ov["issues"], ov["fixes"], ov["ongoing"]) == (5, 4, 7, 1)
    # F7 was completed on 07-05 with no step before: on 06-30 it was 未开始 (SPEC §5a)
    assert (ov["not_started"], ov["in_progress"], ov["done"], ov["verified"]) == (4, 0, 1, 1)
    assert (ov["due"], ov["due_done"], ov["completion_rate"]) == (5, 2, 0.4)
    assert (ov["overdue"], ov["overdue_blue"], ov["overdue_yellow"], ov["overdue_red"]) == (3, 1, 1, 1)
    assert ov["issue_status"] == {"未整改": 2, "整改中": 2, "已整改": 0, "已销号": 0}

    yc = _unit(data, "杨村街道")
    assert (yc["issues"], yc["fixes"], yc["ongoing"], yc["verified"], yc["not_started"]) == (2, 3, 1, 1, 1)
    assert (yc["due"], yc["due_done"], yc["completion_rate"], yc["overdue_yellow"], yc["rank"]) == (2, 1, 0.5, 1, 1)
    xz = _unit(data, "下朱庄街道")
    assert (xz["done"], xz["overdue_blue"], xz["completion_rate"], xz["rank"]) == (1, 1, 0.5, 1)
    mc = _unit(data, "梅厂镇")
    assert (mc["in_progress"], mc["not_started"], mc["due"], mc["overdue_red"], mc["completion_rate"], mc["rank"]) == (0, 2, 1, 1, 0.0, 3)
    for empty in ("区行政审批局", "区政务服务中心"):  # listed, not hidden; nothing of July counts
        u = _unit(data, empty)
        assert (u["issues"], u["fixes"], u["completion_rate"], u["rank"]) == (0, 0, None, None)

    changes = {c["key"]: (c["this_month"], c["last_month"]) for c in data["changes"]}
    assert changes == {"issues_found": (1, 1), "fixes_completed": (1, 1), "fixes_verified": (1, 0), "newly_overdue": (2, 1)}
    standing = {s["key"]: (s["now"], s["before"]) for s in data["standing"]}
    assert standing["issues"] == (4, 3) and standing["due"] == (5, 2) and standing["overdue"] == (3, 1)
    assert standing["completion_rate"] == (0.4, 0.5)

    areas = {a["area"]: a for a in data["areas"]}
    assert len(areas) == 10 and areas["效能意识"]["issues"] == 2 and areas["服务意识"]["status"]["未整改"] == 1
    sources = {s["source"]: s["issues"] for s in data["sources"]}
    assert sources == {"自查": 2, "征求意见": 0, "督查": 1, "上级反馈": 0, "群众投诉": 1}
    od = data["overdue"]
    assert od["total"] == 3
    assert [(r["unit"], r["days_late"], r["tier"]) for r in od["rows"]] == [("梅厂镇", 46, "红"), ("杨村街道", 20, "黄"), ("下朱庄街道", 5, "蓝")]
    assert [r["description"] for r in data["new_issues"]["rows"]] == ["审批环节繁琐"]
    assert [r["task"] for r in data["verified_fixes"]["rows"]] == ["推行首问负责制"]


def test_monthly_is_as_of_month_end_even_when_run_later(june):
    """July's activity (F7 done 07-05, I5 found 07-10) is in July's report and not in June's."""
    july = june.json("report monthly --month 2017年7月")
    june_ = june.json("report monthly --month 2017-06")
    assert july["overview"]["issues"] == 5 and june_["overview"]["issues"] == 4
    assert _unit(july, "梅厂镇")["done"] == 1 and _unit(june_, "梅厂镇")["done"] == 0
    assert {c["key"]: c["last_month"] for c in july["changes"]} == {c["key"]: c["this_month"] for c in june_["changes"]}


def _sheet_rows(ws, header_first: str = "序号"):
    """Rows under the (last) header row whose first cell is `header_first`, up to 合计 or a blank."""
    rows = list(ws.iter_rows(values_only=True))
    start = max(i for i, r in enumerate(rows) if r and r[0] == header_first)
    while rows[start + 1][0] in (None, header_first, "合计"):  # a second header row; the 合计 row right under the header
        start += 1
    out = []
    for r in rows[start + 1:]:
        if r[0] in (None, "合计") or (isinstance(r[0], str) and r[0].startswith("说明")):
            break
        out.append(r)
    return out


def test_monthly_workbook_matches_json(june, tmp_path):
    out = tmp_path / "6月月报.xlsx"
    res = june.ok(["report", "monthly", "--month", "2017-06", "-o", str(out)])
    assert "已写出" in res.stderr and out.exists()
    data = june.json("report monthly --month 2017-06")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["总体情况", "图表", "分重点图表", "本月情况", "本月督查", "月度趋势", "分单位", "分重点", "分来源",
                             "逾期清单", "临期清单", "本月新增", "本月销号"]
    for ws in wb.worksheets:  # every sheet: A4 landscape, one page wide, header and footer
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
        assert "制表单位" in ws.oddHeader.left.text and "制表日期" in ws.oddHeader.right.text
        assert "&P" in ws.oddFooter.center.text
    units = wb["分单位"]
    assert units.freeze_panes and units.print_title_rows
    rows = _sheet_rows(units)
    ranked = worst_first(data["units"])  # the sheet lists the units worst first
    assert [r[1] for r in rows] == [u["unit"] for u in ranked]
    keys = ["issues", "fixes", "not_started", "in_progress", "done", "verified", "ongoing", "due", "due_done", "overdue",
            "overdue_blue", "overdue_yellow", "overdue_red", "completion_rate", "rank",
            "issues_found_in_month", "completed_in_month", "verified_in_month"]
    for r, u in zip(rows, ranked):
        assert list(r[3:3 + len(keys)]) == [u[k] for k in keys]
    total = next(r for r in units.iter_rows(values_only=True) if r[0] == "合计")
    assert total[3] == data["overview"]["issues"] and total[16] == data["overview"]["completion_rate"]
    notes = [r[0] for r in units.iter_rows(values_only=True) if isinstance(r[0], str) and r[0].startswith("说明")]
    assert notes and "完成率" in notes[0] and "长期坚持" in notes[0] and "蓝" in notes[0]

    areas = _sheet_rows(wb["分重点"])
    assert [(r[1], r[3]) for r in areas] == [(a["area"], a["issues"]) for a in data["areas"]]
    assert [list(r[5:9]) for r in areas] == [list(a["status"].values()) for a in data["areas"]]
    sources = _sheet_rows(wb["分来源"])
    assert [(r[1], r[2]) for r in sources] == [(s["source"], s["issues"]) for s in data["sources"]]

    overdue = _sheet_rows(wb["逾期清单"])
    assert [(r[1], r[6].date().isoformat(), r[8], r[9]) for r in overdue] == [
        (o["unit"], o["deadline"], o["days_late"], o["tier"]) for o in data["overdue"]["rows"]]
    red = next(c for c in wb["逾期清单"]["J"] if c.value == "红")
    assert red.fill.fgColor.rgb.endswith("FFC7CE")
    tasks = [c.value for c in wb["逾期清单"]["D"]]
    assert "=开展窗口作风整顿" in tasks  # written as text, not a formula
    assert [r[4] for r in _sheet_rows(wb["本月新增"])] == ["审批环节繁琐"]
    assert [r[3] for r in _sheet_rows(wb["本月销号"])] == ["推行首问负责制"]

    overview = {r[0]: r[1:4] for r in wb["本月情况"].iter_rows(values_only=True) if r[0]}
    for c in data["changes"]:
        assert overview[c["metric"]] == (c["this_month"], c["last_month"], c["delta"])
    for s in data["standing"]:
        assert overview[s["metric"]][:2] == (s["now"], s["before"])
    assert len(wb["图表"]._charts) == 1 and len(wb["分重点图表"]._charts) == 1
    assert len(wb["总体情况"]._charts) == 1  # the 6-month trend on page 1


def test_monthly_terminal_and_usage(june):
    res = june.ok("report monthly --month 2017-06")
    assert "分单位" in res.stdout and "杨村街道" in res.stdout and "本月变化" in res.stdout
    bad = june("report monthly --month 2017-13")
    assert bad.exit_code == 1 and "月份" in bad.stderr
    bad = june(["report", "monthly", "--month", "2017-06", "-o", "月报.xls"])
    assert bad.exit_code == 1 and ".xlsx" in bad.stderr


def _supervision(register_url):
    from zhengzhi_cli.db import Settings, open_session
    from zhengzhi_cli.models import Accountability, Inspection, InspectionUnit, Opinion, TypicalCase, Unit
    from sqlmodel import select

    with open_session(Settings(db=register_url)) as s:
        ids = {u.name: u.id for u in s.exec(select(Unit)).all()}
        insp = Inspection(kind="明察暗访", inspected_on=dt.date(2017, 7, 12), inspectors="区政府督查室")
        s.add(insp)
        s.flush()
        s.add(InspectionUnit(inspection_id=insp.id, unit_id=ids["杨村街道"]))
        s.add(Inspection(kind="集中督查", inspected_on=dt.date(2017, 12, 20)))  # after D: not counted
        s.add(Accountability(person="赵六", unit_id=ids["杨村街道"], measure="诫勉谈话", decided_on=dt.date(2017, 8, 1)))
        s.add(Accountability(person="钱七", unit_id=ids["梅厂镇"], measure="批评教育", decided_on=dt.date(2017, 8, 2)))
        s.add(Opinion(unit_id=ids["梅厂镇"], channel="座谈会", from_group="服务对象", content="办事慢", people=12,
                      received_on=dt.date(2017, 5, 6)))
        s.add(TypicalCase(kind="正面", unit_id=ids["下朱庄街道"], title="一窗受理见实效", published_on=dt.date(2017, 9, 1)))


def test_summary(june, register_url, tmp_path):
    zz = june
    rule = zz.json("rule add 首问负责制度 --unit 杨村 --action 立 --due 2017-06-30")
    zz.ok(f"rule done {rule['id']} --date 2017-06-20")
    zz.ok("rule add 会议审批办法 --unit 杨村 --action 废")
    for item in (1, 2, 3, 4):
        zz.ok(f"check add --unit 下朱庄 --item {item} --date 2017-05-{10 + item}")
    zz.ok("check add --unit 梅厂镇 --item 1 --date 2017-05-02")
    _supervision(register_url)
    data = zz.json("report summary --as-of 2017-12-10")
    assert data["as_of"] == "2017-12-10" and data["start"] == "2017-03-01"
    assert data["overview"]["issues"] == 5 and data["overview"]["fixes"] == 8
    assert [t["month"] for t in data["trend"]][0] == "2017-03" and sum(t["issues_found"] for t in data["trend"]) == 5
    sup = data["supervision"]
    assert sup["rules"]["立"] == {"total": 1, "done": 1} and sup["rules"]["废"] == {"total": 1, "done": 0}
    assert sup["checks_done"]["units_all_four"] == 1
    assert sup["inspections"]["total"] == 1 and sup["inspections"]["by_kind"]["明察暗访"] == 1
    assert sup["accountability"]["by_measure"] == {"批评教育": 1, "通报批评": 0, "诫勉谈话": 1, "组织处理": 0, "移交纪检": 0}
    assert sup["opinions"]["by_channel"]["座谈会"] == 1 and sup["opinions"]["people_by_channel"]["座谈会"] == 12
    assert sup["cases"]["by_kind"] == {"正面": 1, "反面": 0}
    yc = next(u for u in sup["units"] if u["unit"] == "杨村街道")
    assert (yc["inspections"], yc["accountability"], yc["rules_total"]) == (1, 1, 2)

    out = tmp_path / "总结.xlsx"
    zz.ok(["report", "summary", "--as-of", "2017-12-10", "-o", str(out)])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["总体情况", "图表", "分重点图表", "分单位", "分重点", "分来源", "逾期清单", "制度清单", "四查四看",
                             "督查问责", "督查分单位", "典型案例"]
    rules = _sheet_rows(wb["制度清单"])
    assert [(r[1], r[2], r[3], r[6], r[7]) for r in rules][0] == ("杨村街道", 1, 1, 1, 0)
    checks = _sheet_rows(wb["四查四看"])
    row = next(r for r in checks if r[1] == "下朱庄街道")
    assert row[2].date() == dt.date(2017, 5, 11) and row[6] == 4
    units = _sheet_rows(wb["分单位"])
    assert [r[3] for r in units] == [u["issues"] for u in worst_first(data["units"])]
    texts = [c for name in ("督查问责", "典型案例") for r in wb[name].iter_rows(values_only=True) for c in r if c is not None]
    assert "诫勉谈话" in texts and "一窗受理见实效" in texts
    assert "督查问责" in zz.ok("report summary --as-of 2017-12-10").stdout


def test_phases(district, tmp_path):
    zz = district
    zz.ok("milestone done 杨村 实施方案 --date 2017-03-20")
    zz.ok("milestone done 梅厂镇 实施方案 --date 2017-04-05")
    data = zz.json("report phases --as-of 2017-07-15")
    assert data["current_phase"]["name"] == "督查问责"
    assert [t["state"] for t in data["timeline"]] == ["已结束", "已结束", "进行中", "未开始"]
    p1 = data["phase_counts"][0]
    assert (p1["expected"], p1["done"], p1["done_late"], p1["late"]) == (15, 1, 1, 13)
    out = tmp_path / "阶段进度.xlsx"
    zz.ok(["report", "phases", "--as-of", "2017-07-15", "-o", str(out)])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["阶段进度", "阶段完成情况", "节点完成情况", "节点矩阵"]
    matrix = _sheet_rows(wb["节点矩阵"])
    assert [r[1] for r in matrix] == [u["unit"] for u in data["units"]]
    yc = next(r for r in matrix if r[1] == "杨村街道")
    assert yc[2] == "已完成\n03-20"
    cell = next(c for c in wb["节点矩阵"]["C"] if c.value == "已完成\n03-20")
    assert cell.fill.fgColor.rgb.endswith("C6EFCE")
    mc = next(r for r in matrix if r[1] == "梅厂镇")
    assert mc[2] == "逾期完成\n04-05"
    counts = [r for r in wb["阶段完成情况"].iter_rows(values_only=True) if r[1] == "动员部署" and isinstance(r[2], int)]
    assert [list(r[2:8]) for r in counts] == [[3, 15, 1, 1, 13, 0]]
    assert "单位 × 节点" in zz.ok("report phases --as-of 2017-07-15").stdout


def test_write_monthly_for_demo(june, register_url, tmp_path):
    from zhengzhi_cli import reports
    from zhengzhi_cli.db import Settings, open_session

    with open_session(Settings(db=register_url), write=False) as session:
        path = reports.write_monthly(session, month="2017-06", path=tmp_path / "月报.xlsx")
    assert path.exists() and openpyxl.load_workbook(path).sheetnames[0] == "总体情况"


def test_an_old_months_report_is_not_changed_by_later_activity(district):
    """June's report is the same whether run at the end of June or after July–October's work:
    later completions, 销号, returns and new issues with their fixes never leak into it.
    (Known limit: a fix added later to an earlier issue counts from its issue.)"""
    zz = district
    issues = []
    for i, (unit, area, found) in enumerate([("杨村", 6, "2017-05-10"), ("杨村", 4, "2017-06-02"), ("梅厂", 7, "2017-06-20"),
                                             ("下朱庄", 1, "2017-04-28"), ("梅厂", 9, "2017-05-30")]):
        issues.append(zz.json(["issue", "add", f"问题{i}", "--unit", unit, "--area", str(area), "--found", found, "--owner", "王明"]))
    fixes = [zz.json(["fix", "add", str(issues[k]["id"]), f"整改{k}", "--deadline", dl])
             for k, dl in [(0, "2017-05-31"), (0, "长期坚持"), (1, "2017-06-30"), (2, "2017-07-31"), (3, "2017-06-15"), (4, "2017-06-30")]]
    zz.ok(["fix", "done", str(fixes[0]["id"]), "--date", "2017-05-28"])
    zz.ok(["fix", "verify", str(fixes[0]["id"]), "--by", "张华", "--date", "2017-06-05"])
    for k in (2, 3, 5):
        zz.ok(["fix", "progress", str(fixes[k]["id"]), "正在推进", "--date", "2017-06-10"])
    zz.ok(["fix", "done", str(fixes[4]["id"]), "--date", "2017-06-14"])

    def june():
        report = zz.json(["report", "monthly", "--month", "2017-06"])
        report.pop("prepared_on", None)
        return report

    at_end_of_june = june()
    assert at_end_of_june["overview"]["fixes"] == 6
    # July to October: completions, 销号, a return, late work on June's overdue fix, a new issue with its fix
    zz.ok(["fix", "done", str(fixes[2]["id"]), "--date", "2017-07-08"])
    zz.ok(["fix", "verify", str(fixes[4]["id"]), "--by", "张华", "--date", "2017-07-02"])
    zz.ok(["fix", "done", str(fixes[5]["id"]), "--date", "2017-08-01"])
    zz.ok(["fix", "return", str(fixes[5]["id"]), "--by", "张华", "--reason", "佐证不足", "--date", "2017-08-05"])
    zz.ok(["fix", "done", str(fixes[3]["id"]), "--date", "2017-09-01"])
    zz.ok(["fix", "verify", str(fixes[3]["id"]), "--by", "张华", "--date", "2017-09-05"])
    later = zz.json(["issue", "add", "九月发现的问题", "--unit", "杨村", "--area", "6", "--found", "2017-09-12"])
    zz.ok(["fix", "add", str(later["id"]), "九月的整改", "--deadline", "2017-10-31"])
    assert june() == at_end_of_june


def test_monthly_counts_the_months_supervision(district, tmp_path):
    zz = district
    zz.ok(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-06-12", "--finding", "窗口脱岗",
           "--as-issue", "--area", "7"])
    zz.ok(["inspect", "add", "--unit", "梅厂", "--kind", "集中督查", "--date", "2017-07-03"])
    zz.ok(["accountability", "add", "王明", "--unit", "杨村", "--measure", "诫勉谈话", "--date", "2017-06-20"])
    zz.ok(["opinion", "add", "办事跑多趟", "--unit", "杨村", "--channel", "座谈会", "--from", "服务对象", "--count", "5",
           "--date", "2017-06-08"])
    zz.ok(["case", "add", "推行延时服务", "--kind", "正面", "--unit", "杨村", "--date", "2017-06-01", "--published", "2017-06-05"])
    june = zz.json(["report", "monthly", "--month", "2017-06"])["supervision_month"]
    assert june["inspections"]["by_kind"] == {"明察暗访": 1, "抽查检查": 0, "集中督查": 0}
    assert june["accountability"]["by_measure"]["诫勉谈话"] == 1 and june["accountability"]["total"] == 1
    assert june["opinions"]["by_channel"]["座谈会"] == 1 and june["cases"]["by_kind"] == {"正面": 1, "反面": 0}
    assert [r["count"] for r in june["rows"]] == [1, 1, 1, 1]
    out = tmp_path / "6月.xlsx"
    zz.ok(["report", "monthly", "--month", "2017-06", "-o", out])
    from openpyxl import load_workbook

    ws = load_workbook(out)["本月督查"]
    cells = {str(c.value): c for row in ws.iter_rows() for c in row if c.value is not None}
    assert "督查问责（本月）" in cells
    label = cells["督查（次）"]
    assert ws.cell(label.row, label.column + 1).value == 1
    assert "明察暗访 1" in ws.cell(label.row, label.column + 2).value


def test_editing_when_an_issue_was_found_moves_it_between_months(district):
    zz = district
    issue = zz.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--found", "2017-07-05"])
    zz.ok(["fix", "add", str(issue["id"]), "推行首问负责制", "--deadline", "2017-06-30"])
    assert zz.json(["report", "monthly", "--month", "2017-06"])["overview"]["fixes"] == 0
    zz.ok(["issue", "edit", str(issue["id"]), "--found", "2017-06-10"])
    june = zz.json(["report", "monthly", "--month", "2017-06"])["overview"]
    assert june["issues"] == 1 and june["fixes"] == 1
