"""Issues (问题清单): one problem found in a unit, and its status derived from its fixes."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import func
from sqlmodel import select

from . import text as text_rules
from . import units
from .dates import option_date
from .errors import Conflict, Invalid, NotFound
from .models import Fix, Issue, Unit
from .register import plan_of
from .vocab import VOIDED, FixStatus, IssueStatus, VoidReason

NOT_FIXED, FIXING, FIXED, CLOSED = IssueStatus.NOT_FIXED, IssueStatus.FIXING, IssueStatus.FIXED, IssueStatus.CLOSED
DEFAULT_SOURCE = "自查"
UNTRUE, NOT_TO_FIX, DUPLICATE = VoidReason.UNTRUE, VoidReason.NOT_TO_FIX, VoidReason.DUPLICATE
VOID_REASONS = (UNTRUE, NOT_TO_FIX, DUPLICATE)
VOID = VOIDED


def derive_status(fix_statuses: Iterable[str]) -> str:
    """SPEC §2: 未整改 (no fix, or none started), 已整改 (all done or verified),
    已销号 (all verified), else 整改中."""
    statuses = list(fix_statuses)
    if not statuses or all(s == FixStatus.NOT_STARTED for s in statuses):
        return NOT_FIXED
    if all(s == FixStatus.VERIFIED for s in statuses):
        return CLOSED
    if all(s in (FixStatus.DONE, FixStatus.VERIFIED) for s in statuses):
        return FIXED
    return FIXING


def derive_dates(fix_dates: Iterable[tuple]) -> tuple[dt.date | None, dt.date | None]:
    """(fixes_done_on, fixes_verified_on) from the fixes' (done_on, verified_on): the latest
    completion / 销号 day once every fix has one, else None (also with no fixes)."""
    pairs = list(fix_dates)
    done = [d for d, _ in pairs if d is not None]
    verified = [v for _, v in pairs if v is not None]
    return (max(done) if pairs and len(done) == len(pairs) else None,
            max(verified) if pairs and len(verified) == len(pairs) else None)


def refresh_status(session, issue_ids: Iterable[int]) -> None:
    """Recompute the stored status of these issues from their fixes (with the days their fixes were
    all completed / verified), and keep each fix's copy of its issue's found_on."""
    ids = sorted(set(issue_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        by_issue: dict[int, list[tuple]] = {i: [] for i in chunk}
        for row in session.exec(select(Fix.issue_id, Fix.status, Fix.done_on, Fix.verified_on, Fix.id, Fix.issue_found_on)
                                .where(Fix.issue_id.in_(chunk))).all():
            by_issue[row[0]].append(row)
        for issue in session.exec(select(Issue).where(Issue.id.in_(chunk))).all():
            fixes = by_issue[issue.id]
            status = derive_status(f[1] for f in fixes)
            done_on, verified_on = derive_dates((f[2], f[3]) for f in fixes)
            if (issue.status, issue.fixes_done_on, issue.fixes_verified_on) != (status, done_on, verified_on):
                issue.status, issue.fixes_done_on, issue.fixes_verified_on = status, done_on, verified_on
                session.add(issue)
            for f in fixes:
                if f[5] != issue.found_on:
                    fix = session.get(Fix, f[4])
                    fix.issue_found_on = issue.found_on
                    if fix.on_the_spot and fix.original_deadline is None:  # counted from the found date
                        from .fixes import spot_deadline

                        fix.deadline = spot_deadline(plan_of(session), issue.found_on, fix.created_on)
                    session.add(fix)
    session.flush()


def next_seq(session, model, unit_id: int) -> int:
    return (session.exec(select(func.max(model.seq)).where(model.unit_id == unit_id)).one() or 0) + 1


def add(session, *, unit: str, text: str, area, source: str | None = None, check=None, found=None,
        leader: str | None = None, owner: str | None = None, note: str | None = None,
        seq: int | None = None, extra: dict | None = None) -> Issue:
    plan = plan_of(session)
    text = text_rules.clean(text, field="description", required=True)
    leader, owner = text_rules.clean(leader, field="leader"), text_rules.clean(owner, field="owner")
    note = text_rules.clean(note, field="note")
    the_unit = units.resolve(session, unit)
    the_area = plan.area(area)
    the_source = plan.choice("sources", source or DEFAULT_SOURCE, label="问题来源", field="source")
    check_no = plan.check(check).no if check not in (None, "") else None
    found_on = option_date(session, found, field="发现日期（--found）", default=dt.date.today())
    issue = Issue(
        unit_id=the_unit.id, seq=seq or next_seq(session, Issue, the_unit.id), area=the_area.no, source=the_source,
        check_item=check_no, description=text, found_on=found_on, leader=leader, owner=owner, note=note,
        **(extra or {}),
    )
    session.add(issue)
    session.flush()
    return issue


def get(session, issue_id: int) -> Issue:
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"问题编号：没有编号为 {issue_id} 的问题（zz issue list 可查看）", field="issue_id")
    return issue


def edit(session, issue_id: int, *, text=None, area=None, source=None, check=None, found=None,
         leader=None, owner=None, note=None, unit=None) -> list[dict]:
    """Correct an issue; returns the changes (old → new), refusing an edit that changes nothing.
    Its fixes move with it to another unit; its rules and accountability records belong to the
    old unit, so a move is refused while they are linked (listed, with how to unlink)."""
    from . import edits

    plan = plan_of(session)
    issue = get(session, issue_id)
    ch = edits.Changes("issue edit")
    if text is not None:
        ch.set(issue, "description", "问题描述", text_rules.clean(text, field="description", required=True))
    if area is not None:
        new_area = plan.area(area)
        if ch.set(None, "area", "整治重点", new_area.name, old=plan.area(issue.area).name, apply=False):
            issue.area = new_area.no
    if source is not None:
        ch.set(issue, "source", "问题来源", plan.choice("sources", source, label="问题来源", field="source"))
    if check is not None:
        ch.set(issue, "check_item", "四查四看事项", plan.check(check).no if check != "" else None)
    if found is not None:
        ch.set(issue, "found_on", "发现日期", option_date(session, found, field="发现日期（--found）"))
    if unit is not None:
        _move(session, issue, units.resolve(session, unit), ch)
    for key, label, value in (("leader", "责任领导", leader), ("owner", "责任人", owner), ("note", "备注", note)):
        if value is not None:
            ch.set(issue, key, label, text_rules.clean(value, field=key) or None)
    changes = ch.done(session, f"问题 #{issue.id}")
    session.add(issue)
    session.flush()
    if ch.changed("found_on") or ch.changed("unit"):
        refresh_status(session, [issue.id])  # its fixes carry the issue's found date and unit
    return changes


def _move(session, issue: Issue, new_unit: Unit, ch) -> None:
    """An issue to another unit, with its fixes (numbered anew there); refused while rules or
    accountability records of the old unit answer it."""
    from .models import Accountability, AccountabilityIssue, Rule, RuleIssue

    old_unit = session.get(Unit, issue.unit_id)
    if not ch.set(None, "unit", "单位", new_unit.name, old=old_unit.name, apply=False):
        return
    linked = [f"制度 #{r.id}「{r.title}」" for r in session.exec(
        select(Rule).join(RuleIssue, RuleIssue.rule_id == Rule.id).where(RuleIssue.issue_id == issue.id).order_by(Rule.id)).all()]
    linked += [f"问责 #{a.id}（{a.person}）" for a in session.exec(
        select(Accountability).join(AccountabilityIssue, AccountabilityIssue.accountability_id == Accountability.id)
        .where(AccountabilityIssue.issue_id == issue.id).order_by(Accountability.id)).all()]
    if linked:
        raise Conflict(f"单位（--unit）：问题 #{issue.id} 关联着“{old_unit.name}”的{'、'.join(linked)}，不能单独改到“{new_unit.name}”。"
                       "请先解除关联（zz rule edit 编号 --issue …、zz accountability edit 编号 --issue … 写上其余的问题），"
                       "或核对单位", field="unit")
    seq = next_seq(session, Issue, new_unit.id)  # before the move: the query autoflushes
    issue.unit_id, issue.seq = new_unit.id, seq
    for fix in session.exec(select(Fix).where(Fix.issue_id == issue.id).order_by(Fix.id)).all():
        seq = next_seq(session, Fix, new_unit.id)  # its 序号 in the new unit's 整改清单
        fix.unit_id, fix.seq = new_unit.id, seq
        session.add(fix)
        session.flush()


def void(session, issue_id: int, *, reason: str, duplicate_of: int | None = None, on=None) -> Issue:
    """Withdraw an issue entered in error: found untrue (不属实), not to be rectified (不予整改), or a
    duplicate (重复) of another issue that stands. It keeps its rows (and its fixes) but is left out
    of listings, overdue counts and reports; `zz undo` restores it."""
    from . import audit

    issue = get(session, issue_id)
    if issue.void_reason:
        raise Conflict(f"问题 #{issue_id} 已于 {issue.voided_on} 作废（{issue.void_reason}），无需再作废；"
                       "如作废有误，可用 zz undo 撤销", field="issue_id")
    text = (reason or "").strip()
    if text not in VOID_REASONS:
        raise Invalid(f"作废理由（--reason）：“{reason}”不在可选范围内，可选：{'、'.join(VOID_REASONS)}", field="reason")
    original = None
    if text == DUPLICATE:
        if duplicate_of is None:
            raise Invalid(f"重复的问题（--duplicate-of）：理由为“{DUPLICATE}”时，请写明与哪条问题重复（--duplicate-of 编号）",
                          field="duplicate_of")
        if duplicate_of == issue.id:
            raise Invalid(f"重复的问题（--duplicate-of）：问题 #{issue_id} 不能与自己重复，请写另一条问题的编号", field="duplicate_of")
        original = session.get(Issue, duplicate_of)
        if original is None:
            raise NotFound(f"重复的问题（--duplicate-of）：没有编号为 {duplicate_of} 的问题（zz issue list 可查看）",
                           field="duplicate_of")
        if original.void_reason:
            raise Conflict(f"重复的问题（--duplicate-of）：问题 #{duplicate_of} 本身已作废（{original.void_reason}），"
                           "请写仍有效的那条问题的编号", field="duplicate_of")
    elif duplicate_of is not None:
        raise Invalid(f"重复的问题（--duplicate-of）：只有理由为“{DUPLICATE}”时才写 --duplicate-of", field="duplicate_of")
    day = option_date(session, on, field="作废日期（--date）", default=dt.date.today())
    if day < issue.found_on:
        raise Invalid(f"作废日期（--date）：{day} 早于发现日期 {issue.found_on}", field="date")
    issue.void_reason, issue.voided_on = text, day
    issue.duplicate_of_id = original.id if original else None
    session.add(issue)
    session.flush()
    session.info.pop(_VOID_CACHE, None)
    audit.set_summary(session, f"作废问题 #{issue.id}（{text}" + (f"，与问题 #{original.id} 重复" if original else "") + "）")
    return issue


_VOID_CACHE = "zz_any_void"


def void_ids_query(as_of: dt.date | None = None):
    """SELECT of the ids of the issues void (by as_of): a range of the partial index ix_issue_void."""
    q = select(Issue.id).where(Issue.void_reason.is_not(None))
    return q.where(Issue.voided_on <= as_of) if as_of is not None else q


def live(session, issue_id_col, as_of: dt.date | None = None) -> list:
    """Conditions (none, or one) that leave out the issues void by as_of (SPEC §5a: a report for an
    earlier day still counts an issue voided later) by their id column (issue.id or fix.issue_id).
    Without any void issue there is nothing to add, so the reports' index-only scans stay as they were."""
    if _VOID_CACHE not in session.info:
        session.info[_VOID_CACHE] = session.exec(void_ids_query().limit(1)).first() is not None
    if not session.info[_VOID_CACHE]:
        return []
    if issue_id_col.table.name == Fix.__tablename__:
        # by the fix's own id, which every SQLite index carries: the fix indexes stay covering
        return [Fix.id.not_in(select(Fix.id).where(Fix.issue_id.in_(void_ids_query(as_of))))]
    return [issue_id_col.not_in(void_ids_query(as_of))]


