"""阶段进度: the plan's timeline with where we are, and every unit × milestone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..register import plan_of
from .figures import rate
from .periods import prepared_by
from .results import PhasesReport

# ---------------------------------------------------------------- phases


def phases(session, *, as_of: dt.date | None = None) -> PhasesReport:
    """The plan's timeline with where we are, and every unit × milestone with state and date."""
    from ..milestones import DONE, DONE_LATE, LATE, NOT_DUE, phase_status

    plan = plan_of(session)
    day = as_of or dt.date.today()
    status = phase_status(session, as_of=day)
    timeline = []
    for ph in plan.phases:
        state = "已结束" if day > ph.end else ("进行中" if ph.start <= day else "未开始")
        timeline.append({"no": ph.no, "name": ph.name, "when": ph.when, "start": ph.start.isoformat(), "end": ph.end.isoformat(),
                         "state": state, "current": bool(status["current_phase"] and status["current_phase"]["no"] == ph.no),
                         "milestones": [m.name for m in plan.milestones if m.phase == ph.no]})
    counts = []
    for ph in plan.phases:
        keys = [m.key for m in plan.milestones if m.phase == ph.no]
        c = dict.fromkeys((DONE, DONE_LATE, LATE, NOT_DUE), 0)
        for u in status["units"]:
            for m in u["milestones"]:
                if m["key"] in keys:
                    c[m["state"]] += 1
        expected = len(keys) * len(status["units"])
        counts.append({"phase": ph.no, "name": ph.name, "milestones": len(keys), "expected": expected,
                       "done": c[DONE], "done_late": c[DONE_LATE], "late": c[LATE], "not_due": c[NOT_DUE],
                       "completion_rate": rate(c[DONE] + c[DONE_LATE], expected)})
    by_milestone = []
    for m in plan.milestones:
        c = dict.fromkeys((DONE, DONE_LATE, LATE, NOT_DUE), 0)
        for u in status["units"]:
            c[next(x for x in u["milestones"] if x["key"] == m.key)["state"]] += 1
        by_milestone.append({"key": m.key, "name": m.name, "phase": m.phase, "due_on": m.due_on.isoformat(),
                             "done": c[DONE], "done_late": c[DONE_LATE], "late": c[LATE], "not_due": c[NOT_DUE]})
    for u in status["units"]:
        u["done"] = sum(1 for m in u["milestones"] if m["state"] in (DONE, DONE_LATE))
        u["late"] = sum(1 for m in u["milestones"] if m["state"] == LATE)
    cur = status["current_phase"]
    title = f"{plan.name}阶段进度（截至{day.year}年{day.month}月{day.day}日）"
    return PhasesReport(**{
        "report": "phases", "title": title, "plan": plan.name, "as_of": day.isoformat(),
        "prepared_by": prepared_by(plan), "prepared_on": dt.date.today().isoformat(),
        "current_phase": cur, "days_into_campaign": (day - plan.start).days + 1 if day >= plan.start else 0,
        "days_left": max((plan.end - day).days, 0), "timeline": timeline, "phase_counts": counts,
        "milestone_counts": by_milestone, "units": status["units"],
        "definitions": [
            "节点状态：已完成（在截止日期前完成）、逾期完成（截止日期后完成）、已逾期（已过截止日期仍未完成）、未到期。",
            "四查四看、问题清单、整改清单、制度清单、接受督查由登记的数据按其自身日期（检查日期、发现日期、填报日期）得出；实施方案、领导机构、动员会议、总结报告为手工标记（zz milestone done），任一节点手工标记的日期优先于数据。",
            "完成率 =（已完成 + 逾期完成）÷ 应完成节点数（单位数 × 本阶段节点数）。",
        ],
    })




def write_phases(session, *, path, as_of: dt.date | None = None) -> Path:
    from ..excel.reports import write_report

    return write_report(phases(session, as_of=as_of).as_dict(), Path(path))

