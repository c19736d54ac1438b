"""What the phase-3/4 modules (inspections, accountability, opinions, cases, bulletins,
public disclosure) share: dates checked against the campaign, warnings, periods, and the
figures the monthly and summary reports count.

A date outside the campaign (plan start … plan end) is allowed but warned about. The
domain never prints: warnings are collected on the session (`warn`) and the CLI shows
them on stderr after the command (`warnings`).
"""

from __future__ import annotations

import datetime as dt

from .dates import parse_month
from .register import plan_of

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


def figures(session, *, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """What the monthly and summary reports count from the supervision tables, for dates
    in [start, end] (either open): inspections by kind (and units inspected), accountability
    by measure (and 移交纪检 awaiting an outcome), opinions by channel and by group (with the
    people who gave them), typical cases by kind, bulletins issued."""
    from sqlalchemy import func
    from sqlmodel import select

    from .models import Accountability, Bulletin, Inspection, InspectionUnit, Opinion, TypicalCase

    plan = plan_of(session)

    def within(col):
        conds = []
        if start is not None:
            conds.append(col >= start)
        if end is not None:
            conds.append(col <= end)
        return conds

    def grouped(col, date_col, names: list[str], extra=None) -> dict[str, int]:
        q = select(col, extra if extra is not None else func.count()).where(*within(date_col)).group_by(col)
        counts = {k: int(v or 0) for k, v in session.exec(q).all()}
        return {name: counts.get(name, 0) for name in names} | {k: v for k, v in counts.items() if k not in names}

    units_inspected = session.exec(
        select(func.count(func.distinct(InspectionUnit.unit_id)))
        .join(Inspection, Inspection.id == InspectionUnit.inspection_id).where(*within(Inspection.inspected_on))
    ).one()
    pending = session.exec(
        select(func.count()).select_from(Accountability)
        .where(Accountability.measure == "移交纪检", Accountability.outcome.is_(None), *within(Accountability.decided_on))
    ).one()
    case_day = func.coalesce(TypicalCase.published_on, TypicalCase.happened_on)
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "inspections": {
            "total": session.exec(select(func.count()).select_from(Inspection).where(*within(Inspection.inspected_on))).one(),
            "by_kind": grouped(Inspection.kind, Inspection.inspected_on, plan.lists["inspection_kinds"]),
            "units_inspected": units_inspected,
        },
        "accountability": {
            "total": session.exec(select(func.count()).select_from(Accountability).where(*within(Accountability.decided_on))).one(),
            "by_measure": grouped(Accountability.measure, Accountability.decided_on, plan.lists["measures"]),
            "referrals_pending": pending,
        },
        "opinions": {
            "total": session.exec(select(func.count()).select_from(Opinion).where(*within(Opinion.received_on))).one(),
            "people": int(session.exec(select(func.coalesce(func.sum(Opinion.people), 0)).where(*within(Opinion.received_on))).one()),
            "by_channel": grouped(Opinion.channel, Opinion.received_on, plan.lists["channels"]),
            "by_from": grouped(Opinion.from_group, Opinion.received_on, plan.lists["opinion_from"]),
            "linked_to_issues": session.exec(
                select(func.count()).select_from(Opinion).where(Opinion.issue_id.is_not(None), *within(Opinion.received_on))
            ).one(),
            "published": session.exec(
                select(func.count()).select_from(Opinion).where(Opinion.published_on.is_not(None), *within(Opinion.received_on))
            ).one(),
        },
        "cases": {
            "total": session.exec(select(func.count()).select_from(TypicalCase).where(*within(case_day))).one(),
            "by_kind": grouped(TypicalCase.kind, case_day, plan.lists["case_kinds"]),
        },
        "bulletins": session.exec(select(func.count()).select_from(Bulletin).where(*within(Bulletin.issued_on))).one(),
    }
