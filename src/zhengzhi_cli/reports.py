"""Leadership reports: the figures behind `zz report phases|monthly|summary`.

One dict per report is the single source of truth: `--json` prints it, the rich tables
and the workbook (`excel/reports.py`) render it, so the three can never disagree.

Every figure is a SQL aggregate; rows are fetched only for the bounded lists (overdue
fixes, this month's new issues and 销号), which are capped at `limit` rows.

Figures are "as of" a date D (SPEC: `--as-of`): an issue counts from its 发现日期; a fix
counts as 已完成/已销号 on D if its 完成日期/销号日期 is on or before D, otherwise it is
open (未开始 or 整改中 as registered). Stored statuses are today's; to report an earlier
D, each issue carries the days its fixes were all completed / all verified and each fix its
issue's 发现日期 (schema v5), so the figures as of D are index-only scans whatever D is
(see `_issue_cube`, `_fix_groups`).

What the dates on a row cannot tell (SPEC §5a) comes from the events after D: an extension
approved after D (the deadline in force on D was the one before it), a 退回 after D (the fix was
done on D), a fix's first step after D (it was 未开始 on D). Those few fixes (`changed_since`, a
range of ix_fix_event_kind_day) are taken back out of the grouped figures as stored and put in
again as they stood on D, so the scans stay index-only whatever D is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, case, func, or_, select, union

from . import fixes as fixes_mod
from . import issues as issues_mod
from .errors import Invalid
from .models import (
    Accountability, CheckRecord, Fix, FixEvent, Inspection, InspectionUnit, Issue, Opinion, Rule, TypicalCase, Unit,
)
from .register import plan_of

LIST_LIMIT = 1000  # rows per detail list in a report; the totals always count everything
FIX_STATES = ("未开始", "整改中", "已完成", "已销号")
ISSUE_STATES = ("未整改", "整改中", "已整改", "已销号")
TIER_KEYS = (("蓝", "overdue_blue"), ("黄", "overdue_yellow"), ("红", "overdue_red"))

DEFINITIONS = [
    "完成率 =（已完成 + 已销号）÷ 整改时限在统计日及以前的整改事项数；长期坚持的整改事项不计入，单独列出。",
    "逾期：整改时限（统计日当天有效的时限；延期自批准之日起计）早于统计日、且到统计日仍未完成的整改事项；预警等级：蓝 逾期 1–7 天，黄 8–30 天，红 30 天以上。",
    "问题按发现日期计入；整改状态按统计日：完成日期、销号日期在统计日及以前的计为已完成、已销号，其余在统计日及以前已有进展（或导入时即为整改中）的计为整改中，否则为未开始；统计日以后的延期、退回不改变统计日的数字。",
    "问题状态由其整改事项得出：未整改（无整改或均未开始）、已整改（均已完成或已销号）、已销号（均已销号）、其余为整改中。",
    "没有问题的单位照列，不隐去；排名按完成率从高到低，无到期整改事项的单位不排名。",
]


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    label: str  # 2017-06, or 全程
    start: dt.date
    as_of: dt.date  # D: figures as if today were this day
    prev_as_of: dt.date | None = None  # end of last month: "what changed since"
    prev_start: dt.date | None = None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_month(value: str) -> tuple[int, int]:
    text = re.sub(r"\s+", "", str(value)).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    m = re.fullmatch(r"(\d{4})(?:[-/.年])(\d{1,2})月?", text) or re.fullmatch(r"(\d{4})(\d{2})", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise Invalid(f"月份（--month）：无法识别“{value}”，请写成 2017-06 或 2017年6月", field="month")
    return int(m.group(1)), int(m.group(2))


def month_period(month: str | None, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Period:
    """A calendar month; D is the month's last day, or today while the month is still running."""
    today = today or dt.date.today()
    if month:
        year, mon = parse_month(month)
    else:
        base = as_of or today
        year, mon = base.year, base.month
    start = dt.date(year, mon, 1)
    end = min(_month_end(year, mon), today) if as_of is None else as_of
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


