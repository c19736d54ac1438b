"""Fixes (整改清单): what is done about an issue, through 未开始 → 整改中 → 已完成 → 已销号.

Only a completed fix can be verified (销号), and not by its own 责任人; a verifier may
return it (退回) for a second round. A deadline is extended (延期) only with an approver
and a reason, and the first deadline is kept. Every step is a `fix_event`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_
from sqlmodel import select

from . import issues as issues_mod
from . import text as text_rules
from .dates import DUE, ONGOING, implausible, option_date, parse_deadline
from .errors import Conflict, Invalid, NotFound
from .models import Fix, FixEvent, Issue, Unit
from .register import plan_of
from .db import warn
from .vocab import FixStatus, OverdueTier

NOT_STARTED, IN_PROGRESS, DONE, VERIFIED = FixStatus.NOT_STARTED, FixStatus.IN_PROGRESS, FixStatus.DONE, FixStatus.VERIFIED
OPEN = (NOT_STARTED, IN_PROGRESS)
TIERS = ((OverdueTier.BLUE, 1, 7), (OverdueTier.YELLOW, 8, 30), (OverdueTier.RED, 31, None))


def tier(days_late: int) -> str | None:
    """Warning tier of an overdue fix: 蓝 1–7 days, 黄 8–30, 红 over 30."""
    for name, low, high in TIERS:
        if days_late >= low and (high is None or days_late <= high):
            return name
    return None


def spot_deadline(plan, found_on: dt.date | None, entered_on: dt.date | None = None) -> dt.date | None:
    """The one lateness rule of a 立行立改 fix: it is due on the N-th working day ([lateness]
    on_the_spot_workdays, default 5, on the plan's [calendar]) after its issue was found — or after
    the fix was entered, when that is later and within the campaign (a machine date outside the
    campaign never stands in for one of its dates) — and so late only once more than N working days
    have passed. The day is stored as the fix's deadline, so that every count of lateness (lists,
    reports, 督办, 通报, the public report) reads it like any other deadline."""
    if found_on is None:
        return None
    base = found_on
    if entered_on is not None and found_on < entered_on and plan.start <= entered_on <= plan.end:
        base = entered_on
    return plan.calendar.add(base, plan.on_the_spot_workdays) if plan.on_the_spot_workdays else base


def deadline_words(rec: dict, plan=None) -> str | None:
    """A fix record's 时限 as a clerk (or a citizen) reads it: 长期坚持, 立行立改 with the day it runs
    to (never a bare date that looks late at once), or the date."""
    if rec.get("on_the_spot") and not rec.get("original_deadline") and rec.get("deadline"):
        n = f"{plan.on_the_spot_workdays}个工作日内，" if plan is not None else ""
        return f"立行立改（{n}至{rec['deadline']}）"
    return rec.get("deadline")


def deadline_for_public(deadline: dt.date | None, *, ongoing: bool, on_the_spot: bool) -> str | None:
    """The deadline as a citizen reads it in the public report: 长期坚持, 立行立改, or 2017年6月30日."""
    if ongoing:
        return ONGOING
    if on_the_spot:
        return "立行立改"
    return f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else None


def overdue_clause(as_of: dt.date):
    """SQL condition: deadline before as_of and not completed by as_of (长期坚持 never)."""
    return and_(
        Fix.ongoing.is_(False), Fix.deadline.is_not(None), Fix.deadline < as_of,
        or_(Fix.done_on.is_(None), Fix.done_on > as_of),
    )


def days_late(fix, as_of: dt.date) -> int:
    """Days overdue on as_of of a Fix (or of reports.FixOn: a fix as it stood on a day)."""
    if fix.ongoing or fix.deadline is None or fix.deadline >= as_of:
        return 0
    if fix.done_on is not None and fix.done_on <= as_of:
        return 0
    return (as_of - fix.deadline).days


def get(session, fix_id: int) -> Fix:
    fix = session.get(Fix, fix_id)
    if fix is None:
        raise NotFound(f"整改编号：没有编号为 {fix_id} 的整改事项（zz fix list 可查看）", field="fix_id")
    return fix


def _event(session, fix: Fix, kind: str, on: dt.date, **kw) -> None:
    session.add(FixEvent(fix_id=fix.id, kind=kind, happened_on=on, **kw))


def _date(session, fix: Fix, value, field: str) -> dt.date:
    """A day something happened to a fix (today when not given); an unlikely one is warned about."""
    return option_date(session, value, field=field, found_on=fix.issue_found_on, default=dt.date.today())


def _deadline_warnings(session, fix: Fix, day: dt.date | None, field: str) -> None:
    """A deadline before the issue was found, or outside the campaign's years: warned, kept."""
    if day is None:
        return
    plan = plan_of(session)
    found = fix.issue_found_on
    for text in implausible(day, field=field, kind=DUE, start=plan.start, end=plan.end, today=dt.date.today(),
                            found_on=None if fix.on_the_spot else found):
        warn(session, text)


