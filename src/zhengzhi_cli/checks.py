"""Check records (四查四看): one unit's result for one of the four self-check items."""

from __future__ import annotations

from sqlmodel import select

from . import text, units
from .dates import parse_date
from .errors import Invalid
from .models import CheckRecord, Unit
from .register import plan_of


def add(session, *, unit: str, item, on, result: str | None = None, note: str | None = None) -> CheckRecord:
    plan = plan_of(session)
    the_unit = units.resolve(session, unit)
    if item in (None, ""):
        raise Invalid(f"四查四看事项（--item）：请写 1–{len(plan.checks)}", field="item")
    check = plan.check(item)
    record = CheckRecord(unit_id=the_unit.id, item=check.no, checked_on=parse_date(on, field="日期（--date）"),
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
