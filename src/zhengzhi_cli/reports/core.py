"""What the monthly report and the summary share: overview, 分单位, 分重点, 分来源, the overdue list."""

from __future__ import annotations

from collections import defaultdict

from ..register import plan_of
from .figures import (
    ISSUE_STATES,
    all_units,
    fix_figures,
    issue_cube,
    rank,
    rate,
)
from .lists import overdue_list
from .periods import Period

UNIT_FIGURES = ("issues", "fixes", "not_started", "in_progress", "done", "verified", "ongoing", "due", "due_done",
                "overdue", "overdue_blue", "overdue_yellow", "overdue_red")


def core_figures(session, p: Period, *, limit: int) -> dict:
    """What monthly and summary share: overview, 分单位, 分重点, 分来源, the lists."""
    plan = plan_of(session)
    fixfig = fix_figures(session, p)
    cube = issue_cube(session, p)
    issues_by_unit: dict[int, int] = defaultdict(int)
    by_area: dict[int, dict] = {a.no: dict.fromkeys(ISSUE_STATES, 0) for a in plan.areas}
    by_source: dict[str, dict] = {s: dict.fromkeys(ISSUE_STATES, 0) for s in plan.lists["sources"]}
    issue_states = dict.fromkeys(ISSUE_STATES, 0)
    for u, a, s, st, n in cube:
        issues_by_unit[u] += n
        by_area.setdefault(a, dict.fromkeys(ISSUE_STATES, 0))[st] += n
        by_source.setdefault(s, dict.fromkeys(ISSUE_STATES, 0))[st] += n
        issue_states[st] += n

    units_rows = []
    for uid, code, name, kind, parent in all_units(session):
        f = fixfig.get(uid) or {}
        row = {"unit": name, "code": code, "kind": kind, "parent": parent, "issues": issues_by_unit.get(uid, 0)}
        for k in UNIT_FIGURES[1:]:
            row[k] = int(f.get(k, 0) or 0)
        row["completion_rate"] = rate(row["due_done"], row["due"])
        units_rows.append((uid, row, f))
    rank([r for _, r, _ in units_rows])

    total = {k: sum(r[k] for _, r, _ in units_rows) for k in UNIT_FIGURES}
    total["completion_rate"] = rate(total["due_done"], total["due"])
    overview = {
        "units": len(units_rows),
        "units_with_issues": sum(1 for _, r, _ in units_rows if r["issues"]),
        **{k: total[k] for k in UNIT_FIGURES},
        "completed": total["done"] + total["verified"],
        "completion_rate": total["completion_rate"],
        "issue_status": issue_states,
    }
    total_issues = sum(issue_states.values())

    def share(n: int) -> float | None:
        return round(n / total_issues, 4) if total_issues else None

    areas = [{"no": a.no, "area": a.name, "title": a.title, "issues": sum(by_area[a.no].values()),
              "share": share(sum(by_area[a.no].values())), "status": by_area[a.no]} for a in plan.areas]
    sources = [{"source": s, "issues": sum(v.values()), "share": share(sum(v.values())), "status": v}
               for s, v in by_source.items()]
    return {
        "fixfig": fixfig, "units_rows": units_rows, "overview": overview,
        "units": [r for _, r, _ in units_rows], "areas": areas, "sources": sources,
        "overdue": overdue_list(session, p.as_of, total=overview["overdue"], limit=limit),
    }


