"""The monthly report (月报): the month's changes, standing against last month, the 综述."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from .. import issues as issues_mod
from ..models import (
    Issue,
    Unit,
)
from ..register import plan_of
from .core import core_figures
from .figures import (
    LIST_LIMIT,
    fix_figures,
    header,
    issues_found,
    pct_text,
    points_text,
    rate,
    shown,
)
from .lists import SOON_DAYS, due_soon_list, new_issues_list, verified_list
from .periods import Period, month_period
from .results import MonthlyReport
from .supervision import month_supervision
from .trend import six_month_trend, trend_dicts

CHANGE_METRICS = (
    ("issues_found", "新发现问题"), ("fixes_completed", "完成整改事项"), ("fixes_verified", "销号"),
    ("newly_overdue", "新增逾期"),
)


def monthly(session, *, month: str | None = None, as_of: dt.date | None = None, limit: int = LIST_LIMIT) -> MonthlyReport:
    """The monthly report's figures (月报): as of the month's last day (or today, mid-month)."""
    p = month_period(month, as_of=as_of)
    plan = plan_of(session)
    year, mon = int(p.label[:4]), int(p.label[5:])
    core = core_figures(session, p, limit=limit)
    new_now = issues_found(session, p.start, p.as_of)
    new_prev = issues_found(session, p.prev_start, p.prev_as_of)
    prev_issues = session.execute(select(func.count()).select_from(Issue).where(
        Issue.found_on <= p.prev_as_of, *issues_mod.live(session, Issue.id, p.as_of))).scalar_one()
    ff = core["fixfig"]

    def tot(key: str) -> int:
        return int(sum((f.get(key) or 0) for f in ff.values()))

    this = {"issues_found": sum(new_now.values()), "fixes_completed": tot("completed_in_period"),
            "fixes_verified": tot("verified_in_period"), "newly_overdue": tot("newly_overdue")}
    last = {"issues_found": sum(new_prev.values()), "fixes_completed": tot("completed_in_prev"),
            "fixes_verified": tot("verified_in_prev"), "newly_overdue": tot("newly_overdue_prev")}
    changes = [{"key": k, "metric": label, "this_month": this[k], "last_month": last[k], "delta": this[k] - last[k]}
               for k, label in CHANGE_METRICS]
    ov = core["overview"]
    # last month's end as last month's report gave it: the deadlines then in force (an extension
    # approved this month does not take a fix out of last month's 时限已到)
    then = fix_figures(session, Period(label="上月", start=p.prev_start, as_of=p.prev_as_of)).values()

    def before(key: str) -> int:
        return int(sum(f[key] for f in then))

    standing = [
        {"key": "issues", "metric": "问题总数", "now": ov["issues"], "before": prev_issues},
        {"key": "completed", "metric": "已完成整改（含已销号）", "now": ov["completed"], "before": before("done") + before("verified")},
        {"key": "verified", "metric": "已销号", "now": ov["verified"], "before": before("verified")},
        {"key": "due", "metric": "时限已到的整改事项（完成率分母）", "now": ov["due"], "before": before("due")},
        {"key": "due_done", "metric": "其中已完成（完成率分子）", "now": ov["due_done"], "before": before("due_done")},
        {"key": "completion_rate", "metric": "完成率", "now": ov["completion_rate"], "before": rate(before("due_done"), before("due"))},
        {"key": "overdue", "metric": "逾期整改事项", "now": ov["overdue"], "before": before("overdue")},
    ]
    for s in standing:
        s["delta"] = (round(s["now"] - s["before"], 3) if s["now"] is not None and s["before"] is not None else None)
    for (uid, row, f) in core["units_rows"]:
        row["issues_found_in_month"] = new_now.get(uid, 0)
        row["completed_in_month"] = int(f.get("completed_in_period", 0) or 0)
        row["verified_in_month"] = int(f.get("verified_in_period", 0) or 0)
    out = header(session, "monthly", f"{plan.name}月报（{year}年{mon}月）", p)
    out.update({"month": p.label, "previous_as_of": p.prev_as_of.isoformat(), **shown(core),
                "changes": changes, "standing": standing,
                "new_issues": new_issues_list(session, p.start, p.as_of, limit=limit),
                "verified_fixes": verified_list(session, p.start, p.as_of, limit=limit),
                "due_soon": due_soon_list(session, p.as_of, limit=limit),
                "supervision_month": month_supervision(session, p.start, p.as_of)})
    out["digest"] = digest(session, out)
    out["trend"] = trend_dicts(six_month_trend(session, plan, p))
    return MonthlyReport(**out)


BEHIND = 10  # units named in the 综述


def digest(session, data: dict) -> dict:
    """The monthly report's 综述: one paragraph written from its figures — totals and 完成率
    (with numerator and denominator), the units furthest behind with their 责任领导, fixes due in
    the next days (临期) and the trend against last month. Text and the figures it names."""
    ov = data["overview"]
    as_of = dt.date.fromisoformat(data["as_of"])
    leaders = dict(session.execute(select(Unit.name, Unit.leader)).all())
    behind = sorted((u for u in data["units"] if u["overdue"] or (u["completion_rate"] is not None and u["completion_rate"] < 1)),
                    key=lambda u: (-u["overdue"], u["completion_rate"] if u["completion_rate"] is not None else 2, u["unit"]))
    behind = [{"unit": u["unit"], "leader": leaders.get(u["unit"]), "overdue": u["overdue"],
               "completion_rate": u["completion_rate"]} for u in behind[:BEHIND]]
    soon_end = as_of + dt.timedelta(days=SOON_DAYS)
    soon = data["due_soon"]["total"]  # the 临期清单's count: the deadlines in force on D
    std = {x["key"]: x for x in data["standing"]}
    chg = {x["key"]: x for x in data["changes"]}
    cr = std["completion_rate"]
    sentences = [
        f"截至 {data['as_of']}，全区 {ov['units']} 个单位共查摆问题 {ov['issues']} 个、制定整改事项 {ov['fixes']} 项；"
        f"整改时限已到的 {ov['due']} 项中已完成 {ov['due_done']} 项，完成率 {pct_text(ov['completion_rate'])}"
        f"（上月末 {pct_text(cr['before'])}，{points_text(cr['delta'])}）；逾期 {ov['overdue']} 项"
        f"（红 {ov['overdue_red']}、黄 {ov['overdue_yellow']}、蓝 {ov['overdue_blue']}），"
        f"较上月末{'增加' if (std['overdue']['delta'] or 0) >= 0 else '减少'} {abs(std['overdue']['delta'] or 0)} 项。",
        f"本月新发现问题 {chg['issues_found']['this_month']} 个（上月 {chg['issues_found']['last_month']} 个），"
        f"完成整改 {chg['fixes_completed']['this_month']} 项（上月 {chg['fixes_completed']['last_month']} 项）；"
        f"今后 {SOON_DAYS} 天内（至 {soon_end.isoformat()}）到期的整改事项 {soon} 项，请提前督促。",
    ]
    if behind:
        sentences.append("进展最滞后的单位（按逾期项数）：" + "；".join(
            f"{b['unit']}（逾期 {b['overdue']} 项，完成率 {pct_text(b['completion_rate'])}，责任领导 {b['leader'] or '未登记'}）"
            for b in behind) + "。")
    rechecks, said = _recheck_failures(session, data)
    if said:
        sentences.append(said)
    return {"text": sentences, "behind": behind, "due_soon": soon, "due_soon_until": soon_end.isoformat(),
            "recheck": rechecks}


def _recheck_failures(session, data: dict) -> tuple[dict, str | None]:
    """The month's failed 回头看 (反弹/虚假整改) and the units proposed for 约谈 (or another measure)."""
    from .. import recheck

    start = dt.date.fromisoformat(f"{data['month']}-01")
    failed = recheck.failures_in(session, start, dt.date.fromisoformat(data["as_of"]))
    proposals: dict[str, list[str]] = {}
    for f in failed:
        if f["proposal"] and f["unit"] not in proposals.setdefault(f["proposal"], []):
            proposals[f["proposal"]].append(f["unit"])
    rebound = sum(f["result"] == recheck.REBOUND for f in failed)
    sentence = f"回头看发现反弹{rebound}项" + (f"、虚假整改{len(failed) - rebound}项" if len(failed) > rebound else "")
    sentence += "".join(f"，建议{p}：{'、'.join(units)}" for p, units in proposals.items()) + "。"
    return ({"failed": len(failed), "rebound": rebound, "fixes": [f["fix_id"] for f in failed],
             "proposals": [{"proposal": p, "units": units} for p, units in proposals.items()]},
            sentence if failed else None)




def write_monthly(session, *, month: str | None = None, path, as_of: dt.date | None = None,
                  limit: int = LIST_LIMIT) -> Path:
    """Write the monthly workbook (月报) to `path`; returns the path. For `zz demo` and scripts."""
    from ..excel.reports import write_report

    return write_report(monthly(session, month=month, as_of=as_of, limit=limit).as_dict(), Path(path))


