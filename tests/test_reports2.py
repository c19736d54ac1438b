"""Reports, second pass (#12): every as-of listing and the public report use the deadline and state
in force on D; the public report has a terminal view; lists worst first with a 临期 list; no stacked
tables sharing one sheet's widths; ledger rows sized to their text."""

from __future__ import annotations

from conftest import (
    PUBLIC_NAMES,
    august_changes,
    fix_at,
    issue_at,
    public_register,
    sqlite_only,
)
from workbooks import too_narrow

# ---------------------------------------------------------------- 1. as of D: D's deadline and state


def _issues(zz, args="--overdue", day="2017-07-31"):
    return [(i["id"], i["status"], i["overdue"], [(f["deadline"], f["overdue"]) for f in i["fixes"]])
            for i in zz.json(f"issue list {args} --as-of {day}")]


def _overdue_issues(zz, day="2017-07-31"):
    return _issues(zz, "--overdue", day)


def test_issue_list_overdue_as_of_july_ignores_an_august_extension(district):
    zz = district
    iid = issue_at(zz)
    fid = fix_at(zz, iid, "2017-07-15")
    before = _overdue_issues(zz)
    assert [i[0] for i in before] == [iid] and before[0][3] == [("2017-07-15", True)]
    zz.ok(["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调", "--date", "2017-08-10"])
    assert _overdue_issues(zz) == before
    assert zz.json("issue list --overdue --as-of 2017-08-31") == []
    assert zz.json(f"issue show {iid}")["fixes"][0]["deadline"] == "2017-09-30"  # today's view keeps today's deadline


def test_issue_list_overdue_as_of_july_is_the_same_after_august_changes(july_register):
    zz, fixes = july_register
    before = _overdue_issues(zz)
    assert len(before) == 3
    listed = _issues(zz, "")
    by_status = {s: _issues(zz, f"--status {s}") for s in ("未整改", "整改中", "已整改")}
    assert [len(by_status[s]) for s in by_status] == [3, 0, 2]
    august_changes(zz, fixes)
    assert _overdue_issues(zz) == before
    assert _issues(zz, "") == listed
    assert {s: _issues(zz, f"--status {s}") for s in by_status} == by_status
    assert [len(_issues(zz, f"--status {s}", "2017-08-31")) for s in by_status] == [1, 2, 1]  # 梅厂 verify: 已销号
    # a page of the list counts the issues judged on D: 3 overdue on 07-31, of which 2 shown
    assert "共 3 条，显示前 2 条" in zz.ok("issue list --overdue --as-of 2017-07-31 --limit 2").stderr


