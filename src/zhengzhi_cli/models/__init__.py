"""All tables of the register (SQLModel). Enum-like columns hold the plan's Chinese labels.

`issue.status` is derived from the issue's fixes (SPEC §2) but stored, so that reports
can GROUP BY it over a million issues through a covering index; `issues.refresh_status`
is the one place that writes it.
"""

import datetime as dt
from typing import Optional

from sqlalchemy import Column, Index, Integer, Table, Text, UniqueConstraint, text
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel

from ..vocab import FixStatus, IssueStatus, RuleStatus


class _Table(SQLModel):
    # Table models are built by the ORM, never validated from input, so pydantic's schema
    # is built only if something asks for it: this saves every command ~10 ms of start-up.
    model_config = {"defer_build": True}


# The supervision tables (models/supervision.py, schema v2) are built only when a command uses
# them: building a SQLModel table class costs ~2 ms, and `zz issue add` is typed all day. The
# issue table's foreign keys name two of them, so those names stand in the metadata from the
# start; models/supervision.py extends them to their full columns.
# On SQLite every table whose rows may be deleted (by `zz undo`) is AUTOINCREMENT: an id, once
# given, is never given again ("问题 #274" names one problem forever; schema v6). PostgreSQL's
# sequences never go back anyway. change / change_row are append-only, so they need not pay for it.
NO_ID_REUSE = {"sqlite_autoincrement": True}
Table("inspection", SQLModel.metadata, Column("id", Integer, primary_key=True), **NO_ID_REUSE)
Table("opinion", SQLModel.metadata, Column("id", Integer, primary_key=True), **NO_ID_REUSE)
SUPERVISION = ("Inspection", "InspectionUnit", "Accountability", "AccountabilityIssue", "Opinion", "TypicalCase", "Bulletin")


def __getattr__(name: str):
    if name in SUPERVISION:
        from . import supervision

        return getattr(supervision, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_all() -> None:
    """Every table in SQLModel.metadata, for whatever walks all of them (create, undo, backup)."""
    from . import documents, evidence, supervision  # noqa: F401


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Meta(_Table, table=True):
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Unit(_Table, table=True):
    __table_args__ = NO_ID_REUSE
    id: Optional[int] = Field(default=None, primary_key=True)
    code: Optional[str] = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)
    parent_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    leader: Optional[str] = Field(default=None, max_length=100)
    contact: Optional[str] = Field(default=None, max_length=100)
    phone: Optional[str] = Field(default=None, max_length=64)
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    created_at: NaiveDatetime = Field(default_factory=_now)


class CheckRecord(_Table, table=True):
    __tablename__ = "check_record"
    __table_args__ = NO_ID_REUSE
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    item: int
    checked_on: dt.date
    result: Optional[str] = Field(default=None, sa_column=Column(Text))
    note: Optional[str] = Field(default=None, sa_column=Column(Text))


