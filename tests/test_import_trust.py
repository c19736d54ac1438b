"""Issue #9: the import never stores a wrong row, and reads what units really send.

Each test is one defect seen by a user: it failed before the change that fixed it."""

import json

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.zzcheck import FIX_HEADERS, ISSUE_HEADERS, book, issues_of

COMBINED = ["序号", "整治重点", "问题描述", "整改措施", "整改时限", "整改状态", "完成日期"]


def one_issue(zz, **by_seq):
    return {i["seq"]: i for i in issues_of(zz)}


def refused(zz, args):
    r = zz(list(args) + ["--json"])
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr
    return json.loads(r.stdout)["files"][0]["problems"]


# ---------------------------------------------------------------- identity and authority


def test_a_units_workbook_never_touches_what_the_office_entered(district, tmp_path):
    district.ok("issue add 窗口办事拖沓 --unit 杨村 --area 效能意识 --found 2017-04-01")
    (office,) = issues_of(district)
    fix = district.json(f"fix add {office['id']} 推行首问负责制 --deadline 2017-06-30 --owner 王明")
    district.ok(f"fix extend {fix['id']} --to 2017-08-31 --approver 李区长 --reason 涉及系统改造")
    path = book(tmp_path / "杨村.xlsx", {
        "问题清单": (ISSUE_HEADERS, [[1, "服务意识", "自查", None, "单位自己的问题", "2017-04-20"]]),
        "整改清单": (FIX_HEADERS, [[1, 1, "单位自己的措施", None, None, "2017-05-31", "整改中"]])})
    result = district.json(["import", path])
    assert result["files"][0]["sheets"]["问题清单"] == {"new": 1, "updated": 0, "unchanged": 0}
    issues = sorted(issues_of(district), key=lambda i: i["id"])
    assert issues[0]["description"] == "窗口办事拖沓" and issues[0]["fixes"][0]["task"] == "推行首问负责制"
    assert issues[0]["fixes"][0]["deadline"] == "2017-08-31" and issues[0]["fixes"][0]["original_deadline"] == "2017-06-30"
    assert issues[1]["description"] == "单位自己的问题" and issues[1]["fixes"][0]["task"] == "单位自己的措施"
    again = district.json(["import", path])
    assert again["new"] == 0 and again["updated"] == 0 and len(issues_of(district)) == 2


def test_an_approved_extension_survives_the_units_next_workbook(district, tmp_path):
    rows = {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "审批慢", "2017-04-01"]]),
            "整改清单": (FIX_HEADERS, [[1, 1, "压缩时限", None, "王明", "2017-06-30", "整改中"]])}
    district.ok(["import", book(tmp_path / "a.xlsx", rows)])
    fix = issues_of(district)[0]["fixes"][0]
    district.ok(f"fix extend {fix['id']} --to 2017-09-30 --approver 李区长 --reason 系统改造")
    again = district.json(["import", book(tmp_path / "a.xlsx", rows)])  # the unit still writes its first deadline
    assert again["updated"] == 0
    assert issues_of(district)[0]["fixes"][0]["deadline"] == "2017-09-30"
    rows["整改清单"] = (FIX_HEADERS, [[1, 1, "压缩时限", None, "王明", "2017-12-31", "整改中"]])
    problems = refused(district, ["import", book(tmp_path / "a.xlsx", rows)])
    assert [(p["row"], p["column"]) for p in problems] == [(4, "整改时限")] and "延期" in problems[0]["why"]


def test_the_office_verification_is_never_wiped_by_a_unit(district, tmp_path):
    rows = {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "审批慢", "2017-04-01"]]),
            "整改清单": (FIX_HEADERS, [[1, 1, "压缩时限", None, "王明", "2017-06-30", "已完成", "2017-06-01"]])}
    district.ok(["import", book(tmp_path / "a.xlsx", rows)])
    fix = issues_of(district)[0]["fixes"][0]
    district.ok(f"fix verify {fix['id']} --by 督查室张三 --date 2017-06-10")
    assert district.json(["import", book(tmp_path / "a.xlsx", rows)])["updated"] == 0
    rows["整改清单"] = (FIX_HEADERS, [[1, 1, "压缩时限", None, "王明", "2017-06-30", "未开始"]])
    problems = refused(district, ["import", book(tmp_path / "a.xlsx", rows)])
    assert problems[0]["column"] == "整改状态" and "销号" in problems[0]["why"]
    fix = issues_of(district)[0]["fixes"][0]
    assert (fix["status"], fix["verified_by"], fix["verified_on"]) == ("已销号", "督查室张三", "2017-06-10")


