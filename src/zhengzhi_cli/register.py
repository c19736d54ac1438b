"""The register's own facts, read from an open register: its plan and meta values (creating one: register_setup.py)."""

from __future__ import annotations

from sqlalchemy import text

from .plan import Plan, load


def plan_of(session) -> Plan:
    plan = session.info.get("zz_plan")
    if plan is None:
        row = session.connection().execute(text("SELECT value FROM meta WHERE key = 'plan'")).first()
        plan = session.info["zz_plan"] = load(row[0] if row else None)
    return plan


def meta(session, key: str) -> str | None:
    row = session.connection().execute(text("SELECT value FROM meta WHERE key = :k"), {"k": key}).first()
    return row[0] if row else None