def add(session, *, issue_id: int, task: str, deadline: str, owner: str | None = None,
        leader: str | None = None, note: str | None = None, seq: int | None = None) -> Fix:
    plan = plan_of(session)
    issue = issues_mod.get(session, issue_id)
    if issue.void_reason:
        raise Conflict(f"问题编号：问题 #{issue.id} 已作废（{issue.void_reason}），不能再新增整改；如作废有误，可用 zz undo 撤销",
                       field="issue_id")
    task = text_rules.clean(task, field="task", required=True)
    owner, leader = text_rules.clean(owner, field="owner"), text_rules.clean(leader, field="leader")
    note = text_rules.clean(note, field="note")
    if not deadline:
        raise Invalid(f"整改时限：必须写明日期或“{ONGOING}”", field="deadline")
    dl = parse_deadline(deadline, year=plan.year, found_on=issue.found_on, field="整改时限（--deadline）")
    if dl.on_the_spot:
        dl.date = spot_deadline(plan, issue.found_on, dt.date.today())
    fix = Fix(
        issue_id=issue.id, unit_id=issue.unit_id, seq=seq or issues_mod.next_seq(session, Fix, issue.unit_id), task=task,
        deadline=dl.date, ongoing=dl.ongoing, on_the_spot=dl.on_the_spot,
        owner=owner or issue.owner, leader=leader or issue.leader, note=note, issue_found_on=issue.found_on,
    )
    _deadline_warnings(session, fix, dl.date, "整改时限（--deadline）")
    session.add(fix)
    session.flush()
    issues_mod.refresh_status(session, [issue.id])
    return fix


def progress(session, fix_id: int, *, text: str, on=None) -> Fix:
    fix = get(session, fix_id)
    if fix.status == VERIFIED:
        raise Conflict(f"整改 {fix_id} 已销号，不能再登记进展", field="fix_id")
    text = text_rules.clean(text, field="progress", label="进展情况", required=True)
    day = _date(session, fix, on, "日期（--date）")
    if fix.status == NOT_STARTED:
        fix.status = IN_PROGRESS
    fix.progress = text
    _event(session, fix, "进展", day, text=text)
    session.add(fix)
    session.flush()
    issues_mod.refresh_status(session, [fix.issue_id])
    return fix


def done(session, fix_id: int, *, on=None, evidence: str | None = None) -> Fix:
    fix = get(session, fix_id)
    if fix.status in (DONE, VERIFIED):
        raise Conflict(f"整改 {fix_id} 已是“{fix.status}”，无需再次完成", field="fix_id")
    evidence = text_rules.clean(evidence, field="evidence", label="整改成效（--evidence）")
    fix.status = DONE
    fix.done_reported = False  # the office records the day itself
    fix.done_on = _date(session, fix, on, "完成日期（--date）")
    if evidence:
        fix.evidence = evidence
    _event(session, fix, "完成", fix.done_on, text=evidence)
    session.add(fix)
    session.flush()
    issues_mod.refresh_status(session, [fix.issue_id])
    return fix


