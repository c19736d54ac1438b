"""zz unit: add, list, show, edit, import (.xlsx, .csv in UTF-8 / UTF-8-BOM / GBK); lookup."""

import openpyxl

from zzcheck import clean, refused


def test_add_and_list(district):
    units = district.json("unit list")
    assert [u["name"] for u in units] == ["杨村街道", "下朱庄街道", "梅厂镇", "区行政审批局", "区政务服务中心"]
    child = next(u for u in units if u["name"] == "区政务服务中心")
    assert child["kind"] == "下属单位" and child["parent"] == "区行政审批局" and child["code"] is None
    assert set(units[0]) >= {"id", "code", "name", "kind", "parent"}
    assert [u["name"] for u in district.json("unit list --kind 街道")] == ["杨村街道", "下朱庄街道"]
    assert [u["name"] for u in district.json("unit list --parent 区行政审批局")] == ["区政务服务中心"]


def test_table_output_is_chinese(district):
    out = district.ok("unit list").stdout
    assert out.startswith("编号\t") and "杨村街道" in out and "上级单位" in out  # piped: plain rows under one header


def test_lookup_by_code_full_name_and_unique_part(district):
    zz = district
    for ref in ("120114001", "杨村街道", "杨村", "杨"):
        assert zz.json(["unit", "show", ref])["name"] == "杨村街道", ref
    assert zz.json("unit show D13")["name"] == "区行政审批局"
    shown = zz.json("unit show 区行政审批局")
    assert shown["children"] == ["区政务服务中心"] and shown["counts"] == {"issues": 0, "fixes": 0, "rules": 0, "checks": 0}


def test_ambiguous_unit_lists_candidates(district):
    r = refused(district, "unit show 街道", "“街道”可指多个单位", "杨村街道", "下朱庄街道")
    assert "梅厂镇" not in r.stderr


def test_unknown_unit_is_refused_with_suggestions(district):
    r = refused(district, ["issue", "add", "x", "--unit", "杨树街道", "--area", "1"], "单位：没有“杨树街道”", "是否指")
    assert "杨村街道" in r.stderr
    refused(district, "unit show 北京市", "没有“北京市”", "zz unit list")


def test_duplicate_unit_refused(district):
    refused(district, "unit add 杨村街道 --kind 街道", "单位名称", "已存在")
    refused(district, "unit add 新单位 --kind 部门 --code 120114001", "单位代码", "杨村街道")


def test_kind_must_be_from_the_plan(district):
    refused(district, "unit add 某公司 --kind 公司", "单位类型", "镇、街道、园区、部门、事业单位、下属单位")


def test_subordinate_needs_parent(zz):
    refused(zz, "unit add 某所 --kind 下属单位", "上级单位", "--parent")
    refused(zz, "unit add 某所 --kind 下属单位 --parent 不存在的局", "没有“不存在的局”")


def test_missing_kind_without_terminal_is_usage_error(zz):
    refused(zz, "unit add 某镇", "--kind", status=2)


def test_edit(district):
    zz = district
    rec = zz.json("unit edit 杨村 --contact 王明 --phone 022-29341234 --leader 李强")
    assert (rec["contact"], rec["phone"], rec["leader"]) == ("王明", "022-29341234", "李强")
    assert zz.json("unit edit 区政务服务中心 --parent 梅厂镇")["parent"] == "梅厂镇"
    refused(zz, "unit edit 区行政审批局 --name 杨村街道", "已存在")
    refused(zz, "unit edit 区行政审批局 --parent 区行政审批局", "不能作为上级")


def test_import_xlsx_codes_as_numbers(zz, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位名单"
    ws.append(["武清区参加专项整治单位名单"])
    ws.append(["单位名称", "单位类型", "单位代码", "上级单位", "联系人"])
    ws.append(["杨村街道", "街道", 120114001, None, "王明"])
    ws.append(["下朱庄街道", "街道", 120114002.0, None, None])
    ws.append(["区行政审批局", "部门", "D13", None, None])
    ws.append(["区政务服务中心", "下属单位", None, "区行政审批局", None])
    ws.append([None, None, None, None, None])
    path = tmp_path / "单位名单.xlsx"
    wb.save(path)
    result = zz.json(["unit", "import", str(path)])
    assert (result["new"], result["updated"], result["unchanged"]) == (4, 0, 0)
    units = {u["name"]: u for u in zz.json("unit list")}
    assert units["杨村街道"]["code"] == "120114001" and units["下朱庄街道"]["code"] == "120114002"
    assert units["区政务服务中心"]["parent"] == "区行政审批局"
    assert units["杨村街道"]["contact"] == "王明"
    again = zz.json(["unit", "import", str(path)])
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert len(zz.json("unit list")) == 4


CSV_ROWS = "单位名称,单位类型,单位代码,上级单位\n杨村街道,街道,120114001,\n梅厂镇,镇,120114101,\n梅厂镇社区服务中心,下属单位,,梅厂镇\n"


def _csv_case(zz, tmp_path, data: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(data)
    result = zz.json(["unit", "import", str(path)])
    assert result["new"] == 3
    units = {u["name"]: u for u in zz.json("unit list")}
    assert units["梅厂镇"]["code"] == "120114101"
    assert units["梅厂镇社区服务中心"]["parent"] == "梅厂镇"


def test_import_csv_utf8(zz, tmp_path):
    _csv_case(zz, tmp_path, CSV_ROWS.encode("utf-8"), "units.csv")


def test_import_csv_utf8_bom(zz, tmp_path):
    _csv_case(zz, tmp_path, CSV_ROWS.encode("utf-8-sig"), "units.csv")


def test_import_csv_gbk(zz, tmp_path):
    _csv_case(zz, tmp_path, CSV_ROWS.encode("gbk"), "units.csv")


def test_import_refuses_whole_file_naming_row_and_column(zz, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("单位名称,单位类型,单位代码\n杨村街道,街道,120114001\n某公司,公司,\n", encoding="utf-8")
    refused(zz, ["unit", "import", str(path)], "第 3 行", "单位类型", "未导入任何单位")
    assert zz.json("unit list") == []
    path.write_text("单位名称,单位类型,上级单位\n某所,下属单位,\n", encoding="utf-8")
    refused(zz, ["unit", "import", str(path)], "下属单位必须写明上级单位")


def test_import_refuses_a_file_that_is_not_a_workbook(zz, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(b"not a workbook at all")
    refused(zz, ["unit", "import", str(path)], "units.xlsx")
    refused(zz, ["unit", "import", str(tmp_path / "missing.xlsx")], "不存在")


def test_import_dry_run_writes_nothing(zz, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(CSV_ROWS, encoding="utf-8")
    result = zz(["unit", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "试运行" in result.stdout
    clean(result)
    assert zz.json("unit list") == []
