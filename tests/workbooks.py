"""Unit workbooks as the template lays them out (SPEC §5), made fast with xlsxwriter, for the
concurrency, crash and fuzz tests; and `too_narrow`, the read-back check that no printed text is cut."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ISSUE_HEADERS = ["序号", "整治重点", "问题来源", "四查四看", "问题描述", "发现日期", "责任领导", "责任人", "备注"]
FIX_HEADERS = ["序号", "问题序号", "整改任务及措施", "责任领导", "责任人", "整改时限", "整改状态", "完成日期", "整改成效", "备注"]
AREAS = ["政治意识", "纪律意识", "责任意识", "服务意识", "担当意识", "效能意识", "规矩意识", "为民意识", "亲商意识", "宣传意识"]


def issue_rows(n: int, *, start: int = 1, prefix: str = "问题") -> list[list]:
    day = dt.date(2017, 4, 1)
    return [[i, AREAS[i % 10], "自查", None, f"{prefix}{i}：窗口办事拖沓，群众反映办事难", day + dt.timedelta(days=i % 60),
             "李局长", f"王{i % 50}", None] for i in range(start, start + n)]


def fix_rows(n_issues: int, *, start: int = 1) -> list[list]:
    return [[i, i, f"整改措施{i}：推行首问负责制", "李局长", f"王{i % 50}", dt.date(2017, 6, 30), "整改中", None, None, None]
            for i in range(start, start + n_issues)]


def write_book(path: Path, *, unit: str, sheets: dict[str, tuple[list, list[list]]]) -> Path:
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, (headers, rows) in sheets.items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, [f"作风纪律专项整治{name}"])
        ws.write_row(1, 0, [f"填报单位：{unit}"])
        ws.write_row(2, 0, headers)
        for r, row in enumerate(rows, start=3):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return path


def unit_workbook(path: Path, *, unit: str, issues: int, fixes: bool = True, prefix: str = "问题") -> Path:
    sheets = {"问题清单": (ISSUE_HEADERS, issue_rows(issues, prefix=prefix))}
    if fixes:
        sheets["整改清单"] = (FIX_HEADERS, fix_rows(issues))
    return write_book(path, unit=unit, sheets=sheets)


def _column_widths(ws) -> dict[int, float]:
    widths = {}
    for d in ws.column_dimensions.values():
        if d.width and d.min and d.max:
            for c in range(d.min, d.max + 1):
                widths[c] = d.width
    return widths


def too_narrow(book: Path) -> list[tuple]:
    """Text cells that a printer cuts or prints over their neighbour: an unwrapped string wider than
    its column (or merged span) plus the empty cells to its right. Tables stacked on one sheet share
    its columns, so each column must hold the widest text of every table on it."""
    import openpyxl

    from zhengzhi_cli.excel.book import text_width

    out = []
    for ws in openpyxl.load_workbook(book).worksheets:
        if ws.sheet_state != "visible":
            continue
        widths = _column_widths(ws)
        merged = {}
        for rng in ws.merged_cells.ranges:
            span = sum(widths.get(c, 8.43) for c in range(rng.min_col, rng.max_col + 1))
            merged.update({(r, c): span for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)})
        for row in ws.iter_rows():
            filled = {c.column for c in row if c.value not in (None, "")} | {c for (r, c) in merged if r == row[0].row}
            for c in row:
                if not isinstance(c.value, str) or not c.value.strip() or (c.alignment is not None and c.alignment.wrap_text):
                    continue
                room = merged.get((c.row, c.column)) or widths.get(c.column, 8.43)
                n = c.column + 1
                while (c.row, c.column) not in merged and n not in filled and n <= ws.max_column:
                    room += widths.get(n, 8.43)  # text runs on over empty cells
                    n += 1
                if text_width(c.value) > room:
                    out.append((book.name, ws.title, c.coordinate, c.value[:40]))
    return out