def test_a_unit_cannot_close_its_own_items(district, tmp_path):
    rows = {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "审批慢", "2017-04-01"]]),
            "整改清单": (FIX_HEADERS + ["销号日期", "销号人"],
                     [[1, 1, "压缩时限", None, "王明", "2017-06-30", "已销号", "2017-06-01", None, None, "2017-06-02", "王明"]])}
    district.ok(["import", book(tmp_path / "a.xlsx", rows)])
    fix = issues_of(district)[0]["fixes"][0]
    assert (fix["status"], fix["verified_by"], fix["verified_on"], fix["claimed"]) == ("已完成", None, None, True)
    assert [f["id"] for f in district.json("fix list --claimed")] == [fix["id"]]
    district.ok(f"fix verify {fix['id']} --by 督查室张三 --date 2017-06-10")
    assert district.json("fix list --claimed") == []


def test_the_template_does_not_offer_verification(district, tmp_path):
    district.ok(["template", "-o", tmp_path / "t.xlsx", "--unit", "杨村"])
    wb = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx"))
    options = wb.get_sheet_by_name("选项").to_python()
    assert "已销号" not in {c for row in options for c in row}
    assert "已完成" in {c for row in options for c in row}


def test_a_units_file_with_a_unit_column_touches_that_unit_only(district, tmp_path):
    rows = (["单位"] + ISSUE_HEADERS, [["杨村街道", 1, "效能意识", "自查", None, "甲", "2017-04-01"],
                                      ["梅厂镇", 1, "效能意识", "自查", None, "乙", "2017-04-01"]])
    path = book(tmp_path / "a.xlsx", {"问题清单": rows})  # its 填报单位 line says 杨村街道
    problems = refused(district, ["import", path])
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [(5, "单位", "梅厂镇")]
    assert issues_of(district) == []


def test_the_office_ledger_round_trip_and_a_stale_ledger(district, tmp_path):
    rows = {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "审批慢", "2017-04-01"],
                                       [2, "服务意识", "自查", None, "态度差", "2017-04-02"]]),
            "整改清单": (FIX_HEADERS, [[1, 1, "压缩时限", None, "王明", "2017-06-30", "已完成", "2017-06-01"],
                                     [2, 2, "培训", None, "李四", "2017-06-30", "整改中"]])}
    district.ok(["import", book(tmp_path / "a.xlsx", rows)])
    fix = {f["seq"]: f for i in issues_of(district) for f in i["fixes"]}
    district.ok(f"fix verify {fix[1]['id']} --by 督查室张三 --date 2017-06-10")
    district.ok(["export", "ledger", "-o", tmp_path / "ledger.xlsx"])
    # the office's own ledger carries its 销号 back in unchanged
    assert district.json(["import", tmp_path / "ledger.xlsx"])["updated"] == 0
    district.ok(f"fix progress {fix[2]['id']} 已培训两期 --date 2017-06-15")  # a later change to row 2
    # someone edits the old ledger: 态度差 → a new text, and sends it back
    wb = openpyxl.load_workbook(tmp_path / "ledger.xlsx")
    ws = wb["整改清单"]
    for row in ws.iter_rows(min_row=4):
        if row[1].value == 2:
            row[3].value = "改过的措施"
    wb.save(tmp_path / "ledger.xlsx")
    problems = refused(district, ["import", tmp_path / "ledger.xlsx"])
    assert len(problems) == 1 and "导出本台账之后又改过" in problems[0]["why"] and problems[0]["sheet"] == "整改清单"
    assert fix[2]["task"] == "培训" == {f["seq"]: f for i in issues_of(district) for f in i["fixes"]}[2]["task"]


