"""zz export ledger: the template's own layout, styled; round trip export → import equal."""

import json

import openpyxl

from tests.conftest import FIXTURES, SAMPLE

UNITS = [("杨村街道", "街道", "120114001"), ("下朱庄街道", "街道", "120114002"), ("梅厂镇", "镇", "120114101")]


def _fill(zz):
    for path in (SAMPLE / "workbooks" / "杨村街道_模板填报.xlsx", FIXTURES / "workbooks" / "梅厂镇_整改台账.xlsx",
                 FIXTURES / "workbooks" / "下朱庄街道_问题清单_LibreOffice.xlsx"):
        zz.ok(["import", path])
    issue = zz.json(["issue", "add", "=HYPERLINK(\"http://x\")", "--unit", "杨村", "--area", "6", "--owner", "+张三",
                     "--leader", "@李四", "--found", "2017-05-20"])
    fix = json.loads(zz.ok(["fix", "add", "--json", str(issue["id"]), "--deadline", "2017-06-30", "--", "-开展专项检查"]).stdout)
    zz.ok(["fix", "done", str(fix["id"]), "--date", "2017-06-25", "--evidence", "已检查"])
    zz.ok(["fix", "verify", str(fix["id"]), "--by", "督查室赵华", "--date", "2017-06-28"])
    zz.ok(["rule", "add", "窗口服务规范", "--unit", "杨村", "--action", "改", "--due", "2017-09-30", "--issue", str(issue["id"])])


def _snapshot(zz):
    strip_issue = ("id", "fixes", "inspection_id", "opinion_id")
    strip_fix = ("id", "issue_id", "overdue", "days_late", "tier", "original_deadline")
    issues = []
    for i in zz.json("issue list"):
        rec = {k: v for k, v in i.items() if k not in strip_issue}
        rec["fixes"] = [{k: v for k, v in f.items() if k not in strip_fix} for f in i["fixes"]]
        issues.append(rec)
    seq_of = {i["id"]: (i["unit"], i["seq"]) for i in zz.json("issue list")}
    rules = [{**{k: v for k, v in r.items() if k not in ("id", "issue_ids")}, "issues": sorted(seq_of[x] for x in r["issue_ids"])}
             for r in zz.json("rule list")]
    key = lambda r: (r["unit"], r["seq"])  # noqa: E731
    return sorted(issues, key=key), sorted(rules, key=key)


def test_round_trip_export_import_equal(district, tmp_path, register_url, monkeypatch):
    _fill(district)
    out = tmp_path / "台账.xlsx"
    r = district.ok(["export", "ledger", "-o", out])
    assert "已导出" in r.stdout and out.exists()
    original = _snapshot(district)
    assert len(original[0]) == 13 and len(original[1]) == 3

    from tests.conftest import Zz, backend

    if backend() != "sqlite":
        return
    fresh = Zz(str(tmp_path / "fresh.db"))
    fresh.ok("init")
    for name, kind, code in UNITS:
        fresh.ok(["unit", "add", name, "--kind", kind, "--code", code])
    result = fresh.json(["import", out])
    assert result["refused"] == 0, result
    assert _snapshot(fresh) == original
    again = fresh.json(["import", out])
    assert again["new"] == 0 and again["updated"] == 0
    # and back into the register it came from: nothing changes
    same = district.json(["import", out])
    assert same["new"] == 0 and same["updated"] == 0


def test_ledger_layout_styles_and_formula_safety(district, tmp_path):
    _fill(district)
    out = tmp_path / "l.xlsx"
    district.ok(["export", "ledger", "-o", out])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", "整改清单", "制度清单"]
    ws = wb["问题清单"]
    assert "台账" in ws["A1"].value and "制表日期" in "".join(str(c.value) for c in ws[2] if c.value)
    assert [c.value for c in ws[3]][:6] == ["单位", "序号", "整治重点", "问题来源", "四查四看", "问题描述"]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.column_dimensions["F"].width >= 30 and ws["F4"].alignment.wrap_text
    texts = {c.value: c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    formula = texts['=HYPERLINK("http://x")']
    assert formula.data_type == "s"  # text, never a formula
    assert texts["+张三"].data_type == "s" and texts["@李四"].data_type == "s"
    fixes = wb["整改清单"]
    assert any(c.value == "-开展专项检查" and c.data_type == "s" for row in fixes.iter_rows(min_row=4) for c in row)
    assert not any(c.data_type == "f" for s in wb for row in s.iter_rows() for c in row)
    headers = [c.value for c in fixes[3]]
    assert "销号人" in headers and "整改时限" in headers
    assert any(c.value == "督查室赵华" for row in fixes.iter_rows(min_row=4) for c in row)
    for sheet in (ws, fixes):  # every cell of the table is ruled, a blank one by the table's one conditional format
        last = max(r for r in range(4, sheet.max_row + 1) if any(c.value is not None for c in sheet[r]))
        rules = [(str(cf.sqref), rule) for cf in sheet.conditional_formatting for rule in cf.rules]
        assert [ref for ref, rule in rules if rule.type == "containsBlanks"] == [f"A4:{sheet.cell(3, sheet.max_column).column_letter}{last}"]
        rule = next(rule for _ref, rule in rules if rule.type == "containsBlanks")
        assert {rule.dxf.border.left.style, rule.dxf.border.right.style, rule.dxf.border.top.style, rule.dxf.border.bottom.style} == {"thin"}
        assert all(c.border.left.style == "thin" for row in sheet.iter_rows(min_row=4, max_row=last) for c in row if c.value is not None)


def test_public_drops_names(district, tmp_path):
    _fill(district)
    district.ok("unit edit 杨村街道 --contact 王明 --phone 022-29341234")
    out = tmp_path / "公开.xlsx"
    district.ok(["export", "ledger", "-o", out, "--public"])
    wb = openpyxl.load_workbook(out)
    everything = " ".join(str(c.value) for s in wb for row in s.iter_rows() for c in row if c.value is not None)
    for name in ("刘建国", "王明", "李静", "马骏", "高洋", "督查室赵华", "+张三", "@李四", "022-29341234"):
        assert name not in everything, name
    for s in wb:
        headers = [c.value for c in s[3]]
        assert not {"责任领导", "责任人", "销号人"} & set(headers)
    assert "窗口办事拖沓" in everything or "便民服务大厅" in everything


def test_export_one_unit_and_json(district, tmp_path):
    _fill(district)
    result = district.json(["export", "ledger", "-o", tmp_path / "梅厂.xlsx", "--unit", "梅厂"])
    assert result["unit"] == "梅厂镇" and result["issues"] == 5 and result["fixes"] == 5 and result["rules"] == 0
    wb = openpyxl.load_workbook(tmp_path / "梅厂.xlsx")
    units = {r[0].value for r in wb["问题清单"].iter_rows(min_row=4)}
    assert units == {"梅厂镇"}
