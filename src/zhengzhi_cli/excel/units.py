"""`zz unit import`: the district's unit list from .xlsx or .csv."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from ..errors import FileRefused
from ..models import Unit
from ..register import plan_of
from ..text import problem
from ..units import SUBORDINATE, clean_code
from .files import cell_text as _text, find_header, read_any

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


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    return find_header(rows, COLUMNS, lambda cols: "name" in cols and ("kind" in cols or "code" in cols))


def import_units(session, path: Path) -> dict:
    path = Path(path)
    plan = plan_of(session)
    kinds = plan.lists["unit_kinds"]
    sheets = read_any(path)
    problems: list[dict] = []
    entries: list[dict] = []
    for sheet in sheets:
        found = _header(sheet.rows)
        if not found:
            continue
        head, cols = found
        for r in range(head + 1, len(sheet.rows)):
            row = sheet.rows[r]
            values = {k: _text(row[c]) if c < len(row) else "" for k, c in cols.items()}
            if not any(values.values()):
                continue
            if not values.get("name") and not values.get("kind"):
                continue  # a footnote row
            entry = {k: v or None for k, v in values.items()}
            entry["code"] = clean_code(entry.get("code"))
            where = {"sheet": sheet.name, "row": r + 1}

            def bad(key: str, why: str) -> None:
                problems.append({**where, "column": LABELS[key], "value": values.get(key, ""), "why": why})

            for key, value in values.items():
                why = problem(value, key)  # the same text rules as `zz unit add`
                if why:
                    bad(key, why)
            if not entry.get("name"):
                bad("name", "单位名称不能为空")
            if entry.get("kind") not in kinds:
                bad("kind", f"单位类型应为：{'、'.join(kinds)}")
            if entry.get("kind") == SUBORDINATE and not entry.get("parent"):
                bad("parent", "下属单位必须写明上级单位")
            entry["_where"] = where
            entries.append(entry)
    if not entries and not problems:
        raise FileRefused(f"文件“{path.name}”：没有找到单位名单的表头（需要“单位名称”以及“单位类型”或“单位代码”列）", field="file")
    names = [e["name"] for e in entries if e.get("name")]
    seen: dict[str, dict] = {}
    for e in entries:
        if e.get("name") in seen:
            problems.append({**e["_where"], "column": "单位名称", "value": e["name"],
                             "why": f"与第 {seen[e['name']]['_where']['row']} 行重复"})
        elif e.get("name"):
            seen[e["name"]] = e
    existing = {u.name: u for u in session.exec(select(Unit)).all()}
    by_code = {u.code: u for u in existing.values() if u.code}
    known = set(existing) | set(names)
    for e in entries:
        if e.get("parent") and e["parent"] not in known and clean_code(e["parent"]) not in by_code:
            problems.append({**e["_where"], "column": "上级单位", "value": e["parent"], "why": "上级单位既不在登记簿中，也不在本文件中"})
    if problems:
        raise FileRefused(_summary(path, problems), field="file", problems=problems)
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    units: dict[str, Unit] = {}
    for e in entries:
        unit = existing.get(e["name"]) or (by_code.get(e["code"]) if e.get("code") else None)
        fields = {k: e.get(k) for k in ("name", "kind", "code", "leader", "contact", "phone")}
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
    for e in entries:
        if e.get("parent"):
            parent = units.get(e["parent"]) or existing.get(e["parent"]) or by_code.get(clean_code(e["parent"]))
            unit = units[e["name"]]
            if unit.parent_id != parent.id:
                unit.parent_id = parent.id
                session.add(unit)
    session.flush()
    from ..audit import set_summary

    set_summary(session, f"导入单位名单 {path.name}：新增 {counts['new']}，更新 {counts['updated']}")
    return {"file": str(path), **counts}


def _summary(path: Path, problems: list[dict]) -> str:
    lines = [f"文件“{path.name}”有 {len(problems)} 处错误，未导入任何单位："]
    for p in problems[:50]:
        lines.append(f"  工作表“{p['sheet']}”第 {p['row']} 行“{p['column']}”列（{p['value']}）：{p['why']}")
    if len(problems) > 50:
        lines.append(f"  ……另有 {len(problems) - 50} 处")
    return "\n".join(lines)
