"""The rows of each table found on a sheet → records keyed like the register, plus every refused cell.

Each table's unit comes from `--unit`, its own 填报单位 line, or the file's; a unit's workbook speaks for
that unit only (SPEC §5). A row is read by meaning: section rows give the 整治重点, a row below an issue
with only measures is its next measure, status words are whole words, and a unit's 已销号 is its claim.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import text as text_rules
from ..dates import numbered_parts, parse_loose_date
from ..errors import FileRefused, Invalid, ZzError
from ..excel import columns as C
from ..excel.columns import norm
from ..excel.files import CellError
from ..vocab import FixStatus, RuleStatus
from .cells import FOOTNOTE_START, Cells, Progress, _Bad, _n, person_of, text_of

_LIMITS = {field: rule[1] for field, rule in text_rules.FIELDS.items()}
_FREE, _PERSON = text_rules.FREE_TEXT_MAX, text_rules.PERSON_MAX  # the fast path of _checked, inlined where rows are many


def _checked(r: _Row, key: str, field: str, value):
    """One set of text rules for every way in (text.py), as `zz issue add` applies them: no control
    characters, no text past its column's length. Plain short text passes on two C-level checks."""
    if value.__class__ is str and (len(value) > _LIMITS.get(field, text_rules.FREE_TEXT_MAX) or not value.isprintable()):
        why = text_rules.problem(value, field)
        if why:
            r.bad(key, why, "普通文字：不含控制字符，不超过长度")
            return None
        return text_rules.normalise(value).strip() or None
    return value

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
        from .. import units

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

    __slots__ = ("cells", "cols", "excel_row", "out", "row", "table")

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


def _note_columns(out: Parsed, table) -> None:
    """Which columns the file has, per kind (plan_writes leaves the register's value where a column is absent)."""
    kind, cols = table.kind, table.columns
    if kind in (C.ISSUES, C.COMBINED):
        out.columns[C.ISSUES] |= set(cols)
    if kind in (C.FIXES, C.COMBINED):
        out.columns[C.FIXES] |= set(cols) | ({"status"} if table.status_marks else set())
    if kind == C.RULES:
        out.columns[C.RULES] |= set(cols)


def _pad_rows(table) -> None:
    """Every data row as wide as the table's last column: a cell is read by index, never past the row."""
    width = max([*table.columns.values(), *table.status_marks]) + 1
    rows = table.rows
    for i in range(table.first_data, table.end):
        if len(rows[i]) < width:
            rows[i].extend([None] * (width - len(rows[i])))


_FIX_KEYS = ("task", "deadline", "status", "done_on", "evidence", "progress")


class _TableState(dict):
    """What reading a table carries from row to row: the section's 整治重点 and number, the last issue's
    序号 (a measure on the row below it), the first row of each issue, the table's 填报日期."""

    def __init__(self, table, filled):
        cols = table.columns
        super().__init__(section_area=None, first_row_of={}, prev_seq=None, filled=filled, section_no=0)
        self.fix_keys = [k for k in _FIX_KEYS if k in cols]
        seq_col = cols.get("seq")
        # numbering that starts again in every section (（一）… 1、2、3，（二）… 1、2): the unit's 序号
        # within its section, kept as section × 1000 + 序号 so that a row added in one section moves no other
        self.restart = table.kind in (C.ISSUES, C.COMBINED) and seq_col is not None and _numbering_restarts(table, seq_col)
        self.used = [(key, c) for key, c in cols.items()] + [("status", c) for c in table.status_marks]
        self.has_errors = any(CellError in map(type, table.rows[i]) for i in range(table.first_data, table.end))


