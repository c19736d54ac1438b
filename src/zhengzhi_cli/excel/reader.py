"""Reading a unit workbook as units really send it: find the table(s) on each sheet by their
header words (whatever the sheet is called), read one- or two-row headers, the 填报单位 /
填报日期 lines above each table, the template and ledger markers, fill merged cells, and hand
on the data rows with their Excel row numbers.

Turning cells into register values is the domain's job (workbook_import/); this module only
knows the layout. Where a header can mean two things (整改进展情况: the status, or a free-text
progress note) the column's own cells decide, as a person reading the sheet would.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .columns import (
    BY_KIND, COMBINED, COMBINED_SHEET, FIX_STATUS_AMBIGUOUS, FIXES, GUIDE, HEADER_INDEX, ISSUES, MARKER, OPTIONS, RULES, SEQ, fix_status_word,
    header_key, norm,
)
from .files import Sheet, cell_text, read_any

HEADER_SCAN_ROWS = 30
LEDGER_PROPERTY = "zz-ledger"
# What a header row must have to be recognised as each kind (first match wins).
REQUIRED = (
    (COMBINED, ("description", "task")),
    (FIXES, ("task", "issue_seq")),
    (ISSUES, ("description", "area")),
    (RULES, ("title", "action")),
)
# What a table of each kind can do without: an issue list whose 整治重点 are section rows
# ("（三）责任意识方面") has no 整治重点 column.
RELAXED = ((ISSUES, ("description",)), (COMBINED, ("description",)))
# The office's own columns: read only from the office's ledger, never from a unit's workbook.
OFFICE_ONLY = ("verified_on", "verified_by", "claimed", "done_reported")
# Headers that name the status or a free-text progress note: which one, the cells decide.
STATUS_HEADERS = {header_key(h) for h in ("整改状态", "状态", "是否完成", "整改结果", "完成状态")}
_UNIT_LINE = re.compile(r"(?:填报|报送|填表)单位(?:[（(][^）)]*[）)])?[:：]?(.*)")
_DATE_LINE = re.compile(r"(?:填报|报送|填表|制表)(?:日期|时间)[:：]?(.*)")
_STOP = re.compile(r"\s*(?:填报|报送|填表|制表|联系人|联系电话|电话|审核|负责人|日期|时间|单位负责人)")
_SEAL = re.compile(r"[（(]\s*(?:盖章|公章|签章)\s*[）)]|盖章")
_FORMAL = re.compile(r"(?:人民政府|办事处|管理委员会|管委会)$")
_SEQ_NAMES = {header_key(n) for n in SEQ.names}
_SEQ_FIRST = {n[0] for n in _SEQ_NAMES}
_MARKS = {"√", "✓", "✔", "☑", "●", "■", "★", "是", "Y", "y", "1", "v", "V", "○", "〇", "X", "x", "×"}


@dataclass
class Table:
    """One table found on a sheet: which kind, where its columns are, its data rows."""

    sheet: str
    kind: str
    header_row: int  # Excel row number of the (last) header row
    columns: dict[str, int]  # column key → 0-based index
    headers: dict[str, str]  # column key → header text as written in the file
    rows: list[list]  # the sheet's rows; rows[i] is Excel row i + 1
    first_data: int  # 0-based index of the first data row
    end: int = -1  # 0-based index past the last data row (the next table's title, or the sheet's end)
    unit: str | None = None  # this table's own 填报单位 line
    unit_where: str | None = None
    filled_on: object = None
    status_marks: dict[int, str] = field(default_factory=dict)  # 整改情况 over 已完成|正在整改|未整改 with a √


@dataclass
class Workbook:
    path: Path
    tables: list[Table] = field(default_factory=list)
    unit: str | None = None  # from a 填报单位 line, a cover sheet or the template marker
    unit_where: str | None = None
    filled_on: object = None  # raw 填报日期 value (parsed by the domain)
    sheets: list[str] = field(default_factory=list)
    ledger: dict | None = None  # the office's own ledger (`zz export ledger`): its marker's fields
    near_miss: str | None = None  # for a file with no table: the headers found and the ones missing


def fill_merged(sheet: Sheet) -> None:
    """Every cell of a merged range takes the range's value (Excel keeps it in the top-left)."""
    rows = sheet.rows
    if not rows:
        return
    width = max(len(r) for r in rows)
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        c1 = min(c1, width - 1)
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


def _index_for(kind: str, extra: dict[str, str]) -> dict[str, str]:
    if not extra:
        return HEADER_INDEX[kind]
    keys = {c.key for c in (COMBINED_SHEET if kind == COMBINED else BY_KIND[kind]).columns} | {"unit"}
    return {**HEADER_INDEX[kind], **{h: k for h, k in extra.items() if k in keys}}