def query(session, *, unit=None, area=None, source=None, status=None, ids=None, void: str = "live"):
    """`void`: "live" leaves out void issues, "only" lists only them, "all" both."""
    plan = plan_of(session)
    q = select(Issue, Unit.name).join(Unit, Unit.id == Issue.unit_id)
    if void == "live":
        q = q.where(Issue.void_reason.is_(None))
    elif void == "only":
        q = q.where(Issue.void_reason.is_not(None))
    if unit:
        q = q.where(Issue.unit_id == units.resolve(session, unit).id)
    if area:
        q = q.where(Issue.area == plan.area(area).no)
    if source:
        q = q.where(Issue.source == plan.choice("sources", source, label="问题来源", field="source"))
    if status:
        q = q.where(Issue.status == plan.choice("issue_statuses", status, label="问题状态", field="status"))
    if ids is not None:
        q = q.where(Issue.id.in_(ids))
    return q.order_by(Issue.id)


def status_on(d: dt.date):
    """An issue's status on day D, as the reports count it (SPEC §2, §5a): 已销号 when every fix was
    verified by D, 已整改 when every fix was completed by D, 未整改 if none is started even now, else 整改中."""
    from sqlalchemy import case, literal

    return case((Issue.fixes_verified_on <= d, literal(CLOSED)), (Issue.fixes_done_on <= d, literal(FIXED)),
                (Issue.status == NOT_FIXED, literal(NOT_FIXED)), else_=literal(FIXING))


