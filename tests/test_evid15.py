"""What was left of #15: 回头看 results from a filled-in checklist (`zz recheck import`), 扩大核查
(`zz recheck expand`), the 销号 level in `fix list`, 巩固率 in the summary report, and the demo's
evidence, 回头看 and 整改档案."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Zz, backend
from tests.zzcheck import refused, said_no, verified_fixes


@pytest.fixture(autouse=True)
def _store(monkeypatch, tmp_path):
    # a PostgreSQL register has no file beside it: the evidence store must be named (evidence.store_dir)
    if backend() == "postgresql":
        monkeypatch.setenv("ZZ_EVIDENCE_DIR", str(tmp_path / "store"))




def _fill(path: Path, results: dict[int, tuple], *, out: Path | None = None) -> Path:
    """Fill in 结果/核查人/核查日期/说明 of a checklist the way a checker does (in Excel)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    head = {c.value: c.column for c in ws[2]}
    for row in ws.iter_rows(min_row=3):
        fix_id = row[0].value
        if fix_id in results:
            for name, value in zip(("结果", "核查人", "核查日期", "说明"), results[fix_id]):
                ws.cell(row=row[0].row, column=head[name], value=value)
    target = out or path
    wb.save(target)
    return target


def statuses(zz: Zz) -> dict[int, str]:
    return {f["id"]: f["status"] for f in zz.json("fix list")}


# ---------------------------------------------------------------- zz recheck import


def test_recheck_plan_writes_a_checklist_that_import_records_in_one_undoable_change(zz, tmp_path):
    import datetime as dt

    verified_fixes(zz, 3)
    sheet = tmp_path / "回头看核查清单.xlsx"
    plan = zz.json(["recheck", "plan", "--seed", "7", "--share", "1", "-o", str(sheet)])
    assert sorted(f["fix_id"] for f in plan["fixes"]) == [1, 2, 3, 4, 5, 6] and sheet.is_file()
    _fill(sheet, {1: ("巩固", "李强", dt.datetime(2017, 10, 10)), 2: ("反弹", "李强", "2017-10-11", "窗口又现推诿"),
                  5: ("虚假整改", "赵敏", "2017年10月12日", "制度未印发")})
    changes = len(zz.json("log"))
    got = zz.json(["recheck", "import", str(sheet)])
    assert (got["recorded"], got["held"], got["rebound"], got["fake"], got["reopened"]) == (3, 1, 1, 1, [2, 5])
    assert {i for i, s in statuses(zz).items() if s != "已销号"} == {2, 5}
    assert len(zz.json("log")) == changes + 1  # one transaction, one change
    events = [e for e in zz.json("fix show 2")["events"] if e["kind"] == "回头看"]
    assert events == [dict(events[0], date="2017-10-11", text="反弹：窗口又现推诿", by="李强")]
    zz.ok("undo --yes")
    assert set(statuses(zz).values()) == {"已销号"}


def test_recheck_import_with_any_bad_row_records_nothing_and_names_each_cell(zz, tmp_path):
    verified_fixes(zz, 3)
    sheet = tmp_path / "清单.xlsx"
    zz.ok(["recheck", "plan", "--seed", "7", "--share", "1", "-o", str(sheet)])
    _fill(sheet, {1: ("巩固", "李强", "2017-10-10"), 2: ("反弹", "王明", "2017-10-11"), 3: ("好", "李强", "2017-10-11"),
                  4: ("巩固", "李强", "2017-06-01")})
    r = refused(zz, ["recheck", "import", str(sheet)], "回头看核查清单", "第 4 行", "核查人", "责任人", "第 5 行", "结果",
                "第 6 行", "核查日期", "早于销号日期")
    assert "第 3 行" not in r.stderr  # the good row is not named, and not recorded either
    assert set(statuses(zz).values()) == {"已销号"}


def test_recheck_import_refuses_a_half_filled_row_a_repeated_fix_and_a_file_with_no_checklist(zz, tmp_path):
    verified_fixes(zz, 2)
    sheet = tmp_path / "清单.xlsx"
    zz.ok(["recheck", "plan", "--seed", "7", "--share", "1", "-o", str(sheet)])
    half = _fill(sheet, {1: ("巩固", None, "2017-10-10")}, out=tmp_path / "半.xlsx")
    refused(zz, ["recheck", "import", str(half)], "第 3 行", "核查人", "未填")
    import openpyxl

    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    ws.append([1, None, None, None, None, None, None, "巩固", "李强", "2017-10-10"])
    wb.save(sheet)
    twice = _fill(sheet, {1: ("巩固", "李强", "2017-10-10")}, out=tmp_path / "重复.xlsx")
    refused(zz, ["recheck", "import", str(twice)], "同一项整改")
    blank = tmp_path / "空白.xlsx"
    zz.ok(["recheck", "plan", "--seed", "7", "--share", "1", "-o", str(blank)])
    refused(zz, ["recheck", "import", str(blank)], "没有填写任何回头看结果")
    other = tmp_path / "别的表.xlsx"
    zz.ok(["template", "-o", str(other)])
    refused(zz, ["recheck", "import", str(other)], "表头", "整改编号")
    refused(zz, ["recheck", "import", str(tmp_path / "没有这个文件.xlsx")])
    assert set(statuses(zz).values()) == {"已销号"}


