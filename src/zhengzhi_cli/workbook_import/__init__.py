"""Unit workbooks into the register (`zz import`).

A file is read whole (excel/reader.py finds the tables), every cell is checked (cells.py, rows.py), the
writes it amounts to are planned against the register (plan.py), and only when no cell is refused are
they written (store.py) — in one transaction per file. A refusal names every bad cell (problems.py).
Layouts taught with --map are remembered per unit (mappings.py).
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from ..dates import parse_loose_date
from ..errors import Invalid, ZzError
from .cells import Cells, Progress
from .mappings import forget_mapping, list_mappings, parse_maps, remember_mappings, stored_mappings
from .plan import plan_writes
from .problems import _no_table, refusal
from .rows import UnitNames, parse
from .store import write

__all__ = ["forget_mapping", "import_file", "import_files", "list_mappings", "parse_maps"]


def import_file(session, path: Path, *, unit: str | None = None, dry_run: bool = False, maps: dict[str, str] | None = None,
                filled_on: dt.date | None = None, on_progress: Progress | None = None) -> dict:
    """Import one workbook inside the caller's transaction; raises FileRefused listing every bad cell.

    `maps`: header → column key taught with `--map` (remembered for the file's units when it lands);
    `filled_on`: the 填报日期 when the file gives none (`--filled-on`)."""
    from ..audit import set_summary
    from ..excel.reader import read_workbook
    from ..register import plan_of

    path = Path(path)
    if on_progress:
        on_progress("读取", 0, 1)
    names = UnitNames(session)
    book = read_workbook(path, mappings=maps, unit_mappings=lambda ref: stored_mappings(session, names, unit or ref))
    if not book.tables:
        raise _no_table(path, book)
    plan = plan_of(session)
    if filled_on is None and book.filled_on not in (None, ""):
        try:
            filled_on = parse_loose_date(book.filled_on, year=plan.year)
        except Invalid:
            pass
    cells = Cells(plan, filled_on)
    cells.forced_filled = filled_on is not None and book.filled_on in (None, "")
    parsed = parse(session, book, unit_ref=unit, cells=cells, names=names, on_progress=on_progress)
    book.tables.clear()  # the sheets' cells are no longer needed: free them before loading the register's rows
    del book
    if parsed.problems:
        raise refusal(path, parsed.problems)
    writes = plan_writes(session, parsed, cells)
    if parsed.problems:
        raise refusal(path, parsed.problems)
    if not dry_run:
        write(session, writes, on_progress=on_progress)
        if maps:
            remember_mappings(session, parsed.unit_ids, maps)
    counts = writes.counts
    totals = {k: sum(c[k] for c in counts.values()) for k in ("new", "updated", "unchanged")}
    unit_names = sorted({names_ for names_ in _unit_names(session, parsed.unit_ids)})
    summary = "；".join(f"{kind} 新增 {c['new']}、更新 {c['updated']}、未变 {c['unchanged']}" for kind, c in counts.items()
                       if any(c.values()))
    set_summary(session, f"导入 {path.name}（{'、'.join(unit_names)}）：{summary}")
    return {"file": str(path), "status": "checked" if dry_run else "imported", "units": unit_names,
            "filled_on": filled_on.isoformat() if filled_on else None, "ledger": parsed.ledger, "sheets": counts,
            **totals, "changes": writes.changes, "problems": []}


def _unit_names(session, ids: Iterable[int]) -> list[str]:
    from sqlalchemy import select

    from ..models import Unit

    ids = sorted(ids)
    if not ids:
        return []
    U = Unit.__table__
    return [n for (n,) in session.connection().execute(select(U.c.name).where(U.c.id.in_(ids[:1000])))]


@contextmanager
def _cyclic_gc_paused():
    """No cyclic garbage collection while one file is imported. Reading a 100k-row sheet makes
    a million cell objects and parsing it 100k records; each allocation burst sets off collections
    that walk all of them (a fifth of the import's time), yet none of them is in a reference
    cycle, so reference counting frees them just the same. The few cycles the file's work leaves
    (SQLAlchemy's) wait for the usual collections, which resume when the file is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_files(settings, paths: Iterable, *, unit: str | None = None, dry_run: bool = False,
                 maps: dict[str, str] | None = None, filled_on: dt.date | None = None,
                 on_progress: Callable[[Path, str, int, int], None] | None = None) -> list[dict]:
    """`zz import`: each file in its own transaction; a refused file is reported, the others still land.

    Returns one dict per file: status imported / checked (dry run) / refused, counts per sheet, problems.
    """
    from ..db import open_session

    results = []
    for path in paths:
        path = Path(path)
        step = (lambda stage, done, total, p=path: on_progress(p, stage, done, total)) if on_progress else None
        try:
            with _cyclic_gc_paused(), open_session(settings, commit=not dry_run) as session:
                result = import_file(session, path, unit=unit, dry_run=dry_run, maps=maps, filled_on=filled_on,
                                     on_progress=step)
            if not dry_run:
                result["change_id"] = session.info.get("zz_change_id")
        except ZzError as exc:
            result = {"file": str(path), "status": "refused", "error": exc.message,
                      "problems": exc.problems or [{"file": str(path), "sheet": None, "row": None, "column": None,
                                                    "value": "", "why": exc.message, "accepted": ""}]}
        results.append(result)
    return results
