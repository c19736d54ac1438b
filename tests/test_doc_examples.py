"""Every `zz …` example in README.md and docs/guide.md runs as written on the demo register (#11).

The examples of each document run in order, as a clerk following it would type them, on a copy of
the register `zz demo` builds, in a folder holding the files they name (the sample district's
workbooks in 收文/, a unit list, the plan file, empty 备份/ 模板/ 通报/ … folders). Each must end
with status 0, or the status its comment documents (a command that needs a terminal or `--yes`),
and never with an internal error.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE, Zz, sqlite_only

DOCS = [ROOT / "README.md", ROOT / "docs" / "guide.md"]

# examples whose documented answer in a script (no terminal) is a usage error: they say so beside them
DOCUMENTED = {
    "zz issue add": (2, "在终端里不带参数"),  # the entry loop needs a terminal
    "zz undo": (2, "脚本里加 --yes"),
    "zz restore 备份/zz-2017-06-30.db": (2, "脚本里加 --yes"),
}

pytestmark = sqlite_only()  # the demo register is a SQLite file on either backend


def examples(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of each line of a fenced block that starts with `zz `."""
    out, inside = [], False
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside and line.strip().startswith("zz "):
            out.append((no, line.strip()))
    return out


def argv(text: str) -> list[str]:
    """The arguments as a shell would pass them: comments dropped, `[--unit U]` (optional) left out,
    globs expanded in the working folder."""
    words = shlex.split(re.sub(r"\[[^\]]*\]", "", text), comments=True)[1:]
    out = []
    for w in words:
        out.extend(sorted(glob.glob(w)) or [w]) if "*" in w else out.append(w)
    return out


def command(text: str) -> str:
    return shlex.split(text, comments=True) and " ".join(shlex.split(text, comments=True))


@pytest.fixture
def demo(demo_built) -> Path:
    return demo_built.db  # copied, with its evidence, before the examples run on it


def _fill_checklist(path: Path) -> None:
    """What the 回头看 group does between `recheck plan -o` and `recheck import`: each row of the
    checklist gets 结果 巩固, a checker and a date (the file is written anew, as a clerk's save would)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    head = next(i for i, row in enumerate(rows) if "结果" in [str(c).strip() for c in row])
    cols = {str(c).strip(): j for j, c in enumerate(rows[head])}
    for row in rows[head + 1:]:
        if str(row[0]).strip().removesuffix(".0").isdigit():  # an item, not the note under the table
            row[cols["结果"]], row[cols["核查人"]], row[cols["核查日期"]] = "巩固", "回头看核查组赵敏", "2017-10-20"
    _book(path, book.sheet_names[0], [[c if c != "" else None for c in row] for row in rows])


# what happens off the register before an example: the checking group fills in the checklist
BEFORE = {"zz recheck import 回头看核查清单.xlsx": lambda: _fill_checklist(Path("回头看核查清单.xlsx"))}


def _folder(tmp_path: Path) -> None:
    """The files and folders the examples name."""
    for name in ("备份", "模板", "收文", "通报", "月报", "督办函", "整改档案"):
        (tmp_path / name).mkdir()
    from zhengzhi_cli.demo import _pdf, _png

    (tmp_path / "整改后照片.png").write_bytes(_png(34))
    (tmp_path / "首问负责制度.pdf").write_bytes(_pdf("首问负责制度", "窗口首问负责，限时办结。", "rule"))
    for book in sorted((SAMPLE / "workbooks").glob("*.xlsx")):
        shutil.copy(book, tmp_path / "收文" / book.name)
    from zhengzhi_cli.plan import default_plan_text

    (tmp_path / "方案2018.toml").write_text(default_plan_text(), encoding="utf-8")
    rows = [line.split(",") for line in (SAMPLE / "units.csv").read_text(encoding="utf-8-sig").splitlines() if line]
    _book(tmp_path / "单位名单.xlsx", "单位名单", rows)
    _docx(tmp_path / "模板" / "通报.docx", ["{{发文字号}}", "{{标题}}", "{{正文}}", "点名：{{点名单位}}，限{{报送期限}}前报送。"])
    _book(tmp_path / "征求意见汇总.xlsx", "意见汇总", [
        ["征求方式", "征求对象", "意见建议", "反映人数", "日期"],
        ["座谈会", "服务对象", "窗口午休无人", 4, "2017年5月3日"],
        ["征求意见表", "基层群众", "办事指南看不懂", 2, "2017/5/4"],
    ])


def _docx(path: Path, paragraphs: list[str]) -> None:
    import docx

    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(str(path))


def _book(path: Path, sheet: str, rows: list[list]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()


@pytest.mark.parametrize("doc", [DOCS[0], pytest.param(DOCS[1], marks=pytest.mark.slow)],  # the guide's: ~5 s
                         ids=lambda p: p.name)
def test_every_example_runs_on_the_demo_register(doc, demo, tmp_path, monkeypatch):
    _folder(tmp_path)
    db = tmp_path / "demo.db"
    shutil.copy(demo, db)
    store = demo.with_name(demo.name + ".evidence")
    if store.is_dir():  # the evidence the demo attached lives beside its register
        shutil.copytree(store, db.with_name(db.name + ".evidence"))
    monkeypatch.chdir(tmp_path)
    zz = Zz(str(db))
    failed = []
    for no, text in examples(doc):
        if command(text) in BEFORE:
            BEFORE[command(text)]()
        r = zz(argv(text), input="")
        said = (r.stdout or "") + (r.stderr or "")
        want = DOCUMENTED.get(command(text), (0, ""))[0]
        if r.exit_code != want or "内部错误" in said or "Traceback" in said:
            failed.append(f"{doc.name}:{no}: {text}\n    → {r.exit_code}: {(r.stderr or r.stdout).strip()[:300]}")
    assert examples(doc), f"no examples found in {doc}"
    assert not failed, "\n".join(failed)


def test_documented_statuses_are_beside_their_examples():
    """A documented non-zero status is only for an example whose comment says why."""
    lines = {text: text for doc in DOCS for _, text in examples(doc)}
    for cmd, (_, why) in DOCUMENTED.items():
        assert any(command(t) == cmd and why in t for t in lines), cmd
