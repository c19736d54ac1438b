"""Unit workbooks into the register (`zz import`).

A file is read whole (excel/reader.py finds the layout), every cell is checked, and only
when no cell is refused are its rows written — in one transaction per file, with
SQLAlchemy Core executemany (never the ORM: a 100k-row 问题清单 must import in seconds).

Rows are keyed by (unit, sheet, 序号): a row whose key is in the register updates it, a
row whose values are the same is counted as unchanged. Fixes of a combined 整改台账 (no
序号 of their own) are matched to the issue's fixes in 序号 order. An issue's stored status
is recomputed here from its fixes' final statuses with `issues.derive_status`, the same
rule as `issues.refresh_status`, without a second pass over the database.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable

from .dates import numbered_parts, parse_deadlines, parse_loose_date
from .errors import FileRefused, Invalid, ZzError
from .excel import columns as C
from .excel.columns import norm

Progress = Callable[[str, int, int], None]

ISSUE_FIELDS = ("area", "source", "check_item", "description", "found_on", "leader", "owner", "note")
ISSUE_COLUMN_FIELDS = {"area": ("area",), "source": ("source",), "check": ("check_item",), "description": ("description",),
                       "found_on": ("found_on",), "leader": ("leader",), "owner": ("owner",), "note": ("note",)}
FIX_COLUMN_FIELDS = {"task": ("task",), "leader": ("leader",), "owner": ("owner",),
                     "deadline": ("deadline", "ongoing", "on_the_spot"), "evidence": ("evidence",), "note": ("note",),
                     "progress": ("progress",), "verified_by": ("verified_by",)}
FIX_STATUS_FIELDS = ("status", "done_on", "verified_on", "claimed", "done_reported")
RULE_COLUMN_FIELDS = {"title": ("title",), "action": ("action",), "due_on": ("due_on",), "doc_no": ("doc_no",),
                      "note": ("note",)}
RULE_STATUS_FIELDS = ("status", "done_on")
PERSON_KEYS = ("leader", "owner", "verified_by")
FOOTNOTE_START = ("注", "说明", "备注", "填表", "填报", "报送", "审核", "制表", "联系", "*", "※", "合计", "小计", "单位负责人", "主要负责人",
                  "分管领导", "填报人", "附")
FIX_STATUS_ACCEPTED = "未开始、整改中、已完成、已销号（也认：未整改、正在整改、部分整改、正在办理、已整改、已办结、销号）"


class _Bad(Exception):
    """One refused cell: why, and what is accepted."""

    def __init__(self, why: str, accepted: str = ""):
        super().__init__(why)
        self.why = why
        self.accepted = accepted


# ---------------------------------------------------------------- cells to values


class Cells:
    """Converts cells to register values for one plan; caches by value, since a
    100k-row sheet repeats the same areas, sources and dates over and over."""

    def __init__(self, plan, filled_on: dt.date | None):
        self.plan = plan
        self.year = plan.year
        self.filled_on = filled_on  # the file's 填报日期; None when it gives none (the clock never stands in)
        self.today = dt.date.today()  # only for created_on: the day the row entered the register
        self._cache: dict = {}
        self.areas_accepted = f"序号 1–{len(plan.areas)}、一…十或名称：" + "、".join(a.name for a in plan.areas)
        self.checks_accepted = f"1–{len(plan.checks)} 或事项名称：" + "；".join(f"{c.no} {c.check}" for c in plan.checks)
        self.sources_accepted = "、".join(plan.lists["sources"]) + "（也认：四查四看、巡视、信访、代表建议等）"

    def convert(self, kind: str, value):
        cache = self._cache.get(kind)
        if cache is None:
            cache = self._cache[kind] = {}
        key = (value.__class__, value)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = (getattr(self, "_" + kind)(value),)
            except _Bad as bad:
                hit = bad
            cache[key] = hit
        if hit.__class__ is _Bad:
            raise hit
        return hit[0]

    @staticmethod
    def blank(value) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    def _seq(self, value) -> int:
        if isinstance(value, bool):
            raise _Bad("序号应为正整数", "1、2、3……")
        if isinstance(value, (int, float)):
            if float(value).is_integer() and 1 <= value < 10**9:
                return int(value)
            raise _Bad("序号应为正整数" if value < 10**9 else "序号太大", "1、2、3……")
        text = _n(value).strip(".、)）（(第号")
        if text.isdigit() and 1 <= int(text) < 10**9:
            return int(text)
        raise _Bad("序号应为正整数" if not text.isdigit() else "序号太大", "1、2、3……")

    def _seqs(self, value) -> tuple[int, ...]:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (self._seq(value),)
        text = _n(value)
        out: list[int] = []
        for part in re.split(r"[、,，;；/和及与]+", text):
            if not part:
                continue
            m = re.fullmatch(r"(\d+)[-~～至到](\d+)", part)
            if m and int(m.group(1)) <= int(m.group(2)) <= int(m.group(1)) + 500:
                out.extend(range(int(m.group(1)), int(m.group(2)) + 1))
                continue
            out.append(self._seq(part))
        return tuple(sorted(set(out)))

    def _area(self, value) -> int:
        try:
            return self.plan.area(_n(value)).no
        except Invalid:
            raise _Bad("不是整治重点", self.areas_accepted) from None

    def _source(self, value) -> str:
        text = _n(value)
        if text in self.plan.lists["sources"]:
            return text
        if text in C.SOURCE_WORDS:
            return C.SOURCE_WORDS[text]
        for word in sorted(C.SOURCE_WORDS, key=len, reverse=True):
            if word in text:
                return C.SOURCE_WORDS[word]
        raise _Bad("不是问题来源", self.sources_accepted)

    def _check(self, value) -> int:
        text = _n(value)
        m = re.fullmatch(r"第?([一二三四五六七八九十\d]{1,2})项?", text)
        if m and (m.group(1).isdigit() or len(m.group(1)) == 1):
            text = m.group(1)
        try:
            return self.plan.check(text).no
        except Invalid:
            raise _Bad("不是四查四看事项", self.checks_accepted) from None

    def _date(self, value) -> dt.date:
        try:
            return parse_loose_date(value, year=self.year)
        except Invalid:
            raise _Bad("无法识别日期", "2017-06-30、2017/6/30、2017.6.30、2017年6月30日、6月底前、年底前") from None

    def _deadlines(self, value) -> list:
        """One 整改时限, or one per numbered part ("1.6月底前 2.长期坚持"): a list of Deadline."""
        try:
            return parse_deadlines(value, year=self.year, found_on=None)
        except Invalid as exc:
            why = exc.message.split("：", 1)[-1] if "里有" in exc.message or "既写了" in exc.message else "无法识别整改时限"
            raise _Bad(why, "一个日期（2017-06-30、2017年6月30日、6月30日前）、6月底前、年底前、第三季度、长期坚持、立行立改") from None

    def _fix_status(self, value) -> str:
        text = _n(value)
        if text in C.FIX_STATUS_AMBIGUOUS:
            raise _Bad(f"“{text}”{C.FIX_STATUS_AMBIGUOUS[text]}，请写明", FIX_STATUS_ACCEPTED)
        status = C.fix_status_word(text)
        if status is None:
            raise _Bad("无法识别整改状态", FIX_STATUS_ACCEPTED)
        return status

    def _rule_status(self, value) -> str:
        text = _n(value)
        if text in C.RULE_STATUS_WORDS:
            return C.RULE_STATUS_WORDS[text]
        raise _Bad("无法识别制度状态", "未完成、已完成（也认：已出台、已印发、起草中、正在起草等）")

    def _action(self, value) -> str:
        text = _n(value)
        if text in C.ACTION_WORDS:
            return C.ACTION_WORDS[text]
        # 新建制度, 修订完善: the word it starts with, when only one 立/改/废 word does
        meant = {C.ACTION_WORDS[w] for w in C.ACTION_WORDS if len(w) >= 2 and text.startswith(w)}
        if len(meant) == 1:
            return meant.pop()
        raise _Bad("不是立、改、废" if not meant else "可作几种理解", "立（新建）、改（修订）、废（废止）")


def _n(value) -> str:
    """A cell as normalised text: 6.0 → "6", full-width → ASCII, no spaces."""
    return norm(text_of(value) or "")


def text_of(value) -> str | None:
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


def person_of(value) -> str | None:
    text = text_of(value)
    if text and (" " in text or "\u3000" in text or "\n" in text or "\t" in text):
        return "".join(text.split())
    return text


# ---------------------------------------------------------------- parsing a workbook


class Parsed:
    """What one file says, keyed like the register, plus every refused cell."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[dict] = []
        self.issues: dict[tuple[int, int], dict] = {}
        self.fixes: dict[tuple[int, int], dict] = {}
        self.combined_fixes: dict[tuple[int, int], list[dict]] = {}  # issue key → measures in row order
        self.rules: dict[tuple[int, int], dict] = {}
        self.columns: dict[str, set[str]] = {C.ISSUES: set(), C.FIXES: set(), C.RULES: set()}
        self.unit_ids: set[int] = set()
        self.ledger = False  # the office's own ledger (its marker): may carry 销号 and several units
        self.ledger_marker: dict = {}
        self.composite_keys = False  # 序号 restart in every section: the keys are section × 1000 + 序号

    def bad(self, table, row: int, key: str, value, why: str, accepted: str = "") -> None:
        self.bad_at((table.sheet, row, table.kind, table.headers), key, value, why, accepted)

    def bad_at(self, where: tuple, key: str, value, why: str, accepted: str = "") -> None:
        sheet, row, kind, headers = where
        self.problems.append({"file": str(self.path), "sheet": sheet, "row": row, "column": headers.get(key) or _label(kind, key),
                              "value": text_of(value) or "", "why": why, "accepted": accepted})


