"""Every workbook the demo district makes prints right (LibreOffice → PDF → pdftotext):
no ###, every page numbered, no page holding only a 合计 row, nothing cut off or past the
page edge (all text of every visible cell is in the PDF). Skipped only where soffice or
pdftotext is absent; the figures (完成率, its rounding, 个百分点) are checked without them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from workbooks import too_narrow

AS_OF = "2017-07-15"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_office = pytest.mark.skipif(not (SOFFICE and PDFTOTEXT),
                                  reason="LibreOffice (soffice) 或 pdftotext 不在本机：不渲染打印效果")


def _workbooks(zz, tmp_path: Path) -> tuple[Path, list[Path]]:
    """The demo register and every workbook zz makes from it."""
    out = tmp_path / "out"
    db = tmp_path / "demo" / "demo.db"
    zz(["demo", "--db", str(db), "--out", str(out)], ok=True)
    run = lambda *a: zz(["--db", str(db), *a], ok=True)
    run("report", "phases", "--as-of", AS_OF, "-o", str(out / "阶段进度.xlsx"))
    run("report", "summary", "--as-of", AS_OF, "-o", str(out / "总结.xlsx"))
    run("export", "ledger", "-o", str(out / "台账.xlsx"))
    run("export", "ledger", "--public", "-o", str(out / "公开台账.xlsx"))
    run("bulletin", "--month", "2017-07", "-o", str(out / "通报.xlsx"))  # the demo issued it: reproduced
    run("inspect", "report", "--month", "2017-07", "-o", str(out / "督查情况反馈.xlsx"))
    run("template", "-o", str(out / "模板.xlsx"), "--unit", "杨村街道")
    books = sorted(out.glob("*.xlsx"))
    assert len(books) >= 9, books
    return db, books


def _render(books: list[Path], tmp_path: Path) -> dict[str, list[str]]:
    """Each workbook's PDF text, page by page (pdftotext -raw: a cell's lines stay together)."""
    pdf = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: never meets a soffice already running
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(pdf),
                    *map(str, books)], check=True, capture_output=True, timeout=600)
    pages = {}
    for book in books:
        out = pdf / (book.stem + ".pdf")
        assert out.exists(), f"{book.name} 未能渲染"
        text = subprocess.run([PDFTOTEXT, "-raw", str(out), "-"], check=True, capture_output=True, timeout=120).stdout.decode()
        pages[book.name] = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    return pages


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _visible_text(book: Path) -> list[tuple[str, str]]:
    """(sheet, text) of every visible string cell, merged cells once."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    cells = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.strip():
                    if ws.row_dimensions[c.row].hidden or ws.column_dimensions[c.column_letter].hidden:
                        continue
                    cells.append((ws.title, c.value))
    return cells


@pytest.mark.slow  # about 30 s on a quiet machine: soffice renders ten workbooks
@needs_office
def test_every_demo_workbook_prints(zz, tmp_path):
    _, books = _workbooks(zz, tmp_path)
    pages = _render(books, tmp_path)
    problems = []
    for name, pp in pages.items():
        n = len(pp)
        assert n >= 1, name
        everything = _squash("".join(pp))
        if "###" in everything:
            problems.append(f"{name}: 有 ### （列宽不够，数字或日期印不出来）")
        for i, page in enumerate(pp, start=1):
            if f"第{i}页，共{n}页" not in _squash(page):
                problems.append(f"{name} 第 {i} 页：没有页码")
            if i > 1:
                before = {_squash(x) for x in pp[i - 2].splitlines()}
                body = [x for x in (_squash(x) for x in page.splitlines())
                        if x and x not in before and "页，共" not in x and not x.startswith("制表单位")]
                if body and body[0].startswith("合计"):
                    problems.append(f"{name} 第 {i} 页：合计行与其上的数据分在两页")
        book = next(b for b in books if b.name == name)
        missing = [(s, t) for s, t in _visible_text(book) if _squash(t) not in everything]
        for sheet, text in missing[:5]:
            problems.append(f"{name}·{sheet}：未完整印出“{text[:40]}”")
        for _, sheet, cell, text in too_narrow(book)[:5]:
            problems.append(f"{name}·{sheet}!{cell}：列宽容不下“{text}”（会被截断或压到相邻单元格上）")
    assert not problems, "\n".join(problems)


