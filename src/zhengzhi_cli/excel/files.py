"""Opening what units send, safely: a file is checked before any parsing work.

Refused fast with a clear message: not a file or not readable, not a workbook, a
password-protected file, XML that declares a DOCTYPE/entities anywhere (expat reads every
part's prolog, the rest is searched as it streams), parts that unpack past a bound (zip
bombs), sheets whose declared or real extent passes a cell bound (ZZ_MAX_CELLS), too many
merged ranges (ZZ_MAX_MERGES). These checks run
before python-calamine sees the file, because calamine aborts the whole process (a Rust
panic, not an exception) on a cell at XFD1048576. .xls and .ods are read by calamine in
a child process, so that whatever a damaged file does to the reader, the clerk gets a
refusal, not a crash. CSV is read as UTF-8 (with or without BOM), GB18030/GBK or UTF-16.

Error cells (#REF!, #DIV/0!, #N/A …) come back as `CellError` strings, not as blanks.
"""

from __future__ import annotations

import csv
import io
import os
import pickle
import posixpath
import re
import stat
import subprocess
import sys
import xml.parsers.expat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileRefused

ENV_MAX_UNPACKED = "ZZ_MAX_UNPACKED_MB"
ENV_MAX_CELLS = "ZZ_MAX_CELLS"
ENV_MAX_MERGES = "ZZ_MAX_MERGES"
DEFAULT_MAX_UNPACKED_MB = 100
DEFAULT_MAX_CELLS = 5_000_000
DEFAULT_MAX_MERGES = 10_000
EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384  # the largest sheet Excel itself can make
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
CHUNK = 1 << 20


class CellError(str):
    """A cell holding a spreadsheet error such as "#REF!" or "#DIV/0!" (calamine reads these as blanks)."""

    __slots__ = ()


@dataclass
class Sheet:
    name: str
    rows: list[list]  # rows[i] is Excel row i + 1; cells as python values (str, float, int, date, CellError …)
    merged: list[tuple[int, int, int, int]]  # (first_row, first_col, last_row, last_col), 0-based, clipped to rows
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, "#REF!") 0-based, as in rows


def cell_text(value) -> str:
    """A cell as text: whole numbers without `.0` (codes typed as numbers), dates as ISO."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip()


def find_header(rows: list[list], columns: dict[str, tuple[str, ...]], ready, *, scan: int = 20
                ) -> tuple[int, dict[str, int]] | None:
    """The first row (of the first `scan`) whose cells name enough of `columns` (header
    synonyms per key) for `ready(found)`; returns (row index, key → column index)."""
    from ..dates import normalize

    for r, row in enumerate(rows[:scan]):
        cols: dict[str, int] = {}
        for c, cell in enumerate(row):
            label = normalize(cell_text(cell))
            for key, names in columns.items():
                if key not in cols and label in names:
                    cols[key] = c
        if ready(cols):
            return r, cols
    return None



def table_rows(sheets, columns: dict[str, tuple[str, ...]], ready):
    """Every data row under the header `find_header` finds on each sheet (sheets without one are
    skipped), as (sheet name, row number from 1, key → raw cell)."""
    for sheet in sheets:
        found = find_header(sheet.rows, columns, ready)
        if not found:
            continue
        head, cols = found
        for r in range(head + 1, len(sheet.rows)):
            row = sheet.rows[r]
            yield sheet.name, r + 1, {k: row[c] if c < len(row) else None for k, c in cols.items()}

def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def max_unpacked() -> int:
    return int(_env_number(ENV_MAX_UNPACKED, DEFAULT_MAX_UNPACKED_MB) * 1024 * 1024)


def max_cells() -> int:
    return int(_env_number(ENV_MAX_CELLS, DEFAULT_MAX_CELLS))


def max_merges() -> int:
    return int(_env_number(ENV_MAX_MERGES, DEFAULT_MAX_MERGES))


def refuse(path: Path, why: str) -> FileRefused:
    return FileRefused(f"文件“{path.name}”：{why}", field="file", problems=[  # the fields of a CellProblem
        {"file": str(path), "sheet": None, "row": None, "column": None, "value": "", "why": why, "accepted": ""}])


def _too_big(path: Path, where: str, rows: int, cols: int) -> FileRefused:
    if rows > EXCEL_ROWS or cols > EXCEL_COLS:
        past = f"超出 Excel 工作表的最大范围（{EXCEL_ROWS} 行 × {EXCEL_COLS} 列），文件已损坏或被改动"
    else:
        past = f"超过 {max_cells()} 个单元格的上限（可由环境变量 {ENV_MAX_CELLS} 调整），已拒绝以防占满内存"
    return refuse(path, f"{where}的范围达 {rows} 行 × {cols} 列，{past}。"
                        "请删除表格右侧和下方多余的行列（或只复制数据区域到新工作簿）后再导入")


def _check_extent(path: Path, where: str, rows: int, cols: int) -> None:
    if rows > EXCEL_ROWS or cols > EXCEL_COLS or rows * cols > max_cells():
        raise _too_big(path, where, rows, cols)


def open_head(path: Path, size: int = 8) -> bytes:
    """The file's first bytes, once it is known to be a readable regular file."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise refuse(path, "这是一个文件夹，不是文件。请指定文件夹里的工作簿文件")
        if not stat.S_ISREG(st.st_mode):
            raise refuse(path, "不是普通文件（可能是设备或管道），无法作为工作簿读取")
        with open(path, "rb") as fh:
            return fh.read(size)
    except FileNotFoundError:
        raise refuse(path, "文件不存在，请检查文件名和路径") from None
    except PermissionError:
        raise refuse(path, "没有读取这个文件的权限，请复制到自己的文件夹或请管理员开放读取权限后再导入") from None
    except OSError as exc:
        raise refuse(path, f"无法读取文件（{exc.strerror or exc}），请复制到本机后再导入") from None