def _label(kind: str, key: str) -> str:
    spec = C.COMBINED_SHEET if kind == C.COMBINED else C.BY_KIND[kind]
    if key == "unit":
        return C.UNIT_HEADER
    try:
        return spec.column(key).header
    except KeyError:
        return key


class UnitNames:
    """Unit references (name, code, unique part, or the formal name a unit signs with:
    杨村街道办事处, 武清区大良镇人民政府) resolved once each."""

    def __init__(self, session):
        self.session = session
        self._seen: dict[str, tuple[int, str] | ZzError] = {}

    def resolve(self, ref: str) -> tuple[int, str]:
        from . import units

        ref = str(ref).strip()
        hit = self._seen.get(ref)
        if hit is None:
            first_error = None
            for candidate in _formal_candidates(ref):
                try:
                    u = units.resolve(self.session, candidate)
                    hit = (u.id, u.name)
                    break
                except ZzError as exc:
                    first_error = first_error or exc
            self._seen[ref] = hit = hit or first_error
        if isinstance(hit, ZzError):
            raise hit
        return hit


_SEAL = re.compile(r"[（(]\s*(?:盖章|公章|签章)\s*[）)]|盖章")
_FORMAL_SUFFIX = re.compile(r"(?:人民政府|办事处|管理委员会|管委会)$")
_DISTRICT_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{1,3}(?:省|市))?[\u4e00-\u9fff]{1,3}(?:区|县)(?=[\u4e00-\u9fff]{2})")


def _formal_candidates(ref: str) -> list[str]:
    """杨村街道（盖章） → 杨村街道; 杨村街道办事处 → 杨村街道; 武清区大良镇人民政府 → 大良镇."""
    first = _SEAL.sub("", ref).strip(" ：:\u3000") or ref
    out = [ref, first]
    short = _FORMAL_SUFFIX.sub("", first)
    if short and short != first:
        out.append(short)
    for text in list(out[1:]):
        bare = _DISTRICT_PREFIX.sub("", text)
        if bare != text:
            out.append(bare)
    seen: list[str] = []
    return [c for c in out if c and not (c in seen or seen.append(c))]


def _is_footnote(row: list, seq_value) -> tuple[bool, str | None]:
    """(skip, heading text): blank rows, footnotes, and section headings carry no data."""
    if isinstance(seq_value, (int, float)) and not isinstance(seq_value, bool):
        return False, None
    if isinstance(seq_value, str) and norm(seq_value).strip(".、)）（(").isdigit():
        return False, None
    texts = {text_of(c) for c in row if text_of(c)}
    if not texts:
        return True, None
    if len(texts) == 1:
        return True, next(iter(texts))
    first = next(text_of(c) for c in row if text_of(c))
    if first.startswith(FOOTNOTE_START):
        return True, None
    return False, None


def _refuse_unit(book, why: str, value: str = "", accepted: str = "") -> FileRefused:
    return FileRefused(f"文件“{book.path.name}”：{why}", field="unit",
                       problems=[{"file": str(book.path), "sheet": None, "row": None, "column": "填报单位", "value": value,
                                  "why": why, "accepted": accepted or "--unit 单位，或表头上方的“填报单位：XXX”"}])


def table_units(book, *, unit_ref: str | None, names: UnitNames) -> list[tuple[int, str] | None]:
    """Each table's unit: `--unit`, else the table's own 填报单位 line, else the file's (a cover sheet,
    the template marker). Only the office's own ledger may leave it to a 单位 column."""
    if unit_ref:
        forced = names.resolve(unit_ref)  # a wrong --unit refuses the file with the lookup's own message
        return [forced for _ in book.tables]
    out = []
    for table in book.tables:
        ref, where = (table.unit, table.unit_where) if table.unit else (book.unit, book.unit_where)
        if ref:
            try:
                out.append(names.resolve(ref))
            except ZzError as exc:
                raise _refuse_unit(book, f"{where}的填报单位“{ref}”无法识别——{exc.message}", ref,
                                   "登记簿中的单位全称、代码或唯一简称") from None
        elif book.ledger is not None and "unit" in table.columns:
            out.append(None)
        elif "unit" in table.columns:
            raise _refuse_unit(book, f"工作表“{table.sheet}”有“单位”列，但这不是办公室用 zz export ledger 导出的全区台账："
                                     "单位报来的表只能是本单位的，请用 --unit 指定单位，或在表头上方写明“填报单位：XXX”")
        else:
            raise _refuse_unit(book, "无法确定是哪个单位的表：请用 --unit 指定单位，或在表头上方写明“填报单位：XXX”"
                                     "（zz template 生成的模板已带单位标记）")
    return out


def parse(session, book, *, unit_ref: str | None, cells: Cells, names: UnitNames,
          on_progress: Progress | None = None) -> Parsed:
    out = Parsed(book.path)
    out.ledger = book.ledger is not None
    out.ledger_marker = book.ledger or {}
    units_of = table_units(book, unit_ref=unit_ref, names=names)
    total = sum(t.end - t.first_data for t in book.tables)
    for kind in ("area", "source", "check", "date", "deadlines", "fix_status", "rule_status", "action", "seqs"):
        cells._cache.setdefault(kind, {})
    done = [0, total, on_progress]
    for table, file_unit in zip(book.tables, units_of):
        filled = cells.filled_on
        if table.filled_on not in (None, "") and not getattr(cells, "forced_filled", False):
            try:
                filled = parse_loose_date(table.filled_on, year=cells.year)
            except Invalid:
                pass
        _parse_table(out, table, file_unit, filled, cells=cells, names=names, done=done)
    return out


class _Row:
    """One data row of a table being read: its cells by key, and where to report a bad one."""

    __slots__ = ("out", "table", "cols", "row", "excel_row", "cells")

    def __init__(self, out: Parsed, table, cells: Cells):
        self.out, self.table, self.cols, self.cells = out, table, table.columns, cells
        self.row: list = []
        self.excel_row = 0

    def cell(self, key):
        c = self.cols.get(key)
        return None if c is None else self.row[c]

    def bad(self, key, why, accepted=""):
        self.out.bad(self.table, self.excel_row, key, self.cell(key), why, accepted)

    def conv(self, key, kind_, required=False, default=None):
        value = self.cell(key)
        if value is None or value.__class__ is str and not value.strip():
            if required:
                self.bad(key, "不能为空", _accepted_for(kind_, self.cells))
            return default
        try:
            if kind_ == "seq":
                return self.cells._seq(value)  # unique per row: a cache would only grow
            hit = self.cells._cache[kind_].get((value.__class__, value))
            if hit is not None and hit.__class__ is tuple:
                return hit[0]
            return self.cells.convert(kind_, value)
        except _Bad as b:
            self.bad(key, b.why, b.accepted)
            return default


def _parse_table(out: Parsed, table, file_unit, filled, *, cells: Cells, names: UnitNames, done: list) -> None:
    kind = table.kind
    cols = table.columns
    if kind in (C.ISSUES, C.COMBINED):
        out.columns[C.ISSUES] |= set(cols)
    if kind in (C.FIXES, C.COMBINED):
        out.columns[C.FIXES] |= set(cols) | ({"status"} if table.status_marks else set())
    if kind == C.RULES:
        out.columns[C.RULES] |= set(cols)
    rows = table.rows
    width = max([*cols.values(), *table.status_marks]) + 1
    for i in range(table.first_data, table.end):
        if len(rows[i]) < width:
            rows[i].extend([None] * (width - len(rows[i])))
    r = _Row(out, table, cells)
    seq_col = cols.get("seq")
    desc_col = cols.get("description")
    unit_col = cols.get("unit")
    fix_keys = [k for k in ("task", "deadline", "status", "done_on", "evidence", "progress") if k in cols]
    state = {"section_area": None, "first_row_of": {}, "prev_seq": None, "filled": filled}
    # numbering that starts again in every section (（一）… 1、2、3，（二）… 1、2): the unit's 序号
    # within its section, kept as section × 1000 + 序号 so that a row added in one section moves no other
    restart = kind in (C.ISSUES, C.COMBINED) and seq_col is not None and _numbering_restarts(table, seq_col)
    section_no = 0
    on_progress = done[2]
    for i in range(table.first_data, table.end):
        done[0] += 1
        if on_progress and done[0] % 5000 == 0:
            on_progress("检查", done[0], done[1])
        row = rows[i]
        r.row, r.excel_row = row, i + 1
        seq_value = row[seq_col] if seq_col is not None else None
        continued = False
        if seq_value.__class__ is not float and seq_value.__class__ is not int:
            if (kind == C.COMBINED and Cells.blank(seq_value) and state["prev_seq"] is not None
                    and (desc_col is None or Cells.blank(row[desc_col]))
                    and any(not Cells.blank(row[cols[k]]) for k in fix_keys)):
                continued = True  # a second measure on the row below its issue
            else:
                skip, heading = _is_footnote(row, seq_value)
                if skip:
                    if heading:
                        section_no += 1
                    if heading and len(norm(heading)) <= 30:
                        try:
                            state["section_area"] = cells.convert("area", heading)
                        except _Bad:
                            pass
                    continue
        errors_before = len(out.problems)
        unit_id = _row_unit(r, unit_col, file_unit, names, ledger=out.ledger)
        if continued:
            seq = state["prev_seq"]
        elif seq_value.__class__ is float and seq_value >= 1 and seq_value.is_integer() and seq_value < 1e9:
            seq = int(seq_value)
        elif seq_value.__class__ is int and 1 <= seq_value < 10**9:
            seq = seq_value
        else:
            seq = r.conv("seq", "seq", required=True)
        if restart and seq is not None and not continued:
            seq = section_no * 1000 + seq
            out.composite_keys = True
        if unit_id is not None:
            out.unit_ids.add(unit_id)
        if kind in (C.ISSUES, C.COMBINED) and not continued:
            _issue_row(out, r, unit_id, seq, state, errors_before)
            state["prev_seq"] = seq
        if kind in (C.FIXES, C.COMBINED):
            if kind == C.COMBINED and all(Cells.blank(row[cols[k]]) for k in fix_keys) and not _marked(r):
                continue  # an issue with no measures yet
            _fix_row(out, r, unit_id, seq, state, errors_before)
        if kind == C.RULES:
            _rule_row(out, r, unit_id, seq, state, errors_before)


