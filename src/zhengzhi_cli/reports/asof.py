"""History (SPEC §5a): what the stored rows tell wrongly about an earlier day D.

An extension approved after D (the deadline in force on D was the one before it), a 退回 after D
(the fix was done on D), a fix's first step after D (it was 未开始 on D): those few fixes
(`changed_since`, a range of ix_fix_event_kind_day) are replayed from their events as they stood
on D. Every as-of figure — reports, `issue list`, `fix list`, the public report — uses them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from .. import issues as issues_mod
from ..models import (
    Fix,
    FixEvent,
)
from ..vocab import FixStatus, IssueStatus


@dataclass(frozen=True)
class FixOn:
    """One fix as it stood on a day: what the figures need of it."""
    status: str
    deadline: dt.date | None
    ongoing: bool
    done_on: dt.date | None
    verified_on: dt.date | None


@dataclass(frozen=True)
class Changed:
    """A fix whose record changed after D in a way its dates do not tell: an extension approved
    after D (the deadline in force on D was the one before it), a 退回 after D (it was done on D),
    or its first step taken after D (it was 未开始 on D)."""
    fix_id: int
    issue_id: int
    unit_id: int
    now: FixOn
    then: FixOn


STARTS = ("进展", "完成")


def changed_since(session, d: dt.date) -> list[Changed]:
    """The fixes (of issues found by D, not void by D) whose stored row tells D's state wrongly.

    Found by the events after D (a range of ix_fix_event_kind_day: few for a recent D), each fix
    then replayed from its own events."""
    ev = FixEvent
    cand = select(ev.fix_id).where(ev.kind.in_(("延期", "退回", "回头看", *STARTS)), ev.happened_on > d).distinct()
    ids = list(session.execute(cand).scalars())
    out: list[Changed] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = session.execute(
            select(Fix.id, Fix.issue_id, Fix.unit_id, Fix.status, Fix.deadline, Fix.ongoing, Fix.done_on, Fix.verified_on)
            .where(Fix.id.in_(chunk), Fix.issue_found_on <= d, *issues_mod.live(session, Fix.issue_id, d))).all()
        events: dict[int, list] = defaultdict(list)
        for e in session.execute(select(ev.fix_id, ev.kind, ev.happened_on, ev.old_deadline, ev.prior_done_on, ev.new_deadline)
                                 .where(ev.fix_id.in_([r[0] for r in rows]))
                                 .order_by(ev.fix_id, ev.happened_on, ev.id)):
            events[e[0]].append(e[1:])
        for fid, iid, uid, status, deadline, ongoing, done_on, verified_on in rows:
            now = FixOn(status, deadline, bool(ongoing), done_on, verified_on)
            then = _replay(now, events[fid], d)
            if then != now:
                out.append(Changed(fid, iid, uid, now, then))
    return out


def _deadline_then(now: FixOn, after: list) -> tuple[dt.date | None, bool]:
    """The deadline in force on D: the one the first 延期 after D, or failed 回头看 that set a new one,
    replaced (a reopened fix that had none was 长期坚持: recheck.record clears ongoing when it sets one)."""
    first = next(((kind, old) for kind, _, old, _, new in after if kind == "延期" or (kind == "回头看" and new)), None)
    if first is None:
        return now.deadline, now.ongoing
    return first[1], now.ongoing or (first[0] == "回头看" and first[1] is None)


def _replay(now: FixOn, events: list, d: dt.date) -> FixOn:
    after = [e for e in events if e[1] > d]
    deadline, ongoing = _deadline_then(now, after)
    done_on = now.done_on
    # 退回, or a failed 回头看 (which keeps the completion day it took back): done on D only if that came by D
    back = next(((prior,) for kind, _, _, prior, _ in after if kind == "退回" or (kind == "回头看" and prior)), None)
    if back is not None:  # returned after D: done on D only if its earlier completion came by D
        done_on = back[0] if back[0] is not None and back[0] <= d else None
    status = now.status
    starts = [e for e in events if e[0] in STARTS]
    if status != FixStatus.NOT_STARTED and starts and all(day > d for _, day, *_ in starts):
        status = FixStatus.NOT_STARTED  # its first step was taken after D (a row that came in already started has none)
    elif status in (FixStatus.DONE, FixStatus.VERIFIED) and not (done_on is not None and done_on <= d):
        status = FixStatus.IN_PROGRESS
    verified_on = now.verified_on
    if any(kind == "回头看" and prior for kind, _, _, prior, _ in after):  # reopened after D: its 销号 as it stood on D
        verified_on = max((day for kind, day, *_ in events if kind == "销号" and day <= d), default=None)
    return FixOn(status, deadline, ongoing, done_on, verified_on if done_on else None)


def as_row(f: FixOn, uid: int, days: list[dt.date]) -> tuple:
    """One fix as a group row of `_unpack`'s shape (n = 1)."""
    flat = []
    for day in days:
        flat += [int(f.done_on is not None and f.done_on <= day), int(f.verified_on is not None and f.verified_on <= day)]
    return (uid, f.status, f.deadline, f.ongoing, 1, *flat)


def overdue_on(f: FixOn, d: dt.date) -> bool:
    return (not f.ongoing and f.deadline is not None and f.deadline < d
            and not (f.done_on is not None and f.done_on <= d))




def changes_after(session, d: dt.date) -> list[Changed]:
    key = ("zz.changed_since", d)
    if key not in session.info:
        session.info[key] = changed_since(session, d)
    return session.info[key]



def issue_state_on(fixes: list[FixOn], d: dt.date) -> str:
    """SPEC §2, from its fixes as they stood on D."""
    if fixes and all(f.verified_on is not None and f.verified_on <= d for f in fixes):
        return IssueStatus.CLOSED
    if fixes and all(f.done_on is not None and f.done_on <= d for f in fixes):
        return IssueStatus.FIXED
    return IssueStatus.FIXING if any(f.status != FixStatus.NOT_STARTED for f in fixes) else IssueStatus.NOT_FIXED


