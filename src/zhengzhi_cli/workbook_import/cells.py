"""One cell of a unit's workbook → one register value, or a refusal saying why and what is accepted.

Conversions are cached by value: a 100k-row sheet repeats the same areas, sources and dates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from ..dates import parse_deadlines, parse_loose_date
from ..errors import Invalid
from ..excel import columns as C
from ..excel.columns import norm

Progress = Callable[[str, int, int], None]

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
