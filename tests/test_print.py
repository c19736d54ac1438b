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


def _column_widths(ws) -> dict[int, float]:
    widths = {}
    for d in ws.column_dimensions.values():
        if d.width and d.min and d.max:
            for c in range(d.min, d.max + 1):
                widths[c] = d.width
    return widths


def too_narrow(book: Path) -> list[tuple]:
    """Text cells that a printer cuts or prints over their neighbour: an unwrapped string wider than
    its column (or merged span) plus the empty cells to its right. Tables stacked on one sheet share
    its columns, so each column must hold the widest text of every table on it."""
    import openpyxl

    from zhengzhi_cli.excel.book import text_width

    out = []
    for ws in openpyxl.load_workbook(book).worksheets:
        if ws.sheet_state != "visible":
            continue
        widths = _column_widths(ws)
        merged = {}
        for rng in ws.merged_cells.ranges:
            span = sum(widths.get(c, 8.43) for c in range(rng.min_col, rng.max_col + 1))
            merged.update({(r, c): span for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)})
        for row in ws.iter_rows():
            filled = {c.column for c in row if c.value not in (None, "")} | {c for (r, c) in merged if r == row[0].row}
            for c in row:
                if not isinstance(c.value, str) or not c.value.strip() or (c.alignment is not None and c.alignment.wrap_text):
                    continue
                room = merged.get((c.row, c.column)) or widths.get(c.column, 8.43)
                n = c.column + 1
                while (c.row, c.column) not in merged and n not in filled and n <= ws.max_column:
                    room += widths.get(n, 8.43)  # text runs on over empty cells
                    n += 1
                if text_width(c.value) > room:
                    out.append((book.name, ws.title, c.coordinate, c.value[:40]))
    return out


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


# ---------------------------------------------------------------- one table a sheet, charts, greyscale, the trend


def _demo(zz, tmp_path: Path) -> Path:
    db = tmp_path / "demo" / "demo.db"
    zz(["demo", "--db", str(db), "--out", str(tmp_path / "out")], ok=True)
    return db


def _xml(book: Path, prefix: str) -> dict[str, str]:
    import zipfile

    with zipfile.ZipFile(book) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.startswith(prefix)}


