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
from .dates import campaign_date, named_month
from .text import text_or_none


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


def edit(session, case_id: int, *, title=None, kind=None, unit=None, person=None, what=None, on=None, published=None,
         where=None, note=None) -> list[dict]:
    """Correct a typical case; returns the changes (old → new). Optional fields: "" clears."""
    from . import edits

    case = get(session, case_id)
    ch = edits.Changes("case edit")
    if title is not None:
        ch.set(case, "title", "案例标题", edits.text(title, label="案例标题（--title）", field="title", required=True))
    if kind is not None:
        ch.set(case, "kind", "典型类别", _kind(session, kind))
    if unit is not None:
        the_unit = units.resolve(session, unit)
        if ch.set(None, "unit", "单位", the_unit.name, old=session.get(Unit, case.unit_id).name, apply=False):
            case.unit_id = the_unit.id
    if on is not None:
        ch.set(case, "happened_on", "发生日期", campaign_date(session, on, field="发生日期（--date）"))
    if published is not None:
        ch.set(case, "published_on", "公开日期", campaign_date(session, published, field="公开日期（--published）"))
    for attr, label, value in (("person", "涉及人员", person), ("what", "基本情况", what), ("published_where", "公开载体", where),
                               ("note", "备注", note)):
        if value is not None:
            ch.set(case, attr, label, text_or_none(value))
    if case.published_where and case.published_on is None:
        raise Invalid("公开日期（--published）：有公开载体（--where）的案例须有公开日期；清除公开日期时请同时用 --where \"\" 清除载体",
                      field="published")
    changes = ch.done(session, f"典型案例 #{case.id}")
    session.add(case)
    session.flush()
    return changes


def show(session, case_id: int) -> dict:
    case = get(session, case_id)
    return record(case, session.get(Unit, case.unit_id).name)


def record(case: TypicalCase, unit_name: str) -> dict:
    return {
        "id": case.id, "kind": case.kind, "unit": unit_name, "title": case.title, "person": case.person,
        "what": case.what, "happened_on": case.happened_on.isoformat() if case.happened_on else None,
        "published_on": case.published_on.isoformat() if case.published_on else None,
        "published_where": case.published_where, "note": case.note,
    }


def list_cases(session, *, kind: str | None = None, unit: str | None = None, period: str | None = None,
               start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Cases, optionally of a period: the day a case counts on is its publication, else when it happened."""
    q = select(TypicalCase, Unit.name).join(Unit, Unit.id == TypicalCase.unit_id)
    if kind:
        q = q.where(TypicalCase.kind == _kind(session, kind))
    if unit:
        q = q.where(TypicalCase.unit_id == units.resolve(session, unit).id)
    if period:
        _, start, end = named_month(period)
    day = func.coalesce(TypicalCase.published_on, TypicalCase.happened_on)
    if start:
        q = q.where(day >= start)
    if end:
        q = q.where(day <= end)
    rows = session.exec(q.order_by(TypicalCase.kind.desc(), day, TypicalCase.id)).all()
    return [record(c, name) for c, name in rows]
