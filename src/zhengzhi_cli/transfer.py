"""`zz template` and `zz export ledger`: the unit workbook's blank form and the office's whole ledger,
both in the one column layout of excel/columns.py (the import is workbook_import/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
    from .dates import ONGOING
    from .excel.writer import write_ledger
    from .models import Fix, Issue, Rule, RuleIssue, Unit
    from .register import plan_of

    plan = plan_of(session)
    conn = session.connection()
    I, F, R, RI, U = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__, Unit.__table__
    the_unit = units.resolve(session, unit) if unit else None
    order = (func.coalesce(U.c.code, "~"), U.c.id)
    area_names = {a.no: a.name for a in plan.areas}
    check_names = {c.no: c.check for c in plan.checks}
    stream = conn.execution_options(yield_per=2000)

    def where(q, table):
        return q.where(table.c.unit_id == the_unit.id) if the_unit else q

    if public:
        from .redact import for_register

        scrub = for_register(session)

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

    def issue_rec(m):
        return {"unit": m["unit"], "seq": m["seq"], "area": area_names.get(m["area"]), "source": m["source"],
                "check": check_names.get(m["check_item"]), "description": m["description"], "found_on": m["found_on"],
                "leader": m["leader"], "owner": m["owner"], "note": m["note"]}

    fix_q = where(select(U.c.name.label("unit"), I.c.seq.label("issue_seq"), I.c.found_on.label("issue_found_on"), F)
                  .join(I, I.c.id == F.c.issue_id).join(U, U.c.id == F.c.unit_id), F).order_by(*order, F.c.seq, F.c.id)

    def fix_rec(m):
        if m["ongoing"]:
            deadline = ONGOING
        elif m["on_the_spot"] and m["deadline"] == m["issue_found_on"]:
            deadline = "立行立改"
        else:
            deadline = m["deadline"]
        return {"unit": m["unit"], "seq": m["seq"], "issue_seq": m["issue_seq"], "task": m["task"], "leader": m["leader"],
                "owner": m["owner"], "deadline": deadline, "status": m["status"], "done_on": m["done_on"],
                "evidence": m["evidence"], "note": m["note"], "progress": m["progress"], "verified_on": m["verified_on"],
                "verified_by": m["verified_by"], "claimed": "是" if m["claimed"] and m["status"] == FixStatus.DONE else None,
                "done_reported": "是" if m["done_reported"] and m["done_on"] else None}

    links: dict[int, list[int]] = {}
    for rule_id, seq in conn.execute(where(select(RI.c.rule_id, I.c.seq).join(I, I.c.id == RI.c.issue_id)
                                           .join(R, R.c.id == RI.c.rule_id), R).order_by(I.c.seq)):
        links.setdefault(rule_id, []).append(seq)
    rule_q = where(select(U.c.name.label("unit"), R).join(U, U.c.id == R.c.unit_id), R).order_by(*order, R.c.seq, R.c.id)

    def rule_rec(m):
        return {"unit": m["unit"], "seq": m["seq"], "title": m["title"], "action": m["action"],
                "issue_seq": "、".join(str(s) for s in links.get(m["id"], []) if s is not None), "due_on": m["due_on"],
                "status": m["status"], "doc_no": m["doc_no"], "note": m["note"], "done_on": m["done_on"]}

    made_on = made_on or dt.date.today()
    unit_line = f"单位：{the_unit.name}" if the_unit else "单位：全区"
    from .models import Change

    last_change = conn.execute(select(func.max(Change.__table__.c.id))).scalar() or 0
    # the office's own ledger: its marker lets it carry 销号 back in, and refuses it once it is stale
    marker = None if public else f"版本=1;变更={last_change};制表={made_on.isoformat()}"
    counts = write_ledger(
        Path(out),
        sheets=[(C.ISSUE_SHEET, rows_for(C.ISSUE_SHEET, issue_q, issue_rec)),
                (C.FIX_SHEET, rows_for(C.FIX_SHEET, fix_q, fix_rec)),
                (C.RULE_SHEET, rows_for(C.RULE_SHEET, rule_q, rule_rec))],
        public=public, title=f"{plan.name}{'整改情况（公开版）' if public else '台账'}", made_on=made_on, unit_line=unit_line,
        marker=marker, issuer=plan.issuer,
    )
    return {"file": str(out), "unit": the_unit.name if the_unit else None, "public": public,
            "issues": counts[C.ISSUES], "fixes": counts[C.FIXES], "rules": counts[C.RULES]}
