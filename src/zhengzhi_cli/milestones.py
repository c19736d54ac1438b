"""Milestones (节点): what each unit owes in each phase, and their states on a date.

Most milestones follow from data (四查四看 all recorded, the three lists registered,
being inspected); the rest (实施方案, 领导机构, 动员会议, 总结报告) are marked by hand.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func
from sqlmodel import select

from . import units
from .dates import option_date
from .models import CheckRecord, Fix, FixEvent, Issue, MilestoneRecord, Rule, Unit
from .register import plan_of
from .vocab import MilestoneState

DONE, DONE_LATE, LATE, NOT_DUE = MilestoneState.DONE, MilestoneState.DONE_LATE, MilestoneState.LATE, MilestoneState.NOT_DUE


def state(due_on: dt.date, done_on: dt.date | None, as_of: dt.date) -> str:
    if done_on is not None and done_on <= as_of:
        return DONE if done_on <= due_on else DONE_LATE
    return LATE if as_of > due_on else NOT_DUE


def mark_done(session, *, unit: str, milestone: str, on=None, ref: str | None = None, note: str | None = None) -> MilestoneRecord:
    plan = plan_of(session)
    the_unit = units.resolve(session, unit)
    ms = plan.milestone(milestone)  # a milestone met by data may be set by hand too: the date given overrides the data
    day = option_date(session, on, field="日期（--date）", default=dt.date.today())
    record = session.exec(select(MilestoneRecord).where(MilestoneRecord.unit_id == the_unit.id, MilestoneRecord.key == ms.key)).first()
    if record is None:
        record = MilestoneRecord(unit_id=the_unit.id, key=ms.key, done_on=day, ref=ref, note=note)
    else:
        record.done_on, record.ref, record.note = day, ref or record.ref, note or record.note
    session.add(record)
    session.flush()
    return record


def _earlier(day, other):
    """The earlier of two date columns (`other` may be NULL), in SQL that both backends take."""
    return case((and_(other.is_not(None), other < day), other), else_=day)


def _first_dates(session, model, date_col, as_of: dt.date, issue_col=None) -> dict[int, dt.date]:
    """The first day of each unit's rows by the data's own dates (SPEC §5a: an issue's 发现日期, or for a
    unit's own workbook its 填报日期; a fix's or rule's 填报日期, which import keeps as created_on, or its
    completion if earlier), never
    the day a clerk typed them in; issues and fixes count only while their issue is not void."""
    from .issues import live

    extra = live(session, issue_col, as_of) if issue_col is not None else []
    rows = session.exec(select(model.unit_id, func.min(date_col)).where(date_col <= as_of, *extra).group_by(model.unit_id)).all()
    return {u: d for u, d in rows}


def _fix_dates(session, as_of: dt.date) -> dict[int, dt.date]:
    """整改清单: a fix's 填报日期 (created_on), or an earlier completion or progress note on it."""
    from .issues import live

    out = _first_dates(session, Fix, _earlier(Fix.created_on, Fix.done_on), as_of, Fix.issue_id)
    for unit_id, day in session.exec(
        select(Fix.unit_id, func.min(FixEvent.happened_on)).join(FixEvent, FixEvent.fix_id == Fix.id)
        .where(FixEvent.happened_on <= as_of, *live(session, Fix.issue_id, as_of)).group_by(Fix.unit_id)
    ).all():
        if unit_id not in out or day < out[unit_id]:
            out[unit_id] = day
    return out


def _check_dates(session, n_checks: int, as_of: dt.date) -> dict[int, dt.date]:
    rows = session.exec(
        select(CheckRecord.unit_id, CheckRecord.item, func.min(CheckRecord.checked_on))
        .where(CheckRecord.checked_on <= as_of).group_by(CheckRecord.unit_id, CheckRecord.item)
    ).all()
    per_unit: dict[int, dict[int, dt.date]] = {}
    for unit_id, item, day in rows:
        per_unit.setdefault(unit_id, {})[item] = day
    return {u: max(items.values()) for u, items in per_unit.items() if len(items) >= n_checks}


def _inspection_dates(session, as_of: dt.date) -> dict[int, dt.date]:
    try:
        from .models import Inspection, InspectionUnit
    except ImportError:  # registers without the supervision tables
        return {}
    rows = session.exec(
        select(InspectionUnit.unit_id, func.min(Inspection.inspected_on))
        .join(Inspection, Inspection.id == InspectionUnit.inspection_id)
        .where(Inspection.inspected_on <= as_of).group_by(InspectionUnit.unit_id)
    ).all()
    return {u: d for u, d in rows}


def done_dates(session, as_of: dt.date) -> dict[str, dict[int, dt.date]]:
    """For each milestone key, the date each unit reached it (as of a date)."""
    plan = plan_of(session)
    derived = {
        "checks": lambda: _check_dates(session, len(plan.checks), as_of),
        # a unit's list is dated by the 填报日期 it came with (import keeps it as created_on); a row the office
        # entered, by its 发现日期
        "issues": lambda: _first_dates(session, Issue, case((Issue.src_seq.is_not(None), Issue.created_on), else_=Issue.found_on),
                                       as_of, Issue.id),
        "fixes": lambda: _fix_dates(session, as_of),
        "rules": lambda: _first_dates(session, Rule, _earlier(Rule.created_on, Rule.done_on), as_of),
        "inspections": lambda: _inspection_dates(session, as_of),
        "manual": dict,
    }
    out: dict[str, dict[int, dt.date]] = {}
    for ms in plan.milestones:
        out[ms.key] = derived[ms.derived_from]()
    for unit_id, key, day in session.exec(
        select(MilestoneRecord.unit_id, MilestoneRecord.key, MilestoneRecord.done_on)
    ).all():  # a date set by hand overrides the data: before it, the milestone was not met
        if key in out:
            if day <= as_of:
                out[key][unit_id] = day
            else:
                out[key].pop(unit_id, None)
    return out


def phase_status(session, *, as_of: dt.date | None = None, unit: str | None = None) -> dict:
    plan = plan_of(session)
    as_of = as_of or dt.date.today()
    dates = done_dates(session, as_of)
    refs = {(u, k): r for u, k, r in session.exec(select(MilestoneRecord.unit_id, MilestoneRecord.key, MilestoneRecord.ref)).all()}
    q = select(Unit).order_by(func.coalesce(Unit.code, "~"), Unit.id)
    if unit:
        q = q.where(Unit.id == units.resolve(session, unit).id)
    cur = plan.current_phase(as_of)
    result_units = []
    for u in session.exec(q).all():
        items = []
        for ms in plan.milestones:
            done_on = dates[ms.key].get(u.id)
            items.append({
                "key": ms.key, "name": ms.name, "phase": ms.phase, "due_on": ms.due_on.isoformat(),
                "state": state(ms.due_on, done_on, as_of), "done_on": done_on.isoformat() if done_on else None,
                "ref": refs.get((u.id, ms.key)),
            })
        result_units.append({"unit": u.name, "code": u.code, "kind": u.kind, "milestones": items})
    return {
        "as_of": as_of.isoformat(),
        "current_phase": {"no": cur.no, "name": cur.name, "start": cur.start.isoformat(), "end": cur.end.isoformat()} if cur else None,
        "units": result_units,
    }
