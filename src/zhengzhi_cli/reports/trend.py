"""The monthly report's 6-month trend: 完成率 at each month's end and the month's new issues,
completions and 销号, as the register stood on the report's day D (SPEC §5a), so a report for
July reads the same after August's data arrives."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from .figures import fix_figures, rate
from .periods import Period, month_end
from .summary import monthly_trend

TREND_MONTHS = 6


@dataclass(frozen=True)
class TrendMonth:
    month: str  # 2017-07
    as_of: str  # the month's last day, or D for D's own month
    issues_found: int
    fixes_completed: int
    fixes_verified: int
    due: int  # 完成率 denominator at as_of
    due_done: int  # its numerator
    completion_rate: float | None


def _months(p: Period, first: dt.date, n: int) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, cut-off) of the last `n` months up to D, none before `first` (the campaign's start)."""
    out = []
    y, m = p.as_of.year, p.as_of.month
    while len(out) < n:
        start = dt.date(y, m, 1)
        if start < first.replace(day=1):
            break
        out.append((f"{y:04d}-{m:02d}", start, min(month_end(y, m), p.as_of)))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def six_month_trend(session, plan, p: Period, *, months: int = TREND_MONTHS) -> list[TrendMonth]:
    """The last `months` months up to D (from the campaign's first month on): each month's flow
    (`summary.monthly_trend`, as of D) and its 完成率 at the month's end (`fix_figures` as of that day)."""
    spans = _months(p, plan.start, months)
    if not spans:
        return []
    flow = {r["month"]: r for r in monthly_trend(session, plan, Period(label="趋势", start=spans[0][1], as_of=p.as_of))}
    out = []
    for label, start, cut in spans:
        figs = fix_figures(session, Period(label=label, start=start, as_of=cut)).values()
        due, done = sum(f["due"] for f in figs), sum(f["due_done"] for f in figs)
        r = flow.get(label) or {}
        out.append(TrendMonth(label, cut.isoformat(), r.get("issues_found", 0), r.get("fixes_completed", 0),
                              r.get("fixes_verified", 0), due, done, rate(done, due)))
    return out


def trend_dicts(rows: list[TrendMonth]) -> list[dict]:
    return [dataclasses.asdict(r) for r in rows]