def _parse_table(out: Parsed, table, file_unit, filled, *, cells: Cells, names: UnitNames, done: list) -> None:
    _note_columns(out, table)
    _pad_rows(table)
    rows, cols = table.rows, table.columns
    r = _Row(out, table, cells)
    seq_col = cols.get("seq")
    unit_col = cols.get("unit")
    state = _TableState(table, filled)
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
            continued = _continues_issue(r, seq_value, state)
            if not continued and _passed_over(r, seq_value, state):
                continue
        errors_before = len(out.problems)
        if state.has_errors and _error_cells(r, state.used):
            continue
        unit_id = _row_unit(r, unit_col, file_unit, names, ledger=out.ledger)
        seq = state["prev_seq"] if continued else _row_seq(r, seq_value)
        if state.restart and seq is not None and not continued:
            seq = state["section_no"] * 1000 + seq
            out.composite_keys = True
        if unit_id is not None:
            out.unit_ids.add(unit_id)
        _read_row(out, r, unit_id, seq, state, errors_before, continued=continued)


def _continues_issue(r: _Row, seq_value, state: _TableState) -> bool:
    """A second measure on the row below its issue (整改台账): no 序号, no 问题, but a measure's cells."""
    if r.table.kind != C.COMBINED or not Cells.blank(seq_value) or state["prev_seq"] is None:
        return False
    desc_col = r.cols.get("description")
    if desc_col is not None and not Cells.blank(r.row[desc_col]):
        return False
    return any(not Cells.blank(r.row[r.cols[k]]) for k in state.fix_keys)


def _passed_over(r: _Row, seq_value, state: _TableState) -> bool:
    """A blank row, a footnote or a section heading carries no data; a heading starts a section, and
    one that names a 整治重点 gives it to the rows below."""
    skip, heading = _is_footnote(r.row, seq_value)
    if skip and heading:
        state["section_no"] += 1
        if len(norm(heading)) <= 30:
            try:
                state["section_area"] = r.cells.convert("area", heading)
            except _Bad:
                pass
    return skip


def _row_seq(r: _Row, seq_value):
    """The row's 序号: a whole number as Excel stores it, else the cell read as one (or refused)."""
    if seq_value.__class__ is float and seq_value >= 1 and seq_value.is_integer() and seq_value < 1e9:
        return int(seq_value)
    if seq_value.__class__ is int and 1 <= seq_value < 10**9:
        return seq_value
    return r.conv("seq", "seq", required=True)


def _read_row(out: Parsed, r: _Row, unit_id, seq, state: _TableState, errors_before: int, *, continued: bool) -> None:
    """The row as an issue, a measure (or both, in a 整改台账), or a rule."""
    kind = r.table.kind
    if kind in (C.ISSUES, C.COMBINED) and not continued:
        _issue_row(out, r, unit_id, seq, state, errors_before)
        state["prev_seq"] = seq
    if kind in (C.FIXES, C.COMBINED):
        if kind == C.COMBINED and all(Cells.blank(r.row[r.cols[k]]) for k in state.fix_keys) and not _marked(r):
            return  # an issue with no measures yet
        _fix_row(out, r, unit_id, seq, state, errors_before)
    if kind == C.RULES:
        _rule_row(out, r, unit_id, seq, state, errors_before)


def _error_cells(r: _Row, used: list[tuple[str, int]]) -> bool:
    """A cell holding a spreadsheet error (#REF!, #DIV/0!): refused, saying which error it holds."""
    found = False
    for key, c in used:
        v = r.row[c]
        if v.__class__ is CellError:
            r.out.bad(r.table, r.excel_row, key, v, f"单元格是错误值 {v}（公式出错），不是数据",
                      "在 Excel/WPS 中改正公式或直接填写内容后再报")
            found = True
    return found


def _numbering_restarts(table, seq_col: int) -> bool:
    """Does a 序号 come back after a section row (a row with one text)?"""
    numbers = [row[seq_col] for row in table.rows[table.first_data:table.end]]
    plain = [v for v in numbers if v.__class__ is int or v.__class__ is float]
    if len(plain) == len(numbers) and len(set(plain)) == len(plain):
        return False  # every 序号 a number, none twice: nothing restarts
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
    issue = {"_where": (r.table.sheet, r.excel_row, r.table.kind, r.table.headers)}
    _issue_area(r, issue, state)
    _issue_lists(r, issue)
    desc = _issue_texts(r, issue, state)
    if unit_id is not None and seq is not None:
        _keep_issue(out, r, (unit_id, seq), issue, desc, state, errors_before)


