"""Dates as clerks and units write them: one vocabulary for every date option and cell.

`2017-06-30`, `2017/6/30`, `2017.6.30`, `2017年6月30日`, and the words units write:
`6月底前`, `2017年6月底`, `9月中旬`, `第三季度`, `上半年`, `年底前`, `6月30日前`, `17年6月30日`
(a word without a year is in the campaign's year). A 整改时限 also takes `长期坚持` and `立行立改`;
workbooks also carry full-width digits and Excel serial numbers.

`option_date` is how every command reads a date option: one parser, one refusal naming the
option, and warnings ("请核对", never a refusal) for a date that is possible but unlikely.
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
WORDS = "“6月底前”“9月中旬”“第三季度”“上半年”“年底前”"

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YM_END = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*月\s*(底|末|份|中旬|上旬|下旬)?\s*(?:前|之前|以前)?$")
_YM_PLAIN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR_END = re.compile(r"^(?:(\d{4})\s*年)?\s*(年底|年末|年内|底)\s*(?:前|之前|以前)?$")
_STRIP_BEFORE = re.compile(r"(前|之前|以前|完成|止)$")


def normalize(text) -> str:
    """Full-width digits and punctuation to ASCII, every space and line break removed ("" for None)."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _make(y: int, m: int, d: int, raw: str, field: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise Invalid(f"{field}：“{raw}”不是有效日期（{y}年{m}月没有{d}日）。可写 {ACCEPTED}", field=field) from None


def parse_date(value: object, *, field: str = "日期", year: int | None = None) -> dt.date:
    """A single calendar date: a full date, or the words of `parse_loose_date` (those without a
    year take `year`, the campaign's; with none given they are refused, asking for the year)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    text = normalize(raw)
    m = _YMD.match(text) or _YMD_COMPACT.match(text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, field)
    if re.fullmatch(r"[\d.]+", text):  # 20170630 typed short, 2017.6: not a number read as a serial day
        if re.fullmatch(r"\d{4}\.\d{1,2}", text):
            return _ym(text, raw, field)
        raise Invalid(f"{field}：无法识别日期“{raw}”，可写 {ACCEPTED}，或{WORDS}等", field=field)
    return parse_loose_date(raw, year=year, field=field)


_YMD2 = re.compile(r"^(\d{2})年(\d{1,2})月(\d{1,2})日?$")  # 17年6月30日: LibreOffice's zh-CN short date
_MD = re.compile(r"^(\d{1,2})月(\d{1,2})日?$")  # 6月30日前: the campaign year
_QUARTER = re.compile(r"^(?:(\d{4})年)?第?([一二三四1-4])季度(?:末|底)?$")
_HALF = re.compile(r"^(?:(\d{4})年)?(上半年|下半年|年中)(?:末|底)?$")
_QUARTER_NO = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _number_date(value: float, raw: str, field: str) -> dt.date:
    """A number in a date cell: an Excel serial day, or 2017.06 (a year and month typed into a cell
    that Excel kept as a number). 2017.1 could be January or October (2017.10): refused."""
    if 20000 < value < 80000 and float(value).is_integer():
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    if 1990 <= value < 2100 and not float(value).is_integer():
        text = f"{value:.2f}"
        year, frac = int(text[:4]), text[5:]
        if frac == "10":
            raise Invalid(f"{field}：“{raw}”可能是{year}年1月，也可能是{year}年10月（单元格存成了数字，末尾的 0 丢了），"
                          "请写成 2017-10-31 或 2017年10月底", field=field)
        month = int(frac[0]) if frac.endswith("0") else int(frac)
        if 1 <= month <= 12:
            return dt.date(year, month, calendar.monthrange(year, month)[1])
    raise Invalid(f"{field}：“{raw}”不是日期", field=field)


def _the_year(written, year: int | None, raw: str, field: str) -> int:
    if written:
        return int(written)
    if year is None:
        raise Invalid(f"{field}：“{raw}”没有写年份，请写明，如“2017年{raw}”", field=field)
    return year


def parse_loose_date(value: object, *, year: int | None, field: str = "日期") -> dt.date:
    """Dates as units write them in workbooks: also `6月底前`, `2017年6月底`, `年底前`, `6月30日前`,
    `17年6月30日`, `第三季度`, `上半年`, `9月中旬`, serials and `2017.06` kept as a number."""
    if isinstance(value, (dt.date, dt.datetime)):
        return parse_date(value, field=field)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_date(value, str(value), field)
    raw = str(value).strip()
    text = normalize(raw)
    text = re.sub(r"^(截至|截止|于|在)", "", text)
    m = _YMD.match(text) or _YMD_COMPACT.match(text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, field)
    bare = _STRIP_BEFORE.sub("", text)
    m = _YMD.match(bare)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, field)
    m = _YMD2.match(bare)
    if m:
        return _make(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, field)
    m = _MD.match(bare)
    if m:
        return _make(_the_year(None, year, raw, field), int(m.group(1)), int(m.group(2)), raw, field)
    m = _QUARTER.match(bare)
    if m:
        y, q = _the_year(m.group(1), year, raw, field), _QUARTER_NO[m.group(2)]
        return dt.date(y, q * 3, calendar.monthrange(y, q * 3)[1])
    m = _HALF.match(bare)
    if m:
        y = _the_year(m.group(1), year, raw, field)
        return dt.date(y, 12, 31) if m.group(2) == "下半年" else dt.date(y, 6, 30)
    m = _YEAR_END.match(text)
    if m:
        return dt.date(_the_year(m.group(1), year, raw, field), 12, 31)
    if re.fullmatch(r"\d{4}\.\d{1,2}", bare):  # "2017.06" as text
        return _ym(bare, raw, field)
    m = _YM_END.match(text) or _YM_PLAIN.match(bare)
    if m:
        y = _the_year(m.group(1), year, raw, field)
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise Invalid(f"{field}：“{raw}”中的月份 {month} 无效", field=field)
        part = m.group(3) if m.re is _YM_END else None
        last = calendar.monthrange(y, month)[1]
        day = {"上旬": 10, "中旬": 20}.get(part or "", last)
        return dt.date(y, month, day)
    raise Invalid(f"{field}：无法识别日期“{raw}”，可写 {ACCEPTED}，或{WORDS}等", field=field)


def _ym(text: str, raw: str, field: str) -> dt.date:
    y, mo = (int(p) for p in text.split("."))
    if not 1 <= mo <= 12:
        raise Invalid(f"{field}：“{raw}”中的月份 {mo} 无效", field=field)
    return dt.date(y, mo, calendar.monthrange(y, mo)[1])


# Dates inside a sentence ("建立长效机制，6月底前完成"): each pattern, longest first.
_IN_TEXT = re.compile(
    r"(?:\d{4}|\d{2})年\d{1,2}月\d{1,2}日?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|(?:\d{4}年)?\d{1,2}月\d{1,2}日"
    r"|(?:\d{4}年)?\d{1,2}月(?:底|末|份|中旬|上旬|下旬)?(?=前|之前|以前|完成|底|$|[，,；;。、\s])"
    r"|(?:\d{4}年)?第?[一二三四1-4]季度(?:末|底)?|(?:\d{4}年)?(?:上半年|下半年)|(?:\d{4}年)?(?:年底|年末)"
)
_NUMBERED = re.compile(r"(?:^|(?<=[\s；;。，,]))[(（]?(\d{1,2})[.、)）．](?=\d{4}[年./-]|\d{1,2}月|\D)")

class Deadline:
    """A fix's 整改时限: a date, or 长期坚持 (ongoing); 立行立改 is a date (the day found)."""

    __slots__ = ("date", "ongoing", "on_the_spot")

    def __init__(self, date: dt.date | None, ongoing: bool = False, on_the_spot: bool = False):
        self.date = date
        self.ongoing = ongoing
        self.on_the_spot = on_the_spot

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Deadline({self.date}, ongoing={self.ongoing}, on_the_spot={self.on_the_spot})"


