"""Writing unit workbooks with xlsxwriter: the blank template a unit fills in, and the
office's whole ledger (constant_memory, row by row, so 100k issues stay small).

Both take their columns from excel/columns.py. Every text cell goes through
`write_string`, so a value starting with = + - @ stays text and never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from ..vocab import FixStatus
from . import columns as C
from .book import FONT, lines_height, page, row_height, wrapped_lines

TITLE_ROWS = 3  # title, 填报单位/制表日期 line, header
TEMPLATE_ROWS = 500  # rows given dropdowns and borders in the blank template


@contextmanager
def atomic_workbook(out: Path, *, constant_memory: bool = False) -> Iterator:
    """An xlsxwriter Workbook written in a scratch folder and moved into place only when complete
    (outputs.atomic); xlsxwriter's own scratch files go to that folder too, so a failure leaves none."""
    import xlsxwriter

    from ..outputs import atomic

    with atomic(out) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": constant_memory, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False,
                                            "default_date_format": "yyyy-mm-dd", "tmpdir": str(tmp.parent)})
        yield wb
        wb.close()


class Formats:
    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.line = wb.add_format({**base, "font_size": 11})
        self.header = wb.add_format({**base, "bold": True, "font_size": 11, "align": "center", "text_wrap": True,
                                     "border": 1, "bg_color": "#DDEBF7"})
        self.cell = wb.add_format({**base, "border": 1, "text_wrap": True})
        self.grid = wb.add_format({"border": 1})  # a blank cell of the ledger, by conditional format
        self.center = wb.add_format({**base, "border": 1, "align": "center", "text_wrap": True})
        self.date = wb.add_format({**base, "border": 1, "align": "center", "num_format": "yyyy-mm-dd"})
        self.guide = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.guide_head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
        self.guide_cell = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})


def _page(ws, ncols: int, header_row: int) -> None:
    page(ws, repeat=(header_row, header_row))


def _fmt_for(col: C.Column, f: Formats):
    if col.kind in ("date",):
        return f.date
    if col.kind in ("int", "list", "deadline", "seqs") or col.key == "unit":
        return f.center
    return f.cell


def _list_source(plan, col: C.Column) -> list[str]:
    if col.choices == "areas":
        return [a.name for a in plan.areas]
    if col.choices == "checks":
        return [c.check for c in plan.checks]
    if col.choices == "fix_statuses":  # a unit reports; only the office verifies (销号)
        return [s for s in plan.lists[col.choices] if s != FixStatus.VERIFIED]
    return list(plan.lists[col.choices])


