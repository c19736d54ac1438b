"""Workbooks for leadership that must open, look and print right in Excel and WPS: A4
landscape, the header row repeated on every page, columns wide enough for Chinese, long
text wrapped, and text that a spreadsheet would run as a formula (= + - @ first) stored as
text. Used for the 通报 (bulletin), the 督查情况反馈 and, via excel/public.py, the 政务公开 report.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..vocab import OverdueTier
from .book import PAGE_WIDTH_UNITS, page, row_height

FORMULA_START = ("=", "+", "-", "@")
A4 = 9
MAX_WIDTH = 60
TEXT_WIDTH = min(PAGE_WIDTH_UNITS, 100)  # a cover page's one column: inside the margins even where a spreadsheet
# measures column units in a wider fallback font (LibreOffice without Calibri: 7 pt a unit, not 5.25)
WIDTH_SAMPLE = 2000


@dataclass
class Table:
    sheet: str
    title: str
    columns: list[str]
    rows: list[list]
    note: str | None = None
    widths: dict[int, int] = field(default_factory=dict)  # minimum widths by column index


def display_width(value) -> int:
    """Width in Excel character units: a Chinese character takes two."""
    text = "" if value is None else str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def safe_text(value) -> str:
    return "" if value is None else str(value)


def atomic_save(path: Path, write) -> None:
    """`write(tmp)` fills a scratch file that then replaces `path` in one step (outputs.atomic)."""
    from ..outputs import atomic

    with atomic(path) as tmp:
        write(tmp)


class Book:
    """A thin layer over xlsxwriter with the house formats."""

    def __init__(self, path: Path):
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                  "strings_to_numbers": False, "tmpdir": str(Path(path).parent)})
        self.wb.set_properties({"title": "", "author": "", "company": "", "comments": ""})
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        self.f_title = self.wb.add_format({**base, "font_name": "黑体", "font_size": 16, "bold": True, "align": "center"})
        self.f_head = self.wb.add_format({**base, "bold": True, "align": "center", "border": 1, "text_wrap": True, "bg_color": "#D9D9D9"})
        self.f_cell = self.wb.add_format({**base, "border": 1, "text_wrap": True})
        self.f_text = self.wb.add_format({**base, "border": 1, "text_wrap": True, "quote_prefix": True})
        self.f_num = self.wb.add_format({**base, "border": 1, "align": "center"})
        self.f_date = self.wb.add_format({**base, "border": 1, "align": "center", "num_format": "yyyy-mm-dd"})
        self.f_line = self.wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.f_line_safe = self.wb.add_format({**base, "text_wrap": True, "valign": "top", "quote_prefix": True})
        self.f_note = self.wb.add_format({**base, "font_size": 10, "italic": True})

    def _page(self, ws, header_row: int | None) -> None:
        page(ws, repeat=(0, header_row) if header_row is not None else None)
        if header_row is not None:
            ws.freeze_panes(header_row + 1, 0)

    def write_cell(self, ws, r: int, c: int, value) -> None:
        if value is None:
            ws.write_blank(r, c, None, self.f_cell)
        elif isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否", self.f_cell)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, self.f_num)
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.f_date)
        else:
            text = str(value)
            ws.write_string(r, c, text, self.f_text if text.startswith(FORMULA_START) else self.f_cell)

    def text_sheet(self, name: str, title: str, lines: list[str]) -> None:
        """A cover page: a title and paragraphs, one per row across a wide merged area."""
        ws = self.wb.add_worksheet(name)
        self._page(ws, None)
        ws.set_column(0, 0, TEXT_WIDTH)  # inside the printable width: nothing runs past the page edge
        ws.write_string(0, 0, title, self.f_title)
        ws.set_row(0, row_height(title, TEXT_WIDTH / 1.6, size=16))
        for i, text in enumerate(lines, start=2):
            ws.write_string(i, 0, text, self.f_line_safe if text.startswith(FORMULA_START) else self.f_line)
            # a spreadsheet does not grow a row for wrapped text: give it the lines it needs, or it prints over the next
            ws.set_row(i, row_height(text, TEXT_WIDTH, size=11))

    def table(self, t: Table) -> None:
        ws = self.wb.add_worksheet(t.sheet)
        header_row = 1
        self._page(ws, header_row)
        ncols = max(len(t.columns), 1)
        if ncols > 1:
            ws.merge_range(0, 0, 0, ncols - 1, t.title, self.f_title)
        else:
            ws.write_string(0, 0, t.title, self.f_title)
        ws.set_row(0, 28)
        for c, name in enumerate(t.columns):
            ws.write_string(header_row, c, name, self.f_head)
        for c in range(len(t.columns)):
            sample = [display_width(row[c]) for row in t.rows[:WIDTH_SAMPLE] if c < len(row)]
            width = max([display_width(t.columns[c]) + 2, t.widths.get(c, 0), *[w + 2 for w in sample]])
            ws.set_column(c, c, min(max(width, 6), MAX_WIDTH))
        r = header_row
        for row in t.rows:
            r += 1
            for c, value in enumerate(row):
                self.write_cell(ws, r, c, value)
        if t.note:
            ws.write_string(r + 2, 0, t.note, self.f_note)

    def close(self) -> None:
        self.wb.close()


def write_book(path: Path, *, tables: list[Table], cover: tuple[str, list[str]] | None = None,
               cover_sheet: str = "说明") -> None:
    def write(tmp: Path) -> None:
        book = Book(tmp)
        if cover:
            book.text_sheet(cover_sheet, cover[0], cover[1])
        for t in tables:
            book.table(t)
        book.close()

    atomic_save(path, write)


# ---- the bulletin (通报) ----

def bulletin_tables(data: dict) -> list[Table]:
    lag = Table("滞后单位", f"{data['title']}·整改进展滞后单位",
                ["序号", "单位", "逾期整改", "蓝色预警（1–7天）", "黄色预警（8–30天）", "红色预警（30天以上）", "最长逾期天数", "未按时完成的节点"],
                [[i, u["unit"], u["overdue"], u["tiers"][OverdueTier.BLUE], u["tiers"][OverdueTier.YELLOW], u["tiers"][OverdueTier.RED], u["max_days_late"],
                  "、".join(u["missed_milestones"])] for i, u in enumerate(data["lagging_units"], start=1)],
                note=f"截至 {data['as_of']}。逾期：整改时限已过仍未完成；长期坚持的整改不计逾期。")
    acc = Table("问责情况", f"{data['title']}·问责情况",
                ["序号", "单位", "姓名", "职务", "问责方式", "问责日期", "问责原因", "决定机关", "移交纪检处理结果"],
                [[i, a["unit"], a["person"], a["position"], a["measure"], a["decided_on"], a["reason"], a["decided_by"],
                  a["outcome"] or ("待处理" if a["pending"] else None)] for i, a in enumerate(data["accountability"], start=1)])
    cases = Table("典型案例", f"{data['title']}·典型案例",
                  ["序号", "类别", "单位", "案例", "人员", "基本情况", "发生日期", "公开日期", "公开载体"],
                  [[i, c["kind"] + "典型", c["unit"], c["title"], c["person"], c["what"], c["happened_on"], c["published_on"],
                    c["published_where"]] for i, c in enumerate(data["cases"]["positive"] + data["cases"]["negative"], start=1)])
    done = Table("整改完成", f"{data['title']}·整改完成情况",
                 ["序号", "单位", "问题", "整改任务及措施", "完成日期", "状态"],
                 [[i, f["unit"], f["issue"], f["task"], f["done_on"], f["status"]] for i, f in enumerate(data["completed"], start=1)])
    return [lag, acc, cases, done]


def write_bulletin(path: Path, data: dict) -> None:
    write_book(path, tables=bulletin_tables(data), cover=(data["title"], data["lines"]), cover_sheet="通报")


def write_inspection_report(path: Path, data: dict) -> None:
    t = data["totals"]
    lines = [
        f"{data['start']} 至 {data['end']}，共开展督查 {t['inspections']} 次（"
        + "，".join(f"{k} {v} 次" for k, v in t["by_kind"].items()) + f"），督查单位 {t['units_inspected']} 个，"
        f"发现问题 {t['issues_found']} 条（" + "，".join(f"{k} {v} 条" for k, v in t["issues_by_status"].items()) + "）。",
        "本月问责：" + "，".join(f"{k} {v} 人次" for k, v in t["accountability_by_measure"].items()) + "。",
    ]
    rows = [[i, r["inspected_on"], r["kind"], "、".join(r["units"]), r["inspectors"], "\n".join(r["findings"]),
             len(r["issues"]), "、".join(f"#{x['id']}（{x['status']}）" for x in r["issues"])]
            for i, r in enumerate(data["inspections"], start=1)]
    table = Table("督查情况", data["title"], ["序号", "督查日期", "督查形式", "被督查单位", "督查人员", "督查发现", "转为问题", "问题及整改状态"], rows)
    write_book(path, tables=[table], cover=(data["title"], lines), cover_sheet="概况")