def _cached(r: _Row, key: str, kind_: str, **conv):
    """The cell through the closed list's cache (most cells repeat a few words), else converted."""
    v = r.row[r.cols[key]]
    hit = r.cells._cache[kind_].get((v.__class__, v))
    return hit[0] if hit.__class__ is tuple else r.conv(key, kind_, **conv)


def _issue_area(r: _Row, issue: dict, state: dict) -> None:
    """The 整治重点: its column, else the section heading above the row."""
    if "area" in r.cols:
        v = r.row[r.cols["area"]]
        hit = r.cells._cache["area"].get((v.__class__, v))
        if hit.__class__ is tuple:
            issue["area"] = hit[0]
        elif state["section_area"] and Cells.blank(v):
            issue["area"] = state["section_area"]
        else:
            issue["area"] = r.conv("area", "area", required=True)
    elif state["section_area"]:
        issue["area"] = state["section_area"]
    else:
        r.bad("area", "没有整治重点：表中没有“整治重点”列，本行上方也没有“（三）责任意识方面”这样的分节行", r.cells.areas_accepted)


def _issue_lists(r: _Row, issue: dict) -> None:
    """问题来源 and 检查项: words from the plan's closed lists."""
    if "source" in r.cols:
        issue["source"] = _cached(r, "source", "source", default="自查")
    if "check" in r.cols:
        issue["check_item"] = _cached(r, "check", "check")


def _issue_texts(r: _Row, issue: dict, state: dict):
    """描述, 发现日期, the people and the note; returns the description as written (duplicate rows compare it)."""
    row, cols = r.row, r.cols
    v = row[cols["description"]] if "description" in cols else None
    desc = (v.strip() or None) if v.__class__ is str else text_of(v)
    if not desc:
        r.bad("description", "不能为空", "具体写明问题表现")
    issue["description"] = desc if desc.__class__ is not str or (len(desc) <= _FREE and desc.isprintable()) else \
        _checked(r, "description", "description", desc)
    v = row[cols["found_on"]] if "found_on" in cols else None
    if Cells.blank(v):
        issue["found_on"] = state["filled"]  # None: no 填报日期 either (a new issue is refused in plan_writes)
        issue["_found_default"] = True
    else:
        issue["found_on"] = _cached(r, "found_on", "date")
    for key in ("leader", "owner"):
        if key in cols:
            issue[key] = _person(r, key)
    if "note" in cols:
        v = row[cols["note"]]
        issue["note"] = _checked(r, "note", "note", (v.strip() or None) if v.__class__ is str else text_of(v))
    return desc


def _person(r: _Row, key: str):
    """A person's name, with any whitespace inside it taken out."""
    v = r.row[r.cols[key]]
    v = (v.strip() or None) if v.__class__ is str else text_of(v)
    if v and (" " in v or "\u3000" in v or "\n" in v or "\t" in v):
        v = "".join(v.split())
    return v if v is None or (len(v) <= _PERSON and v.isprintable()) else _checked(r, key, key, v)