# ---------------------------------------------------------------- reading by meaning


def test_status_under_a_progress_header_and_free_text_progress_beside_status(district, tmp_path):
    heads = ["序号", "整治重点", "问题描述", "整改措施", "整改时限", "整改进展情况", "完成日期"]
    path = book(tmp_path / "a.xlsx", {"台账": (heads, [
        [1, "效能意识", "审批慢", "压缩时限", "6月底前", "已整改", "2017-06-01"],
        [2, "服务意识", "态度差", "培训", "6月底前", "正在整改", None]])})
    district.ok(["import", path])
    got = {i["seq"]: i["fixes"][0]["status"] for i in issues_of(district)}
    assert got == {1: "已完成", 2: "整改中"}
    heads = ["序号", "整治重点", "问题描述", "整改措施", "整改时限", "整改进展", "完成情况", "完成日期"]
    path = book(tmp_path / "b.xlsx", {"台账": (heads, [
        [1, "效能意识", "审批慢", "压缩时限", "6月底前", "已谈话12人次", "已完成", "2017-06-01"],
        [2, "服务意识", "态度差", "培训", "6月底前", "培训两期", "正在整改", None]])},
        top=[["填报单位：梅厂镇", None, "填报日期：2017年5月10日"]])
    district.ok(["import", path])
    fixes = {i["seq"]: i["fixes"][0] for i in issues_of(district, "梅厂镇")}
    assert (fixes[1]["status"], fixes[1]["progress"]) == ("已完成", "已谈话12人次")
    assert (fixes[2]["status"], fixes[2]["progress"]) == ("整改中", "培训两期")


