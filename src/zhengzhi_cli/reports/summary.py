"""The campaign's 总结: monthly's tables for the whole campaign, the trend by month, supervision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import and_, select

from .. import issues as issues_mod
from ..models import (
    Fix,
    Issue,
)
from ..register import plan_of
from .asof import changes_after
from .core import core_figures
from .figures import LIST_LIMIT, count_if, header, shown
from .periods import Period, campaign_period, month_end
from .results import SummaryReport
from .supervision import supervision


def monthly_trend(session, plan, p: Period) -> list[dict]:
    """Per month of the campaign up to D: issues found, fixes completed, fixes verified."""
    months = []
    y, m = p.start.year, p.start.month
    while dt.date(y, m, 1) <= p.as_of:
        months.append((f"{y:04d}-{m:02d}", dt.date(y, m, 1), min(month_end(y, m), p.as_of)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if not months:
        return []
    found = session.execute(select(*[count_if(and_(Issue.found_on >= a, Issue.found_on <= b)) for _, a, b in months])
                            .where(Issue.found_on >= months[0][1], Issue.found_on <= p.as_of,
                                   *issues_mod.live(session, Issue.id, p.as_of))).one()
    done = session.execute(select(*[count_if(and_(Fix.done_on >= a, Fix.done_on <= b)) for _, a, b in months])
                           .where(Fix.done_on >= months[0][1], Fix.done_on <= p.as_of,
                                  *issues_mod.live(session, Fix.issue_id, p.as_of))).one()
    verified = session.execute(select(*[count_if(and_(Fix.verified_on >= a, Fix.verified_on <= b)) for _, a, b in months])
                               .where(Fix.verified_on >= months[0][1], Fix.verified_on <= p.as_of,
                                      *issues_mod.live(session, Fix.issue_id, p.as_of))).one()
    out = [{"month": label, "issues_found": int(found[i]), "fixes_completed": int(done[i]), "fixes_verified": int(verified[i])}
           for i, (label, _, _) in enumerate(months)]
    by_label = {r["month"]: r for r in out}
    for c in changes_after(session, p.as_of):  # a completion taken back by a 退回 after D still counts in its month
        for f, sign in ((c.now, -1), (c.then, +1)):
            for key, day in (("fixes_completed", f.done_on), ("fixes_verified", f.verified_on)):
                if day is not None and months[0][1] <= day <= p.as_of:
                    by_label[f"{day.year:04d}-{day.month:02d}"][key] += sign
    return out




def summary(session, *, as_of: dt.date | None = None, limit: int = LIST_LIMIT) -> SummaryReport:
    """The campaign's 总结 figures: monthly's tables for the whole campaign, plus supervision."""
    plan = plan_of(session)
    p = campaign_period(plan, as_of)
    core = core_figures(session, p, limit=limit)
    out = header(session, "summary", f"{plan.name}总结（截至{p.as_of.year}年{p.as_of.month}月{p.as_of.day}日）", p)
    out.update({**shown(core), "trend": monthly_trend(session, plan, p), "supervision": supervision(session, plan, p.as_of)})
    from ..recheck import by_unit

    out["recheck"] = by_unit(session, as_of=p.as_of)  # 回头看: each unit's results and 巩固率
    return SummaryReport(**out)




def write_summary(session, *, path, as_of: dt.date | None = None, limit: int = LIST_LIMIT) -> Path:
    from ..excel.reports import write_report

    return write_report(summary(session, as_of=as_of, limit=limit).as_dict(), Path(path))