def _numbering_restarts(table, seq_col: int) -> bool:
    """Does a 序号 come back after a section row (a row with one text)?"""
    seen: dict[int, int] = {}
    section = 0
    for i in range(table.first_data, table.end):
        row = table.rows[i]
        value = row[seq_col]
        if isinstance(value, (int, float)) and not isinstance(value, bool) or (isinstance(value, str) and norm(value).isdigit()):
            seq = int(float(norm(value) if isinstance(value, str) else value))
            if seen.setdefault(seq, section) != section:
                return True
        elif len({c for c in row if c not in (None, "")}) == 1:
            section += 1
    return False


def _row_unit(r: _Row, unit_col, file_unit, names: UnitNames, *, ledger: bool):
    """The row's unit. A unit's own workbook speaks for that unit only: a 单位 cell naming another
    unit is refused. The office's ledger says each row's unit in its 单位 column."""
    if unit_col is None or Cells.blank(r.row[unit_col]):
        if file_unit is None:
            r.bad("unit", "不能为空", "登记簿中的单位全称、代码或唯一简称")
            return None
        return file_unit[0]
    try:
        unit_id, name = names.resolve(r.row[unit_col])
    except ZzError as exc:
        r.bad("unit", exc.message.removeprefix("单位："), "登记簿中的单位全称、代码或唯一简称（zz unit list 可查看）")
        return None
    if not ledger and file_unit is not None and unit_id != file_unit[0]:
        r.bad("unit", f"这是“{file_unit[1]}”报来的表，不能填写其他单位（{name}）的行",
              f"{file_unit[1]}，或留空（全区台账请用 zz export ledger 导出的台账）")
        return None
    return unit_id


def _marked(r: _Row) -> bool:
    return any(not Cells.blank(r.row[c]) for c in r.table.status_marks)


def _issue_row(out: Parsed, r: _Row, unit_id, seq, state: dict, errors_before: int) -> None:
    cells, row, cols, kind = r.cells, r.row, r.cols, r.table.kind
    issue = {"_where": (r.table.sheet, r.excel_row, kind, r.table.headers)}
    if "area" in cols:
        v = row[cols["area"]]
        hit = cells._cache["area"].get((v.__class__, v))
        if hit.__class__ is tuple:
            issue["area"] = hit[0]
        elif state["section_area"] and Cells.blank(v):
            issue["area"] = state["section_area"]
        else:
            issue["area"] = r.conv("area", "area", required=True)
    elif state["section_area"]:
        issue["area"] = state["section_area"]
    else:
        r.bad("area", "没有整治重点：表中没有“整治重点”列，本行上方也没有“（三）责任意识方面”这样的分节行", cells.areas_accepted)
    if "source" in cols:
        v = row[cols["source"]]
        hit = cells._cache["source"].get((v.__class__, v))
        issue["source"] = hit[0] if hit.__class__ is tuple else r.conv("source", "source", default="自查")
    if "check" in cols:
        v = row[cols["check"]]
        hit = cells._cache["check"].get((v.__class__, v))
        issue["check_item"] = hit[0] if hit.__class__ is tuple else r.conv("check", "check")
    v = row[cols["description"]] if "description" in cols else None
    desc = (v.strip() or None) if v.__class__ is str else text_of(v)
    if not desc:
        r.bad("description", "不能为空", "具体写明问题表现")
    issue["description"] = desc
    v = row[cols["found_on"]] if "found_on" in cols else None
    if Cells.blank(v):
        issue["found_on"] = state["filled"]  # None: no 填报日期 either (a new issue is refused in plan_writes)
        issue["_found_default"] = True
    else:
        hit = cells._cache["date"].get((v.__class__, v))
        issue["found_on"] = hit[0] if hit.__class__ is tuple else r.conv("found_on", "date")
    for key in ("leader", "owner"):
        if key in cols:
            v = row[cols[key]]
            v = (v.strip() or None) if v.__class__ is str else text_of(v)
            if v and (" " in v or "\u3000" in v or "\n" in v or "\t" in v):
                v = "".join(v.split())
            issue[key] = v
    if "note" in cols:
        v = row[cols["note"]]
        issue["note"] = (v.strip() or None) if v.__class__ is str else text_of(v)
    ikey = (unit_id, seq)
    first_row_of = state["first_row_of"]
    if unit_id is None or seq is None:
        return
    if ikey in first_row_of:
        prior = out.issues.get(ikey)
        if kind != C.COMBINED or (prior is not None and prior.get("description") != desc):
            r.bad("seq", f"序号 {seq} 与第 {first_row_of[ikey]} 行重复", "同一单位同一表内序号不能重复")
        return
    first_row_of[ikey] = r.excel_row
    if len(out.problems) != errors_before:
        return
    if ikey in out.issues:
        r.bad("seq", f"序号 {seq} 已在工作表“{out.issues[ikey]['_where'][0]}”出现", "同一单位的问题序号不能重复")
    else:
        out.issues[ikey] = issue


def _fix_status_of(r: _Row):
    if r.table.status_marks:
        ticked = [status for c, status in r.table.status_marks.items() if not Cells.blank(r.row[c])]
        if len(ticked) > 1:
            c = next(c for c in r.table.status_marks if not Cells.blank(r.row[c]))
            r.out.bad(r.table, r.excel_row, "status", r.row[c], f"同时勾选了{'、'.join(ticked)}", "只在一种状态下打 √")
            return None
        return ticked[0] if ticked else None
    return r.conv("status", "fix_status") if "status" in r.cols else None


def _fix_row(out: Parsed, r: _Row, unit_id, seq, state: dict, errors_before: int) -> None:
    cols, kind = r.cols, r.table.kind
    fix = {"_where": (r.table.sheet, r.excel_row, kind, r.table.headers)}
    task = text_of(r.cell("task"))
    if not task:
        r.bad("task", "不能为空", "明确整改的任务和措施")
    fix["task"] = task
    deadlines = [None]
    if "deadline" in cols:
        deadlines = r.conv("deadline", "deadlines", required=True) or [None]
        fix["deadline"] = deadlines[0]
    tasks = [task]
    if len(deadlines) > 1:
        tasks = numbered_parts(task or "")
        if kind != C.COMBINED or len(tasks) != len(deadlines):
            why = (f"一格里写了 {len(deadlines)} 个时限，" + ("措施却分不出对应的几项" if kind == C.COMBINED else "请把各项措施分行填写，每行一个序号"))
            r.bad("deadline", why, "每项措施一个时限：措施和时限都按 1. 2. 3. 编号，或分行填写")
    for key in ("leader", "owner", "verified_by"):
        if key in cols:
            fix[key] = person_of(r.cell(key))
    for key in ("evidence", "progress"):
        if key in cols:
            fix[key] = text_of(r.cell(key))
    if kind == C.FIXES and "note" in cols:
        fix["note"] = text_of(r.cell("note"))
    if "status" in cols or "done_on" in cols or r.table.status_marks:
        _fix_state(out, r, fix, state)
    if len(out.problems) != errors_before or unit_id is None:
        return
    if kind == C.FIXES:
        issue_seq = r.conv("issue_seq", "seq", required=True)
        if issue_seq is None or seq is None:
            return
        fix["issue_key"] = (unit_id, issue_seq)
        fkey = (unit_id, seq)
        if fkey in out.fixes:
            r.bad("seq", f"序号 {seq} 与第 {out.fixes[fkey]['_where'][1]} 行重复", "同一单位整改清单内序号不能重复")
            return
        out.fixes[fkey] = fix
    elif seq is not None:
        for task_k, deadline_k in zip(tasks, deadlines):
            one = dict(fix, task=task_k, issue_key=(unit_id, seq))
            if "deadline" in cols:
                one["deadline"] = deadline_k
            out.combined_fixes.setdefault((unit_id, seq), []).append(one)


