"""The typed results of the reports. Each report function returns one of these; `as_dict()` is the
one shape `--json` prints and the workbook, the terminal and the 公文 render, so they never disagree.

The sections (overview, units, lists…) stay plain records: their keys are the JSON contract
(SPEC §4) and the renderers read them by key."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class Result:
    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass
class Header(Result):
    """What a figures report (monthly, summary) carries ahead of its figures."""
    report: str
    title: str
    plan: str
    period: str
    start: str
    as_of: str
    prepared_by: str
    prepared_on: str
    current_phase: dict | None
    definitions: list[str]


@dataclass
class MonthlyReport(Header):
    """月报: the month's changes, the standing against last month's end, the lists and the 综述."""
    month: str
    previous_as_of: str
    overview: dict
    units: list[dict]
    areas: list[dict]
    sources: list[dict]
    overdue: dict
    changes: list[dict]
    standing: list[dict]
    new_issues: dict
    verified_fixes: dict
    due_soon: dict
    supervision_month: dict
    digest: dict
    trend: list[dict]  # the last six months as of D (reports.trend.TrendMonth)


@dataclass
class SummaryReport(Header):
    """总结: the campaign's figures up to D, the trend by month and the supervision work."""
    overview: dict
    units: list[dict]
    areas: list[dict]
    sources: list[dict]
    overdue: dict
    trend: list[dict]
    supervision: dict
    recheck: list[dict]


@dataclass
class PhasesReport(Result):
    """阶段进度: the plan's timeline with where we are, and every unit × milestone."""
    report: str
    title: str
    plan: str
    as_of: str
    prepared_by: str
    prepared_on: str
    current_phase: dict | None
    days_into_campaign: int
    days_left: int
    timeline: list[dict]
    phase_counts: list[dict]
    milestone_counts: list[dict]
    units: list[dict]
    definitions: list[str]


@dataclass
class PublicReport(Result):
    """政务公开: status by unit and by area, and (when asked) the items, with no personal data."""
    report: str
    as_of: str
    title: str
    issuer: str | None
    totals: dict
    units: list[dict]
    areas: list[dict]
    items: list[dict] | None = None

    def as_dict(self) -> dict:
        data = super().as_dict()
        if self.items is None:  # the figures alone: no items key at all
            del data["items"]
        return data