def _keep_issue(out: Parsed, r: _Row, ikey: tuple, issue: dict, desc, state: dict, errors_before: int) -> None:
    """Keep the issue unless its 序号 came before (in this table, or on another sheet) or a cell was refused."""
    first_row_of = state["first_row_of"]
    if ikey in first_row_of:
        prior = out.issues.get(ikey)
        if r.table.kind != C.COMBINED or (prior is not None and prior.get("description") != desc):
            r.bad("seq", f"序号 {ikey[1]} 与第 {first_row_of[ikey]} 行重复", "同一单位同一表内序号不能重复")
        return
    first_row_of[ikey] = r.excel_row
    if len(out.problems) != errors_before:
        return
    if ikey in out.issues:
        r.bad("seq", f"序号 {ikey[1]} 已在工作表“{out.issues[ikey]['_where'][0]}”出现", "同一单位的问题序号不能重复")
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
    raw = text_of(r.cell("task"))
    task = _checked(r, "task", "task", raw)
    if not raw:
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
            fix[key] = _checked(r, key, key, person_of(r.cell(key)))
    for key in ("evidence", "progress"):
        if key in cols:
            fix[key] = _checked(r, key, key, text_of(r.cell(key)))
    if kind == C.FIXES and "note" in cols:
        fix["note"] = _checked(r, "note", "note", text_of(r.cell("note")))
    if "status" in cols or "done_on" in cols or r.table.status_marks:
        _fix_state(out, r, fix, state)
    if len(out.problems) == errors_before and unit_id is not None:
        _keep_fix(out, r, fix, (unit_id, seq), tasks, deadlines)


def _keep_fix(out: Parsed, r: _Row, fix: dict, key: tuple, tasks: list, deadlines: list) -> None:
    """An 整改清单 row under its issue's 序号 (its own 序号 once per unit); a 整改台账 row's measures
    (one per numbered part when one cell holds several 时限) under the row's issue."""
    unit_id, seq = key
    if r.table.kind == C.FIXES:
        issue_seq = r.conv("issue_seq", "seq", required=True)
        if issue_seq is None or seq is None:
            return
        fix["issue_key"] = (unit_id, issue_seq)
        if key in out.fixes:
            r.bad("seq", f"序号 {seq} 与第 {out.fixes[key]['_where'][1]} 行重复", "同一单位整改清单内序号不能重复")
            return
        out.fixes[key] = fix
    elif seq is not None:
        for task_k, deadline_k in zip(tasks, deadlines):
            one = dict(fix, task=task_k, issue_key=key)
            if "deadline" in r.cols:
                one["deadline"] = deadline_k
            out.combined_fixes.setdefault(key, []).append(one)


def _fix_state(out: Parsed, r: _Row, fix: dict, state: dict) -> None:
    """Status and dates. A unit reports, only the office verifies (SPEC §5 "Authority"): 已销号 in a
    unit's workbook is its claim, stored 已完成. A completion date the file does not give is its
    填报日期, marked as reported; with no 填报日期 either, plan_writes keeps the register's or refuses."""
    cols = r.cols
    status = _fix_status_of(r)
    done_on = r.conv("done_on", "date") if "done_on" in cols else None
    verified_on = r.conv("verified_on", "date") if "verified_on" in cols else None
    if status is None:
        status = FixStatus.VERIFIED if verified_on else (FixStatus.DONE if done_on else FixStatus.NOT_STARTED)
    claimed = False
    if status == FixStatus.VERIFIED and not out.ledger:
        status, claimed, verified_on = FixStatus.DONE, True, None
        fix.pop("verified_by", None)
    fix["_done_default"] = False
    if status in (FixStatus.DONE, FixStatus.VERIFIED):
        if done_on is None:
            done_on = state["filled"]
            fix["_done_default"] = True
    else:
        done_on = None
    verified_on = _verified_on(r, fix, status, done_on, verified_on)
    fix.update(status=status, done_on=done_on, verified_on=verified_on, claimed=claimed,
               done_reported=fix["_done_default"] and done_on is not None)
    for key in ("claimed", "done_reported"):  # the office's ledger says them in its own columns
        if key in cols:
            fix[key] = _flag(r.cell(key)) and status in (FixStatus.DONE, FixStatus.VERIFIED) and (key != "claimed" or status == FixStatus.DONE)


