"""Accountability (问责): a measure taken against a person — 批评教育, 通报批评, 诫勉谈话,
组织处理, 移交纪检. A 移交纪检 record carries the referral (to whom, file number) and, once
the discipline bodies decide, its outcome."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from . import audit, issues, text as text_rules, units
from .errors import Conflict, Invalid, NotFound
from .models import Accountability, AccountabilityIssue, Unit
from .register import plan_of
from .dates import campaign_date, named_month
from .text import text_or_none

REFERRAL = "移交纪检"


def add(session, *, person: str, unit: str, measure: str, on, position: str | None = None,
        decided_by: str | None = None, reason: str | None = None, issue_ids: list[int] | None = None,
        referral: str | None = None, note: str | None = None) -> Accountability:
    plan = plan_of(session)
    person = text_rules.clean(person, field="person", label="被问责人（NAME）", required=True)
    position, decided_by = text_rules.clean(position, field="position"), text_rules.clean(decided_by, field="decided_by")
    reason, referral = text_rules.clean(reason, field="reason"), text_rules.clean(referral, field="referral")
    note = text_rules.clean(note, field="note")
    the_unit = units.resolve(session, unit)
    the_measure = plan.choice("measures", measure, label="问责方式（--measure）", field="measure")
    if referral and the_measure != REFERRAL:
        raise Invalid(f"移交情况（--referral）：只有“{REFERRAL}”才登记移交情况，本条为“{the_measure}”", field="referral")
    day = campaign_date(session, on, field="问责日期（--date）")
    if day is None:
        raise Invalid("问责日期（--date）：不能为空", field="date")
    linked = []
    for issue_id in dict.fromkeys(issue_ids or []):
        linked.append(issues.get(session, issue_id).id)
    same_unit(session, the_unit, linked)
    record = Accountability(person=person, position=text_or_none(position), unit_id=the_unit.id, measure=the_measure,
                            decided_on=day, decided_by=text_or_none(decided_by), reason=text_or_none(reason),
                            referral=text_or_none(referral), note=text_or_none(note))
    session.add(record)
    session.flush()
    for issue_id in linked:
        session.add(AccountabilityIssue(accountability_id=record.id, issue_id=issue_id))
    session.flush()
    audit.set_summary(session, f"登记问责 #{record.id}：{the_unit.name} {person}（{the_measure}）")
    return record


def get(session, record_id: int) -> Accountability:
    record = session.get(Accountability, record_id)
    if record is None:
        raise NotFound(f"问责编号：没有编号为 {record_id} 的问责记录（zz accountability list 可查看）", field="accountability_id")
    return record


def outcome(session, record_id: int, *, text: str, on=None, referral: str | None = None) -> Accountability:
    """The discipline bodies' decision on a 移交纪检 referral."""
    record = get(session, record_id)
    if record.measure != REFERRAL:
        raise Conflict(f"问责 #{record_id} 为“{record.measure}”，只有“{REFERRAL}”才登记处理结果", field="accountability_id")
    text = text_rules.clean(text, field="outcome", label="处理结果（TEXT）", required=True)
    referral = text_rules.clean(referral, field="referral")
    day = campaign_date(session, on, field="结果日期（--date）", default=dt.date.today())
    if day < record.decided_on:
        raise Invalid(f"结果日期（--date）：{day} 早于移交日期 {record.decided_on}", field="date")
    record.outcome, record.outcome_on = text, day
    if referral:
        record.referral = referral.strip()
    session.add(record)
    session.flush()
    audit.set_summary(session, f"登记移交纪检结果：问责 #{record.id}")
    return record


def same_unit(session, the_unit: Unit, issue_ids: list[int]) -> None:
    """A person is held to account for the issues of their own unit (or of its 下属单位): an issue of
    another unit is refused, naming it, rather than linked by a typo in --issue or --unit."""
    from .models import Issue

    if not issue_ids:
        return
    others = []
    for issue in session.exec(select(Issue).where(Issue.id.in_(issue_ids)).order_by(Issue.id)).all():
        if issue.unit_id == the_unit.id:
            continue
        owner = session.get(Unit, issue.unit_id)
        if owner.parent_id == the_unit.id:
            continue
        others.append(f"#{issue.id}（{owner.name}）")
    if others:
        raise Invalid(f"相关问题（--issue）：问题 {'、'.join(others)} 不属于“{the_unit.name}”（及其下属单位），"
                      "问责只能关联被问责人所在单位的问题。请核对问题编号，或用 --unit 改正所在单位", field="issue")


