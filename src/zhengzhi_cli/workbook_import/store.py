"""Writing one file's plan: SQLAlchemy Core executemany (never the ORM: a 100k-row 问题清单 must import
in seconds), the audit trail in the same transaction."""

from __future__ import annotations

from operator import itemgetter

from .cells import Progress
from .plan import Plan

def write(session, plan: Plan, on_progress: Progress | None = None) -> None:
    from sqlalchemy import and_, bindparam, select

    from .. import audit
    from ..models import Fix, Issue, Rule, RuleIssue

    conn = session.connection()
    I, F, R, RI = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__

    def ids_of(table, keys) -> dict[tuple[int, int], int]:
        units = sorted({k[0] for k in keys})
        out: dict[tuple[int, int], int] = {}
        for start in range(0, len(units), 500):
            for id_, unit_id, seq in conn.execute(
                select(table.c.id, table.c.unit_id, table.c.seq).where(table.c.unit_id.in_(units[start:start + 500]))
            ).all():  # fetchall: a fetch per row costs more than the query
                out[(unit_id, seq)] = id_
        return out

    def insert(table, rows: list[dict], name: str) -> dict[tuple[int, int], int]:
        if not rows:
            return {}
        for start in range(0, len(rows), 20000):
            _executemany_insert(conn, table, rows[start:start + 20000])
            if on_progress:
                on_progress(f"写入{name}", min(start + 20000, len(rows)), len(rows))
        ids = ids_of(table, [(r["unit_id"], r["seq"]) for r in rows])
        audit.record_inserted(session, table.name, (ids[(r["unit_id"], r["seq"])] for r in rows))
        return ids

    def update(table, changes: list[tuple[int, dict, dict]]) -> None:
        groups: dict[tuple[str, ...], list[dict]] = {}
        for id_, _before, after in changes:
            groups.setdefault(tuple(sorted(after)), []).append({"b_id": id_, **after})
        for params in groups.values():
            conn.execute(table.update().where(table.c.id == bindparam("b_id")), params)
        audit.record_many(session, table.name, "update", ((id_, before, after) for id_, before, after in changes))

    issue_ids = insert(I, plan.issue_inserts, "问题")
    update(I, plan.issue_updates)
    if plan.status_updates:
        update(I, plan.status_updates)
    if plan.fix_inserts or plan.fix_updates or plan.link_inserts:
        all_issue_ids = ids_of(I, [r["issue_key"] for r in plan.fix_inserts]
                               + [u[2]["issue_key"] for u in plan.fix_updates if "issue_key" in u[2]]
                               + [ik for _, ik in plan.link_inserts])
        all_issue_ids.update(issue_ids)
        for row in plan.fix_inserts:
            row["issue_id"] = all_issue_ids[row.pop("issue_key")]
        for _id, _before, after in plan.fix_updates:
            if "issue_key" in after:
                after["issue_id"] = all_issue_ids[after.pop("issue_key")]
    else:
        all_issue_ids = issue_ids
    insert(F, plan.fix_inserts, "整改")
    update(F, plan.fix_updates)
    rule_ids = insert(R, plan.rule_inserts, "制度")
    update(R, plan.rule_updates)
    if plan.link_deletes:
        conn.execute(RI.delete().where(and_(RI.c.rule_id == bindparam("r"), RI.c.issue_id == bindparam("i"))),
                     [{"r": r, "i": i} for r, i in plan.link_deletes])
        audit.record_many(session, RI.name, "delete", (([r, i], {"rule_id": r, "issue_id": i}, None) for r, i in plan.link_deletes))
    if plan.link_inserts:
        if any(rk not in rule_ids for rk, _ in plan.link_inserts):
            rule_ids.update(ids_of(R, [rk for rk, _ in plan.link_inserts]))
        rows = [{"rule_id": rule_ids[rk], "issue_id": all_issue_ids[ik]} for rk, ik in plan.link_inserts]
        rows = list({(r["rule_id"], r["issue_id"]): r for r in rows}.values())
        conn.execute(RI.insert(), rows)
        audit.record_many(session, RI.name, "insert", (([r["rule_id"], r["issue_id"]], None, r) for r in rows))


def _executemany_insert(conn, table, rows: list[dict]) -> None:
    """Core executemany. On a positional-parameter driver (SQLite) the statement compiled by
    SQLAlchemy is run with plain tuples, which skips per-row parameter processing (half the
    cost at 100k rows); dates are passed as SQLAlchemy's SQLite Date type stores them (ISO)."""
    keys = list(rows[0])
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=keys)
    if not compiled.positional or conn.dialect.name != "sqlite":
        conn.execute(table.insert(), rows)
        return

    from sqlalchemy import Date

    order = compiled.positiontup
    iso: dict = {}  # a sheet repeats the same few hundred dates
    for key in order:
        if isinstance(table.c[key].type, Date):
            for r in rows:
                v = r[key]
                if v is not None and v.__class__ is not str:
                    text = iso.get(v)
                    if text is None:
                        text = iso[v] = v.isoformat()
                    r[key] = text
    getter = itemgetter(*order)
    conn.exec_driver_sql(str(compiled), [getter(r) for r in rows])
