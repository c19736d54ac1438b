"""Leadership workbooks (xlsxwriter): phases, monthly and summary reports, rendered from the
figures dicts of `reports.py` — the workbook holds exactly what `--json` prints.

Made for paper as much as for the screen: A4 landscape, fit to one page wide, header rows
repeated on every page, 制表单位 / 制表日期 in the page header and 第 N 页 共 M 页 in the footer,
frozen panes, 宋体 with widths measured for Chinese, colour-coded tiers and states (always with
their words: colour is never the only carrier of meaning, and the 完成率 shading prints as two
clearly different greys), a notes row with the definitions under every table, and native Excel
charts right after page 1. One table a sheet, or several of the very same column widths
(`Book._claim`): tables stacked on one sheet's widths printed ### and ran over their neighbours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..reports import pct_text, points_text, worst_first
from .book import FONT, escape, page, row_height
from .book import text_width as _text_width

TIER_COLOURS = {"蓝": ("#DDEBF7", "#1F4E79"), "黄": ("#FFEB9C", "#7F6000"), "红": ("#FFC7CE", "#9C0006")}
STATE_COLOURS = {"已完成": ("#C6EFCE", "#006100"), "逾期完成": ("#FFEB9C", "#7F6000"), "已逾期": ("#FFC7CE", "#9C0006"),
                 "未到期": ("#F2F2F2", "#595959"), "进行中": ("#DDEBF7", "#1F4E79"), "已结束": ("#EDEDED", "#404040"),
                 "未开始": ("#FFFFFF", "#404040")}
ISSUE_STATES = ("未整改", "整改中", "已整改", "已销号")
# 完成率 shading: light red (worst) to white (best), so 0 % and 100 % print as clearly different greys
# (a red–yellow–green scale prints both ends the same grey); the figure itself is always in the cell.
RATE_SCALE = {"type": "2_color_scale", "min_color": "#F8696B", "max_color": "#FFFFFF"}


def text_width(value: Any) -> float:
    """Column width units of a value in 宋体: a Chinese character is two, ASCII about one."""
    return _text_width(value)


@dataclass
class Col:
    header: str
    key: str | Callable[[dict], Any]
    kind: str = "text"  # text | long | int | pct | date | tier | state
    width: float | None = None
    group: str | None = None  # a second header row above: columns sharing a group get one merged cell

    def value(self, row: dict):
        return self.key(row) if callable(self.key) else row.get(self.key)


def col_at(cols: list[Col], name: str, *, number: bool = True) -> int:
    """The sheet column of the Col whose key (or, for a computed column, header) is `name`, as
    `Book.table` lays them out (序号 first when `number`): charts find their data by key."""
    names = [c.key if isinstance(c.key, str) else c.header for c in cols]
    return names.index(name) + (1 if number else 0)


class Book:
    def __init__(self, path: Path, data: dict):
        import xlsxwriter

        self.path = path
        self.data = data
        self.wb = xlsxwriter.Workbook(str(path), {"default_date_format": "yyyy-mm-dd", "strings_to_formulas": False,
                                                  "strings_to_urls": False, "tmpdir": str(Path(path).parent),
                                                  "default_format_properties": {"font_name": FONT, "font_size": 10}})
        self.wb.set_properties({"title": data.get("title", ""), "author": data.get("prepared_by", ""),
                                "company": data.get("prepared_by", ""), "comments": "zz 作风纪律专项整治台账"})
        self._fmts: dict = {}
        self._widths: dict[str, dict[int, float]] = {}
        self._layouts: dict[str, list] = {}
        self.trend_anchor = None  # (page-1 sheet, row, column) where sheet_trend puts its chart

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._fmts:
            base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            base.update(props)
            self._fmts[key] = self.wb.add_format(base)
        return self._fmts[key]

    # ---- one sheet

    def sheet(self, name: str, title: str, *, landscape: bool = True):
        ws = self.wb.add_worksheet(name)
        page(ws, landscape=landscape,
             header=f'&L&"{FONT}"&9制表单位：{escape(self.data.get("prepared_by", ""))}'
                    f'&C&"{FONT}"&9{escape(title)}&R&"{FONT}"&9制表日期：{escape(self.data.get("prepared_on", ""))}')
        self._widths[name] = {}
        return ws

    def set_width(self, ws, i: int, width: float, fmt=None) -> None:
        """Tables of one layout on a sheet share its columns: each column gets the widest any of them needs."""
        seen = self._widths.setdefault(ws.name, {})
        seen[i] = max(seen.get(i, 0), width)
        ws.set_column(i, i, seen[i], fmt)

    def title(self, ws, row: int, text: str, ncols: int, *, size: int = 16) -> None:
        ws.merge_range(row, 0, row, max(ncols - 1, 1), text, self.fmt(bold=True, font_size=size, align="center"))
        ws.set_row(row, size * 2)

    def line(self, ws, row: int, text: str, ncols: int, *, width: float | None = None) -> None:
        """A merged line under the title; `width` (column units it spans) sets how many lines it needs."""
        ws.merge_range(row, 0, row, max(ncols - 1, 1), text, self.fmt(align="left", text_wrap=True))
        if width:
            ws.set_row(row, 15 * max(1, -(-int(text_width(text)) // int(width * 0.9))))

    def notes(self, ws, row: int, ncols: int, definitions: list[str], widths: list[float]) -> int:
        text = "说明：" + "".join(f"{i}. {d}" if i == 1 else f"\n{i}. {d}" for i, d in enumerate(definitions, start=1))
        ws.merge_range(row, 0, row, max(ncols - 1, 1), text, self.fmt(text_wrap=True, valign="top", font_size=9,
                                                                       font_color="#404040"))
        total = max(sum(widths[:ncols]), 40) * 0.9
        lines = sum(max(1, -(-int(text_width(d) + 4) // int(total))) for d in definitions)
        ws.set_row(row, 12.5 * lines + 6)
        return row + 1

    BORDER = {"border": 1, "border_color": "#808080"}

    def table(self, ws, row: int, cols: list[Col], rows: list[dict], *, total: dict | None = None,
              number: bool = True, freeze: bool = False, repeat: bool = False, colour_rate: bool = True) -> tuple[int, int, int]:
        """Write a header (one or two rows), an optional 合计 row right under it (it can never be left
        alone on a page) and the rows. Returns (first data row, last data row, next free row)."""
        all_cols = ([Col("序号", "__no", "int", 5)] if number else []) + cols
        self._claim(ws, all_cols)
        first_head = row
        row = self._header(ws, row, all_cols)
        if repeat:
            ws.repeat_rows(first_head, row - 1)
        if total is not None:
            self._total(ws, row, all_cols, total)
            row += 1
        if freeze:
            ws.freeze_panes(row, 2 if number else 1)
        first = row
        widths = self._body(ws, row, all_cols, rows)
        row += len(rows)
        last = row - 1
        for i, c in enumerate(all_cols):  # tables stacked on a sheet share its columns: set_width keeps the widest
            w = (c.width or min(max(widths[i], 20), 40)) if c.kind == "long" else widths[i]
            self.set_width(ws, i, w, self.fmt(text_wrap=True) if c.kind == "long" else None)
        if colour_rate and rows:
            for i, c in enumerate(all_cols):
                if c.kind == "pct":
                    ws.conditional_format(first, i, last, i, RATE_SCALE)
        return first, last, row

    def _claim(self, ws, all_cols: list[Col]) -> None:
        """A sheet holds one table, or several only where every column width suits each of them
        (the same declared width in every column they share): stacked tables sharing one sheet's
        widths printed ### and ran over their neighbours."""
        widths = [c.width for c in all_cols]
        seen = self._layouts.setdefault(ws.name, widths)
        shared = min(len(seen), len(widths))
        if seen[:shared] != widths[:shared]:
            raise ValueError(f"工作表“{ws.name}”上的表格列宽不一致：{seen} 与 {widths}")
        if len(widths) > len(seen):
            self._layouts[ws.name] = widths

    def _header(self, ws, row: int, all_cols: list[Col]) -> int:
        """The header: one row, or two when columns are grouped (a merged group cell above its columns)."""
        head = self.fmt(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2", **self.BORDER)
        two = any(c.group for c in all_cols)
        if not two:
            for i, c in enumerate(all_cols):
                ws.write_string(row, i, c.header, self._head_fmt(c, head, self.BORDER))
        i = 0
        while two and i < len(all_cols):
            c = all_cols[i]
            j = i
            while c.group and j + 1 < len(all_cols) and all_cols[j + 1].group == c.group:
                j += 1
            if not c.group:
                ws.merge_range(row, i, row + 1, i, c.header, self._head_fmt(c, head, self.BORDER))
            else:
                if j > i:
                    ws.merge_range(row, i, row, j, c.group, head)
                else:
                    ws.write_string(row, i, c.group, head)
                for k in range(i, j + 1):
                    ws.write_string(row + 1, k, all_cols[k].header, self._head_fmt(all_cols[k], head, self.BORDER))
            i = j + 1
        row += 2 if two else 1

        def lines(text: str, width: float) -> int:
            return sum(max(1, -(-int(text_width(part)) // max(int(width) - 1, 1))) for part in text.split("\n"))

        ws.set_row(row - 1, 14 * max(lines(c.header, c.width or 8) for c in all_cols if not two or c.group) + 6)
        if two:
            spans: dict = {}
            for c in all_cols:
                if c.group:
                    spans[c.group] = spans.get(c.group, 0) + (c.width or 8)
            ws.set_row(row - 2, 14 * max([lines(g, w) for g, w in spans.items()] + [1]) + 6)
        return row

    def _total(self, ws, row: int, all_cols: list[Col], total: dict) -> None:
        bold = self.fmt(bold=True, bg_color="#F2F2F2", **self.BORDER)
        t = dict(total, __no=None)
        for i, c in enumerate(all_cols):
            v = "合计" if i == 0 else c.value(t)
            if i and c.kind == "pct" and v is not None:
                ws.write_number(row, i, v, self.fmt(bold=True, bg_color="#F2F2F2", num_format="0.0%", **self.BORDER))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(row, i, v, bold)
            else:
                ws.write_string(row, i, "" if v is None else str(v), bold)

    def _body(self, ws, row: int, all_cols: list[Col], rows: list[dict]) -> list[float]:
        """The data rows, each as tall as its wrapped text; returns the widths the columns need."""
        widths = [max(text_width(c.header) + 2, 6, c.width or 0) if c.kind != "long" else (c.width or 6) for c in all_cols]
        writers = [self._writer(ws, c, self.BORDER) for c in all_cols]
        wrapped = [(i, c.width or 30) for i, c in enumerate(all_cols) if c.kind == "long"]
        for n, r in enumerate(rows, start=1):
            r = dict(r, __no=n)
            lines = 1
            for i, c in enumerate(all_cols):
                v = c.value(r)
                writers[i](row, i, v)
                if c.kind == "date" and v:
                    widths[i] = max(widths[i], 12)
                elif c.kind not in ("long", "state"):  # text is never cut: the column takes the widest value
                    widths[i] = max(widths[i], min(text_width(v) + 2, 40))
            for i, w in wrapped:  # spreadsheets do not grow rows for wrapped text on their own: say how tall
                v = all_cols[i].value(r)
                if v:
                    lines = max(lines, -(-int(text_width(v)) // int(w - 1)))
            if lines > 1:
                ws.set_row(row, 13.5 * lines + 2)
            row += 1
        return widths

    def _head_fmt(self, c: Col, head, border):
        if c.header in TIER_COLOURS:
            bg, fg = TIER_COLOURS[c.header]
            return self.fmt(bold=True, align="center", text_wrap=True, bg_color=bg, font_color=fg, **border)
        return head

    def _writer(self, ws, c: Col, border) -> Callable:
        """One cell writer per column, its formats resolved once (tens of thousands of cells per list)."""
        plain = self.fmt(**border)
        blank = lambda r, i: ws.write_blank(r, i, None, plain)  # noqa: E731

        def guard(write):
            def cell(r, i, v):
                if v is None or v == "":
                    blank(r, i)
                else:
                    write(r, i, v)
            return cell

        if c.kind == "int":
            f = self.fmt(align="right", **border)
            return guard(lambda r, i, v: ws.write_number(r, i, v, f))
        if c.kind == "pct":
            f = self.fmt(num_format="0.0%", **border)
            return guard(lambda r, i, v: ws.write_number(r, i, v, f))
        if c.kind == "date":
            f = self.fmt(num_format="yyyy-mm-dd", align="center", **border)
            return guard(lambda r, i, v: ws.write_datetime(r, i, dt.datetime.fromisoformat(v) if isinstance(v, str) else v, f))
        if c.kind == "tier":
            fs = {k: self.fmt(bg_color=bg, font_color=fg, bold=True, align="center", **border) for k, (bg, fg) in TIER_COLOURS.items()}
            return guard(lambda r, i, v: ws.write_string(r, i, str(v), fs.get(v, plain)))
        if c.kind == "tiercount":
            bg, fg = TIER_COLOURS[c.header]
            hot, cold = self.fmt(bg_color=bg, font_color=fg, align="right", **border), self.fmt(align="right", **border)
            return guard(lambda r, i, v: ws.write_number(r, i, v, hot if v else cold))
        if c.kind == "state":
            fs = {k: self.fmt(bg_color=bg, font_color=fg, align="center", text_wrap=True, **border) for k, (bg, fg) in STATE_COLOURS.items()}
            return guard(lambda r, i, v: ws.write_string(r, i, str(v), fs.get(str(v).split("\n")[0], plain)))
        f = self.fmt(text_wrap=True, **border) if c.kind == "long" else plain

        def any_value(r, i, v):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, i, v, f)
            else:
                ws.write_string(r, i, str(v), f)  # never a formula (SPEC §6)
        return guard(any_value)

    def close(self) -> Path:
        self.wb.close()
        return self.path


# ---------------------------------------------------------------- shared sheets


def _subtitle(data: dict) -> str:
    cur = data.get("current_phase")
    phase = f"当前阶段：{cur['name']}（{cur['start']} 至 {cur['end']}）" if cur else "当前不在专项整治期间"
    if data["report"] == "monthly":
        return f"统计期：{data['start']} 至 {data['as_of']}（统计日 {data['as_of']}，与上月末 {data['previous_as_of']} 比较）　{phase}"
    return f"统计期：{data['start']} 至 {data['as_of']}（全程）　统计日：{data['as_of']}　{phase}"


def unit_cols(monthly: bool) -> list[Col]:
    cols = [
        Col("单位", "unit", width=20), Col("类型", "kind", width=8), Col("问题数", "issues", "int", 7),
        Col("整改事项", "fixes", "int", 7),
        Col("未开始", "not_started", "int", 7, group="整改状态（不含长期坚持）"), Col("整改中", "in_progress", "int", 7, group="整改状态（不含长期坚持）"),
        Col("已完成", "done", "int", 7, group="整改状态（不含长期坚持）"), Col("已销号", "verified", "int", 7, group="整改状态（不含长期坚持）"),
        Col("长期坚持", "ongoing", "int", 7), Col("时限已到", "due", "int", 7), Col("其中已完成", "due_done", "int", 7),
        Col("合计", "overdue", "int", 6, group="逾期"), Col("蓝", "overdue_blue", "tiercount", 5, group="逾期"),
        Col("黄", "overdue_yellow", "tiercount", 5, group="逾期"), Col("红", "overdue_red", "tiercount", 5, group="逾期"),
        Col("完成率", "completion_rate", "pct", 8), Col("排名", "rank", "int", 6),
    ]
    if monthly:
        cols += [Col("新增问题", "issues_found_in_month", "int", 7, group="本月"),
                 Col("完成整改", "completed_in_month", "int", 7, group="本月"),
                 Col("销号", "verified_in_month", "int", 6, group="本月")]
    return cols


def unit_total(data: dict) -> dict:
    ov = data["overview"]
    t = {k: ov[k] for k in ("issues", "fixes", "not_started", "in_progress", "done", "verified", "ongoing", "due", "due_done",
                            "overdue", "overdue_blue", "overdue_yellow", "overdue_red", "completion_rate")}
    t["unit"] = f"{ov['units']} 个单位"
    if data["report"] == "monthly":
        for k in ("issues_found_in_month", "completed_in_month", "verified_in_month"):
            t[k] = sum(u[k] for u in data["units"])
    return t


def sheet_units(book: Book, data: dict) -> None:
    monthly = data["report"] == "monthly"
    cols = unit_cols(monthly)
    ws = book.sheet("分单位", data["title"] + "·分单位")
    n = len(cols) + 1
    book.title(ws, 0, "分单位整改情况（完成率从低到高）", n)
    book.line(ws, 1, _subtitle(data), n, width=sum(c.width or 8 for c in cols) + 5)
    first, last, row = book.table(ws, 2, cols, worst_first(data["units"]), total=unit_total(data), freeze=True, repeat=True)
    book.notes(ws, row + 1, n, data["definitions"], [c.width or 8 for c in cols])
    book.units_range = (first, last)


def _status_cols(first: Col) -> list[Col]:
    return [first, Col("问题数", "issues", "int", 8), Col("占比", "share", "pct", 8)] + [
        Col(s, (lambda r, s=s: r["status"][s]), "int", 8, group="问题状态") for s in ISSUE_STATES]


def _status_total(items: list[dict], label_key: str) -> dict:
    return {label_key: "", "issues": sum(i["issues"] for i in items), "share": 1.0 if any(i["issues"] for i in items) else None,
            "status": {s: sum(i["status"][s] for i in items) for s in ISSUE_STATES}}


def sheet_areas(book: Book, data: dict) -> None:
    cols = _status_cols(Col("整治重点", "area", width=12))
    cols.insert(1, Col("标题", "title", "long", 44))
    ws = book.sheet("分重点", data["title"] + "·分重点")
    n = len(cols) + 1
    book.title(ws, 0, "分整治重点问题情况", n)
    book.line(ws, 1, _subtitle(data), n, width=sum(c.width or 8 for c in cols) + 5)
    first, last, row = book.table(ws, 2, cols, data["areas"], total=_status_total(data["areas"], "area"), freeze=True, repeat=True,
                                  colour_rate=False)
    book.notes(ws, row + 1, n, data["definitions"][2:4], [c.width or 8 for c in cols])
    book.areas_range = (first, last)


def sheet_sources(book: Book, data: dict) -> None:
    cols = _status_cols(Col("问题来源", "source", width=12))
    ws = book.sheet("分来源", data["title"] + "·分来源")
    n = len(cols) + 1
    book.title(ws, 0, "分来源问题情况", n)
    book.line(ws, 1, _subtitle(data), n, width=sum(c.width or 8 for c in cols) + 5)
    _, _, row = book.table(ws, 2, cols, data["sources"], total=_status_total(data["sources"], "source"), freeze=True,
                           repeat=True, colour_rate=False)
    book.notes(ws, row + 1, n, data["definitions"][2:4], [c.width or 8 for c in cols])


def _list_line(lst: dict, what: str) -> str:
    more = f"，仅列出前 {lst['listed']} 项（完整清单请用 zz fix list / zz issue list 或 zz export ledger）" if lst["listed"] < lst["total"] else ""
    return f"共 {lst['total']} {what}{more}"


def sheet_overdue(book: Book, data: dict) -> None:
    cols = [Col("单位", "unit", width=18), Col("问题描述", "issue", "long", 30), Col("整改任务及措施", "task", "long", 30),
            Col("责任领导", "leader", width=9), Col("责任人", "owner", width=9), Col("整改时限", "deadline", "date", 11),
            Col("原定时限", "original_deadline", "date", 11), Col("逾期天数", "days_late", "int", 8),
            Col("预警等级", "tier", "tier", 8)]
    ws = book.sheet("逾期清单", data["title"] + "·逾期清单")
    n = len(cols) + 1
    lst = data["overdue"]
    ov = data["overview"]
    book.title(ws, 0, f"逾期整改事项清单（截至 {data['as_of']}）", n)
    book.line(ws, 1, _list_line(lst, "项逾期") + f"：蓝 {ov['overdue_blue']}，黄 {ov['overdue_yellow']}，红 {ov['overdue_red']}。按整改时限从早到晚排列。", n)
    _, _, row = book.table(ws, 2, cols, lst["rows"], freeze=True, repeat=True)
    book.notes(ws, row + 1, n, data["definitions"][1:2], [c.width or 8 for c in cols])


def sheet_due_soon(book: Book, data: dict) -> None:
    cols = [Col("单位", "unit", width=18), Col("问题描述", "issue", "long", 30), Col("整改任务及措施", "task", "long", 30),
            Col("责任领导", "leader", width=9), Col("责任人", "owner", width=9), Col("整改时限", "deadline", "date", 11),
            Col("剩余天数", "days_left", "int", 8), Col("整改状态", "status", width=9)]
    ws = book.sheet("临期清单", data["title"] + "·临期清单")
    n = len(cols) + 1
    lst = data["due_soon"]
    book.title(ws, 0, f"临期整改事项清单（{data['as_of']} 后 7 天内到期，至 {lst['until']}）", n)
    book.line(ws, 1, _list_line(lst, "项临期") + "。按整改时限从近到远排列，请提前督促。", n)
    book.table(ws, 2, cols, lst["rows"], freeze=True, repeat=True)


def sheet_new_issues(book: Book, data: dict) -> None:
    cols = [Col("单位", "unit", width=18), Col("整治重点", "area", width=10), Col("问题来源", "source", width=9),
            Col("问题描述", "description", "long", 44), Col("发现日期", "found_on", "date", 11),
            Col("责任领导", "leader", width=9), Col("责任人", "owner", width=9)]
    ws = book.sheet("本月新增", data["title"] + "·本月新增问题")
    n = len(cols) + 1
    book.title(ws, 0, f"本月新发现问题（{data['start']} 至 {data['as_of']}）", n)
    book.line(ws, 1, _list_line(data["new_issues"], "条"), n)
    book.table(ws, 2, cols, data["new_issues"]["rows"], freeze=True, repeat=True)


def sheet_verified(book: Book, data: dict) -> None:
    cols = [Col("单位", "unit", width=18), Col("问题描述", "issue", "long", 30), Col("整改任务及措施", "task", "long", 30),
            Col("责任人", "owner", width=9), Col("整改时限", "deadline", width=11), Col("完成日期", "done_on", "date", 11),
            Col("销号日期", "verified_on", "date", 11), Col("销号人", "verified_by", width=9)]
    ws = book.sheet("本月销号", data["title"] + "·本月销号")
    n = len(cols) + 1
    book.title(ws, 0, f"本月销号的整改事项（{data['start']} 至 {data['as_of']}）", n)
    book.line(ws, 1, _list_line(data["verified_fixes"], "项"), n)
    book.table(ws, 2, cols, data["verified_fixes"]["rows"], freeze=True, repeat=True)


CHART_UNITS = 25  # at most this many bars: the units furthest behind, so every label stays legible


def chart_units(data: dict) -> list[dict]:
    """The units a 完成率 chart draws: worst first, only those with something due (never a 0 % bar
    for a unit with nothing due), at most CHART_UNITS."""
    ranked = sorted((u for u in data["units"] if u["completion_rate"] is not None),
                    key=lambda u: (u["completion_rate"], -u["overdue"], u["unit"]))
    return ranked[:CHART_UNITS]


def _units_chart_title(data: dict, shown_: int) -> str:
    rated = sum(1 for u in data["units"] if u["completion_rate"] is not None)
    avg = f"全区平均 {pct_text(data['overview']['completion_rate'])}"
    if shown_ < rated:
        return f"完成率最低的 {shown_} 个单位（共 {rated} 个单位有到期整改事项；最低的在最上；{avg}）"
    return f"各单位完成率（最低的在最上；{avg}；无到期整改事项的单位不列）"


CHART_FONT = {"name": FONT, "size": 8}
CHART_DATA_ROW = 32  # a chart fills page 1 of its sheet (rows 2–31); its data start page 2
GRID = {"visible": True, "line": {"color": "#D9D9D9"}}


def sheet_charts(book: Book, data: dict) -> None:
    """图表: the units with the lowest 完成率 as labelled bars, worst first, the district average in
    the title; its data printed under the chart (page 2). One table on the sheet."""
    ws = book.sheet("图表", data["title"] + "·图表")
    book.title(ws, 0, "图表：各单位完成率", 16)
    ws.set_column(6, 15, 10)
    ranked = chart_units(data)
    row = CHART_DATA_ROW
    ws.write_string(row, 0, f"图表数据：完成率最低的 {len(ranked)} 个单位（从低到高）", book.fmt(bold=True, font_size=12))
    u_cols = [Col("单位", "unit", width=20), Col("完成率", "completion_rate", "pct", 9), Col("其中已完成", "due_done", "int", 9),
              Col("时限已到", "due", "int", 9), Col("逾期", "overdue", "int", 7)]
    u_first, u_last, row = book.table(ws, row + 1, u_cols, ranked, colour_rate=False)
    ws.set_h_pagebreaks([CHART_DATA_ROW])
    if ranked:
        c1 = book.wb.add_chart({"type": "bar"})
        unit, pct = col_at(u_cols, "unit"), col_at(u_cols, "completion_rate")
        c1.add_series({"name": "完成率", "categories": ["图表", u_first, unit, u_last, unit],
                       "values": ["图表", u_first, pct, u_last, pct],
                       "fill": {"color": "#7F7F7F"}, "border": {"color": "#000000"}, "gap": 40,
                       "data_labels": {"value": True, "num_format": "0.0%", "font": CHART_FONT}})
        c1.set_title({"name": _units_chart_title(data, len(ranked)), "name_font": {"name": FONT, "size": 11}})
        c1.set_x_axis({"num_format": "0%", "min": 0, "max": 1, "num_font": CHART_FONT, "major_gridlines": GRID})
        c1.set_y_axis({"reverse": True, "num_font": CHART_FONT})
        c1.set_legend({"none": True})
        c1.set_size({"width": 1150, "height": 540})
        ws.insert_chart(2, 0, c1)


def sheet_area_chart(book: Book, data: dict) -> None:
    """分重点图表: issues by area and state, stacked, the area with most 未整改 on top; four greys
    from black to white (each series a different lightness), every segment labelled."""
    ws = book.sheet("分重点图表", data["title"] + "·分重点图表")
    book.title(ws, 0, "图表：各整治重点问题数（按问题状态）", 16)
    ws.set_column(6, 15, 10)
    areas = sorted(data["areas"], key=lambda a: (-a["status"]["未整改"], -a["status"]["整改中"], a["area"]))
    row = CHART_DATA_ROW
    ws.write_string(row, 0, "图表数据：各整治重点问题数（按未整改从多到少）", book.fmt(bold=True, font_size=12))
    a_cols = [Col("整治重点", "area", width=12)] + [Col(st, (lambda r, st=st: r["status"][st]), "int", 8) for st in ISSUE_STATES]
    a_first, a_last, row = book.table(ws, row + 1, a_cols, areas)
    ws.set_h_pagebreaks([CHART_DATA_ROW])
    c2 = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    shades = {"未整改": ("#262626", "#FFFFFF"), "整改中": ("#7F7F7F", "#FFFFFF"), "已整改": ("#BFBFBF", "#000000"),
              "已销号": ("#F2F2F2", "#000000")}
    area = col_at(a_cols, "area")
    for st in ISSUE_STATES:
        fill, ink = shades[st]
        at = col_at(a_cols, st)
        c2.add_series({"name": st, "categories": [ws.name, a_first, area, a_last, area],
                       "values": [ws.name, a_first, at, a_last, at],
                       "fill": {"color": fill}, "border": {"color": "#000000"}, "gap": 50,
                       "data_labels": {"value": True, "font": dict(CHART_FONT, color=ink)}})
    c2.set_title({"name": "各整治重点问题数（按问题状态；未整改最多的在最上）", "name_font": {"name": FONT, "size": 12}})
    c2.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 9}})
    c2.set_x_axis({"num_font": CHART_FONT, "major_gridlines": GRID})
    c2.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
    c2.set_size({"width": 1150, "height": 540})
    ws.insert_chart(2, 0, c2)


def _pct(v) -> str:
    return pct_text(v)


def _part(book: Book, ws, row: int, text: str) -> int:
    ws.write_string(row, 0, text, book.fmt(bold=True, font_size=12))
    return row + 1


def _standing_table(book: Book, ws, row: int, data: dict) -> int:
    """累计情况 (本月末 / 上月末 / 增减), the 完成率 row as a percentage and its change in 个百分点."""
    cols = [Col("指标", "metric", width=24), Col("本月末", lambda r: r["now"], "num", 12),
            Col("上月末", lambda r: r["before"], "num", 12), Col("增减", lambda r: r["delta"], "num", 12)]
    first, _, row = book.table(ws, row, cols, data["standing"], number=False)
    for i, s in enumerate(data["standing"]):
        if s["key"] == "completion_rate":
            for j, k in enumerate(("now", "before"), start=1):
                if s[k] is not None:
                    ws.write_number(first + i, j, s[k], book.fmt(num_format="0.0%", **Book.BORDER))
            ws.write_string(first + i, 3, points_text(s["delta"]), book.fmt(align="right", **Book.BORDER))
    return row


def _status_tables(book: Book, ws, row: int, ov: dict) -> int:
    """问题（按状态）and 逾期（按预警等级）: the same widths, so they may share a sheet."""
    st = ov["issue_status"]
    cols = [Col("指标", "metric", width=24)] + [Col(s, s, "int", 12) for s in ISSUE_STATES] + [Col("合计", "合计", "int", 12)]
    _, _, row = book.table(ws, row, cols, [dict({"metric": "问题（按状态）", "合计": sum(st.values())}, **st)], number=False)
    cols = [Col("指标", "metric", width=24), Col("蓝", "overdue_blue", "tiercount", 12), Col("黄", "overdue_yellow", "tiercount", 12),
            Col("红", "overdue_red", "tiercount", 12), Col("合计", "overdue", "int", 12)]
    _, _, row = book.table(ws, row, cols, [dict(ov, metric="逾期整改事项（按预警等级）")], number=False)
    return row


def sheet_digest(book: Book, data: dict) -> None:
    """Monthly page 1: the 综述 (totals, 完成率 with its numerator, 临期, trend in words), the units
    furthest behind with their 责任领导 beside the 6-month trend chart (inserted by `sheet_trend`)."""
    ws = book.sheet("总体情况", data["title"] + "·综述")
    ws.fit_to_pages(1, 1)  # the one-page brief
    n, span = 10, 5 + 20 + 12 + 9 + 9 + 5 * 14
    book.title(ws, 0, data["title"], n)
    book.line(ws, 1, _subtitle(data), n, width=span)
    ws.write_string(3, 0, "综述", book.fmt(bold=True, font_size=12))
    text = "\n".join(data["digest"]["text"])
    ws.merge_range(4, 0, 4, n - 1, text, book.fmt(text_wrap=True, valign="top", font_size=10))
    ws.set_row(4, row_height(text, span, size=10))
    _part(book, ws, 6, f"进展最滞后的 {len(data['digest']['behind'])} 个单位（按逾期项数）")
    cols = [Col("单位", "unit", width=20), Col("责任领导", "leader", width=12), Col("逾期项数", "overdue", "int", 9),
            Col("完成率", "completion_rate", "pct", 9)]
    book.table(ws, 7, cols, data["digest"]["behind"], colour_rate=False)
    ws.set_column(5, 9, 14)
    book.trend_anchor = (ws, 6, 5)


def sheet_month_figures(book: Book, data: dict) -> None:
    """本月情况: the month's changes, the standing against last month's end, issue states and tiers."""
    ws = book.sheet("本月情况", data["title"] + "·本月情况")
    n = 6
    book.title(ws, 0, "本月情况", n)
    book.line(ws, 1, _subtitle(data), n, width=26 + 13 * 5)
    cols = [Col("指标", "metric", width=24), Col("本月", "this_month", "int", 12), Col("上月", "last_month", "int", 12),
            Col("增减", "delta", "int", 12)]
    _, _, row = book.table(ws, _part(book, ws, 3, "一、本月变化"), cols, data["changes"], number=False)
    row = _standing_table(book, ws, _part(book, ws, row + 1, "二、累计情况"), data)
    row = _status_tables(book, ws, _part(book, ws, row + 1, "三、问题状态与逾期预警"), data["overview"])
    book.notes(ws, row + 1, n, data["definitions"], [24, 12, 12, 12, 12, 12])


def sheet_month_supervision(book: Book, data: dict) -> None:
    """本月督查: the month's inspections, accountability, opinions and cases, with their 明细."""
    ws = book.sheet("本月督查", data["title"] + "·本月督查")
    n = 3
    book.title(ws, 0, "督查问责（本月）", n)
    book.line(ws, 1, _subtitle(data), n, width=24 + 12 + 60)
    cols = [Col("指标", "metric", width=24), Col("本月", "count", "int", 12), Col("明细", "detail", "long", 60)]
    _, _, row = book.table(ws, 2, cols, data["supervision_month"]["rows"], number=False)
    book.notes(ws, row + 1, n, ["明细列出本月各项督查、问责、征求意见和典型的单位与内容。"], [24, 12, 60])


def sheet_trend(book: Book, data: dict) -> None:
    """月度趋势: the last six months as of D (完成率 at each month's end; new, completed, 销号), and
    the chart of them on page 1 (columns: new and completed, in two greys; line: 完成率)."""
    rows = data.get("trend") or []
    ws = book.sheet("月度趋势", data["title"] + "·月度趋势")
    cols = [Col("月份", "month", width=10), Col("统计至", "as_of", "date", 12), Col("新发现问题", "issues_found", "int", 10),
            Col("完成整改", "fixes_completed", "int", 10), Col("销号", "fixes_verified", "int", 8),
            Col("时限已到", "due", "int", 10), Col("其中已完成", "due_done", "int", 10), Col("完成率", "completion_rate", "pct", 9)]
    n = len(cols) + 1
    book.title(ws, 0, f"近六个月趋势（截至 {data['as_of']}）", n)
    book.line(ws, 1, "完成率为各月末（本月为统计日）的完成率；各月数字按统计日当天登记簿的情况计算，以后补录或更正不改变本表", n,
              width=sum(c.width for c in cols) + 5)
    first, last, _ = book.table(ws, 2, cols, rows, colour_rate=False)
    if rows and book.trend_anchor:
        page1, r, c = book.trend_anchor
        page1.insert_chart(r, c, trend_chart(book, ws.name, cols, first, last), {"x_offset": 12})


def trend_chart(book: Book, sheet: str, cols: list[Col], first: int, last: int):
    month = col_at(cols, "month")
    chart = book.wb.add_chart({"type": "column"})
    label = {"value": True, "font": {"name": FONT, "size": 8}}
    for key, name, fill in (("issues_found", "新发现问题", "#404040"), ("fixes_completed", "完成整改", "#D9D9D9")):
        at = col_at(cols, key)
        chart.add_series({"name": name, "categories": [sheet, first, month, last, month], "values": [sheet, first, at, last, at],
                          "fill": {"color": fill}, "border": {"color": "#000000"}, "gap": 80, "data_labels": label})
    line = book.wb.add_chart({"type": "line"})
    at = col_at(cols, "completion_rate")
    line.add_series({"name": "完成率", "categories": [sheet, first, month, last, month],
                     "values": [sheet, first, at, last, at], "y2_axis": True,
                     "line": {"color": "#000000", "width": 2.25, "dash_type": "dash"},
                     "marker": {"type": "diamond", "size": 7, "fill": {"color": "#000000"}, "border": {"color": "#000000"}},
                     "data_labels": {"value": True, "position": "above", "num_format": "0.0%", "font": {"name": FONT, "size": 8}}})
    chart.combine(line)
    chart.set_title({"name": "近六个月趋势：新发现问题、完成整改与完成率", "name_font": {"name": FONT, "size": 11}})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 8}})
    chart.set_y_axis({"name": "项数", "name_font": {"name": FONT, "size": 8}, "num_font": {"name": FONT, "size": 8},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": {"name": FONT, "size": 8}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
    chart.set_size({"width": 540, "height": 300})
    return chart


def sheet_overview(book: Book, data: dict) -> None:
    """The summary's one-page brief: totals, the months, issue states and tiers (tables of one width)."""
    ws = book.sheet("总体情况", data["title"] + "·总体情况", landscape=True)
    ws.fit_to_pages(1, 1)
    n = 6
    ov = data["overview"]
    book.title(ws, 0, data["title"], n)
    book.line(ws, 1, _subtitle(data), n, width=26 + 13 * 5)
    items = [("参与单位", ov["units"]), ("有问题的单位", ov["units_with_issues"]), ("问题总数", ov["issues"]),
             ("整改事项", ov["fixes"]), ("其中长期坚持", ov["ongoing"]),
             ("已完成整改（含已销号）", ov["completed"]), ("已销号", ov["verified"]),
             ("时限已到的整改事项（完成率分母）", ov["due"]), ("其中已完成（完成率分子）", ov["due_done"]),
             ("完成率", ov["completion_rate"]), ("逾期整改事项", ov["overdue"])]
    cols = [Col("指标", "metric", width=24), Col("数值", "value", "num", 12)]
    first, _, row = book.table(ws, _part(book, ws, 3, "一、全程累计"), cols, [{"metric": k, "value": v} for k, v in items],
                               number=False)
    if ov["completion_rate"] is not None:
        ws.write_number(first + 9, 1, ov["completion_rate"], book.fmt(num_format="0.0%", **Book.BORDER))
    cols = [Col("月份", "month", width=24), Col("新发现问题", "issues_found", "int", 12),
            Col("完成整改", "fixes_completed", "int", 12), Col("销号", "fixes_verified", "int", 12)]
    trend = data["trend"]
    total = {"month": "", **{k: sum(t[k] for t in trend) for k in ("issues_found", "fixes_completed", "fixes_verified")}}
    _, _, row = book.table(ws, _part(book, ws, row + 1, "二、按月进展"), cols, trend, number=False, total=total)
    row = _status_tables(book, ws, _part(book, ws, row + 1, "三、问题状态与逾期预警"), ov)
    book.notes(ws, row + 1, n, data["definitions"], [24, 12, 12, 12, 12, 12])
    book.set_width(ws, 0, 26)
    ws.set_column(1, 5, 13)


# ---------------------------------------------------------------- summary-only sheets


def sheet_rules(book: Book, data: dict) -> None:
    sup = data["supervision"]
    actions = list(sup["rules"])
    cols = [Col("单位", "unit", width=20)]
    for a in actions:
        cols += [Col("项数", (lambda r, a=a: r["rules"][a]["total"]), "int", 7, group=a),
                 Col("已完成", (lambda r, a=a: r["rules"][a]["done"]), "int", 7, group=a)]
    cols += [Col("项数", "rules_total", "int", 7, group="合计"), Col("已完成", "rules_done", "int", 7, group="合计")]
    ws = book.sheet("制度清单", data["title"] + "·制度清单")
    n = len(cols) + 1
    book.title(ws, 0, "制度“立、改、废”情况", n)
    book.line(ws, 1, _subtitle(data), n, width=sum(c.width or 8 for c in cols) + 5)
    total = {"unit": "", "rules": sup["rules"], "rules_total": sum(v["total"] for v in sup["rules"].values()),
             "rules_done": sum(v["done"] for v in sup["rules"].values())}
    _, _, row = book.table(ws, 2, cols, sup["units"], total=total, freeze=True, repeat=True)


def sheet_checks(book: Book, data: dict, checks: list[str]) -> None:
    sup = data["supervision"]
    cols = [Col("单位", "unit", width=20)] + [
        Col(name, (lambda r, i=i: r["checks"][i]), "date", 14, group="四查四看（首次登记日期）") for i, name in enumerate(checks)]
    cols += [Col("已完成项数", "checks_done", "int", 8)]
    ws = book.sheet("四查四看", data["title"] + "·四查四看")
    n = len(cols) + 1
    book.title(ws, 0, "“四查四看”开展情况", n)
    book.line(ws, 1, f"四项均已登记的单位：{sup['checks_done']['units_all_four']} 个（共 {len(sup['units'])} 个）", n)
    book.table(ws, 2, cols, sup["units"], freeze=True, repeat=True)


def sheet_recheck(book: Book, data: dict) -> None:
    """回头看 by unit (recheck.by_unit): results and 巩固率; no sheet before any recheck."""
    from ..reports import rate

    rows = data.get("recheck")
    if not rows:
        return
    cols = [Col("单位", "unit", width=20), Col("回头看项数", "rechecked", "int", 9), Col("巩固", "held", "int", 7),
            Col("反弹", "rebound", "int", 7), Col("虚假整改", "fake", "int", 9), Col("巩固率", "hold_rate", "pct", 9)]
    ws = book.sheet("回头看", data["title"] + "·回头看")
    n = len(cols) + 1
    book.title(ws, 0, "“回头看”整改巩固情况", n)
    book.line(ws, 1, "巩固率 = 巩固项数 ÷ 回头看项数；反弹、虚假整改的整改已重新打开，转入二次整改", n)
    total = {k: sum(r[k] for r in rows) for k in ("rechecked", "held", "rebound", "fake")}
    total.update(unit="", hold_rate=rate(total["held"], total["rechecked"]))
    book.table(ws, 2, cols, rows, total=total, freeze=True, repeat=True)


def sheet_supervision(book: Book, data: dict, case_kinds: list[str]) -> None:
    sup = data["supervision"]
    ws = book.sheet("督查问责", data["title"] + "·督查问责")
    n = 9
    book.title(ws, 0, "督查、问责、征求意见与典型", n)
    book.line(ws, 1, _subtitle(data), n, width=20 + 10 * 8)
    row = 3

    def small(title: str, pairs: list[tuple[str, int]], row: int, label: str = "项目", value: str = "数量") -> int:
        ws.write_string(row, 0, title, book.fmt(bold=True, font_size=12))
        cols = [Col(label, "k", width=20), Col(value, "v", "int", 10)]
        _, _, row = book.table(ws, row + 1, cols, [{"k": k, "v": v} for k, v in pairs], number=False,
                               total={"k": "", "v": sum(v for _, v in pairs)})
        return row + 1

    row = small("一、督查（按形式）", list(sup["inspections"]["by_kind"].items()), row, "督查形式", "次数")
    row = small("二、问责（按措施）", list(sup["accountability"]["by_measure"].items()), row, "问责措施", "人次")
    row = small("三、征求意见（按方式）", list(sup["opinions"]["by_channel"].items()), row, "征求方式", "条数")
    row = small("四、征求意见（按对象）", list(sup["opinions"]["by_from"].items()), row, "意见来自", "条数")
    row = small("五、典型（按类别）", [(f"{k}典型", v) for k, v in sup["cases"]["by_kind"].items()], row, "类别", "个数")
    sheet_supervision_units(book, data, case_kinds)
    sheet_cases(book, data)


def sheet_supervision_units(book: Book, data: dict, case_kinds: list[str]) -> None:
    sup = data["supervision"]
    cols = [Col("单位", "unit", width=20), Col("接受督查", "inspections", "int", 9), Col("最近督查", "last_inspected_on", "date", 11),
            Col("问责人次", "accountability", "int", 9), Col("征求意见", "opinions", "int", 9)] + [
        Col(f"{k}典型", (lambda r, k=k: r["cases"][k]), "int", 9) for k in case_kinds]
    ws = book.sheet("督查分单位", data["title"] + "·督查分单位")
    n = len(cols) + 1
    book.title(ws, 0, "督查、问责、征求意见与典型（分单位）", n)
    book.line(ws, 1, _subtitle(data), n, width=sum(c.width or 8 for c in cols) + 5)
    book.table(ws, 2, cols, sup["units"], freeze=True, repeat=True)


def sheet_cases(book: Book, data: dict) -> None:
    rows = data["supervision"]["cases"]["rows"]
    if not rows:
        return
    cols = [Col("类别", "kind", width=8), Col("单位", "unit", width=20), Col("标题", "title", "long", 40),
            Col("发生日期", "happened_on", "date", 11), Col("公开日期", "published_on", "date", 11),
            Col("公开载体", "published_where", width=16)]
    ws = book.sheet("典型案例", data["title"] + "·典型案例")
    n = len(cols) + 1
    book.title(ws, 0, "典型案例", n)
    book.line(ws, 1, f"共 {len(rows)} 个", n)
    book.table(ws, 2, cols, rows, freeze=True, repeat=True)


# ---------------------------------------------------------------- phases


def sheet_timeline(book: Book, data: dict) -> None:
    ws = book.sheet("阶段进度", data["title"])
    ws.fit_to_pages(1, 1)
    n = 8
    book.title(ws, 0, data["title"], n)
    cur = data["current_phase"]
    where = f"当前阶段：第{cur['no']}阶段 {cur['name']}（{cur['start']} 至 {cur['end']}）" if cur else "当前不在专项整治期间"
    book.line(ws, 1, f"统计日：{data['as_of']}　{where}　专项整治第 {data['days_into_campaign']} 天，距结束 {data['days_left']} 天", n)
    ws.write_string(3, 0, "一、阶段安排", book.fmt(bold=True, font_size=12))
    cols = [Col("阶段", "name", width=12), Col("时间", "when", width=22), Col("开始", "start", "date", 11),
            Col("结束", "end", "date", 11), Col("状态", "state", "state", 9),
            Col("当前", lambda r: "◀ 当前" if r["current"] else "", width=8),
            Col("应完成节点", lambda r: "、".join(r["milestones"]), "long", 40)]
    _, _, row = book.table(ws, 4, cols, data["timeline"], repeat=False)
    book.notes(ws, row + 1, n, data["definitions"], [5, 12, 22, 12, 12, 9, 8, 40])


def sheet_phase_counts(book: Book, data: dict) -> None:
    """阶段完成情况: per phase, units × milestones by state."""
    cols = [Col("阶段", "name", width=12), Col("节点数", "milestones", "int", 8), Col("应完成", "expected", "int", 8),
            Col("已完成", "done", "int", 8), Col("逾期完成", "done_late", "int", 8), Col("已逾期", "late", "int", 8),
            Col("未到期", "not_due", "int", 8), Col("完成率", "completion_rate", "pct", 8)]
    ws = book.sheet("阶段完成情况", data["title"] + "·阶段完成情况")
    n = len(cols) + 1
    book.title(ws, 0, "各阶段节点完成情况（单位 × 节点）", n)
    book.line(ws, 1, f"统计日：{data['as_of']}　应完成 = 截止日期在统计日及以前的单位 × 节点；未到期的不计入完成率", n,
              width=sum(c.width for c in cols) + 5)
    book.table(ws, 2, cols, data["phase_counts"], repeat=True)


def sheet_milestone_counts(book: Book, data: dict) -> None:
    """节点完成情况: per milestone, how many units are in each state."""
    cols = [Col("节点", "name", width=12), Col("阶段", "phase", "int", 8), Col("截止日期", "due_on", "date", 11),
            Col("已完成", "done", "int", 8), Col("逾期完成", "done_late", "int", 8), Col("已逾期", "late", "int", 8),
            Col("未到期", "not_due", "int", 8)]
    ws = book.sheet("节点完成情况", data["title"] + "·节点完成情况")
    n = len(cols) + 1
    book.title(ws, 0, "各节点完成情况（单位数）", n)
    book.line(ws, 1, f"统计日：{data['as_of']}", n)
    book.table(ws, 2, cols, data["milestone_counts"], repeat=True)


def sheet_matrix(book: Book, data: dict) -> None:
    names = [m["name"] for m in data["units"][0]["milestones"]] if data["units"] else []
    phases = {m["name"]: m["phase"] for m in data["units"][0]["milestones"]} if data["units"] else {}
    phase_names = {p["no"]: p["name"] for p in data["timeline"]}

    def cell(r, i):
        m = r["milestones"][i]
        return m["state"] + (f"\n{m['done_on'][5:]}" if m["done_on"] else "")

    cols = [Col("单位", "unit", width=20)] + [
        Col(f"{name}\n（{m_due(data, i)}）", (lambda r, i=i: cell(r, i)), "state", 10, group=f"第{phases[name]}阶段 {phase_names[phases[name]]}")
        for i, name in enumerate(names)]
    cols += [Col("已完成", "done", "int", 7, group="合计"), Col("已逾期", "late", "int", 7, group="合计")]
    ws = book.sheet("节点矩阵", data["title"] + "·节点矩阵")
    n = len(cols) + 1
    book.title(ws, 0, "各单位节点完成情况", n)
    book.line(ws, 1, f"统计日：{data['as_of']}　格内为节点状态与完成日期（月-日）；绿 已完成，黄 逾期完成，红 已逾期，灰 未到期", n)
    first, last, row = book.table(ws, 2, cols, data["units"], freeze=True, repeat=True)
    for r in range(first, last + 1):
        ws.set_row(r, 28)
    book.notes(ws, row + 1, n, data["definitions"], [c.width or 8 for c in cols])


def m_due(data: dict, i: int) -> str:
    return data["units"][0]["milestones"][i]["due_on"][5:]


# ---------------------------------------------------------------- entry point


def write_report(data: dict, path: Path) -> Path:
    """Write one report's workbook from its figures dict (see reports.monthly/summary/phases),
    atomically (outputs.atomic): a failure leaves the old file, or none, and no scratch files."""
    from ..outputs import atomic

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        from ..errors import Invalid

        raise Invalid(f"输出文件（-o）：“{path.name}”应以 .xlsx 结尾", field="output")
    with atomic(path) as tmp:
        book = Book(tmp, data)
        _sheets(book, data)
        book.close()
    return path


def _sheets(book: Book, data: dict) -> None:
    kind = data["report"]
    if kind == "phases":
        sheet_timeline(book, data)
        sheet_phase_counts(book, data)
        sheet_milestone_counts(book, data)
        sheet_matrix(book, data)
        return
    if kind == "monthly":
        sheet_digest(book, data)
    else:
        sheet_overview(book, data)
    sheet_charts(book, data)  # right after page 1, before the long lists
    sheet_area_chart(book, data)
    if kind == "monthly":
        sheet_month_figures(book, data)
        sheet_month_supervision(book, data)
        sheet_trend(book, data)
    sheet_units(book, data)
    sheet_areas(book, data)
    sheet_sources(book, data)
    sheet_overdue(book, data)
    if kind == "monthly":
        sheet_due_soon(book, data)
        sheet_new_issues(book, data)
        sheet_verified(book, data)
    else:
        sheet_rules(book, data)
        sheet_checks(book, data, data["supervision"]["check_names"])
        sheet_supervision(book, data, data["supervision"]["case_kinds"])
        sheet_recheck(book, data)