def edit(session, record_id: int, *, person=None, unit=None, measure=None, on=None, position=None, decided_by=None,
         reason=None, issue_ids: list[int] | None = None, referral=None, note=None) -> list[dict]:
    """Correct an accountability record; returns the changes (old → new). `issue_ids` replaces the
    related issues; a referral (移交情况) or an outcome belongs only to 移交纪检."""
    from . import edits

    record = get(session, record_id)
    ch = edits.Changes("accountability edit")
    if person is not None:
        ch.set(record, "person", "被问责人", edits.text(person, label="被问责人（--person）", field="person", required=True))
    if unit is not None:
        the_unit = units.resolve(session, unit)
        if ch.set(None, "unit", "单位", the_unit.name, old=session.get(Unit, record.unit_id).name, apply=False):
            record.unit_id = the_unit.id
            if issue_ids is None:  # the issues it stays linked to must be of the new unit too
                same_unit(session, the_unit, [a.issue_id for a in session.exec(
                    select(AccountabilityIssue).where(AccountabilityIssue.accountability_id == record.id)).all()])
    if measure is not None:
        ch.set(record, "measure", "问责方式", plan_of(session).choice("measures", measure, label="问责方式（--measure）", field="measure"))
    if on is not None:
        day = campaign_date(session, on, field="问责日期（--date）")
        if day is None:
            raise Invalid("问责日期（--date）：不能为空", field="date")
        ch.set(record, "decided_on", "问责日期", day)
    for attr, label, value in (("position", "职务", position), ("decided_by", "决定机关", decided_by), ("reason", "问责原因", reason),
                               ("referral", "移交情况", referral), ("note", "备注", note)):
        if value is not None:
            ch.set(record, attr, label, text_or_none(value))
    if record.measure != REFERRAL and referral and referral.strip():
        raise Invalid(f"移交情况（--referral）：只有“{REFERRAL}”才登记移交情况，本条为“{record.measure}”", field="referral")
    if record.measure != REFERRAL and (record.referral or record.outcome):
        what = "处理结果" if record.outcome else "移交情况"
        raise Invalid(f"问责方式（--measure）：本条登记了{what}，只有“{REFERRAL}”才有{what}"
                      + ("（可用 --referral \"\" 清除移交情况）" if not record.outcome else ""), field="measure")
    if record.outcome_on is not None and record.outcome_on < record.decided_on:
        raise Invalid(f"问责日期（--date）：{record.decided_on} 晚于处理结果日期 {record.outcome_on}", field="date")
    if issue_ids is not None:
        links = {link.issue_id: link for link in session.exec(
            select(AccountabilityIssue).where(AccountabilityIssue.accountability_id == record.id)).all()}
        wanted = [issues.get(session, i).id for i in dict.fromkeys(issue_ids)]
        same_unit(session, session.get(Unit, record.unit_id), wanted)
        if ch.set(None, "issue_ids", "相关问题", sorted(wanted), old=sorted(links), apply=False):
            for issue_id, link in links.items():
                if issue_id not in wanted:
                    session.delete(link)
            for issue_id in wanted:
                if issue_id not in links:
                    session.add(AccountabilityIssue(accountability_id=record.id, issue_id=issue_id))
    changes = ch.done(session, f"问责 #{record.id}")
    session.add(record)
    session.flush()
    return changes


def _links(session, ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for acc_id, issue_id in session.exec(
            select(AccountabilityIssue.accountability_id, AccountabilityIssue.issue_id)
            .where(AccountabilityIssue.accountability_id.in_(ids[start : start + 500])).order_by(AccountabilityIssue.issue_id)
        ).all():
            out[acc_id].append(issue_id)
    return out


def record_of(record: Accountability, unit_name: str, issue_ids: list[int]) -> dict:
    return {
        "id": record.id, "person": record.person, "position": record.position, "unit": unit_name,
        "measure": record.measure, "decided_on": record.decided_on.isoformat(), "decided_by": record.decided_by,
        "reason": record.reason, "issue_ids": issue_ids, "referral": record.referral, "outcome": record.outcome,
        "outcome_on": record.outcome_on.isoformat() if record.outcome_on else None, "note": record.note,
        "pending": record.measure == REFERRAL and record.outcome is None,
    }


def list_records(session, *, unit: str | None = None, measure: str | None = None, period: str | None = None,
                 start: dt.date | None = None, end: dt.date | None = None, pending: bool = False) -> list[dict]:
    q = select(Accountability, Unit.name).join(Unit, Unit.id == Accountability.unit_id)
    if unit:
        q = q.where(Accountability.unit_id == units.resolve(session, unit).id)
    if measure:
        q = q.where(Accountability.measure == plan_of(session).choice("measures", measure, label="问责方式（--measure）", field="measure"))
    if period:
        _, start, end = named_month(period)
    if start:
        q = q.where(Accountability.decided_on >= start)
    if end:
        q = q.where(Accountability.decided_on <= end)
    if pending:
        q = q.where(Accountability.measure == REFERRAL, Accountability.outcome.is_(None))
    rows = session.exec(q.order_by(Accountability.decided_on, Accountability.id)).all()
    links = _links(session, [r.id for r, _ in rows])
    return [record_of(r, name, links[r.id]) for r, name in rows]


def show(session, record_id: int) -> dict:
    record = get(session, record_id)
    rec = record_of(record, session.get(Unit, record.unit_id).name, _links(session, [record.id])[record.id])
    rec["issues"] = []
    for issue_id in rec["issue_ids"]:
        issue = issues.record_of(session, issues.get(session, issue_id))
        rec["issues"].append({k: issue[k] for k in ("id", "unit", "area", "description", "status")})
    return rec