def write_template(out: Path, *, plan, unit_name: str | None, unit_code: str | None) -> dict:
    """The blank workbook a unit fills in (SPEC §5)."""
    with atomic_workbook(out) as wb:
        f = Formats(wb)
        options = wb.add_worksheet(C.OPTIONS)
        list_cols = {}
        for i, col in enumerate(c for c in C.ISSUE_SHEET.columns + C.FIX_SHEET.columns + C.RULE_SHEET.columns if c.choices):
            if col.choices in list_cols:
                continue
            values = _list_source(plan, col)
            letter = chr(ord("A") + len(list_cols))
            options.write_string(0, len(list_cols), f"可选{col.header}")
            for r, v in enumerate(values, start=1):
                options.write_string(r, len(list_cols), v)
            list_cols[col.choices] = f"={C.OPTIONS}!${letter}$2:${letter}${len(values) + 1}"
        options.hide()
        lo, hi = dt.date(plan.start.year - 1, 1, 1), dt.date(plan.end.year + 3, 12, 31)
        for spec in C.SHEETS:
            ws = wb.add_worksheet(spec.kind)
            cols = spec.template_columns()
            _heading(ws, f, cols, title=f"{unit_name or ''}{spec.title}", line=f"填报单位：{unit_name or ''}",
                     right="填报日期：")
            for c, col in enumerate(cols):
                ws.set_column(c, c, col.width, _fmt_for(col, f))
                first, last = TITLE_ROWS, TITLE_ROWS + TEMPLATE_ROWS - 1
                prompt = {"input_title": col.header[:32], "input_message": (col.help or col.header)[:255]}
                if col.choices:
                    ws.data_validation(first, c, last, c, {"validate": "list", "source": list_cols[col.choices],
                                                           "error_title": "不在可选范围内",
                                                           "error_message": f"{col.header}请从下拉列表中选择", **prompt})
                elif col.kind == "date":
                    ws.data_validation(first, c, last, c, {"validate": "date", "criteria": "between", "minimum": lo,
                                                           "maximum": hi, "error_title": "日期有误",
                                                           "error_message": "请填写日期，如 2017-06-30", **prompt})
                elif col.kind == "int":
                    ws.data_validation(first, c, last, c, {"validate": "integer", "criteria": ">=", "value": 1,
                                                           "error_title": "序号有误", "error_message": "请填写正整数", **prompt})
                elif col.help:
                    ws.data_validation(first, c, last, c, {"validate": "any", **prompt})
            for r in range(TITLE_ROWS, TITLE_ROWS + 30):
                ws.set_row(r, 28)
            ws.autofilter(TITLE_ROWS - 1, 0, TITLE_ROWS - 1, len(cols) - 1)
            _page(ws, len(cols), TITLE_ROWS - 1)
        _guide(wb, f, plan, unit_name=unit_name, unit_code=unit_code)
        wb.worksheets()[1].activate()
    return {"file": str(out), "unit": unit_name, "sheets": [s.kind for s in C.SHEETS] + [C.GUIDE]}


def _heading(ws, f: Formats, cols: list[C.Column], *, title: str, line: str, right: str) -> None:
    n = len(cols)
    ws.merge_range(0, 0, 0, n - 1, title, f.title)
    ws.set_row(0, 30)
    half = max(1, n // 2)
    ws.merge_range(1, 0, 1, half - 1, line, f.line) if half > 1 else ws.write_string(1, 0, line, f.line)
    ws.merge_range(1, half, 1, n - 1, right, f.line) if n - 1 > half else ws.write_string(1, half, right, f.line)
    ws.set_row(1, 20)
    for c, col in enumerate(cols):
        ws.write_string(2, c, col.header, f.header)
    ws.set_row(2, 32)
    ws.freeze_panes(3, 0)


def _guide(wb, f: Formats, plan, *, unit_name: str | None, unit_code: str | None) -> None:
    ws = wb.add_worksheet(C.GUIDE)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 70)
    ws.merge_range(0, 0, 0, 2, f"{plan.name} · 填表说明", f.title)
    lines = [
        f"1. 本工作簿供{unit_name or '各单位'}填报“问题清单”“整改清单”“制度清单”，填好后报区政府办公室（督查室），由其用 zz import 导入。",
        "2. 每张表从第 4 行起每行填一条；“序号”在本表内从 1 起编号、不能重复。再次报送时请保留原序号：同一序号会更新原记录，不会重复登记。",
        "3. “整改清单”的“问题序号”填它所针对的“问题清单”序号；一个问题可有多项整改。“制度清单”的“问题序号”可填多个，用顿号分开（如 1、3）。",
        "4. 带下拉箭头的列请从下拉列表中选；日期写成 2017-06-30 或 2017年6月30日；“整改时限”还可写“6月底前”“年底前”“长期坚持”“立行立改”。",
        "5. 请勿修改表头、勿删除本说明页；不要合并数据单元格。导入时有错的单元格会逐一列出（工作表、行号、列名、原因），改正后整份重报即可。",
    ]
    for r, text in enumerate(lines, start=1):
        ws.merge_range(r, 0, r, 2, text, f.guide)
        ws.set_row(r, row_height(text, 16 + 18 + 70))
    r = len(lines) + 2
    for c, head in enumerate(("工作表", "列", "填写要求")):
        ws.write_string(r, c, head, f.guide_head)
    for spec in C.SHEETS:
        for col in spec.template_columns():
            r += 1
            accepted = col.help
            if col.choices:
                accepted = (accepted + "。" if accepted else "") + "可选：" + "、".join(_list_source(plan, col))
            head = col.header + ("（必填）" if col.required else "")
            ws.write_string(r, 0, spec.kind, f.guide_cell)
            ws.write_string(r, 1, head, f.guide_cell)
            ws.write_string(r, 2, accepted or "", f.guide_cell)
            ws.set_row(r, max(row_height(head, 18), row_height(accepted, 70)))  # wrapped text is not grown by itself
    r += 2
    marker = f"{C.MARKER};版本=1;单位={unit_name or ''};代码={unit_code or ''}"
    ws.write_string(r, 0, marker)
    ws.set_row(r, None, None, {"hidden": True})
    page(ws)


