"""How results reach people (rich tables, plain lines) and scripts (JSON on stdout).

Everything here may carry text a clerk typed or a workbook supplied: it is printed as text,
never read as rich markup (cells are rich `Text`, not markup strings), and control characters
reach the terminal only as visible escapes (text.display)."""

from __future__ import annotations

import itertools
import json
import sys
from typing import Iterable, Sequence

from ..text import display, json_safe


def emit_json(data) -> None:
    sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")


def line(text: str) -> None:
    sys.stdout.write(display(text) + "\n")


def note(text: str) -> None:
    """A message for the person (stderr), never mixed into data."""
    sys.stderr.write(display(text) + "\n")


def warn(text: str) -> None:
    sys.stderr.write(f"zz: 提示：{display(text)}\n")


def plain(value):
    """A cell, title or caption as rich text that is never parsed as markup."""
    from rich.text import Text

    return None if value is None else Text(display(value))


PAGE = 50  # rows a list shows by default (--limit 0: all)
SHORT = 12  # a column whose cells are all this wide or less (ids, dates, statuses) never wraps


def to_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _cell(value) -> str:
    return "" if value is None else display(value)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence], *, caption: str | None = None,
          wide_first: bool = False) -> None:
    """A boxed table at a terminal; piped, its title and caption on lines of their own around plain rows."""
    if not to_terminal():
        if title:
            sys.stdout.write(_flat(title) + "\n")
        tsv(columns, rows)
        if caption:
            sys.stdout.write(_flat(caption) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=plain(title), caption=plain(caption), show_lines=False, header_style="bold")
    for i, col in enumerate(columns):
        t.add_column(plain(col), overflow="fold", no_wrap=(i == 0 and wide_first))
    for row in rows:
        t.add_row(*[plain("" if v is None else v) for v in row])
    Console(soft_wrap=False).print(t)


def listing(title: str | None, columns: Sequence[str], rows: Iterable[Sequence], *, caption: str | None = None,
            wide_first: bool = False) -> None:
    """A list's rows: at a terminal a table whose ids, dates and statuses never wrap (long text cut
    with …, one line per record); piped, plain tab-separated rows under one header line."""
    if not to_terminal():
        tsv(columns, rows)
        if caption:
            note(caption)
        return
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table

    cells = [[_cell(v) for v in row] for row in rows]
    console = Console(soft_wrap=False)
    natural = [max([cell_len(str(c))] + [cell_len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    short = [w <= SHORT or (i == 0 and wide_first) for i, w in enumerate(natural)]
    # what is left for long text once the short columns have their full width (per column: one
    # space either side, and one divider between columns; no outer edge)
    left = console.width - sum(w for w, s in zip(natural, short) if s) - (3 * len(columns) - 1)
    longs = {i: natural[i] for i, s in enumerate(short) if not s}
    while longs and sum(longs.values()) > left and max(longs.values()) > 4:  # trim the widest first
        widest = max(longs, key=longs.get)
        longs[widest] -= max(1, (sum(longs.values()) - left) // (2 * len(longs)))
    t = Table(title=plain(title), caption=plain(caption), show_lines=False, header_style="bold", show_edge=False,
              box=box.SIMPLE_HEAD)
    for i, col in enumerate(columns):
        if short[i]:
            t.add_column(plain(col), no_wrap=True, min_width=natural[i])
        else:  # long text: one line, cut with …, sharing what the short columns leave
            t.add_column(plain(col), no_wrap=True, overflow="ellipsis", width=max(4, longs[i]))
    for row in cells:
        t.add_row(*[plain(v) for v in row])
    console.print(t)


def page_note(total: int, shown: int) -> None:
    if total > shown:
        note(f"共 {total} 条，显示前 {shown} 条；--limit 0 显示全部")


def _flat(value) -> str:
    return _cell(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tsv(columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    out = sys.stdout
    out.write("\t".join(_flat(c) for c in columns) + "\n")
    for row in rows:
        out.write("\t".join(_flat(v) for v in row) + "\n")


def emit_json_stream(records: Iterable) -> None:
    """A JSON array written record by record (the same shape as emit_json), never held whole."""
    out = sys.stdout
    records = iter(records)
    end = object()
    head = next(records, end)  # a refusal (an unknown unit) comes before "[": stdout then holds only its JSON
    out.write("[")
    first = True
    for rec in records if head is end else itertools.chain([head], records):
        body = json_safe(json.dumps(rec, ensure_ascii=False, indent=2, default=str)).replace("\n", "\n  ")
        out.write(("\n  " if first else ",\n  ") + body)
        first = False
    out.write("\n]\n" if not first else "]\n")


FORMULA = ("=", "+", "-", "@")


def emit_csv(columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """CSV for a spreadsheet: text a spreadsheet would run as a formula is written as text (a leading ')."""
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["'" + v if isinstance(v, str) and v.startswith(FORMULA) else ("" if v is None else v)
                         for v in row])


def fields(title: str, pairs: Sequence[tuple[str, object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=plain(title), show_header=False, box=None, padding=(0, 1))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    for key, value in pairs:
        t.add_row(plain(key), plain("" if value is None else value))
    Console().print(t)
