"""Supervision figures: rules 立/改/废, 四查四看, inspections, accountability, opinions, typical cases."""

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
    units = all_units(session)
    d = as_of
    rules: dict[int, dict] = defaultdict(lambda: {a: {"total": 0, "done": 0} for a in plan.lists["rule_actions"]})
    for uid, action, total, done in session.execute(
        select(Rule.unit_id, Rule.action, func.count(), count_if(and_(Rule.done_on.is_not(None), Rule.done_on <= d)))
        .group_by(Rule.unit_id, Rule.action)
    ):
        rules[uid].setdefault(action, {"total": 0, "done": 0})
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
    acc_by_unit = dict(session.execute(select(Accountability.unit_id, func.count()).where(Accountability.decided_on <= d)
                                       .group_by(Accountability.unit_id)).all())
    op_by_unit = dict(session.execute(select(Opinion.unit_id, func.count()).where(Opinion.received_on <= d)
                                      .group_by(Opinion.unit_id)).all())
    case_day = func.coalesce(TypicalCase.published_on, TypicalCase.happened_on)
    case_seen = or_(case_day.is_(None), case_day <= d)
    cases_by_unit: dict[int, dict] = defaultdict(dict)
    for uid, kind, n in session.execute(select(TypicalCase.unit_id, TypicalCase.kind, func.count()).where(case_seen)
                                        .group_by(TypicalCase.unit_id, TypicalCase.kind)):
        cases_by_unit[uid][kind] = n

    unit_rows = []
    for uid, code, name, kind, parent in units:
        r = rules[uid] if uid in rules else {a: {"total": 0, "done": 0} for a in plan.lists["rule_actions"]}
        items = checks.get(uid, {})
        n_insp, last_insp = inspected.get(uid, (0, None))
        unit_rows.append({
            "unit": name, "kind": kind,
            "rules": {a: r.get(a, {"total": 0, "done": 0}) for a in plan.lists["rule_actions"]},
            "rules_total": sum(v["total"] for v in r.values()), "rules_done": sum(v["done"] for v in r.values()),
            "checks": [items[c.no].isoformat() if c.no in items else None for c in plan.checks],
            "checks_done": len(items),
            "inspections": n_insp, "last_inspected_on": last_insp.isoformat() if last_insp else None,
            "accountability": acc_by_unit.get(uid, 0), "opinions": op_by_unit.get(uid, 0),
            "cases": {k: cases_by_unit.get(uid, {}).get(k, 0) for k in plan.lists["case_kinds"]},
        })

    def by(col, model, date_col, allowed, extra=None):
        counts = dict.fromkeys(allowed, 0)
        cols = [col, func.count()] + ([func.coalesce(func.sum(extra), 0)] if extra is not None else [])
        rows = session.execute(select(*cols).where(date_col <= d).group_by(col)).all()
        sums = {}
        for row in rows:
            counts[row[0]] = row[1]
            if extra is not None:
                sums[row[0]] = int(row[2])
        return counts, sums

    insp_kinds, _ = by(Inspection.kind, Inspection, Inspection.inspected_on, plan.lists["inspection_kinds"])
    measures, _ = by(Accountability.measure, Accountability, Accountability.decided_on, plan.lists["measures"])
    channels, people = by(Opinion.channel, Opinion, Opinion.received_on, plan.lists["channels"], Opinion.people)
    groups, _ = by(Opinion.from_group, Opinion, Opinion.received_on, plan.lists["opinion_from"])
    case_kinds = dict.fromkeys(plan.lists["case_kinds"], 0)
    for kind, n in session.execute(select(TypicalCase.kind, func.count()).where(case_seen).group_by(TypicalCase.kind)):
        case_kinds[kind] = n
    case_rows = [{"kind": k, "unit": u, "title": t, "happened_on": h.isoformat() if h else None,
                  "published_on": pub.isoformat() if pub else None, "published_where": where}
                 for k, u, t, h, pub, where in session.execute(
                     select(TypicalCase.kind, Unit.name, TypicalCase.title, TypicalCase.happened_on, TypicalCase.published_on,
                            TypicalCase.published_where).join(Unit, Unit.id == TypicalCase.unit_id)
                     .where(case_seen).order_by(TypicalCase.kind, case_day, TypicalCase.id).limit(LIST_LIMIT))]
    units_inspected = sum(1 for r in unit_rows if r["inspections"])
    return {
        "check_names": [c.check for c in plan.checks], "case_kinds": list(plan.lists["case_kinds"]),
        "units": unit_rows,
        "rules": {a: {"total": sum(r["rules"][a]["total"] for r in unit_rows), "done": sum(r["rules"][a]["done"] for r in unit_rows)}
                  for a in plan.lists["rule_actions"]},
        "checks_done": {"units_all_four": sum(1 for r in unit_rows if r["checks_done"] >= len(plan.checks)),
                        "records": [sum(1 for r in unit_rows if r["checks"][i]) for i in range(len(plan.checks))]},
        "inspections": {"total": sum(insp_kinds.values()), "by_kind": insp_kinds, "units_inspected": units_inspected},
        "accountability": {"total": sum(measures.values()), "by_measure": measures},
        "opinions": {"total": sum(channels.values()), "by_channel": channels, "people_by_channel": {k: people.get(k, 0) for k in channels},
                     "by_from": groups},
        "cases": {"total": sum(case_kinds.values()), "by_kind": case_kinds, "rows": case_rows},
    }


def month_supervision(session, start: dt.date, end: dt.date) -> dict:
    """The month's phase-3 work: inspections by kind, accountability by measure, opinions by
    channel, typical cases by kind (supervision.figures), and the rows the reports show."""
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
    """What the monthly and summary reports count from the supervision tables, for dates
    in [start, end] (either open): inspections by kind (and units inspected), accountability
    by measure (and 移交纪检 awaiting an outcome), opinions by channel and by group (with the
    people who gave them), typical cases by kind, bulletins issued."""
    from sqlmodel import select  # session.exec: one column reads as its value

    from ..models import Bulletin
    from ..register import plan_of

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
