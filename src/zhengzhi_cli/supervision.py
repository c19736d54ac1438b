"""What the phase-3/4 modules (inspections, accountability, opinions, cases, bulletins,
public disclosure) share: dates checked against the campaign, warnings, periods. The
figures the monthly and summary reports count from them are reports/supervision.py.

A date outside the campaign (plan start … plan end) is allowed but warned about. The
domain never prints: warnings are collected on the session (`warn`) and the CLI shows
them on stderr after the command (`warnings`).
"""

from __future__ import annotations

import datetime as dt

from .dates import parse_month

WARNINGS = "zz_warnings"


def warn(session, text: str) -> None:
    session.info.setdefault(WARNINGS, []).append(text)


def warnings(session) -> list[str]:
    return list(session.info.get(WARNINGS, []))


def campaign_date(session, value, *, field: str, default: dt.date | None = None) -> dt.date | None:
    """A date typed by a clerk; one outside the campaign is kept, with a warning."""
    from .dates import option_date

    if value in (None, ""):
        return default
    return option_date(session, value, field=field, default=default)


def month(value: str, *, field: str = "月份（--month）") -> tuple[str, dt.date, dt.date]:
    """(`2017-07`, first day, last day) of a month written as 2017-07, 2017/7 or 2017年7月."""
    first, last = parse_month(value, field=field)
    return f"{first.year:04d}-{first.month:02d}", first, last


def text_or_none(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None
