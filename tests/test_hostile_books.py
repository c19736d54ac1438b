"""Hostile workbooks (#10) and the file formats units send (#9): every file is refused with
a Chinese message naming it and the problem — fast, in bounded memory, never a crash —
or read alike whatever its format (.xlsx, .xls, .ods, CSV in UTF-8/GBK/UTF-16).

Each hostile file is built here from hand-written XML; the .xls/.ods fixtures were made
by LibreOffice with tests/fixtures/hostile_books/make_fixtures.py."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.zzcheck import issues, refused, sheet_xml, xlsx
from zhengzhi_cli.excel import files
from zhengzhi_cli.excel.files import CellError, read_any

BOOKS = FIXTURES / "hostile_books"


GOOD = [1, "效能意识", "自查", "1", "窗口办事拖沓", "2017-05-02", "张三", "李四", "无"]


def import_refused(zz, path, *needles, env=None):
    """Refused within 15 s: exit 1, the file named, no traceback, nothing written."""
    start = time.monotonic()
    result = refused(zz, ["import", path, "--unit", "杨村"], Path(path).name, *needles, env=env)
    assert time.monotonic() - start < 15
    return result


def imported(zz, path, count: int):
    got = zz.json(["import", path, "--unit", "杨村"])
    assert got["refused"] == 0 and got["new"] == count, got
    return got


# ---------------------------------------------------------------- extent before calamine


def test_cell_at_xfd1048576_is_refused_before_the_reader_aborts(district, tmp_path):
    # calamine aborts the whole process (Rust panic, exit 134) on this one cell
    path = xlsx(tmp_path / "最远.xlsx", sheet_xml(issues(GOOD), cells='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    import_refused(district, path, "问题清单", "1048576 行 × 16384 列", "上限")


def test_cell_at_xfd20000_is_refused_fast(district, tmp_path):
    # was a PanicException after 35 s and > 12 GB
    path = xlsx(tmp_path / "远.xlsx", sheet_xml(issues(GOOD), cells='<row r="20000"><c r="XFD20000"><v>1</v></c></row>'))
    import_refused(district, path, "20000 行 × 16384 列")


def test_refs_past_excel_are_refused(district, tmp_path):
    path = xlsx(tmp_path / "越界.xlsx", sheet_xml(issues(GOOD), cells='<row r="3000000"><c r="ZZZZ3000000"><v>1</v></c></row>'))
    import_refused(district, path, "超出 Excel 工作表的最大范围")


@pytest.mark.parametrize("target", ["data/s1.xml", "/xl/s1.xml"])
def test_far_cell_in_a_sheet_stored_elsewhere_is_refused(district, tmp_path, target):
    # the workbook's relationships, not the part's folder, say which parts are sheets
    sheet = sheet_xml(issues(GOOD), cells='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    import_refused(district, xlsx(tmp_path / "别处.xlsx", sheet, target=target), "1048576 行 × 16384 列")
    assert read_any(xlsx(tmp_path / "好.xlsx", sheet_xml(issues(GOOD)), target=target))[0].rows[2][4] == "窗口办事拖沓"


def test_declared_dimension_past_bound_is_refused(district, tmp_path):
    path = xlsx(tmp_path / "声明.xlsx", sheet_xml(issues(GOOD), dimension="A1:XFD1048576"))
    import_refused(district, path, "dimension", "上限")


def test_cell_bound_is_set_by_zz_max_cells(district, tmp_path):
    path = xlsx(tmp_path / "小上限.xlsx", sheet_xml(issues(GOOD, [2, "效能意识", "自查", "1", "审批慢", "2017-05-03"])))
    import_refused(district, path, "上限", env={"ZZ_MAX_CELLS": "20"})
    imported(district, path, 2)


def test_wide_sheet_within_bound_is_read_exactly(tmp_path):
    # 60 columns × 100 rows: past the quick estimate (99,999 rows × 26 columns), so the refs are counted
    rows = [[f"{r}-{c}" for c in range(60)] for r in range(100)]
    sheets = read_any(xlsx(tmp_path / "宽.xlsx", sheet_xml(rows)))
    assert len(sheets[0].rows) == 100 and sheets[0].rows[99][59] == "99-59"


def test_reader_panic_becomes_a_refusal(district, tmp_path, monkeypatch):
    import python_calamine

    class PanicException(BaseException):  # pyo3's own derives from BaseException, as this one does
        pass

    class Exploding:
        sheet_names = ["问题清单"]

        @classmethod
        def from_path(cls, path):
            return cls()

        def get_sheet_by_name(self, name):
            raise PanicException("index out of bounds")

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Exploding)
    path = xlsx(tmp_path / "崩溃.xlsx", sheet_xml(issues(GOOD)))
    import_refused(district, path, "读取程序出错", "另存为")


# ---------------------------------------------------------------- merged cells


def test_many_merges_are_refused_fast(district, tmp_path):
    merges = '<mergeCell ref="A1:XFD1048576"/>' * 200_000
    path = xlsx(tmp_path / "合并.xlsx", sheet_xml(issues(GOOD), extra=f'<mergeCells count="200000">{merges}</mergeCells>'))
    assert path.stat().st_size < 64 * 1024
    import_refused(district, path, "200000 个合并单元格", "10000")


def test_merges_are_clipped_to_the_sheet_and_deduplicated(district, tmp_path):
    merges = '<mergeCell ref="A1:XFD1048576"/>' * 9_000 + '<mergeCell ref="A1:I1"/>'
    path = xlsx(tmp_path / "合并2.xlsx", sheet_xml(issues(GOOD), extra=f'<mergeCells count="9001">{merges}</mergeCells>'))
    sheet = read_any(path)[0]
    assert sheet.merged == [(0, 0, 0, 8), (0, 0, 2, 8)]
    start = time.monotonic()
    refused(district, ["import", path, "--unit", "杨村"])  # every cell holds the unit line: no header left
    assert time.monotonic() - start < 15


# ---------------------------------------------------------------- DTDs anywhere


EVIL_DTD = '<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'


@pytest.mark.parametrize("prolog", [
    '<?xml version="1.0"?><!-- <a> looks like a root -->' + EVIL_DTD,
    '<?xml version="1.0"?><?mso-application progid="<Excel.Sheet>"?>' + EVIL_DTD,
    '<?xml version="1.0"?>' + " " * 70_000 + EVIL_DTD,
    '<?xml version="1.0"?>' + "\n" * (2 << 20) + EVIL_DTD,
], ids=["after-comment", "after-processing-instruction", "after-64k-whitespace", "after-2mb-newlines"])
def test_doctype_anywhere_in_the_prolog_is_refused(district, tmp_path, prolog):
    path = xlsx(tmp_path / "实体.xlsx", sheet_xml(issues(GOOD), prolog=prolog))
    import_refused(district, path, "sheet1.xml", "实体")


def test_doctype_in_any_part_and_after_the_root_is_refused(district, tmp_path):
    core = f'<?xml version="1.0"?><!-- x -->{EVIL_DTD}<cp:coreProperties xmlns:cp="urn:x">&lol2;</cp:coreProperties>'
    import_refused(district, xlsx(tmp_path / "属性.xlsx", sheet_xml(issues(GOOD)), parts={"docProps/core.xml": core}),
                   "docProps/core.xml", "实体")
    late = sheet_xml(issues(GOOD)).replace("<sheetData>", f"{EVIL_DTD}<sheetData>")
    import_refused(district, xlsx(tmp_path / "根后.xlsx", late), "实体")


def test_doctype_in_ods_content_is_refused(district, tmp_path):
    path = tmp_path / "实体.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", f'<?xml version="1.0"?><?pi x?>{EVIL_DTD}<office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">&lol2;</office:document-content>')
    import_refused(district, path, "content.xml", "实体")


def test_plain_vml_that_is_not_well_formed_is_still_read(district, tmp_path):
    vml = '<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><br></v:shape></xml>'  # Excel writes such VML
    path = xlsx(tmp_path / "批注.xlsx", sheet_xml(issues(GOOD)), parts={"xl/drawings/vmlDrawing1.vml": vml})
    imported(district, path, 1)


# ---------------------------------------------------------------- not a readable file


def test_directory_named_like_a_csv_is_refused(district, tmp_path):
    (tmp_path / "x.csv").mkdir()
    import_refused(district, tmp_path / "x.csv", "文件夹")
    (tmp_path / "y.xlsx").mkdir()
    import_refused(district, tmp_path / "y.xlsx", "文件夹")


def test_missing_file_is_refused(district, tmp_path):
    import_refused(district, tmp_path / "没有.csv", "不存在")
    import_refused(district, tmp_path / "没有.xls", "不存在")


def test_unreadable_file_is_refused(district, tmp_path, monkeypatch):
    path = tmp_path / "锁定.xlsx"
    xlsx(path, sheet_xml(issues(GOOD)))

    def denied(file, *args, **kw):  # root reads any file, so permission is refused here instead
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return open(file, *args, **kw)

    monkeypatch.setattr(files, "open", denied, raising=False)
    import_refused(district, path, "没有读取这个文件的权限")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_chmod_000_file_is_refused(district, tmp_path):
    path = tmp_path / "锁定.csv"
    path.write_text("序号,整治重点,问题描述\n1,效能意识,审批慢\n", encoding="utf-8")
    path.chmod(0)
    try:
        import_refused(district, path, "权限")
    finally:
        path.chmod(0o600)


# ---------------------------------------------------------------- error cells and numbers


def test_error_cells_are_cell_errors_not_blanks(tmp_path):
    rows = issues([1, "效能意识", "自查", "1", CellError("#REF!"), CellError("#DIV/0!"), CellError("#N/A"), None, 1e20])
    sheet = read_any(xlsx(tmp_path / "错误值.xlsx", sheet_xml(rows)))[0]
    got = sheet.rows[2]
    assert [type(v) for v in got[4:7]] == [CellError] * 3
    assert got[4:7] == ["#REF!", "#DIV/0!", "#N/A"]
    assert got[8] == 1e20 and type(got[8]) is float  # a huge 序号 stays a plain float; transfer.py reports it


def test_error_cell_is_named_by_the_importer(district, tmp_path):
    path = xlsx(tmp_path / "错误日期.xlsx", sheet_xml(issues([1, "效能意识", "自查", "1", "审批慢", CellError("#VALUE!")])))
    result = import_refused(district, path, "发现日期")
    assert "#VALUE!" in result.stderr and "（空白）" not in result.stderr


# ---------------------------------------------------------------- CSV


CSV_TEXT = "序号,整治重点,问题描述,发现日期\n1,效能意识,审批慢,2017-05-02\n2,效能意识,窗口拖沓,2017-05-03\n"


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b""),
                                          ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_csv_encodings_are_read_alike(district, tmp_path, encoding, bom):
    path = tmp_path / f"问题_{encoding}.csv"
    path.write_bytes(bom + CSV_TEXT.encode(encoding))
    imported(district, path, 2)
    assert [i["description"] for i in district.json("issue list")] == ["审批慢", "窗口拖沓"]


def test_csv_with_cr_only_line_ends(district, tmp_path):
    path = tmp_path / "老式.csv"
    path.write_bytes(CSV_TEXT.replace("\n", "\r").encode("utf-8"))
    imported(district, path, 2)


def test_csv_unbalanced_quote_is_refused_naming_the_line(district, tmp_path):
    path = tmp_path / "引号.csv"
    path.write_text(CSV_TEXT + '3,效能意识,"审批慢,2017-05-04\n4,效能意识,拖沓,2017-05-05\n', encoding="utf-8")
    import_refused(district, path, "第 4 行", "引号")
    path.write_text(CSV_TEXT + '3,效能意识,"审批慢,2017-05-04\n4,效能意识,拖沓,2017-05-05"\n5,效能意识,慢,2017-05-06\n',
                    encoding="utf-8")
    import_refused(district, path, "第 4 行", "引号")


def test_csv_multiline_quoted_cell_is_still_read(district, tmp_path):
    path = tmp_path / "换行.csv"
    path.write_text(CSV_TEXT + '3,效能意识,"第一行,\n第二行",2017-05-04\n', encoding="utf-8")
    imported(district, path, 3)


def test_csv_cell_over_128kb(tmp_path):
    path = tmp_path / "长.csv"
    path.write_text(CSV_TEXT + f'3,效能意识,"{"长" * 200_000}",2017-05-04\n', encoding="utf-8")
    rows = read_any(path)[0].rows
    assert len(rows[3][2]) == 200_000


def test_csv_cell_over_128kb_via_cli_is_no_internal_error(district, tmp_path):
    path = tmp_path / "长.csv"
    path.write_text(CSV_TEXT + f'3,效能意识,"{"长" * 200_000}",2017-05-04\n', encoding="utf-8")
    result = district(["import", path, "--unit", "杨村"])
    assert result.exit_code in (0, 1) and "内部错误" not in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- .xls and .ods


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_are_read(district, suffix):
    got = imported(district, BOOKS / f"杨村街道_问题清单.{suffix}", 2)
    assert got["files"][0]["sheets"]["问题清单"]["new"] == 2
    assert [i["description"] for i in district.json("issue list")] == ["窗口办事拖沓", "审批时限超期"]


def test_xls_merged_title_is_read(tmp_path):
    sheet = read_any(BOOKS / "杨村街道_问题清单.xls")[0]
    assert sheet.merged == [(0, 0, 0, 8)] and sheet.rows[2][:3] == ["序号", "整治重点", "问题来源"]


def _xls_with_first_label_at(tmp_path: Path, row: int, col: int) -> Path:
    """The .xls fixture with its first LABELSST record (type 0x00FD, length 10: row, col, …)
    moved to (row, col), 0-based, as a damaged or crafted file may have it."""
    import struct

    data = bytearray((BOOKS / "杨村街道_问题清单.xls").read_bytes())
    at = data.find(b"\xfd\x00\x0a\x00")
    data[at + 4: at + 8] = struct.pack("<HH", row, col)
    path = tmp_path / f"远_{row}_{col}.xls"
    path.write_bytes(data)
    return path


def test_xls_past_the_cell_bound_is_refused(district, tmp_path):
    import_refused(district, _xls_with_first_label_at(tmp_path, 65535, 255), "65536 行 × 256 列", "上限")


def test_xls_that_makes_the_reader_abort_is_refused(district, tmp_path):
    # column 65535 does not exist in .xls; calamine aborts (a Rust panic) building the sheet
    import_refused(district, _xls_with_first_label_at(tmp_path, 65535, 65535), "读取程序异常退出", "另存为")


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods(path: Path, table: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                    'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type='
                    '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
                    'manifest:media-type="text/xml"/></manifest:manifest>')
        zf.writestr("content.xml", f'<?xml version="1.0"?><office:document-content {ODS_NS}><office:body><office:spreadsheet>'
                    f'<table:table table:name="问题清单">{table}</table:table></office:spreadsheet></office:body>'
                    '</office:document-content>')
    return path


@pytest.mark.parametrize("rows", [1_048_576, 6_000])
def test_ods_repeated_rows_and_cells_are_bounded(district, tmp_path, rows):
    # 6,000 × 16,384 is under calamine's own 100M-cell limit: it took 22 s and 2 GB before failing
    filled = ('<table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p>'
              '</table:table-cell>')
    path = ods(tmp_path / "重复.ods", f'<table:table-row table:number-rows-repeated="{rows}">{filled}</table:table-row>')
    import_refused(district, path, f"{rows} 行 × 16384 列")


def test_ods_error_cells_are_cell_errors(tmp_path):
    error = ('<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
             'calcext:value-type="error" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0">'
             '<text:p>#DIV/0!</text:p></table:table-cell>')
    text = '<table:table-cell office:value-type="string"><text:p>序号</text:p></table:table-cell>'
    path = ods(tmp_path / "错误值.ods", f'<table:table-row>{text}</table:table-row><table:table-row>{text}{error}</table:table-row>')
    rows = read_any(path)[0].rows
    assert rows[1][1] == "#DIV/0!" and isinstance(rows[1][1], CellError)


def test_ods_padding_with_repeated_empty_cells_is_read(tmp_path):
    # LibreOffice pads every sheet so; only cells with a value count
    cell = '<table:table-cell office:value-type="string"><text:p>序号</text:p></table:table-cell>'
    empty = '<table:table-cell table:number-columns-repeated="16383"/>'
    path = ods(tmp_path / "填充.ods", f'<table:table-row>{cell}{empty}</table:table-row>'
               f'<table:table-row table:number-rows-repeated="1048575">{empty}</table:table-row>')
    assert read_any(path)[0].rows == [["序号"]]


def test_damaged_xls_and_random_bytes_are_refused(district, tmp_path):
    good = (BOOKS / "杨村街道_问题清单.xls").read_bytes()
    (tmp_path / "截断.xls").write_bytes(good[: len(good) // 2])
    import_refused(district, tmp_path / "截断.xls", "另存为")
    (tmp_path / "随机.xls").write_bytes(os.urandom(5000))
    import_refused(district, tmp_path / "随机.xls", "不是")
    (tmp_path / "随机.ods").write_bytes(b"PK\x03\x04" + os.urandom(5000))
    import_refused(district, tmp_path / "随机.ods", "不是")