def _clause_deadline(text: str, *, year: int, found_on, field: str, raw: str) -> Deadline:
    """One deadline from one clause of text, by meaning, never by the first word that matches:
    a date wins over the words around it ("建立长效机制，6月底前完成" is 6-30, "6月底前完成，长期坚持"
    is 6-30 and kept up after); two different dates, or 长期坚持 with 立行立改 and no date, are refused."""
    try:
        return Deadline(parse_loose_date(text, year=year, field=field))
    except Invalid as exc:
        if _IN_TEXT.fullmatch(_STRIP_BEFORE.sub("", text)) or re.fullmatch(r"[\d\-/.年月日]+", text):
            raise Invalid(exc.message.replace(f"“{text}”", f"“{raw}”"), field=field) from None  # a date, but no valid one
    dates = []
    for m in _IN_TEXT.finditer(text):
        try:
            d = parse_loose_date(m.group(0), year=year, field=field)
        except Invalid:
            continue
        if d not in dates:
            dates.append(d)
    if len(dates) > 1:
        raise Invalid(f"{field}：“{raw}”里有 {len(dates)} 个日期（" + "、".join(d.isoformat() for d in dates)
                      + "），不知道以哪个为准：请只写一个时限，或把各项措施分行填写", field=field)
    if dates:
        return Deadline(dates[0])
    ongoing = any(w in text for w in ONGOING_WORDS)
    spot = any(w in text for w in ON_THE_SPOT_WORDS)
    if ongoing and spot:
        raise Invalid(f"{field}：“{raw}”既写了长期坚持又写了立行立改，不知道以哪个为准", field=field)
    if ongoing:
        return Deadline(None, ongoing=True)
    if spot:  # due the day the issue was found (the caller fills it in when it does not know it yet)
        return Deadline(found_on, on_the_spot=True)
    raise Invalid(f"{field}：无法识别整改时限“{raw}”", field=field)