# ---------------------------------------------------------------- SQL building blocks


def _n(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _done_by(d):
    return and_(Fix.done_on.is_not(None), Fix.done_on <= d)


def _open_at(d):
    return or_(Fix.done_on.is_(None), Fix.done_on > d)


def _dated(d=None):
    """A fix with a deadline (not 长期坚持)."""
    return and_(Fix.ongoing.is_(False), Fix.deadline.is_not(None)) if d is None else and_(
        Fix.ongoing.is_(False), Fix.deadline.is_not(None), Fix.deadline <= d)


# ---------------------------------------------------------------- history (SPEC §5a)


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
    cand = select(ev.fix_id).where(ev.kind.in_(("延期", "退回", *STARTS)), ev.happened_on > d).distinct()
    ids = list(session.execute(cand).scalars())
    out: list[Changed] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = session.execute(
            select(Fix.id, Fix.issue_id, Fix.unit_id, Fix.status, Fix.deadline, Fix.ongoing, Fix.done_on, Fix.verified_on)
            .where(Fix.id.in_(chunk), Fix.issue_found_on <= d, *issues_mod.live(session, Fix.issue_id, d))).all()
        events: dict[int, list] = defaultdict(list)
        for e in session.execute(select(ev.fix_id, ev.kind, ev.happened_on, ev.old_deadline, ev.prior_done_on)
                                 .where(ev.fix_id.in_([r[0] for r in rows]))
                                 .order_by(ev.fix_id, ev.happened_on, ev.id)):
            events[e[0]].append(e[1:])
        for fid, iid, uid, status, deadline, ongoing, done_on, verified_on in rows:
            now = FixOn(status, deadline, bool(ongoing), done_on, verified_on)
            then = _replay(now, events[fid], d)
            if then != now:
                out.append(Changed(fid, iid, uid, now, then))
    return out


def _replay(now: FixOn, events: list, d: dt.date) -> FixOn:
    after = [e for e in events if e[1] > d]
    deadline = next((old for kind, _, old, _ in after if kind == "延期"), now.deadline)
    done_on = now.done_on
    back = next(((prior,) for kind, _, _, prior in after if kind == "退回"), None)
    if back is not None:  # returned after D: done on D only if its earlier completion came by D
        done_on = back[0] if back[0] is not None and back[0] <= d else None
    status = now.status
    starts = [e for e in events if e[0] in STARTS]
    if status != "未开始" and starts and all(day > d for _, day, _, _ in starts):
        status = "未开始"  # its first step was taken after D (a row that came in already started has none)
    elif status in ("已完成", "已销号") and not (done_on is not None and done_on <= d):
        status = "整改中"
    return FixOn(status, deadline, now.ongoing, done_on, now.verified_on if done_on else None)


def _as_row(f: FixOn, uid: int, days: list[dt.date]) -> tuple:
    """One fix as a group row of `_unpack`'s shape (n = 1)."""
    flat = []
    for day in days:
        flat += [int(f.done_on is not None and f.done_on <= day), int(f.verified_on is not None and f.verified_on <= day)]
    return (uid, f.status, f.deadline, f.ongoing, 1, *flat)


def overdue_on(f: FixOn, d: dt.date) -> bool:
    return (not f.ongoing and f.deadline is not None and f.deadline < d
            and not (f.done_on is not None and f.done_on <= d))


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
    f["not_started" if status == "未开始" else "in_progress"] += open_d
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


def _fix_figures(session, p: Period) -> dict[int, dict]:
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
    for c in _changed(session, p.as_of):  # as they stood on D: the deadline then in force, done then
        _fold(out, _as_row(c.now, c.unit_id, days), p, -1)
        _fold(out, _as_row(c.then, c.unit_id, days), p, +1)
    return out


def _changed(session, d: dt.date) -> list[Changed]:
    key = ("zz.changed_since", d)
    if key not in session.info:
        session.info[key] = changed_since(session, d)
    return session.info[key]


ISSUE_SHIFT = 32  # _issue_cube packs two counts in one SUM: verified by D (high bits), completed by D (low)


def _issue_cube(session, p: Period) -> list[tuple]:
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
            cube[(u, a, s, "已销号")] += sign * verified
            cube[(u, a, s, "已整改")] += sign * completed
            cube[(u, a, s, "未整改" if st == "未整改" else "整改中")] += sign * (n - verified - completed)
    changed = {c.fix_id: c.then for c in _changed(session, d)}
    issue_ids = sorted({c.issue_id for c in _changed(session, d)})
    for start in range(0, len(issue_ids), 500):  # the issues of those fixes, their status on D again
        chunk = issue_ids[start:start + 500]
        stored = session.execute(select(Issue.id, Issue.unit_id, Issue.area, Issue.source, Issue.status, Issue.fixes_done_on,
                                        Issue.fixes_verified_on).where(Issue.id.in_(chunk), Issue.found_on <= d)).all()
        for _, u, a, s, st, done_on, verified_on in stored:  # by primary key: each as the grouped scan counted it
            if verified_on is not None and verified_on <= d:
                cube[(u, a, s, "已销号")] -= 1
            elif done_on is not None and done_on <= d:
                cube[(u, a, s, "已整改")] -= 1
            else:
                cube[(u, a, s, "未整改" if st == "未整改" else "整改中")] -= 1
        fixes_of: dict[int, list[FixOn]] = defaultdict(list)
        for fid, iid, status, deadline, ongoing, done_on, verified_on in session.execute(
                select(Fix.id, Fix.issue_id, Fix.status, Fix.deadline, Fix.ongoing, Fix.done_on, Fix.verified_on)
                .where(Fix.issue_id.in_(chunk))):
            fixes_of[iid].append(changed.get(fid) or FixOn(status, deadline, bool(ongoing), done_on, verified_on))
        for iid, u, a, s, *_ in stored:
            cube[(u, a, s, issue_state_on(fixes_of.get(iid, []), d))] += 1
    return [(u, a, s, st, n) for (u, a, s, st), n in cube.items() if n]


def issue_state_on(fixes: list[FixOn], d: dt.date) -> str:
    """SPEC §2, from its fixes as they stood on D."""
    if fixes and all(f.verified_on is not None and f.verified_on <= d for f in fixes):
        return "已销号"
    if fixes and all(f.done_on is not None and f.done_on <= d for f in fixes):
        return "已整改"
    return "整改中" if any(f.status != "未开始" for f in fixes) else "未整改"


def _issues_found(session, start: dt.date, end: dt.date) -> dict[int, int]:
    rows = session.execute(select(Issue.unit_id, func.count()).where(Issue.found_on >= start, Issue.found_on <= end,
                                                                     *issues_mod.live(session, Issue.id, end))
                           .group_by(Issue.unit_id))
    return {u: n for u, n in rows}


def _units(session) -> list:
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


def _rank(rows: list[dict]) -> None:
    """Competition ranking (1, 2, 2, 4) by completion rate; units with nothing due are not ranked."""
    ranked = sorted((r for r in rows if r["completion_rate"] is not None), key=lambda r: -r["completion_rate"])
    for i, r in enumerate(ranked):
        r["rank"] = ranked[i - 1]["rank"] if i and r["completion_rate"] == ranked[i - 1]["completion_rate"] else i + 1
    for r in rows:
        r.setdefault("rank", None)


# ---------------------------------------------------------------- the figures


UNIT_FIGURES = ("issues", "fixes", "not_started", "in_progress", "done", "verified", "ongoing", "due", "due_done",
                "overdue", "overdue_blue", "overdue_yellow", "overdue_red")


def _core(session, p: Period, *, limit: int) -> dict:
    """What monthly and summary share: overview, 分单位, 分重点, 分来源, the lists."""
    plan = plan_of(session)
    fixfig = _fix_figures(session, p)
    cube = _issue_cube(session, p)
    issues_by_unit: dict[int, int] = defaultdict(int)
    by_area: dict[int, dict] = {a.no: dict.fromkeys(ISSUE_STATES, 0) for a in plan.areas}
    by_source: dict[str, dict] = {s: dict.fromkeys(ISSUE_STATES, 0) for s in plan.lists["sources"]}
    issue_states = dict.fromkeys(ISSUE_STATES, 0)
    for u, a, s, st, n in cube:
        issues_by_unit[u] += n
        by_area.setdefault(a, dict.fromkeys(ISSUE_STATES, 0))[st] += n
        by_source.setdefault(s, dict.fromkeys(ISSUE_STATES, 0))[st] += n
        issue_states[st] += n

    units_rows = []
    for uid, code, name, kind, parent in _units(session):
        f = fixfig.get(uid) or {}
        row = {"unit": name, "code": code, "kind": kind, "parent": parent, "issues": issues_by_unit.get(uid, 0)}
        for k in UNIT_FIGURES[1:]:
            row[k] = int(f.get(k, 0) or 0)
        row["completion_rate"] = rate(row["due_done"], row["due"])
        units_rows.append((uid, row, f))
    _rank([r for _, r, _ in units_rows])

    total = {k: sum(r[k] for _, r, _ in units_rows) for k in UNIT_FIGURES}
    total["completion_rate"] = rate(total["due_done"], total["due"])
    overview = {
        "units": len(units_rows),
        "units_with_issues": sum(1 for _, r, _ in units_rows if r["issues"]),
        **{k: total[k] for k in UNIT_FIGURES},
        "completed": total["done"] + total["verified"],
        "completion_rate": total["completion_rate"],
        "issue_status": issue_states,
    }
    total_issues = sum(issue_states.values())

    def share(n: int) -> float | None:
        return round(n / total_issues, 4) if total_issues else None

    areas = [{"no": a.no, "area": a.name, "title": a.title, "issues": sum(by_area[a.no].values()),
              "share": share(sum(by_area[a.no].values())), "status": by_area[a.no]} for a in plan.areas]
    sources = [{"source": s, "issues": sum(v.values()), "share": share(sum(v.values())), "status": v}
               for s, v in by_source.items()]
    return {
        "fixfig": fixfig, "units_rows": units_rows, "overview": overview,
        "units": [r for _, r, _ in units_rows], "areas": areas, "sources": sources,
        "overdue": overdue_list(session, p.as_of, total=overview["overdue"], limit=limit),
    }


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
    changed = {c.fix_id: c for c in _changed(session, as_of)}
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
                     "status": "整改中" if status in ("已完成", "已销号") else status,
                     "days_late": days, "tier": fixes_mod.tier(days)})
    return {"total": total, "listed": len(rows), "rows": rows}