class _Then:
    """What the stored rows tell wrongly about day D (SPEC §5a): the fixes changed after D as they
    stood on D (reports.changed_since: an extension, a 退回 or a first step after D), and the
    issues holding them with their status and overdue flag on D. Empty for today's view."""

    def __init__(self, session, as_of: dt.date | None):
        self.fixes: dict = {}
        self.states: dict[int, str] = {}
        self.late: dict[int, bool] = {}
        if as_of is None:
            return
        from .reports import FixOn, changed_since, issue_state_on, overdue_on

        changed = changed_since(session, as_of)
        self.fixes = {c.fix_id: c.then for c in changed}
        held: dict[int, list] = {}
        ids = sorted({c.issue_id for c in changed})
        for start in range(0, len(ids), 500):
            for fid, iid, *row in session.exec(
                    select(Fix.id, Fix.issue_id, Fix.status, Fix.deadline, Fix.ongoing, Fix.done_on, Fix.verified_on)
                    .where(Fix.issue_id.in_(ids[start:start + 500]))):
                held.setdefault(iid, []).append(self.fixes.get(fid) or FixOn(row[0], row[1], bool(row[2]), *row[3:]))
        for iid, fs in held.items():
            self.states[iid] = issue_state_on(fs, as_of)
            self.late[iid] = any(overdue_on(f, as_of) for f in fs)


