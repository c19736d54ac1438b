"""Check records (四查四看): one unit's result for one of the four self-check items."""

from __future__ import annotations

from sqlmodel import select

from . import text, units
from .dates import option_date
from .errors import Invalid, NotFound
from .models import CheckRecord, Unit
from .register import plan_of


def add(session, *, unit: str, item, on, result: str | None = None, note: str | None = None) -> CheckRecord:
    plan = plan_of(session)
    the_unit = units.resolve(session, unit)
    if item in (None, ""):
        raise Invalid(f"四查四看事项（--item）：请写 1–{len(plan.checks)}", field="item")
    check = plan.check(item)
    record = CheckRecord(unit_id=the_unit.id, item=check.no, checked_on=option_date(session, on, field="日期（--date）"),
                         result=text.clean(result, field="result", label="结果（--result）"),
                         note=text.clean(note, field="note"))
    session.add(record)
    session.flush()
    return record


def list_checks(session, *, unit: str | None = None) -> list[dict]:
    plan = plan_of(session)
    q = select(CheckRecord, Unit.name).join(Unit, Unit.id == CheckRecord.unit_id)
    if unit:
        q = q.where(CheckRecord.unit_id == units.resolve(session, unit).id)
    rows = session.exec(q.order_by(CheckRecord.unit_id, CheckRecord.item, CheckRecord.id)).all()
    return [
        {"id": r.id, "unit": name, "item": r.item, "check": plan.checks[r.item - 1].check,
         "look": plan.checks[r.item - 1].look, "date": r.checked_on.isoformat(), "result": r.result, "note": r.note}
        for r, name in rows
    ]


def get(session, check_id: int) -> CheckRecord:
    record = session.get(CheckRecord, check_id)
    if record is None:
        raise NotFound(f"四查四看编号：没有编号为 {check_id} 的记录（zz check list 可查看）", field="check_id")
    return record


def edit(session, check_id: int, *, unit=None, item=None, on=None, result=None, note=None) -> list[dict]:
    """Correct a check record; returns the changes (old → new). `result` / `note` "" clears."""
    from . import edits

    plan = plan_of(session)
    record = get(session, check_id)
    ch = edits.Changes("check edit")
    if unit is not None:
        the_unit = units.resolve(session, unit)
        old = session.get(Unit, record.unit_id).name
        if ch.set(None, "unit", "单位", the_unit.name, old=old, apply=False):
            record.unit_id = the_unit.id
    if item is not None:
        if not str(item).strip():
            raise Invalid(f"四查四看事项（--item）：请写 1–{len(plan.checks)}", field="item")
        ch.set(record, "item", "四查四看事项", plan.check(item).no)
    if on is not None:
        ch.set(record, "checked_on", "自查日期", option_date(session, on, field="日期（--date）"))
    if result is not None:
        ch.set(record, "result", "自查结果", edits.text(result, label="自查结果", field="result") or None)
    if note is not None:
        ch.set(record, "note", "备注", edits.text(note, label="备注", field="note") or None)
    changes = ch.done(session, f"四查四看 #{record.id}")
    session.add(record)
    session.flush()
    return changes


def show(session, check_id: int) -> dict:
    plan = plan_of(session)
    r = get(session, check_id)
    name = session.get(Unit, r.unit_id).name
    return {"id": r.id, "unit": name, "item": r.item, "check": plan.checks[r.item - 1].check,
            "look": plan.checks[r.item - 1].look, "date": r.checked_on.isoformat(), "result": r.result, "note": r.note}