# ---------------------------------------------------------------- zip packages (.xlsx, .ods)


class _XmlGuard:
    """Checks one XML part for DOCTYPE/ENTITY declarations as it is unpacked. expat reads the
    prolog, where a DTD is legal, however long it is and whatever comments or processing
    instructions it holds; once the root element has opened (or expat gives up: Excel's VML is
    not well-formed), a declaration can only be a byte pattern, so the rest of the part is
    searched for one — every byte is looked at, none through Python callbacks per element."""

    _DECL = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

    def __init__(self, name: str):
        self.name = name
        self.tail = b""
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._declared
        self.parser.EntityDeclHandler = self._declared
        self.parser.StartElementHandler = self._root
        self.rooted = False

    def _declared(self, *args) -> None:
        raise _Declared

    def _root(self, *args) -> None:
        self.parser.StartElementHandler = None
        self.rooted = True

    def feed(self, chunk: bytes, final: bool = False) -> bool:
        """False once the part has declared a DOCTYPE or an entity."""
        if self.parser is not None:
            try:
                self.parser.Parse(chunk, final)
            except _Declared:
                return False
            except xml.parsers.expat.ExpatError:
                self.parser = None
            else:
                if self.rooted:
                    self.parser = None
                return True
        # "!" is rare in sheet XML and a one-byte search is fast; the pattern only runs where it is
        data = self.tail + chunk[:16]
        found = b"!" in chunk and self._DECL.search(chunk) or b"!" in data and self._DECL.search(data)
        self.tail = chunk[-16:]
        return not found


class _Declared(Exception):
    pass