def _fix_state(out: Parsed, r: _Row, fix: dict, state: dict) -> None:
    """Status and dates. A unit reports, only the office verifies (SPEC §5 "Authority"): 已销号 in a
    unit's workbook is its claim, stored 已完成. A completion date the file does not give is its
    填报日期, marked as reported; with no 填报日期 either, plan_writes keeps the register's or refuses."""
    cols = r.cols
    status = _fix_status_of(r)
    done_on = r.conv("done_on", "date") if "done_on" in cols else None
    verified_on = r.conv("verified_on", "date") if "verified_on" in cols else None
    if status is None:
        status = "已销号" if verified_on else ("已完成" if done_on else "未开始")
    claimed = False
    if status == "已销号" and not out.ledger:
        status, claimed, verified_on = "已完成", True, None
        fix.pop("verified_by", None)
    fix["_done_default"] = False
    if status in ("已完成", "已销号"):
        if done_on is None:
            done_on = state["filled"]
            fix["_done_default"] = True
    else:
        done_on = None
    if status == "已销号":
        verified_on = verified_on or done_on
        if verified_on and done_on and verified_on < done_on:
            r.bad("verified_on" if "verified_on" in cols else "done_on", f"销号日期 {verified_on} 早于完成日期 {done_on}",
                  "销号日期不早于完成日期")
    else:
        verified_on = None
        if "verified_by" in fix:
            fix["verified_by"] = None
    fix.update(status=status, done_on=done_on, verified_on=verified_on, claimed=claimed,
               done_reported=fix["_done_default"] and done_on is not None)
    for key in ("claimed", "done_reported"):  # the office's ledger says them in its own columns
        if key in cols:
            fix[key] = _flag(r.cell(key)) and status in ("已完成", "已销号") and (key != "claimed" or status == "已完成")


def _flag(value) -> bool:
    return value is True or (isinstance(value, (int, float)) and value == 1) or _n(value) in ("是", "√", "Y", "y", "TRUE", "True")


def _rule_row(out: Parsed, r: _Row, unit_id, seq, state: dict, errors_before: int) -> None:
    cols = r.cols
    rule = {"_where": (r.table.sheet, r.excel_row, r.table.kind, r.table.headers)}
    title = text_of(r.cell("title"))
    if not title:
        r.bad("title", "不能为空", "制度名称")
    rule["title"] = title
    rule["action"] = r.conv("action", "action", required=True)
    if "due_on" in cols:
        due = r.cell("due_on")
        flat = norm(due) if isinstance(due, str) else ""
        if flat and any(w in flat for w in ("长期", "常态")):
            rule["due_on"] = None
        elif flat and any(w in flat for w in ("立行立改", "即知即改", "立即")):
            rule["due_on"] = state["filled"]
            if state["filled"] is None:
                r.bad("due_on", "立行立改的制度以填报日期为完成时限，但表上没有填报日期", "日期，或在表头上方写明填报日期")
        else:
            rule["due_on"] = r.conv("due_on", "date")
    if "doc_no" in cols:
        rule["doc_no"] = text_of(r.cell("doc_no"))
    if "note" in cols:
        rule["note"] = text_of(r.cell("note"))
    if "issue_seq" in cols:
        value = r.cell("issue_seq")
        try:
            rule["issue_seqs"] = r.cells.convert("seqs", value) if not Cells.blank(value) else ()
        except _Bad:
            rule["issue_seqs"] = ()
            rule["issue_text"] = text_of(value)  # the issue's own words: linked by description in plan_writes
    if "status" in cols or "done_on" in cols:
        status = r.conv("status", "rule_status") if "status" in cols else None
        done_on = r.conv("done_on", "date") if "done_on" in cols else None
        status = status or ("已完成" if done_on else "未完成")
        rule["status"] = status
        rule["done_on"] = (done_on or state["filled"]) if status == "已完成" else None
        if status == "已完成" and rule["done_on"] is None:
            r.bad("status", "已完成但没有完成日期，表上也没有填报日期", "在表头上方写明“填报日期：…”，或用 --filled-on 指定")
    if len(out.problems) != errors_before or unit_id is None or seq is None:
        return
    rkey = (unit_id, seq)
    if rkey in out.rules:
        r.bad("seq", f"序号 {seq} 与第 {out.rules[rkey]['_where'][1]} 行重复", "同一单位制度清单内序号不能重复")
        return
    out.rules[rkey] = rule


def _accepted_for(kind: str, cells: Cells) -> str:
    return {"area": cells.areas_accepted, "seq": "正整数 1、2、3……", "deadlines": "日期、6月底前、年底前、长期坚持、立行立改",
            "action": "立、改、废", "date": "日期，如 2017-06-30"}.get(kind, "")


# ---------------------------------------------------------------- comparing with the register and writing


def _problem_at(out: Parsed, rec: dict, key: str, value, why: str, accepted: str = "") -> None:
    out.bad_at(rec["_where"], key, value, why, accepted)


def _plain(row):
    return row._mapping  # a light view on the row; a dict per row would double the memory of a 100k re-import


class Plan:
    """The writes one file amounts to, the counts to report, and (for --dry-run) each changed cell."""

    def __init__(self):
        self.counts = {kind: {"new": 0, "updated": 0, "unchanged": 0} for kind in (C.ISSUES, C.FIXES, C.RULES)}
        self.issue_inserts: list[dict] = []
        self.issue_updates: list[tuple[int, dict, dict]] = []  # (id, before, after)
        self.fix_inserts: list[dict] = []
        self.fix_updates: list[tuple[int, dict, dict]] = []
        self.rule_inserts: list[dict] = []
        self.rule_updates: list[tuple[int, dict, dict]] = []
        self.link_inserts: list[tuple[tuple, tuple]] = []  # (rule key, issue key), register keys (unit, 序号)
        self.link_deletes: list[tuple[int, int]] = []
        self.status_updates: list[tuple[int, dict, dict]] = []  # existing issues' derived fields: (id, before, after)
        self.changes: list[dict] = []  # updated cells: sheet, row, 序号, column, old → new
        self.updated_from: list[tuple[str, int, dict]] = []  # (table, id, the file's record) for the stale-ledger check


def _diff(existing: dict, new: dict) -> tuple[dict, dict]:
    before, after = {}, {}
    for k, v in new.items():
        if existing.get(k) != v:
            before[k], after[k] = existing.get(k), v
    return before, after


_SHOWN = {"check_item": "check", "ongoing": "deadline", "on_the_spot": "deadline", "issue_found_on": None,
          "claimed": "status", "done_reported": "done_on", "issue_id": "issue_seq", "issue_key": None}


def _note_changes(plan: Plan, table: str, id_: int, rec: dict, before: dict, after: dict) -> None:
    plan.updated_from.append((table, id_, rec))
    sheet, row, kind, headers = rec["_where"]
    for key, new in after.items():
        shown = _SHOWN.get(key, key)
        if shown is None:
            continue
        plan.changes.append({"sheet": sheet, "row": row, "table": table, "id": id_, "column": headers.get(shown) or _label(kind, shown),
                             "field": key, "old": _shown(before.get(key)), "new": _shown(new)})


def _shown(value):
    return value.isoformat() if isinstance(value, dt.date) else value


class _Register:
    """What the register holds for the units of one file, keyed as the file's rows name it: by the
    unit's own 序号 (src_seq) for a unit's workbook, so that it never matches what the office entered
    (SPEC §5 "Identity"), by the register's 序号 for the office's own ledger."""

    def __init__(self, session, parsed: Parsed):
        from sqlalchemy import select

        from .models import Fix, Issue, Rule, RuleIssue

        conn = session.connection()
        I, F, R, RI = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__
        ident = "seq" if parsed.ledger else "src_seq"
        self.ident = ident
        self.issues: dict[tuple[int, int], dict] = {}
        self.key_of_issue: dict[int, tuple[int, int]] = {}  # id → register key (unit, 序号)
        self.by_id: dict[int, dict] = {}
        self.fixes: dict[tuple[int, int], dict] = {}
        self.fixes_of_issue: dict[int, list[dict]] = {}
        self.rules: dict[tuple[int, int], dict] = {}
        self.links: dict[int, set[int]] = {}
        self.used = {"issue": {}, "fix": {}, "rule": {}, "fix_src": {}, "rule_src": {}}  # unit → 序号 in use
        unit_ids = sorted(parsed.unit_ids)
        for start in range(0, len(unit_ids), 500):
            chunk = unit_ids[start:start + 500]
            for row in conn.execute(select(I).where(I.c.unit_id.in_(chunk))):
                rec = _plain(row)
                self.key_of_issue[rec["id"]] = (rec["unit_id"], rec["seq"])
                self.by_id[rec["id"]] = rec
                self.used["issue"].setdefault(rec["unit_id"], set()).add(rec["seq"])
                if rec[ident] is not None:
                    self.issues[(rec["unit_id"], rec[ident])] = rec
            for row in conn.execute(select(F).where(F.c.unit_id.in_(chunk)).order_by(F.c[ident], F.c.seq)):
                rec = _plain(row)
                self.fixes_of_issue.setdefault(rec["issue_id"], []).append(rec)
                self.used["fix"].setdefault(rec["unit_id"], set()).add(rec["seq"])
                self.used["fix_src"].setdefault(rec["unit_id"], set()).add(rec["src_seq"])
                if rec[ident] is not None:
                    self.fixes[(rec["unit_id"], rec[ident])] = rec
            if parsed.rules:
                for row in conn.execute(select(R).where(R.c.unit_id.in_(chunk))):
                    rec = _plain(row)
                    self.used["rule"].setdefault(rec["unit_id"], set()).add(rec["seq"])
                    if rec[ident] is not None:
                        self.rules[(rec["unit_id"], rec[ident])] = rec
                for rule_id, issue_id in conn.execute(
                    select(RI.c.rule_id, RI.c.issue_id).join(R, R.c.id == RI.c.rule_id).where(R.c.unit_id.in_(chunk))
                ):
                    self.links.setdefault(rule_id, set()).add(issue_id)

    def allocate(self, kind: str, unit_id: int, wanted: int | None) -> int:
        """The register's 序号 for a new row: the file's own when it is free, else the unit's next."""
        used = self.used[kind].setdefault(unit_id, set())
        seq = wanted if wanted is not None and wanted not in used else max((s for s in used if s is not None), default=0) + 1
        used.add(seq)
        return seq