def _other_than_owner(fix: Fix, by: str, action: str) -> str:
    by = text_rules.clean(by, field="by", label=f"{action}人（--by）", max_len=text_rules.PERSON_MAX, multiline=False,
                          required=True)
    if fix.owner and by == fix.owner.strip():
        raise Conflict(f"{action}人（--by）：“{by}”是这项整改的责任人，不能自己{action}，须由他人核验", field="by")
    return by


def level_state(session, fix: Fix) -> dict:
    """Where a fix stands on the plan's review levels ([verification] levels): how many passed in
    this round (since it was last completed or returned), the next level, and who reviewed. The
    unit's own claim from a workbook (已销号 → 已完成, claimed) counts as the first level at most,
    and only where the plan has more than one (a single level is the office's own 销号)."""
    levels = plan_of(session).verify_levels
    reviewers: list[str] = []
    if fix.status == VERIFIED:
        passed = len(levels)
    elif fix.status == DONE:
        rows = session.exec(select(FixEvent).where(FixEvent.fix_id == fix.id).order_by(FixEvent.id)).all()
        start = max((i for i, e in enumerate(rows) if e.kind in ("完成", "退回")), default=-1)
        reviewers = [(e.actor or "").strip() for e in rows[start + 1:] if e.kind == LEVEL_EVENT]
        passed = min(len(reviewers) + (1 if fix.claimed and len(levels) > 1 else 0), len(levels) - 1)
    else:
        passed = 0
    return {**_level(levels, passed), "reviewers": reviewers}


def _level(levels: list[str], passed: int) -> dict:
    """The `verification` of a fix's record (fix show, fix list): levels passed of the plan's levels."""
    return {"levels": levels, "passed": passed, "of": len(levels), "next": levels[passed] if passed < len(levels) else None,
            "label": f"核验 {passed}/{len(levels)}"}


def add_levels(session, recs: list[dict], *, as_of: dt.date | None = None) -> list[dict]:
    """Each record's `verification` as level_state gives it (less the reviewers), for a chunk of a
    list at once: one query for the 已完成 fixes' review events, and none where the plan has one level;
    and its `recheck_failed` (flagged 回头看未通过: recheck.failed_ids), one query per chunk."""
    levels = plan_of(session).verify_levels
    of = len(levels)
    reviewed: dict[int, int] = {}
    done_ids = [r["id"] for r in recs if r["status"] == DONE]
    if done_ids and of > 1:
        q = select(FixEvent.fix_id, FixEvent.kind).where(FixEvent.fix_id.in_(done_ids),
                                                         FixEvent.kind.in_(("完成", "退回", LEVEL_EVENT)))
        if as_of is not None:
            q = q.where(FixEvent.happened_on <= as_of)
        for fix_id, kind in session.exec(q.order_by(FixEvent.fix_id, FixEvent.id)).all():
            reviewed[fix_id] = reviewed.get(fix_id, 0) + 1 if kind == LEVEL_EVENT else 0
    from .recheck import failed_ids

    failed = failed_ids(session, [r["id"] for r in recs], as_of=as_of) if recs else set()
    for r in recs:
        r["recheck_failed"] = r["id"] in failed
        if r["status"] == VERIFIED:
            passed = of
        elif r["status"] == DONE:
            passed = min(reviewed.get(r["id"], 0) + (1 if r["claimed"] and of > 1 else 0), of - 1)
        else:
            passed = 0
        r["verification"] = _level(levels, passed)
    return recs


LEVEL_EVENT = "核验"  # one review level passed, short of the last (which is the 销号 itself)


def _check_level(fix: Fix, state: dict, level: str | None, by: str) -> str:
    nxt = state["next"]
    if level is not None and level.strip() != nxt:
        level = level.strip()
        if level in state["levels"]:
            done = "、".join(state["levels"][:state["passed"]]) or "无"
            raise Conflict(f"核验层级（--level）：整改 {fix.id} 当前应进行第 {state['passed'] + 1} 级“{nxt}”（已通过：{done}），"
                           f"不能越级或重复核验“{level}”", field="level")
        raise Invalid(f"核验层级（--level）：没有“{level}”这一级；方案规定的层级依次为 {' → '.join(state['levels'])}",
                      field="level")
    if by in state["reviewers"]:
        raise Conflict(f"核验人（--by）：“{by}”已在本轮核验过整改 {fix.id}，同一人不能核验两次；"
                       f"第 {state['passed'] + 1} 级“{nxt}”须由另一人核验", field="by")
    return nxt