def test_rate_is_one_figure_rounded_half_up():
    """49.15 % is 49.2 % in the terminal, the JSON and the workbook (format 0.0 %); changes in 个百分点."""
    from zhengzhi_cli.reports import pct_text, points_text, rate

    assert rate(145, 295) == 0.492 and pct_text(rate(145, 295)) == "49.2%"
    assert rate(1, 8) == 0.125 and pct_text(rate(1, 8)) == "12.5%"
    assert rate(1, 16) == 0.063  # 6.25 % → 6.3 %, not the banker's 6.2 %
    assert rate(0, 0) is None and pct_text(None) == "—"
    assert points_text(round(0.492 - 0.520, 3)) == "-2.8 个百分点"
    assert points_text(0.029) == "+2.9 个百分点" and points_text(0.0) == "持平"


def test_public_and_summary_share_one_completion_rate(zz, tmp_path):
    db = tmp_path / "demo" / "demo.db"
    zz(["demo", "--db", str(db), "--out", str(tmp_path / "out")], ok=True)
    public = zz.json(["--db", str(db), "report", "public", "--as-of", AS_OF])["totals"]
    summary = zz.json(["--db", str(db), "report", "summary", "--as-of", AS_OF])["overview"]
    assert (public["due_done"], public["due"], public["rate"]) == (summary["due_done"], summary["due"], summary["completion_rate"])


def test_terminal_prints_rate_with_its_numerator_and_points(zz, tmp_path):
    from zhengzhi_cli.reports import pct_text, points_text

    db = tmp_path / "demo" / "demo.db"
    zz(["demo", "--db", str(db), "--out", str(tmp_path / "out")], ok=True)
    data = zz.json(["--db", str(db), "report", "monthly", "--month", "2017-07"])
    shown = zz(["--db", str(db), "report", "monthly", "--month", "2017-07"], ok=True).stdout
    ov = data["overview"]
    assert pct_text(ov["completion_rate"]) in shown
    assert "完成率分子" in shown and str(ov["due_done"]) in shown and "个百分点" in shown
    rate_row = next(s for s in data["standing"] if s["key"] == "completion_rate")
    assert points_text(rate_row["delta"]) in shown
    assert _squash(data["digest"]["text"][0]) in _squash(shown)  # the 综述 in the terminal too


def test_ledger_deadlines_are_dates(zz, tmp_path):
    """整改时限 in both ledgers is a date cell with a date format, never a serial number like 42916."""
    import openpyxl

    db = tmp_path / "demo" / "demo.db"
    zz(["demo", "--db", str(db), "--out", str(tmp_path / "out")], ok=True)
    for extra in ([], ["--public"]):
        out = tmp_path / f"台账{len(extra)}.xlsx"
        zz(["--db", str(db), "export", "ledger", *extra, "-o", str(out)], ok=True)
        ws = openpyxl.load_workbook(out)["整改清单"]
        head = [c.value for c in ws[3]]
        col = head.index("整改时限") + 1
        cells = [ws.cell(r, col) for r in range(4, ws.max_row + 1)]
        dated = [c for c in cells if c.is_date]
        assert dated, "no dated deadline"
        assert all("yy" in c.number_format for c in dated), {c.number_format for c in dated}


def test_monthly_page_one_has_a_digest_and_charts_worst_first(zz, tmp_path):
    """Page 1 says what the figures mean: totals and 完成率 with its numerator, the 10 units furthest
    behind with their 责任领导, 临期 in the next 7 days, the trend; charts sorted worst first."""
    import openpyxl

    from zhengzhi_cli.reports import pct_text

    db = tmp_path / "demo" / "demo.db"
    zz(["demo", "--db", str(db), "--out", str(tmp_path / "out")], ok=True)
    data = zz.json(["--db", str(db), "report", "monthly", "--month", "2017-07"])
    d = data["digest"]
    text = "".join(d["text"])
    ov = data["overview"]
    assert f"完成率 {pct_text(ov['completion_rate'])}" in text and f"已完成 {ov['due_done']} 项" in text
    assert "个百分点" in text and "今后 7 天内" in text and f"{d['due_soon']} 项" in text
    assert len(d["behind"]) == 10 and all(b["leader"] for b in d["behind"])
    overdue = [b["overdue"] for b in d["behind"]]
    assert overdue == sorted(overdue, reverse=True)
    assert all(f"{b['unit']}（逾期 {b['overdue']} 项" in text and b["leader"] in text for b in d["behind"])
    out = tmp_path / "月报.xlsx"
    zz(["--db", str(db), "report", "monthly", "--month", "2017-07", "-o", str(out)], ok=True)
    wb = openpyxl.load_workbook(out)
    page1 = [c for row in wb["总体情况"].iter_rows(max_row=8, values_only=True) for c in row if isinstance(c, str)]
    assert "综述" in page1 and any(d["text"][0] in c for c in page1)
    charts = wb["图表"]
    rows = list(charts.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith("图表数据"))
    rates = []
    for r in rows[start + 2:]:
        if not isinstance(r[0], int):
            break
        rates.append(r[2])
    assert rates and rates == sorted(rates)  # worst first
    assert len(charts._charts) == 1