def _listed(session, *, unit=None, area=None, source=None, status=None, overdue=False, as_of: dt.date | None = None,
            void: str = "live", then: _Then | None = None):
    """The filtered query of `issue list`: (Issue, unit name, status on the day). With an explicit
    `as_of` D, only the issues found by D, each with its status on D. The issues of `then` (a fix
    changed after D) pass the status and overdue filters here and are judged in `_records`."""
    from sqlalchemy import or_

    from . import fixes

    day = as_of or dt.date.today()
    q = query(session, unit=unit, area=area, source=source, void=void)
    if as_of is not None:
        state = status_on(as_of)
        q = q.where(Issue.found_on <= as_of)
    else:
        state = Issue.status
    q = q.add_columns(state)
    changed = list(then.states) if then else []
    if status:
        chosen = state == plan_of(session).choice("issue_statuses", status, label="问题状态", field="status")
        q = q.where(or_(chosen, Issue.id.in_(changed)) if changed else chosen)
    if overdue:
        late = fixes.overdue_clause(day)
        q = q.where(or_(Issue.id.in_(select(Fix.issue_id).where(late)), Issue.id.in_(changed)) if changed
                    else Issue.id.in_(select(Fix.issue_id).where(late)))
    return q


def count_issues(session, **filters) -> int:
    then = _Then(session, filters.get("as_of"))
    q = _listed(session, then=then, **filters)
    if not then.states:
        return session.exec(select(func.count()).select_from(q.order_by(None).subquery())).one()
    plain = q.where(Issue.id.not_in(list(then.states)))
    n = session.exec(select(func.count()).select_from(plain.order_by(None).subquery())).one()
    judged = q.where(Issue.id.in_(list(then.states)))
    return n + sum(1 for row in session.exec(judged) if _kept(session, row, then, **filters))


def _kept(session, row, then: _Then, *, status=None, overdue=False, **_) -> bool:
    """An issue holding a fix changed after D: does it pass the filters as it stood on D?"""
    iid = row[0].id
    if status and then.states[iid] != plan_of(session).choice("issue_statuses", status, label="问题状态", field="status"):
        return False
    return not overdue or then.late[iid]