def _check_evidence(session, fix: Fix) -> None:
    if not plan_of(session).evidence_required:
        return
    from . import evidence as evidence_mod

    if evidence_mod.count_for(session, fix.id) == 0:
        raise Conflict(f"整改 {fix.id} 还没有佐证材料，本方案规定销号须有佐证材料：请先用 zz evidence add {fix.id} 文件 "
                       "添加（如整改后照片、制度文件）", field="evidence")


def verify(session, fix_id: int, *, by: str, on=None, evidence: str | None = None, level: str | None = None) -> Fix:
    """Move a completed fix one review level up; the last level is the 销号 itself (已销号)."""
    fix = get(session, fix_id)
    if fix.status != DONE:
        raise Conflict(f"整改 {fix_id} 当前为“{fix.status}”，只有“已完成”的整改才能销号（先用 zz fix done）", field="fix_id")
    by = _other_than_owner(fix, by, "销号")
    state = level_state(session, fix)
    name = _check_level(fix, state, level, by)
    evidence = text_rules.clean(evidence, field="evidence", label="整改成效（--evidence）")
    _check_evidence(session, fix)
    day = _date(session, fix, on, "销号日期（--date）")
    if fix.done_on and day < fix.done_on:
        raise Invalid(f"销号日期（--date）：{day} 早于完成日期 {fix.done_on}", field="date")
    if evidence:
        fix.evidence = evidence
    multi = state["of"] > 1
    said = (f"{name}：{evidence}" if evidence else name) if multi else evidence
    if state["passed"] + 1 < state["of"]:
        _event(session, fix, LEVEL_EVENT, day, actor=by, text=said)
    else:
        fix.status, fix.verified_on, fix.verified_by = VERIFIED, day, by
        _event(session, fix, "销号", day, actor=by, text=said)
    session.add(fix)
    session.flush()
    issues_mod.refresh_status(session, [fix.issue_id])
    return fix


def return_(session, fix_id: int, *, by: str, reason: str, on=None) -> Fix:
    fix = get(session, fix_id)
    if fix.status != DONE:
        raise Conflict(f"整改 {fix_id} 当前为“{fix.status}”，只有“已完成”待销号的整改才能退回", field="fix_id")
    by = _other_than_owner(fix, by, "退回")
    reason = text_rules.clean(reason, field="reason", label="退回理由（--reason）", required=True)
    day = _date(session, fix, on, "日期（--date）")
    prior = fix.done_on  # kept on the event: a report for a day before the return still counts it done
    fix.status, fix.done_on, fix.claimed, fix.done_reported = IN_PROGRESS, None, False, False
    _event(session, fix, "退回", day, actor=by, text=reason, prior_done_on=prior)
    session.add(fix)
    session.flush()
    issues_mod.refresh_status(session, [fix.issue_id])
    return fix


def extend(session, fix_id: int, *, to, approver: str, reason: str, on=None) -> Fix:
    fix = get(session, fix_id)
    if fix.status in (DONE, VERIFIED):
        raise Conflict(f"整改 {fix_id} 已是“{fix.status}”，无需延期", field="fix_id")
    if fix.ongoing:
        raise Conflict(f"整改 {fix_id} 为“{ONGOING}”，没有时限可延", field="fix_id")
    if not (approver or "").strip():
        raise Invalid("批准人（--approver）：延期必须写明批准人", field="approver")
    approver = text_rules.clean(approver, field="approver", label="批准人（--approver）")
    reason = text_rules.clean(reason, field="reason", label="延期理由（--reason）", required=True)
    new = option_date(session, to, field="新时限（--to）", kind=DUE, found_on=fix.issue_found_on)
    if fix.deadline and new <= fix.deadline:
        raise Invalid(f"新时限（--to）：{new} 不晚于现时限 {fix.deadline}", field="to")
    day = _date(session, fix, on, "批准日期（--date）")
    last = session.exec(select(FixEvent.happened_on).where(FixEvent.fix_id == fix.id, FixEvent.kind == "延期")
                        .order_by(FixEvent.happened_on.desc())).first()
    if last is not None and day < last:
        raise Invalid(f"批准日期（--date）：{day} 早于上一次延期的批准日期 {last}；延期按批准的先后登记", field="date")
    if fix.original_deadline is None:
        fix.original_deadline = fix.deadline
    _event(session, fix, "延期", day, approver=approver, text=reason,
           old_deadline=fix.deadline, new_deadline=new)
    fix.deadline = new
    fix.on_the_spot = False  # an extended 立行立改 has a dated deadline now (its first one is kept)
    session.add(fix)
    session.flush()
    return fix