# Led by a literal "r" so that re skips fast; an attribute merely ending in r only makes the
# estimate larger (then every ref is counted exactly).
_REF_BIG = re.compile(rb"""r\s*=\s*["']([A-Za-z]{2,}\d*|[A-Za-z]?\d{6,})["']""")
_REF_ANY = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)(\d+)["']""")
_DIMENSION = re.compile(rb"""dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_ERROR_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s([^>]*?\bt\s*=\s*["']e["'][^>]*)>(.*?)</(?:[\w.-]+:)?c>""", re.S)
_ATTR_R = re.compile(rb"""\br\s*=\s*["']([A-Za-z]+)(\d+)["']""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]{1,40})</(?:[\w.-]+:)?v>")
_SMALL_ROWS, _SMALL_COLS = 99_999, 26  # refs _REF_BIG does not match lie within these


def col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _ref(text: bytes) -> tuple[int, int]:
    """(row, col), 1-based, of a cell ref such as b"XFD20000"; 0 for a part not given."""
    m = re.fullmatch(rb"\$?([A-Za-z]*)\$?(\d*)", text.strip())
    if not m:
        return 0, 0
    return int(m[2] or 0), col_index(m[1]) if m[1] else 0


@dataclass
class _SheetFacts:
    """What streaming over a worksheet part found: its extent and merges before calamine
    builds it, and its error cells (calamine reads those as blanks)."""

    part: str
    declared: tuple[int, int] = (0, 0)
    big_rows: int = 0
    big_cols: int = 0
    merges: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    in_head: bool = True  # <dimension> comes before <sheetData>

    def see(self, data: bytes) -> None:
        if self.in_head:
            m = _DIMENSION.search(data)
            if m:
                refs = [_ref(x) for x in m[1].split(b":")]
                self.declared = (max(r for r, _ in refs), max(c for _, c in refs))
            self.in_head = not m and b"sheetData" not in data
        for m in _REF_BIG.findall(data):
            row, col = _ref(m)
            self.big_rows, self.big_cols = max(self.big_rows, row), max(self.big_cols, col)
        if b"mergeCell" in data:
            self.merges += data.count(b"mergeCell") - data.count(b"mergeCells") - data.count(b"/mergeCell>")
        if b"#" in data and (b'"e"' in data or b"'e'" in data):  # every error value starts with "#"
            self._see_errors(data)

    def _see_errors(self, data: bytes) -> None:
        from xml.sax.saxutils import unescape

        for attrs, body in _ERROR_CELL.findall(data):
            where, value = _ATTR_R.search(attrs), _VALUE.search(body)
            if where and value and value[1].startswith(b"#"):
                text = unescape(value[1].decode("utf-8", "replace")).strip()
                self.errors.append((int(where[2]) - 1, col_index(where[1]) - 1, text))

    def estimate(self) -> tuple[int, int]:
        """An upper bound of (rows, cols) from the refs past the small bounds."""
        return self.big_rows or _SMALL_ROWS, self.big_cols or _SMALL_COLS


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


class _OdsExtent:
    """The rows × columns each table of an .ods content.xml fills once its repeated rows and
    cells (table:number-rows-repeated="1048576") are spelled out, as calamine would; only
    cells with a value count, as LibreOffice pads every sheet with repeated empty ones.
    Also the error cells (calcext:value-type="error", "#DIV/0!" as text), which calamine reads as blanks."""

    def __init__(self):
        self.extent: dict[str, tuple[int, int]] = {}
        self.errors: dict[str, list[tuple[int, int, str]]] = {}
        self.error_text: list[str] | None = None
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator="|")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.table, self.row, self.rows_repeated, self.col = "", 0, 1, 0
        self.cell: tuple[int, int] | None = None  # (first col, repeats) of the cell being read
        self.row_cols = 0  # the columns the current row fills

    @staticmethod
    def _count(attrs: dict, name: str) -> int:
        try:
            return max(1, int(attrs.get(f"{_ODS_TABLE}|{name}", 1)))
        except ValueError:
            return 1

    def _start(self, name: str, attrs: dict) -> None:
        if name == f"{_ODS_TABLE}|table":
            self.table, self.row = attrs.get(f"{_ODS_TABLE}|name", ""), 0
            self.extent.setdefault(self.table, (0, 0))
        elif name == f"{_ODS_TABLE}|table-row":
            self.rows_repeated, self.col, self.row_cols = self._count(attrs, "number-rows-repeated"), 0, 0
        elif name in (f"{_ODS_TABLE}|table-cell", f"{_ODS_TABLE}|covered-table-cell"):
            self.cell = (self.col, self._count(attrs, "number-columns-repeated"))
            self.col += self.cell[1]
            types = [value for key, value in attrs.items() if key.endswith("|value-type")]
            if types:
                self._filled()
            if "error" in types:
                self.error_text = []
                self.parser.CharacterDataHandler = self.error_text.append
        elif self.cell is not None and name.startswith(f"{_ODS_TEXT}|"):
            self._filled()

    def _filled(self) -> None:
        self.row_cols = max(self.row_cols, self.cell[0] + self.cell[1])

    def _end(self, name: str) -> None:
        if name in (f"{_ODS_TABLE}|table-cell", f"{_ODS_TABLE}|covered-table-cell"):
            if self.error_text is not None:
                text = "".join(self.error_text).strip()
                if text.startswith("#"):
                    self.errors.setdefault(self.table, []).append((self.row, self.cell[0], text[:40]))
                self.error_text, self.parser.CharacterDataHandler = None, None
            self.cell = None
        elif name == f"{_ODS_TABLE}|table-row":
            rows, cols = self.extent.get(self.table, (0, 0))
            self.row += self.rows_repeated
            if self.row_cols:
                self.extent[self.table] = (self.row, max(cols, self.row_cols))

    def feed(self, chunk: bytes, path: Path) -> None:
        try:
            self.parser.Parse(chunk, not chunk)
        except xml.parsers.expat.ExpatError as exc:
            raise refuse(path, f"content.xml 不是有效的 XML（{exc}），文件已损坏。请在 WPS/LibreOffice 中打开后另存为 .xlsx 再导入") from None


def _sheet_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _xml_part(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"


def check_package(path: Path) -> tuple[str, dict[str, _SheetFacts], dict[str, _SheetFacts]]:
    """Everything that must be true of a zip package before a parser may look at it:
    ("xlsx" | "ods", worksheet part → facts (.xlsx only), sheet name → facts)."""
    bound = max_unpacked()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            kind = _package_kind(zf, {i.filename for i in infos}, path)
            declared = sum(i.file_size for i in infos)
            if declared > bound:
                raise refuse(path, f"解压后超过 {bound // (1024 * 1024)} MB 上限（{declared // (1024 * 1024)} MB），已拒绝以防占满内存")
            # the workbook and its relationships first: they say which parts are sheets
            first = [i for i in infos if i.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
            total = sum(_scan_part(zf, info, path, bound, None) for info in first)
            names = _sheet_parts(zf) if kind == "xlsx" else {}
            facts: dict[str, _SheetFacts] = {}
            tables: dict[str, _SheetFacts] = {}  # .ods: table name → facts
            for info in infos:
                if info in first:
                    continue
                is_sheet = kind == "xlsx" and (info.filename in names or _sheet_part(info.filename))
                sheet = facts.setdefault(info.filename, _SheetFacts(info.filename)) if is_sheet else None
                ods = _OdsExtent() if kind == "ods" and info.filename == "content.xml" else None
                total += _scan_part(zf, info, path, bound - total, sheet, ods)
                for name, (rows, cols) in (ods.extent.items() if ods else ()):
                    _check_extent(path, f"工作表“{name}”", rows, cols)
                    tables[name] = _SheetFacts(info.filename, errors=ods.errors.get(name, []))
            for info in infos:
                if info.filename in facts:
                    _check_sheet(zf, info, path, facts[info.filename], names.get(info.filename))
    except zipfile.BadZipFile:
        raise refuse(path, "不是有效的 .xlsx（压缩结构已损坏）") from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise refuse(path, f"不是有效的 .xlsx（无法解压：{exc}）") from None
    if kind == "ods":
        return kind, {}, tables
    return kind, facts, {names[part]: found for part, found in facts.items() if part in names}


def _starts(zf: zipfile.ZipFile, name: str, prefix: bytes) -> bool:
    with zf.open(name) as part:
        return part.read(len(prefix) + 8).strip().startswith(prefix)


def _package_kind(zf: zipfile.ZipFile, names: set[str], path: Path) -> str:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names and _starts(zf, "mimetype", ODS_MIME):
        return "ods"
    raise refuse(path, "不是 Excel 工作簿（.xlsx）：压缩包里没有 xl/workbook.xml，也不是 .ods 电子表格")


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: int, sheet: _SheetFacts | None,
               ods: _OdsExtent | None = None) -> int:
    """Decompress one part in chunks, counting real bytes (headers can lie); every XML part
    goes through `_XmlGuard`, a worksheet also through `_SheetFacts.see` (whole tags only),
    an .ods content.xml through `_OdsExtent`."""
    guard = _XmlGuard(info.filename) if _xml_part(info.filename) else None
    seen = 0
    carry = b""
    with zf.open(info) as part:
        while True:
            chunk = part.read(CHUNK)
            seen += len(chunk)
            if seen > budget:
                raise refuse(path, f"解压后超过 {max_unpacked() // (1024 * 1024)} MB 上限，已拒绝以防占满内存")
            if guard is not None and not guard.feed(chunk, final=not chunk):
                raise refuse(path, f"部件 {info.filename} 含有 XML 实体/DOCTYPE 声明，出于安全原因拒绝读取")
            if sheet is not None:
                data = carry + chunk
                cut = _cut(data) if chunk else len(data)
                sheet.see(data[:cut])
                carry = data[cut:]
            if ods is not None:
                ods.feed(chunk, path)
            if not chunk:
                return seen


def _cut(data: bytes) -> int:
    """Where to split streamed sheet XML: after the last whole row (so an error cell stays whole),
    or after the last tag when a row runs on past a few MB."""
    end = data.rfind(b"</row>")
    if end >= 0 and len(data) - end < (4 << 20):
        return end + len(b"</row>")
    return data.rfind(b">") + 1


def _check_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, sheet: _SheetFacts, name: str | None) -> None:
    where = f"工作表“{name}”" if name else f"工作表部件 {info.filename} "
    if sheet.merges > max_merges():
        raise refuse(path, f"{where}有 {sheet.merges} 个合并单元格，超过 {max_merges()} 个的上限，已拒绝以防长时间占用。"
                           "请取消不必要的合并单元格后再导入")
    rows, cols = sheet.declared
    if rows > EXCEL_ROWS or cols > EXCEL_COLS or rows * cols > max_cells():
        raise _too_big(path, f"{where}声明（dimension）", rows, cols)
    rows, cols = sheet.estimate()
    if rows * cols > max_cells() or rows > EXCEL_ROWS or cols > EXCEL_COLS:
        _check_extent(path, where, *_exact_extent(zf, info))


def _exact_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Every row and cell ref of a part (a second pass, only for a sheet the quick bound cannot clear)."""
    rows = cols = 0
    carry = b""
    with zf.open(info) as part:
        while chunk := part.read(CHUNK):
            data = carry + chunk
            cut = data.rfind(b">") + 1
            for letters, digits in _REF_ANY.findall(data[:cut]):
                rows = max(rows, int(digits))
                if letters:
                    cols = max(cols, col_index(letters))
            carry = data[cut:]
    return rows, cols


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, from xl/workbook.xml and its relationships (both already
    passed `_XmlGuard`: no DTD, so ElementTree expands nothing)."""
    import xml.etree.ElementTree as ET

    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.get("Id")}
    parts = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            part = target[1:] if target.startswith("/") else target if target.startswith("xl/") else f"xl/{target}"
            for spelling in (part, posixpath.normpath(part)):  # as calamine may look it up, and tidied
                parts[spelling] = el.get("name", "")
    return parts


# ---------------------------------------------------------------- reading


def _is_panic(exc: BaseException) -> bool:
    """pyo3's PanicException derives from BaseException, not Exception."""
    return type(exc).__name__ == "PanicException"


def _clip_merges(path: Path, name: str, rows: list[list], ranges) -> list[tuple[int, int, int, int]]:
    """Merged ranges clipped to the cells the sheet has, without repeats, so that filling
    them costs no more than the sheet itself; refused past the cell bound."""
    width = max((len(r) for r in rows), default=0)
    merged, area = set(), 0
    for (r0, c0), (r1, c1) in ranges or []:
        r1, c1 = min(r1, len(rows) - 1), min(c1, width - 1)
        if r0 > r1 or c0 > c1 or (r0, c0, r1, c1) in merged:
            continue
        merged.add((r0, c0, r1, c1))
        area += (r1 - r0 + 1) * (c1 - c0 + 1)
        if area > max_cells():
            raise refuse(path, f"工作表“{name}”的合并单元格共覆盖超过 {max_cells()} 个单元格，已拒绝以防长时间占用。"
                               "请取消不必要的合并单元格后再导入")
    return sorted(merged)


def _mark_errors(rows: list[list], errors: list[tuple[int, int, str]]) -> None:
    for r, c, text in errors:
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]) and rows[r][c] in ("", None):
            rows[r][c] = CellError(text)