def list_issues(session, *, unit=None, area=None, source=None, status=None, overdue=False,
                as_of: dt.date | None = None, limit: int | None = None, void: str = "live",
                newest_first: bool = False) -> list[dict]:
    """The issues, in id order, or with `newest_first` latest found first (the first page a clerk sees)."""
    return list(iter_issues(session, unit=unit, area=area, source=source, status=status, overdue=overdue, as_of=as_of,
                            limit=limit, void=void, newest_first=newest_first))


def iter_issues(session, *, limit: int | None = None, newest_first: bool = False, as_of: dt.date | None = None,
                chunk: int = 500, **filters):
    """The records one by one, read in chunks, so a list of 100 000 issues streams."""
    from itertools import islice

    then = _Then(session, as_of)
    q = _listed(session, as_of=as_of, then=then, **filters)
    if newest_first:
        q = q.order_by(None).order_by(Issue.found_on.desc(), Issue.id.desc())
    judged = bool(then.states) and bool(filters.get("status") or filters.get("overdue"))
    if limit and not judged:  # with issues to judge on D the page is cut after judging them
        q = q.limit(limit)
    day = as_of or dt.date.today()
    rows = (row for row in session.exec(q if limit and not judged else q.execution_options(yield_per=chunk))
            if row[0].id not in then.states or _kept(session, row, then, **filters))
    if limit and judged:
        rows = islice(rows, limit)
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            yield from _records(session, batch, day, then)
            batch = []
    if batch:
        yield from _records(session, batch, day, then)


def _records(session, rows, day: dt.date, then: _Then):
    from . import fixes

    fix_map = fixes.by_issue(session, [i.id for i, _, _ in rows], as_of=day, then=then.fixes)
    for issue, unit_name, state in rows:
        rec = record(session, issue, unit_name, fix_map.get(issue.id, []))
        rec["status"] = then.states.get(issue.id, state)
        yield rec


def record(session, issue: Issue, unit_name: str, fix_records: list[dict]) -> dict:
    plan = plan_of(session)
    area = plan.areas[issue.area - 1]
    check = plan.checks[issue.check_item - 1] if issue.check_item else None
    out = {
        "id": issue.id, "seq": issue.seq, "unit": unit_name, "area": area.name, "area_no": area.no,
        "source": issue.source, "check": check.check if check else None, "check_no": issue.check_item,
        "description": issue.description, "found_on": issue.found_on.isoformat(), "leader": issue.leader,
        "owner": issue.owner, "note": issue.note, "status": issue.status, "fixes": fix_records,
        "overdue": not issue.void_reason and any(f["overdue"] for f in fix_records),
        "void": bool(issue.void_reason), "void_reason": issue.void_reason,
        "voided_on": issue.voided_on.isoformat() if issue.voided_on else None, "duplicate_of": issue.duplicate_of_id,
    }
    for key in ("inspection_id", "opinion_id"):
        if hasattr(issue, key):
            out[key] = getattr(issue, key)
    return out


def show(session, issue_id: int, *, as_of: dt.date | None = None) -> dict:
    from . import fixes

    issue = get(session, issue_id)
    unit = session.get(Unit, issue.unit_id)
    rec = record(session, issue, unit.name, fixes.by_issue(session, [issue.id], as_of=as_of).get(issue.id, []))
    rec["rules"] = [{"id": r.id, "title": r.title, "action": r.action, "status": r.status} for r in _rules_for(session, issue.id)]
    return rec


def _rules_for(session, issue_id: int):
    from .models import Rule, RuleIssue

    return session.exec(select(Rule).join(RuleIssue, RuleIssue.rule_id == Rule.id).where(RuleIssue.issue_id == issue_id)).all()


def record_of(session, issue: Issue, *, as_of: dt.date | None = None, new: bool = False) -> dict:
    """The JSON record of one issue; `new=True` for one just added (it has no fixes yet)."""
    unit = session.get(Unit, issue.unit_id)
    if new:
        return record(session, issue, unit.name, [])
    from . import fixes

    return record(session, issue, unit.name, fixes.by_issue(session, [issue.id], as_of=as_of).get(issue.id, []))