def numbered_parts(text: str) -> list[str]:
    """"1.xxx 2.yyy 3.zzz" → ["xxx", "yyy", "zzz"] when the numbers run 1, 2, 3…; else []."""
    marks = list(_NUMBERED.finditer(text))
    if len(marks) < 2 or [int(m.group(1)) for m in marks] != list(range(1, len(marks) + 1)):
        return []
    parts = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        parts.append(text[m.end():end].strip(" \n\t；;，,。"))
    return parts if all(parts) else []


def parse_deadlines(value: object, *, year: int, found_on: dt.date | None = None, field: str = "整改时限") -> list[Deadline]:
    """A 整改时限 cell: one deadline, or one per numbered part ("1.2017年6月底前 2.2017年9月底前 3.长期坚持")."""
    if isinstance(value, str):
        parts = numbered_parts(unicodedata.normalize("NFKC", value).strip())
        if parts:
            return [_clause_deadline(normalize(p), year=year, found_on=found_on, field=field, raw=value) for p in parts]
    return [parse_deadline(value, year=year, found_on=found_on, field=field)]


def parse_deadline(value: object, *, year: int, found_on: dt.date | None = None, field: str = "整改时限") -> Deadline:
    if isinstance(value, str):
        return _clause_deadline(normalize(value), year=year, found_on=found_on, field=field, raw=value.strip())
    return Deadline(parse_loose_date(value, year=year, field=field))


def parse_month(value: str, *, field: str = "--month") -> tuple[dt.date, dt.date]:
    """`2017-06` (also `2017/6`, `2017.6`, `2017年6月`, `201706`, in full-width digits too) to its first
    and last day: the one month parser of every `--month`."""
    text = normalize(value)
    m = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$", text) or re.match(r"^(\d{4})(\d{2})$", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise Invalid(f"{field}：无法识别月份“{value}”，请写成 2017-06 或 2017年6月", field=field)
    y, mo = int(m.group(1)), int(m.group(2))
    return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])


# ---- a date option, as every command reads it ----

EVENT, DUE = "event", "due"  # a day something happened (never ahead of today), a day something is due


def implausible(day: dt.date, *, field: str, kind: str, start: dt.date, end: dt.date, today: dt.date,
                found_on: dt.date | None = None) -> list[str]:
    """Why a date that parses is still unlikely (a typing slip): each reason a warning, the record
    is kept. Completion after today, anything before the issue was found, a day outside the campaign
    (a deadline: a year outside the campaign's years)."""
    out = []
    shown = day.isoformat()
    if kind == EVENT and day > today:
        out.append(f"{field}：{shown} 晚于今天（{today.isoformat()}），已照常登记，请核对")
    if found_on is not None and day < found_on:
        what = "整改时限" if kind == DUE else "日期"
        out.append(f"{field}：{shown} 早于问题的发现日期 {found_on.isoformat()}（{what}不应早于发现问题），已照常登记，请核对")
    if kind == DUE:
        if not start.year <= day.year <= end.year:
            years = f"{start.year}" if start.year == end.year else f"{start.year}–{end.year}"
            out.append(f"{field}：{shown} 不在专项整治的年份（{years}年）内，已照常登记，请核对年份")
    elif not start <= day <= end:
        out.append(f"{field}：{shown} 不在专项整治期间（{start.isoformat()} 至 {end.isoformat()}），已照常登记，请核对")
    return out


def option_date(session, value, *, field: str, kind: str = EVENT, found_on: dt.date | None = None,
                default: dt.date | None = None, empty_clears: bool = False) -> dt.date | None:
    """A date option typed by a clerk: `parse_date` with the campaign's year for words without one;
    an unlikely date is kept and warned about (collected on the session: the CLI shows them).
    Not given: `default`. Given empty (a script's empty variable): refused, never taken as the
    default, unless `empty_clears` (an edit that clears the date)."""
    if value is None:
        return default
    if isinstance(value, str) and not value.strip():
        if empty_clears:
            return None
        raise Invalid(f"{field}：不能为空；请写日期，如 2017-06-30（不写这个选项则用默认）", field=field)
    from .db import warn
    from .register import plan_of

    plan = plan_of(session)
    day = parse_date(value, field=field, year=plan.year)
    for text in implausible(day, field=field, kind=kind, start=plan.start, end=plan.end, today=dt.date.today(),
                            found_on=found_on):
        warn(session, text)
    return day


def campaign_date(session, value, *, field: str, default: dt.date | None = None) -> dt.date | None:
    """A date typed by a clerk, or `default` when none is (given empty, too); one outside the campaign
    is kept, with a warning (`option_date`)."""
    if value in (None, ""):
        return default
    return option_date(session, value, field=field, default=default)


def named_month(value: str, *, field: str = "月份（--month）") -> tuple[str, dt.date, dt.date]:
    """(`2017-07`, first day, last day) of a month written as 2017-07, 2017/7 or 2017年7月."""
    first, last = parse_month(value, field=field)
    return f"{first.year:04d}-{first.month:02d}", first, last
