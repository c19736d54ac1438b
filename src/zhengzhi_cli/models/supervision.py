"""Schema v2 tables: supervision and accountability (phases 3 and 4 of the plan).
Loaded on first use (see models/__init__.py)."""

import datetime as dt
from typing import Optional

from sqlalchemy import Column, Text
from sqlmodel import Field

from . import NO_ID_REUSE, _Table


class Inspection(_Table, table=True):
    """督查: 明察暗访 / 抽查检查 / 集中督查 of one or more units on a date."""

    __table_args__ = {"extend_existing": True, **NO_ID_REUSE}  # models/__init__.py names it for issue.inspection_id

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    inspected_on: dt.date = Field(index=True)
    inspectors: Optional[str] = Field(default=None, sa_column=Column(Text))
    findings: Optional[str] = Field(default=None, sa_column=Column(Text))
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    created_on: dt.date = Field(default_factory=dt.date.today)


class InspectionUnit(_Table, table=True):
    __tablename__ = "inspection_unit"
    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class Accountability(_Table, table=True):
    """问责: a measure taken against a person."""

    __table_args__ = NO_ID_REUSE
    id: Optional[int] = Field(default=None, primary_key=True)
    person: str = Field(max_length=100)
    position: Optional[str] = Field(default=None, max_length=200)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    measure: str = Field(max_length=16)
    decided_on: dt.date = Field(index=True)
    decided_by: Optional[str] = Field(default=None, max_length=200)
    reason: Optional[str] = Field(default=None, sa_column=Column(Text))
    referral: Optional[str] = Field(default=None, sa_column=Column(Text))  # 移交纪检: to whom, file no.
    outcome: Optional[str] = Field(default=None, sa_column=Column(Text))
    outcome_on: Optional[dt.date] = None
    note: Optional[str] = Field(default=None, sa_column=Column(Text))


class AccountabilityIssue(_Table, table=True):
    __tablename__ = "accountability_issue"
    accountability_id: int = Field(foreign_key="accountability.id", primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", primary_key=True, index=True)


class Opinion(_Table, table=True):
    """征求意见: feedback collected from 服务对象, 基层群众, 上级部门, 相关单位."""

    __table_args__ = {"extend_existing": True, **NO_ID_REUSE}  # models/__init__.py names it for issue.opinion_id

    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    channel: str = Field(max_length=16)
    from_group: str = Field(max_length=16)
    content: str = Field(sa_column=Column(Text, nullable=False))
    topic: Optional[str] = Field(default=None, max_length=200)  # groups 反映比较集中的问题
    people: int = 1
    received_on: dt.date = Field(index=True)
    issue_id: Optional[int] = Field(default=None, foreign_key="issue.id")
    published_on: Optional[dt.date] = None  # 公布整改情况
    note: Optional[str] = Field(default=None, sa_column=Column(Text))


class TypicalCase(_Table, table=True):
    """典型: 正面典型 or 反面典型 (exposed publicly)."""

    __tablename__ = "typical_case"
    __table_args__ = NO_ID_REUSE
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    person: Optional[str] = Field(default=None, max_length=100)
    what: Optional[str] = Field(default=None, sa_column=Column(Text))
    happened_on: Optional[dt.date] = None
    published_on: Optional[dt.date] = None
    published_where: Optional[str] = Field(default=None, max_length=200)
    note: Optional[str] = Field(default=None, sa_column=Column(Text))


class Bulletin(_Table, table=True):
    """通报 第N期: numbered in sequence and recorded when issued."""

    __table_args__ = NO_ID_REUSE
    id: Optional[int] = Field(default=None, primary_key=True)
    no: int = Field(unique=True)
    period: str = Field(max_length=32, index=True)
    issued_on: dt.date
    title: Optional[str] = Field(default=None, sa_column=Column(Text))
    file: Optional[str] = Field(default=None, sa_column=Column(Text))
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    content: Optional[str] = Field(default=None, sa_column=Column(Text))  # what it said, JSON (schema v11)