def test_public_report_as_of_july_ignores_an_august_extension(district):
    zz = district
    fid = fix_at(zz, issue_at(zz), "2017-07-15")
    before = zz.json("report public --as-of 2017-07-31")
    assert before["totals"]["due"] == 1 and before["totals"]["due_done"] == 0
    zz.ok(["fix", "extend", str(fid), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调", "--date", "2017-08-10"])
    assert zz.json("report public --as-of 2017-07-31") == before
    assert zz.json("report public --as-of 2017-08-31")["totals"]["due"] == 0


def test_public_report_as_of_july_is_the_same_after_august_changes(july_register, tmp_path):
    import openpyxl

    zz, fixes = july_register
    before = zz.json("report public --as-of 2017-07-31")
    zz.ok(["report", "public", "-o", tmp_path / "a.xlsx", "--as-of", "2017-07-31"])
    august_changes(zz, fixes)
    assert zz.json("report public --as-of 2017-07-31") == before
    zz.ok(["report", "public", "-o", tmp_path / "b.xlsx", "--as-of", "2017-07-31"])

    def cells(path):
        book = openpyxl.load_workbook(path)
        return {ws.title: [[c for c in row] for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}

    assert cells(tmp_path / "b.xlsx") == cells(tmp_path / "a.xlsx")


# ---------------------------------------------------------------- 2. report public at a terminal


def test_report_public_has_a_terminal_view(district, tmp_path):
    zz = district
    public_register(zz)
    data = zz.json("report public --as-of 2017-09-30")
    assert data["report"] == "public"
    r = zz.ok("report public --as-of 2017-09-30")
    out = r.stdout
    t = data["totals"]
    assert "按单位" in out and "按整治重点" in out and "杨村街道" in out and "规矩意识" in out
    assert f"共查摆问题 {t['issues']} 个" in out and f"已完成 {t['due_done']} 项" in out and "66.7%" in out
    for name in PUBLIC_NAMES:  # the public view at a terminal is as clean as the file
        assert name not in out
    assert list(tmp_path.iterdir()) == [] or all(p.suffix != ".xlsx" for p in tmp_path.rglob("*"))


# ---------------------------------------------------------------- 3. stacked tables: every column holds all its tables


def test_no_report_text_is_wider_than_its_column(zz, demo_copy):
    """Every report the demo district makes: no unwrapped text wider than its column (or merged span)
    plus the empty cells after it — stacked tables share a sheet's columns, so each column holds the
    widest text of every table on it (the monthly 总体情况's 督查问责 明细 was cut)."""
    db, out = demo_copy.db, demo_copy.out
    for args, name in ((["report", "phases", "--as-of", "2017-07-15"], "阶段进度.xlsx"),
                       (["report", "summary", "--as-of", "2017-07-15"], "总结.xlsx"),
                       (["report", "monthly", "--month", "2017-07"], "月报.xlsx")):
        zz(["--db", db, *args, "-o", out / name], ok=True)
    books = sorted(out.glob("*.xlsx"))
    assert len(books) >= 4
    assert [p for b in books for p in too_narrow(b)] == []


# ---------------------------------------------------------------- 6. the report benchmark runs twice


@sqlite_only()
def test_bench_report_runs_its_workbook_more_than_once(tmp_path):
    """Each timed run writes the same -o file: every run after the first needs --force."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    wrapper = tmp_path / "zz"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "import sys; from zhengzhi_cli.cli import main; '
                       f'sys.argv[0] = \'zz\'; sys.exit(main())" "$@"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_report.py"), "--dir", str(tmp_path / "b"),
                        "--sizes", "200", "--runs", "2", "--zz", str(wrapper)], check=False, capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "200 条问题" in r.stdout and (tmp_path / "b" / "monthly-200.xlsx").exists()


# ---------------------------------------------------------------- 6. lists worst first; 临期


def test_monthly_lists_due_soon_with_the_deadlines_in_force_on_d(district, tmp_path):
    import openpyxl

    zz = district
    soon = fix_at(zz, issue_at(zz), "2017-08-05")  # due within 7 days of 07-31
    later = fix_at(zz, issue_at(zz, unit="梅厂"), "2017-08-10")  # not within 7 days
    done = fix_at(zz, issue_at(zz, unit="梅厂"), "2017-08-03")
    zz.ok(f"fix done {done} --date 2017-07-20")  # completed before D: nothing to chase
    moved = fix_at(zz, issue_at(zz, unit="下朱庄"), "2017-08-02")  # extended in August: on 07-31 still due 08-02
    zz.ok(["fix", "extend", str(moved), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调", "--date", "2017-08-01"])
    fix_at(zz, issue_at(zz, found="2017-08-03"), "2017-08-04")  # found after D: not in July's report
    data = zz.json("report monthly --month 2017-07")
    lst = data["due_soon"]
    assert [(r["fix_id"], r["deadline"], r["days_left"]) for r in lst["rows"]] == [(moved, "2017-08-02", 2), (soon, "2017-08-05", 5)]
    assert lst["total"] == 2 and lst["until"] == "2017-08-07" and later not in [r["fix_id"] for r in lst["rows"]]
    assert data["digest"]["due_soon"] == 2  # the 综述 names the list's count
    out = tmp_path / "月报.xlsx"
    zz.ok(["report", "monthly", "--month", "2017-07", "-o", out])
    wb = openpyxl.load_workbook(out)
    assert "临期清单" in wb.sheetnames
    listed = [r for r in wb["临期清单"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert [r[1] for r in listed] == ["下朱庄街道", "杨村街道"]
    assert "临期" in zz.ok("report monthly --month 2017-07").stdout


def test_units_are_listed_worst_first(district, tmp_path):
    import openpyxl

    zz = district
    for unit, done in (("杨村", 1), ("下朱庄", 0), ("梅厂", 2)):
        for n in range(2):
            fid = fix_at(zz, issue_at(zz, unit=unit), "2017-06-30")
            if n < done:
                zz.ok(f"fix done {fid} --date 2017-06-20")
    out = tmp_path / "月报.xlsx"
    zz.ok(["report", "monthly", "--month", "2017-07", "-o", out])
    ws = openpyxl.load_workbook(out)["分单位"]
    names = [r[1] for r in ws.iter_rows(min_row=6, values_only=True) if isinstance(r[0], int)]
    assert names[:3] == ["下朱庄街道", "杨村街道", "梅厂镇"]  # 0 %, 50 %, 100 %; nothing due after them
    shown = zz.ok("report monthly --month 2017-07").stdout
    assert shown.index("下朱庄街道") < shown.index("杨村街道") < shown.index("梅厂镇")


# ---------------------------------------------------------------- 4. ledger rows sized to their text


def test_ledger_rows_are_as_tall_as_their_wrapped_text(district, tmp_path):
    """export ledger writes row by row (constant_memory): each row still gets the height its
    wrapped text needs, and a one-line row keeps the default height."""
    import openpyxl

    zz = district
    long_text = "窗口工作人员上班时间玩手机、脱岗串岗，群众反映办事需要多次往返，" * 2  # 64 characters: 4 lines at 44
    tall = zz.json(["issue", "add", long_text, "--unit", "杨村", "--area", "6", "--found", "2017-05-02"])["id"]
    zz.json(["issue", "add", "值班表未公示", "--unit", "杨村", "--area", "7", "--found", "2017-05-03"])
    zz.ok(["fix", "add", str(tall), "推行首问负责制\n公开办事流程\n每月通报一次", "--deadline", "2017-06-30"])
    for extra in ([], ["--public"]):
        out = tmp_path / f"台账{len(extra)}.xlsx"
        zz.ok(["export", "ledger", *extra, "-o", out])
        wb = openpyxl.load_workbook(out)
        ws = wb["问题清单"]
        head = [c.value for c in ws[3]]
        col = head.index("问题描述") + 1
        rows = {ws.cell(r, col).value: ws.row_dimensions[r].height for r in range(4, ws.max_row + 1)}
        assert rows[long_text] is not None and rows[long_text] >= 4 * 14, rows
        assert rows["值班表未公示"] is None  # one line: the default height
        fixes = wb["整改清单"]
        assert fixes.row_dimensions[4].height is not None and fixes.row_dimensions[4].height >= 3 * 14


# ---------------------------------------------------------------- 5. charts find their columns by key


def test_every_chart_series_reads_the_column_it_is_named_for(district, tmp_path):
    import re
    import zipfile

    import openpyxl

    zz = district
    for unit in ("杨村", "梅厂"):
        fix_at(zz, issue_at(zz, unit=unit), "2017-06-30")
    out = tmp_path / "月报.xlsx"
    zz.ok(["report", "monthly", "--month", "2017-07", "-o", out])
    wb = openpyxl.load_workbook(out)
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # the 6-month trend on page 1, 图表, 分重点图表
    seen = []
    for xml in charts:
        for ser in re.findall(r"<c:ser>.*?</c:ser>", xml, re.DOTALL):
            name = re.search(r"<c:tx>.*?<c:v>(.*?)</c:v>", ser, re.DOTALL)
            ref = re.search(r"<c:val><c:numRef><c:f>'?([^!']*)'?!\$([A-Z]+)\$(\d+):", ser)
            cat = re.search(r"<c:cat><c:(?:str|num)Ref><c:f>[^!]*!\$([A-Z]+)\$(\d+):", ser)
            ws, col, first = wb[ref.group(1)], ref.group(2), int(ref.group(3))
            header = ws[f"{col}{first - 1}"].value
            seen.append(header)
            assert header == (name.group(1) if name else "完成率"), (header, name)
            assert ws[f"{cat.group(1)}{first - 1}"].value in ("单位", "整治重点", "月份")
    assert sorted(seen) == sorted(["新发现问题", "完成整改", "完成率", "完成率", "未整改", "整改中", "已整改", "已销号"])


# ---------------------------------------------------------------- 5. typed results


def test_each_report_returns_its_typed_result_and_json_is_its_dict(july_register):
    import dataclasses
    import datetime as dt
    import json

    from zhengzhi_cli import reports
    from zhengzhi_cli.db import Settings, open_session
    from zhengzhi_cli.reports.public import compose

    zz, _ = july_register
    day = dt.date(2017, 7, 31)
    with open_session(Settings(db=zz.db), write=False) as session:
        month = reports.monthly(session, month="2017-07")
        total = reports.summary(session, as_of=day)
        stages = reports.phases(session, as_of=day)
        public = compose(session, as_of=day, items=False)
    assert isinstance(month, reports.MonthlyReport) and isinstance(total, reports.SummaryReport)
    assert isinstance(stages, reports.PhasesReport) and isinstance(public, reports.PublicReport)
    assert all(dataclasses.is_dataclass(r) for r in (month, total, stages, public))
    assert month.overview["overdue"] == 3 and month.due_soon["total"] == len(month.due_soon["rows"])
    for result, args in ((month, "report monthly --month 2017-07"), (total, "report summary --as-of 2017-07-31"),
                         (stages, "report phases --as-of 2017-07-31"), (public, "report public --as-of 2017-07-31")):
        shown = zz.json(args)
        expected = json.loads(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        shown.pop("prepared_on", None)
        expected.pop("prepared_on", None)
        assert shown == expected, args
