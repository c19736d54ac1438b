"""Inspections (督查): 明察暗访 / 抽查检查 / 集中督查 of one or more units on a date.

What an inspection finds may become issues (source 督查) linked to it, in the same
command or later. Being inspected is each visited unit's phase-3 milestone (接受督查),
derived in milestones.py from inspection_unit. `report` is the feedback to the district
government (及时将有关情况向区政府反馈) for a month.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func
from sqlmodel import select

from . import audit, issues, units
from . import text as text_rules
from .errors import Conflict, Invalid, NotFound
from .models import Accountability, Inspection, InspectionUnit, Issue, Unit
from .register import plan_of
from .dates import campaign_date, named_month
from .text import text_or_none

SOURCE = "督查"
_SPLIT = re.compile(r"[、,，;；]+")
_PREFIX = re.compile(r"^\s*([^：:]{1,60})[：:]\s*(.+)$", re.S)


def split_names(values: list[str] | None) -> list[str]:
    """`--unit 杨村 --unit 梅厂` or `--unit 杨村、梅厂`."""
    out: list[str] = []
    for value in values or []:
        out.extend(p.strip() for p in _SPLIT.split(str(value)) if p.strip())
    return out


def _finding_unit(session, text: str, visited: list[Unit]) -> tuple[Unit, str]:
    """The unit a finding is about: the only unit visited, or the one its `单位：` prefix names."""
    m = _PREFIX.match(text)
    if m:
        ref = m.group(1).strip()
        hits = [u for u in visited if ref in (u.name, u.code) or ref in u.name]
        if len(hits) == 1:
            return hits[0], m.group(2).strip()
    if len(visited) == 1:
        return visited[0], text.strip()
    names = "、".join(u.name for u in visited)
    raise Invalid(f"督查发现（--finding）：督查了多个单位（{names}），请在发现前写明单位，如“{visited[0].name}：{text.strip()[:20]}”",
                  field="finding")


def add(session, *, kind: str, on, unit_names: list[str], by: str | None = None, findings: list[str] | None = None,
        note: str | None = None, as_issues: bool = False, area=None, owner: str | None = None,
        leader: str | None = None) -> Inspection:
    """Record an inspection; with `as_issues`, each finding also becomes an issue (source 督查)."""
    plan = plan_of(session)
    the_kind = plan.choice("inspection_kinds", kind, label="督查形式（--kind）", field="kind")
    day = campaign_date(session, on, field="督查日期（--date）")
    if day is None:
        raise Invalid("督查日期（--date）：不能为空", field="date")
    refs = split_names(unit_names)
    if not refs:
        raise Invalid("被督查单位（--unit）：至少写一个单位", field="unit")
    visited: list[Unit] = []
    for ref in refs:
        unit = units.resolve(session, ref)
        if unit.id not in {u.id for u in visited}:
            visited.append(unit)
    texts = [t for t in (text_rules.clean(f, field="findings", label="督查发现（--finding）") for f in findings or []) if t]
    by, note = text_rules.clean(by, field="inspectors", label="督查人员（--by）"), text_rules.clean(note, field="note")
    if as_issues:
        if not texts:
            raise Invalid("督查发现（--finding）：要转为问题（--as-issue），请至少写一条发现", field="finding")
        if area in (None, ""):
            raise Invalid("整治重点（--area）：督查发现转为问题时必须写明整治重点", field="area")
        plan.area(area)
        targets = [_finding_unit(session, t, visited) for t in texts]
    inspection = Inspection(kind=the_kind, inspected_on=day, inspectors=text_or_none(by),
                            findings="\n".join(texts) or None, note=text_or_none(note))
    session.add(inspection)
    session.flush()
    for unit in visited:
        session.add(InspectionUnit(inspection_id=inspection.id, unit_id=unit.id))
    session.flush()
    created = 0
    if as_issues:
        for unit, text in targets:
            issues.add(session, unit=unit.name, text=text, area=area, source=SOURCE, found=day, owner=owner,
                       leader=leader, extra={"inspection_id": inspection.id})
            created += 1
    names = "、".join(u.name for u in visited)
    audit.set_summary(session, f"登记督查 #{inspection.id}（{the_kind}，{day}，{names}）" + (f"，发现问题 {created} 条" if created else ""))
    return inspection


def get(session, inspection_id: int) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound(f"督查编号：没有编号为 {inspection_id} 的督查（zz inspect list 可查看）", field="inspection_id")
    return inspection


def add_finding(session, inspection_id: int, *, text: str, unit: str | None = None, area=None,
                owner: str | None = None, leader: str | None = None) -> Issue:
    """A finding registered after the inspection: an issue with source 督查, linked to it."""
    inspection = get(session, inspection_id)
    visited = _visited(session, [inspection.id])[inspection.id]
    text = text_rules.clean(text, field="findings", label="督查发现", required=True)
    if area in (None, ""):
        raise Invalid("整治重点（--area）：督查发现转为问题时必须写明整治重点", field="area")
    if unit:
        the_unit = units.resolve(session, unit)
        if the_unit.id not in {u.id for u in visited}:
            names = "、".join(u.name for u in visited)
            raise Invalid(f"单位（--unit）：督查 #{inspection.id} 没有督查“{the_unit.name}”（被督查单位：{names}）", field="unit")
    else:
        the_unit, text = _finding_unit(session, text, visited)
    issue = issues.add(session, unit=the_unit.name, text=text, area=area, source=SOURCE, found=inspection.inspected_on,
                       owner=owner, leader=leader, extra={"inspection_id": inspection.id})
    inspection.findings = "\n".join(filter(None, [inspection.findings, text]))
    session.add(inspection)
    session.flush()
    audit.set_summary(session, f"督查 #{inspection.id} 发现问题 #{issue.id}（{the_unit.name}）")
    return issue


def edit(session, inspection_id: int, *, kind=None, on=None, unit_names: list[str] | None = None, by=None,
         note=None) -> list[dict]:
    """Correct an inspection; returns the changes (old → new). `unit_names` replaces the units visited,
    but never drops one that an issue found by this inspection belongs to."""
    from . import edits

    inspection = get(session, inspection_id)
    ch = edits.Changes("inspect edit")
    if kind is not None:
        ch.set(inspection, "kind", "督查形式",
               plan_of(session).choice("inspection_kinds", kind, label="督查形式（--kind）", field="kind"))
    if on is not None:
        day = campaign_date(session, on, field="督查日期（--date）")
        if day is None:
            raise Invalid("督查日期（--date）：不能为空", field="date")
        old_day = inspection.inspected_on
        if ch.set(inspection, "inspected_on", "督查日期", day):
            _move_findings(session, inspection, old_day, day)
    if unit_names is not None:
        _edit_units(session, inspection, unit_names, ch)
    if by is not None:
        ch.set(inspection, "inspectors", "督查人员", text_or_none(by))
    if note is not None:
        ch.set(inspection, "note", "备注", text_or_none(note))
    changes = ch.done(session, f"督查 #{inspection.id}")
    session.add(inspection)
    session.flush()
    return changes


def _move_findings(session, inspection: Inspection, old_day: dt.date, day: dt.date) -> None:
    """The issues it found were found on its date: they follow a corrected date."""
    found = session.exec(select(Issue).where(Issue.inspection_id == inspection.id,
                                             Issue.found_on == old_day)).all()
    for issue in found:
        issue.found_on = day
        session.add(issue)
    session.flush()
    if found:
        issues.refresh_status(session, [i.id for i in found])


def _edit_units(session, inspection: Inspection, refs: list[str], ch) -> None:
    names = split_names(refs)
    if not names:
        raise Invalid("被督查单位（--unit）：至少写一个单位", field="unit")
    wanted: list[Unit] = []
    for ref in names:
        unit = units.resolve(session, ref)
        if unit.id not in {u.id for u in wanted}:
            wanted.append(unit)
    visited = _visited(session, [inspection.id])[inspection.id]
    keep = {u.id for u in wanted}
    for issue_id, unit_id in session.exec(select(Issue.id, Issue.unit_id).where(Issue.inspection_id == inspection.id)).all():
        if unit_id not in keep:
            name = session.get(Unit, unit_id).name
            raise Conflict(f"被督查单位（--unit）：督查 #{inspection.id} 发现的问题 #{issue_id} 属于“{name}”，不能去掉该单位",
                           field="unit")
    if not ch.set(None, "units", "被督查单位", sorted(u.name for u in wanted), old=sorted(u.name for u in visited), apply=False):
        return
    for link in session.exec(select(InspectionUnit).where(InspectionUnit.inspection_id == inspection.id)).all():
        if link.unit_id not in keep:
            session.delete(link)
    for unit in wanted:
        if unit.id not in {u.id for u in visited}:
            session.add(InspectionUnit(inspection_id=inspection.id, unit_id=unit.id))


def _visited(session, ids: list[int]) -> dict[int, list[Unit]]:
    out: dict[int, list[Unit]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(InspectionUnit.inspection_id, Unit).join(Unit, Unit.id == InspectionUnit.unit_id)
            .where(InspectionUnit.inspection_id.in_(ids[start : start + 500])).order_by(Unit.id)
        ).all()
        for inspection_id, unit in rows:
            out[inspection_id].append(unit)
    return out


def _found(session, ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {i: [] for i in ids}
    plan = plan_of(session)
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(Issue, Unit.name).join(Unit, Unit.id == Issue.unit_id)
            .where(Issue.inspection_id.in_(ids[start : start + 500])).order_by(Issue.id)
        ).all()
        for issue, unit_name in rows:
            out[issue.inspection_id].append({
                "id": issue.id, "unit": unit_name, "area": plan.areas[issue.area - 1].name,
                "description": issue.description, "status": issue.status,
            })
    return out


def record(inspection: Inspection, visited: list[Unit], found: list[dict]) -> dict:
    return {
        "id": inspection.id, "kind": inspection.kind, "inspected_on": inspection.inspected_on.isoformat(),
        "units": [u.name for u in visited], "inspectors": inspection.inspectors,
        "findings": inspection.findings.split("\n") if inspection.findings else [],
        "note": inspection.note, "issues": found,
    }


def list_inspections(session, *, unit: str | None = None, kind: str | None = None, period: str | None = None,
                     start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    q = select(Inspection)
    if unit:
        the_unit = units.resolve(session, unit)
        q = q.where(Inspection.id.in_(select(InspectionUnit.inspection_id).where(InspectionUnit.unit_id == the_unit.id)))
    if kind:
        q = q.where(Inspection.kind == plan_of(session).choice("inspection_kinds", kind, label="督查形式（--kind）", field="kind"))
    if period:
        _, start, end = named_month(period)
    if start:
        q = q.where(Inspection.inspected_on >= start)
    if end:
        q = q.where(Inspection.inspected_on <= end)
    rows = list(session.exec(q.order_by(Inspection.inspected_on, Inspection.id)).all())
    ids = [i.id for i in rows]
    visited, found = _visited(session, ids), _found(session, ids)
    return [record(i, visited[i.id], found[i.id]) for i in rows]


def show(session, inspection_id: int) -> dict:
    inspection = get(session, inspection_id)
    return record(inspection, _visited(session, [inspection.id])[inspection.id], _found(session, [inspection.id])[inspection.id])


def report(session, *, period: str) -> dict:
    """The month's feedback to the district government: inspections, what they found, the state of
    those findings at the month's end, and the accountability decided in the month."""
    key, start, end = named_month(period)
    plan = plan_of(session)
    recs = list_inspections(session, start=start, end=end)
    found = [i for r in recs for i in r["issues"]]
    statuses = plan.lists["issue_statuses"]
    by_status = {s: sum(1 for i in found if i["status"] == s) for s in statuses}
    by_kind = {k: sum(1 for r in recs if r["kind"] == k) for k in plan.lists["inspection_kinds"]}
    acc_rows = session.exec(
        select(Accountability.measure, func.count()).where(Accountability.decided_on >= start, Accountability.decided_on <= end)
        .group_by(Accountability.measure)
    ).all()
    acc = {m: 0 for m in plan.lists["measures"]} | {m: n for m, n in acc_rows}
    units_seen = sorted({u for r in recs for u in r["units"]})
    return {
        "month": key, "start": start.isoformat(), "end": end.isoformat(),
        "title": f"{plan.name}督查情况反馈（{start.year}年{start.month}月）",
        "empty": not recs,
        "totals": {
            "inspections": len(recs), "units_inspected": len(units_seen), "issues_found": len(found),
            "by_kind": by_kind, "issues_by_status": by_status, "accountability_by_measure": acc,
        },
        "inspections": recs,
    }