def _match(cells: list, index: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    cols: dict[str, int] = {}
    headers: dict[str, str] = {}
    for c, cell in enumerate(cells):
        if not isinstance(cell, str) or not cell:
            continue
        key = index.get(header_key(cell))
        if key and key not in cols:
            cols[key] = c
            headers[key] = re.sub(r"\s+", "", cell)
    return cols, headers


def _looks_like_header(row: list) -> bool:
    """Cheap test before the full match: a header row names 序号 in one of its first cells."""
    for cell in row[:3]:
        if cell.__class__ is str and cell.lstrip()[:1] in _SEQ_FIRST and header_key(cell) in _SEQ_NAMES:
            return True
    return False


def _marks_below(row: list, below: list, index: dict[str, str]) -> dict[int, str]:
    """整改情况 (merged, or written once over blank cells to its right, as .ods files come) over
    已完成 | 正在整改 | 未整改: column → the status its √ means."""
    marks = {}
    in_group = False
    for c, cell in enumerate(below):
        top = row[c] if c < len(row) else None
        if isinstance(top, str) and top.strip():
            in_group = index.get(header_key(top)) == "status"
        if in_group and isinstance(cell, str):
            status = fix_status_word(cell)
            if status:
                marks[c] = status
    return marks if len(marks) >= 2 else {}


def find_header(rows: list[list], start: int, stop: int, extra: dict[str, str], *, anywhere: bool = False):
    """(kind, header row index, first data index, columns, headers, marks) of the first header row
    in rows[start:stop]; `anywhere` looks only at rows that name 序号 (fast, for stacked tables)."""
    for r in range(start, min(stop, len(rows))):
        row = rows[r]
        if anywhere and (not row or row[0].__class__ is float or row[0].__class__ is int or not _looks_like_header(row)):
            continue  # a data row (its 序号 a number) is no header: the stacked-table scan passes it at once
        if sum(1 for c in row if isinstance(c, str) and c.strip()) < 2:
            continue
        found = _header_at(rows, r, extra)
        if found is not None:
            return found
    return None


def _header_at(rows: list[list], r: int, extra: dict[str, str]):
    """The header that begins at rows[r], if any: the kinds in order, strict before relaxed."""
    row = rows[r]
    below = rows[r + 1] if r + 1 < len(rows) else None
    for required_set in (REQUIRED, RELAXED):
        for kind, required in required_set:
            index = _index_for(kind, extra)
            cols, headers = _match(row, index)
            if below is not None:
                found = _two_row_header(kind, required, r, row, below, index, cols, headers)
                if found is not None:
                    return found
            if all(k in cols for k in required) and (required_set is REQUIRED or "seq" in cols):
                return kind, r, r + 1, cols, headers, {}
    return None


def _two_row_header(kind: str, required: tuple, r: int, row: list, below: list, index: dict[str, str],
                    cols: dict[str, int], headers: dict[str, str]):
    """A header over a second row: 整改情况 over 已完成|正在整改|未整改 (a √ in one), or a group cell
    (整改情况) over its parts (整改措施 | 整改时限 …)."""
    marks = _marks_below(row, below, index) if kind in (FIXES, COMBINED) else {}
    if marks and all(k in cols for k in required):
        cols.pop("status", None)
        headers.pop("status", None)
        return kind, r, r + 2, cols, headers, marks
    width = max(len(row), len(below))
    merged = [b if isinstance(b, str) and index.get(header_key(b)) else a
              for a, b in zip(row + [""] * (width - len(row)), below + [""] * (width - len(below)))]
    cols2, headers2 = _match(merged, index)
    if (len(cols) >= 2 and all(k in cols2 for k in required) and len(cols2) > len(cols)
            and not _looks_like_data(below, cols2.get("seq"))):
        return kind, r + 1, r + 2, cols2, headers2, {}
    return None


def _near_miss(rows: list[list], sheet: str, extra: dict[str, str]) -> tuple[int, str] | None:
    """The row that came closest to a header: what it names and what it lacks, in the file's words."""
    best = None
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        for kind, required in REQUIRED:
            cols, headers = _match(rows[r], _index_for(kind, extra))
            if len(cols) < 2:
                continue
            spec = COMBINED_SHEET if kind == COMBINED else BY_KIND[kind]
            missing = [spec.column(k).header for k in required if k not in cols]
            score = len(cols) - len(missing)
            if best is None or score > best[0]:
                found = "、".join(headers[k] for k in sorted(cols, key=cols.get))
                best = (score, f"工作表“{sheet}”第 {r + 1} 行找到 {found}；作为{kind}缺少 {'、'.join(missing)}")
    return best


def _looks_like_data(row: list, seq_col: int | None) -> bool:
    if seq_col is None or seq_col >= len(row):
        return False
    value = row[seq_col]
    return isinstance(value, (int, float)) or norm(value).isdigit()


def clean_unit_text(text: str) -> str:
    """"杨村街道（盖章）" → "杨村街道"; the formal name stays (resolved by the domain)."""
    return _SEAL.sub("", text).strip(" ：:　")


def _scan_lines(sheet: Sheet, start: int, upto: int) -> tuple[str | None, str | None, object]:
    """(unit, where, 填报日期) from the lines rows[start:upto] above a table."""
    unit = where = filled = None
    for r in range(start, min(upto, len(sheet.rows))):
        row = sheet.rows[r]
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or not cell:
                continue
            text = cell.strip()
            flat = norm(text)
            if unit is None:
                unit = _unit_line(text, flat, row, c)
                if unit:
                    where = f"工作表“{sheet.name}”第 {r + 1} 行"
            if filled is None and ("日期" in flat or "时间" in flat):
                filled = _date_line(text, row, c)
    return unit, where, filled


def _unit_line(text: str, flat: str, row: list, c: int) -> str | None:
    """The unit a cell names: 填报单位：XXX (or XXX in the next cell), or a unit's formal name alone
    in the first cell (武清区大良镇人民政府（盖章）)."""
    if "单位" in flat:
        m = _UNIT_LINE.search(text.replace("\u3000", " "))
        if not m:
            return None
        value = clean_unit_text(_STOP.split(m.group(1), maxsplit=1)[0])
        if not value:  # the name is in the next non-empty cell
            value = next((clean_unit_text(cell_text(v)) for v in row[c + 1:]
                          if clean_unit_text(cell_text(v)) and "日期" not in cell_text(v)), "")
        return value or None
    if _FORMAL.search(_SEAL.sub("", flat)) and len(flat) <= 30 and c == 0:
        return clean_unit_text(text)
    return None


def _date_line(text: str, row: list, c: int):
    """The 填报日期 a cell gives (填报日期：2017年6月30日, or the date in the next cell); None if no digits."""
    m = _DATE_LINE.search(text)
    if not m:
        return None
    value = _STOP.split(m.group(1), maxsplit=1)[0].strip(" ：:　")
    if not value:
        value = next((v for v in row[c + 1:] if cell_text(v)), None)
    if value not in (None, "") and not (isinstance(value, str) and not re.search(r"\d", norm(value))):
        return value
    return None


def _scan_marker(sheet: Sheet) -> str | None:
    for row in sheet.rows:
        for cell in row:
            if isinstance(cell, str) and cell.startswith(MARKER):
                fields = dict(part.split("=", 1) for part in cell.split(";")[1:] if "=" in part)
                return fields.get("代码") or fields.get("单位") or None
    return None


def ledger_marker(path: Path) -> dict | None:
    """The office ledger's marker: a custom document property (`zz export ledger` writes it; Excel,
    WPS and LibreOffice keep it when the file is saved again). The file was checked before."""
    try:
        with zipfile.ZipFile(path) as zf:
            if "docProps/custom.xml" not in zf.namelist():
                return None
            xml = zf.read("docProps/custom.xml")[:65536].decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    m = re.search(rf'name="{LEDGER_PROPERTY}"[^>]*>\s*<vt:lpwstr[^>]*>([^<]*)</vt:lpwstr>', xml)
    if not m:
        return None
    return dict(part.split("=", 1) for part in m.group(1).split(";") if "=" in part)


def _statusy(rows: list[list], col: int, first: int, end: int) -> bool:
    """Most filled cells of the column (of the first 2,000) are status words, or words that could be two
    statuses (未完成): then it is the status column, and a cell that is no status word is refused by
    its own name rather than turning the whole column into free text."""
    words = other = 0
    for r in range(first, min(end, first + 2000)):
        row = rows[r]
        v = row[col] if col < len(row) else None
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if len({x for x in row if x not in (None, "")}) == 1:
            continue  # a merged heading or footnote row, not this column's cell
        if isinstance(v, str) and (fix_status_word(v) is not None or norm(v) in FIX_STATUS_AMBIGUOUS):
            words += 1
        else:
            other += 1
    return words > other


def _status_by_content(table: Table, header_cells: list, extra: dict[str, str]) -> None:
    """整改进展情况 / 整改情况 / 完成情况: the column of status words is the status, the column of
    free text (已谈话12人次) is the progress note — whatever the headers say."""
    if table.kind not in (FIXES, COMBINED) or table.status_marks:
        return
    index = _index_for(table.kind, extra)
    cands = [c for c, cell in enumerate(header_cells)
             if isinstance(cell, str) and index.get(header_key(cell)) in ("status", "progress")]
    if not cands:
        return
    explicit = [c for c in cands if header_key(header_cells[c]) in STATUS_HEADERS or extra.get(header_key(header_cells[c])) == "status"]
    statusy = [c for c in cands if _statusy(table.rows, c, table.first_data, table.end)]
    status = explicit[0] if explicit else (statusy[0] if statusy else None)
    progress = next((c for c in cands if c != status and c not in statusy), None)
    if status is None and progress is None:
        progress = cands[0]
    for key, col in (("status", status), ("progress", progress)):
        table.columns.pop(key, None)
        table.headers.pop(key, None)
        if col is not None:
            table.columns[key] = col
            table.headers[key] = re.sub(r"\s+", "", header_cells[col])


def read_workbook(path: Path, *, mappings: dict[str, str] | None = None,
                  unit_mappings: Callable[[str | None], dict[str, str]] | None = None) -> Workbook:
    """`mappings`: header → column key taught with `--map`; `unit_mappings(unit text)`: those the
    office taught for the unit a table's 填报单位 line names (None: the file's unit)."""
    path = Path(path)
    sheets = read_any(path)
    book = Workbook(path=path, sheets=[s.name for s in sheets])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        book.ledger = ledger_marker(path)
    base = dict(mappings or {})
    best_miss = None
    for sheet in sheets:
        if sheet.name.startswith((GUIDE, OPTIONS)):
            continue
        miss = _read_tables(book, sheet, base, unit_mappings)
        if miss and (best_miss is None or miss[0] > best_miss[0]):
            best_miss = miss
    if book.unit is None:
        _unit_from_marker(book, sheets)
    # A unit line on a sheet that has no table (a cover sheet) still names the unit.
    if book.unit is None or book.filled_on is None:
        for sheet in sheets:
            if not any(t.sheet == sheet.name for t in book.tables):
                _note_lines(book, *_scan_lines(sheet, 0, HEADER_SCAN_ROWS))
    if not book.tables and best_miss:
        book.near_miss = best_miss[1]
    return book


def _read_tables(book: Workbook, sheet: Sheet, base: dict[str, str],
                 unit_mappings: Callable[[str | None], dict[str, str]] | None) -> tuple[int, str] | None:
    """The tables of one sheet, one below the other, into `book`; for a sheet with none, its near miss."""
    fill_merged(sheet)
    rows = sheet.rows
    start = 0
    while start < len(rows):
        first_table = start == 0
        unit, where, filled = _scan_lines(sheet, start, start + HEADER_SCAN_ROWS)
        extra = {**(unit_mappings(unit) if unit_mappings else {}), **base}
        scan_to = start + HEADER_SCAN_ROWS if first_table else len(rows)
        found = find_header(rows, start, scan_to, extra, anywhere=not first_table)
        if found is None:
            return _near_miss(rows, sheet.name, extra) if first_table else None
        kind, header_r, first, cols, headers, marks = found
        unit, where, filled = _scan_lines(sheet, start, header_r)
        nxt = find_header(rows, first, len(rows), extra, anywhere=True)
        end = len(rows) if nxt is None else _title_start(rows, first, nxt[1])
        if not book.ledger:
            for key in OFFICE_ONLY:
                cols.pop(key, None)
                headers.pop(key, None)
        table = Table(sheet=sheet.name, kind=kind, header_row=header_r + 1, columns=cols, headers=headers, rows=rows,
                      first_data=first, end=end, unit=unit, unit_where=where, filled_on=filled, status_marks=marks)
        _status_by_content(table, rows[header_r], extra)
        book.tables.append(table)
        _note_lines(book, unit, where, filled)
        start = end
    return None


def _note_lines(book: Workbook, unit: str | None, where: str | None, filled) -> None:
    """The first 填报单位 and 填报日期 lines found are the file's."""
    if book.unit is None and unit:
        book.unit, book.unit_where = unit, where
    if book.filled_on is None and filled is not None:
        book.filled_on = filled


def _unit_from_marker(book: Workbook, sheets: list[Sheet]) -> None:
    """The unit of a `zz template` workbook: the marker on its 填表说明 sheet."""
    for sheet in sheets:
        if sheet.name.startswith(GUIDE):
            ref = _scan_marker(sheet)
            if ref:
                book.unit, book.unit_where = ref, f"模板标记（工作表“{sheet.name}”）"
                return


def _title_start(rows: list[list], first: int, header_r: int) -> int:
    """Where the next table's title lines begin: back from its header over lines that are no data
    (a title, 附件2, a 填报单位 line), so they belong to the next table, not to this one."""
    r = header_r
    while r > first:
        above = rows[r - 1]
        texts = [c for c in above if c not in (None, "")]
        if len(texts) > 3 or any(isinstance(c, (int, float)) and not isinstance(c, bool) for c in above[:3]):
            break
        r -= 1
    return r