SOON_DAYS = 7  # 临期: deadline within this many days after the statistics date


def due_soon_list(session, as_of: dt.date, *, days: int = SOON_DAYS, limit: int = LIST_LIMIT) -> dict:
    """临期: the fixes open on D whose deadline in force on D falls in the next `days` days, the
    nearest first (capped at `limit` rows; `total` counts them all). Fixes changed after D are
    judged as they stood on D, like the overdue list."""
    until = as_of + dt.timedelta(days=days)
    changed = {c.fix_id: c for c in _changed(session, as_of)}
    where = and_(Fix.ongoing.is_(False), Fix.deadline > as_of, Fix.deadline <= until, _open_at(as_of),
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
                     "status": "整改中" if status in ("已完成", "已销号") else status})
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
    where = and_(Fix.verified_on >= start, Fix.verified_on <= end, *issues_mod.live(session, Fix.issue_id, end))
    total = session.execute(select(func.count()).select_from(Fix).where(where)).scalar_one()
    q = (select(Fix.id, Unit.name, Issue.description, Fix.task, Fix.owner, Fix.deadline, Fix.done_on,
                Fix.verified_on, Fix.verified_by)
         .join(Unit, Unit.id == Fix.unit_id).join(Issue, Issue.id == Fix.issue_id)
         .where(where).order_by(Fix.verified_on, Fix.id))
    if limit:
        q = q.limit(limit)
    rows = [{"fix_id": i, "unit": u, "issue": desc, "task": task, "owner": owner,
             "deadline": dl.isoformat() if dl else "长期坚持", "done_on": done.isoformat() if done else None,
             "verified_on": v.isoformat(), "verified_by": by}
            for i, u, desc, task, owner, dl, done, v, by in session.execute(q)]
    return {"total": total, "listed": len(rows), "rows": rows}