# ---------------------------------------------------------------- the ledger


def write_ledger(out: Path, *, sheets: Iterable[tuple[C.SheetSpec, Iterable[tuple]]], public: bool,
                 title: str, made_on: dt.date, unit_line: str, marker: str | None = None,
                 issuer: str | None = None) -> dict:
    """The whole ledger in the template's own layout plus a 单位 column (and the office's
    own columns), one sheet after the other, each streamed row by row. A public ledger's
    properties name the issuing office (or zz), never a person."""
    counts = {}
    with atomic_workbook(out, constant_memory=True) as wb:
        if public:
            from .public import public_properties

            wb.set_properties(public_properties(title, issuer))
        f = Formats(wb)
        if marker:
            from .reader import LEDGER_PROPERTY

            wb.set_custom_property(LEDGER_PROPERTY, marker)
        for spec, rows in sheets:
            cols = spec.ledger_columns(public=public)
            ws = wb.add_worksheet(spec.kind)
            for c, col in enumerate(cols):
                ws.set_column(c, c, col.width)
            _heading(ws, f, cols, title=f"{title}（{spec.kind}）", line=unit_line, right=f"制表日期：{made_on.isoformat()}")
            fmts = [_fmt_for(col, f) for col in cols]
            kinds = [col.kind for col in cols]
            write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
            set_row, row_info, row_sizes = ws.set_row, ws.row_info, ws.row_sizes
            # every text cell wraps, and a spreadsheet does not grow a row for wrapped text on its own: each row
            # is given the height its text needs as it is written (constant_memory flushes it at the next row)
            usable = [max(col.width - 1.5, 1.0) for col in cols]
            r = TITLE_ROWS
            for row in rows:
                lines = 1
                for c, value in enumerate(row):
                    fmt = fmts[c]
                    if value is None or value == "":
                        continue  # its border comes from the table's one conditional format (below)
                    if isinstance(value, str):
                        write_string(r, c, value, fmt)
                        if len(value) * 2 > usable[c] or "\n" in value:  # could wrap: measure it
                            n = wrapped_lines(value, usable[c])
                            if n > lines:
                                lines = n
                    elif isinstance(value, dt.date):  # a date is a date in every column (整改时限 too), never a serial number
                        write_datetime(r, c, dt.datetime(value.year, value.month, value.day), f.date)
                    elif isinstance(value, (int, float)) and not isinstance(value, bool) and kinds[c] == "int":
                        write_number(r, c, value, fmt)
                    else:
                        write_string(r, c, str(value), fmt)
                if lines > 1:
                    set_row(r, lines_height(lines))
                # the row before this one is written out already (constant_memory): its height is no longer
                # needed, and keeping one per row would hold 100 000 of them until the file closes
                row_info.pop(r - 1, None)
                row_sizes.pop(r - 1, None)
                r += 1
            counts[spec.kind] = r - TITLE_ROWS
            if r > TITLE_ROWS:  # the blank cells' grid: one rule, not a styled blank cell each (a third of all cells)
                ws.conditional_format(TITLE_ROWS, 0, r - 1, len(cols) - 1, {"type": "blanks", "format": f.grid})
            ws.autofilter(TITLE_ROWS - 1, 0, max(TITLE_ROWS - 1, r - 1), len(cols) - 1)
            _page(ws, len(cols), TITLE_ROWS - 1)
    return counts
