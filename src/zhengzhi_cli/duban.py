"""督办: escalation by the plan's rules ([duban] in the plan file), counted on its calendar.

For each unit on a date D, the strongest rule that fires:
  红牌  — a fix more than `red_card_days_late` days late, or `red_card_letters` 督办函 already sent to
          the unit in D's quarter: propose 约谈 (a proposal only; it never becomes an accountability record);
  督办函 — a fix overdue on D (deadline before D, not completed by D): a letter, reply within
          `reply_workdays` working days;
  提醒  — a fix due within the next `remind_workdays` working days (after D, up to and including the
          N-th working day) and not completed.
A 督办函 sent is a 文号 of the kind 督办函 whose ref is duban:<unit id>:<date>, so writing the same
day's letters again keeps their numbers and counts them once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_
from sqlmodel import select

from . import fixes
from . import issues as issues_mod
from .models import Fix, Issue, Unit
from .register import plan_of

RED, LETTER, REMIND = "红牌", "督办函", "提醒"
REF = "duban:{unit_id}:{day}"


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def letters_in_quarter(session, unit_id: int, as_of: dt.date) -> int:
    """督办函 sent to a unit from the start of as_of's quarter up to the day before as_of."""
    from .models.documents import DocNumber

    refs = session.exec(select(DocNumber.ref).where(DocNumber.kind == LETTER, DocNumber.ref.like(f"duban:{unit_id}:%"))).all()
    start = _quarter_start(as_of)
    days = {dt.date.fromisoformat(r.split(":")[2]) for r in refs if r}
    return sum(1 for d in days if start <= d < as_of)


def plan(session, *, as_of: dt.date) -> list[dict]:
    """Per unit, the rule that fired on as_of and the fixes behind it (a dry run: nothing written)."""
    p = plan_of(session)
    rules, cal = p.duban, p.calendar
    horizon = cal.add(as_of, rules.remind_workdays)
    rows = session.exec(
        select(Fix, Unit.id, Unit.name, Issue.description).join(Unit, Unit.id == Fix.unit_id).join(Issue, Issue.id == Fix.issue_id)
        .where(Fix.ongoing.is_(False), Fix.deadline.is_not(None), Fix.deadline <= horizon,
               or_(Fix.done_on.is_(None), Fix.done_on > as_of), *issues_mod.live(session, Fix.issue_id, as_of))
        .order_by(Unit.id, Fix.deadline, Fix.id)
    ).all()
    per: dict[int, dict] = {}
    for fix, unit_id, unit, issue in rows:
        late = fixes.days_late(fix, as_of)
        u = per.setdefault(unit_id, {"unit_id": unit_id, "unit": unit, "overdue": [], "due_soon": []})
        item = {"fix_id": fix.id, "issue_id": fix.issue_id, "issue": issue, "task": fix.task,
                "deadline": fix.deadline.isoformat(), "days_late": late,
                "workdays_left": cal.between(as_of, fix.deadline) if fix.deadline >= as_of else 0}
        (u["overdue"] if fix.deadline < as_of else u["due_soon"]).append(item)
    out = []
    for u in per.values():
        letters = letters_in_quarter(session, u["unit_id"], as_of)
        worst = max((i["days_late"] for i in u["overdue"]), default=0)
        if u["overdue"] and (worst > rules.red_card_days_late or letters >= rules.red_card_letters):
            why = (f"逾期 {worst} 天，超过 {rules.red_card_days_late} 天" if worst > rules.red_card_days_late
                   else f"本季度已发督办函 {letters} 份")
            rule, items, extra = RED, u["overdue"], {"proposal": "约谈", "why": why}
        elif u["overdue"]:
            rule, items, extra = LETTER, u["overdue"], {"why": f"逾期未完成 {len(u['overdue'])} 项"}
        else:
            rule, items, extra = REMIND, u["due_soon"], {"why": f"{rules.remind_workdays} 个工作日内到期 {len(u['due_soon'])} 项"}
        letter = rule in (RED, LETTER)
        out.append({"unit": u["unit"], "rule": rule, "proposal": extra.get("proposal"), "why": extra["why"],
                    "letters_this_quarter": letters, "items": items,
                    "reply_by": cal.add(as_of, rules.reply_workdays).isoformat() if letter else None})
    order = {RED: 0, LETTER: 1, REMIND: 2}
    out.sort(key=lambda r: (order[r["rule"]], r["unit"]))
    return out


def issue(session, *, as_of: dt.date, folder) -> list[dict]:
    """Send the 督办函 (红牌 units get one too) of as_of: one per unit, numbered, written as .docx."""
    from pathlib import Path

    from . import audit, docno
    from .documents.duban import write_letter

    folder = Path(folder)
    sent = []
    for row in plan(session, as_of=as_of):
        if row["rule"] == REMIND:
            continue
        unit_id = session.exec(select(Unit.id).where(Unit.name == row["unit"])).one()
        got = docno.take(session, kind=LETTER, on=as_of, ref=REF.format(unit_id=unit_id, day=as_of.isoformat()),
                         subject=f"关于督促{row['unit']}加快整改进度的督办函")
        path = folder / f"督办函_{row['unit']}_{got.no}号.docx"
        write_letter(session, path, row, number=got.text, as_of=as_of)
        sent.append({**row, "doc_no": got.text, "file": str(path), "reused": got.reused})
    audit.set_summary(session, f"{as_of.isoformat()} 督办：发督办函 {len(sent)} 份")
    return sent
