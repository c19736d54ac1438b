"""zz import: the template read back, and what units really send (SPEC §5)."""

import json

import openpyxl
import pytest

from tests.conftest import FIXTURES, SAMPLE
from tests.zzcheck import FIX_HEADERS, ISSUE_HEADERS, book, issues_of

WB = FIXTURES / "workbooks"


def test_tidy_template_sample_imports_and_reimport_is_unchanged(district):
    path = SAMPLE / "workbooks" / "杨村街道_模板填报.xlsx"
    first = district.json(["import", path])
    assert first["refused"] == 0
    sheets = first["files"][0]["sheets"]
    assert (sheets["问题清单"]["new"], sheets["整改清单"]["new"], sheets["制度清单"]["new"]) == (4, 5, 2)
    issues = {i["seq"]: i for i in issues_of(district)}
    # the unit wrote 已销号 for issue 2's fix: its claim, stored 已完成 awaiting the office's verification
    assert issues[1]["status"] == "整改中" and issues[2]["status"] == "已整改" and issues[3]["status"] == "已整改"
    assert [f["claimed"] for f in issues[2]["fixes"]] == [True]
    fixes = {f["seq"]: f for i in issues.values() for f in i["fixes"]}
    assert fixes[1]["deadline"] == "2017-06-30" and fixes[2]["deadline"] == "长期坚持"
    # 立行立改: due the 5th working day after the issue was found
    assert fixes[4]["on_the_spot"] and (issues[3]["found_on"], fixes[4]["deadline"]) == ("2017-04-20", "2017-04-27")
    assert fixes[5]["deadline"] == "2017-12-31" and fixes[5]["status"] == "整改中"
    rules = district.json("rule list")
    assert rules[0]["status"] == "已完成" and rules[1]["status"] == "未完成" and rules[1]["due_on"] == "2017-06-30"
    assert rules[0]["issue_ids"] == [issues[1]["id"]]
    again = district.json(["import", path])
    assert again["new"] == 0 and again["updated"] == 0 and again["unchanged"] == 11
    assert len(issues_of(district)) == 4
    log = district.json("log")
    imports = [c for c in log if c["command"].startswith("zz import")]
    assert len(imports) == 1 and len(imports[0]["rows"]) >= 11 + 2  # one change per file; every row in the trail


def test_messy_combined_ledger_with_merged_cells(district):
    """Title rows, 填报单位（盖章） line, header cells with line breaks and synonyms, merged cells
    (one issue, two measures), free-text dates, full-width digits, status words, footnotes."""
    result = district.json(["import", WB / "梅厂镇_整改台账.xlsx"])
    f = result["files"][0]
    assert f["units"] == ["梅厂镇"] and f["filled_on"] == "2017-05-12"
    assert f["sheets"]["问题清单"]["new"] == 5 and f["sheets"]["整改清单"]["new"] == 5
    issues = {i["seq"]: i for i in issues_of(district, "梅厂镇")}
    one = issues[1]
    assert one["area"] == "效能意识" and one["source"] == "群众投诉" and one["leader"] == "马骏" and one["owner"] == "高洋"
    assert one["description"] == "农村土地确权办理时限长，群众多次往返"
    assert [(x["deadline"], x["status"], x["done_on"]) for x in one["fixes"]] == [
        ("2017-06-30", "已完成", "2017-06-15"), ("长期坚持", "整改中", None)]
    assert one["status"] == "整改中"
    assert issues[2]["source"] == "自查" and issues[2]["fixes"][0]["on_the_spot"] and issues[2]["status"] == "已整改"
    assert issues[3]["fixes"][0]["status"] == "整改中" and issues[3]["fixes"][0]["deadline"] == "2017-05-31"
    assert issues[4]["fixes"] == [] and issues[4]["status"] == "未整改" and issues[4]["note"] == "尚未制定措施"
    assert issues[5]["fixes"][0]["deadline"] == "2017-12-31" and issues[5]["fixes"][0]["status"] == "未开始"
    again = district.json(["import", WB / "梅厂镇_整改台账.xlsx"])
    assert again["new"] == 0 and again["updated"] == 0
    assert sum(len(i["fixes"]) for i in issues_of(district, "梅厂镇")) == 5


