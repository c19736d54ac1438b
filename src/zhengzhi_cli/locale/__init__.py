"""zz's gettext catalog (zh_CN/LC_MESSAGES/zz.po) and a pure-Python compiler for it.

Standard library only: setup.py loads this file by path to compile zz.mo when the package is
built, before any of zz's dependencies are installed.
"""

from __future__ import annotations

import ast
import struct
from array import array
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOG = HERE / "zh_CN" / "LC_MESSAGES" / "zz.po"


def parse_po(text: str, *, name: str = "zz.po") -> dict[str, str]:
    """msgid → msgstr of a .po file (no plurals or contexts: zz's catalog has none)."""
    messages: dict[str, str] = {}
    key = value = section = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("msgid ", "msgstr ")):
            if line.startswith("msgid ") and key is not None:
                messages[key] = value or ""
                value = None
            section, _, line = line.partition(" ")
            if section == "msgid":
                key = ""
            else:
                value = ""
        elif not line.startswith('"') or section is None:
            raise ValueError(f"{name}:{n}: cannot read “{line}”")
        piece = ast.literal_eval(line)
        if section == "msgid":
            key += piece
        else:
            value += piece
    if key is not None:
        messages[key] = value or ""
    return {k: v for k, v in messages.items() if v or not k}


def compile_mo(messages: dict[str, str]) -> bytes:
    """GNU .mo bytes for `messages` (the layout CPython's Tools/i18n/msgfmt.py writes)."""
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for k in keys:
        kb, vb = k.encode(), messages[k].encode()
        offsets.append((len(ids), len(kb), len(strs), len(vb)))
        ids += kb + b"\0"
        strs += vb + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    table: list[int] = []
    for o1, l1, _o2, _l2 in offsets:
        table += [l1, o1 + keystart]
    for _o1, _l1, o2, l2 in offsets:
        table += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return header + array("i", table).tobytes() + ids + strs


def build_mo(po: Path = CATALOG, mo: Path | None = None) -> Path:
    """Compile `po` to `mo` (default: beside it). setup.py calls this when the package is built."""
    mo = mo or po.with_suffix(".mo")
    mo.write_bytes(compile_mo(parse_po(po.read_text(encoding="utf-8"), name=po.name)))
    return mo


@cache
def catalog():
    """The zh_CN translations: zz.mo as built, or the .po compiled in memory (a checkout, an
    editable install, or a .po newer than its .mo)."""
    import gettext
    import io

    mo = CATALOG.with_suffix(".mo")
    try:
        if not CATALOG.exists() or mo.stat().st_mtime >= CATALOG.stat().st_mtime:
            with mo.open("rb") as f:
                return gettext.GNUTranslations(f)
    except OSError:
        pass
    text = CATALOG.read_text(encoding="utf-8")
    return gettext.GNUTranslations(io.BytesIO(compile_mo(parse_po(text, name=CATALOG.name))))