def plan_writes(session, parsed: Parsed, cells: Cells) -> Plan:
    reg = _Register(session, parsed)
    plan = Plan()
    final_issue = _plan_issues(plan, parsed, reg, cells)
    statuses, fix_issue_key, new_fix_statuses = _plan_fixes(plan, parsed, reg, cells, final_issue)
    _plan_rules(plan, parsed, reg, cells, final_issue)
    if parsed.ledger:
        _refuse_stale_ledger(session, plan, parsed)
    if parsed.problems:
        return plan
    _plan_derived(plan, reg, statuses, fix_issue_key, new_fix_statuses)
    return plan


def _plan_issues(plan: Plan, parsed: Parsed, reg: _Register, cells: Cells) -> dict:
    """Issues: new rows and updates. Returns, per file key, what the issue will be (its register
    序号, found_on, owner, leader: what its fixes need)."""
    final_issue: dict[tuple[int, int], dict] = {}
    issue_cols = parsed.columns[C.ISSUES]
    present = [f for col, fields in ISSUE_COLUMN_FIELDS.items() if col in issue_cols for f in fields]
    if "area" not in present and any("area" in rec for rec in parsed.issues.values()):
        present.append("area")  # from section rows
    defaults = {"unit_id": None, "seq": None, "src_seq": None, "area": None, "source": "自查", "check_item": None,
                "description": None, "found_on": None, "leader": None, "owner": None, "note": None, "status": "未整改",
                "created_on": cells.filled_on or cells.today}
    for ikey, rec in parsed.issues.items():
        old = reg.issues.get(ikey)
        if old is None:
            if rec.get("found_on") is None:
                _problem_at(parsed, rec, "found_on", None, "没有发现日期，表上也没有填报日期",
                            "填写“发现日期”列，或在表头上方写明“填报日期：…”，或用 --filled-on 指定")
                continue
            row = defaults.copy()
            row.update(rec)
            del row["_where"]
            row.pop("_found_default", None)
            row["unit_id"] = ikey[0]
            row["seq"] = reg.allocate("issue", ikey[0], None if parsed.composite_keys else ikey[1])
            row["src_seq"] = None if parsed.ledger else ikey[1]
            parsed.issues[ikey] = row  # same key: safe while iterating, and frees the parsed record
            plan.issue_inserts.append(row)
            final_issue[ikey] = row
            plan.counts[C.ISSUES]["new"] += 1
            continue
        values = {f: rec.get(f) for f in present if not (f == "found_on" and rec.get("_found_default"))}
        before, after = _diff(old, values)
        if after:
            plan.issue_updates.append((old["id"], before, after))
            plan.counts[C.ISSUES]["updated"] += 1
            _note_changes(plan, "issue", old["id"], rec, before, after)
        else:
            plan.counts[C.ISSUES]["unchanged"] += 1
        final_issue[ikey] = {"id": old["id"], "seq": old["seq"],
                             **{k: values.get(k, old[k]) for k in ("found_on", "owner", "leader")}}
    return final_issue


def _issue_for(parsed: Parsed, reg: _Register, final_issue: dict, file_key, rec, key_name) -> dict | None:
    found = final_issue.get(file_key) or reg.issues.get(file_key)
    if found is None:
        _problem_at(parsed, rec, key_name, file_key[1], f"问题清单中没有序号 {file_key[1]} 的问题（本文件和登记簿中都没有）",
                    "本单位问题清单中已有的序号")
    return found


def _plan_fixes(plan: Plan, parsed: Parsed, reg: _Register, cells: Cells, final_issue: dict):
    fix_cols = parsed.columns[C.FIXES]
    fix_present = [f for col, fields in FIX_COLUMN_FIELDS.items() if col in fix_cols for f in fields]
    if "status" in fix_cols or "done_on" in fix_cols:
        fix_present += list(FIX_STATUS_FIELDS)
    statuses: dict[int, tuple] = {}  # existing fix id → final (status, done_on, verified_on)
    fix_issue_key: dict[int, tuple[int, int]] = {}  # existing fix id → final issue key (register's)
    new_fix_statuses: dict[tuple[int, int], list[tuple]] = {}

    def place(rec, old, issue_file_key, issue, file_seq):
        values = _fix_values(rec, issue, fix_present)
        unit_id = issue_file_key[0]
        issue_key = (unit_id, issue["seq"])
        if old is None:
            if not _fix_dates_ok(parsed, rec, values):
                return
            seq = reg.allocate("fix", unit_id, file_seq if file_seq is not None else None)
            src = None
            if not parsed.ledger:
                src = file_seq if file_seq is not None else reg.allocate("fix_src", unit_id, None)
                reg.used["fix_src"].setdefault(unit_id, set()).add(src)
            row = {"unit_id": unit_id, "seq": seq, "src_seq": src, "issue_key": issue_key, "task": None, "deadline": None,
                   "ongoing": False, "on_the_spot": False, "original_deadline": None, "owner": issue.get("owner"),
                   "leader": issue.get("leader"), "status": "未开始", "progress": None, "done_on": None, "evidence": None,
                   "verified_on": None, "verified_by": None, "note": None, "created_on": cells.filled_on or cells.today, "claimed": False,
                   "done_reported": False}
            row.update(values)
            plan.fix_inserts.append(row)
            new_fix_statuses.setdefault(issue_key, []).append((row["status"], row["done_on"], row["verified_on"]))
            plan.counts[C.FIXES]["new"] += 1
            return
        if not parsed.ledger and not _unit_may_change(parsed, rec, old, values):
            return
        if rec.get("_done_default") and old["status"] in ("已完成", "已销号") and old["done_on"] and values.get("status") in ("已完成", "已销号"):
            values["done_on"], values["done_reported"] = old["done_on"], old["done_reported"]  # no date given: keep the register's
        if not _fix_dates_ok(parsed, rec, values):
            return
        if issue_key != reg.key_of_issue.get(old["issue_id"]):
            values["issue_key"] = issue_key
        before, after = _diff(old, {k: v for k, v in values.items() if k != "issue_key"})
        if "issue_key" in values:
            before["issue_id"], after["issue_key"] = old["issue_id"], issue_key
        if after:
            plan.fix_updates.append((old["id"], before, after))
            plan.counts[C.FIXES]["updated"] += 1
            _note_changes(plan, "fix", old["id"], rec, before, after)
        else:
            plan.counts[C.FIXES]["unchanged"] += 1
        statuses[old["id"]] = tuple(values[k] if k in values else old[k] for k in ("status", "done_on", "verified_on"))
        fix_issue_key[old["id"]] = issue_key

    for fkey, rec in parsed.fixes.items():
        issue = _issue_for(parsed, reg, final_issue, rec["issue_key"], rec, "issue_seq")
        if issue is not None:
            place(rec, reg.fixes.get(fkey), rec["issue_key"], issue, fkey[1])
    for ikey, measures in parsed.combined_fixes.items():
        issue = final_issue.get(ikey) or reg.issues.get(ikey)
        if issue is None:
            continue
        existing = [f for f in reg.fixes_of_issue.get(issue.get("id"), []) if f[reg.ident] is not None] if issue.get("id") else []
        for k, rec in enumerate(measures):
            place(rec, existing[k] if k < len(existing) else None, ikey, issue, None)

    # fixes the file does not mention keep their copy of their issue's found_on
    for id_, _before, after in plan.issue_updates:
        if "found_on" in after:
            for f in reg.fixes_of_issue.get(id_, ()):
                if f["id"] not in statuses and f["issue_found_on"] != after["found_on"]:
                    plan.fix_updates.append((f["id"], {"issue_found_on": f["issue_found_on"]},
                                             {"issue_found_on": after["found_on"]}))
    return statuses, fix_issue_key, new_fix_statuses


def _fix_values(rec: dict, issue: dict, fix_present: list[str]) -> dict:
    values = {f: rec.get(f) for f in fix_present if f not in ("deadline", "ongoing", "on_the_spot")}
    if rec.get("deadline") is not None:
        dl = rec["deadline"]
        values["ongoing"], values["on_the_spot"] = dl.ongoing, dl.on_the_spot
        values["deadline"] = issue["found_on"] if dl.on_the_spot else dl.date
    for k in ("leader", "owner"):
        if k in values and not values[k]:
            values[k] = issue.get(k)
    values["issue_found_on"] = issue["found_on"]
    return values


