"""What every command shares: the settings, prompting only at a terminal, completion."""

from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from typing import Annotated, Callable

import typer

from ..db import Settings

JSON = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


@contextmanager
def db_session(ctx: typer.Context, *, write: bool, **options):
    """The command's one transaction on the register (db.open_session): `write=False` for a reader,
    which never takes the write lock. Options (commit=, migrate=) go to open_session."""
    from ..db import open_session

    with open_session(settings(ctx), write=write, **options) as session:
        yield session


def interactive() -> bool:
    """Prompts only where a person can answer: stdin is a terminal (never in scripts)."""
    if os.environ.get("ZZ_NO_PROMPT"):
        return False
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def need(value, *, option: str, label: str, choices: Callable[[], list[str]] | list[str] | None = None):
    """A required value: given, prompted for at a terminal, or a usage error (exit 2)."""
    if value not in (None, ""):
        return value
    if not interactive():
        from ..errors import UsageProblem

        raise UsageProblem(f"缺少 {option}（{label}）", field=option)
    options = choices() if callable(choices) else choices
    hint = f"\n  可选：{'、'.join(options)}" if options else ""
    from ..text import display  # a register's own plan may hold any text

    answer = typer.prompt(display(f"{label}{hint}\n{label}"), err=True).strip()
    return answer


def warn_all(session) -> None:
    """Warnings the domain collected on the session (e.g. a date outside the campaign), on stderr."""
    from ..supervision import warnings

    from . import output

    for text in warnings(session):
        output.warn(text)


def plan_choices(session, list_name: str) -> Callable[[], list[str]]:
    """A closed list of the register's own plan, for a prompt (never a copy of the default's)."""

    def choices() -> list[str]:
        from sqlmodel import Session

        from ..register import plan_of

        plan = session.info.get("zz_plan")
        if plan is None:
            # read in a session of its own, not the command's: its first query would take the write
            # lock (BEGIN IMMEDIATE), held while the person thinks about the prompt
            with Session(session.get_bind().execution_options(zz_begin="DEFERRED")) as reader:
                plan = session.info["zz_plan"] = plan_of(reader)
        return plan.lists[list_name]

    return choices


def as_of(value: str | None) -> dt.date | None:
    if not value:
        return None
    from ..dates import parse_date

    return parse_date(value, field="--as-of")


# ---- shell completion: plain sqlite3, so a Tab press never pays for SQLAlchemy ----

def _sqlite_file(ctx) -> str | None:
    from ..db import resolve, sqlite_path

    db = None
    try:
        db = ctx.find_root().params.get("db")
    except Exception:
        pass
    url, _ = resolve(db)
    path = sqlite_path(url)
    return str(path) if path and path.exists() else None


def complete_unit(ctx: typer.Context, incomplete: str):
    import sqlite3

    path = _sqlite_file(ctx)
    if not path:
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        rows = conn.execute(
            "SELECT name, code FROM unit WHERE name LIKE ? OR code LIKE ? ORDER BY code LIMIT 50",
            (f"%{incomplete}%", f"{incomplete}%"),
        ).fetchall()
        conn.close()
    except sqlite3.Error:
        return []
    return [(name, code or "") for name, code in rows]


def _plan_for_completion(ctx):
    import sqlite3

    from ..plan import load

    path = _sqlite_file(ctx)
    text = None
    if path:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
            row = conn.execute("SELECT value FROM meta WHERE key = 'plan'").fetchone()
            conn.close()
            text = row[0] if row else None
        except sqlite3.Error:
            pass
    return load(text)


def complete_area(ctx: typer.Context, incomplete: str):
    plan = _plan_for_completion(ctx)
    return [(a.name, f"（{a.no}）{a.title}") for a in plan.areas if incomplete in a.name or str(a.no).startswith(incomplete)]


def completer(list_name: str):
    def complete(ctx: typer.Context, incomplete: str):
        return [v for v in _plan_for_completion(ctx).lists[list_name] if v.startswith(incomplete)]

    return complete


def complete_milestone(ctx: typer.Context, incomplete: str):
    return [m.name for m in _plan_for_completion(ctx).milestones if m.name.startswith(incomplete)]
