"""Schema v10 tables: document numbers (发文字号). Loaded on first use (see models.load_all)."""

import datetime as dt
from typing import Optional

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field

from . import NO_ID_REUSE, _Table


class DocSequence(_Table, table=True):
    """One 文号 sequence per kind of document (通报, 督办函 …) per year: `last` is the last number given."""

    __tablename__ = "doc_sequence"
    __table_args__ = (UniqueConstraint("kind", "year", name="uq_doc_sequence_kind_year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    year: int
    last: int = 0


class DocNumber(_Table, table=True):
    """A 文号 given out: never given twice (unique kind × year × no). `ref` names what it was for
    (bulletin:2017-08:3), so a document written again keeps its number."""

    __tablename__ = "doc_number"
    __table_args__ = (UniqueConstraint("kind", "year", "no", name="uq_doc_number"), NO_ID_REUSE)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    year: int
    no: int
    text: str = Field(max_length=64)
    ref: Optional[str] = Field(default=None, max_length=64, index=True)
    subject: Optional[str] = Field(default=None, sa_column=Column(Text))
    issued_on: dt.date


class DubanLetter(_Table, table=True):
    """督办函 sent to one unit on one day: its 文号, the fixes behind it, the reply deadline and the reply."""

    __tablename__ = "duban_letter"
    __table_args__ = (UniqueConstraint("unit_id", "issued_on", name="uq_duban_letter_unit_day"), NO_ID_REUSE)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    doc_no: str = Field(max_length=64)
    rule: str = Field(max_length=8)
    issued_on: dt.date
    reply_by: dt.date
    fix_ids: str = Field(sa_column=Column(Text, nullable=False))  # "3,7,12"
    replied_on: Optional[dt.date] = None
    reply_ref: Optional[str] = Field(default=None, sa_column=Column(Text))