def _header(session, kind: str, title: str, p: Period) -> dict:
    plan = plan_of(session)
    cur = plan.current_phase(p.as_of)
    return {
        "report": kind, "title": title, "plan": plan.name, "period": p.label, "start": p.start.isoformat(),
        "as_of": p.as_of.isoformat(), "prepared_by": prepared_by(plan), "prepared_on": dt.date.today().isoformat(),
        "current_phase": {"no": cur.no, "name": cur.name, "start": cur.start.isoformat(), "end": cur.end.isoformat()} if cur else None,
        "definitions": DEFINITIONS,
    }


def _clean(core: dict) -> dict:
    return {k: v for k, v in core.items() if k not in ("fixfig", "units_rows")}


CHANGE_METRICS = (
    ("issues_found", "新发现问题"), ("fixes_completed", "完成整改事项"), ("fixes_verified", "销号"),
    ("newly_overdue", "新增逾期"),
)


def monthly(session, *, month: str | None = None, as_of: dt.date | None = None, limit: int = LIST_LIMIT) -> dict:
    """The monthly report's figures (月报): as of the month's last day (or today, mid-month)."""
    p = month_period(month, as_of=as_of)
    plan = plan_of(session)
    year, mon = int(p.label[:4]), int(p.label[5:])
    core = _core(session, p, limit=limit)
    new_now = _issues_found(session, p.start, p.as_of)
    new_prev = _issues_found(session, p.prev_start, p.prev_as_of)
    prev_issues = session.execute(select(func.count()).select_from(Issue).where(
        Issue.found_on <= p.prev_as_of, *issues_mod.live(session, Issue.id, p.as_of))).scalar_one()
    ff = core["fixfig"]

    def tot(key: str) -> int:
        return int(sum((f.get(key) or 0) for f in ff.values()))

    this = {"issues_found": sum(new_now.values()), "fixes_completed": tot("completed_in_period"),
            "fixes_verified": tot("verified_in_period"), "newly_overdue": tot("newly_overdue")}
    last = {"issues_found": sum(new_prev.values()), "fixes_completed": tot("completed_in_prev"),
            "fixes_verified": tot("verified_in_prev"), "newly_overdue": tot("newly_overdue_prev")}
    changes = [{"key": k, "metric": label, "this_month": this[k], "last_month": last[k], "delta": this[k] - last[k]}
               for k, label in CHANGE_METRICS]
    ov = core["overview"]
    prev_rate = rate(tot("prev_due_done"), tot("prev_due"))
    standing = [
        {"key": "issues", "metric": "问题总数", "now": ov["issues"], "before": prev_issues},
        {"key": "completed", "metric": "已完成整改（含已销号）", "now": ov["completed"], "before": tot("prev_completed")},
        {"key": "verified", "metric": "已销号", "now": ov["verified"], "before": tot("prev_verified")},
        {"key": "due", "metric": "时限已到的整改事项（完成率分母）", "now": ov["due"], "before": tot("prev_due")},
        {"key": "due_done", "metric": "其中已完成（完成率分子）", "now": ov["due_done"], "before": tot("prev_due_done")},
        {"key": "completion_rate", "metric": "完成率", "now": ov["completion_rate"], "before": prev_rate},
        {"key": "overdue", "metric": "逾期整改事项", "now": ov["overdue"], "before": tot("prev_overdue")},
    ]
    for s in standing:
        s["delta"] = (round(s["now"] - s["before"], 3) if s["now"] is not None and s["before"] is not None else None)
    for (uid, row, f) in core["units_rows"]:
        row["issues_found_in_month"] = new_now.get(uid, 0)
        row["completed_in_month"] = int(f.get("completed_in_period", 0) or 0)
        row["verified_in_month"] = int(f.get("verified_in_period", 0) or 0)
    out = _header(session, "monthly", f"{plan.name}月报（{year}年{mon}月）", p)
    out.update({"month": p.label, "previous_as_of": p.prev_as_of.isoformat(), **_clean(core),
                "changes": changes, "standing": standing,
                "new_issues": new_issues_list(session, p.start, p.as_of, limit=limit),
                "verified_fixes": verified_list(session, p.start, p.as_of, limit=limit),
                "due_soon": due_soon_list(session, p.as_of, limit=limit),
                "supervision_month": month_supervision(session, p.start, p.as_of)})
    out["digest"] = digest(session, out)
    return out