def read_xlsx(path: Path) -> list[Sheet]:
    kind, _, facts = check_package(path)
    if kind == "ods":
        sheets = _read_isolated(path)
        for sheet in sheets:
            sheet.errors = facts[sheet.name].errors if sheet.name in facts else []
            _mark_errors(sheet.rows, sheet.errors)
        return sheets
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in wb.sheet_names:
            found = facts.get(name)
            ws = wb.get_sheet_by_name(name)
            _check_extent(path, f"工作表“{name}”", ws.total_height + 1, ws.total_width + 1)  # last index, 0-based
            rows = ws.to_python(skip_empty_area=False)
            errors = found.errors if found else []
            _mark_errors(rows, errors)
            sheets.append(Sheet(name=name, rows=rows, merged=_clip_merges(path, name, rows, ws.merged_cell_ranges),
                                errors=errors))
        wb.close()
    except FileRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise refuse(path, f"无法读取工作簿内容（{type(exc).__name__}：{exc}），文件可能已损坏") from None
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise refuse(path, "读取工作簿时读取程序出错（文件结构异常或已损坏），请在 Excel/WPS 中打开后另存为新的 .xlsx 再导入") from None
    return sheets


# A damaged .xls or .ods can make calamine abort the process (a Rust panic) or allocate
# without bound while it builds a sheet, before any size can be checked; so it is read here.
_CHILD = r"""
import pickle, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
except Exception:
    pass
from python_calamine import CalamineWorkbook
path, limit = sys.argv[1], int(sys.argv[2])
out = []
try:
    wb = CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        ws = wb.get_sheet_by_name(name)
        h, w = ws.total_height + 1, ws.total_width + 1  # the last row and column index, 0-based
        if h > 1048576 or w > 16384 or h * w > limit:
            out = ("too_big", name, h, w)
            break
        out.append((name, ws.to_python(skip_empty_area=False), ws.merged_cell_ranges))
    else:
        out = ("ok", out)
except BaseException as exc:
    out = ("error", type(exc).__name__, str(exc)[:300])
sys.stdout.buffer.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
"""
ENV_READ_TIMEOUT = "ZZ_READ_TIMEOUT"
CHILD_MEMORY = 2 << 30