def _fix_dates_ok(parsed: Parsed, rec: dict, values: dict) -> bool:
    if values.get("status") in ("已完成", "已销号") and values.get("done_on") is None:
        _problem_at(parsed, rec, "done_on" if "done_on" in rec["_where"][3] else "status", rec.get("status"),
                    "已完成但没有完成日期，表上也没有填报日期",
                    "填写“完成日期”列，或在表头上方写明“填报日期：…”，或用 --filled-on 指定")
        return False
    return True


def _unit_may_change(parsed: Parsed, rec: dict, old: dict, values: dict) -> bool:
    """A unit's workbook reports; it never undoes what the office decided (SPEC §5 "Authority"):
    a fix the office verified stays 已销号 (the unit re-sending 已完成 changes nothing), and an
    approved extension stays (the unit re-sending its original deadline changes nothing)."""
    ok = True
    if old["status"] == "已销号" and "status" in values:
        if values["status"] in ("已完成", "已销号"):
            for k in ("status", "done_on", "verified_on", "verified_by", "claimed", "done_reported"):
                values.pop(k, None)
        else:
            _problem_at(parsed, rec, "status", values["status"],
                        f"这项整改已于 {old['verified_on']} 销号，单位报表不能改回“{values['status']}”",
                        "已完成；确需二次整改的，请办公室先用 zz fix return 退回")
            ok = False
    if old["original_deadline"] is not None and "deadline" in values:
        same = (values["deadline"] in (old["deadline"], old["original_deadline"]) and not values.get("ongoing")) or (
            values.get("ongoing") and old["ongoing"])
        if same:
            for k in ("deadline", "ongoing", "on_the_spot"):
                values.pop(k, None)
        else:
            new = "长期坚持" if values.get("ongoing") else values["deadline"]
            _problem_at(parsed, rec, "deadline", new,
                        f"整改时限已批准延期至 {old['deadline']}（原时限 {old['original_deadline']}），单位报表不能改时限",
                        "原时限或延期后的时限；需再延期的请报办公室批准（zz fix extend）")
            ok = False
    return ok


def _plan_rules(plan: Plan, parsed: Parsed, reg: _Register, cells: Cells, final_issue: dict) -> None:
    rule_cols = parsed.columns[C.RULES]
    rule_present = [f for col, fields in RULE_COLUMN_FIELDS.items() if col in rule_cols for f in fields]
    if "status" in rule_cols:
        rule_present += list(RULE_STATUS_FIELDS)
    for rkey, rec in parsed.rules.items():
        values = {f: rec.get(f) for f in rule_present}
        issue_keys = []  # register keys
        for s in rec.get("issue_seqs", ()):
            found = _issue_for(parsed, reg, final_issue, (rkey[0], s), rec, "issue_seq")
            if found is not None:
                issue_keys.append((rkey[0], found["seq"]))
        if rec.get("issue_text"):
            found = _issue_by_text(parsed, reg, final_issue, rkey[0], rec)
            if found is not None:
                issue_keys.append((rkey[0], found["seq"]))
        old = reg.rules.get(rkey)
        if old is None:
            seq = reg.allocate("rule", rkey[0], rkey[1])
            row = {"unit_id": rkey[0], "seq": seq, "src_seq": None if parsed.ledger else rkey[1], "title": None, "action": None,
                   "due_on": None, "status": "未完成", "done_on": None, "doc_no": None, "note": None, "created_on": cells.filled_on or cells.today}
            row.update(values)
            plan.rule_inserts.append(row)
            plan.link_inserts += [((rkey[0], seq), ik) for ik in issue_keys]
            plan.counts[C.RULES]["new"] += 1
            continue
        before, after = _diff(old, values)
        link_changed = False
        if "issue_seqs" in rec:
            current = reg.links.get(old["id"], set())
            by_reg = {v: k for k, v in reg.key_of_issue.items()}
            wanted = {by_reg[ik] for ik in issue_keys if ik in by_reg}
            for issue_id in current - wanted:
                plan.link_deletes.append((old["id"], issue_id))
                link_changed = True
            for ik in issue_keys:
                if ik not in by_reg or by_reg[ik] not in current:
                    plan.link_inserts.append(((rkey[0], old["seq"]), ik))
                    link_changed = True
        if after:
            plan.rule_updates.append((old["id"], before, after))
            _note_changes(plan, "rule", old["id"], rec, before, after)
        plan.counts[C.RULES]["updated" if after or link_changed else "unchanged"] += 1


def _issue_by_text(parsed: Parsed, reg: _Register, final_issue: dict, unit_id: int, rec: dict) -> dict | None:
    """A rule's 针对问题 written as the issue's own words: the one issue of the unit (in this file or
    the register) whose description it is, or contains; else the cell is named."""
    text = norm(rec["issue_text"])
    pool = {k: v for k, v in {**reg.issues, **final_issue}.items() if k[0] == unit_id}
    hits = [v for v in pool.values() if v.get("description") and norm(v["description"]) == text]
    if not hits:
        hits = [v for v in pool.values() if v.get("description") and len(text) >= 4
                and (text in norm(v["description"]) or norm(v["description"]) in text)]
    if len(hits) == 1:
        return hits[0]
    why = ("对应不到问题清单中的问题" if not hits else f"可对应 {len(hits)} 个问题") + "：请写问题清单的序号"
    _problem_at(parsed, rec, "issue_seq", rec["issue_text"], why, "问题清单中的序号，多个用顿号分开，如 1、3")
    return None


def _refuse_stale_ledger(session, plan: Plan, parsed: Parsed) -> None:
    """An old whole-district ledger must not undo later work: a row the register changed after the
    ledger was exported (its marker names the last change then) is refused, with the change named."""
    from sqlalchemy import select

    from .models import ChangeRow

    try:
        since = int(parsed.ledger_marker.get("变更", ""))
    except (AttributeError, ValueError):
        return
    if not plan.updated_from:
        return
    CR = ChangeRow.__table__
    later: dict[tuple[str, str], int] = {}
    for table, key, change_id in session.connection().execute(
        select(CR.c.table_name, CR.c.row_key, CR.c.change_id).where(CR.c.change_id > since, CR.c.table_name.in_(("issue", "fix", "rule")))
    ):
        later[(table, key)] = max(change_id, later.get((table, key), 0))
    for table, id_, rec in plan.updated_from:
        change_id = later.get((table, f"[{id_}]"))
        if change_id:
            _problem_at(parsed, rec, "seq", rec["_where"][1], f"登记簿中这一行在导出本台账之后又改过（变更 #{change_id}），用旧台账导入会把它改回去",
                        "用 zz export ledger 重新导出最新台账，在新台账上修改后再导入")


def _plan_derived(plan: Plan, reg: _Register, statuses: dict, fix_issue_key: dict, new_fix_statuses: dict) -> None:
    """Derived issue status (issues.derive_status over each issue's final fixes) and the days its
    fixes were all completed / verified (issues.derive_dates): as issues.refresh_status does."""
    from .issues import derive_dates, derive_status

    by_key: dict[tuple[int, int], list[tuple]] = {}
    for issue_id, fixes in reg.fixes_of_issue.items():
        for f in fixes:
            ik = fix_issue_key.get(f["id"], reg.key_of_issue.get(issue_id))
            by_key.setdefault(ik, []).append(statuses.get(f["id"]) or (f["status"], f["done_on"], f["verified_on"]))
    for ik, sts in new_fix_statuses.items():
        by_key.setdefault(ik, []).extend(sts)

    def derived(fixes) -> dict:
        done_on, verified_on = derive_dates((f[1], f[2]) for f in fixes)
        return {"status": derive_status(f[0] for f in fixes), "fixes_done_on": done_on, "fixes_verified_on": verified_on}

    no_fixes = derived(())
    for row in plan.issue_inserts:
        sts = by_key.get((row["unit_id"], row["seq"])) if by_key else None
        row.update(derived(sts) if sts else no_fixes)
    updated = {u[0]: u for u in plan.issue_updates}
    for id_, reg_key in reg.key_of_issue.items():
        old = reg.by_id[id_]
        new = derived(by_key.get(reg_key, ()))
        before, after = _diff(old, new)
        if after:
            if id_ in updated:
                updated[id_][1].update(before)
                updated[id_][2].update(after)
            else:
                plan.status_updates.append((id_, before, after))


