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

from .dates import parse_deadline, parse_loose_date
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
FIX_STATUS_FIELDS = ("status", "done_on", "verified_on")
RULE_COLUMN_FIELDS = {"title": ("title",), "action": ("action",), "due_on": ("due_on",), "doc_no": ("doc_no",),
                      "note": ("note",)}
RULE_STATUS_FIELDS = ("status", "done_on")
PERSON_KEYS = ("leader", "owner", "verified_by")
FOOTNOTE_START = ("注", "说明", "备注", "填表", "审核", "制表", "联系", "*", "※", "合计", "小计", "单位负责人", "主要负责人",
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

    def __init__(self, plan, filled_on: dt.date):
        self.plan = plan
        self.year = plan.year
        self.filled_on = filled_on
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
            if float(value).is_integer() and value >= 1:
                return int(value)
            raise _Bad("序号应为正整数", "1、2、3……")
        text = _n(value).strip(".、)）（(第号")
        if text.isdigit() and int(text) >= 1:
            return int(text)
        raise _Bad("序号应为正整数", "1、2、3……")

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
        try:
            return self.plan.check(_n(value)).no
        except Invalid:
            raise _Bad("不是四查四看事项", self.checks_accepted) from None

    def _date(self, value) -> dt.date:
        try:
            return parse_loose_date(value, year=self.year)
        except Invalid:
            raise _Bad("无法识别日期", "2017-06-30、2017/6/30、2017.6.30、2017年6月30日、6月底前、年底前") from None

    def _deadline(self, value):
        try:
            return parse_deadline(value, year=self.year, found_on=None)
        except Invalid:
            raise _Bad("无法识别整改时限", "日期（2017-06-30、2017年6月30日）、6月底前、2017年6月底前、年底前、长期坚持、立行立改") from None

    @staticmethod
    def _words(value, words: dict, accepted: str) -> str:
        text = _n(value)
        if text in words:
            return words[text]
        for word in sorted(words, key=len, reverse=True):
            if len(word) >= 2 and text.startswith(word):
                return words[word]
        raise _Bad("无法识别", accepted)

    def _fix_status(self, value) -> str:
        return self._words(value, C.FIX_STATUS_WORDS, FIX_STATUS_ACCEPTED)

    def _rule_status(self, value) -> str:
        return self._words(value, C.RULE_STATUS_WORDS, "未完成、已完成（也认：已出台、已印发、起草中等）")

    def _action(self, value) -> str:
        text = _n(value)
        if text in C.ACTION_WORDS:
            return C.ACTION_WORDS[text]
        for word in sorted(C.ACTION_WORDS, key=len, reverse=True):
            if text.startswith(word):
                return C.ACTION_WORDS[word]
        raise _Bad("不是立、改、废", "立（新建）、改（修订）、废（废止）")


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
    """Unit references (name, code, unique part) resolved once each."""

    def __init__(self, session):
        self.session = session
        self._seen: dict[str, tuple[int, str] | ZzError] = {}

    def resolve(self, ref: str) -> tuple[int, str]:
        from . import units

        ref = str(ref).strip()
        hit = self._seen.get(ref)
        if hit is None:
            try:
                u = units.resolve(self.session, ref)
                hit = (u.id, u.name)
            except ZzError as exc:
                hit = exc
            self._seen[ref] = hit
        if isinstance(hit, ZzError):
            raise hit
        return hit


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


def parse(session, book, *, unit_ref: str | None, cells: Cells, names: UnitNames,
          on_progress: Progress | None = None) -> Parsed:
    out = Parsed(book.path)
    file_unit: tuple[int, str] | None = None
    if unit_ref:
        file_unit = names.resolve(unit_ref)  # a wrong --unit refuses the file with the lookup's own message
    elif book.unit:
        try:
            file_unit = names.resolve(book.unit)
        except ZzError as exc:
            raise FileRefused(f"文件“{book.path.name}”：{book.unit_where}的填报单位“{book.unit}”无法识别——{exc.message}",
                              field="unit", problems=[{"file": str(book.path), "sheet": None, "row": None, "column": "填报单位",
                                                       "value": book.unit, "why": exc.message, "accepted": "登记簿中的单位全称、代码或唯一简称"}]) from None
    if file_unit is None and any("unit" not in t.columns for t in book.tables):
        why = "无法确定是哪个单位的表：请用 --unit 指定单位，或在表头上方写明“填报单位：XXX”（zz template 生成的模板已带单位标记）"
        raise FileRefused(f"文件“{book.path.name}”：{why}", field="unit",
                          problems=[{"file": str(book.path), "sheet": None, "row": None, "column": "填报单位", "value": "",
                                     "why": why, "accepted": "--unit 单位，或表头上方的“填报单位：XXX”"}])
    total = sum(len(t.rows) - t.first_data for t in book.tables)
    convert = cells.convert
    seq_of = cells._seq
    caches = cells._cache
    for kind in ("area", "source", "check", "date", "deadline", "fix_status", "rule_status", "action", "seqs"):
        caches.setdefault(kind, {})
    done = 0
    issue_kinds = (C.ISSUES, C.COMBINED)
    area_cache, source_cache, check_cache, date_cache = caches["area"], caches["source"], caches["check"], caches["date"]
    for table in book.tables:
        kind = table.kind
        cols = table.columns
        if kind in (C.ISSUES, C.COMBINED):
            out.columns[C.ISSUES] |= set(cols)
        if kind in (C.FIXES, C.COMBINED):
            out.columns[C.FIXES] |= set(cols)
        if kind == C.RULES:
            out.columns[C.RULES] |= set(cols)
        seq_col = cols.get("seq")
        section_area = None
        first_row_of: dict[tuple[int, int], int] = {}
        rows = table.rows
        # Pad the data rows once to the table's width: a cell is then plain row[c] (a short
        # row's missing cells are None, as before), and a row's cells by key are one C call.
        width = max(cols.values()) + 1
        for i in range(table.first_data, len(rows)):
            if len(rows[i]) < width:
                rows[i].extend([None] * (width - len(rows[i])))
        keys = tuple(cols)
        pick = itemgetter(*cols.values()) if len(cols) > 1 else (lambda r, c=next(iter(cols.values())): (r[c],))
        where_of = (table.sheet, kind, table.headers)
        row: list = []
        get: dict = {}
        excel_row = 0

        def cell(key):
            c = cols.get(key)
            return None if c is None else row[c]

        def bad(key, why, accepted=""):
            out.bad(table, excel_row, key, cell(key), why, accepted)

        def conv(key, kind_, required=False, default=None):
            value = cell(key)
            if value is None or value.__class__ is str and not value.strip():
                if required:
                    bad(key, "不能为空", _accepted_for(kind_, cells))
                return default
            try:
                if kind_ == "seq":
                    return seq_of(value)  # unique per row: a cache would only grow
                hit = caches[kind_].get((value.__class__, value))
                if hit is not None and hit.__class__ is tuple:
                    return hit[0]
                return convert(kind_, value)
            except _Bad as b:
                bad(key, b.why, b.accepted)
                return default

        # The issue columns, resolved once per table; the row loop below reads each cell once and
        # takes a converted value straight from the cache (conv() only for blanks, refusals, first sight).
        unit_col = cols.get("unit")
        is_issue = kind in issue_kinds
        area_c, source_c, check_c, desc_c, found_c, note_c = (
            cols.get(k) for k in ("area", "source", "check", "description", "found_on", "note"))
        people = [(k, cols[k]) for k in ("leader", "owner") if k in cols]
        file_unit_id = file_unit[0] if file_unit is not None else None

        for i in range(table.first_data, len(rows)):
            done += 1
            if on_progress and done % 5000 == 0:
                on_progress("检查", done, total)
            row = rows[i]
            seq_value = row[seq_col] if seq_col is not None else None
            if seq_value.__class__ is not float and seq_value.__class__ is not int:
                skip, heading = _is_footnote(row, seq_value)
                if skip:
                    if heading:
                        try:
                            section_area = cells.convert("area", heading) if len(norm(heading)) <= 30 else section_area
                        except _Bad:
                            pass
                    continue
            excel_row = i + 1
            if kind != C.ISSUES:
                get = dict(zip(keys, pick(row)))
            errors_before = len(out.problems)

            unit_id = None
            if unit_col is not None and not Cells.blank(row[unit_col]):
                try:
                    unit_id = names.resolve(row[unit_col])[0]
                except ZzError as exc:
                    bad("unit", exc.message.removeprefix("单位："), "登记簿中的单位全称、代码或唯一简称（zz unit list 可查看）")
            elif file_unit is not None:
                unit_id = file_unit_id
            else:
                bad("unit", "不能为空", "登记簿中的单位全称、代码或唯一简称")
            if seq_value.__class__ is float and seq_value >= 1 and seq_value.is_integer():
                seq = int(seq_value)
            elif seq_value.__class__ is int and seq_value >= 1:
                seq = seq_value
            else:
                seq = conv("seq", "seq", required=True)
            if unit_id is not None:
                out.unit_ids.add(unit_id)

            if is_issue:
                issue = {"_where": (where_of[0], excel_row, kind, where_of[2])}
                if area_c is not None:
                    v = row[area_c]
                    hit = area_cache.get((v.__class__, v))
                    if hit.__class__ is tuple:
                        issue["area"] = hit[0]
                    elif section_area and Cells.blank(v):
                        issue["area"] = section_area
                    else:
                        issue["area"] = conv("area", "area", required=True)
                if source_c is not None:
                    v = row[source_c]
                    hit = source_cache.get((v.__class__, v))
                    issue["source"] = hit[0] if hit.__class__ is tuple else conv("source", "source", default="自查")
                if check_c is not None:
                    v = row[check_c]
                    hit = check_cache.get((v.__class__, v))
                    issue["check_item"] = hit[0] if hit.__class__ is tuple else conv("check", "check")
                v = row[desc_c] if desc_c is not None else None
                desc = (v.strip() or None) if v.__class__ is str else text_of(v)
                if not desc:
                    bad("description", "不能为空", "具体写明问题表现")
                issue["description"] = desc
                if found_c is not None:
                    v = row[found_c]
                    hit = date_cache.get((v.__class__, v))
                    issue["found_on"] = hit[0] if hit.__class__ is tuple else conv("found_on", "date", default=cells.filled_on)
                for key, c in people:  # person_of, inline
                    v = row[c]
                    v = (v.strip() or None) if v.__class__ is str else text_of(v)
                    if v and (" " in v or "\u3000" in v or "\n" in v or "\t" in v):
                        v = "".join(v.split())
                    issue[key] = v
                if note_c is not None:
                    v = row[note_c]
                    issue["note"] = (v.strip() or None) if v.__class__ is str else text_of(v)
                ikey = (unit_id, seq)
                if unit_id is None or seq is None:
                    pass
                elif ikey in first_row_of:
                    prior = out.issues.get(ikey)
                    if kind != C.COMBINED or (prior is not None and prior.get("description") != desc):
                        bad("seq", f"序号 {seq} 与第 {first_row_of[ikey]} 行重复", "同一单位同一表内序号不能重复")
                else:
                    first_row_of[ikey] = excel_row
                    if len(out.problems) != errors_before:
                        pass
                    elif ikey in out.issues:
                        bad("seq", f"序号 {seq} 已在工作表“{out.issues[ikey]['_where'][0]}”出现", "同一单位的问题序号不能重复")
                    else:
                        out.issues[ikey] = issue

            if kind in (C.FIXES, C.COMBINED):
                fix_keys = ("task", "deadline", "status", "done_on", "evidence", "progress", "verified_on", "verified_by")
                if kind == C.COMBINED and all(Cells.blank(get.get(k)) for k in fix_keys if k in cols):
                    continue  # an issue with no measures yet
                fix = {"_where": (table.sheet, excel_row, kind, table.headers)}
                task = text_of(get.get("task"))
                if not task:
                    bad("task", "不能为空", "明确整改的任务和措施")
                fix["task"] = task
                if "deadline" in cols:
                    fix["deadline"] = conv("deadline", "deadline", required=True)
                for key in ("leader", "owner", "verified_by"):
                    if key in cols:
                        fix[key] = person_of(get[key])
                for key in ("evidence", "progress"):
                    if key in cols:
                        fix[key] = text_of(get[key])
                if kind == C.FIXES and "note" in cols:
                    fix["note"] = text_of(get["note"])
                if "status" in cols or "done_on" in cols:
                    status = conv("status", "fix_status") if "status" in cols else None
                    done_on = conv("done_on", "date") if "done_on" in cols else None
                    verified_on = conv("verified_on", "date") if "verified_on" in cols else None
                    if status is None:
                        status = "已销号" if verified_on else ("已完成" if done_on else "未开始")
                    if status in ("已完成", "已销号"):
                        done_on = done_on or cells.filled_on
                    else:
                        done_on = None
                    if status == "已销号":
                        verified_on = verified_on or done_on
                        if verified_on < done_on:
                            bad("verified_on" if "verified_on" in cols else "done_on", f"销号日期 {verified_on} 早于完成日期 {done_on}", "销号日期不早于完成日期")
                    else:
                        verified_on = None
                        if "verified_by" in fix:
                            fix["verified_by"] = None
                    fix.update(status=status, done_on=done_on, verified_on=verified_on)
                if len(out.problems) != errors_before or unit_id is None:
                    continue
                if kind == C.FIXES:
                    issue_seq = conv("issue_seq", "seq", required=True)
                    if issue_seq is None or seq is None:
                        continue
                    fix["issue_key"] = (unit_id, issue_seq)
                    fkey = (unit_id, seq)
                    if fkey in out.fixes:
                        bad("seq", f"序号 {seq} 与第 {out.fixes[fkey]['_where'][1]} 行重复", "同一单位整改清单内序号不能重复")
                        continue
                    out.fixes[fkey] = fix
                elif seq is not None:
                    fix["issue_key"] = (unit_id, seq)
                    out.combined_fixes.setdefault((unit_id, seq), []).append(fix)

            if kind == C.RULES:
                rule = {"_where": (table.sheet, excel_row, kind, table.headers)}
                title = text_of(get.get("title"))
                if not title:
                    bad("title", "不能为空", "制度名称")
                rule["title"] = title
                rule["action"] = conv("action", "action", required=True)
                if "due_on" in cols:
                    due = get.get("due_on")
                    if not Cells.blank(due) and isinstance(due, str) and any(w in norm(due) for w in ("长期", "常态")):
                        rule["due_on"] = None
                    else:
                        rule["due_on"] = conv("due_on", "date")
                if "doc_no" in cols:
                    rule["doc_no"] = text_of(get["doc_no"])
                if "note" in cols:
                    rule["note"] = text_of(get["note"])
                if "issue_seq" in cols:
                    rule["issue_seqs"] = conv("issue_seq", "seqs", default=())
                if "status" in cols or "done_on" in cols:
                    status = conv("status", "rule_status") if "status" in cols else None
                    done_on = conv("done_on", "date") if "done_on" in cols else None
                    status = status or ("已完成" if done_on else "未完成")
                    rule["status"] = status
                    rule["done_on"] = (done_on or cells.filled_on) if status == "已完成" else None
                if len(out.problems) != errors_before or unit_id is None or seq is None:
                    continue
                rkey = (unit_id, seq)
                if rkey in out.rules:
                    bad("seq", f"序号 {seq} 与第 {out.rules[rkey]['_where'][1]} 行重复", "同一单位制度清单内序号不能重复")
                    continue
                out.rules[rkey] = rule
    return out


def _accepted_for(kind: str, cells: Cells) -> str:
    return {"area": cells.areas_accepted, "seq": "正整数 1、2、3……", "deadline": "日期、6月底前、年底前、长期坚持、立行立改",
            "action": "立、改、废", "date": "日期，如 2017-06-30"}.get(kind, "")


# ---------------------------------------------------------------- comparing with the register and writing


def _problem_at(out: Parsed, rec: dict, key: str, value, why: str, accepted: str = "") -> None:
    out.bad_at(rec["_where"], key, value, why, accepted)


def _plain(row):
    return row._mapping  # a light view on the row; a dict per row would double the memory of a 100k re-import


class Plan:
    """The writes one file amounts to, and the counts to report."""

    def __init__(self):
        self.counts = {kind: {"new": 0, "updated": 0, "unchanged": 0} for kind in (C.ISSUES, C.FIXES, C.RULES)}
        self.issue_inserts: list[dict] = []
        self.issue_updates: list[tuple[int, dict, dict]] = []  # (id, before, after)
        self.fix_inserts: list[dict] = []
        self.fix_updates: list[tuple[int, dict, dict]] = []
        self.rule_inserts: list[dict] = []
        self.rule_updates: list[tuple[int, dict, dict]] = []
        self.link_inserts: list[tuple[tuple, tuple]] = []  # (rule key, issue key)
        self.link_deletes: list[tuple[int, int]] = []
        self.status_updates: list[tuple[int, dict, dict]] = []  # existing issues' derived fields: (id, before, after)


def _diff(existing: dict, new: dict) -> tuple[dict, dict]:
    before, after = {}, {}
    for k, v in new.items():
        if existing.get(k) != v:
            before[k], after[k] = existing.get(k), v
    return before, after


def plan_writes(session, parsed: Parsed, cells: Cells) -> Plan:
    from sqlalchemy import select

    from .issues import derive_dates, derive_status
    from .models import Fix, Issue, Rule, RuleIssue

    conn = session.connection()
    I, F, R, RI = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__
    plan = Plan()
    unit_ids = sorted(parsed.unit_ids)
    ex_issues: dict[tuple[int, int], dict] = {}
    key_of_issue: dict[int, tuple[int, int]] = {}
    ex_fixes: dict[tuple[int, int], dict] = {}
    fixes_of_issue: dict[int, list[dict]] = {}
    max_fix_seq: dict[int, int] = {}
    ex_rules: dict[tuple[int, int], dict] = {}
    links: dict[int, set[int]] = {}
    for start in range(0, len(unit_ids), 500):
        chunk = unit_ids[start:start + 500]
        for row in conn.execute(select(I).where(I.c.unit_id.in_(chunk))):
            rec = _plain(row)
            key_of_issue[rec["id"]] = (rec["unit_id"], rec["seq"])
            if rec["seq"] is not None:
                ex_issues[(rec["unit_id"], rec["seq"])] = rec
        for row in conn.execute(select(F).where(F.c.unit_id.in_(chunk)).order_by(F.c.seq)):
            rec = _plain(row)
            fixes_of_issue.setdefault(rec["issue_id"], []).append(rec)
            if rec["seq"] is not None:
                ex_fixes[(rec["unit_id"], rec["seq"])] = rec
                max_fix_seq[rec["unit_id"]] = max(max_fix_seq.get(rec["unit_id"], 0), rec["seq"])
        if parsed.rules:
            for row in conn.execute(select(R).where(R.c.unit_id.in_(chunk))):
                rec = _plain(row)
                if rec["seq"] is not None:
                    ex_rules[(rec["unit_id"], rec["seq"])] = rec
            for rule_id, issue_id in conn.execute(
                select(RI.c.rule_id, RI.c.issue_id).join(R, R.c.id == RI.c.rule_id).where(R.c.unit_id.in_(chunk))
            ):
                links.setdefault(rule_id, set()).add(issue_id)

    # ---- issues
    final_issue: dict[tuple[int, int], dict] = {}  # what the issue will be (for fixes: found_on, owner, leader)
    issue_cols = parsed.columns[C.ISSUES]
    present = [f for col, fields in ISSUE_COLUMN_FIELDS.items() if col in issue_cols for f in fields]
    # A new row: the defaults overlaid with what the file says (parse sets a field only when its
    # table has the column, so every field is in `present`); it replaces the parsed record in
    # parsed.issues, so one dict per row stays alive, not two.
    defaults = {"unit_id": None, "seq": None, "area": None, "source": "自查", "check_item": None, "description": None,
                "found_on": cells.filled_on, "leader": None, "owner": None, "note": None, "status": "未整改",
                "created_on": cells.filled_on}
    inserts = plan.issue_inserts
    new_issues = 0
    for ikey, rec in parsed.issues.items():
        old = ex_issues.get(ikey)
        if old is None:
            row = defaults.copy()
            row.update(rec)
            del row["_where"]
            row["unit_id"], row["seq"] = ikey
            parsed.issues[ikey] = row  # same key: safe while iterating, and frees the parsed record
            inserts.append(row)
            final_issue[ikey] = row
            new_issues += 1
        else:
            values = {f: rec.get(f) for f in present}
            before, after = _diff(old, values)
            if "description" in after and (old.get("inspection_id") or old.get("opinion_id")):
                # The office registered this 序号 from an inspection or an opinion; a unit's row
                # describing another problem must not overwrite it.
                origin = "督查发现" if old.get("inspection_id") else "征求意见"
                _problem_at(parsed, rec, "seq", ikey[1],
                            f"序号 {ikey[1]} 已是{origin}登记的问题 #{old['id']}（{old['description'][:20]}），与本行不是同一问题",
                            "本单位问题清单中未用的序号")
                continue
            if after:
                plan.issue_updates.append((old["id"], before, after))
                plan.counts[C.ISSUES]["updated"] += 1
            else:
                plan.counts[C.ISSUES]["unchanged"] += 1
            final_issue[ikey] = {k: values.get(k, old[k]) for k in ("id", "found_on", "owner", "leader")}
    plan.counts[C.ISSUES]["new"] += new_issues

    def issue_for(out_key, rec, key_name) -> dict | None:
        found = final_issue.get(out_key) or ex_issues.get(out_key)
        if found is None:
            _problem_at(parsed, rec, key_name, out_key[1], f"问题清单中没有序号 {out_key[1]} 的问题（本文件和登记簿中都没有）",
                        "本单位问题清单中已有的序号")
        return found

    # ---- fixes: final fix statuses per issue key, for the derived issue status
    fix_cols = parsed.columns[C.FIXES]
    fix_present = [f for col, fields in FIX_COLUMN_FIELDS.items() if col in fix_cols for f in fields]
    if "status" in fix_cols or "done_on" in fix_cols:
        fix_present += list(FIX_STATUS_FIELDS)
    statuses: dict[int, tuple] = {}  # existing fix id → final (status, done_on, verified_on)
    fix_issue_key: dict[int, tuple[int, int]] = {}  # existing fix id → final issue key
    new_fix_statuses: dict[tuple[int, int], list[tuple]] = {}

    def fix_values(rec: dict, issue: dict) -> dict:
        values = {f: rec.get(f) for f in fix_present if f not in ("deadline", "ongoing", "on_the_spot")}
        if "deadline" in rec:
            dl = rec["deadline"]
            values["ongoing"], values["on_the_spot"] = dl.ongoing, dl.on_the_spot
            values["deadline"] = issue["found_on"] if dl.on_the_spot else dl.date
        for k in ("leader", "owner"):
            if k in values and not values[k]:
                values[k] = issue.get(k)
        return values

    def place_fix(fkey, rec, old, issue_key, issue, seq):
        values = fix_values(rec, issue)
        values["issue_found_on"] = issue["found_on"]
        if old is None:
            row = {"unit_id": issue_key[0], "seq": seq, "issue_key": issue_key, "task": None, "deadline": None, "ongoing": False,
                   "on_the_spot": False, "original_deadline": None, "owner": issue.get("owner"), "leader": issue.get("leader"),
                   "status": "未开始", "progress": None, "done_on": None, "evidence": None, "verified_on": None,
                   "verified_by": None, "note": None, "created_on": cells.filled_on}
            row.update(values)
            plan.fix_inserts.append(row)
            new_fix_statuses.setdefault(issue_key, []).append((row["status"], row["done_on"], row["verified_on"]))
            plan.counts[C.FIXES]["new"] += 1
            return
        if issue_key != key_of_issue.get(old["issue_id"]):
            values["issue_key"] = issue_key
        before, after = _diff(old, {k: v for k, v in values.items() if k != "issue_key"})
        if "issue_key" in values:
            before["issue_id"], after["issue_key"] = old["issue_id"], issue_key
        if after:
            plan.fix_updates.append((old["id"], before, after))
            plan.counts[C.FIXES]["updated"] += 1
        else:
            plan.counts[C.FIXES]["unchanged"] += 1
        statuses[old["id"]] = tuple(values[k] if k in values else old[k] for k in FIX_STATUS_FIELDS)
        fix_issue_key[old["id"]] = issue_key

    for fkey, rec in parsed.fixes.items():
        issue = issue_for(rec["issue_key"], rec, "issue_seq")
        if issue is None:
            continue
        place_fix(fkey, rec, ex_fixes.get(fkey), rec["issue_key"], issue, fkey[1])
    used_seqs = {k for k in parsed.fixes}
    for ikey, measures in parsed.combined_fixes.items():
        issue = final_issue.get(ikey) or ex_issues.get(ikey)
        if issue is None:
            continue
        existing = [f for f in fixes_of_issue.get(issue.get("id"), []) if f["seq"] is not None] if issue.get("id") else []
        for k, rec in enumerate(measures):
            if k < len(existing):
                old = existing[k]
                place_fix((ikey[0], old["seq"]), rec, old, ikey, issue, old["seq"])
            else:
                seq = max_fix_seq.get(ikey[0], 0) + 1
                while (ikey[0], seq) in used_seqs or (ikey[0], seq) in ex_fixes:
                    seq += 1
                max_fix_seq[ikey[0]] = seq
                used_seqs.add((ikey[0], seq))
                place_fix((ikey[0], seq), rec, None, ikey, issue, seq)

    # fixes the file does not mention keep their copy of their issue's found_on
    for id_, _before, after in plan.issue_updates:
        if "found_on" in after:
            for f in fixes_of_issue.get(id_, ()):
                if f["id"] not in statuses and f["issue_found_on"] != after["found_on"]:
                    plan.fix_updates.append((f["id"], {"issue_found_on": f["issue_found_on"]},
                                             {"issue_found_on": after["found_on"]}))

    # ---- rules
    rule_cols = parsed.columns[C.RULES]
    rule_present = [f for col, fields in RULE_COLUMN_FIELDS.items() if col in rule_cols for f in fields]
    if "status" in rule_cols:
        rule_present += list(RULE_STATUS_FIELDS)
    for rkey, rec in parsed.rules.items():
        values = {f: rec.get(f) for f in rule_present}
        issue_keys = []
        for s in rec.get("issue_seqs", ()):
            if issue_for((rkey[0], s), rec, "issue_seq") is not None:
                issue_keys.append((rkey[0], s))
        old = ex_rules.get(rkey)
        if old is None:
            row = {"unit_id": rkey[0], "seq": rkey[1], "title": None, "action": None, "due_on": None, "status": "未完成",
                   "done_on": None, "doc_no": None, "note": None, "created_on": cells.filled_on}
            row.update(values)
            plan.rule_inserts.append(row)
            plan.link_inserts += [(rkey, ik) for ik in issue_keys]
            plan.counts[C.RULES]["new"] += 1
            continue
        before, after = _diff(old, values)
        link_changed = False
        if "issue_seqs" in rec:
            current = links.get(old["id"], set())
            wanted_existing = {ex_issues[ik]["id"] for ik in issue_keys if ik in ex_issues}
            for issue_id in current - wanted_existing:
                plan.link_deletes.append((old["id"], issue_id))
                link_changed = True
            for ik in issue_keys:
                if ik not in ex_issues or ex_issues[ik]["id"] not in current:
                    plan.link_inserts.append((rkey, ik))
                    link_changed = True
        if after:
            plan.rule_updates.append((old["id"], before, after))
        plan.counts[C.RULES]["updated" if after or link_changed else "unchanged"] += 1

    if parsed.problems:
        return plan

    # ---- derived issue status (issues.derive_status over each issue's final fixes) and the days
    # its fixes were all completed / verified (issues.derive_dates): as issues.refresh_status does
    by_key: dict[tuple[int, int], list[tuple]] = {}
    for issue_id, fixes in fixes_of_issue.items():
        for f in fixes:
            ik = fix_issue_key.get(f["id"], key_of_issue.get(issue_id))
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
    for ik, old in ex_issues.items():
        new = derived(by_key.get(ik, ()))
        before, after = _diff(old, new)
        if after:
            if old["id"] in updated:
                updated[old["id"]][1].update(before)
                updated[old["id"]][2].update(after)
            else:
                plan.status_updates.append((old["id"], before, after))
    return plan


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


def import_file(session, path: Path, *, unit: str | None = None, dry_run: bool = False,
                on_progress: Progress | None = None) -> dict:
    """Import one workbook inside the caller's transaction; raises FileRefused listing every bad cell."""
    from .audit import set_summary
    from .excel.reader import read_workbook
    from .register import plan_of

    path = Path(path)
    if on_progress:
        on_progress("读取", 0, 1)
    book = read_workbook(path)
    if not book.tables:
        why = "没有找到问题清单、整改清单、制度清单或整改台账的表头（如“序号、整治重点、问题描述……”），请用 zz template 生成的模板填报"
        raise FileRefused(f"文件“{path.name}”：{why}", field="file",
                          problems=[{"file": str(path), "sheet": None, "row": None, "column": "表头", "value": "", "why": why,
                                     "accepted": "、".join(c.header for c in C.ISSUE_SHEET.template_columns())}])
    plan = plan_of(session)
    filled_on = dt.date.today()
    if book.filled_on not in (None, ""):
        try:
            filled_on = parse_loose_date(book.filled_on, year=plan.year)
        except Invalid:
            pass
    cells = Cells(plan, filled_on)
    names = UnitNames(session)
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
    counts = writes.counts
    totals = {k: sum(c[k] for c in counts.values()) for k in ("new", "updated", "unchanged")}
    unit_names = sorted({names_ for names_ in _unit_names(session, parsed.unit_ids)})
    summary = "；".join(f"{kind} 新增 {c['new']}、更新 {c['updated']}、未变 {c['unchanged']}" for kind, c in counts.items()
                       if any(c.values()))
    set_summary(session, f"导入 {path.name}（{'、'.join(unit_names)}）：{summary}")
    return {"file": str(path), "status": "checked" if dry_run else "imported", "units": unit_names,
            "filled_on": filled_on.isoformat(), "sheets": counts, **totals, "problems": []}


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
                result = import_file(session, path, unit=unit, dry_run=dry_run, on_progress=step)
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
                "verified_by": m["verified_by"]}

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
    counts = write_ledger(
        Path(out),
        sheets=[(C.ISSUE_SHEET, rows_for(C.ISSUE_SHEET, issue_q, issue_rec)),
                (C.FIX_SHEET, rows_for(C.FIX_SHEET, fix_q, fix_rec)),
                (C.RULE_SHEET, rows_for(C.RULE_SHEET, rule_q, rule_rec))],
        public=public, title=f"{plan.name}{'整改情况（公开版）' if public else '台账'}", made_on=made_on, unit_line=unit_line,
    )
    return {"file": str(out), "unit": the_unit.name if the_unit else None, "public": public,
            "issues": counts[C.ISSUES], "fixes": counts[C.FIXES], "rules": counts[C.RULES]}
