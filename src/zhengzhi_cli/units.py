"""Units (单位): the bodies taking part, their hierarchy, and how clerks name them."""

from __future__ import annotations

import difflib

from sqlalchemy import func, or_
from sqlmodel import select

from . import text
from .errors import Ambiguous, Conflict, Invalid, NotFound
from .models import Unit
from .register import plan_of
from .vocab import UnitKind


def clean_code(value) -> str | None:
    """Unit codes arrive as text or as numbers (120114001.0 from a spreadsheet)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def resolve(session, ref: str, *, field: str = "unit") -> Unit:
    """A unit by code, full name, or a unique part of its name."""
    text = str(ref).strip()
    if not text:
        raise Invalid("单位：不能为空", field=field)
    code = clean_code(text)
    unit = session.exec(select(Unit).where(or_(Unit.code == code, Unit.name == text))).first()
    if unit:
        return unit
    like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = session.exec(select(Unit).where(Unit.name.ilike(f"%{like}%", escape="\\")).limit(11)).all()
    if len(found) == 1:
        return found[0]
    if found:
        names = "、".join(u.name for u in found[:10]) + ("……" if len(found) > 10 else "")
        raise Ambiguous(f"单位：“{text}”可指多个单位：{names}。请写全称或单位代码", field=field)
    names = session.exec(select(Unit.name)).all()
    close = difflib.get_close_matches(text, names, n=5, cutoff=0.3)
    hint = f"。是否指：{'、'.join(close)}？" if close else "。可用 zz unit list 查看全部单位，或用 zz unit add 新增"
    raise NotFound(f"单位：没有“{text}”{hint}", field=field)


def add(session, *, name: str, kind: str, code=None, parent: str | None = None, leader: str | None = None,
        contact: str | None = None, phone: str | None = None, note: str | None = None) -> Unit:
    plan = plan_of(session)
    name = text.clean(name, field="name", label="单位名称", required=True)
    leader, contact = text.clean(leader, field="leader", label="负责人"), text.clean(contact, field="contact")
    phone, note = text.clean(phone, field="phone"), text.clean(note, field="note")
    kind = plan.choice("unit_kinds", kind, label="单位类型", field="kind")
    code = clean_code(code)
    if session.exec(select(Unit.id).where(Unit.name == name)).first():
        raise Conflict(f"单位名称：“{name}”已存在，不能重复登记（修改请用 zz unit edit）", field="name")
    if code and session.exec(select(Unit.id).where(Unit.code == code)).first():
        other = session.exec(select(Unit.name).where(Unit.code == code)).first()
        raise Conflict(f"单位代码：“{code}”已被“{other}”使用", field="code")
    parent_unit = resolve(session, parent, field="parent") if parent else None
    if kind == UnitKind.SUBORDINATE and parent_unit is None:
        raise Invalid("上级单位：下属单位必须写明上级单位（--parent）", field="parent")
    unit = Unit(name=name, kind=kind, code=code, parent_id=parent_unit.id if parent_unit else None,
                leader=leader, contact=contact, phone=phone, note=note)
    session.add(unit)
    session.flush()
    return unit


UNIT_LABELS = {"name": "单位名称", "leader": "负责人"}
EDITABLE = ("name", "kind", "code", "parent", "leader", "contact", "phone", "note")


def edit(session, ref: str, **changes) -> Unit:
    unit = resolve(session, ref)
    plan = plan_of(session)
    for key, value in changes.items():
        if value is None:
            continue
        if key in ("name", "leader", "contact", "phone", "note"):
            value = text.clean(value, field=key, label=UNIT_LABELS.get(key), required=key == "name")
        if key == "name":
            if value != unit.name and session.exec(select(Unit.id).where(Unit.name == value)).first():
                raise Conflict(f"单位名称：“{value}”已存在", field="name")
            unit.name = value
        elif key == "kind":
            unit.kind = plan.choice("unit_kinds", value, label="单位类型", field="kind")
        elif key == "code":
            code = clean_code(value)
            if code != unit.code and code and session.exec(select(Unit.id).where(Unit.code == code)).first():
                raise Conflict(f"单位代码：“{code}”已被使用", field="code")
            unit.code = code
        elif key == "parent":
            parent = resolve(session, value, field="parent")
            if parent.id == unit.id or unit.id in ancestors(session, parent):
                raise Invalid(f"上级单位：“{parent.name}”是本单位或其下属，不能作为上级", field="parent")
            unit.parent_id = parent.id
        elif key in EDITABLE:
            setattr(unit, key, value)
    if unit.kind == UnitKind.SUBORDINATE and unit.parent_id is None:
        raise Invalid("上级单位：下属单位必须写明上级单位（--parent）", field="parent")
    session.add(unit)
    session.flush()
    return unit


def ancestors(session, unit: Unit) -> list[int]:
    seen: list[int] = []
    current = unit
    while current.parent_id and current.parent_id not in seen:
        seen.append(current.parent_id)
        current = session.get(Unit, current.parent_id)
    return seen


def names_by_id(session) -> dict[int, str]:
    return dict(session.exec(select(Unit.id, Unit.name)).all())


def list_units(session, *, kind: str | None = None, parent: str | None = None) -> list[Unit]:
    query = select(Unit)
    if kind:
        query = query.where(Unit.kind == plan_of(session).choice("unit_kinds", kind, label="单位类型", field="kind"))
    if parent:
        query = query.where(Unit.parent_id == resolve(session, parent, field="parent").id)
    return list(session.exec(query.order_by(func.coalesce(Unit.code, "~"), Unit.id)).all())


def record(unit: Unit, names: dict[int, str]) -> dict:
    return {
        "id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
        "parent": names.get(unit.parent_id) if unit.parent_id else None,
        "leader": unit.leader, "contact": unit.contact, "phone": unit.phone, "note": unit.note,
    }


def show(session, ref: str) -> dict:
    from .models import CheckRecord, Fix, Issue, Rule

    unit = resolve(session, ref)
    names = names_by_id(session)
    rec = record(unit, names)
    rec["children"] = [u.name for u in session.exec(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.id)).all()]
    rec["counts"] = {
        key: session.exec(select(func.count()).select_from(model).where(model.unit_id == unit.id)).one()
        for key, model in (("issues", Issue), ("fixes", Fix), ("rules", Rule), ("checks", CheckRecord))
    }
    return rec