def _read_isolated(path: Path) -> list[Sheet]:
    """Read an .xls or .ods with calamine in a child process; any way it fails is a refusal."""
    timeout = _env_number(ENV_READ_TIMEOUT, 120)
    try:
        done = subprocess.run([sys.executable, "-I", "-c", _CHILD, str(path), str(max_cells()), str(CHILD_MEMORY)],
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise refuse(path, f"读取超过 {timeout:g} 秒仍未完成，文件可能已损坏或过大，已停止。"
                           "请在 Excel/WPS 中打开后另存为 .xlsx 再导入") from None
    try:
        result = pickle.loads(done.stdout) if done.returncode == 0 else None
    except Exception:
        result = None
    if result is None:
        raise refuse(path, "文件已损坏，读取程序异常退出。请在 Excel/WPS 中打开后“另存为”.xlsx 再导入")
    if result[0] == "too_big":
        raise _too_big(path, f"工作表“{result[1]}”", result[2], result[3])
    if result[0] == "error":
        raise refuse(path, f"无法读取这个 .xls/.ods 文件（{result[1]}：{result[2]}），文件可能已损坏。"
                           "请在 Excel/WPS 中打开后“另存为”.xlsx 再导入")
    return [Sheet(name=name, rows=rows, merged=_clip_merges(path, name, rows, ranges))
            for name, rows, ranges in result[1]]


# ---------------------------------------------------------------- .xls (BIFF in an OLE2 compound file)
#
# Read here, before calamine sees the file, for two things calamine does not give: a sheet's real
# extent (calamine builds the whole rectangle first: a single cell at IV65536 cost 1.06 GB before
# the size could be checked), and its error cells (calamine reads #REF!, #DIV/0! as blanks).
# The compound file (OLE2) is opened with olefile; anything this small reader cannot follow (a damaged
# or unusual file) leaves the file to calamine in its child process, as before.

XLS_ROWS, XLS_COLS = 65_536, 256
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A"}
# Cells with a value: row, col first. BLANK/MULBLANK (formatted empty cells; LibreOffice writes a
# thousand past the data) are left out, as calamine leaves them out of the sheet it builds.
_CELL_RECORDS = {0x0006, 0x0203, 0x0204, 0x0205, 0x00FD, 0x027E, 0x00D6}
_MULTI_RECORDS = {0x00BD}  # MULRK: row, first col … last col in the final two bytes


class _NotFollowed(Exception):
    """The compound file or its BIFF stream is not laid out as this reader expects."""


def _cfb_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """The first stream called one of `names` in an OLE2 compound file, read with olefile; a stream
    that says it is longer than the file is not followed (a damaged size would read gigabytes)."""
    import io

    import olefile

    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise _NotFollowed("no compound file header")
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            for name in names:
                if ole.exists(name) and ole.get_type(name) == olefile.STGTY_STREAM:
                    if ole.get_size(name) > len(data):
                        raise _NotFollowed("stream longer than the file")
                    return ole.openstream(name).read()
    except _NotFollowed:
        raise
    except Exception as exc:  # noqa: BLE001  (olefile has many ways of saying "damaged"; calamine decides, in its child)
        raise _NotFollowed(f"olefile: {type(exc).__name__}") from None
    raise _NotFollowed("no Workbook stream")


@dataclass
class _XlsSheet:
    name: str | None  # None where the name could not be read (BIFF5: a code page)
    rows: int = 0  # the real extent: last row and column holding a cell record, + 1
    cols: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)