def test_libreoffice_workbook(district):
    """Made by LibreOffice Calc: numbers as text and text as numbers, a date serial, a sheet named 整改."""
    result = district.json(["import", WB / "下朱庄街道_问题清单_LibreOffice.xlsx"])
    f = result["files"][0]
    assert f["units"] == ["下朱庄街道"] and f["filled_on"] == "2017-05-08"
    issues = {i["seq"]: i for i in issues_of(district, "下朱庄街道")}
    assert issues[1]["check_no"] == 1 and issues[2]["area"] == "效能意识" and issues[2]["check_no"] == 4
    assert issues[3]["found_on"] == "2017-04-30"  # an Excel serial number
    assert issues[2]["status"] == "已整改" and issues[1]["fixes"][0]["status"] == "整改中"


def test_refused_file_names_every_bad_cell_and_writes_nothing(district, tmp_path):
    path = book(tmp_path / "错.xlsx", {
        "问题清单": (ISSUE_HEADERS, [
            [1, "效率意识", "自查", None, "窗口办事拖沓", "2017-04-01"],
            [2, "效能意识", "路边听说", None, "", "2017-13-01"],
            ["三", "效能意识", "自查", None, "会议多", None],
        ]),
        "整改清单": (FIX_HEADERS, [[1, 9, "推行首问负责制", None, None, "下个月吧", "快好了"]]),
    })
    r = district(["import", path, "--json"])
    assert r.exit_code == 1
    problems = json.loads(r.stdout)["files"][0]["problems"]
    cells = {(p["sheet"], p["row"], p["column"]) for p in problems}
    assert cells >= {("问题清单", 4, "整治重点"), ("问题清单", 5, "问题来源"), ("问题清单", 5, "问题描述"),
                     ("问题清单", 5, "发现日期"), ("问题清单", 6, "序号"), ("整改清单", 4, "整改时限"), ("整改清单", 4, "整改状态")}
    bad_area = next(p for p in problems if p["column"] == "整治重点")
    assert bad_area["value"] == "效率意识" and "效能意识" in bad_area["accepted"]
    assert "工作表“问题清单”第 4 行“整治重点”列" in r.stderr and "效率意识" in r.stderr
    assert issues_of(district) == []
    # the missing 问题序号 is found once the cells are right
    path = book(tmp_path / "错2.xlsx", {"整改清单": (FIX_HEADERS, [[1, 9, "推行首问负责制", None, None, "6月底前", "未整改"]])})
    r = district(["import", path])
    assert r.exit_code == 1 and "问题清单中没有序号 9" in r.stderr and "第 4 行“问题序号”列" in r.stderr


def test_batch_each_file_its_own_transaction(district, tmp_path):
    good = book(tmp_path / "好.xlsx", {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "窗口办事拖沓", "2017-04-01"]])})
    bad = book(tmp_path / "坏.xlsx", {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "会议多", "2017-04-01"],
                                                                    [2, "不存在", "自查", None, "文件多", "2017-04-01"]])},
               top=[["填报单位：梅厂镇"]])
    r = district(["import", good, bad, "--json"])
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert [f["status"] for f in data["files"]] == ["imported", "refused"] and data["refused"] == 1
    assert [i["unit"] for i in issues_of(district)] == ["杨村街道"]
    assert "坏.xlsx" in r.stderr and "1 个被拒绝" in r.stderr


def test_dry_run_reports_and_writes_nothing(district, tmp_path):
    path = book(tmp_path / "a.xlsx", {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "窗口办事拖沓", "2017-04-01"],
                                                                    [2, "服务意识", "自查", None, "态度生硬", "2017-04-02"]])})
    district.ok(["import", path])
    wb = openpyxl.load_workbook(path)
    wb["问题清单"]["E4"] = "窗口办事拖沓，群众多次往返"
    wb["问题清单"].append([3, "纪律意识", "自查", None, "迟到早退", "2017-04-03"])
    wb.save(path)
    before = district.json("log")
    dry = district.json(["import", path, "--dry-run"])
    assert dry["dry_run"] and dry["files"][0]["status"] == "checked"
    assert (dry["new"], dry["updated"], dry["unchanged"]) == (1, 1, 1)
    assert district.json("log") == before and len(issues_of(district)) == 2
    text = district.ok(["import", path, "--dry-run"]).stdout
    assert "试运行" in text and "问题清单" in text
    real = district.json(["import", path])
    assert (real["new"], real["updated"], real["unchanged"]) == (1, 1, 1)
    assert issues_of(district)[0]["description"] == "窗口办事拖沓，群众多次往返"


