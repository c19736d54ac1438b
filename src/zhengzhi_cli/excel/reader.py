"""Reading a unit workbook as units really send it: find each sheet's header row by its
words (whatever the sheet is called), the 填报单位 / 填报日期 lines and the template marker
above it, fill merged cells, and hand on the data rows with their Excel row numbers.

Turning cells into register values is the domain's job (transfer.py); this module only
knows the layout.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .columns import (
    COMBINED, FIXES, GUIDE, HEADER_INDEX, ISSUES, MARKER, OPTIONS, RULES, header_key, norm,
)
from .files import Sheet, read_any

HEADER_SCAN_ROWS = 30
# What a header row must have to be recognised as each kind (first match wins).
REQUIRED = (
    (COMBINED, ("description", "task")),
    (FIXES, ("task", "issue_seq")),
    (ISSUES, ("description", "area")),
    (RULES, ("title", "action")),
)
_UNIT_LINE = re.compile(r"(?:填报|报送|填表)单位(?:[（(][^）)]*[）)])?[:：]?(.*)")
_DATE_LINE = re.compile(r"(?:填报|报送|填表|制表)(?:日期|时间)[:：]?(.*)")
_STOP = re.compile(r"\s*(?:填报|报送|填表|制表|联系人|联系电话|电话|审核|负责人|日期|时间|单位负责人)")


@dataclass
class Table:
    """One recognised sheet: which kind, where its columns are, its data rows."""

    sheet: str
    kind: str
    header_row: int  # Excel row number of the (last) header row
    columns: dict[str, int]  # column key → 0-based index
    headers: dict[str, str]  # column key → header text as written in the file
    rows: list[list]  # the sheet's rows; rows[i] is Excel row i + 1
    first_data: int  # 0-based index of the first data row


@dataclass
class Workbook:
    path: Path
    tables: list[Table] = field(default_factory=list)
    unit: str | None = None  # from the 填报单位 line or the template marker
    unit_where: str | None = None
    filled_on: object = None  # raw 填报日期 value (parsed by the domain)
    sheets: list[str] = field(default_factory=list)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


def fill_merged(sheet: Sheet) -> None:
    """Every cell of a merged range takes the range's value (Excel keeps it in the top-left)."""
    rows = sheet.rows
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


def _match(cells: list, kind: str) -> tuple[dict[str, int], dict[str, str]]:
    index = HEADER_INDEX[kind]
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


def _satisfies(kind_required: tuple[str, ...], cols: dict) -> bool:
    return all(k in cols for k in kind_required)


def find_header(rows: list[list]) -> tuple[str, int, int, dict, dict] | None:
    """(kind, header row index, first data index, columns, headers) of the first header row."""
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        row = rows[r]
        if sum(1 for c in row if isinstance(c, str) and c.strip()) < 2:
            continue
        below = rows[r + 1] if r + 1 < len(rows) else None
        for kind, required in REQUIRED:
            cols, headers = _match(row, kind)
            if below is not None:
                # A two-row header: a group cell (整改情况) over its parts (整改措施 | 整改时限 …).
                index = HEADER_INDEX[kind]
                width = max(len(row), len(below))
                merged = [b if isinstance(b, str) and index.get(header_key(b)) else a
                          for a, b in zip(row + [""] * (width - len(row)), below + [""] * (width - len(below)))]
                cols2, headers2 = _match(merged, kind)
                if _satisfies(required, cols2) and len(cols2) > len(cols) and not _looks_like_data(below, cols2.get("seq")):
                    return kind, r + 1, r + 2, cols2, headers2
            if _satisfies(required, cols):
                return kind, r, r + 1, cols, headers
    return None


def _looks_like_data(row: list, seq_col: int | None) -> bool:
    if seq_col is None or seq_col >= len(row):
        return False
    value = row[seq_col]
    return isinstance(value, (int, float)) or norm(value).isdigit()


def _scan_lines(book: Workbook, sheet: Sheet, upto: int) -> None:
    for r in range(min(upto, len(sheet.rows))):
        row = sheet.rows[r]
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or not cell:
                continue
            text = cell.strip()
            flat = norm(text)
            if book.unit is None and "单位" in flat:
                m = _UNIT_LINE.search(text.replace(" ", " "))
                if m:
                    value = _STOP.split(m.group(1), maxsplit=1)[0].strip(" ：:　")
                    if not value:  # the name is in the next non-empty cell
                        value = next((cell_text(v) for v in row[c + 1:] if cell_text(v) and "日期" not in cell_text(v)), "")
                    if value and "盖章" not in value:
                        book.unit = value
                        book.unit_where = f"工作表“{sheet.name}”第 {r + 1} 行"
            if book.filled_on is None and ("日期" in flat or "时间" in flat):
                m = _DATE_LINE.search(text)
                if m:
                    value = _STOP.split(m.group(1), maxsplit=1)[0].strip(" ：:　")
                    if not value:
                        value = next((v for v in row[c + 1:] if cell_text(v)), None)
                    if value not in (None, "") and not (isinstance(value, str) and not re.search(r"\d", norm(value))):
                        book.filled_on = value


def _scan_marker(book: Workbook, sheet: Sheet) -> None:
    for row in sheet.rows:
        for cell in row:
            if isinstance(cell, str) and cell.startswith(MARKER):
                fields = dict(part.split("=", 1) for part in cell.split(";")[1:] if "=" in part)
                ref = fields.get("代码") or fields.get("单位")
                if ref and book.unit is None:
                    book.unit = ref
                    book.unit_where = f"模板标记（工作表“{sheet.name}”）"
                return


def read_workbook(path: Path) -> Workbook:
    path = Path(path)
    sheets = read_any(path)
    book = Workbook(path=path, sheets=[s.name for s in sheets])
    for sheet in sheets:
        if sheet.name.startswith((GUIDE, OPTIONS)):
            continue
        fill_merged(sheet)
        found = find_header(sheet.rows)
        if found is None:
            continue
        kind, header_r, first, cols, headers = found
        _scan_lines(book, sheet, header_r)
        book.tables.append(Table(sheet=sheet.name, kind=kind, header_row=header_r + 1, columns=cols, headers=headers,
                                 rows=sheet.rows, first_data=first))
    if book.unit is None:
        for sheet in sheets:
            if sheet.name == GUIDE or sheet.name.startswith(GUIDE):
                _scan_marker(book, sheet)
    # A unit line on a sheet that has no table (a cover sheet) still names the unit.
    if book.unit is None or book.filled_on is None:
        for sheet in sheets:
            _scan_lines(book, sheet, min(HEADER_SCAN_ROWS, len(sheet.rows)) if not any(t.sheet == sheet.name for t in book.tables) else 0)
    return book