def edit(session, fix_id: int, *, task=None, deadline=None, owner=None, leader=None, note=None) -> list[dict]:
    """Correct a fix; returns the changes (old → new). The deadline is corrected only before any
    extension (after one, `extend` keeps the record of it). The owner may never become someone
    who verified or returned this fix, and a verified (已销号) fix keeps its owner."""
    from . import edits

    fix = get(session, fix_id)
    ch = edits.Changes("fix edit")
    if task is not None:
        ch.set(fix, "task", "整改任务及措施", edits.text(task, label="整改任务及措施（--task）", field="task", required=True))
    if deadline is not None:
        _edit_deadline(session, fix, deadline, ch)
    if owner is not None:
        _edit_owner(session, fix, edits.text(owner, label="责任人", field="owner") or None, ch)
    if leader is not None:
        ch.set(fix, "leader", "责任领导", edits.text(leader, label="责任领导", field="leader") or None)
    if note is not None:
        ch.set(fix, "note", "备注", edits.text(note, label="备注", field="note") or None)
    changes = ch.done(session, f"整改 #{fix.id}")
    session.add(fix)
    session.flush()
    return changes


def _edit_deadline(session, fix: Fix, value: str, ch) -> None:
    if not str(value).strip():
        raise Invalid(f"整改时限（--deadline）：必须写明日期或“{ONGOING}”", field="deadline")
    extended = fix.original_deadline is not None or session.exec(
        select(FixEvent.id).where(FixEvent.fix_id == fix.id, FixEvent.kind == "延期")).first()
    if extended:
        raise Conflict(f"整改时限（--deadline）：整改 {fix.id} 已经延期，时限不能再直接修改，请用 zz fix extend {fix.id} --to 日期 "
                       "--approver 批准人 --reason 理由", field="deadline")
    issue = session.get(Issue, fix.issue_id)
    plan = plan_of(session)
    dl = parse_deadline(value, year=plan.year, found_on=issue.found_on, field="整改时限（--deadline）")
    if dl.on_the_spot:
        dl.date = spot_deadline(plan, issue.found_on, fix.created_on)

    def shown(date, ongoing, spot):
        return deadline_words({"deadline": date.isoformat() if date else None, "on_the_spot": spot}) if not ongoing else ONGOING

    changed = ch.set(None, "deadline", "整改时限", shown(dl.date, dl.ongoing, dl.on_the_spot),
                     old=shown(fix.deadline, fix.ongoing, fix.on_the_spot), apply=False)
    if not changed and dl.on_the_spot != fix.on_the_spot:
        changed = ch.set(None, "on_the_spot", "立行立改", dl.on_the_spot, old=fix.on_the_spot, apply=False)
    if changed:
        fix.deadline, fix.ongoing, fix.on_the_spot = dl.date, dl.ongoing, dl.on_the_spot
        _deadline_warnings(session, fix, dl.date, "整改时限（--deadline）")