def xls_facts(path: Path) -> list[_XlsSheet] | None:
    """Each worksheet's real extent and error cells, from the BIFF records; None when the file
    is not laid out as expected (then calamine alone decides, in its child process)."""
    import struct

    try:
        with open(path, "rb") as fh:
            data = fh.read(max_unpacked() + 1)
        if len(data) > max_unpacked():
            raise refuse(path, f".xls 文件超过 {max_unpacked() // (1024 * 1024)} MB 上限，已拒绝以防占满内存"
                               f"（可由环境变量 {ENV_MAX_UNPACKED} 调整）")
        book = _cfb_stream(data, ("Workbook", "Book"))
        del data
        sheets: list[tuple[_XlsSheet, int]] = []
        pos = 0
        while pos + 4 <= len(book):
            kind, size = struct.unpack_from("<HH", book, pos)
            if kind == 0x002F:  # FILEPASS: the rest is encrypted
                return None
            if kind == 0x0085 and size >= 8:  # BOUNDSHEET: where a sheet starts, its type and name
                start, dt, cch, wide = struct.unpack_from("<I x B B B", book, pos + 4)
                if dt == 0:
                    raw = book[pos + 12: pos + 12 + cch * (2 if wide & 1 else 1)]
                    name = raw.decode("utf-16-le" if wide & 1 else "latin-1") if size >= 8 + len(raw) else None
                    sheets.append((_XlsSheet(name), start))
            if kind == 0x000A:  # EOF of the workbook globals
                break
            pos += 4 + size
        for sheet, start in sheets:
            _scan_sheet(book, start, sheet)
        return [s for s, _ in sheets]
    except (_NotFollowed, struct.error, IndexError, ValueError, OverflowError, MemoryError):
        return None


