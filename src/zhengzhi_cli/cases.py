"""Typical cases (典型): 正面典型 (exemplars, 正面宣传和正向激励) and 反面典型 (cases exposed
publicly, 以案明纪), with where and when each was published."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import select

from . import audit, text, units
from .errors import Invalid, NotFound
from .models import TypicalCase, Unit
from .register import plan_of
from .supervision import campaign_date, month, text_or_none


def _kind(session, value: str) -> str:
    text = str(value or "").strip()
    if text.endswith("典型") and len(text) > 2:
        text = text[:-2]
    try:
        return plan_of(session).choice("case_kinds", text, label="典型类别（--kind）", field="kind")
    except Invalid as exc:
        exc.message = exc.message.replace(f"“{text}”", f"“{value}”")
        raise


def add(session, *, title: str, kind: str, unit: str, person: str | None = None, what: str | None = None,
        on=None, published=None, where: str | None = None, note: str | None = None) -> TypicalCase:
    title = text.clean(title, field="title", label="案例标题（TITLE）", required=True)
    person, what = text.clean(person, field="person"), text.clean(what, field="what")
    where, note = text.clean(where, field="published_where"), text.clean(note, field="note")
    the_kind = _kind(session, kind)
    the_unit = units.resolve(session, unit)
    happened = campaign_date(session, on, field="发生日期（--date）")
    published_on = campaign_date(session, published, field="公开日期（--published）")
    if where and published_on is None:
        raise Invalid("公开日期（--published）：写了公开载体（--where），请同时写公开日期", field="published")
    case = TypicalCase(kind=the_kind, unit_id=the_unit.id, title=title, person=text_or_none(person), what=text_or_none(what),
                       happened_on=happened, published_on=published_on, published_where=text_or_none(where), note=text_or_none(note))
    session.add(case)
    session.flush()
    audit.set_summary(session, f"登记{the_kind}典型 #{case.id}：{title}")
    return case


def get(session, case_id: int) -> TypicalCase:
    case = session.get(TypicalCase, case_id)
    if case is None:
        raise NotFound(f"案例编号：没有编号为 {case_id} 的典型案例（zz case list 可查看）", field="case_id")
    return case


def publish(session, case_id: int, *, on=None, where: str | None = None) -> TypicalCase:
    case = get(session, case_id)
    case.published_on = campaign_date(session, on, field="公开日期（--date）", default=dt.date.today())
    if where:
        case.published_where = where.strip()
    session.add(case)
    session.flush()
    audit.set_summary(session, f"典型案例 #{case.id} 已公开")
    return case


def record(case: TypicalCase, unit_name: str) -> dict:
    return {
        "id": case.id, "kind": case.kind, "unit": unit_name, "title": case.title, "person": case.person,
        "what": case.what, "happened_on": case.happened_on.isoformat() if case.happened_on else None,
        "published_on": case.published_on.isoformat() if case.published_on else None,
        "published_where": case.published_where, "note": case.note,
    }


def list_cases(session, *, kind: str | None = None, unit: str | None = None, month_: str | None = None,
               start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Cases, optionally of a period: the day a case counts on is its publication, else when it happened."""
    q = select(TypicalCase, Unit.name).join(Unit, Unit.id == TypicalCase.unit_id)
    if kind:
        q = q.where(TypicalCase.kind == _kind(session, kind))
    if unit:
        q = q.where(TypicalCase.unit_id == units.resolve(session, unit).id)
    if month_:
        _, start, end = month(month_)
    day = func.coalesce(TypicalCase.published_on, TypicalCase.happened_on)
    if start:
        q = q.where(day >= start)
    if end:
        q = q.where(day <= end)
    rows = session.exec(q.order_by(TypicalCase.kind.desc(), day, TypicalCase.id)).all()
    return [record(c, name) for c, name in rows]
