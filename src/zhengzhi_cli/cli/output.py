"""How results reach people (rich tables, plain lines) and scripts (JSON on stdout).

Everything here may carry text a clerk typed or a workbook supplied: it is printed as text,
never read as rich markup (cells are rich `Text`, not markup strings), and control characters
reach the terminal only as visible escapes (text.display)."""

from __future__ import annotations

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


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence], *, caption: str | None = None,
          wide_first: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=plain(title), caption=plain(caption), show_lines=False, header_style="bold")
    for i, col in enumerate(columns):
        t.add_column(plain(col), overflow="fold", no_wrap=(i == 0 and wide_first))
    for row in rows:
        t.add_row(*[plain("" if v is None else v) for v in row])
    Console(soft_wrap=False).print(t)


def fields(title: str, pairs: Sequence[tuple[str, object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=plain(title), show_header=False, box=None, padding=(0, 1))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    for key, value in pairs:
        t.add_row(plain(key), plain("" if value is None else value))
    Console().print(t)
