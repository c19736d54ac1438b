"""Issue #9: a corpus of workbooks made by LibreOffice, in the layouts units really send, each
imported and compared with what a careful person reads in it.

The workbooks are tests/corpus/built/ (rebuilt from tests/corpus/src/ by tests/corpus/build.py,
which needs LibreOffice; this test does not). The expectations, tests/corpus/expected.json, were
written by hand from the sources: per source (NN_name), the import options and either the register
content after the import (issues with their fixes, rules) or "refused": the bad cells (sheet, row,
column) the refusal must name. A column given as a list accepts any of the names in it.
A file built in several formats (.xlsx, .xls, .ods) has one expectation for all of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
BUILT = sorted(p for p in (CORPUS / "built").iterdir() if p.suffix in {".xlsx", ".xls", ".ods", ".csv"})
EXPECTED = json.loads((CORPUS / "expected.json").read_text("utf-8"))
UNITS = (("杨村街道", "街道", "120114001"), ("下朱庄街道", "街道", None), ("梅厂镇", "镇", None),
         ("大良镇", "镇", None), ("区行政审批局", "部门", None))
ISSUE_KEYS = ("unit", "seq", "area", "source", "description", "found_on")
FIX_KEYS = ("task", "deadline", "status", "done_on", "progress")
RULE_KEYS = ("title", "action", "due_on", "status")


def test_the_corpus_is_complete():
    sources = {p.stem for p in (CORPUS / "src").iterdir()}
    built = {p.stem for p in BUILT}
    assert sources == set(EXPECTED) == built
    assert len(BUILT) >= 30


def _units(zz):
    for name, kind, code in UNITS:
        zz.ok(["unit", "add", name, "--kind", kind] + (["--code", code] if code else []))


def _fix(f: dict, keys) -> dict:
    """A 立行立改 fix is spelt 立行立改: its stored deadline is the lateness rule's day, not the sheet's words."""
    return {k: "立行立改" if k == "deadline" and f.get("on_the_spot") else f.get(k) for k in keys}


def _register(zz, expected_issues) -> list[dict]:
    """The register as the expectation spells it: issues by (unit, 序号), fixes by 序号."""
    fix_keys = [k for k in FIX_KEYS if any(k in f for i in expected_issues for f in i["fixes"])]
    got = []
    for i in sorted(zz.json("issue list"), key=lambda i: (i["unit"], i["seq"] or 0, i["id"])):
        row = {k: i.get(k) for k in ISSUE_KEYS}
        fixes = sorted(i.get("fixes") or [], key=lambda f: (f.get("seq") or 0, f["id"]))
        row["fixes"] = [_fix(f, fix_keys) for f in fixes]
        got.append(row)
    return got


def _cells(problems) -> list[tuple]:
    return sorted(((p.get("sheet"), p.get("row"), p.get("column")) for p in problems), key=repr)


@pytest.mark.parametrize("path", BUILT, ids=[p.name for p in BUILT])
def test_corpus_workbook(zz, path):
    case = EXPECTED[path.stem]
    _units(zz)
    r = zz(["import", path, *case.get("options", []), "--json"])
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr, r.stderr
    if "refused" in case:
        assert r.exit_code == 1, f"accepted a file a careful person refuses\n{r.stdout}\n{r.stderr}"
        problems = json.loads(r.stdout)["files"][0]["problems"]
        got = _cells(problems)
        want = case["refused"]
        unmatched = list(got)
        for w in want:
            columns = w["column"] if isinstance(w["column"], list) else [w["column"]]
            hit = next((g for g in unmatched if g[0] == w["sheet"] and g[1] == w["row"] and g[2] in columns), None)
            assert hit, f"the refusal does not name {w}; it names {got}\n{r.stderr}"
            unmatched.remove(hit)
        assert not unmatched, f"the refusal also names cells that are right: {unmatched}\n{r.stderr}"
        assert zz.json("issue list") == [] and zz.json("rule list") == []
        return
    assert r.exit_code == 0, f"refused a file a careful person reads\n{r.stderr}"
    want = sorted(case["issues"], key=lambda i: (i["unit"], i["seq"]))
    assert _register(zz, want) == want
    rules = sorted(zz.json("rule list"), key=lambda x: x["id"])
    assert [{k: x.get(k) for k in RULE_KEYS} for x in rules] == case.get("rules", [])
    again = zz.json(["import", path, *case.get("options", [])])
    assert (again["new"], again["updated"]) == (0, 0), "importing the same file again changed the register"