def test_recheck_record_takes_the_issue_words_and_a_rebound_reopens(zz):
    verified_fixes(zz, 2)
    rec = zz.json("recheck record 1 --result 反弹 --by 李强 --date 2017-10-10")
    assert rec["status"] == "整改中" and rec["verified_on"] is None
    assert zz.json("recheck record 2 --result 巩固 --by 李强 --date 2017-10-10")["status"] == "已销号"
    assert zz.json("recheck record 3 --result 虚假整改 --by 李强 --reason 未印发 --date 2017-10-10")["status"] == "整改中"
    said_no(zz("recheck record 4 --result 好 --by 李强"), "巩固", "反弹", "虚假整改")


# ---------------------------------------------------------------- zz recheck expand


def test_recheck_expand_lists_every_closed_item_of_a_unit_past_the_threshold(zz, tmp_path):
    verified_fixes(zz, 4)  # 杨村 #1-#4, 梅厂 #5-#8
    zz.ok("recheck record 1 --result 反弹 --by 李强 --date 2017-10-10")
    zz.ok("recheck record 2 --result 巩固 --by 李强 --date 2017-10-10")
    zz.ok("recheck record 5 --result 巩固 --by 李强 --date 2017-10-10")
    changes = len(zz.json("log"))
    got = zz.json("recheck expand --unit 杨村")
    assert got["triggered"] and got["threshold"] == 0.2 and got["threshold_from"] == "default"
    assert (got["rechecked"], got["failed"], got["failure_rate"]) == (2, 1, 0.5)
    assert [f["fix_id"] for f in got["fixes"]] == [2, 3, 4]  # every item still closed (#1 was reopened)
    assert not zz.json("recheck expand --unit 杨村 --threshold 60%")["triggered"]
    assert zz.json("recheck expand --unit 杨村 --threshold 0.5")["triggered"]
    calm = zz.json("recheck expand --unit 梅厂")
    assert not calm["triggered"] and calm["fixes"] == []
    out = tmp_path / "杨村全面核查.xlsx"
    shown = zz.ok(["recheck", "expand", "--unit", "杨村", "-o", str(out)]).stdout
    assert "杨村街道" in shown and out.is_file()
    from openpyxl import load_workbook

    rows = list(load_workbook(out).worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows if isinstance(r[0], int)] == [2, 3, 4]
    assert len(zz.json("log")) == changes  # a dry run: nothing written to the register
    said_no(zz("recheck expand --unit 杨村 --threshold 150%"), "--threshold")
    said_no(zz("recheck expand"), "--unit", status=(2,))


@pytest.mark.empty_register
def test_recheck_expand_takes_its_threshold_from_the_plan(zz, tmp_path):
    from zhengzhi_cli.plan import default_plan_text

    text = default_plan_text().replace("evidence_required = false", 'evidence_required = false\nexpand_rate = "60%"')
    plan = tmp_path / "plan.toml"
    plan.write_text(text, encoding="utf-8")
    zz.ok(["init", "--plan", str(plan)])
    verified_fixes(zz, 2)
    zz.ok("recheck record 1 --result 反弹 --by 李强 --date 2017-10-10")
    zz.ok("recheck record 2 --result 巩固 --by 李强 --date 2017-10-10")
    got = zz.json("recheck expand --unit 杨村")
    assert (got["threshold"], got["threshold_from"], got["triggered"]) == (0.6, "plan", False)


# ---------------------------------------------------------------- the 销号 level in fix list


THREE = '["单位自验", "督查室核验", "领导小组认定"]'