def test_update_recomputes_issue_status_like_derive_status(district, tmp_path):
    issues = (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "窗口办事拖沓", "2017-04-01"]])
    path = book(tmp_path / "s.xlsx", {"问题清单": issues, "整改清单": (FIX_HEADERS, [
        [1, 1, "措施一", None, None, "6月底前", "未整改"], [2, 1, "措施二", None, None, "6月底前", "未开始"]])})
    district.ok(["import", path])
    assert issues_of(district)[0]["status"] == "未整改"
    # a unit's 销号 is its claim: 已完成, awaiting the office (SPEC §5 "Authority")
    for statuses, expected in ((("已整改", "未开始"), "整改中"), (("已办结", "已完成"), "已整改"), (("销号", "已销号"), "已整改")):
        path = book(tmp_path / "s.xlsx", {"整改清单": (FIX_HEADERS, [
            [1, 1, "措施一", None, None, "6月底前", statuses[0], "2017-06-01"],
            [2, 1, "措施二", None, None, "6月底前", statuses[1], "2017-06-02"]])})
        district.ok(["import", path])
        assert issues_of(district)[0]["status"] == expected
    fixes = issues_of(district)[0]["fixes"]
    assert [f["verified_on"] for f in fixes] == [None, None]
    assert [f["claimed"] for f in fixes] == [True, True]
    assert [f["id"] for f in district.json("fix list --claimed")] == [f["id"] for f in fixes]


def test_unit_resolution(district, tmp_path):
    rows = (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "窗口办事拖沓", "2017-04-01"]])
    nameless = book(tmp_path / "无单位.xlsx", {"问题清单": rows}, top=[["问题清单"]])
    r = district(["import", nameless])
    assert r.exit_code == 1 and "--unit" in r.stderr
    district.ok(["import", nameless, "--unit", "120114101"])
    assert issues_of(district)[0]["unit"] == "梅厂镇"
    unknown = book(tmp_path / "x.xlsx", {"问题清单": rows}, top=[["填报单位：不存在镇"]])
    r = district(["import", unknown])
    assert r.exit_code == 1 and "不存在镇" in r.stderr
    ambiguous = book(tmp_path / "y.xlsx", {"问题清单": rows}, top=[["填报单位：街道"]])
    r = district(["import", ambiguous])
    assert r.exit_code == 1 and "杨村街道" in r.stderr and "下朱庄街道" in r.stderr
    with_column = book(tmp_path / "z.xlsx", {"问题清单": (["单位"] + ISSUE_HEADERS, [
        ["杨村", 1, "效能意识", "自查", None, "甲", "2017-04-01"], ["120114002", 1, "服务意识", "自查", None, "乙", "2017-04-01"],
        ["火星镇", 2, "服务意识", "自查", None, "丙", "2017-04-01"]])}, top=[])
    r = district(["import", with_column, "--json"])
    assert r.exit_code == 1  # a 单位 column belongs to the office's own ledger, not to a unit's workbook
    (p,) = json.loads(r.stdout)["files"][0]["problems"]
    assert "zz export ledger" in p["why"] and issues_of(district)[0]["unit"] == "梅厂镇" and len(issues_of(district)) == 1
    r = district(["import", with_column, "--unit", "杨村", "--json"])
    assert r.exit_code == 1
    problems = json.loads(r.stdout)["files"][0]["problems"]
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [(3, "单位", "120114002"), (4, "单位", "火星镇")]