class Issue(_Table, table=True):
    __table_args__ = (
        UniqueConstraint("unit_id", "seq", name="uq_issue_unit_seq"),
        Index("uq_issue_unit_src_seq", "unit_id", "src_seq", unique=True),  # schema v6
        Index("ix_issue_found_unit", "found_on", "unit_id"),  # covers issues found per unit in a period (schema v4)
        Index("ix_issue_area_status", "area", "status"),
        Index("ix_issue_unit_created", "unit_id", "created_on"),
        # covering index for the reports' unit × status × area × source cube of the issues found by D,
        # with the status they had on D (index-only, in GROUP BY order; schema v5)
        Index("ix_issue_report_asof", "unit_id", "status", "area", "source", "found_on", "fixes_done_on",
              "fixes_verified_on"),
        # the few void issues, found without a table scan (schema v7)
        Index("ix_issue_void", "void_reason", sqlite_where=text("void_reason IS NOT NULL"),
              postgresql_where=text("void_reason IS NOT NULL")),
        NO_ID_REUSE,
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    seq: Optional[int] = None  # the register's 序号 for this unit (the office's numbering, shown in ledgers)
    area: int
    source: str = Field(max_length=32)
    check_item: Optional[int] = None
    description: str = Field(sa_column=Column(Text, nullable=False))
    found_on: dt.date
    leader: Optional[str] = Field(default=None, max_length=100)
    owner: Optional[str] = Field(default=None, max_length=100)
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    status: str = Field(default=IssueStatus.NOT_FIXED.value, max_length=16)
    created_on: dt.date = Field(default_factory=dt.date.today)
    inspection_id: Optional[int] = Field(default=None, foreign_key="inspection.id")  # schema v2
    opinion_id: Optional[int] = Field(default=None, foreign_key="opinion.id")  # schema v2
    # derived from its fixes with `status` (issues.derive_dates): the day its fixes were all completed /
    # all verified (the latest such day), None while any is not (or it has none). schema v5
    fixes_done_on: Optional[dt.date] = None
    fixes_verified_on: Optional[dt.date] = None
    # the unit's own 序号 in the workbooks it sends (None: entered by the office): a unit's workbook
    # matches and updates only rows it brought itself (SPEC §5 "Identity"; schema v6)
    src_seq: Optional[int] = None
    # withdrawn (作废): 不属实, 不予整改 or 重复 (of duplicate_of_id); kept, counted apart. schema v7
    void_reason: Optional[str] = Field(default=None, max_length=16)
    voided_on: Optional[dt.date] = None
    duplicate_of_id: Optional[int] = Field(default=None, foreign_key="issue.id")


class Fix(_Table, table=True):
    __table_args__ = (
        UniqueConstraint("unit_id", "seq", name="uq_fix_unit_seq"),
        Index("uq_fix_unit_src_seq", "unit_id", "src_seq", unique=True),  # schema v6
        # open fixes past their deadline (covering the overdue test; schema v5)
        Index("ix_fix_status_deadline_due", "status", "deadline", "ongoing", "done_on"),
        # an issue's fixes; covers the reports' per-issue counts as of D and fix groups by issue (schema v4)
        Index("ix_fix_issue_state", "issue_id", "status", "done_on", "verified_on", "unit_id", "deadline", "ongoing"),
        # fixes completed in a period; those completed after D with a deadline before it (schema v5)
        Index("ix_fix_done_deadline", "done_on", "deadline", "ongoing"),
        Index("ix_fix_verified_on", "verified_on"),
        # covering index for the reports' per-unit fix figures of the issues found by D (index-only,
        # in GROUP BY order; schema v5)
        Index("ix_fix_report_found", "unit_id", "status", "deadline", "ongoing", "issue_found_on", "done_on",
              "verified_on"),
        NO_ID_REUSE,
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id")
    unit_id: int = Field(foreign_key="unit.id")
    seq: Optional[int] = None  # 序号 in the unit's 整改清单 (the register's numbering)
    task: str = Field(sa_column=Column(Text, nullable=False))
    deadline: Optional[dt.date] = None  # None with ongoing=True means 长期坚持
    ongoing: bool = False
    on_the_spot: bool = False  # 立行立改 / 即知即改
    original_deadline: Optional[dt.date] = None  # kept when a deadline is extended
    owner: Optional[str] = Field(default=None, max_length=100)
    leader: Optional[str] = Field(default=None, max_length=100)
    status: str = Field(default=FixStatus.NOT_STARTED.value, max_length=16)
    progress: Optional[str] = Field(default=None, sa_column=Column(Text))
    done_on: Optional[dt.date] = None
    evidence: Optional[str] = Field(default=None, sa_column=Column(Text))
    verified_on: Optional[dt.date] = None
    verified_by: Optional[str] = Field(default=None, max_length=100)
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    created_on: dt.date = Field(default_factory=dt.date.today)
    issue_found_on: Optional[dt.date] = None  # its issue's found_on, kept with it (schema v5)
    src_seq: Optional[int] = None  # the unit's own 序号 in its workbooks (schema v6)
    # the unit's workbook said 已销号: stored 已完成, the unit's own claim awaiting the office's 销号 (schema v6)
    claimed: bool = False
    # done_on was not in the file: taken from its 填报日期 (reported, not the day of completion; schema v6)
    done_reported: bool = False


class FixEvent(_Table, table=True):
    __tablename__ = "fix_event"
    # the events after a day D: the fixes whose deadline or completion changed since (schema v11)
    __table_args__ = (Index("ix_fix_event_kind_day", "kind", "happened_on", "fix_id"), NO_ID_REUSE)
    id: Optional[int] = Field(default=None, primary_key=True)
    fix_id: int = Field(foreign_key="fix.id", index=True)
    kind: str = Field(max_length=16)  # 进展 / 完成 / 销号 / 退回 / 延期
    happened_on: dt.date
    text: Optional[str] = Field(default=None, sa_column=Column(Text))
    actor: Optional[str] = Field(default=None, max_length=100)
    approver: Optional[str] = Field(default=None, max_length=100)
    old_deadline: Optional[dt.date] = None
    new_deadline: Optional[dt.date] = None
    prior_done_on: Optional[dt.date] = None  # 退回: the completion day it took back (schema v11)


class Rule(_Table, table=True):
    __table_args__ = (UniqueConstraint("unit_id", "seq", name="uq_rule_unit_seq"),
                      Index("uq_rule_unit_src_seq", "unit_id", "src_seq", unique=True), NO_ID_REUSE)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    seq: Optional[int] = None  # 序号 in the unit's 制度清单 (the register's numbering)
    title: str = Field(sa_column=Column(Text, nullable=False))
    action: str = Field(max_length=4)  # 立 / 改 / 废
    due_on: Optional[dt.date] = None
    status: str = Field(default=RuleStatus.PENDING.value, max_length=16)
    done_on: Optional[dt.date] = None
    doc_no: Optional[str] = Field(default=None, max_length=200)
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    created_on: dt.date = Field(default_factory=dt.date.today)
    src_seq: Optional[int] = None  # the unit's own 序号 in its workbooks (schema v6)


class RuleIssue(_Table, table=True):
    __tablename__ = "rule_issue"
    rule_id: int = Field(foreign_key="rule.id", primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", primary_key=True, index=True)


class MilestoneRecord(_Table, table=True):
    __tablename__ = "milestone_record"
    __table_args__ = (UniqueConstraint("unit_id", "key", name="uq_milestone_unit_key"), NO_ID_REUSE)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    key: str = Field(max_length=64)
    done_on: dt.date
    ref: Optional[str] = Field(default=None, max_length=300)  # file reference, e.g. the 总结报告's 文号
    note: Optional[str] = Field(default=None, sa_column=Column(Text))


class ImportMapping(_Table, table=True):
    """A layout the office taught once (`zz import --map 表头=字段`), remembered per unit (schema v6)."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("unit_id", "header", name="uq_import_mapping_unit_header"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    header: str = Field(max_length=200)  # the header as the unit writes it (normalised)
    field: str = Field(max_length=64)  # the column key it means (excel/columns.py)
    created_on: dt.date = Field(default_factory=dt.date.today)


class Change(_Table, table=True):
    """One command's worth of changes: the unit of the audit trail and of `zz undo`."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(default_factory=_now, index=True)
    operator: str = Field(max_length=100)
    command: str = Field(sa_column=Column(Text, nullable=False))
    summary: Optional[str] = Field(default=None, sa_column=Column(Text))
    undone_by: Optional[int] = None
    undoes: Optional[int] = None


class ChangeRow(_Table, table=True):
    __tablename__ = "change_row"
    id: Optional[int] = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", index=True)
    table_name: str = Field(max_length=64)
    row_key: str = Field(max_length=200)  # JSON of the primary key
    action: str = Field(max_length=8)  # insert / update / delete
    before: Optional[str] = Field(default=None, sa_column=Column(Text))
    after: Optional[str] = Field(default=None, sa_column=Column(Text))
