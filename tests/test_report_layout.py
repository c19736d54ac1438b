"""Reports that print right, third pass (#12): one table a sheet (or tables of the very same widths),
the monthly report's 6-month trend (--json "trend", as of D), charts worst first and labelled with the
district average, greyscale-safe shading — read back from the .xlsx (its XML), no LibreOffice needed
(the rendered checks are in test_print.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def demo(demo_built, tmp_path_factory) -> Path:
    """A copy of the session's demo register for this file's read-only checks."""
    return demo_built.copy(tmp_path_factory.mktemp("layout") / "demo").db


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


def test_monthly_at_a_terminal_shows_the_trend(zz, demo):
    """The terminal view of the monthly report has the workbook's 走势 too: each month-end's figures."""
    july = zz.json(["--db", str(demo), "report", "monthly", "--month", "2017-07"])
    shown = zz.ok(["--db", str(demo), "report", "monthly", "--month", "2017-07"]).stdout
    assert "近六个月走势（各月末）" in shown
    lines = shown.splitlines()
    for t in july["trend"]:
        row = next(ln for ln in lines if ln.startswith(t["month"] + "\t"))
        assert row.split("\t")[1:6] == [str(t[k]) for k in ("issues_found", "fixes_completed", "fixes_verified", "due", "due_done")]


def test_monthly_trend_is_six_months_as_of_the_report_day(zz, demo):
    """--json "trend": the last six months up to D (from the campaign's first month): 完成率 at each
    month's end with its numerator and denominator, and the month's new issues and completions."""
    db = demo
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


def test_charts_and_shading_read_back_from_the_workbook(zz, demo, tmp_path):
    """The charts as written (chart XML): sorted worst first, every bar labelled, at most 25 bars and
    only units with something due, the district average in the title; the 6-month trend on page 1 with
    two series of clearly different greys; the 完成率 shading prints 0 % and 100 % as different greys."""
    import re

    import openpyxl

    from zhengzhi_cli.reports import pct_text

    db = demo
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
    fills = re.findall(r'<c:ser>.*?<c:spPr><a:solidFill><a:srgbClr val="([0-9A-F]{6})"', trend, re.DOTALL)
    assert len(fills) >= 2 and abs(_grey(fills[0]) - _grey(fills[1])) > 100, fills
    assert trend.count('<c:showVal val="1"/>') >= 3 and "<c:lineChart>" in trend and "<c:barChart>" in trend
    assert len(wb["总体情况"]._charts) == 1
    sheets = _xml(out, "xl/worksheets/sheet")
    scales = [re.findall(r'<color rgb="FF([0-9A-F]{6})"/>', x) for s in sheets.values()
              for x in re.findall(r"<colorScale>.*?</colorScale>", s, re.DOTALL)]
    assert scales
    for colours in scales:
        assert abs(_grey(colours[0]) - _grey(colours[-1])) > 80, colours  # worst and best print as different greys


