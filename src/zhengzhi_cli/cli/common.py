"""What every command shares: the settings, prompting only at a terminal, completion."""

from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from typing import Annotated, Callable, Iterable, Optional

import typer

from ..db import Settings

JSON = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    if not root.meta.get("zz_warnings"):
        root.meta["zz_warnings"] = True
        root.call_on_close(lambda: show_warnings(root.obj))
    return root.obj


def show_warnings(settings_: Settings) -> None:
    """The domain's warnings (a date to check, …) on stderr once the command is done: each once."""
    from . import output

    seen = set()
    for text in settings_.warnings:
        if text not in seen:
            seen.add(text)
            output.warn(text)
    settings_.warnings.clear()


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


def reply(json_: bool, rec, text: str) -> None:
    """A command's answer: the record as JSON for a script, else one line for the clerk."""
    from . import output

    if json_:
        output.emit_json(rec)
    else:
        output.line(text)


AS_OF = Annotated[Optional[str], typer.Option("--as-of", help="以某日为“今天”")]  # read with as_of()


def as_of(value: str | None) -> dt.date | None:
    """The day an --as-of names (the day a command takes as today), or None for today itself."""
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


# ---- lists: one page at a terminal, every row for scripts ----

LIMIT = Annotated[Optional[int], typer.Option("--limit", min=0, help="最多列出条数（默认 50，0 为全部；--json、--csv 默认全部）")]
CSV = Annotated[bool, typer.Option("--csv", help="输出 CSV（全部行）")]


def paged(title: str, columns: list[str], recs: list, row: Callable[[dict], tuple], *, limit: int | None,
          json_: bool = False, csv_: bool = False, caption: str | None = None) -> None:
    """A list as `issue list` shows one: --json / --csv every row (or --limit), streamed; otherwise
    the first page (50 rows, --limit N, 0 for all) with the total, never wrapping ids, dates and
    statuses at 80 columns, and plain tab-separated rows when piped."""
    from . import output

    if json_ or csv_:
        chosen = recs[:limit] if limit else recs
        if json_:
            output.emit_json_stream(chosen)
        else:
            output.emit_csv(columns, (row(r) for r in chosen))
        return
    page = output.PAGE if limit is None else limit
    shown = recs[:page] if page else recs
    output.listing(title, columns, [row(r) for r in shown], caption=caption)
    output.page_note(len(recs), len(shown))


def page_or_stream(json_: bool, csv_: bool, limit: int | None, columns: list[str], row: Callable[[dict], tuple], *,
                   stream: Callable[[int | None], Iterable[dict]], page: Callable[[int | None], list[dict]],
                   count: Callable[[], int]) -> tuple[list[dict], int] | None:
    """A list the register pages itself: with --json / --csv every row (or --limit) streamed from
    `stream(limit)`, and None; otherwise `page(size)` (50 rows, --limit N, 0 for all) and the total,
    counted only when the page is full."""
    from . import output

    if json_ or csv_:
        recs = stream(limit or None)
        if json_:
            output.emit_json_stream(recs)
        else:
            output.emit_csv(columns, (row(r) for r in recs))
        return None
    size = output.PAGE if limit is None else limit
    recs = page(size or None)
    return recs, (count() if size and len(recs) == size else len(recs))