def _edit_owner(session, fix: Fix, owner: str | None, ch) -> None:
    if owner == fix.owner:
        ch.set(fix, "owner", "责任人", owner)
        return
    if fix.status == VERIFIED:
        raise Conflict(f"责任人（--owner）：整改 {fix.id} 已由“{fix.verified_by}”销号，不能再更换责任人", field="owner")
    reviewers = {(fix.verified_by or "").strip()} | {
        (a or "").strip() for a in session.exec(
            select(FixEvent.actor).where(FixEvent.fix_id == fix.id, FixEvent.kind.in_(("销号", "退回", LEVEL_EVENT)))).all()}
    if owner and owner in reviewers:
        raise Conflict(f"责任人（--owner）：“{owner}”核验过整改 {fix.id}（销号或退回），不能再做它的责任人；"
                       "核验人与责任人须是不同的人", field="owner")
    ch.set(fix, "owner", "责任人", owner)


def record(fix: Fix, unit_name: str, as_of: dt.date, *, then=None) -> dict:
    """A fix's record; `then` (reports.FixOn) is how it stood on as_of when that differs from its row."""
    deadline = then.deadline if then is not None else fix.deadline
    late = days_late(fix if then is None else then, as_of)
    return {
        "id": fix.id, "seq": fix.seq, "issue_id": fix.issue_id, "unit": unit_name, "task": fix.task,
        "deadline": ONGOING if fix.ongoing else (deadline.isoformat() if deadline else None),
        "original_deadline": fix.original_deadline.isoformat() if fix.original_deadline else None,
        "on_the_spot": fix.on_the_spot, "owner": fix.owner, "leader": fix.leader, "status": fix.status,
        "progress": fix.progress, "done_on": fix.done_on.isoformat() if fix.done_on else None,
        "evidence": fix.evidence, "verified_on": fix.verified_on.isoformat() if fix.verified_on else None,
        "verified_by": fix.verified_by, "overdue": late > 0, "days_late": late, "tier": tier(late) if late else None,
        "claimed": bool(fix.claimed) and fix.status == DONE, "done_reported": bool(fix.done_reported),
    }


def by_issue(session, issue_ids: list[int], *, as_of: dt.date | None = None, then: dict | None = None
             ) -> dict[int, list[dict]]:
    """The fix records of these issues; `then` (fix id → reports.FixOn): the fixes that stood otherwise on as_of."""
    as_of = as_of or dt.date.today()
    then = then or {}
    out: dict[int, list[dict]] = {}
    for start in range(0, len(issue_ids), 500):
        chunk = issue_ids[start : start + 500]
        rows = session.exec(
            select(Fix, Unit.name).join(Unit, Unit.id == Fix.unit_id).where(Fix.issue_id.in_(chunk)).order_by(Fix.id)
        ).all()
        for fix, unit_name in rows:
            out.setdefault(fix.issue_id, []).append(record(fix, unit_name, as_of, then=then.get(fix.id)))
    return out


def fix_status_on(d: dt.date):
    """A fix's status on day D from its own dates: 已销号 if verified by D, 已完成 if completed by D,
    未开始 if not started even now, else 整改中."""
    from sqlalchemy import case, literal

    return case((Fix.verified_on <= d, literal(VERIFIED)), (Fix.done_on <= d, literal(DONE)),
                (Fix.status == NOT_STARTED, literal(NOT_STARTED)), else_=literal(IN_PROGRESS))


def _changed_since(session, day: dt.date) -> dict:
    """The fixes whose deadline or completion changed after D, as they stood on D (reports.changed_since)."""
    from .reports import changed_since

    return {c.fix_id: c.then for c in changed_since(session, day)}


def _listed(session, *, unit=None, status=None, overdue=False, ongoing=None, as_of: dt.date | None = None,
            claimed: bool = False, then: dict | None = None):
    from . import units

    day = as_of or dt.date.today()
    state = fix_status_on(as_of) if as_of is not None else Fix.status
    q = select(Fix, Unit.name, state).join(Unit, Unit.id == Fix.unit_id)
    if as_of is not None:  # the fixes of the issues found by D
        q = q.where(Fix.issue_found_on <= as_of)
    if unit:
        q = q.where(Fix.unit_id == units.resolve(session, unit).id)
    if status:
        q = q.where(state == plan_of(session).choice("fix_statuses", status, label="整改状态", field="status"))
    if overdue:  # a void issue's fixes are never overdue; `then`: those whose deadline or completion changed after D
        late = or_(overdue_clause(day), Fix.id.in_(list(then))) if then else overdue_clause(day)
        q = q.where(late, *issues_mod.live(session, Fix.issue_id, day))
    if ongoing is not None:
        q = q.where(Fix.ongoing.is_(ongoing))
    if claimed:  # a unit's own 已销号, awaiting the office's verification
        q = q.where(Fix.claimed.is_(True), Fix.status == DONE)
    return q