@pytest.mark.empty_register
def test_fix_list_carries_the_level_fix_show_gives_and_a_short_column(zz, tmp_path):
    from zhengzhi_cli.plan import default_plan_text

    plan = tmp_path / "plan.toml"
    plan.write_text(default_plan_text().replace('levels = ["销号核验"]', f"levels = {THREE}"), encoding="utf-8")
    zz.ok(["init", "--plan", str(plan)])
    zz.ok("unit add 杨村街道 --kind 街道")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    for task in ("甲", "乙", "丙", "丁"):
        zz.ok(["fix", "add", "1", task, "--deadline", "2017-06-30"])
    for i in (2, 3, 4):
        zz.ok(f"fix done {i} --date 2017-06-20")
    zz.ok("fix verify 3 --by 李科长 --date 2017-06-21")
    for by in ("李科长", "张华", "李强"):
        zz.ok(f"fix verify 4 --by {by} --date 2017-06-22")
    listed = {f["id"]: f["verification"] for f in zz.json("fix list")}
    assert {i: v["label"] for i, v in listed.items()} == {1: "核验 0/3", 2: "核验 0/3", 3: "核验 1/3", 4: "核验 3/3"}
    for i in (1, 2, 3, 4):
        assert listed[i] == zz.json(f"fix show {i}")["verification"]
    assert listed[3]["next"] == "督查室核验" and listed[3]["passed"] == 1 and listed[3]["of"] == 3
    assert zz.json("fix list --as-of 2017-06-21")[2]["verification"]["passed"] == 1  # #3 on the 21st: one level
    assert zz.json("fix list --as-of 2017-06-20")[2]["verification"]["passed"] == 0
    piped = zz.ok("fix list").stdout.splitlines()
    assert "核验" in piped[0].split("\t")
    third = next(line.split("\t") for line in piped[1:] if line.startswith("3\t"))
    assert third[piped[0].split("\t").index("核验")] == "1/3"


def test_fix_list_json_says_the_level_under_a_one_level_plan_too(zz):
    verified_fixes(zz, 1)
    zz.ok(["fix", "add", "1", "再整改", "--deadline", "2017-09-30"])
    got = {f["id"]: f["verification"]["label"] for f in zz.json("fix list")}
    assert got == {1: "核验 1/1", 2: "核验 1/1", 3: "核验 0/1"}
    assert "核验" not in zz.ok("fix list").stdout.splitlines()[0]  # one level: the status says it all


# ---------------------------------------------------------------- 巩固率 in the summary report


def test_summary_report_shows_each_units_hold_rate(zz, tmp_path):
    verified_fixes(zz, 3)  # 杨村 #1-#3, 梅厂 #4-#6
    zz.ok("recheck record 1 --result 巩固 --by 李强 --date 2017-10-10")
    zz.ok("recheck record 2 --result 巩固 --by 李强 --date 2017-10-10")
    zz.ok("recheck record 3 --result 反弹 --by 李强 --date 2017-10-10")
    zz.ok("recheck record 4 --result 虚假整改 --by 李强 --date 2017-10-12")
    got = {r["unit"]: r for r in zz.json("report summary --as-of 2017-12-31")["recheck"]}
    assert (got["杨村街道"]["rechecked"], got["杨村街道"]["held"], got["杨村街道"]["rebound"]) == (3, 2, 1)
    assert got["杨村街道"]["hold_rate"] == 0.667 and got["梅厂镇"]["hold_rate"] == 0.0 and got["梅厂镇"]["fake"] == 1
    before = zz.json("report summary --as-of 2017-10-11")["recheck"]
    assert [(r["unit"], r["rechecked"]) for r in before] == [("杨村街道", 3)]  # as of D: the rechecks made by D
    out = tmp_path / "总结.xlsx"
    zz.ok(["report", "summary", "--as-of", "2017-12-31", "-o", str(out)])
    from openpyxl import load_workbook

    ws = load_workbook(out)["回头看"]
    cells = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header = next(r for r in cells if "巩固率" in r)
    yang = next(r for r in cells if "杨村街道" in r)
    assert yang[header.index("回头看项数")] == 3 and abs(yang[header.index("巩固率")] - 0.667) < 1e-9


# ---------------------------------------------------------------- 整改档案's 目录 and the demo


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _contents(z) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(z.read("目录.xlsx")))["目录"]
    return [r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]


