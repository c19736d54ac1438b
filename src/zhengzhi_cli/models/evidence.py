"""Schema v9: 佐证材料 (evidence files) of a fix. The bytes live in a content-addressed store
beside the register (see evidence.py); a row names them by SHA-256. Loaded on first use.
Schema v13: `public`, a file the office has cleared for the 政务公开 archive (internal by default)."""

from typing import Optional

from sqlalchemy import Column, Index, Text, false
from pydantic import NaiveDatetime
from sqlmodel import Field

from . import NO_ID_REUSE, _Table, _now


class Evidence(_Table, table=True):
    """One file added to one fix: who added it, when, and which bytes (by SHA-256)."""

    __table_args__ = (Index("ix_evidence_fix_id", "fix_id"), Index("ix_evidence_sha256", "sha256"), NO_ID_REUSE)
    id: Optional[int] = Field(default=None, primary_key=True)
    fix_id: int = Field(foreign_key="fix.id")
    sha256: str = Field(max_length=64)
    size: int
    name: str = Field(max_length=255)  # the file's own name, as the clerk gave it
    kind: str = Field(max_length=16)  # 整改前 / 整改后 / 制度文件 / 会议记录 / 其他
    media: str = Field(max_length=16)  # pdf, png, jpeg, docx, … (from the file's first bytes)
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    added_by: str = Field(max_length=100)
    added_at: NaiveDatetime = Field(default_factory=_now)
    public: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # v13: fit for archive --public
