"""Document numbers (发文字号): one sequence per kind of document per year, e.g. 武清整治办〔2017〕3号.

A number is taken inside the command's write transaction, which already holds the register's
write lock (SQLite BEGIN IMMEDIATE, PostgreSQL advisory lock; see db.py), and the sequence row
is read FOR UPDATE as well, so two clerks never get the same number; `doc_number` keeps every
number given, unique per kind × year × no, so even a fault elsewhere cannot hand one out twice.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import select

from . import audit
from .errors import Invalid
from .register import plan_of

MAX_NO = 99999


class DocNo(NamedTuple):
    kind: str
    year: int
    no: int
    text: str
    reused: bool = False


def _models():
    from .models.documents import DocNumber, DocSequence

    return DocNumber, DocSequence


def _sequence(session, kind: str, year: int):
    _, DocSequence = _models()
    seq = session.exec(select(DocSequence).where(DocSequence.kind == kind, DocSequence.year == year)
                       .with_for_update()).first()
    if seq is None:
        seq = DocSequence(kind=kind, year=year, last=0)
        session.add(seq)
        session.flush()
    return seq


def _year(year: int | None, on: dt.date | None) -> int:
    if year is None:
        return (on or dt.date.today()).year
    if not 1900 <= year <= 2999:
        raise Invalid(f"年度（--year）：“{year}”不是年份，请写四位年份，如 2017", field="year")
    return year


def take(session, *, kind: str, on: dt.date | None = None, ref: str | None = None, subject: str | None = None) -> DocNo:
    """The next number of a kind for the year of `on`; with `ref`, the number that document
    already has (a document written again keeps its 文号)."""
    DocNumber, _ = _models()
    docs = plan_of(session).documents
    kind = docs.kind(kind)
    on = on or dt.date.today()
    if ref:
        given = session.exec(select(DocNumber).where(DocNumber.kind == kind, DocNumber.ref == ref)).first()
        if given is not None:
            return DocNo(kind, given.year, given.no, given.text, True)
    seq = _sequence(session, kind, on.year)
    no = seq.last + 1
    if no > MAX_NO:
        raise Invalid(f"文号：{kind} {on.year} 年的文号已用到 {seq.last} 号，无法再编号", field="kind")
    seq.last = no
    text = docs.number(kind, on.year, no)
    session.add(DocNumber(kind=kind, year=on.year, no=no, text=text, ref=ref, subject=subject, issued_on=on))
    session.flush()
    audit.set_summary(session, f"编发文号 {text}" + (f"：{subject}" if subject else ""))
    return DocNo(kind, on.year, no, text)


def set_next(session, *, kind: str, next_no: int, year: int | None = None) -> dict:
    """Continue a sequence from a number (documents numbered by hand before zz kept it). The
    next number may never be one already given."""
    DocNumber, _ = _models()
    docs = plan_of(session).documents
    kind = docs.kind(kind)
    year = _year(year, None)
    if not 1 <= next_no <= MAX_NO:
        raise Invalid(f"下一个文号（--set）：“{next_no}”应为 1–{MAX_NO} 的整数", field="set")
    highest = session.exec(select(func.max(DocNumber.no)).where(DocNumber.kind == kind, DocNumber.year == year)).one() or 0
    if next_no <= highest:
        raise Invalid(f"下一个文号（--set）：{kind} {year} 年已编到 {docs.number(kind, year, highest)}，"
                      f"下一个号不能小于 {highest + 1}，否则会与已发文号重复；请改为 {highest + 1} 或更大", field="set")
    seq = _sequence(session, kind, year)
    seq.last = next_no - 1
    audit.set_summary(session, f"{kind} {year} 年文号从 {next_no} 号续编")
    return status(session, year=year, kind=kind)[0]


def status(session, *, year: int | None = None, kind: str | None = None) -> list[dict]:
    """Each kind's sequence for a year: last number given, next number, and its 文号 text."""
    DocNumber, DocSequence = _models()
    docs = plan_of(session).documents
    year = _year(year, None)
    kinds = [docs.kind(kind)] if kind else list(docs.kinds)
    last = dict(session.exec(select(DocSequence.kind, DocSequence.last).where(DocSequence.year == year)).all())
    given = dict(session.exec(select(DocNumber.kind, func.count()).where(DocNumber.year == year)
                              .group_by(DocNumber.kind)).all())
    return [{"kind": k, "year": year, "office": docs.kinds[k], "last": last.get(k, 0), "given": int(given.get(k, 0)),
             "next": last.get(k, 0) + 1, "next_text": docs.number(k, year, last.get(k, 0) + 1)} for k in kinds]


def given(session, *, year: int | None = None, kind: str | None = None) -> list[dict]:
    DocNumber, _ = _models()
    docs = plan_of(session).documents
    q = select(DocNumber).where(DocNumber.year == _year(year, None))
    if kind:
        q = q.where(DocNumber.kind == docs.kind(kind))
    return [{"kind": d.kind, "year": d.year, "no": d.no, "text": d.text, "ref": d.ref, "subject": d.subject,
             "issued_on": d.issued_on.isoformat()} for d in session.exec(q.order_by(DocNumber.kind, DocNumber.no)).all()]


def check_undo(session, change_id: int) -> None:
    """A 文号 once given is never given again (GB/T 9704: 发文字号 identify one document for good). Undoing
    the change that gave one would hand the sequence back, so the next document would carry the same
    number as one already sent out; such a change is refused (`zz undo` says how to correct instead)."""
    import json

    from .errors import Conflict
    from .models import ChangeRow

    given_here = session.exec(select(ChangeRow.after).where(
        ChangeRow.change_id == change_id, ChangeRow.table_name == "doc_number", ChangeRow.action == "insert")).all()
    if not given_here:
        return
    numbers = "、".join(json.loads(a)["text"] for a in given_here if a)
    raise Conflict(
        f"无法撤销改动 #{change_id}：它编发了文号 {numbers}。文号一经编发不得收回或重复使用，撤销会让下一份公文再用这个号，"
        "未做任何改动。如需更正：通报用 zz bulletin --month 月份 --reissue --reason 理由（同一期、同一文号更正重发）"
        "或 --new-number（新的一期、新文号）；其他公文重新编发新号，并在新文中注明原文作废", field="undo")