# ---------------------------------------------------------------- greyscale and margins, as printed


def _pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    head = data.split(maxsplit=4)
    assert head[0] == b"P5", head[:1]
    w, h = int(head[1]), int(head[2])
    return w, h, data[len(data) - w * h:]


def _words(pdf: Path, page: int) -> tuple[float, float, list[tuple[float, float, float, float, str]]]:
    """(page width, page height, words with their boxes in points) of one PDF page (pdftotext -bbox)."""
    html = subprocess.run([PDFTOTEXT, "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                          capture_output=True, timeout=120).stdout.decode()
    w, h = map(float, re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html).groups())
    words = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]
    return w, h, words


@pytest.mark.slow  # soffice renders one small workbook (~5 s)
@needs_office
def test_rate_shading_prints_as_two_greys(tmp_path):
    """Printed in black and white (pdftoppm -gray), a 0 % cell and a 100 % cell have clearly different fills."""
    from zhengzhi_cli.excel.reports import Book, Col

    book = Book(tmp_path / "shade.xlsx", {"title": "t", "prepared_by": "区政府办公室", "prepared_on": "2017-07-31"})
    ws = book.sheet("完成率", "t")
    book.table(ws, 0, [Col("单位", "unit", width=20), Col("完成率", "completion_rate", "pct", 12)],
               [{"unit": "甲", "completion_rate": 0.0}, {"unit": "乙", "completion_rate": 0.5}, {"unit": "丙", "completion_rate": 1.0}])
    book.close()
    _render([tmp_path / "shade.xlsx"], tmp_path)
    pdf = tmp_path / "pdf" / "shade.pdf"
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "grey")], check=True, timeout=120)
    w, _, pixels = _pgm(next(tmp_path.glob("grey*.pgm")))
    _, _, words = _words(pdf, 1)

    def fill_left_of(text: str) -> float:
        x0, y0, _, y1, _ = next(word for word in words if word[4] == text)
        ys = range(int(y0 + 2), int(y1 - 1))
        xs = range(int(x0 - 12), int(x0 - 3))
        return sum(pixels[y * w + x] for y in ys for x in xs) / (len(ys) * len(xs))

    worst, best = fill_left_of("0.0%"), fill_left_of("100.0%")
    assert best - worst > 60, (worst, best)


@pytest.mark.slow  # soffice renders the 通报 and the 督查情况反馈 (~10 s)
@needs_office
def test_bulletin_and_inspection_text_pages_sit_inside_the_margins(zz, tmp_path):
    """通报 (section 四 included) and 督查情况反馈 page 1: no text runs into another (no two words' boxes
    overlap) and the body keeps at least 1.5 cm from the paper's edges, where printers clip."""
    db = tmp_path / "demo" / "demo.db"
    zz(["demo", "--db", str(db), "--out", str(tmp_path / "out")], ok=True)
    books = [tmp_path / "通报.xlsx", tmp_path / "督查情况反馈.xlsx"]
    zz(["--db", str(db), "bulletin", "--month", "2017-07", "-o", str(books[0])], ok=True)
    zz(["--db", str(db), "inspect", "report", "--month", "2017-07", "-o", str(books[1])], ok=True)
    pages = _render(books, tmp_path)
    edge = 1.5 / 2.54 * 72
    problems = []
    for book in books:
        pdf = tmp_path / "pdf" / (book.stem + ".pdf")
        for no in range(1, len(pages[book.name]) + 1):
            w, h, words = _words(pdf, no)
            body = [x for x in words if edge < x[1] and x[3] < h - edge]  # the page header and footer sit in the margins
            for x0, _, x1, _, text in body:
                if x0 < edge or x1 > w - edge:
                    problems.append(f"{book.name} 第 {no} 页：“{text}”距纸边不足 1.5 厘米")
            for i, a in enumerate(body):
                for b in body[i + 1:]:
                    if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1:
                        problems.append(f"{book.name} 第 {no} 页：“{a[4]}”与“{b[4]}”重叠")
        assert any("四、" in p for p in pages[book.name]) or book.stem == "督查情况反馈"
    assert not problems, "\n".join(problems[:10])
