"""Supervision figures: rules 立/改/废, 四查四看, inspections, accountability, opinions, typical cases.

One function counts the supervision tables (`figures`, for any window of dates): the month's
督查问责 of the monthly report and the campaign's totals of the summary both come from it; the
summary adds its per-unit rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, func, or_, select

from ..models import (
    Accountability,
    CheckRecord,
    Inspection,
    InspectionUnit,
    Opinion,
    Rule,
    TypicalCase,
    Unit,
)
from .figures import LIST_LIMIT, all_units, count_if


def supervision(session, plan, as_of: dt.date) -> dict:
    """Rules 立/改/废 by unit, checks done, inspections, accountability, opinions, typical cases (as of D)."""
    unit_rows = _unit_rows(session, plan, as_of)
    f = figures(session, end=as_of)
    actions = plan.lists["rule_actions"]
    return {
        "check_names": [c.check for c in plan.checks], "case_kinds": list(plan.lists["case_kinds"]),
        "units": unit_rows,
        "rules": {a: {"total": sum(r["rules"][a]["total"] for r in unit_rows), "done": sum(r["rules"][a]["done"] for r in unit_rows)}
                  for a in actions},
        "checks_done": {"units_all_four": sum(1 for r in unit_rows if r["checks_done"] >= len(plan.checks)),
                        "records": [sum(1 for r in unit_rows if r["checks"][i]) for i in range(len(plan.checks))]},
        "inspections": f["inspections"], "accountability": f["accountability"], "opinions": f["opinions"],
        "cases": {**f["cases"], "rows": _case_rows(session, as_of)},
    }


def _case_seen(d: dt.date):
    """A typical case counts from its publication (else its date); one with neither date always counts."""
    day = func.coalesce(TypicalCase.published_on, TypicalCase.happened_on)
    return day, or_(day.is_(None), day <= d)


def _case_rows(session, d: dt.date) -> list[dict]:
    day, seen = _case_seen(d)
    q = (select(TypicalCase.kind, Unit.name, TypicalCase.title, TypicalCase.happened_on, TypicalCase.published_on,
                TypicalCase.published_where).join(Unit, Unit.id == TypicalCase.unit_id)
         .where(seen).order_by(TypicalCase.kind, day, TypicalCase.id).limit(LIST_LIMIT))
    return [{"kind": k, "unit": u, "title": t, "happened_on": h.isoformat() if h else None,
             "published_on": pub.isoformat() if pub else None, "published_where": where}
            for k, u, t, h, pub, where in session.execute(q)]


def _per_unit(session, plan, d: dt.date) -> dict:
    """Each supervision count by unit id, as of D."""
    blank = {a: {"total": 0, "done": 0} for a in plan.lists["rule_actions"]}
    rules: dict[int, dict] = defaultdict(lambda: {a: dict(v) for a, v in blank.items()})
    for uid, action, total, done in session.execute(
        select(Rule.unit_id, Rule.action, func.count(), count_if(and_(Rule.done_on.is_not(None), Rule.done_on <= d)))
        .group_by(Rule.unit_id, Rule.action)
    ):
        rules[uid][action] = {"total": total, "done": int(done)}
    checks: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for uid, item, day in session.execute(
        select(CheckRecord.unit_id, CheckRecord.item, func.min(CheckRecord.checked_on))
        .where(CheckRecord.checked_on <= d).group_by(CheckRecord.unit_id, CheckRecord.item)
    ):
        checks[uid][item] = day
    inspected = {u: (n, last) for u, n, last in session.execute(
        select(InspectionUnit.unit_id, func.count(), func.max(Inspection.inspected_on))
        .join(Inspection, Inspection.id == InspectionUnit.inspection_id)
        .where(Inspection.inspected_on <= d).group_by(InspectionUnit.unit_id))}
    accountability = dict(session.execute(select(Accountability.unit_id, func.count()).where(Accountability.decided_on <= d)
                                          .group_by(Accountability.unit_id)).all())
    opinions = dict(session.execute(select(Opinion.unit_id, func.count()).where(Opinion.received_on <= d)
                                    .group_by(Opinion.unit_id)).all())
    cases: dict[int, dict] = defaultdict(dict)
    for uid, kind, n in session.execute(select(TypicalCase.unit_id, TypicalCase.kind, func.count()).where(_case_seen(d)[1])
                                        .group_by(TypicalCase.unit_id, TypicalCase.kind)):
        cases[uid][kind] = n
    return {"rules": rules, "checks": checks, "inspected": inspected, "accountability": accountability,
            "opinions": opinions, "cases": cases, "blank_rules": blank}


def _unit_rows(session, plan, d: dt.date) -> list[dict]:
    by = _per_unit(session, plan, d)
    rows = []
    for uid, _code, name, kind, _parent in all_units(session):
        r = by["rules"][uid] if uid in by["rules"] else by["blank_rules"]
        items = by["checks"].get(uid, {})
        n_insp, last_insp = by["inspected"].get(uid, (0, None))
        rows.append({
            "unit": name, "kind": kind,
            "rules": {a: r.get(a, {"total": 0, "done": 0}) for a in plan.lists["rule_actions"]},
            "rules_total": sum(v["total"] for v in r.values()), "rules_done": sum(v["done"] for v in r.values()),
            "checks": [items[c.no].isoformat() if c.no in items else None for c in plan.checks],
            "checks_done": len(items),
            "inspections": n_insp, "last_inspected_on": last_insp.isoformat() if last_insp else None,
            "accountability": by["accountability"].get(uid, 0), "opinions": by["opinions"].get(uid, 0),
            "cases": {k: by["cases"].get(uid, {}).get(k, 0) for k in plan.lists["case_kinds"]},
        })
    return rows


def month_supervision(session, start: dt.date, end: dt.date) -> dict:
    """The month's phase-3 work: inspections by kind, accountability by measure, opinions by
    channel, typical cases by kind (`figures`), and the rows the reports show."""
    f = figures(session, start=start, end=end)

    def detail(counts: dict) -> str:
        return "、".join(f"{k} {v}" for k, v in counts.items())

    f["rows"] = [
        {"key": "inspections", "metric": "督查（次）", "count": f["inspections"]["total"],
         "detail": detail(f["inspections"]["by_kind"]) + f"；被督查单位 {f['inspections']['units_inspected']} 个"},
        {"key": "accountability", "metric": "问责（人次）", "count": f["accountability"]["total"],
         "detail": detail(f["accountability"]["by_measure"])},
        {"key": "opinions", "metric": "征求意见（条）", "count": f["opinions"]["total"],
         "detail": detail(f["opinions"]["by_channel"])},
        {"key": "cases", "metric": "典型案例（个）", "count": f["cases"]["total"], "detail": detail(f["cases"]["by_kind"])},
    ]
    return f


def figures(session, *, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """THE supervision figures, for dates in [start, end] (either open): inspections by kind (and
    units inspected), accountability by measure (and 移交纪检 awaiting an outcome), opinions by
    channel (with the people who gave them) and by group, typical cases by kind, bulletins issued.
    From the campaign's start (no `start`) a typical case with no date counts, as in the summary."""
    from sqlmodel import select  # session.exec: one column reads as its value

    from ..models import Bulletin
    from ..register import plan_of

    plan = plan_of(session)

    def within(col):
        return [c for c in ((col >= start) if start is not None else None, (col <= end) if end is not None else None)
                if c is not None]

    def count(model, date_col, *extra) -> int:
        return session.exec(select(func.count()).select_from(model).where(*within(date_col), *extra)).one()

    def grouped(col, date_col, names: list[str], value=None, where=None) -> dict[str, int]:
        q = select(col, value if value is not None else func.count()).where(*(where or within(date_col))).group_by(col)
        counts = {k: int(v or 0) for k, v in session.exec(q).all()}
        return {name: counts.get(name, 0) for name in names} | {k: v for k, v in counts.items() if k not in names}

    units_inspected = session.exec(
        select(func.count(func.distinct(InspectionUnit.unit_id)))
        .join(Inspection, Inspection.id == InspectionUnit.inspection_id).where(*within(Inspection.inspected_on))
    ).one()
    case_day, seen = _case_seen(end) if start is None and end is not None else (
        func.coalesce(TypicalCase.published_on, TypicalCase.happened_on), None)
    case_where = [seen] if seen is not None else within(case_day)
    channels = grouped(Opinion.channel, Opinion.received_on, plan.lists["channels"])
    people = grouped(Opinion.channel, Opinion.received_on, [], value=func.coalesce(func.sum(Opinion.people), 0))
    case_kinds = grouped(TypicalCase.kind, case_day, plan.lists["case_kinds"], where=case_where)
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "inspections": {"total": count(Inspection, Inspection.inspected_on),
                        "by_kind": grouped(Inspection.kind, Inspection.inspected_on, plan.lists["inspection_kinds"]),
                        "units_inspected": units_inspected},
        "accountability": {"total": count(Accountability, Accountability.decided_on),
                           "by_measure": grouped(Accountability.measure, Accountability.decided_on, plan.lists["measures"]),
                           "referrals_pending": count(Accountability, Accountability.decided_on, Accountability.measure == "移交纪检",
                                                      Accountability.outcome.is_(None))},
        "opinions": {"total": count(Opinion, Opinion.received_on), "people": sum(people.values()),
                     "by_channel": channels, "people_by_channel": {k: people.get(k, 0) for k in channels},
                     "by_from": grouped(Opinion.from_group, Opinion.received_on, plan.lists["opinion_from"]),
                     "linked_to_issues": count(Opinion, Opinion.received_on, Opinion.issue_id.is_not(None)),
                     "published": count(Opinion, Opinion.received_on, Opinion.published_on.is_not(None))},
        "cases": {"total": sum(case_kinds.values()), "by_kind": case_kinds},
        "bulletins": count(Bulletin, Bulletin.issued_on),
    }