def _grey(rgb: str) -> float:
    """The grey a colour prints as (ITU-R 601 luma, as a greyscale printer or pdftoppm -gray makes it)."""
    r, g, b = (int(rgb[i:i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_tables_of_different_widths_never_share_a_sheet(tmp_path):
    """Stacked tables used to share one sheet's column widths (### and text over its neighbours):
    a second table on a sheet must have the same width in every column it shares with the first."""
    from zhengzhi_cli.excel.reports import Book, Col

    book = Book(tmp_path / "x.xlsx", {"title": "t"})
    ws = book.sheet("表", "t")
    _, _, row = book.table(ws, 0, [Col("指标", "k", width=24), Col("数值", "v", "int", 12)], [{"k": "问题", "v": 1}])
    book.table(ws, row + 1, [Col("月份", "k", width=24), Col("数值", "v", "int", 12)], [{"k": "2017-07", "v": 2}])  # same widths
    with pytest.raises(ValueError, match="列宽不一致"):
        book.table(ws, row + 5, [Col("阶段", "k", width=12), Col("结束", "v", "date", 11)], [{"k": "动员部署", "v": "2017-03-31"}])
    book.close()


def test_monthly_trend_is_six_months_as_of_the_report_day(zz, tmp_path):
    """--json "trend": the last six months up to D (from the campaign's first month): 完成率 at each
    month's end with its numerator and denominator, and the month's new issues and completions."""
    db = _demo(zz, tmp_path)
    july = zz.json(["--db", str(db), "report", "monthly", "--month", "2017-07"])
    trend = july["trend"]
    assert 1 <= len(trend) <= 6 and trend[-1]["month"] == "2017-07" and trend[-1]["as_of"] == july["as_of"]
    ov = july["overview"]
    assert (trend[-1]["due"], trend[-1]["due_done"], trend[-1]["completion_rate"]) == (ov["due"], ov["due_done"], ov["completion_rate"])
    june = zz.json(["--db", str(db), "report", "monthly", "--month", "2017-06"])["overview"]
    before = {s["key"]: s["before"] for s in july["standing"]}
    # 上月末 is what June's own report said (an extension approved in July does not rewrite June's 时限已到)
    assert {k: before[k] for k in ("due", "due_done", "completion_rate", "overdue", "verified", "completed")} == {
        k: june[k] for k in ("due", "due_done", "completion_rate", "overdue", "verified", "completed")}
    assert (trend[-2]["due"], trend[-2]["due_done"], trend[-2]["completion_rate"]) == (june["due"], june["due_done"],
                                                                                      june["completion_rate"])
    summary = {t["month"]: t for t in zz.json(["--db", str(db), "report", "summary", "--as-of", "2017-07-31"])["trend"]}
    for t in trend:
        assert {k: t[k] for k in ("issues_found", "fixes_completed", "fixes_verified")} == {
            k: summary[t["month"]][k] for k in ("issues_found", "fixes_completed", "fixes_verified")}
    for key in ("overview", "units", "changes", "standing", "digest", "due_soon", "overdue"):  # only keys added
        assert key in july
    months = [t["month"] for t in zz.json(["--db", str(db), "report", "monthly", "--month", "2017-12"])["trend"]]
    assert months == ["2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12"]


def test_julys_trend_stays_when_august_data_arrives(district):
    zz = district
    iid = zz.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--found", "2017-05-10"])["id"]
    late = zz.json(["fix", "add", str(iid), "推行首问负责制", "--deadline", "2017-06-15"])["id"]
    soon = zz.json(["fix", "add", str(iid), "建立台账", "--deadline", "2017-07-20"])["id"]
    before = zz.json("report monthly --month 2017-07")["trend"]
    june = next(t for t in before if t["month"] == "2017-06")
    assert (june["due"], june["due_done"], june["completion_rate"]) == (1, 0, 0.0)
    zz.ok(f"fix done {late} --date 2017-08-03")
    zz.ok(["fix", "extend", str(soon), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "跨部门协调", "--date", "2017-08-10"])
    zz.ok(["issue", "add", "审批环节繁琐", "--unit", "梅厂", "--area", "6", "--found", "2017-07-20"])  # entered in August
    after = zz.json("report monthly --month 2017-07")["trend"]
    assert after[:-1] == before[:-1]  # the months before July never move
    assert {k: after[-1][k] for k in ("due", "due_done", "completion_rate", "fixes_completed")} == {
        k: before[-1][k] for k in ("due", "due_done", "completion_rate", "fixes_completed")}
    august = zz.json("report monthly --month 2017-08")["trend"]
    assert next(t for t in august if t["month"] == "2017-06") == june


def test_charts_and_shading_read_back_from_the_workbook(zz, tmp_path):
    """The charts as written (chart XML): sorted worst first, every bar labelled, at most 25 bars and
    only units with something due, the district average in the title; the 6-month trend on page 1 with
    two series of clearly different greys; the 完成率 shading prints 0 % and 100 % as different greys."""
    import re

    import openpyxl

    from zhengzhi_cli.reports import pct_text

    db = _demo(zz, tmp_path)
    out = tmp_path / "月报.xlsx"
    zz(["--db", str(db), "report", "monthly", "--month", "2017-07", "-o", str(out)], ok=True)
    data = zz.json(["--db", str(db), "report", "monthly", "--month", "2017-07"])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames.index("图表") == 1 and wb.sheetnames.index("分重点图表") == 2  # before the long lists
    charts = _xml(out, "xl/charts/chart")
    units = next(x for x in charts.values() if "全区平均" in x)
    rated = [u for u in data["units"] if u["completion_rate"] is not None]
    n = min(25, len(rated))
    assert f"全区平均 {pct_text(data['overview']['completion_rate'])}" in units
    assert f"完成率最低的 {n} 个单位" in units and len(rated) > 25
    assert '<c:showVal val="1"/>' in units
    rows = list(wb["图表"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith("图表数据"))
    drawn = [r for r in rows[start + 2:] if isinstance(r[0], int)]
    assert len(drawn) == n and [r[2] for r in drawn] == sorted(r[2] for r in drawn)  # worst first
    assert [r[1] for r in drawn] == [u["unit"] for u in sorted(rated, key=lambda u: (u["completion_rate"], -u["overdue"], u["unit"]))][:n]
    trend = next(x for x in charts.values() if "近六个月趋势" in x)
    fills = re.findall(r'<c:ser>.*?<c:spPr><a:solidFill><a:srgbClr val="([0-9A-F]{6})"', trend, re.S)
    assert len(fills) >= 2 and abs(_grey(fills[0]) - _grey(fills[1])) > 100, fills
    assert trend.count('<c:showVal val="1"/>') >= 3 and "<c:lineChart>" in trend and "<c:barChart>" in trend
    assert len(wb["总体情况"]._charts) == 1
    sheets = _xml(out, "xl/worksheets/sheet")
    scales = [re.findall(r'<color rgb="FF([0-9A-F]{6})"/>', x) for s in sheets.values()
              for x in re.findall(r"<colorScale>.*?</colorScale>", s, re.S)]
    assert scales
    for colours in scales:
        assert abs(_grey(colours[0]) - _grey(colours[-1])) > 80, colours  # worst and best print as different greys


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
    w, h, pixels = _pgm(next(tmp_path.glob("grey*.pgm")))
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
    db = _demo(zz, tmp_path)
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
