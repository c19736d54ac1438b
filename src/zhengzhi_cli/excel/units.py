"""`zz unit import`: the district's unit list from .xlsx or .csv."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from ..models import Unit
from ..register import plan_of
from ..text import problem
from ..units import clean_code
from ..vocab import UnitKind
from .files import cell_text as _text
from .files import read_any, table_rows

COLUMNS = {
    "name": ("单位名称", "单位全称", "名称", "单位"),
    "kind": ("单位类型", "类型", "单位类别", "类别"),
    "code": ("单位代码", "代码", "区划代码", "编码"),
    "parent": ("上级单位", "主管单位", "上级", "所属单位"),
    "leader": ("主要负责人", "负责人"),
    "contact": ("联系人",),
    "phone": ("联系电话", "电话", "手机"),
}
LABELS = {"name": "单位名称", "kind": "单位类型", "code": "单位代码", "parent": "上级单位",
          "leader": "负责人", "contact": "联系人", "phone": "联系电话"}
FIELDS = ("name", "kind", "code", "leader", "contact", "phone")
SHOWN = 50  # refused cells listed in the message (all of them are in --json)


def _ready(cols: dict[str, int]) -> bool:
    return "name" in cols and ("kind" in cols or "code" in cols)


def import_units(session, path: Path) -> dict:
    """Units from a file; any bad cell refuses the whole file. Units already registered (by name,
    then by code) are updated; 上级单位 may name a unit of the register or of the file."""
    from ..audit import set_summary
    from ..workbook_import.problems import no_header, refusal

    path = Path(path)
    problems: list = []
    entries = _read(path, plan_of(session).lists["unit_kinds"], problems)
    if not entries and not problems:
        raise no_header(path, "没有找到单位名单的表头（需要“单位名称”以及“单位类型”或“单位代码”列）",
                        accepted="单位名称、单位类型、单位代码、上级单位、负责人、联系人、联系电话")
    existing = {u.name: u for u in session.exec(select(Unit)).all()}
    by_code = {u.code: u for u in existing.values() if u.code}
    _check_names_and_parents(path, entries, existing, by_code, problems)
    if problems:
        raise refusal(path, problems, nothing="单位", shown=SHOWN)
    counts, units = _store(session, entries, existing, by_code)
    _link_parents(session, entries, units, existing, by_code)
    set_summary(session, f"导入单位名单 {path.name}：新增 {counts['new']}，更新 {counts['updated']}")
    return {"file": str(path), **counts}


def _read(path: Path, kinds: list[str], problems: list) -> list[dict]:
    """One entry per unit row, each cell checked (problems collects the refused ones)."""
    from ..workbook_import.problems import CellProblem

    entries: list[dict] = []
    for sheet, row, raw in table_rows(read_any(path), COLUMNS, _ready):
        values = {k: _text(v) for k, v in raw.items()}
        if not values.get("name") and not values.get("kind"):
            continue  # a blank or footnote row
        where = {"file": str(path), "sheet": sheet, "row": row}

        def bad(key: str, why: str, accepted: str = "", where=where, values=values) -> None:
            problems.append(CellProblem(**where, column=LABELS[key], value=values.get(key, ""), why=why, accepted=accepted))

        for key, value in values.items():
            why = problem(value, key)  # the same text rules as `zz unit add`
            if why:
                bad(key, why)
        entry = {k: v or None for k, v in values.items()}
        entry["code"] = clean_code(entry.get("code"))
        if not entry.get("name"):
            bad("name", "单位名称不能为空")
        if entry.get("kind") not in kinds:
            bad("kind", "单位类型不能为空" if not entry.get("kind") else "不是本方案的单位类型", "、".join(kinds))
        if entry.get("kind") == UnitKind.SUBORDINATE and not entry.get("parent"):
            bad("parent", "下属单位必须写明上级单位")
        entry["_where"] = where
        entries.append(entry)
    return entries


def _check_names_and_parents(path: Path, entries: list[dict], existing: dict, by_code: dict, problems: list) -> None:
    """A name twice in the file; a 上级单位 neither registered nor in the file."""
    from ..workbook_import.problems import CellProblem

    seen: dict[str, dict] = {}
    for e in entries:
        if e.get("name") in seen:
            problems.append(CellProblem(**e["_where"], column="单位名称", value=e["name"],
                                        why=f"与第 {seen[e['name']]['_where']['row']} 行重复"))
        elif e.get("name"):
            seen[e["name"]] = e
    known = set(existing) | set(seen)
    for e in entries:
        if e.get("parent") and e["parent"] not in known and clean_code(e["parent"]) not in by_code:
            problems.append(CellProblem(**e["_where"], column="上级单位", value=e["parent"],
                                        why="上级单位既不在登记簿中，也不在本文件中"))


def _store(session, entries: list[dict], existing: dict, by_code: dict) -> tuple[dict, dict[str, Unit]]:
    """New units added, registered ones updated with the cells the file fills."""
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    units: dict[str, Unit] = {}
    for e in entries:
        unit = existing.get(e["name"]) or (by_code.get(e["code"]) if e.get("code") else None)
        fields = {k: e.get(k) for k in FIELDS}
        if unit is None:
            unit = Unit(**fields)
            counts["new"] += 1
        else:
            changed = any(v is not None and getattr(unit, k) != v for k, v in fields.items())
            for k, v in fields.items():
                if v is not None:
                    setattr(unit, k, v)
            counts["updated" if changed else "unchanged"] += 1
        session.add(unit)
        units[e["name"]] = unit
    session.flush()
    return counts, units


def _link_parents(session, entries: list[dict], units: dict[str, Unit], existing: dict, by_code: dict) -> None:
    for e in entries:
        if e.get("parent"):
            parent = units.get(e["parent"]) or existing.get(e["parent"]) or by_code.get(clean_code(e["parent"]))
            unit = units[e["name"]]
            if unit.parent_id != parent.id:
                unit.parent_id = parent.id
                session.add(unit)
    session.flush()