BEHIND = 10  # units named in the 综述


def digest(session, data: dict) -> dict:
    """The monthly report's 综述: one paragraph written from its figures — totals and 完成率
    (with numerator and denominator), the units furthest behind with their 责任领导, fixes due in
    the next days (临期) and the trend against last month. Text and the figures it names."""
    ov = data["overview"]
    as_of = dt.date.fromisoformat(data["as_of"])
    leaders = dict(session.execute(select(Unit.name, Unit.leader)).all())
    behind = sorted((u for u in data["units"] if u["overdue"] or (u["completion_rate"] is not None and u["completion_rate"] < 1)),
                    key=lambda u: (-u["overdue"], u["completion_rate"] if u["completion_rate"] is not None else 2, u["unit"]))
    behind = [{"unit": u["unit"], "leader": leaders.get(u["unit"]), "overdue": u["overdue"],
               "completion_rate": u["completion_rate"]} for u in behind[:BEHIND]]
    soon_end = as_of + dt.timedelta(days=SOON_DAYS)
    soon = data["due_soon"]["total"]  # the 临期清单's count: the deadlines in force on D
    std = {x["key"]: x for x in data["standing"]}
    chg = {x["key"]: x for x in data["changes"]}
    cr = std["completion_rate"]
    sentences = [
        f"截至 {data['as_of']}，全区 {ov['units']} 个单位共查摆问题 {ov['issues']} 个、制定整改事项 {ov['fixes']} 项；"
        f"整改时限已到的 {ov['due']} 项中已完成 {ov['due_done']} 项，完成率 {pct_text(ov['completion_rate'])}"
        f"（上月末 {pct_text(cr['before'])}，{points_text(cr['delta'])}）；逾期 {ov['overdue']} 项"
        f"（红 {ov['overdue_red']}、黄 {ov['overdue_yellow']}、蓝 {ov['overdue_blue']}），"
        f"较上月末{'增加' if (std['overdue']['delta'] or 0) >= 0 else '减少'} {abs(std['overdue']['delta'] or 0)} 项。",
        f"本月新发现问题 {chg['issues_found']['this_month']} 个（上月 {chg['issues_found']['last_month']} 个），"
        f"完成整改 {chg['fixes_completed']['this_month']} 项（上月 {chg['fixes_completed']['last_month']} 项）；"
        f"今后 {SOON_DAYS} 天内（至 {soon_end.isoformat()}）到期的整改事项 {soon} 项，请提前督促。",
    ]
    if behind:
        sentences.append("进展最滞后的单位（按逾期项数）：" + "；".join(
            f"{b['unit']}（逾期 {b['overdue']} 项，完成率 {pct_text(b['completion_rate'])}，责任领导 {b['leader'] or '未登记'}）"
            for b in behind) + "。")
    return {"text": sentences, "behind": behind, "due_soon": soon, "due_soon_until": soon_end.isoformat()}


