"""Public disclosure (公布整改情况 / 政务公开): rectification status by unit and by area, and
the completed and in-progress items, with no personal data.

Nothing personal is selected in the first place (责任领导, 责任人, verifiers, phones,
accountability), and the free text that is published (问题描述, 整改措施) goes through the one
redactor of every public output (redact.py), since a clerk may have written
"科员王明上班时间炒股" or "联系人李四13812345678" into a description.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from .. import issues as issues_mod
from ..errors import Invalid
from ..fixes import deadline_for_public
from ..models import Fix, Issue, Unit
from ..redact import for_register
from ..register import plan_of
from ..vocab import FixStatus, IssueStatus
from .asof import changed_since
from .figures import rate
from .results import PublicReport

DONE, FIXING = FixStatus.DONE, FixStatus.IN_PROGRESS


def _then(session, as_of: dt.date) -> dict:
    """The fixes whose row tells `as_of` wrongly (an extension, a 退回 or a first step after it), as
    they stood that day (SPEC §5a): fix id → (status, deadline, ongoing, done_on, verified_on)."""
    return {c.fix_id: (c.then.status, c.then.deadline, c.then.ongoing, c.then.done_on, c.then.verified_on)
            for c in changed_since(session, as_of)}


def status_on(status: str, done_on: dt.date | None, verified_on: dt.date | None, as_of: dt.date) -> str:
    """A fix's status as it stood on `as_of`."""
    if verified_on is not None and verified_on <= as_of:
        return FixStatus.VERIFIED
    if done_on is not None and done_on <= as_of:
        return DONE
    return status if status in (FixStatus.NOT_STARTED, FIXING) else FIXING


def _blank(statuses: list[str]) -> dict:
    return {"issues": 0, **{s: 0 for s in statuses}, "fixes": 0, "fixes_done": 0, "fixes_in_progress": 0, "due": 0,
            "due_done": 0}


def compose(session, *, as_of: dt.date | None = None, items: bool = True) -> PublicReport:
    plan = plan_of(session)
    as_of = as_of or dt.date.today()
    statuses = plan.lists["issue_statuses"]
    keys = {IssueStatus.NOT_FIXED: "not_fixed", IssueStatus.FIXING: "fixing", IssueStatus.FIXED: "fixed", IssueStatus.CLOSED: "closed"}
    unit_rows = session.exec(select(Unit.id, Unit.name, Unit.kind).order_by(func.coalesce(Unit.code, "~"), Unit.id)).all()
    live = issues_mod.live(session, Issue.id, as_of)  # void issues are not disclosed as problems
    issue_rows = session.exec(select(Issue.id, Issue.unit_id, Issue.area).where(Issue.found_on <= as_of, *live)).all()
    fix_by_issue: dict[int, list[str]] = {}
    due_by_issue: dict[int, list[bool]] = {}  # per fix: is its 整改时限 on or before as_of (the 完成率 denominator)
    fix_rows = session.exec(
        select(Fix.id, Fix.issue_id, Fix.status, Fix.deadline, Fix.ongoing, Fix.done_on, Fix.verified_on)
        .join(Issue, Issue.id == Fix.issue_id).where(Issue.found_on <= as_of, *live)
    ).all()
    then = _then(session, as_of)
    for fix_id, issue_id, *row in fix_rows:
        status, deadline, ongoing, done_on, verified_on = then.get(fix_id) or row
        fix_by_issue.setdefault(issue_id, []).append(status_on(status, done_on, verified_on, as_of))
        due_by_issue.setdefault(issue_id, []).append(bool(not ongoing and deadline is not None and deadline <= as_of))
    per_unit = {u: _blank(statuses) for u, _, _ in unit_rows}
    per_area = {a.no: _blank(statuses) for a in plan.areas}
    total = _blank(statuses)
    for issue_id, unit_id, area in issue_rows:
        fs = fix_by_issue.get(issue_id, [])
        st = issues_mod.derive_status(fs)
        done = sum(1 for s in fs if s in (DONE, FixStatus.VERIFIED))
        doing = sum(1 for s in fs if s == FIXING)
        dues = due_by_issue.get(issue_id, [])
        due = sum(dues)
        due_done = sum(1 for s, d in zip(fs, dues) if d and s in (DONE, FixStatus.VERIFIED))
        for bucket in (per_unit[unit_id], per_area[area], total):
            bucket["issues"] += 1
            bucket[st] += 1
            bucket["fixes"] += len(fs)
            bucket["fixes_done"] += done
            bucket["fixes_in_progress"] += doing
            bucket["due"] += due
            bucket["due_done"] += due_done

    def shaped(bucket: dict, **head) -> dict:
        # the one 完成率 of every report (reports.rate): completed fixes among those whose deadline has come
        return {**head, "issues": bucket["issues"], **{keys.get(s, s): bucket[s] for s in statuses},
                "fixes": bucket["fixes"], "fixes_done": bucket["fixes_done"], "fixes_in_progress": bucket["fixes_in_progress"],
                "due": bucket["due"], "due_done": bucket["due_done"], "rate": rate(bucket["due_done"], bucket["due"])}

    return PublicReport(
        report="public", as_of=as_of.isoformat(), title=f"{plan.name}整改情况公示", issuer=plan.issuer,
        totals=shaped(total),
        units=[shaped(per_unit[u], unit=name, kind=kind) for u, name, kind in unit_rows],
        areas=[shaped(per_area[a.no], area=a.name, area_no=a.no, title=a.title) for a in plan.areas],
        items=_items(session, as_of) if items else None,
    )


def _items(session, as_of: dt.date) -> list[dict]:
    """Completed and in-progress fixes, scrubbed."""
    plan = plan_of(session)
    scrub = for_register(session)
    rows = session.exec(
        select(Unit.name, Issue.area, Issue.id, Issue.description, Fix.task, Fix.on_the_spot, Fix.id, Fix.status, Fix.deadline,
               Fix.ongoing, Fix.done_on, Fix.verified_on)
        .join(Issue, Issue.id == Fix.issue_id).join(Unit, Unit.id == Fix.unit_id)
        .where(Issue.found_on <= as_of, *issues_mod.live(session, Issue.id, as_of))
        .order_by(func.coalesce(Unit.code, "~"), Unit.id, Issue.id, Fix.id)
    ).all()
    out = []
    then = _then(session, as_of)
    for unit, area, issue_id, desc, task, spot, fix_id, *row in rows:
        status, deadline, ongoing, done_on, verified_on = then.get(fix_id) or row
        st = status_on(status, done_on, verified_on, as_of)
        if st == FixStatus.NOT_STARTED:
            continue
        out.append({
            "unit": unit, "area": plan.areas[area - 1].name, "issue_id": issue_id, "issue": scrub(desc), "task": scrub(task),
            "deadline": "长期坚持" if ongoing else (deadline.isoformat() if deadline else None),
            "deadline_text": deadline_for_public(deadline, ongoing=ongoing, on_the_spot=spot),  # in force on D, in words
            "status": FIXING if st == FIXING else DONE,
            "done_on": done_on.isoformat() if st != FIXING and done_on else None,
        })
    return out


def write_report(session, *, path: Path, as_of: dt.date | None = None) -> dict:
    """`zz report public`: the disclosure workbook. Returns its figures (without the items)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise Invalid(f"输出文件（-o）：“{path.name}”应以 .xlsx 结尾", field="output")
    data = compose(session, as_of=as_of).as_dict()
    from ..excel.public import write_public

    write_public(path, data)
    figures = {k: v for k, v in data.items() if k != "items"}
    return {**figures, "items": len(data["items"]), "file": str(path)}
