"""督办: escalation by the plan's rules ([duban] in the plan file), counted on its calendar.

For each unit on a date D, the strongest rule that fires:
  红牌  — a fix more than `red_card_days_late` days late, or `red_card_letters` 督办函 already sent to
          the unit in D's quarter: propose 约谈 (a proposal only; it never becomes an accountability record);
  督办函 — a fix overdue on D (deadline before D, not completed by D): a letter, reply within
          `reply_workdays` working days;
  提醒  — a fix due within the next `remind_workdays` working days (after D, up to and including the
          N-th working day) and not completed.
A 督办函 sent is recorded (duban_letter: 文号, fixes, reply deadline, reply); writing the same day's
letters again keeps their numbers and records them once.
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
    from sqlalchemy import func

    from .models.documents import DubanLetter

    return session.exec(select(func.count()).select_from(DubanLetter).where(
        DubanLetter.unit_id == unit_id, DubanLetter.issued_on >= _quarter_start(as_of), DubanLetter.issued_on < as_of)).one()


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
        rec = _record(session, unit_id=unit_id, row=row, number=got.text, as_of=as_of)
        write_letter(session, path, row, number=got.text, as_of=as_of)
        sent.append({**row, "id": rec.id, "doc_no": got.text, "file": str(path), "reused": got.reused})
    audit.set_summary(session, f"{as_of.isoformat()} 督办：发督办函 {len(sent)} 份")
    return sent


def _record(session, *, unit_id: int, row: dict, number: str, as_of: dt.date):
    from .models.documents import DubanLetter

    rec = session.exec(select(DubanLetter).where(DubanLetter.unit_id == unit_id, DubanLetter.issued_on == as_of)).first()
    if rec is None:
        rec = DubanLetter(unit_id=unit_id, doc_no=number, issued_on=as_of, rule=row["rule"],
                          reply_by=dt.date.fromisoformat(row["reply_by"]), fix_ids="")
    if rec.replied_on is None:  # a letter already answered is never rewritten
        rec.rule, rec.reply_by = row["rule"], dt.date.fromisoformat(row["reply_by"])
        rec.fix_ids = ",".join(str(i["fix_id"]) for i in row["items"])
    session.add(rec)
    session.flush()
    return rec


def reply(session, *, letter_id: int, on: dt.date, ref: str | None = None) -> dict:
    """Record a unit's written reply to a 督办函."""
    from . import audit
    from .errors import Invalid, NotFound
    from .models.documents import DubanLetter

    rec = session.get(DubanLetter, letter_id)
    if rec is None:
        raise NotFound(f"督办函序号：没有序号为 {letter_id} 的督办函（zz duban list 可查看）", field="letter_id")
    if rec.replied_on is not None:
        raise Invalid(f"督办函 {rec.doc_no} 已于 {rec.replied_on.isoformat()} 回复，不再重复登记", field="letter_id")
    if on < rec.issued_on:
        raise Invalid(f"回复日期（--date）：{on.isoformat()} 早于督办函 {rec.doc_no} 的发出日期 {rec.issued_on.isoformat()}，"
                      "请核对日期", field="date")
    rec.replied_on, rec.reply_ref = on, (ref or "").strip() or None
    session.add(rec)
    audit.set_summary(session, f"登记督办函 {rec.doc_no} 的回复（{on.isoformat()}）")
    return _letter_json(rec, session.get(Unit, rec.unit_id).name, on)


def _letter_json(rec, unit: str, as_of: dt.date) -> dict:
    late = rec.replied_on is None and rec.reply_by < as_of
    return {"id": rec.id, "unit": unit, "doc_no": rec.doc_no, "rule": rec.rule, "issued_on": rec.issued_on.isoformat(),
            "reply_by": rec.reply_by.isoformat(), "fix_ids": [int(x) for x in rec.fix_ids.split(",") if x],
            "replied_on": rec.replied_on.isoformat() if rec.replied_on else None, "reply_ref": rec.reply_ref,
            "reply_overdue": late}


def list_letters(session, *, unreplied: bool = False, as_of: dt.date) -> list[dict]:
    from .models.documents import DubanLetter

    q = select(DubanLetter, Unit.name).join(Unit, Unit.id == DubanLetter.unit_id)
    if unreplied:
        q = q.where(DubanLetter.replied_on.is_(None))
    return [_letter_json(rec, name, as_of) for rec, name in session.exec(q.order_by(DubanLetter.issued_on, DubanLetter.id)).all()]