def _monthly_trend(session, plan, p: Period) -> list[dict]:
    """Per month of the campaign up to D: issues found, fixes completed, fixes verified."""
    months = []
    y, m = p.start.year, p.start.month
    while dt.date(y, m, 1) <= p.as_of:
        months.append((f"{y:04d}-{m:02d}", dt.date(y, m, 1), min(_month_end(y, m), p.as_of)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if not months:
        return []
    found = session.execute(select(*[_n(and_(Issue.found_on >= a, Issue.found_on <= b)) for _, a, b in months])
                            .where(Issue.found_on >= months[0][1], Issue.found_on <= p.as_of,
                                   *issues_mod.live(session, Issue.id, p.as_of))).one()
    done = session.execute(select(*[_n(and_(Fix.done_on >= a, Fix.done_on <= b)) for _, a, b in months])
                           .where(Fix.done_on >= months[0][1], Fix.done_on <= p.as_of,
                                  *issues_mod.live(session, Fix.issue_id, p.as_of))).one()
    verified = session.execute(select(*[_n(and_(Fix.verified_on >= a, Fix.verified_on <= b)) for _, a, b in months])
                               .where(Fix.verified_on >= months[0][1], Fix.verified_on <= p.as_of,
                                      *issues_mod.live(session, Fix.issue_id, p.as_of))).one()
    out = [{"month": label, "issues_found": int(found[i]), "fixes_completed": int(done[i]), "fixes_verified": int(verified[i])}
           for i, (label, _, _) in enumerate(months)]
    by_label = {r["month"]: r for r in out}
    for c in _changed(session, p.as_of):  # a completion taken back by a 退回 after D still counts in its month
        for f, sign in ((c.now, -1), (c.then, +1)):
            for key, day in (("fixes_completed", f.done_on), ("fixes_verified", f.verified_on)):
                if day is not None and months[0][1] <= day <= p.as_of:
                    by_label[f"{day.year:04d}-{day.month:02d}"][key] += sign
    return out


def supervision(session, plan, as_of: dt.date) -> dict:
    """Rules 立/改/废 by unit, checks done, inspections, accountability, opinions, typical cases (as of D)."""
    units = _units(session)
    d = as_of
    rules: dict[int, dict] = defaultdict(lambda: {a: {"total": 0, "done": 0} for a in plan.lists["rule_actions"]})
    for uid, action, total, done in session.execute(
        select(Rule.unit_id, Rule.action, func.count(), _n(and_(Rule.done_on.is_not(None), Rule.done_on <= d)))
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
    from .supervision import figures

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


def summary(session, *, as_of: dt.date | None = None, limit: int = LIST_LIMIT) -> dict:
    """The campaign's 总结 figures: monthly's tables for the whole campaign, plus supervision."""
    plan = plan_of(session)
    p = campaign_period(plan, as_of)
    core = _core(session, p, limit=limit)
    out = _header(session, "summary", f"{plan.name}总结（截至{p.as_of.year}年{p.as_of.month}月{p.as_of.day}日）", p)
    out.update({**_clean(core), "trend": _monthly_trend(session, plan, p), "supervision": supervision(session, plan, p.as_of)})
    return out


# ---------------------------------------------------------------- phases


def phases(session, *, as_of: dt.date | None = None) -> dict:
    """The plan's timeline with where we are, and every unit × milestone with state and date."""
    from .milestones import DONE, DONE_LATE, LATE, NOT_DUE, phase_status

    plan = plan_of(session)
    day = as_of or dt.date.today()
    status = phase_status(session, as_of=day)
    timeline = []
    for ph in plan.phases:
        state = "已结束" if day > ph.end else ("进行中" if ph.start <= day else "未开始")
        timeline.append({"no": ph.no, "name": ph.name, "when": ph.when, "start": ph.start.isoformat(), "end": ph.end.isoformat(),
                         "state": state, "current": bool(status["current_phase"] and status["current_phase"]["no"] == ph.no),
                         "milestones": [m.name for m in plan.milestones if m.phase == ph.no]})
    counts = []
    for ph in plan.phases:
        keys = [m.key for m in plan.milestones if m.phase == ph.no]
        c = dict.fromkeys((DONE, DONE_LATE, LATE, NOT_DUE), 0)
        for u in status["units"]:
            for m in u["milestones"]:
                if m["key"] in keys:
                    c[m["state"]] += 1
        expected = len(keys) * len(status["units"])
        counts.append({"phase": ph.no, "name": ph.name, "milestones": len(keys), "expected": expected,
                       "done": c[DONE], "done_late": c[DONE_LATE], "late": c[LATE], "not_due": c[NOT_DUE],
                       "completion_rate": rate(c[DONE] + c[DONE_LATE], expected)})
    by_milestone = []
    for m in plan.milestones:
        c = dict.fromkeys((DONE, DONE_LATE, LATE, NOT_DUE), 0)
        for u in status["units"]:
            c[next(x for x in u["milestones"] if x["key"] == m.key)["state"]] += 1
        by_milestone.append({"key": m.key, "name": m.name, "phase": m.phase, "due_on": m.due_on.isoformat(),
                             "done": c[DONE], "done_late": c[DONE_LATE], "late": c[LATE], "not_due": c[NOT_DUE]})
    for u in status["units"]:
        u["done"] = sum(1 for m in u["milestones"] if m["state"] in (DONE, DONE_LATE))
        u["late"] = sum(1 for m in u["milestones"] if m["state"] == LATE)
    cur = status["current_phase"]
    title = f"{plan.name}阶段进度（截至{day.year}年{day.month}月{day.day}日）"
    return {
        "report": "phases", "title": title, "plan": plan.name, "as_of": day.isoformat(),
        "prepared_by": prepared_by(plan), "prepared_on": dt.date.today().isoformat(),
        "current_phase": cur, "days_into_campaign": (day - plan.start).days + 1 if day >= plan.start else 0,
        "days_left": max((plan.end - day).days, 0), "timeline": timeline, "phase_counts": counts,
        "milestone_counts": by_milestone, "units": status["units"],
        "definitions": [
            "节点状态：已完成（在截止日期前完成）、逾期完成（截止日期后完成）、已逾期（已过截止日期仍未完成）、未到期。",
            "四查四看、问题清单、整改清单、制度清单、接受督查由登记的数据按其自身日期（检查日期、发现日期、填报日期）得出；实施方案、领导机构、动员会议、总结报告为手工标记（zz milestone done），任一节点手工标记的日期优先于数据。",
            "完成率 =（已完成 + 逾期完成）÷ 应完成节点数（单位数 × 本阶段节点数）。",
        ],
    }


# ---------------------------------------------------------------- writing workbooks


def write_monthly(session, *, month: str | None = None, path, as_of: dt.date | None = None,
                  limit: int = LIST_LIMIT) -> Path:
    """Write the monthly workbook (月报) to `path`; returns the path. For `zz demo` and scripts."""
    from .excel.reports import write_report

    return write_report(monthly(session, month=month, as_of=as_of, limit=limit), Path(path))


def write_summary(session, *, path, as_of: dt.date | None = None, limit: int = LIST_LIMIT) -> Path:
    from .excel.reports import write_report

    return write_report(summary(session, as_of=as_of, limit=limit), Path(path))


def write_phases(session, *, path, as_of: dt.date | None = None) -> Path:
    from .excel.reports import write_report

    return write_report(phases(session, as_of=as_of), Path(path))
