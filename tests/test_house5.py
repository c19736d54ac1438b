"""Issue #13 (house5): the .xls container read through olefile. A damaged .xls — any byte of a real
LibreOffice file flipped — is read or refused in Chinese (exit 1 or 2), never an internal error."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.zzcheck import CJK, clean
from zhengzhi_cli.excel import files

XLS = Path(__file__).parent / "corpus" / "built" / "01_template_three_sheets.xls"


def test_the_compound_file_is_opened_by_olefile():
    """The BIFF stream comes out of the OLE2 container, and the sheets' extents are read from it."""
    facts = files.xls_facts(XLS)
    assert facts and all(f.rows > 0 and f.cols > 0 for f in facts)
    assert files._cfb_stream(XLS.read_bytes(), ("Workbook", "Book"))[:2] == b"\x09\x08"  # BIFF8 BOF


def test_a_stream_longer_than_the_file_is_not_followed():
    """A directory entry whose size is damaged to 4 GB is left to calamine, not read into memory."""
    data = bytearray(XLS.read_bytes())
    import olefile

    with olefile.OleFileIO(XLS) as ole:
        entry = next(e for e in ole.direntries if e is not None and e.name == "Workbook")
        at = (ole.first_dir_sector + 1) * ole.sectorsize + entry.sid * 128 + 0x78
    data[at:at + 4] = b"\xff\xff\xff\x7f"
    with pytest.raises(files._NotFollowed):
        files._cfb_stream(bytes(data), ("Workbook", "Book"))


def _flipped(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 8))):
        at = rng.randrange(len(out)) if rng.random() < 0.5 else rng.randrange(min(len(out), 2048))  # the header and directory often
        out[at] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(1, 256)
    return bytes(out)


@pytest.mark.slow
def test_byte_flipped_xls_files_are_read_or_refused_in_chinese(district, tmp_path):
    rng = random.Random(13)
    data = XLS.read_bytes()
    outcomes = {0: 0, 1: 0, 2: 0}
    for n in range(300):
        path = tmp_path / f"坏{n}.xls"
        path.write_bytes(_flipped(data, rng))
        files.xls_facts(path)  # never raises: a file it cannot follow is left to calamine
        result = district(["import", str(path), "--unit", "杨村街道", "--dry-run"])
        clean(result)
        assert result.exit_code in outcomes, f"copy {n}: exit {result.exit_code}\n{result.stderr}"
        if result.exit_code:
            assert "zz: " in result.stderr and CJK.search(result.stderr), result.stderr
        outcomes[result.exit_code] += 1
    assert outcomes[1] > 0  # some copies are damaged past reading, and say so


# --- the house: names and the complexity bar (issue #13 "Done when") ---

SRC = Path(__file__).resolve().parents[1] / "src" / "zhengzhi_cli"


def test_no_parameter_dodges_a_name_with_a_trailing_underscore():
    """`month_=` and `units_=` were named to dodge an import: a period and unit names say what they are."""
    import ast

    dodged = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                args = node.args.args + node.args.kwonlyargs
                dodged += [f"{path.relative_to(SRC)}:{node.name}({a.arg})" for a in args if a.arg in ("month_", "units_")]
    assert dodged == []
    assert not (SRC / "supervision.py").exists()  # the grab-bag is gone: its parts live in dates.py, text.py, db.py


def test_no_function_is_more_complex_than_30():
    cc = pytest.importorskip("radon.complexity")
    worst = []
    for path in SRC.rglob("*.py"):
        for block in cc.cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > 30:
                worst.append(f"{path.relative_to(SRC)}:{block.name} {block.complexity}")
    assert worst == []


def test_no_test_file_imports_another():
    """Tests share helpers through conftest.py, zzcheck.py, workbooks.py, procs.py: a test file imported by
    another would run its tests twice and tie the two files' fixtures together."""
    import ast

    tests = Path(__file__).resolve().parent
    names = {p.stem for p in tests.glob("test_*.py")}
    found = []
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:  # `from tests import test_x` names the module too
                modules = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            found += [f"{path.name}:{node.lineno} imports {m}" for m in modules if m.removeprefix("tests.") in names]
    assert found == []
