"""The one Excel house style for every workbook zz writes (reports, ledgers, the template,
the bulletin, the 政务公开 report): A4 landscape, margins a printer does not clip, 宋体,
a footer with 第 N 页 共 M 页 on every page, column widths measured from the text (a Chinese
character is two units), wrapped rows given the height their text needs (a spreadsheet does
not grow them on its own), and dates written as dates with a date format.
"""

from __future__ import annotations

import unicodedata
from typing import Any

FONT = "宋体"
A4 = 9
# Inches. Office printers clip about 0.25"; keep the body well inside (the footer sits in the bottom margin).
MARGINS = {"left": 0.6, "right": 0.6, "top": 0.75, "bottom": 0.75}
HEADER_MARGIN = 0.3
DATE_FORMAT = "yyyy-mm-dd"
FOOTER = f'&C&"{FONT}"&9第 &P 页，共 &N 页'
# Printable width of A4 landscape inside MARGINS, in Excel column units at 100 % (about 7 px a unit, 96 dpi).
PAGE_WIDTH_UNITS = int((11.69 - MARGINS["left"] - MARGINS["right"]) * 96 / 7) - 4


def text_width(value: Any) -> float:
    """Column width units of the longest line of a value in 宋体: a Chinese character is two, ASCII about one."""
    text = "" if value is None else str(value)
    return max((sum(2.0 if unicodedata.east_asian_width(c) in "WFA" else 1.1 for c in line) for line in text.split("\n")),
               default=0.0)


def lines_needed(value: Any, width: float) -> int:
    """How many printed lines `value` takes wrapped in a column (or merged span) `width` units wide."""
    text = "" if value is None else str(value)
    usable = max(float(width) - 1.5, 1.0)
    total = 0
    for line in text.split("\n"):
        w = sum(2.0 if unicodedata.east_asian_width(c) in "WFA" else 1.1 for c in line)
        total += max(1, -(-int(w) // int(usable)) if w > usable else 1)
    return max(total, 1)


def wrapped_lines(text: str, usable: float) -> int:
    """Printed lines of `text` wrapped in `usable` width units, fast enough for every cell of a
    100 000-row ledger: any non-ASCII character is counted two units (a Chinese character is; the
    rare narrower one only makes the row a little taller, never cut)."""
    total = 0
    for line in text.split("\n"):
        ascii_ = len(line.encode("ascii", "ignore"))
        w = 2 * (len(line) - ascii_) + 1.1 * ascii_
        total += 1 if w <= usable else -(-int(w) // int(usable))
    return total


def lines_height(lines: int, *, size: float = 10) -> float:
    """Row height in points for `lines` printed lines of font `size` (as `row_height`)."""
    return round(lines * size * 1.45 + 4, 1)


def row_height(value: Any, width: float, *, size: float = 10) -> float:
    """Row height in points for wrapped text of font `size` in a span `width` units wide."""
    return round(lines_needed(value, width) * size * 1.45 + 4, 1)


def fit_width(values, *, minimum: float = 6, maximum: float = 60, pad: float = 2) -> float:
    """A column width that holds the widest of `values` (header included), within [minimum, maximum]."""
    return min(max([minimum, *(text_width(v) + pad for v in values)]), maximum)


def page(ws, *, repeat: tuple[int, int] | None = None, header: str | None = None, one_page: bool = False,
         landscape: bool = True) -> None:
    """House page setup: A4, landscape, margins that printers don't clip, fit to one page wide,
    centred, page numbers in the footer, `repeat` rows printed on every page."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**MARGINS)
    ws.fit_to_pages(1, 1 if one_page else 0)
    ws.center_horizontally()
    if header:
        ws.set_header(header, {"margin": HEADER_MARGIN})
    ws.set_footer(FOOTER, {"margin": HEADER_MARGIN})
    if repeat is not None:
        ws.repeat_rows(*repeat)


def escape(text: Any) -> str:
    """Text for a page header or footer: & is the control character there."""
    return str(text).replace("&", "&&")
