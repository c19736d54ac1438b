"""Dates as clerks and units write them.

Command options take `2017-06-30`, `2017/6/30`, `2017.6.30`, `2017年6月30日`.
Workbooks also carry free text: `6月底前`, `2017年6月底`, `年底前`, `长期坚持`,
`立行立改`, full-width digits, Excel serial numbers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from .errors import Invalid

ONGOING = "长期坚持"
ON_THE_SPOT_WORDS = ("立行立改", "即知即改", "立知立行", "立即整改", "已立行立改")
ONGOING_WORDS = (ONGOING, "长期", "持续推进", "常态化", "长效")

ACCEPTED = "2017-06-30、2017/6/30、2017.6.30 或 2017年6月30日"

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YM_END = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*月\s*(底|末|份|中旬|上旬|下旬)?\s*(?:前|之前|以前)?$")
_YM_PLAIN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR_END = re.compile(r"^(?:(\d{4})\s*年)?\s*(年底|年末|年内|底)\s*(?:前|之前|以前)?$")
_STRIP_BEFORE = re.compile(r"(前|之前|以前|完成|止)$")


def normalize(text: str) -> str:
    """Full-width digits and punctuation to ASCII, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _make(y: int, m: int, d: int, raw: str, field: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise Invalid(f"{field}：“{raw}”不是有效日期（{y}年{m}月没有{d}日）。可写 {ACCEPTED}", field=field) from None


def parse_date(value: object, *, field: str = "日期") -> dt.date:
    """A single calendar date, strictly (command options)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    text = normalize(raw)
    m = _YMD.match(text) or _YMD_COMPACT.match(text)
    if not m:
        raise Invalid(f"{field}：无法识别日期“{raw}”，可写 {ACCEPTED}", field=field)
    return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, field)


def parse_loose_date(value: object, *, year: int, field: str = "日期") -> dt.date:
    """Dates as units write them in workbooks: also `6月底前`, `2017年6月底`, `年底前`, serials."""
    if isinstance(value, (dt.date, dt.datetime)):
        return parse_date(value, field=field)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial day number (1900 date system) that arrived as a plain number.
        if 20000 < value < 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise Invalid(f"{field}：“{value}”不是日期", field=field)
    raw = str(value).strip()
    text = normalize(raw)
    text = re.sub(r"^(截至|截止|于|在)", "", text)
    m = _YMD.match(text) or _YMD_COMPACT.match(text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, field)
    m = _YMD.match(_STRIP_BEFORE.sub("", text))
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, field)
    m = _YEAR_END.match(text)
    if m:
        return dt.date(int(m.group(1) or year), 12, 31)
    m = _YM_END.match(text) or _YM_PLAIN.match(_STRIP_BEFORE.sub("", text))
    if m:
        y = int(m.group(1) or year)
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise Invalid(f"{field}：“{raw}”中的月份 {month} 无效", field=field)
        part = m.group(3) if m.re is _YM_END else None
        last = calendar.monthrange(y, month)[1]
        day = {"上旬": 10, "中旬": 20}.get(part or "", last)
        return dt.date(y, month, day)
    raise Invalid(
        f"{field}：无法识别日期“{raw}”，可写 {ACCEPTED}，或“6月底前”“年底前”等", field=field
    )


class Deadline:
    """A fix's 整改时限: a date, or 长期坚持 (ongoing); 立行立改 is a date (the day found)."""

    __slots__ = ("date", "ongoing", "on_the_spot")

    def __init__(self, date: dt.date | None, ongoing: bool = False, on_the_spot: bool = False):
        self.date = date
        self.ongoing = ongoing
        self.on_the_spot = on_the_spot

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Deadline({self.date}, ongoing={self.ongoing}, on_the_spot={self.on_the_spot})"


def parse_deadline(value: object, *, year: int, found_on: dt.date | None = None, field: str = "整改时限") -> Deadline:
    if isinstance(value, str):
        text = normalize(value)
        if any(w in text for w in ONGOING_WORDS):
            return Deadline(None, ongoing=True)
        if any(w in text for w in ON_THE_SPOT_WORDS):
            return Deadline(found_on or dt.date.today(), on_the_spot=True)
    return Deadline(parse_loose_date(value, year=year, field=field))


def parse_month(value: str, *, field: str = "--month") -> tuple[dt.date, dt.date]:
    """`2017-06` (also `2017/6`, `2017年6月`) to its first and last day."""
    text = normalize(value)
    m = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise Invalid(f"{field}：无法识别月份“{value}”，请写成 2017-06", field=field)
    y, mo = int(m.group(1)), int(m.group(2))
    return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
