"""Rebuild tests/corpus/built/ from tests/corpus/src/ with LibreOffice (issue #9).

    python tests/corpus/build.py            # all of them; needs `soffice` (LibreOffice 7.x) on PATH
    python tests/corpus/build.py 05 20_csv  # only the sources whose names start so

Every workbook in built/ is written by LibreOffice Calc itself, from a source a person can read:

- NN_name.html  an HTML table (rowspan/colspan become merged cells), opened with the
                "HTML (StarCalc)" import filter and saved as .xlsx (one sheet, "Sheet1");
- NN_name.fods  a flat OpenDocument spreadsheet, for workbooks with several sheets, saved as .xlsx;
- NN_name.csv   UTF-8 text, opened with the CSV filter (dates stay text) and saved again as CSV
                in the encoding its name says: utf8 (UTF-8), utf8_bom (UTF-8, then a byte-order
                mark is put in front: LibreOffice 7.4 cannot write one), gbk, utf16 (LibreOffice's
                "Unicode": UTF-16LE with a BOM).

The names in VARIANTS are also saved as Excel 97-2003 (.xls) and OpenDocument (.ods).
The expectations (expected.json) were written by hand from the sources, not from zz's output.
tests/test_corpus.py reads only built/ and never needs LibreOffice.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "built"

XLSX = 'xlsx:Calc MS Excel 2007 XML'
XLS = 'xls:MS Excel 97'
ODS = 'ods:calc8'
INFILTER = {".html": "HTML (StarCalc)", ".fods": None, ".csv": "CSV:44,34,76,1"}
# LibreOffice text-encoding numbers (rtl_TextEncoding): 76 UTF-8, 85 GBK, 65535 UTF-16 ("Unicode")
CSV_ENCODINGS = (("utf16", 65535, "utf-16"), ("utf8_bom", 76, "utf-8"), ("gbk", 85, "gbk"), ("utf8", 76, "utf-8"))
VARIANTS = {
    "01_template_three_sheets": (XLS, ODS),
    "02_seal_after_issue_synonyms": (XLS, ODS),
    "05_combined_rowspan": (XLS, ODS),
    "09_two_row_ticks": (XLS, ODS),
    "16_sheet_per_unit": (XLS, ODS),
    "27_real_date_cells": (XLS, ODS),
    "30_bad_status_two_readings": (XLS, ODS),
}


def soffice(src: Path, target: str, infilter: str | None, outdir: Path, profile: Path) -> Path:
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", target, "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    made = outdir / f"{src.stem}.{target.split(':')[0]}"
    if not made.exists():
        sys.exit(f"soffice made nothing for {src.name} → {target}")
    return made


def _rows(text: str) -> list[list[str]]:
    rows = [row for row in csv.reader(io.StringIO(text))]
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def build_csv(src: Path, outdir: Path, profile: Path) -> None:
    for tag, number, codec in CSV_ENCODINGS:
        if src.stem.endswith(tag):
            break
    else:
        sys.exit(f"{src.name}: name it …_utf8 / _utf8_bom / _gbk / _utf16")
    with tempfile.TemporaryDirectory() as tmp:
        made = soffice(src, f"csv:Text - txt - csv (StarCalc):44,34,{number},1", INFILTER[".csv"], Path(tmp), profile)
        data = made.read_bytes()
    if tag == "utf8_bom":
        data = b"\xef\xbb\xbf" + data
    assert _rows(data.decode(codec).lstrip("\ufeff")) == _rows(src.read_text("utf-8")), f"{src.name}: LibreOffice changed a cell"
    (outdir / src.name).write_bytes(data)


def main() -> None:
    if not shutil.which("soffice"):
        sys.exit("soffice (LibreOffice) is not on PATH")
    only = tuple(sys.argv[1:])
    sources = [p for p in sorted(SRC.iterdir()) if not only or p.name.startswith(only)]
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        if not only or old.name.startswith(only):
            old.unlink()
    with tempfile.TemporaryDirectory() as profile:
        profile = Path(profile)
        for src in sources:
            if src.suffix == ".csv":
                build_csv(src, OUT, profile)
                continue
            infilter = INFILTER[src.suffix]
            for target in (XLSX,) + VARIANTS.get(src.stem, ()):
                soffice(src, target, infilter, OUT, profile)
    for path in sorted(OUT.iterdir()):
        if not only or path.name.startswith(only):
            print(path.relative_to(HERE))


if __name__ == "__main__":
    main()
