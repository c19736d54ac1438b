"""The closed words the code gives meaning to: statuses, tiers, states, reasons.

Each is a `StrEnum` whose values are the Chinese words themselves, so the register and
the JSON hold the same text as before (a member *is* its word: `FixStatus.DONE == "已完成"`).
The plan file lists some of them again for the clerk (`[lists]`); `plan.parse_plan` refuses
a plan whose list disagrees with the enum here (`PLAN_LISTS`). Words that are only data
(areas, sources, measures, most unit kinds) stay in the plan.

To add a status: add the member here, the word in the plan file's list, and the place that
gives it meaning (e.g. `issues.derive_status`); the plan check then holds old plans to it.
"""

from __future__ import annotations

from enum import StrEnum


class FixStatus(StrEnum):
    """整改状态: 未开始 → 整改中 → 已完成 → 已销号 (SPEC §2)."""

    NOT_STARTED = "未开始"
    IN_PROGRESS = "整改中"
    DONE = "已完成"
    VERIFIED = "已销号"


class IssueStatus(StrEnum):
    """问题状态, derived from its fixes (issues.derive_status)."""

    NOT_FIXED = "未整改"
    FIXING = "整改中"
    FIXED = "已整改"
    CLOSED = "已销号"


class RuleStatus(StrEnum):
    """制度状态."""

    PENDING = "未完成"
    DONE = "已完成"


class RuleAction(StrEnum):
    """立改废: a rule is made, revised or repealed."""

    MAKE = "立"
    REVISE = "改"
    REPEAL = "废"


class OverdueTier(StrEnum):
    """逾期 tiers by days late (fixes.tier): 蓝 1–7, 黄 8–30, 红 31 and more."""

    BLUE = "蓝"
    YELLOW = "黄"
    RED = "红"


class MilestoneState(StrEnum):
    """A unit's milestone on a date (milestones.state)."""

    DONE = "已完成"
    DONE_LATE = "逾期完成"
    LATE = "已逾期"
    NOT_DUE = "未到期"


class PhaseState(StrEnum):
    """A phase on a date."""

    NOT_STARTED = "未开始"
    CURRENT = "进行中"
    ENDED = "已结束"


class VoidReason(StrEnum):
    """Why an issue is withdrawn (zz issue void --reason)."""

    UNTRUE = "不属实"
    NOT_TO_FIX = "不予整改"
    DUPLICATE = "重复"


VOIDED = "已作废"  # how a withdrawn issue is shown in place of its status


class UnitKind(StrEnum):
    """The unit kinds the code gives meaning to; the plan may list others (镇, 街道, 部门…) as data."""

    SUBORDINATE = "下属单位"  # must name its 上级单位


class CaseKind(StrEnum):
    """典型: 正面 (exemplars) or 反面 (exposed); the bulletins count them apart."""

    POSITIVE = "正面"
    NEGATIVE = "反面"


class MilestoneSource(StrEnum):
    """What a milestone is derived from (plan [[milestones]] derived_from)."""

    MANUAL = "manual"
    CHECKS = "checks"
    ISSUES = "issues"
    FIXES = "fixes"
    RULES = "rules"
    INSPECTIONS = "inspections"


# plan [lists] key → (enum, whether the plan must list exactly these words or only include them)
PLAN_LISTS: dict[str, tuple[type[StrEnum], bool]] = {
    "fix_statuses": (FixStatus, True),
    "issue_statuses": (IssueStatus, True),
    "rule_statuses": (RuleStatus, True),
    "rule_actions": (RuleAction, True),
    "case_kinds": (CaseKind, True),
    "unit_kinds": (UnitKind, False),
}


def words(enum: type[StrEnum]) -> list[str]:
    return [m.value for m in enum]
