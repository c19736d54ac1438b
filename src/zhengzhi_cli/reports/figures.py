"""The figures every report shares: SQL building blocks, per-unit fix figures and the issue cube
as of D (index-only scans; see the package docstring), THE 完成率, ranking, the report header."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, case, func, or_, select

from .. import fixes as fixes_mod
from .. import issues as issues_mod
from ..models import (
    Fix,
    Issue,
    Unit,
)
from ..register import plan_of
from ..vocab import FixStatus, IssueStatus
from .asof import FixOn, as_row, changes_after, issue_state_on
from .periods import Period, prepared_by

LIST_LIMIT = 1000  # rows per detail list in a report; the totals always count everything
FIX_STATES = (FixStatus.NOT_STARTED, FixStatus.IN_PROGRESS, FixStatus.DONE, FixStatus.VERIFIED)
ISSUE_STATES = (IssueStatus.NOT_FIXED, IssueStatus.FIXING, IssueStatus.FIXED, IssueStatus.CLOSED)
TIER_KEYS = (("蓝", "overdue_blue"), ("黄", "overdue_yellow"), ("红", "overdue_red"))

DEFINITIONS = [
    "完成率 =（已完成 + 已销号）÷ 整改时限在统计日及以前的整改事项数；长期坚持的整改事项不计入，单独列出。",
    "逾期：整改时限（统计日当天有效的时限；延期自批准之日起计）早于统计日、且到统计日仍未完成的整改事项；预警等级：蓝 逾期 1–7 天，黄 8–30 天，红 30 天以上。",
    "问题按发现日期计入；整改状态按统计日：完成日期、销号日期在统计日及以前的计为已完成、已销号，其余在统计日及以前已有进展（或导入时即为整改中）的计为整改中，否则为未开始；统计日以后的延期、退回不改变统计日的数字。",
    "问题状态由其整改事项得出：未整改（无整改或均未开始）、已整改（均已完成或已销号）、已销号（均已销号）、其余为整改中。",
    "没有问题的单位照列，不隐去；排名按完成率从高到低，无到期整改事项的单位不排名。",
]




# ---------------------------------------------------------------- SQL building blocks


def count_if(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def done_by(d):
    return and_(Fix.done_on.is_not(None), Fix.done_on <= d)


def open_at(d):
    return or_(Fix.done_on.is_(None), Fix.done_on > d)


def dated(d=None):
    """A fix with a deadline (not 长期坚持)."""
    return and_(Fix.ongoing.is_(False), Fix.deadline.is_not(None)) if d is None else and_(
        Fix.ongoing.is_(False), Fix.deadline.is_not(None), Fix.deadline <= d)




FIX_FIGURES = ("fixes", "ongoing", "not_started", "in_progress", "done", "verified", "due", "due_done", "overdue",
               "overdue_blue", "overdue_yellow", "overdue_red", "completed_in_period", "verified_in_period", "newly_overdue",
               "completed_in_prev", "verified_in_prev", "newly_overdue_prev", "prev_due", "prev_due_done", "prev_overdue",
               "prev_completed", "prev_verified")


PACK = 21  # bits per packed counter: a group (one unit, status, deadline) holds under 2^21 fixes


def _fix_groups(p: Period, *, packed: bool = True):
    """The fixes of the issues found by D (fix.issue_found_on), grouped by unit × status × deadline ×
    长期坚持 (an index-only scan of ix_fix_report_found, in order, no sort): the groups are bounded
    by units × days, not by the number of fixes. Within a
    group only completion and 销号 dates vary, so each group carries how many were done / verified
    by D (and, for a monthly report, by the ends of the two months before).

    With three cut-off days, the three counts ride in one SUM each (bits 0, 21 and 42 of a
    BIGINT): one CASE per row instead of three, which is what keeps 1M fixes well under a second."""
    days = [p.as_of] + ([p.prev_as_of, p.prev_start - dt.timedelta(days=1)] if p.prev_as_of else [])
    sums = []
    for col in (Fix.done_on, Fix.verified_on):
        if packed and len(days) > 1:
            whens = []
            # earliest cut-off first: done by dd0 counts for all three, by d0 for two, by D for one
            for i, day in reversed(list(enumerate(days))):
                whens.append((col <= day, sum(1 << (PACK * k) for k in range(i + 1))))
            sums.append(func.sum(case(*whens, else_=0)))
        else:
            sums += [func.sum(case((col <= day, 1), else_=0)) for day in days]
    return (select(Fix.unit_id, Fix.status, Fix.deadline, Fix.ongoing, func.count(), *sums)
            .where(Fix.issue_found_on <= p.as_of)
            .group_by(Fix.unit_id, Fix.status, Fix.deadline, Fix.ongoing))


def _unpack(row, n_days: int, packed: bool) -> tuple:
    """(uid, status, deadline, ongoing, n, done_d, ver_d, done_d0, ver_d0, done_dd0, ver_dd0) as ints."""
    head, rest = tuple(row[:5]), [int(x or 0) for x in row[5:]]
    if packed and n_days > 1:
        mask = (1 << PACK) - 1
        done = [(rest[0] >> (PACK * i)) & mask for i in range(n_days)]
        ver = [(rest[1] >> (PACK * i)) & mask for i in range(n_days)]
    else:
        done, ver = rest[:n_days], rest[n_days:]
    flat = []
    for i in range(n_days):
        flat += [done[i], ver[i]]
    return head + tuple(flat)


def _fold(out: dict, row, p: Period, sign: int) -> None:
    """Add one group's counts to its unit's figures (SPEC §2 overdue, tiers via fixes.tier)."""
    uid, status, deadline, ongoing, n, done_d, ver_d, *prev = row
    f = out[uid]
    n, done_d, ver_d = sign * n, sign * done_d, sign * ver_d
    f["fixes"] += n
    if prev:
        done_0, ver_0, done_00, ver_00 = (sign * x for x in prev)
        f["completed_in_period"] += done_d - done_0
        f["verified_in_period"] += ver_d - ver_0
        f["completed_in_prev"] += done_0 - done_00
        f["verified_in_prev"] += ver_0 - ver_00
    if ongoing or deadline is None:  # 长期坚持: counted apart, never due, never overdue
        f["ongoing"] += n
        return
    d = p.as_of
    open_d = n - done_d
    f["verified"] += ver_d
    f["done"] += done_d - ver_d
    f["not_started" if status == FixStatus.NOT_STARTED else "in_progress"] += open_d
    if deadline <= d:
        f["due"] += n
        f["due_done"] += done_d
    if deadline < d and open_d:
        f["overdue"] += open_d
        f[dict(TIER_KEYS)[fixes_mod.tier((d - deadline).days)]] += open_d
        if prev and deadline >= p.prev_as_of:
            f["newly_overdue"] += open_d
    if prev:
        d0, dd0 = p.prev_as_of, p.prev_start - dt.timedelta(days=1)
        f["prev_completed"] += done_0
        f["prev_verified"] += ver_0
        if deadline <= d0:
            f["prev_due"] += n
            f["prev_due_done"] += done_0
        if deadline < d0:
            f["prev_overdue"] += n - done_0
            if deadline >= dd0:
                f["newly_overdue_prev"] += n - done_0


def fix_figures(session, p: Period) -> dict[int, dict]:
    """Per unit, every fix figure of the issues found by D."""
    n_days = 3 if p.prev_as_of else 1
    groups = session.execute(_fix_groups(p)).all()
    packed = not any(row[4] >> PACK for row in groups)
    if not packed:  # a group too big to pack (not seen in practice): count again, one SUM per day
        groups = session.execute(_fix_groups(p, packed=False)).all()
    out: dict[int, dict] = defaultdict(lambda: dict.fromkeys(FIX_FIGURES, 0))
    for row in groups:
        _fold(out, _unpack(row, n_days, packed), p, +1)
    if issues_mod.live(session, Fix.issue_id, p.as_of):  # the fixes of void issues, taken back out (few: by ix_fix_issue_state)
        void = _fix_groups(p, packed=packed).where(Fix.issue_id.in_(issues_mod.void_ids_query(p.as_of)))
        for row in session.execute(void).all():
            _fold(out, _unpack(row, n_days, packed), p, -1)
    days = [p.as_of] + ([p.prev_as_of, p.prev_start - dt.timedelta(days=1)] if p.prev_as_of else [])
    for c in changes_after(session, p.as_of):  # as they stood on D: the deadline then in force, done then
        _fold(out, as_row(c.now, c.unit_id, days), p, -1)
        _fold(out, as_row(c.then, c.unit_id, days), p, +1)
    return out




ISSUE_SHIFT = 32  # issue_cube packs two counts in one SUM: verified by D (high bits), completed by D (low)


def issue_cube(session, p: Period) -> list[tuple]:
    """(unit_id, area, source, status, n) for issues found by D, status as of D (SPEC §2).

    One GROUP BY over the stored (today's) status of the issues found by D, an index-only scan of
    ix_issue_report_asof in order, counting in each group the issues whose fixes were all verified
    by D (fixes_verified_on) and, of the rest, all completed by D (fixes_done_on): those were
    已销号 / 已整改 on D. The others were 整改中, or 未整改 if none of their fixes is started now
    (a fix is started once it is 整改中, and completion and 销号 come only after that)."""
    d = p.as_of
    packed = func.sum(case((Issue.fixes_verified_on <= d, 1 << ISSUE_SHIFT), (Issue.fixes_done_on <= d, 1), else_=0))
    q = (select(Issue.unit_id, Issue.area, Issue.source, Issue.status, func.count(), packed)
         .where(Issue.found_on <= d).group_by(Issue.unit_id, Issue.status, Issue.area, Issue.source))
    cube: dict[tuple, int] = defaultdict(int)
    mask = (1 << ISSUE_SHIFT) - 1
    runs = [(q, 1)]
    if issues_mod.live(session, Issue.id, d):  # void issues, taken back out (few: by ix_issue_void)
        runs.append((q.where(Issue.id.in_(issues_mod.void_ids_query(d))), -1))
    for query, sign in runs:
        for u, a, s, st, n, both in session.execute(query):
            both = int(both or 0)
            verified, completed = both >> ISSUE_SHIFT, both & mask
            cube[(u, a, s, IssueStatus.CLOSED)] += sign * verified
            cube[(u, a, s, "已整改")] += sign * completed
            cube[(u, a, s, IssueStatus.NOT_FIXED if st == IssueStatus.NOT_FIXED else IssueStatus.FIXING)] += sign * (n - verified - completed)
    changed = {c.fix_id: c.then for c in changes_after(session, d)}
    issue_ids = sorted({c.issue_id for c in changes_after(session, d)})
    for start in range(0, len(issue_ids), 500):  # the issues of those fixes, their status on D again
        chunk = issue_ids[start:start + 500]
        stored = session.execute(select(Issue.id, Issue.unit_id, Issue.area, Issue.source, Issue.status, Issue.fixes_done_on,
                                        Issue.fixes_verified_on).where(Issue.id.in_(chunk), Issue.found_on <= d)).all()
        for _, u, a, s, st, done_on, verified_on in stored:  # by primary key: each as the grouped scan counted it
            if verified_on is not None and verified_on <= d:
                cube[(u, a, s, IssueStatus.CLOSED)] -= 1
            elif done_on is not None and done_on <= d:
                cube[(u, a, s, "已整改")] -= 1
            else:
                cube[(u, a, s, IssueStatus.NOT_FIXED if st == IssueStatus.NOT_FIXED else IssueStatus.FIXING)] -= 1
        fixes_of: dict[int, list[FixOn]] = defaultdict(list)
        for fid, iid, status, deadline, ongoing, done_on, verified_on in session.execute(
                select(Fix.id, Fix.issue_id, Fix.status, Fix.deadline, Fix.ongoing, Fix.done_on, Fix.verified_on)
                .where(Fix.issue_id.in_(chunk))):
            fixes_of[iid].append(changed.get(fid) or FixOn(status, deadline, bool(ongoing), done_on, verified_on))
        for iid, u, a, s, *_ in stored:
            cube[(u, a, s, issue_state_on(fixes_of.get(iid, []), d))] += 1
    return [(u, a, s, st, n) for (u, a, s, st), n in cube.items() if n]




def issues_found(session, start: dt.date, end: dt.date) -> dict[int, int]:
    rows = session.execute(select(Issue.unit_id, func.count()).where(Issue.found_on >= start, Issue.found_on <= end,
                                                                     *issues_mod.live(session, Issue.id, end))
                           .group_by(Issue.unit_id))
    return {u: n for u, n in rows}


def all_units(session) -> list:
    parent = Unit.__table__.alias("parent")
    q = (select(Unit.id, Unit.code, Unit.name, Unit.kind, parent.c.name)
         .outerjoin(parent, parent.c.id == Unit.parent_id)
         .order_by(func.coalesce(Unit.code, "~"), Unit.id))
    return session.execute(q).all()


def rate(done: int, due: int) -> float | None:
    """THE 完成率 (README “完成率口径”): done ÷ due as a fraction rounded half up to a tenth of a
    percentage point (0.4915 → 0.492), in exact integer arithmetic, so the terminal, JSON and the
    workbook (format 0.0%) all show the same figure; None when nothing is due."""
    if not due:
        return None
    return ((2000 * done + due) // (2 * due)) / 1000


def pct_text(value: float | None) -> str:
    """A rate from `rate` as text: 0.492 → “49.2%”; None → “—”."""
    return "—" if value is None else f"{round(value * 1000) / 10:.1f}%"


def points_text(delta: float | None) -> str:
    """A change of rate in 个百分点: 0.029 → “+2.9 个百分点”, -0.029 → “-2.9 个百分点”."""
    if delta is None:
        return "—"
    tenths = round(delta * 1000)
    return "持平" if tenths == 0 else f"{'+' if tenths > 0 else '-'}{abs(tenths) / 10:.1f} 个百分点"


def worst_first(units: list[dict]) -> list[dict]:
    """Units worst first: the lowest 完成率, then the most overdue; units with nothing due last."""
    return sorted(units, key=lambda u: (u["completion_rate"] is None, u["completion_rate"] or 0, -u["overdue"]))


def rank(rows: list[dict]) -> None:
    """Competition ranking (1, 2, 2, 4) by completion rate; units with nothing due are not ranked."""
    ranked = sorted((r for r in rows if r["completion_rate"] is not None), key=lambda r: -r["completion_rate"])
    for i, r in enumerate(ranked):
        r["rank"] = ranked[i - 1]["rank"] if i and r["completion_rate"] == ranked[i - 1]["completion_rate"] else i + 1
    for r in rows:
        r.setdefault("rank", None)




def header(session, kind: str, title: str, p: Period) -> dict:
    plan = plan_of(session)
    cur = plan.current_phase(p.as_of)
    return {
        "report": kind, "title": title, "plan": plan.name, "period": p.label, "start": p.start.isoformat(),
        "as_of": p.as_of.isoformat(), "prepared_by": prepared_by(plan), "prepared_on": dt.date.today().isoformat(),
        "current_phase": {"no": cur.no, "name": cur.name, "start": cur.start.isoformat(), "end": cur.end.isoformat()} if cur else None,
        "definitions": DEFINITIONS,
    }


def shown(core: dict) -> dict:
    return {k: v for k, v in core.items() if k not in ("fixfig", "units_rows")}