def test_one_sheet_per_unit(district, tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for unit, desc in (("杨村街道", "甲"), ("梅厂镇", "乙")):
        ws = wb.create_sheet(unit)
        ws.append([f"填报单位：{unit}", None, None, "填报日期：2017年5月10日"])
        ws.append(ISSUE_HEADERS)
        ws.append([1, "效能意识", "自查", None, desc, "2017-04-01"])
    wb.save(tmp_path / "two.xlsx")
    district.ok(["import", tmp_path / "two.xlsx"])
    assert [(i["unit"], i["description"]) for i in issues_of(district, "杨村")] == [("杨村街道", "甲")]
    assert [(i["unit"], i["description"]) for i in issues_of(district, "梅厂镇")] == [("梅厂镇", "乙")]


@pytest.mark.parametrize("cell, deadline", [
    ("6月底前完成，长期坚持", "2017-06-30"), ("建立长效机制，6月底前完成", "2017-06-30"),
    ("立行立改，6月底前建立制度", "2017-06-30"), ("6月30日前", "2017-06-30"), ("7月15日前", "2017-07-15"),
    ("9月中旬", "2017-09-20"), ("第三季度", "2017-09-30"), ("上半年", "2017-06-30"), ("17年6月30日", "2017-06-30"),
    (2017.06, "2017-06-30"), ("长期坚持", "长期坚持"), ("年底前", "2017-12-31")])
def test_deadlines_read_by_meaning(district, tmp_path, cell, deadline):
    path = book(tmp_path / "a.xlsx", {"台账": (COMBINED, [[1, "效能意识", "审批慢", "压缩时限", cell, "整改中"]])})
    district.ok(["import", path])
    assert issues_of(district)[0]["fixes"][0]["deadline"] == deadline


def test_three_numbered_measures_with_three_deadlines(district, tmp_path):
    path = book(tmp_path / "a.xlsx", {"台账": (COMBINED, [
        [1, "效能意识", "审批慢", "1.建立首问负责制 2.开展业务培训 3.建立考核机制", "1.2017年6月底前 2.2017年9月底前 3.长期坚持", "整改中"]])})
    district.ok(["import", path])
    fixes = issues_of(district)[0]["fixes"]
    assert [(f["task"], f["deadline"]) for f in fixes] == [
        ("建立首问负责制", "2017-06-30"), ("开展业务培训", "2017-09-30"), ("建立考核机制", "长期坚持")]
    two = book(tmp_path / "b.xlsx", {"台账": (COMBINED, [[1, "效能意识", "审批慢", "压缩时限", "6月底前，9月底前", "整改中"]])})
    problems = refused(district, ["import", two])
    assert problems[0]["column"] == "整改时限" and "2 个日期" in problems[0]["why"]


@pytest.mark.parametrize("word, status", [("完成80%", "整改中"), ("基本完成", "整改中"), ("完成100%", "已完成"),
                                          ("已完成整改", "已完成"), ("部分整改", "整改中")])
def test_status_words_by_meaning_never_by_prefix(district, tmp_path, word, status):
    path = book(tmp_path / "a.xlsx", {"台账": (COMBINED, [[1, "效能意识", "审批慢", "压缩时限", "6月底前", word, "2017-06-01"]])})
    district.ok(["import", path])
    assert issues_of(district)[0]["fixes"][0]["status"] == status


def test_a_status_word_read_two_ways_is_refused(district, tmp_path):
    path = book(tmp_path / "a.xlsx", {"台账": (COMBINED, [[1, "效能意识", "审批慢", "压缩时限", "6月底前", "未完成"]])})
    (p,) = refused(district, ["import", path])
    assert (p["row"], p["column"], p["value"]) == (4, "整改状态", "未完成") and "未开始" in p["why"]


def test_completion_dates_are_never_invented(district, tmp_path):
    heads = ["序号", "整治重点", "问题描述", "发现日期", "整改措施", "整改时限", "整改状态"]
    rows = [[1, "效能意识", "审批慢", "2017-04-01", "压缩时限", "6月底前", "已完成"]]
    nodate = book(tmp_path / "a.xlsx", {"台账": (heads, rows)}, top=[["填报单位：杨村街道"]])
    (p,) = refused(district, ["import", nodate])
    assert "填报日期" in p["why"] and p["row"] == 3
    dated = book(tmp_path / "b.xlsx", {"台账": (heads, rows)})  # 填报日期：2017年5月10日
    district.ok(["import", dated])
    fix = issues_of(district)[0]["fixes"][0]
    assert (fix["done_on"], fix["done_reported"]) == ("2017-05-10", True)
    later = book(tmp_path / "c.xlsx", {"台账": (heads, rows)},
                 top=[["填报单位：杨村街道", None, None, "填报日期：2017年6月10日"]])
    assert district.json(["import", later])["updated"] == 0  # next month's return does not move the date
    assert issues_of(district)[0]["fixes"][0]["done_on"] == "2017-05-10"


def test_areas_from_section_rows_and_no_names_in_a_refusal(district, tmp_path):
    heads = ["序号", "问题描述", "整改措施", "整改时限", "责任领导", "责任人"]
    path = book(tmp_path / "a.xlsx", {"台账": (heads, [
        ["（三）责任意识方面", None, None, None, None, None],
        [1, "推诿扯皮", "建立首办负责制", "6月底前", "张局长", "王明"],
        ["（六）效能意识方面", None, None, None, None, None],
        [2, "审批慢", "压缩时限", "6月底前", "张局长", "李四"]])})
    district.ok(["import", path])
    assert [(i["seq"], i["area"]) for i in issues_of(district)] == [(1, "责任意识"), (2, "效能意识")]
    nosection = book(tmp_path / "b.xlsx", {"台账": (heads, [[1, "推诿扯皮", "建立首办负责制", "6月底前", "张局长", "王明"]])},
                     top=[["填报单位：梅厂镇", None, "填报日期：2017年5月10日"]])
    r = district(["import", nosection])
    assert r.exit_code == 1 and "整治重点" in r.stderr and "王明" not in r.stderr and "内部错误" not in r.stderr


@pytest.mark.parametrize("line", ["填报单位：杨村街道（盖章）", "填报单位（盖章）：杨村街道办事处", "填报单位：武清区杨村街道办事处"])
def test_the_unit_line_as_units_write_it(district, tmp_path, line):
    path = book(tmp_path / "a.xlsx", {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "甲", "2017-04-01"]])},
                top=[["作风纪律专项整治问题清单"], [line]])
    district.ok(["import", path])
    assert issues_of(district)[0]["unit"] == "杨村街道"


