"""Rules (制度清单): institutions to 立 (establish), 改 (amend) or 废 (abolish)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from . import issues as issues_mod
from . import text as text_rules
from . import units
from .dates import DUE, option_date
from .errors import Conflict, Invalid, NotFound
from .models import Rule, RuleIssue, Unit
from .register import plan_of
from .vocab import RuleStatus

PENDING, DONE = RuleStatus.PENDING, RuleStatus.DONE


def add(session, *, unit: str, title: str, action: str, due=None, issue_ids: list[int] | None = None,
        note: str | None = None, seq: int | None = None) -> Rule:
    plan = plan_of(session)
    title = text_rules.clean(title, field="title", label="制度名称", required=True)
    note = text_rules.clean(note, field="note")
    the_unit = units.resolve(session, unit)
    the_action = plan.choice("rule_actions", action, label="立改废（--action）", field="action")
    due_on = option_date(session, due, field="计划完成时间（--due）", kind=DUE, empty_clears=True)
    rule = Rule(unit_id=the_unit.id, seq=seq or issues_mod.next_seq(session, Rule, the_unit.id), title=title,
                action=the_action, due_on=due_on, note=note)
    session.add(rule)
    session.flush()
    for issue_id in issue_ids or []:
        issue = issues_mod.get(session, issue_id)
        if issue.unit_id != the_unit.id:
            raise Invalid(f"问题编号（--issue）：问题 {issue_id} 不属于“{the_unit.name}”", field="issue")
        session.add(RuleIssue(rule_id=rule.id, issue_id=issue_id))
    session.flush()
    return rule


def get(session, rule_id: int) -> Rule:
    rule = session.get(Rule, rule_id)
    if rule is None:
        raise NotFound(f"制度编号：没有编号为 {rule_id} 的制度（zz rule list 可查看）", field="rule_id")
    return rule


def done(session, rule_id: int, *, on=None, doc_no: str | None = None) -> Rule:
    rule = get(session, rule_id)
    if rule.status == DONE:
        raise Conflict(f"制度 {rule_id} 已是“已完成”", field="rule_id")
    rule.status = DONE
    rule.done_on = option_date(session, on, field="完成日期（--date）", default=dt.date.today())
    doc_no = text_rules.clean(doc_no, field="doc_no", label="文号（--doc-no）")
    if doc_no:
        rule.doc_no = doc_no
    session.add(rule)
    session.flush()
    return rule


def edit(session, rule_id: int, *, title=None, unit=None, action=None, due=None, doc_no=None, issue_ids=None,
         note=None, done_on=None) -> list[dict]:
    """Correct a rule; returns the changes (old → new). `issue_ids` replaces the issues it answers
    (each of its unit); `due` / `doc_no` / `note` "" clears; `done_on` only for a completed rule."""
    from . import edits

    plan = plan_of(session)
    rule = get(session, rule_id)
    ch = edits.Changes("rule edit")
    if title is not None:
        ch.set(rule, "title", "制度名称", edits.text(title, label="制度名称（--title）", field="title", required=True))
    if unit is not None:
        the_unit = units.resolve(session, unit)
        if the_unit.id != rule.unit_id:
            old_name = session.get(Unit, rule.unit_id).name
            seq = issues_mod.next_seq(session, Rule, the_unit.id)
            ch.set(None, "unit", "单位", the_unit.name, old=old_name, apply=False)
            rule.unit_id, rule.seq = the_unit.id, seq
        else:
            ch.set(rule, "unit_id", "单位", the_unit.id)
    if action is not None:
        ch.set(rule, "action", "立改废", plan.choice("rule_actions", action, label="立改废（--action）", field="action"))
    if due is not None:
        ch.set(rule, "due_on", "计划完成时间",
               option_date(session, due, field="计划完成时间（--due）", kind=DUE, empty_clears=True))
    if done_on is not None:
        if rule.status != DONE:
            raise Conflict(f"完成日期（--date）：制度 {rule_id} 尚未完成，请用 zz rule done {rule_id} --date 日期", field="date")
        ch.set(rule, "done_on", "完成日期", option_date(session, done_on, field="完成日期（--date）"))
    if doc_no is not None:
        ch.set(rule, "doc_no", "文号", edits.text(doc_no, label="文号", field="doc_no") or None)
    if note is not None:
        ch.set(rule, "note", "备注", edits.text(note, label="备注", field="note") or None)
    _edit_links(session, rule, issue_ids, ch)
    changes = ch.done(session, f"制度 #{rule.id}")
    session.add(rule)
    session.flush()
    return changes


def _edit_links(session, rule: Rule, issue_ids: list[int] | None, ch) -> None:
    """Replace the issues a rule answers (when given), and keep every link within the rule's unit."""
    links = {link.issue_id: link for link in session.exec(select(RuleIssue).where(RuleIssue.rule_id == rule.id)).all()}
    wanted = list(dict.fromkeys(issue_ids)) if issue_ids is not None else list(links)
    unit_name = session.get(Unit, rule.unit_id).name
    for issue_id in wanted:
        issue = issues_mod.get(session, issue_id)
        if issue.unit_id != rule.unit_id:
            raise Invalid(f"问题编号（--issue）：问题 {issue_id} 不属于“{unit_name}”（改单位时请同时用 --issue 改写针对的问题）",
                          field="issue")
    if issue_ids is None:
        return
    if ch.set(None, "issue_ids", "针对问题", sorted(wanted), old=sorted(links), apply=False):
        for issue_id, link in links.items():
            if issue_id not in wanted:
                session.delete(link)
        for issue_id in wanted:
            if issue_id not in links:
                session.add(RuleIssue(rule_id=rule.id, issue_id=issue_id))


def record(rule: Rule, unit_name: str, issue_ids: list[int]) -> dict:
    return {
        "id": rule.id, "seq": rule.seq, "unit": unit_name, "title": rule.title, "action": rule.action,
        "due_on": rule.due_on.isoformat() if rule.due_on else None, "status": rule.status,
        "done_on": rule.done_on.isoformat() if rule.done_on else None, "doc_no": rule.doc_no,
        "issue_ids": issue_ids, "note": rule.note,
    }


def show(session, rule_id: int) -> dict:
    rule = get(session, rule_id)
    links = list(session.exec(select(RuleIssue.issue_id).where(RuleIssue.rule_id == rule_id)).all())
    return record(rule, session.get(Unit, rule.unit_id).name, sorted(links))


def list_rules(session, *, unit: str | None = None, action: str | None = None) -> list[dict]:
    q = select(Rule, Unit.name).join(Unit, Unit.id == Rule.unit_id)
    if unit:
        q = q.where(Rule.unit_id == units.resolve(session, unit).id)
    if action:
        q = q.where(Rule.action == plan_of(session).choice("rule_actions", action, label="立改废", field="action"))
    rows = session.exec(q.order_by(Rule.id)).all()
    links: dict[int, list[int]] = {}
    ids = [r.id for r, _ in rows]
    for start in range(0, len(ids), 500):
        for rule_id, issue_id in session.exec(
            select(RuleIssue.rule_id, RuleIssue.issue_id).where(RuleIssue.rule_id.in_(ids[start : start + 500]))
        ).all():
            links.setdefault(rule_id, []).append(issue_id)
    return [record(r, name, sorted(links.get(r.id, []))) for r, name in rows]