def _md(value) -> str:
    return "" if value is None else str(value).replace("|", "｜").replace("\n", "<br>")


def report_markdown(data: dict) -> str:
    t = data["totals"]
    lines = [f"# {data['title']}", "",
             f"{data['start']} 至 {data['end']}，共开展督查 {t['inspections']} 次（"
             + "，".join(f"{k} {v} 次" for k, v in t["by_kind"].items()) + f"），督查单位 {t['units_inspected']} 个，"
             f"发现问题 {t['issues_found']} 条（" + "，".join(f"{k} {v} 条" for k, v in t["issues_by_status"].items()) + "）。", "",
             "本月问责：" + "，".join(f"{k} {v} 人次" for k, v in t["accountability_by_measure"].items()) + "。", "",
             "| 序号 | 督查日期 | 督查形式 | 被督查单位 | 督查人员 | 督查发现 | 问题及整改状态 |", "|---|---|---|---|---|---|---|"]
    for i, r in enumerate(data["inspections"], start=1):
        lines.append("| " + " | ".join(_md(v) for v in (
            i, r["inspected_on"], r["kind"], "、".join(r["units"]), r["inspectors"], "\n".join(r["findings"]),
            "、".join(f"#{x['id']}（{x['status']}）" for x in r["issues"]))) + " |")
    return "\n".join(lines) + "\n"


def write_report(data: dict, *, path) -> None:
    """The feedback as .xlsx (for printing) or .md."""
    from pathlib import Path

    from .excel.bulletin import atomic_save, write_inspection_report

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_inspection_report(path, data)
    elif suffix == ".md":
        text = report_markdown(data)
        atomic_save(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    else:
        raise Invalid(f"输出文件（-o）：“{path.name}”应以 .xlsx 或 .md 结尾", field="output")