def write(session, plan: Plan, on_progress: Progress | None = None) -> None:
    from sqlalchemy import and_, bindparam, select

    from . import audit
    from .models import Fix, Issue, Rule, RuleIssue

    conn = session.connection()
    I, F, R, RI = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__

    def ids_of(table, keys) -> dict[tuple[int, int], int]:
        units = sorted({k[0] for k in keys})
        out: dict[tuple[int, int], int] = {}
        for start in range(0, len(units), 500):
            for id_, unit_id, seq in conn.execute(
                select(table.c.id, table.c.unit_id, table.c.seq).where(table.c.unit_id.in_(units[start:start + 500]))
            ).all():  # fetchall: a fetch per row costs more than the query
                out[(unit_id, seq)] = id_
        return out

    def insert(table, rows: list[dict], name: str) -> dict[tuple[int, int], int]:
        if not rows:
            return {}
        for start in range(0, len(rows), 20000):
            _executemany_insert(conn, table, rows[start:start + 20000])
            if on_progress:
                on_progress(f"写入{name}", min(start + 20000, len(rows)), len(rows))
        ids = ids_of(table, [(r["unit_id"], r["seq"]) for r in rows])
        audit.record_inserted(session, table.name, (ids[(r["unit_id"], r["seq"])] for r in rows))
        return ids

    def update(table, changes: list[tuple[int, dict, dict]]) -> None:
        groups: dict[tuple[str, ...], list[dict]] = {}
        for id_, _before, after in changes:
            groups.setdefault(tuple(sorted(after)), []).append({"b_id": id_, **after})
        for params in groups.values():
            conn.execute(table.update().where(table.c.id == bindparam("b_id")), params)
        audit.record_many(session, table.name, "update", ((id_, before, after) for id_, before, after in changes))

    issue_ids = insert(I, plan.issue_inserts, "问题")
    update(I, plan.issue_updates)
    if plan.status_updates:
        update(I, plan.status_updates)
    if plan.fix_inserts or plan.fix_updates or plan.link_inserts:
        all_issue_ids = ids_of(I, [r["issue_key"] for r in plan.fix_inserts]
                               + [u[2]["issue_key"] for u in plan.fix_updates if "issue_key" in u[2]]
                               + [ik for _, ik in plan.link_inserts])
        all_issue_ids.update(issue_ids)
        for row in plan.fix_inserts:
            row["issue_id"] = all_issue_ids[row.pop("issue_key")]
        for _id, _before, after in plan.fix_updates:
            if "issue_key" in after:
                after["issue_id"] = all_issue_ids[after.pop("issue_key")]
    else:
        all_issue_ids = issue_ids
    insert(F, plan.fix_inserts, "整改")
    update(F, plan.fix_updates)
    rule_ids = insert(R, plan.rule_inserts, "制度")
    update(R, plan.rule_updates)
    if plan.link_deletes:
        conn.execute(RI.delete().where(and_(RI.c.rule_id == bindparam("r"), RI.c.issue_id == bindparam("i"))),
                     [{"r": r, "i": i} for r, i in plan.link_deletes])
        audit.record_many(session, RI.name, "delete", (([r, i], {"rule_id": r, "issue_id": i}, None) for r, i in plan.link_deletes))
    if plan.link_inserts:
        if any(rk not in rule_ids for rk, _ in plan.link_inserts):
            rule_ids.update(ids_of(R, [rk for rk, _ in plan.link_inserts]))
        rows = [{"rule_id": rule_ids[rk], "issue_id": all_issue_ids[ik]} for rk, ik in plan.link_inserts]
        rows = list({(r["rule_id"], r["issue_id"]): r for r in rows}.values())
        conn.execute(RI.insert(), rows)
        audit.record_many(session, RI.name, "insert", (([r["rule_id"], r["issue_id"]], None, r) for r in rows))


def _executemany_insert(conn, table, rows: list[dict]) -> None:
    """Core executemany. On a positional-parameter driver (SQLite) the statement compiled by
    SQLAlchemy is run with plain tuples, which skips per-row parameter processing (half the
    cost at 100k rows); dates are passed as SQLAlchemy's SQLite Date type stores them (ISO)."""
    keys = list(rows[0])
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=keys)
    if not compiled.positional or conn.dialect.name != "sqlite":
        conn.execute(table.insert(), rows)
        return
    from operator import itemgetter

    from sqlalchemy import Date

    order = compiled.positiontup
    iso: dict = {}  # a sheet repeats the same few hundred dates
    for key in order:
        if isinstance(table.c[key].type, Date):
            for r in rows:
                v = r[key]
                if v is not None and v.__class__ is not str:
                    text = iso.get(v)
                    if text is None:
                        text = iso[v] = v.isoformat()
                    r[key] = text
    getter = itemgetter(*order)
    conn.exec_driver_sql(str(compiled), [getter(r) for r in rows])


# ---------------------------------------------------------------- files


def refusal(path: Path, problems: list[dict]) -> FileRefused:
    lines = [f"文件“{path.name}”有 {len(problems)} 处错误，本文件未导入任何内容："]
    for p in problems:
        where = f"工作表“{p['sheet']}”第 {p['row']} 行“{p['column']}”列" if p.get("sheet") else f"“{p['column']}”"
        value = f"（填的是“{p['value']}”）" if p.get("value") else "（空白）"
        accepted = f"。可填：{p['accepted']}" if p.get("accepted") else ""
        lines.append(f"  {where}{value}：{p['why']}{accepted}")
    return FileRefused("\n".join(lines), field="file", problems=problems)


def import_file(session, path: Path, *, unit: str | None = None, dry_run: bool = False, maps: dict[str, str] | None = None,
                filled_on: dt.date | None = None, on_progress: Progress | None = None) -> dict:
    """Import one workbook inside the caller's transaction; raises FileRefused listing every bad cell.

    `maps`: header → column key taught with `--map` (remembered for the file's units when it lands);
    `filled_on`: the 填报日期 when the file gives none (`--filled-on`)."""
    from .audit import set_summary
    from .excel.reader import read_workbook
    from .register import plan_of

    path = Path(path)
    if on_progress:
        on_progress("读取", 0, 1)
    names = UnitNames(session)
    book = read_workbook(path, mappings=maps, unit_mappings=lambda ref: stored_mappings(session, names, unit or ref))
    if not book.tables:
        raise _no_table(path, book)
    plan = plan_of(session)
    if filled_on is None and book.filled_on not in (None, ""):
        try:
            filled_on = parse_loose_date(book.filled_on, year=plan.year)
        except Invalid:
            pass
    cells = Cells(plan, filled_on)
    cells.forced_filled = filled_on is not None and book.filled_on in (None, "")
    parsed = parse(session, book, unit_ref=unit, cells=cells, names=names, on_progress=on_progress)
    book.tables.clear()  # the sheets' cells are no longer needed: free them before loading the register's rows
    del book
    if parsed.problems:
        raise refusal(path, parsed.problems)
    writes = plan_writes(session, parsed, cells)
    if parsed.problems:
        raise refusal(path, parsed.problems)
    if not dry_run:
        write(session, writes, on_progress=on_progress)
        if maps:
            remember_mappings(session, parsed.unit_ids, maps)
    counts = writes.counts
    totals = {k: sum(c[k] for c in counts.values()) for k in ("new", "updated", "unchanged")}
    unit_names = sorted({names_ for names_ in _unit_names(session, parsed.unit_ids)})
    summary = "；".join(f"{kind} 新增 {c['new']}、更新 {c['updated']}、未变 {c['unchanged']}" for kind, c in counts.items()
                       if any(c.values()))
    set_summary(session, f"导入 {path.name}（{'、'.join(unit_names)}）：{summary}")
    return {"file": str(path), "status": "checked" if dry_run else "imported", "units": unit_names,
            "filled_on": filled_on.isoformat() if filled_on else None, "ledger": parsed.ledger, "sheets": counts,
            **totals, "changes": writes.changes, "problems": []}


def _no_table(path: Path, book) -> FileRefused:
    if book.near_miss:
        why = f"没有认出表头：{book.near_miss}。可改表头，或用 --map 表头=字段 告诉 zz 这一列是什么（如 --map 类别=立改废）"
    else:
        why = "没有找到问题清单、整改清单、制度清单或整改台账的表头（如“序号、整治重点、问题描述……”），请用 zz template 生成的模板填报"
    return FileRefused(f"文件“{path.name}”：{why}", field="file",
                       problems=[{"file": str(path), "sheet": None, "row": None, "column": "表头", "value": "", "why": why,
                                  "accepted": "、".join(c.header for c in C.ISSUE_SHEET.template_columns())}])


# ---------------------------------------------------------------- layouts taught once (`--map`)


def field_of(target: str) -> str:
    """`整改状态` (a template header, or one of its synonyms) or `status` → the column key."""
    from .excel.columns import header_key

    want = header_key(target)
    for spec in (*C.SHEETS, C.COMBINED_SHEET):
        for col in (C.UNIT, *spec.columns):
            if target == col.key or want == header_key(col.header):
                return col.key
    for spec in (*C.SHEETS, C.COMBINED_SHEET):
        for col in (C.UNIT, *spec.columns):
            if want in (header_key(n) for n in col.synonyms):
                return col.key
    headers = "、".join(dict.fromkeys(c.header for s in C.SHEETS for c in s.columns))
    raise Invalid(f"--map：“{target}”不是 zz 认识的列，可写：{headers}", field="map")


def parse_maps(items: Iterable[str]) -> dict[str, str]:
    """`整改进展情况=整改状态` → {header key: column key}."""
    from .excel.columns import header_key

    out: dict[str, str] = {}
    for item in items:
        header, sep, target = str(item).partition("=")
        if not sep or not header.strip() or not target.strip():
            raise Invalid(f"--map：“{item}”应写成 表头=字段，如 --map 整改进展情况=整改状态", field="map")
        out[header_key(header)] = field_of(target.strip())
    return out


def stored_mappings(session, names: UnitNames, ref: str | None) -> dict[str, str]:
    from sqlalchemy import select

    from .models import ImportMapping

    if not ref:
        return {}
    try:
        unit_id = names.resolve(ref)[0]
    except ZzError:
        return {}
    M = ImportMapping.__table__
    return dict(session.connection().execute(select(M.c.header, M.c.field).where(M.c.unit_id == unit_id)).all())


