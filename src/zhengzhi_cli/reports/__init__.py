"""Leadership reports: the figures behind `zz report phases|monthly|summary|public`, one module per report.

One dict per report is the single source of truth: `--json` prints it, the rich tables
and the workbook (`excel/reports.py`) render it, so the three can never disagree.

Every figure is a SQL aggregate; rows are fetched only for the bounded lists (overdue
fixes, this month's new issues and 销号), which are capped at `limit` rows.

Figures are "as of" a date D (SPEC: `--as-of`): an issue counts from its 发现日期; a fix
counts as 已完成/已销号 on D if its 完成日期/销号日期 is on or before D, otherwise it is
open (未开始 or 整改中 as registered). Stored statuses are today's; to report an earlier
D, each issue carries the days its fixes were all completed / all verified and each fix its
issue's 发现日期 (schema v5), so the figures as of D are index-only scans whatever D is
(see `_issue_cube`, `_fix_groups`).

What the dates on a row cannot tell (SPEC §5a) comes from the events after D: an extension
approved after D (the deadline in force on D was the one before it), a 退回 after D (the fix was
done on D), a fix's first step after D (it was 未开始 on D). Those few fixes (`changed_since`, a
range of ix_fix_event_kind_day) are taken back out of the grouped figures as stored and put in
again as they stood on D, so the scans stay index-only whatever D is.

Modules: periods (a month, the campaign), asof (history: what changed after D), figures (the
shared aggregates, THE 完成率), lists (overdue, 临期, new, 销号), core (what monthly and summary
share), monthly, trend (the monthly report's six months as of D), summary, supervision, phases,
public (政务公开); results holds the typed result of
each report (a dataclass; `as_dict()` is what --json prints and every renderer reads).
"""

from __future__ import annotations

from .asof import Changed, FixOn, changed_since, issue_state_on, overdue_on
from .figures import DEFINITIONS, LIST_LIMIT, pct_text, points_text, rate, worst_first
from .lists import (
    SOON_DAYS,
    due_soon_list,
    new_issues_list,
    overdue_list,
    verified_list,
)
from .monthly import digest, monthly, write_monthly
from .periods import Period, campaign_period, month_period, parse_month, prepared_by
from .phases import phases, write_phases
from .results import MonthlyReport, PhasesReport, PublicReport, SummaryReport
from .summary import summary, write_summary
from .supervision import month_supervision, supervision

__all__ = [
    "DEFINITIONS", "LIST_LIMIT", "SOON_DAYS", "Changed", "FixOn", "MonthlyReport", "Period", "PhasesReport", "PublicReport",
    "SummaryReport", "campaign_period", "changed_since", "digest",
    "due_soon_list", "issue_state_on", "month_period", "month_supervision", "monthly", "new_issues_list", "overdue_list",
    "overdue_on", "parse_month", "pct_text", "phases", "points_text", "prepared_by", "rate", "summary", "supervision",
    "verified_list", "worst_first", "write_monthly", "write_phases", "write_summary",
]