def test_a_formal_name_alone_above_the_table(district, tmp_path):
    district.ok("unit add 大良镇 --kind 镇")
    path = book(tmp_path / "a.xlsx", {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "甲", "2017-04-01"]])},
                top=[["武清区大良镇人民政府（盖章）"]])
    district.ok(["import", path])
    assert issues_of(district)[0]["unit"] == "大良镇"


def test_two_row_header_with_ticks(district, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["填报单位：杨村街道", None, None, None, "填报日期：2017年5月10日"])
    ws.append(["序号", "整治重点", "问题描述", "整改措施", "整改时限", "整改情况", None, None])
    ws.append([None, None, None, None, None, "已完成", "正在整改", "未整改"])
    for col in "ABCDE":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("F2:H2")
    ws.append([1, "效能意识", "审批慢", "压缩时限", "6月底前", "√", None, None])
    ws.append([2, "服务意识", "态度差", "培训", "6月底前", None, "√", None])
    ws.append([3, "纪律意识", "公车", "登记", "6月底前", None, None, "√"])
    ws.append([4, "纪律意识", "迟到", "考勤", "6月底前", "√", "√", None])
    wb.save(tmp_path / "ticks.xlsx")
    (p,) = refused(district, ["import", tmp_path / "ticks.xlsx"])
    assert p["row"] == 7 and "同时勾选" in p["why"]
    ws.delete_rows(7)
    wb.save(tmp_path / "ticks.xlsx")
    district.ok(["import", tmp_path / "ticks.xlsx"])
    assert [i["fixes"][0]["status"] for i in sorted(issues_of(district), key=lambda i: i["seq"])] == ["已完成", "整改中", "未开始"]


def test_checks_rules_by_category_and_rule_links_by_text(district, tmp_path):
    path = book(tmp_path / "a.xlsx", {
        "问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", "第一项", "发文照抄照搬", "2017-04-01"],
                                   [2, "服务意识", "自查", "第3项", "窗口态度生硬", "2017-04-02"]]),
        "制度清单": (["序号", "制度名称", "类别", "针对问题", "计划完成时间", "状态"], [
            [1, "公文审核制度", "新建", "发文照抄照搬", "立行立改", "正在起草"],
            [2, "窗口服务规范", "修订", "2", "6月底前", "已印发"],
            [3, "旧考勤办法", "废止", None, "年底前", "未完成"]])})
    district.ok(["import", path])
    issues = {i["seq"]: i for i in issues_of(district)}
    assert issues[1]["check"] == "查政治纪律遵守情况" and issues[2]["check"] == "查政务服务开展情况"
    rules = {r["title"]: r for r in district.json("rule list")}
    assert [rules[t]["action"] for t in ("公文审核制度", "窗口服务规范", "旧考勤办法")] == ["立", "改", "废"]
    assert rules["公文审核制度"]["issue_ids"] == [issues[1]["id"]] and rules["公文审核制度"]["due_on"] == "2017-05-10"
    assert rules["公文审核制度"]["status"] == "未完成" and rules["窗口服务规范"]["status"] == "已完成"
    bad = book(tmp_path / "b.xlsx", {"制度清单": (["序号", "制度名称", "类别", "针对问题"], [[1, "X制度", "新建", "没有这个问题"]])})
    (p,) = refused(district, ["import", bad])
    assert p["column"] == "针对问题" and "对应不到" in p["why"]


def test_a_second_measure_on_the_blank_row_below(district, tmp_path):
    path = book(tmp_path / "a.xlsx", {"台账": (COMBINED, [
        [1, "效能意识", "审批慢", "压缩时限", "6月底前", "整改中"],
        [None, None, None, "公示进度", "长期坚持", "整改中"],
        [2, "服务意识", "态度差", "培训", "6月底前", "未整改"]])})
    district.ok(["import", path])
    issues = {i["seq"]: i for i in issues_of(district)}
    assert [f["task"] for f in issues[1]["fixes"]] == ["压缩时限", "公示进度"] and len(issues[2]["fixes"]) == 1


