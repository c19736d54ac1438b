"""`zz template` and `zz export ledger`: the unit workbook's blank form and the office's whole ledger,
both in the one column layout of excel/columns.py (the import is workbook_import/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .dates import ONGOING
from .excel import columns as C
from .vocab import FixStatus


def template(session, out: Path, *, unit: str | None = None) -> dict:
    """`zz template`: the blank workbook a unit fills in, with its name on top and a marker import recognises."""
    from . import units
    from .excel.writer import write_template
    from .register import plan_of

    the_unit = units.resolve(session, unit) if unit else None
    return write_template(Path(out), plan=plan_of(session), unit_name=the_unit.name if the_unit else None,
                          unit_code=the_unit.code if the_unit else None)


def export_ledger(session, out: Path, *, unit: str | None = None, public: bool = False,
                  made_on: dt.date | None = None) -> dict:
    """The whole ledger (问题清单, 整改清单, 制度清单 with a 单位 column) in the template's layout,
    streamed from the register, so that importing it into a fresh register gives the same rows.
    `public` drops the columns of personal names (责任领导, 责任人, 销号人) and passes every free
    text (问题描述, 整改任务, 整改成效, 进展, 制度名称, 文号, 备注) through the register's redactor."""
    from sqlalchemy import func, select

    from . import units
    from .excel.writer import write_ledger
    from .models import Change
    from .register import plan_of

    plan = plan_of(session)
    the_unit = units.resolve(session, unit) if unit else None
    made_on = made_on or dt.date.today()
    last_change = session.connection().execute(select(func.max(Change.__table__.c.id))).scalar() or 0
    # the office's own ledger: its marker lets it carry 销号 back in, and refuses it once it is stale
    marker = None if public else f"版本=1;变更={last_change};制表={made_on.isoformat()}"
    counts = write_ledger(
        Path(out), sheets=_ledger_sheets(session, plan, the_unit, public=public), public=public,
        title=f"{plan.name}{'整改情况（公开版）' if public else '台账'}", made_on=made_on,
        unit_line=f"单位：{the_unit.name}" if the_unit else "单位：全区", marker=marker, issuer=plan.issuer,
    )
    return {"file": str(out), "unit": the_unit.name if the_unit else None, "public": public,
            "issues": counts[C.ISSUES], "fixes": counts[C.FIXES], "rules": counts[C.RULES]}


def _ledger_sheets(session, plan, the_unit, *, public: bool) -> list[tuple]:
    """(sheet spec, rows streamed from the register) of each ledger sheet, in the unit's order."""
    from functools import partial

    from sqlalchemy import func, select

    from .models import Fix, Issue, Rule, RuleIssue, Unit
    from .recheck import failed_ids

    conn = session.connection()
    I, F, R, RI, U = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__, Unit.__table__
    order = (func.coalesce(U.c.code, "~"), U.c.id)
    stream = conn.execution_options(yield_per=2000)
    scrub = None
    if public:
        from .redact import for_register

        scrub = for_register(session)

    def where(q, table):
        return q.where(table.c.unit_id == the_unit.id) if the_unit else q

    def rows_for(spec: C.SheetSpec, query, convert):
        cols = spec.ledger_columns(public=public)
        keys = [col.key for col in cols]
        free = {i for i, col in enumerate(cols) if col.kind in ("text", "longtext") and col is not C.UNIT} if public else set()

        def gen():
            for row in stream.execute(query):
                rec = convert(row._mapping)
                values = tuple(rec.get(k) for k in keys)
                yield tuple(scrub(v) if i in free else v for i, v in enumerate(values)) if free else values
        return gen()

    issue_q = where(select(U.c.name.label("unit"), I).join(U, U.c.id == I.c.unit_id), I).order_by(*order, I.c.seq, I.c.id)
    fix_q = where(select(U.c.name.label("unit"), I.c.seq.label("issue_seq"), I.c.found_on.label("issue_found_on"), F)
                  .join(I, I.c.id == F.c.issue_id).join(U, U.c.id == F.c.unit_id), F).order_by(*order, F.c.seq, F.c.id)
    links: dict[int, list[int]] = {}
    for rule_id, seq in conn.execute(where(select(RI.c.rule_id, I.c.seq).join(I, I.c.id == RI.c.issue_id)
                                           .join(R, R.c.id == RI.c.rule_id), R).order_by(I.c.seq)):
        links.setdefault(rule_id, []).append(seq)
    rule_q = where(select(U.c.name.label("unit"), R).join(U, U.c.id == R.c.unit_id), R).order_by(*order, R.c.seq, R.c.id)
    areas, checks = {a.no: a.name for a in plan.areas}, {c.no: c.check for c in plan.checks}
    return [(C.ISSUE_SHEET, rows_for(C.ISSUE_SHEET, issue_q, partial(_issue_rec, areas=areas, checks=checks))),
            (C.FIX_SHEET, rows_for(C.FIX_SHEET, fix_q, partial(_fix_rec, failed=failed_ids(session, None)))),
            (C.RULE_SHEET, rows_for(C.RULE_SHEET, rule_q, partial(_rule_rec, links=links)))]


def _issue_rec(m, *, areas: dict, checks: dict) -> dict:
    return {"unit": m["unit"], "seq": m["seq"], "area": areas.get(m["area"]), "source": m["source"],
            "check": checks.get(m["check_item"]), "description": m["description"], "found_on": m["found_on"],
            "leader": m["leader"], "owner": m["owner"], "note": m["note"]}


def _fix_rec(m, *, failed: set[int]) -> dict:
    if m["ongoing"]:
        deadline = ONGOING
    elif m["on_the_spot"] and not m["original_deadline"]:
        deadline = "立行立改"
    else:
        deadline = m["deadline"]
    return {"unit": m["unit"], "seq": m["seq"], "issue_seq": m["issue_seq"], "task": m["task"], "leader": m["leader"],
            "owner": m["owner"], "deadline": deadline, "status": m["status"], "done_on": m["done_on"],
            "evidence": m["evidence"], "note": m["note"], "progress": m["progress"], "verified_on": m["verified_on"],
            "verified_by": m["verified_by"], "claimed": "是" if m["claimed"] and m["status"] == FixStatus.DONE else None,
            "done_reported": "是" if m["done_reported"] and m["done_on"] else None,
            "recheck_failed": "是" if m["id"] in failed else None}


def _rule_rec(m, *, links: dict) -> dict:
    return {"unit": m["unit"], "seq": m["seq"], "title": m["title"], "action": m["action"],
            "issue_seq": "、".join(str(s) for s in links.get(m["id"], []) if s is not None), "due_on": m["due_on"],
            "status": m["status"], "doc_no": m["doc_no"], "note": m["note"], "done_on": m["done_on"]}