def _verified_on(r: _Row, fix: dict, status, done_on, verified_on):
    """A verified fix's 销号日期 (its completion date if none is given, never earlier); no other has one."""
    if status != FixStatus.VERIFIED:
        if "verified_by" in fix:
            fix["verified_by"] = None
        return None
    verified_on = verified_on or done_on
    if verified_on and done_on and verified_on < done_on:
        r.bad("verified_on" if "verified_on" in r.cols else "done_on", f"销号日期 {verified_on} 早于完成日期 {done_on}",
              "销号日期不早于完成日期")
    return verified_on


def _flag(value) -> bool:
    return value is True or (isinstance(value, (int, float)) and value == 1) or _n(value) in ("是", "√", "Y", "y", "TRUE", "True")


def _rule_row(out: Parsed, r: _Row, unit_id, seq, state: dict, errors_before: int) -> None:
    cols = r.cols
    rule = {"_where": (r.table.sheet, r.excel_row, r.table.kind, r.table.headers)}
    raw = text_of(r.cell("title"))
    title = _checked(r, "title", "title", raw)
    if not raw:
        r.bad("title", "不能为空", "制度名称")
    rule["title"] = title
    rule["action"] = r.conv("action", "action", required=True)
    if "due_on" in cols:
        rule["due_on"] = _rule_due(r, state)
    if "doc_no" in cols:
        rule["doc_no"] = _checked(r, "doc_no", "doc_no", text_of(r.cell("doc_no")))
    if "note" in cols:
        rule["note"] = _checked(r, "note", "note", text_of(r.cell("note")))
    if "issue_seq" in cols:
        value = r.cell("issue_seq")
        try:
            rule["issue_seqs"] = r.cells.convert("seqs", value) if not Cells.blank(value) else ()
        except _Bad:
            rule["issue_seqs"] = ()
            rule["issue_text"] = text_of(value)  # the issue's own words: linked by description in plan_writes
    if "status" in cols or "done_on" in cols:
        _rule_state(r, rule, state)
    if len(out.problems) != errors_before or unit_id is None or seq is None:
        return
    rkey = (unit_id, seq)
    if rkey in out.rules:
        r.bad("seq", f"序号 {seq} 与第 {out.rules[rkey]['_where'][1]} 行重复", "同一单位制度清单内序号不能重复")
        return
    out.rules[rkey] = rule


def _rule_due(r: _Row, state: dict):
    """完成时限: 长期坚持 has none, 立行立改 is the 填报日期, else a date."""
    due = r.cell("due_on")
    flat = norm(due) if isinstance(due, str) else ""
    if flat and any(w in flat for w in ("长期", "常态")):
        return None
    if flat and any(w in flat for w in ("立行立改", "即知即改", "立即")):
        if state["filled"] is None:
            r.bad("due_on", "立行立改的制度以填报日期为完成时限，但表上没有填报日期", "日期，或在表头上方写明填报日期")
        return state["filled"]
    return r.conv("due_on", "date")


def _rule_state(r: _Row, rule: dict, state: dict) -> None:
    """Status and completion date; a rule done on no date said takes the 填报日期."""
    status = r.conv("status", "rule_status") if "status" in r.cols else None
    done_on = r.conv("done_on", "date") if "done_on" in r.cols else None
    status = status or (RuleStatus.DONE if done_on else RuleStatus.PENDING)
    rule["status"] = status
    rule["done_on"] = (done_on or state["filled"]) if status == RuleStatus.DONE else None
    if status == RuleStatus.DONE and rule["done_on"] is None:
        r.bad("status", "已完成但没有完成日期，表上也没有填报日期", "在表头上方写明“填报日期：…”，或用 --filled-on 指定")


def _accepted_for(kind: str, cells: Cells) -> str:
    return {"area": cells.areas_accepted, "seq": "正整数 1、2、3……", "deadlines": "日期、6月底前、年底前、长期坚持、立行立改",
            "action": "立、改、废", "date": "日期，如 2017-06-30"}.get(kind, "")