def test_two_tables_stacked_on_one_sheet(district, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件1：问题清单"])
    ws.append(["填报单位：杨村街道", None, None, "填报日期：2017年5月10日"])
    ws.append(ISSUE_HEADERS)
    ws.append([1, "效能意识", "自查", None, "审批慢", "2017-04-01"])
    ws.append([2, "服务意识", "自查", None, "态度差", "2017-04-02"])
    ws.append([])
    ws.append(["附件2：整改清单"])
    ws.append(FIX_HEADERS)
    ws.append([1, 1, "压缩时限", None, None, "6月底前", "整改中"])
    ws.append([2, 2, "培训", None, None, "6月底前", "已完成", "2017-05-01"])
    wb.save(tmp_path / "stacked.xlsx")
    result = district.json(["import", tmp_path / "stacked.xlsx"])
    assert result["files"][0]["sheets"]["问题清单"]["new"] == 2 and result["files"][0]["sheets"]["整改清单"]["new"] == 2


def test_an_unknown_layout_names_what_was_found_and_what_is_missing(district, tmp_path):
    path = book(tmp_path / "a.xlsx", {"制度": (["序号", "制度名称", "制度分类", "备注"], [[1, "考勤制度", "新建", None]])})
    r = district(["import", path])
    assert r.exit_code == 1
    assert "找到 序号、制度名称、备注" in r.stderr and "缺少 立改废" in r.stderr and "--map" in r.stderr


def test_a_layout_taught_once_is_remembered_per_unit(district, tmp_path):
    heads = ["序号", "整治重点", "问题描述", "整改措施", "整改时限", "推进情况"]
    path = book(tmp_path / "a.xlsx", {"台账": (heads, [[1, "效能意识", "审批慢", "压缩时限", "6月底前", "进行中"]])})
    district.ok(["import", path, "--map", "推进情况=整改状态"])
    assert issues_of(district)[0]["fixes"][0]["status"] == "整改中"
    (m,) = district.json("import --mappings")
    assert (m["unit"], m["header"], m["field"], m["column"]) == ("杨村街道", "推进情况", "status", "整改状态")
    path = book(tmp_path / "a.xlsx", {"台账": (heads, [[1, "效能意识", "审批慢", "压缩时限", "6月底前", "已办结"]])})
    district.ok(["import", path])  # next month: no --map needed
    assert issues_of(district)[0]["fixes"][0]["status"] == "已完成"
    district.ok("import --unmap 推进情况 --unit 杨村")
    assert district.json("import --mappings") == []
    r = district(["import", path, "--map", "推进情况=不存在的列"])
    assert r.exit_code == 1 and "不是 zz 认识的列" in r.stderr


def test_dry_run_shows_the_cells_that_change(district, tmp_path):
    rows = {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "审批慢", "2017-04-01", "张局长"]])}
    district.ok(["import", book(tmp_path / "a.xlsx", rows)])
    rows = {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "审批太慢", "2017-04-01", "李局长"]])}
    result = district.json(["import", book(tmp_path / "a.xlsx", rows), "--dry-run"])
    changes = {c["column"]: (c["old"], c["new"]) for c in result["files"][0]["changes"]}
    assert changes == {"问题描述": ("审批慢", "审批太慢"), "责任领导": ("张局长", "李局长")}
    text = district(["import", book(tmp_path / "a.xlsx", rows), "--dry-run"]).stdout
    assert "审批太慢" in text and "张局长" in text
    assert issues_of(district)[0]["description"] == "审批慢"


