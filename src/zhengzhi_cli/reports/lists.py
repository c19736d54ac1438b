"""The bounded detail lists of a report: overdue (worst first), 临期 (nearest first), new issues, 销号."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select, union

from .. import fixes as fixes_mod
from .. import issues as issues_mod
from ..models import (
    Fix,
    FixEvent,
    Issue,
    Unit,
)
from ..register import plan_of
from ..vocab import FixStatus
from .asof import changes_after, overdue_on
from .figures import LIST_LIMIT, open_at


def overdue_list(session, as_of: dt.date, *, total: int | None = None, limit: int = LIST_LIMIT) -> dict:
    """Every fix overdue on D, worst first (capped at `limit` rows; `total` is the full count).

    Overdue fixes are the open ones with a past deadline (a range of ix_fix_status_deadline) and
    the ones completed only after D (a range of ix_fix_done_on): both bounded by what is overdue.
    The few fixes whose record changed after D (`changed_since`) are judged as they stood on D."""
    late = fixes_mod.overdue_clause(as_of)
    live = issues_mod.live(session, Fix.issue_id, as_of)
    open_late = select(Fix.id, Fix.deadline).where(Fix.status.in_(fixes_mod.OPEN), Fix.deadline < as_of, late, *live)
    done_later = select(Fix.id, Fix.deadline).where(Fix.done_on > as_of, Fix.deadline < as_of, late, *live)
    ids = union(open_late, done_later).subquery()
    changed = {c.fix_id: c for c in changes_after(session, as_of)}
    if total is None:
        total = session.execute(select(func.count()).select_from(ids)).scalar_one()
        total += sum(overdue_on(c.then, as_of) - overdue_on(c.now, as_of) for c in changed.values())
    # pick the worst `limit` by (deadline, id) before joining anything: the sort sees only two columns
    top = select(ids.c.id, ids.c.deadline).order_by(ids.c.deadline, ids.c.id)
    if limit:
        top = top.limit(limit + len(changed))
    picked = [(dl, fid) for fid, dl in session.execute(top) if fid not in changed]
    picked += [(c.then.deadline, fid) for fid, c in changed.items() if overdue_on(c.then, as_of)]
    picked.sort()
    if limit:
        picked = picked[:limit]
    deadline_on = {fid: dl for dl, fid in picked}
    details = {}
    for start in range(0, len(picked), 500):
        chunk = [fid for _, fid in picked[start:start + 500]]
        q = (select(Fix.id, Unit.name, Issue.description, Fix.task, Fix.leader, Fix.owner, Fix.original_deadline, Fix.status)
             .join(Unit, Unit.id == Fix.unit_id).join(Issue, Issue.id == Fix.issue_id)
             .where(Fix.id.in_(chunk), Issue.found_on <= as_of))
        details.update({r[0]: r[1:] for r in session.execute(q)})
    rows = []
    for deadline, fid in picked:
        if fid not in details:
            continue
        unit, desc, task, leader, owner, original, status = details[fid]
        if fid in changed:
            status = changed[fid].then.status
        days = (as_of - deadline_on[fid]).days
        rows.append({"fix_id": fid, "unit": unit, "issue": desc, "task": task, "leader": leader, "owner": owner,
                     "deadline": deadline.isoformat(),
                     # the first deadline, once an extension was in force on D
                     "original_deadline": original.isoformat() if original and original != deadline else None,
                     "status": FixStatus.IN_PROGRESS if status in (FixStatus.DONE, FixStatus.VERIFIED) else status,
                     "days_late": days, "tier": fixes_mod.tier(days)})
    return {"total": total, "listed": len(rows), "rows": rows}


SOON_DAYS = 7  # 临期: deadline within this many days after the statistics date


def due_soon_list(session, as_of: dt.date, *, days: int = SOON_DAYS, limit: int = LIST_LIMIT) -> dict:
    """临期: the fixes open on D whose deadline in force on D falls in the next `days` days, the
    nearest first (capped at `limit` rows; `total` counts them all). Fixes changed after D are
    judged as they stood on D, like the overdue list."""
    until = as_of + dt.timedelta(days=days)
    changed = {c.fix_id: c for c in changes_after(session, as_of)}
    where = and_(Fix.ongoing.is_(False), Fix.deadline > as_of, Fix.deadline <= until, open_at(as_of),
                 Fix.issue_found_on <= as_of, *issues_mod.live(session, Fix.issue_id, as_of))
    # the open ones (a range of ix_fix_status_deadline) and the ones completed only after D (of ix_fix_done_on)
    ids = union(select(Fix.id, Fix.deadline).where(Fix.status.in_(fixes_mod.OPEN), where),
                select(Fix.id, Fix.deadline).where(Fix.done_on > as_of, where)).subquery()
    picked = [(dl, fid) for fid, dl in session.execute(select(ids.c.id, ids.c.deadline)) if fid not in changed]
    picked += [(c.then.deadline, fid) for fid, c in changed.items()
               if not c.then.ongoing and c.then.deadline is not None and as_of < c.then.deadline <= until
               and not (c.then.done_on is not None and c.then.done_on <= as_of)]
    picked.sort()
    total = len(picked)
    if limit:
        picked = picked[:limit]
    details = {}
    for start in range(0, len(picked), 500):
        chunk = [fid for _, fid in picked[start:start + 500]]
        q = (select(Fix.id, Unit.name, Issue.description, Fix.task, Fix.leader, Fix.owner, Fix.status)
             .join(Unit, Unit.id == Fix.unit_id).join(Issue, Issue.id == Fix.issue_id).where(Fix.id.in_(chunk)))
        details.update({r[0]: r[1:] for r in session.execute(q)})
    rows = []
    for deadline, fid in picked:
        unit, desc, task, leader, owner, status = details[fid]
        status = changed[fid].then.status if fid in changed else status
        rows.append({"fix_id": fid, "unit": unit, "issue": desc, "task": task, "leader": leader, "owner": owner,
                     "deadline": deadline.isoformat(), "days_left": (deadline - as_of).days,
                     "status": FixStatus.IN_PROGRESS if status in (FixStatus.DONE, FixStatus.VERIFIED) else status})
    return {"total": total, "listed": len(rows), "rows": rows, "until": until.isoformat()}


def new_issues_list(session, start: dt.date, end: dt.date, *, limit: int = LIST_LIMIT) -> dict:
    plan = plan_of(session)
    where = and_(Issue.found_on >= start, Issue.found_on <= end, *issues_mod.live(session, Issue.id, end))
    total = session.execute(select(func.count()).select_from(Issue).where(where)).scalar_one()
    q = (select(Issue.id, Unit.name, Issue.area, Issue.source, Issue.description, Issue.found_on, Issue.leader, Issue.owner)
         .join(Unit, Unit.id == Issue.unit_id).where(where).order_by(Issue.found_on, Issue.id))
    if limit:
        q = q.limit(limit)
    rows = [{"issue_id": i, "unit": u, "area": plan.areas[a - 1].name, "source": s, "description": desc,
             "found_on": f.isoformat(), "leader": leader, "owner": owner}
            for i, u, a, s, desc, f, leader, owner in session.execute(q)]
    return {"total": total, "listed": len(rows), "rows": rows}


def verified_list(session, start: dt.date, end: dt.date, *, limit: int = LIST_LIMIT) -> dict:
    # a fix reopened after the period (a failed 回头看) was verified in it all the same
    back = {c.fix_id: c.then for c in changes_after(session, end) if c.now.verified_on is None
            and c.then.verified_on is not None and start <= c.then.verified_on <= end}
    where = and_(Fix.verified_on >= start, Fix.verified_on <= end)
    where = and_(or_(where, Fix.id.in_(list(back))) if back else where, *issues_mod.live(session, Fix.issue_id, end))
    total = session.execute(select(func.count()).select_from(Fix).where(where)).scalar_one()
    q = (select(Fix.id, Unit.name, Issue.description, Fix.task, Fix.owner, Fix.deadline, Fix.done_on,
                Fix.verified_on, Fix.verified_by)
         .join(Unit, Unit.id == Fix.unit_id).join(Issue, Issue.id == Fix.issue_id)
         .where(where).order_by(Fix.verified_on, Fix.id))
    if limit and not back:
        q = q.limit(limit)
    found = [list(r) for r in session.execute(q)]
    if back:
        found = _as_verified_then(session, found, back)[:limit or None]
    rows = [{"fix_id": i, "unit": u, "issue": desc, "task": task, "owner": owner,
             "deadline": dl.isoformat() if dl else "长期坚持", "done_on": done.isoformat() if done else None,
             "verified_on": v.isoformat(), "verified_by": by}
            for i, u, desc, task, owner, dl, done, v, by in found]
    return {"total": total, "listed": len(rows), "rows": rows}


def _as_verified_then(session, found: list[list], back: dict) -> list[list]:
    """The rows of fixes reopened after the period as they stood at its end, the verifier from the 销号 event."""
    by_of = {(f, day): actor for f, day, actor in session.execute(
        select(FixEvent.fix_id, FixEvent.happened_on, FixEvent.actor).where(
            FixEvent.fix_id.in_(list(back)), FixEvent.kind == "销号").order_by(FixEvent.id))}
    for r in found:
        if r[0] in back:
            r[5], r[6], r[7], r[8] = (back[r[0]].deadline, back[r[0]].done_on, back[r[0]].verified_on,
                                      by_of.get((r[0], back[r[0]].verified_on)))
    return sorted(found, key=lambda r: (r[7], r[0]))


