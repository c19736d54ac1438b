"""zz template: the workbook a unit fills in (SPEC §5)."""

import openpyxl

HEADERS = {
    "问题清单": ["序号", "整治重点", "问题来源", "四查四看", "问题描述", "发现日期", "责任领导", "责任人", "备注"],
    "整改清单": ["序号", "问题序号", "整改任务及措施", "责任领导", "责任人", "整改时限", "整改状态", "完成日期", "整改成效", "备注"],
    "制度清单": ["序号", "制度名称", "立改废", "问题序号", "计划完成时间", "状态", "文号", "备注"],
}


def test_template_layout_validation_and_print(district, tmp_path):
    out = tmp_path / "杨村.xlsx"
    r = district.ok(["template", "-o", out, "--unit", "杨村"])
    assert "杨村街道" in r.stdout
    wb = openpyxl.load_workbook(out)
    assert {"问题清单", "整改清单", "制度清单", "说明"} <= set(wb.sheetnames)
    for name, headers in HEADERS.items():
        ws = wb[name]
        assert [c.value for c in ws[3]][: len(headers)] == headers
        assert "杨村街道" in ws["A1"].value and ws["A2"].value == "填报单位：杨村街道"
        assert ws.freeze_panes == "A4"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$3:$3"
        assert ws.column_dimensions["A"].width < ws.column_dimensions["E" if name == "问题清单" else "C"].width
    issues = wb["问题清单"]
    formulas = {str(dv.sqref).split(":")[0]: (dv.type, dv.formula1) for dv in issues.data_validations.dataValidation}
    assert formulas["B4"][0] == "list" and "选项" in formulas["B4"][1]  # 整治重点
    assert formulas["C4"][0] == "list"  # 问题来源
    assert formulas["D4"][0] == "list"  # 四查四看
    assert formulas["F4"][0] == "date"
    fixes = {str(dv.sqref).split(":")[0]: dv.type for dv in wb["整改清单"].data_validations.dataValidation}
    assert fixes["G4"] == "list" and fixes["H4"] == "date"
    rules = {str(dv.sqref).split(":")[0]: dv.type for dv in wb["制度清单"].data_validations.dataValidation}
    assert rules["C4"] == "list" and rules["F4"] == "list"
    options = wb["选项"]
    values = [c.value for c in options["A"]][1:]
    assert values[:2] == ["政治意识", "纪律意识"] and len(values) == 10
    guide = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "zz-template" in guide and "120114001" in guide and "长期坚持" in guide


def test_template_without_unit_and_unknown_unit(district, tmp_path):
    district.ok(["template", "-o", tmp_path / "空白.xlsx"])
    r = district(["template", "-o", tmp_path / "x.xlsx", "--unit", "不存在的单位"])
    assert r.exit_code == 1 and "单位" in r.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_template_filled_in_imports_with_its_marker(district, tmp_path):
    out = tmp_path / "t.xlsx"
    district.ok(["template", "-o", out, "--unit", "梅厂镇"])
    wb = openpyxl.load_workbook(out)
    wb["问题清单"]["A2"] = "这里被改掉了"  # the marker on the 说明 sheet still names the unit
    wb["问题清单"].append([1, "效能意识", "自查", None, "审批环节多", "2017-04-01"])
    wb.save(out)
    result = district.json(["import", out])
    assert result["files"][0]["units"] == ["梅厂镇"] and result["new"] == 1