def test_the_archive_has_a_printable_contents_listing_every_file_it_holds(zz, tmp_path):
    import zipfile

    zz.ok("unit add 杨村街道 --kind 街道")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30 --owner 王明")
    pdf = tmp_path / "制度.pdf"
    pdf.write_bytes(PDF)
    zz.ok(["evidence", "add", "1", str(pdf), "--kind", "制度文件", "--note", "首问负责制度"])
    out = tmp_path / "档案.zip"
    zz.ok(["archive", "--unit", "杨村", "-o", str(out)])
    assert out.stat().st_mode & 0o777 == 0o644  # like every -o file, not a private scratch file's 0600
    with zipfile.ZipFile(out) as z:
        rows = _contents(z)
        assert [r[0] for r in rows] == [1, 2, 3, 4]  # file numbers, in binding order (台账, 问题卡, its evidence, 清单)
        assert {r[2] for r in rows} == set(z.namelist()) - {"目录.xlsx"}
    assert "推行首问负责制" in rows[2][3] and "制度文件" in rows[2][3] and "首问负责制度" in rows[2][3]
    public = tmp_path / "公开.zip"
    zz.ok(["archive", "--unit", "杨村", "-o", str(public), "--public"])
    with zipfile.ZipFile(public) as z:
        assert [r[2] for r in _contents(z)] == ["整改台账.xlsx", "001_窗口办事拖沓/问题卡.xlsx", "清单.json"]


@pytest.mark.skipif(backend() != "sqlite", reason="the demo builds a SQLite file")
def test_demo_attaches_evidence_runs_an_october_recheck_with_one_rebound_and_writes_an_archive(demo_copy, monkeypatch):
    import json
    import re
    import zipfile

    monkeypatch.delenv("ZZ_EVIDENCE_DIR", raising=False)
    db, out, result = demo_copy.db, demo_copy.out, demo_copy
    run = Zz(str(db))
    checked = run.json("evidence verify --all")
    assert checked["checked"] >= 10 and checked["problems"] == []
    assert Path(str(db) + ".evidence").is_dir()
    held = run.json("report summary --as-of 2017-12-31")["recheck"]
    assert sum(r["rebound"] for r in held) == 1 and sum(r["fake"] for r in held) == 0
    assert sum(r["held"] for r in held) >= 5
    archives = sorted(p for p in out.glob("整改档案-*.zip") if not p.stem.endswith("-公开版"))
    assert len(archives) == 1 and str(archives[0]) in result.stdout
    unit = archives[0].stem.removeprefix("整改档案-")
    public = out / f"整改档案-{unit}-公开版.zip"  # the photos were cleared for it, the reports were not
    assert str(public) in result.stdout
    with zipfile.ZipFile(public) as z:
        files = [n for n in z.namelist() if "/" in n and not n.endswith("/问题卡.xlsx")]
        assert files and all(re.fullmatch(r"[^/]+/整改\d+-1-整改后\.png", n) for n in files), files
    with zipfile.ZipFile(archives[0]) as z:
        names = z.namelist()
        assert "目录.xlsx" in names and "整改台账.xlsx" in names
        evidence = [n for n in names if "/" in n and not n.endswith("/问题卡.xlsx")]  # in each issue's folder
        assert any(n.endswith(".pdf") for n in evidence) and any(n.endswith(".png") for n in evidence)
        assert all(z.read(n)[:4] in (b"%PDF", b"\x89PNG") for n in evidence)
        manifest = json.loads(z.read("清单.json"))
    fix_id = manifest["evidence"][0]["fix_id"]
    shown = run.json(["fix", "show", str(fix_id)])
    assert shown["unit"] == unit and shown["status"] == "整改中"  # the 反弹 reopened it
    assert [(e["date"], e["text"][:2]) for e in shown["events"] if e["kind"] == "回头看"] == [("2017-10-16", "反弹")]
    assert len(run.json("evidence list " + str(fix_id))) == 2


# ---------------------------------------------------------------- history stays true (SPEC §5a)


def test_a_rebound_in_october_leaves_the_earlier_figures_as_they_were(zz):
    verified_fixes(zz, 2)  # done 2017-06-20, verified 2017-06-21, deadline 2017-06-30

    def then() -> list:
        return [zz.json("report monthly --month 2017-06"), zz.json("report monthly --month 2017-07"),
                zz.json("report summary --as-of 2017-07-31"), zz.json("fix list --overdue --as-of 2017-07-31")]

    before = then()
    zz.ok("recheck record 1 --result 反弹 --by 李强 --date 2017-10-10")
    zz.ok("recheck record 3 --result 虚假整改 --by 李强 --date 2017-10-10")
    after = then()
    assert after[3] == before[3] == []  # not overdue in July: it was done (and verified) then
    for was, now in zip(before[:3], after[:3]):
        assert was["overview"] == now["overview"] and was["units"] == now["units"]
    assert before[2]["trend"] == after[2]["trend"]
    june = before[0]["verified_fixes"]
    assert after[0]["verified_fixes"] == june and june["total"] == 4  # 本月销号 as it stood, verifier included
    assert {r["verified_by"] for r in june["rows"]} == {"张华"}
    october = zz.json("report summary --as-of 2017-10-31")["overview"]
    assert october != after[2]["overview"]  # and from October on, the two are open again
