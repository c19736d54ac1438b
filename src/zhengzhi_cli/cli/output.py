"""How results reach people (rich tables, plain lines) and scripts (JSON on stdout)."""

from __future__ import annotations

import json
import sys
from typing import Iterable, Sequence


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def line(text: str) -> None:
    sys.stdout.write(text + "\n")


def note(text: str) -> None:
    """A message for the person (stderr), never mixed into data."""
    sys.stderr.write(text + "\n")


def warn(text: str) -> None:
    sys.stderr.write(f"zz: 提示：{text}\n")


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence], *, caption: str | None = None,
          wide_first: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, caption=caption, show_lines=False, header_style="bold")
    for i, col in enumerate(columns):
        t.add_column(col, overflow="fold", no_wrap=(i == 0 and wide_first))
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    Console(soft_wrap=False).print(t)


def fields(title: str, pairs: Sequence[tuple[str, object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_header=False, box=None, padding=(0, 1))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    for key, value in pairs:
        t.add_row(key, "" if value is None else str(value))
    Console().print(t)
