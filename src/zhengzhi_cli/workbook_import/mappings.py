"""Layouts taught once: `zz import --map 表头=字段`, remembered per unit (table import_mapping)."""

from __future__ import annotations

from typing import Iterable

from ..errors import Invalid, ZzError
from ..excel import columns as C
from .rows import UnitNames

def field_of(target: str) -> str:
    """`整改状态` (a template header, or one of its synonyms) or `status` → the column key."""
    from ..excel.columns import header_key

    want = header_key(target)
    for spec in (*C.SHEETS, C.COMBINED_SHEET):
        for col in (C.UNIT, *spec.columns):
            if target == col.key or want == header_key(col.header):
                return col.key
    for spec in (*C.SHEETS, C.COMBINED_SHEET):
        for col in (C.UNIT, *spec.columns):
            if want in (header_key(n) for n in col.synonyms):
                return col.key
    headers = "、".join(dict.fromkeys(c.header for s in C.SHEETS for c in s.columns))
    raise Invalid(f"--map：“{target}”不是 zz 认识的列，可写：{headers}", field="map")


def parse_maps(items: Iterable[str]) -> dict[str, str]:
    """`整改进展情况=整改状态` → {header key: column key}."""
    from ..excel.columns import header_key

    out: dict[str, str] = {}
    for item in items:
        header, sep, target = str(item).partition("=")
        if not sep or not header.strip() or not target.strip():
            raise Invalid(f"--map：“{item}”应写成 表头=字段，如 --map 整改进展情况=整改状态", field="map")
        out[header_key(header)] = field_of(target.strip())
    return out


def stored_mappings(session, names: UnitNames, ref: str | None) -> dict[str, str]:
    from sqlalchemy import select

    from ..models import ImportMapping

    if not ref:
        return {}
    try:
        unit_id = names.resolve(ref)[0]
    except ZzError:
        return {}
    M = ImportMapping.__table__
    return dict(session.connection().execute(select(M.c.header, M.c.field).where(M.c.unit_id == unit_id)).all())


def remember_mappings(session, unit_ids: Iterable[int], maps: dict[str, str]) -> None:
    """Each unit of the file keeps the layout: next month's file from it goes in without --map."""
    from sqlmodel import select

    from ..models import ImportMapping

    for unit_id in sorted(unit_ids):
        for header, field in maps.items():
            row = session.exec(select(ImportMapping).where(ImportMapping.unit_id == unit_id, ImportMapping.header == header)).first()
            if row is None:
                session.add(ImportMapping(unit_id=unit_id, header=header, field=field))
            elif row.field != field:
                row.field = field
    session.flush()


def list_mappings(session, *, unit: str | None = None) -> list[dict]:
    from sqlmodel import select

    from .. import units
    from ..models import ImportMapping, Unit

    q = select(ImportMapping, Unit.name).join(Unit, Unit.id == ImportMapping.unit_id)
    if unit:
        q = q.where(ImportMapping.unit_id == units.resolve(session, unit).id)
    labels = {c.key: c.header for s in (*C.SHEETS, C.COMBINED_SHEET) for c in (C.UNIT, *s.columns)}
    return [{"unit": name, "header": m.header, "field": m.field, "column": labels.get(m.field, m.field),
             "created_on": m.created_on.isoformat()}
            for m, name in session.exec(q.order_by(Unit.name, ImportMapping.header)).all()]


def forget_mapping(session, *, unit: str, header: str) -> dict:
    from sqlmodel import select

    from .. import units
    from ..excel.columns import header_key
    from ..models import ImportMapping

    the_unit = units.resolve(session, unit)
    row = session.exec(select(ImportMapping).where(ImportMapping.unit_id == the_unit.id,
                                                   ImportMapping.header == header_key(header))).first()
    if row is None:
        raise Invalid(f"--unmap：{the_unit.name}没有记住表头“{header}”的对应（zz import --mappings 可查看）", field="unmap")
    session.delete(row)
    session.flush()
    return {"unit": the_unit.name, "header": row.header, "field": row.field}