def test_free_text_dates_fullwidth_and_synonyms(district, tmp_path):
    headers = ["编号", "问题类别", "来源", "存在问题", "发现时间", "分管领导", "具体责任人"]
    path = book(tmp_path / "杂.xlsx", {"自查表": (headers, [
        ["１", "（六）效能意识", "巡视“回头看”反馈", "  审批 时限长  ", "2017.4.5", "王 明", "李\u3000静"],
        [2.0, 4, "12345便民专线", "态度生硬", "２０１７年４月６日", None, None],
        [None, None, None, None, None, None, None],
        ["注：本表由党政办汇总", None, None, None, None, None, None],
    ])})
    district.ok(["import", path])
    issues = issues_of(district)
    assert [(i["seq"], i["area"], i["source"], i["found_on"]) for i in issues] == [
        (1, "效能意识", "上级反馈", "2017-04-05"), (2, "服务意识", "群众投诉", "2017-04-06")]
    assert issues[0]["description"] == "审批 时限长" and issues[0]["leader"] == "王明" and issues[0]["owner"] == "李静"
    fix_headers = ["序号", "对应问题序号", "整改举措", "完成时限", "办理情况"]
    path = book(tmp_path / "整改.xlsx", {"Sheet1": (fix_headers, [
        [1, 1, "措施", "2017年6月底前", "正在办理"], [2, 1, "措施", "年底前", "部分整改"], [3, 2, "措施", "立行立改", "已办结"],
        [4, 2, "措施", "6月底前", "整改中"]])})
    district.ok(["import", path])
    fixes = {f["seq"]: f for i in issues_of(district) for f in i["fixes"]}
    assert [fixes[k]["deadline"] for k in (1, 2, 3, 4)] == ["2017-06-30", "2017-12-31", "2017-04-13", "2017-06-30"]
    assert [fixes[k]["status"] for k in (1, 2, 3, 4)] == ["整改中", "整改中", "已完成", "整改中"]


def test_two_row_header_and_header_line_breaks(district, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["杨村街道问题整改台账"])
    ws.append(["填报单位：杨村街道"])
    ws.append(["序号", "问题\n描述", "整治\n重点", "整改情况", None, None])
    ws.append([None, None, None, "整改措施", "整改时限", "整改状态"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:C4")
    ws.merge_cells("D3:F3")
    ws.append([1, "办事拖沓", "效能意识", "首问负责", "6月底前", "已整改"])
    wb.save(tmp_path / "two.xlsx")
    result = district.json(["import", tmp_path / "two.xlsx", "--filled-on", "2017-05-10"])
    assert result["files"][0]["sheets"]["整改清单"]["new"] == 1
    assert issues_of(district)[0]["status"] == "已整改"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(district, tmp_path, encoding):
    text = "填报单位：梅厂镇\n序号,整治重点,问题来源,问题描述,发现日期\n1,效能意识,自查,审批慢,2017/4/1\n2,服务意识,督查,态度差,2017年4月2日\n"
    path = tmp_path / "梅厂镇.csv"
    path.write_bytes(text.encode(encoding))
    result = district.json(["import", path])
    assert result["new"] == 2
    assert [i["description"] for i in issues_of(district, "梅厂镇")] == ["审批慢", "态度差"]


def test_created_on_is_filled_date_and_trail_undo(district, tmp_path):
    path = book(tmp_path / "a.xlsx", {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", None, "甲", "2017-04-01"]])})
    district.ok(["import", path])
    phase = district.json("phase --as-of 2017-07-01")
    yangcun = next(u for u in phase["units"] if u["unit"] == "杨村街道")
    issue_list = next(m for m in yangcun["milestones"] if m["name"] == "问题清单")
    assert issue_list["done_on"] == "2017-05-10"
    district.ok("undo --yes")
    assert issues_of(district) == []


def test_not_a_workbook_layout(district, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["随便", "写点", "什么"])
    wb.save(tmp_path / "x.xlsx")
    r = district(["import", tmp_path / "x.xlsx"])
    assert r.exit_code == 1 and "表头" in r.stderr


def test_a_units_row_never_overwrites_an_issue_the_office_registered(district, tmp_path):
    # The office registered 杨村街道's issue 序号 1 from an inspection; the unit's own list also numbers from 1.
    district.ok(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-05",
                 "--finding", "窗口人员上班时间玩手机", "--as-issue", "--area", "规矩意识"])
    path = book(tmp_path / "杨村.xlsx", {"问题清单": (ISSUE_HEADERS, [[1, "效能意识", "自查", 4, "发文照抄照搬", "2017-05-02", "", "", ""]])})
    district.ok(["import", path])  # the unit's 序号 1 is its own problem: a new issue, the office's untouched
    issues = sorted(issues_of(district), key=lambda i: i["id"])
    assert len(issues) == 2 and issues[0]["source"] == "督查" and issues[0]["description"] == "窗口人员上班时间玩手机"
    assert issues[1]["description"] == "发文照抄照搬" and issues[1]["seq"] == 2