def _scan_sheet(book: bytes, pos: int, sheet: _XlsSheet) -> None:
    import struct

    depth = 0
    while pos + 4 <= len(book):
        kind, size = struct.unpack_from("<HH", book, pos)
        body = pos + 4
        if kind == 0x0809:  # BOF: a chart inside a sheet has its own substream
            depth += 1
        elif kind == 0x000A:
            depth -= 1
            if depth <= 0:
                return
        elif depth == 1 and size >= 4 and (kind in _CELL_RECORDS or kind in _MULTI_RECORDS):
            row, col = struct.unpack_from("<HH", book, body)
            last = struct.unpack_from("<H", book, body + size - 2)[0] if kind in _MULTI_RECORDS else col
            sheet.rows, sheet.cols = max(sheet.rows, row + 1), max(sheet.cols, last + 1)
            if kind == 0x0205 and size >= 8 and book[body + 7] == 1:  # BOOLERR holding an error
                sheet.errors.append((row, col, BIFF_ERRORS.get(book[body + 6], "#错误")))
            elif kind == 0x0006 and size >= 14 and book[body + 12: body + 14] == b"\xff\xff" and book[body + 6] == 2:
                sheet.errors.append((row, col, BIFF_ERRORS.get(book[body + 8], "#错误")))  # a formula's cached error
        pos = body + size


def _check_xls(path: Path) -> list[_XlsSheet] | None:
    """Refuse, before calamine builds it, a sheet whose cells span more than the cell bound."""
    facts = xls_facts(path)
    for n, sheet in enumerate(facts or [], start=1):
        if sheet.rows > XLS_ROWS or sheet.cols > XLS_COLS:
            continue  # past what .xls can hold: damaged; calamine's own refusal (in the child) says so
        if sheet.rows * sheet.cols > max_cells():
            raise _too_big(path, f"工作表“{sheet.name or n}”", sheet.rows, sheet.cols)
    return facts