def remember_mappings(session, unit_ids: Iterable[int], maps: dict[str, str]) -> None:
    """Each unit of the file keeps the layout: next month's file from it goes in without --map."""
    from sqlmodel import select

    from .models import ImportMapping

    for unit_id in sorted(unit_ids):
        for header, field in maps.items():
            row = session.exec(select(ImportMapping).where(ImportMapping.unit_id == unit_id, ImportMapping.header == header)).first()
            if row is None:
                session.add(ImportMapping(unit_id=unit_id, header=header, field=field))
            elif row.field != field:
                row.field = field
    session.flush()


def list_mappings(session, *, unit: str | None = None) -> list[dict]:
    from sqlmodel import select

    from . import units
    from .models import ImportMapping, Unit

    q = select(ImportMapping, Unit.name).join(Unit, Unit.id == ImportMapping.unit_id)
    if unit:
        q = q.where(ImportMapping.unit_id == units.resolve(session, unit).id)
    labels = {c.key: c.header for s in (*C.SHEETS, C.COMBINED_SHEET) for c in (C.UNIT, *s.columns)}
    return [{"unit": name, "header": m.header, "field": m.field, "column": labels.get(m.field, m.field),
             "created_on": m.created_on.isoformat()}
            for m, name in session.exec(q.order_by(Unit.name, ImportMapping.header)).all()]


def forget_mapping(session, *, unit: str, header: str) -> dict:
    from sqlmodel import select

    from . import units
    from .excel.columns import header_key
    from .models import ImportMapping

    the_unit = units.resolve(session, unit)
    row = session.exec(select(ImportMapping).where(ImportMapping.unit_id == the_unit.id,
                                                   ImportMapping.header == header_key(header))).first()
    if row is None:
        raise Invalid(f"--unmap：{the_unit.name}没有记住表头“{header}”的对应（zz import --mappings 可查看）", field="unmap")
    session.delete(row)
    session.flush()
    return {"unit": the_unit.name, "header": row.header, "field": row.field}


def _unit_names(session, ids: Iterable[int]) -> list[str]:
    from sqlalchemy import select

    from .models import Unit

    ids = sorted(ids)
    if not ids:
        return []
    U = Unit.__table__
    return [n for (n,) in session.connection().execute(select(U.c.name).where(U.c.id.in_(ids[:1000])))]


@contextmanager
def _cyclic_gc_paused():
    """No cyclic garbage collection while one file is imported. Reading a 100k-row sheet makes
    a million cell objects and parsing it 100k records; each allocation burst sets off collections
    that walk all of them (a fifth of the import's time), yet none of them is in a reference
    cycle, so reference counting frees them just the same. The few cycles the file's work leaves
    (SQLAlchemy's) wait for the usual collections, which resume when the file is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_files(settings, paths: Iterable, *, unit: str | None = None, dry_run: bool = False,
                 maps: dict[str, str] | None = None, filled_on: dt.date | None = None,
                 on_progress: Callable[[Path, str, int, int], None] | None = None) -> list[dict]:
    """`zz import`: each file in its own transaction; a refused file is reported, the others still land.

    Returns one dict per file: status imported / checked (dry run) / refused, counts per sheet, problems.
    """
    from .db import open_session

    results = []
    for path in paths:
        path = Path(path)
        step = (lambda stage, done, total, p=path: on_progress(p, stage, done, total)) if on_progress else None
        try:
            with _cyclic_gc_paused(), open_session(settings, commit=not dry_run) as session:
                result = import_file(session, path, unit=unit, dry_run=dry_run, maps=maps, filled_on=filled_on,
                                     on_progress=step)
            if not dry_run:
                result["change_id"] = session.info.get("zz_change_id")
        except ZzError as exc:
            result = {"file": str(path), "status": "refused", "error": exc.message,
                      "problems": exc.problems or [{"file": str(path), "sheet": None, "row": None, "column": None,
                                                    "value": "", "why": exc.message, "accepted": ""}]}
        results.append(result)
    return results


# ---------------------------------------------------------------- the ledger out (`zz export ledger`)


def template(session, out: Path, *, unit: str | None = None) -> dict:
    """`zz template`: the blank workbook a unit fills in, with its name on top and a marker import recognises."""
    from . import units
    from .excel.writer import write_template
    from .register import plan_of

    the_unit = units.resolve(session, unit) if unit else None
    return write_template(Path(out), plan=plan_of(session), unit_name=the_unit.name if the_unit else None,
                          unit_code=the_unit.code if the_unit else None)


def export_ledger(session, out: Path, *, unit: str | None = None, public: bool = False,
                  made_on: dt.date | None = None) -> dict:
    """The whole ledger (问题清单, 整改清单, 制度清单 with a 单位 column) in the template's layout,
    streamed from the register, so that importing it into a fresh register gives the same rows.
    `public` drops every personal name (责任领导, 责任人, 销号人)."""
    from sqlalchemy import func, select

    from . import units
    from .dates import ONGOING
    from .excel.writer import write_ledger
    from .models import Fix, Issue, Rule, RuleIssue, Unit
    from .register import plan_of

    plan = plan_of(session)
    conn = session.connection()
    I, F, R, RI, U = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__, Unit.__table__
    the_unit = units.resolve(session, unit) if unit else None
    order = (func.coalesce(U.c.code, "~"), U.c.id)
    area_names = {a.no: a.name for a in plan.areas}
    check_names = {c.no: c.check for c in plan.checks}
    stream = conn.execution_options(yield_per=2000)

    def where(q, table):
        return q.where(table.c.unit_id == the_unit.id) if the_unit else q

    def rows_for(spec: C.SheetSpec, query, convert):
        keys = [col.key for col in spec.ledger_columns(public=public)]

        def gen():
            for row in stream.execute(query):
                rec = convert(row._mapping)
                yield tuple(rec.get(k) for k in keys)
        return gen()

    issue_q = where(select(U.c.name.label("unit"), I).join(U, U.c.id == I.c.unit_id), I).order_by(*order, I.c.seq, I.c.id)

    def issue_rec(m):
        return {"unit": m["unit"], "seq": m["seq"], "area": area_names.get(m["area"]), "source": m["source"],
                "check": check_names.get(m["check_item"]), "description": m["description"], "found_on": m["found_on"],
                "leader": m["leader"], "owner": m["owner"], "note": m["note"]}

    fix_q = where(select(U.c.name.label("unit"), I.c.seq.label("issue_seq"), I.c.found_on.label("issue_found_on"), F)
                  .join(I, I.c.id == F.c.issue_id).join(U, U.c.id == F.c.unit_id), F).order_by(*order, F.c.seq, F.c.id)

    def fix_rec(m):
        if m["ongoing"]:
            deadline = ONGOING
        elif m["on_the_spot"] and m["deadline"] == m["issue_found_on"]:
            deadline = "立行立改"
        else:
            deadline = m["deadline"]
        return {"unit": m["unit"], "seq": m["seq"], "issue_seq": m["issue_seq"], "task": m["task"], "leader": m["leader"],
                "owner": m["owner"], "deadline": deadline, "status": m["status"], "done_on": m["done_on"],
                "evidence": m["evidence"], "note": m["note"], "progress": m["progress"], "verified_on": m["verified_on"],
                "verified_by": m["verified_by"], "claimed": "是" if m["claimed"] and m["status"] == "已完成" else None,
                "done_reported": "是" if m["done_reported"] and m["done_on"] else None}

    links: dict[int, list[int]] = {}
    for rule_id, seq in conn.execute(where(select(RI.c.rule_id, I.c.seq).join(I, I.c.id == RI.c.issue_id)
                                           .join(R, R.c.id == RI.c.rule_id), R).order_by(I.c.seq)):
        links.setdefault(rule_id, []).append(seq)
    rule_q = where(select(U.c.name.label("unit"), R).join(U, U.c.id == R.c.unit_id), R).order_by(*order, R.c.seq, R.c.id)

    def rule_rec(m):
        return {"unit": m["unit"], "seq": m["seq"], "title": m["title"], "action": m["action"],
                "issue_seq": "、".join(str(s) for s in links.get(m["id"], []) if s is not None), "due_on": m["due_on"],
                "status": m["status"], "doc_no": m["doc_no"], "note": m["note"], "done_on": m["done_on"]}

    made_on = made_on or dt.date.today()
    unit_line = f"单位：{the_unit.name}" if the_unit else "单位：全区"
    from .models import Change

    last_change = conn.execute(select(func.max(Change.__table__.c.id))).scalar() or 0
    # the office's own ledger: its marker lets it carry 销号 back in, and refuses it once it is stale
    marker = None if public else f"版本=1;变更={last_change};制表={made_on.isoformat()}"
    counts = write_ledger(
        Path(out),
        sheets=[(C.ISSUE_SHEET, rows_for(C.ISSUE_SHEET, issue_q, issue_rec)),
                (C.FIX_SHEET, rows_for(C.FIX_SHEET, fix_q, fix_rec)),
                (C.RULE_SHEET, rows_for(C.RULE_SHEET, rule_q, rule_rec))],
        public=public, title=f"{plan.name}{'整改情况（公开版）' if public else '台账'}", made_on=made_on, unit_line=unit_line,
        marker=marker,
    )
    return {"file": str(out), "unit": the_unit.name if the_unit else None, "public": public,
            "issues": counts[C.ISSUES], "fixes": counts[C.FIXES], "rules": counts[C.RULES]}