@pytest.mark.skipif(__import__("tests.conftest", fromlist=["backend"]).backend() != "sqlite", reason="SQLite fixture file")
def test_upgrade_tells_imported_rows_from_the_offices(tmp_path):
    """Schema v6 back-fills the unit's own 序号 for rows an import inserted, never for the office's."""
    import shutil
    import sqlite3

    from tests.conftest import FIXTURES, Zz

    path = tmp_path / "v4.db"
    shutil.copyfile(FIXTURES / "register_v4.sqlite", path)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO change (id, at, operator, command) VALUES (900, '2017-05-01 10:00:00', '测试员', 'zz import 杨村.xlsx')")
        db.execute("INSERT INTO issue (id, unit_id, seq, area, source, description, found_on, status, created_on)"
                   " VALUES (50, 1, 7, 6, '自查', '单位报来的问题', '2017-04-01', '未整改', '2017-05-01')")
        db.execute("INSERT INTO change_row (change_id, table_name, row_key, action) VALUES (900, 'issue', '[50]', 'insert')")
    zz = Zz(str(path))
    by_id = {i["id"]: i for i in zz.json("issue list")}
    assert set(by_id) == {1, 2, 50}
    with sqlite3.connect(path) as db:
        src = dict(db.execute("SELECT id, src_seq FROM issue").fetchall())
    assert src == {1: None, 2: None, 50: 7}


def test_numbering_that_restarts_in_every_section(district, tmp_path):
    heads = ["序号", "问题描述", "整改措施", "整改时限", "整改状态"]
    rows = [["（三）责任意识方面", None, None, None, None], [1, "推诿扯皮", "首办负责", "6月底前", "整改中"],
            [2, "矛盾上缴", "包案到人", "6月底前", "整改中"],
            ["（六）效能意识方面", None, None, None, None], [1, "审批慢", "压缩时限", "6月底前", "已完成"]]
    path = book(tmp_path / "a.xlsx", {"台账": (heads, rows)})
    result = district.json(["import", path])
    assert result["files"][0]["sheets"]["问题清单"]["new"] == 3
    got = sorted((i["area"], i["description"]) for i in issues_of(district))
    assert got == sorted([("责任意识", "推诿扯皮"), ("责任意识", "矛盾上缴"), ("效能意识", "审批慢")])
    rows.insert(3, [3, "新增一条", "研究", "9月底前", "未整改"])  # a row added in the first section moves no other
    again = district.json(["import", book(tmp_path / "a.xlsx", {"台账": (heads, rows)})])
    assert (again["new"], again["updated"]) == (2, 0)  # the new issue and its fix
    assert sorted(i["description"] for i in issues_of(district)) == sorted(["审批慢", "推诿扯皮", "新增一条", "矛盾上缴"])


def test_the_same_text_rules_as_issue_add(district, tmp_path):
    """Control characters and a 32,767-character owner went in through import although `issue add`
    refuses them (issue #10): one set of text rules for every way in."""
    import csv

    path = tmp_path / "杨村.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["填报单位：杨村街道"])
        w.writerow(["序号", "整治重点", "问题描述", "发现日期", "责任领导", "责任人"])
        w.writerow([1, "效能意识", "审批\x07慢", "2017-04-01", "", ""])
        w.writerow([2, "效能意识", "正常", "2017-04-01", "", "王" * 32767])
        w.writerow([3, "效能意识", "颜色\x1b[31m红", "2017-04-01", "", ""])
        w.writerow([4, "效能意识", "两行\n描述可以", "2017-04-01", "张 三", ""])
    problems = refused(district, ["import", path])
    assert [(p["row"], p["column"]) for p in problems] == [(3, "问题描述"), (4, "责任人"), (5, "问题描述")]
    assert issues_of(district) == []


def test_error_cells_in_free_text_and_a_huge_seq_are_named(district, tmp_path):
    """#REF! in 问题描述 was stored as text; 序号 1e20 said "输入的数值超出范围" with no sheet, row or column."""
    from tests.zzcheck import CellError, issues, sheet_xml, xlsx

    path = xlsx(tmp_path / "a.xlsx", sheet_xml(issues([1, "效能意识", "自查", "1", CellError("#REF!"), "2017-04-01"],
                                                       [1e20, "效能意识", "自查", "1", "审批慢", "2017-04-01"])))
    problems = refused(district, ["import", path, "--unit", "杨村"])
    assert [(p["column"], p["value"]) for p in problems] == [("问题描述", "#REF!"), ("序号", "100000000000000000000")]
    assert "#REF!" in problems[0]["why"] and "序号太大" in problems[1]["why"]
    assert issues_of(district) == []
