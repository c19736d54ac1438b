"""The periods a report covers: a calendar month, or the campaign up to D."""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from dataclasses import dataclass

from ..errors import Invalid


@dataclass(frozen=True)
class Period:
    label: str  # 2017-06, or 全程
    start: dt.date
    as_of: dt.date  # D: figures as if today were this day
    prev_as_of: dt.date | None = None  # end of last month: "what changed since"
    prev_start: dt.date | None = None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_month(value: str) -> tuple[int, int]:
    from ..dates import (
        parse_month as first_and_last,  # the one month parser of every --month
    )

    first, _last = first_and_last(value, field="月份（--month）")
    return first.year, first.month


def month_period(month: str | None, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Period:
    """A calendar month; D is the month's last day, or today while the month is still running."""
    today = today or dt.date.today()
    if month:
        year, mon = parse_month(month)
    else:
        base = as_of or today
        year, mon = base.year, base.month
    start = dt.date(year, mon, 1)
    end = min(month_end(year, mon), today) if as_of is None else as_of
    if end < start:
        raise Invalid(f"统计日（--as-of）：{end} 早于 {year} 年 {mon} 月的第一天", field="as_of")
    prev_as_of = start - dt.timedelta(days=1)
    prev_start = prev_as_of.replace(day=1)
    return Period(label=f"{year:04d}-{mon:02d}", start=start, as_of=end, prev_as_of=prev_as_of, prev_start=prev_start)


def campaign_period(plan, as_of: dt.date | None, *, today: dt.date | None = None) -> Period:
    """The whole campaign up to D (default: today, or the campaign's last day once it is over)."""
    today = today or dt.date.today()
    day = as_of or min(today, plan.end)
    return Period(label="全程", start=min(plan.start, day), as_of=day)


def prepared_by(plan) -> str:
    """制表单位: the plan's `report_to` (the office units report to), else its issuer."""
    try:
        head = tomllib.loads(plan.text).get("plan", {}) if plan.text else {}
    except tomllib.TOMLDecodeError:
        head = {}
    return head.get("report_to") or plan.issuer or "专项整治办公室"