def _xls_errors(sheets: list[Sheet], facts: list[_XlsSheet] | None) -> None:
    if not facts:
        return
    by_name = {f.name: f for f in facts if f.name is not None}
    for n, sheet in enumerate(sheets):
        found = by_name.get(sheet.name) or (facts[n] if len(facts) == len(sheets) and facts[n].name is None else None)
        if found is not None and found.errors:
            sheet.errors = found.errors
            _mark_errors(sheet.rows, sheet.errors)


def _is_encrypted(path: Path) -> bool:
    with open(path, "rb") as fh:
        blob = fh.read(1 << 20)
    return any(word in blob for word in ("EncryptionInfo".encode("utf-16-le"), b"EncryptedPackage",
                                         "EncryptedPackage".encode("utf-16-le")))


def read_workbook_file(path: Path) -> list[Sheet]:
    head = open_head(path)
    if head.startswith(OLE_MAGIC):
        if _is_encrypted(path):
            raise refuse(path, "工作簿设有打开密码，无法读取。请在 Excel/WPS 中取消密码（文件→信息→保护工作簿）后另存为 .xlsx 再导入")
        facts = _check_xls(path)
        sheets = _read_isolated(path)
        _xls_errors(sheets, facts)
        return sheets
    if not head.startswith(b"PK\x03\x04"):
        raise refuse(path, "不是 Excel 工作簿（.xlsx/.xls/.ods）：文件内容无法识别，可能是改了扩展名的其他文件或已损坏")
    return read_xlsx(path)


# ---------------------------------------------------------------- CSV


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_csv(data: bytes, path: Path) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                raise refuse(path, f"CSV 以 {enc.upper()} 标记开头，但内容不是该编码，文件可能已损坏") from None
    if b"\x00" in data[:4096]:
        raise refuse(path, "不是文本 CSV 文件（含二进制内容）。UTF-16 编码的 CSV 须带字节顺序标记（BOM），或另存为 UTF-8")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise refuse(path, "CSV 编码无法识别，请另存为 UTF-8 或 GBK 编码")


def read_csv(path: Path) -> list[Sheet]:
    open_head(path)
    if os.path.getsize(path) > max_unpacked():
        raise refuse(path, f"CSV 文件超过 {max_unpacked() // (1024 * 1024)} MB 上限，已拒绝以防占满内存")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise refuse(path, f"无法读取文件（{exc.strerror or exc}）") from None
    # Old Mac line ends (CR only) become line feeds; a CR inside a quoted cell is a line break there too.
    text = decode_csv(data, path).replace("\r\n", "\n").replace("\r", "\n")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [Sheet(name=path.stem, rows=_csv_rows(path, text, dialect), merged=[])]


def _csv_rows(path: Path, text: str, dialect) -> list[list]:
    """Every record, strictly: a quote left open would otherwise swallow the lines after it."""
    limit = max(csv.field_size_limit(), len(text) + 1)
    csv.field_size_limit(min(limit, sys.maxsize))
    reader = csv.reader(io.StringIO(text), dialect, strict=True)
    rows, cells, line, width = [], 0, 1, 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise refuse(path, f"CSV 第 {line} 行的引号没有配对（以 \" 开头的单元格缺少结尾的 \"，"
                               f"或结尾的 \" 后还有文字；读到第 {reader.line_num} 行）。请检查该行的引号后再导入") from None
        if reader.line_num > line and len(row) < width:
            # A cell may hold line breaks, but then its record still has all its columns.
            raise refuse(path, f"CSV 第 {line} 行的引号没有配对：从这一行起到第 {reader.line_num} 行被读成了一个单元格"
                               f"（只有 {len(row)} 列，前面的行有 {width} 列）。请检查该行的引号后再导入")
        width = max(width, len(row))
        line = reader.line_num + 1
        cells += len(row)
        if cells > max_cells():
            raise refuse(path, f"CSV 超过 {max_cells()} 个单元格的上限，已拒绝以防占满内存")
        rows.append(row)
    return rows


def read_any(path: Path) -> list[Sheet]:
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    return read_workbook_file(path)