def count_fixes(session, **filters) -> int:
    from sqlalchemy import func

    then = _changed_since(session, filters.get("as_of") or dt.date.today()) if filters.get("overdue") else None
    return session.exec(select(func.count()).select_from(_listed(session, then=then, **filters).subquery())).one()


def list_fixes(session, *, unit=None, status=None, overdue=False, ongoing=None, as_of: dt.date | None = None,
               limit: int | None = None, claimed: bool = False, urgent_first: bool = False) -> list[dict]:
    return list(iter_fixes(session, unit=unit, status=status, overdue=overdue, ongoing=ongoing, as_of=as_of,
                           limit=limit, claimed=claimed, urgent_first=urgent_first))


def iter_fixes(session, *, limit: int | None = None, urgent_first: bool = False, **filters):
    """The records in id order (by deadline for --overdue, or `urgent_first`: the nearest deadline
    first), read in chunks so that a long list streams."""
    day = filters.get("as_of") or dt.date.today()
    then = _changed_since(session, day)
    q = _listed(session, then=then, **filters)
    by_deadline = urgent_first or filters.get("overdue")
    q = q.order_by(Fix.deadline.is_(None), Fix.deadline, Fix.id) if by_deadline else q.order_by(Fix.id)
    if limit:
        q = q.limit(limit)
    rows = _with_levels(session, (_one(fix, name, state, day, then) for fix, name, state in
                                  session.exec(q if limit else q.execution_options(yield_per=500))), filters.get("as_of"))
    if not (filters.get("overdue") and then):
        yield from rows
        return
    # some deadlines stood otherwise on D: keep those overdue then, in the order of D's deadlines
    late = [r for r in rows if r["overdue"]]
    yield from sorted(late, key=lambda r: (r["deadline"] == ONGOING, r["deadline"] or "", r["id"]))


def _with_levels(session, recs, as_of: dt.date | None):
    """The records with their 销号 level, 500 at a time (add_levels)."""
    chunk: list[dict] = []
    for rec in recs:
        chunk.append(rec)
        if len(chunk) == 500:
            yield from add_levels(session, chunk, as_of=as_of)
            chunk = []
    yield from add_levels(session, chunk, as_of=as_of)


def _one(fix: Fix, name: str, state: str, day: dt.date, then: dict) -> dict:
    rec = record(fix, name, day, then=then.get(fix.id))
    rec["status"] = state
    return rec


def events(session, fix_id: int) -> list[dict]:
    rows = session.exec(select(FixEvent).where(FixEvent.fix_id == fix_id).order_by(FixEvent.id)).all()
    return [
        {"kind": e.kind, "date": e.happened_on.isoformat(), "text": e.text, "by": e.actor, "approver": e.approver,
         "old_deadline": e.old_deadline.isoformat() if e.old_deadline else None,
         "new_deadline": e.new_deadline.isoformat() if e.new_deadline else None}
        for e in rows
    ]


def show(session, fix_id: int, *, as_of: dt.date | None = None) -> dict:
    fix = get(session, fix_id)
    unit = session.get(Unit, fix.unit_id)
    rec = record(fix, unit.name, as_of or dt.date.today())
    issue = session.get(Issue, fix.issue_id)
    rec["issue"] = issue.description
    rec["events"] = events(session, fix_id)
    state = level_state(session, fix)
    rec["verification"] = {k: state[k] for k in ("levels", "passed", "of", "next", "label")}
    from .recheck import failed_ids

    rec["recheck_failed"] = fix.id in failed_ids(session, [fix.id], as_of=as_of)
    return rec
