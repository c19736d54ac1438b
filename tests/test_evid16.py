"""The rest of #15: `recheck plan` as the issue writes it (text seed, --rate, --closed-before,
--min-per-unit, a SHA-256 draw anyone can redo), a failed recheck that reopens with a new deadline
and a 回头看未通过 flag, `--propose 约谈` in the monthly 综述, and the 整改档案 with one folder per issue."""

from __future__ import annotations

import hashlib
import io
import math
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Zz, _sqlite_template, backend
from tests.zzcheck import refused, verified_fixes


@pytest.fixture(autouse=True)
def _store(monkeypatch, tmp_path):
    if backend() == "postgresql":
        monkeypatch.setenv("ZZ_EVIDENCE_DIR", str(tmp_path / "store"))


def _closed(zz: Zz, unit: str, n: int, *, start: int = 0, verified: str = "2017-06-21") -> None:
    for i in range(start, start + n):
        issue = zz.json(["issue", "add", f"{unit}问题{i}", "--unit", unit, "--area", "6", "--owner", "王明", "--found", "2017-04-12"])
        f = zz.json(["fix", "add", str(issue["id"]), f"{unit}整改{i}", "--deadline", "2017-06-30"])
        zz.ok(["fix", "done", str(f["id"]), "--date", "2017-06-20"])
        zz.ok(["fix", "verify", str(f["id"]), "--by", "张华", "--date", verified])


def _draw(seed: str, code: str, ids: list[int], k: int) -> list[int]:
    """The draw as docs/guide.md states it, done by hand."""
    return sorted(ids, key=lambda i: hashlib.sha256(f"{seed}\x1f{code}\x1f{i}".encode()).hexdigest())[:k]


# ---------------------------------------------------------------- zz recheck plan


def test_recheck_plan_draws_by_the_stated_algorithm_with_the_strata_rules(zz):
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("unit add 梅厂镇 --kind 镇 --code 120114101")
    zz.ok("unit add 下朱庄街道 --kind 街道 --code 120114002")
    _closed(zz, "杨村", 12)  # fixes 1–12
    _closed(zz, "梅厂", 3)  # 13–15
    _closed(zz, "下朱庄", 1)  # 16
    seed = "2017年10月回头看 第一批"
    got = zz.json(["recheck", "plan", "--seed", seed, "--rate", "20%", "--min-per-unit", "2"])
    by_unit = {}
    for f in got["fixes"]:
        by_unit.setdefault(f["unit"], []).append(f["fix_id"])
    assert by_unit == {"杨村街道": _draw(seed, "120114001", list(range(1, 13)), math.ceil(0.2 * 12)),  # rate: 3 of 12
                       "梅厂镇": _draw(seed, "120114101", [13, 14, 15], 2),  # the minimum: 2 of 3
                       "下朱庄街道": [16]}  # capped: the unit has only one
    assert [f["unit"] for f in got["fixes"]][:1] == ["杨村街道"]  # units in code order
    assert set(got) == {"seed", "rate", "share", "min_per_unit", "closed_before", "fixes", "file"}
    assert set(got["fixes"][0]) == {"fix_id", "unit", "unit_code", "unit_verified", "draw_key", "issue", "task", "owner",
                                    "verified_on", "verified_by"}
    assert got["seed"] == seed and got["rate"] == 0.2 and got["min_per_unit"] == 2
    # 20%, 0.2, 20 and the old --share are one rate
    for rate in (["--rate", "0.2"], ["--rate", "20"], ["--share", "0.2"]):
        assert zz.json(["recheck", "plan", "--seed", seed, *rate])["fixes"] == got["fixes"]
    other = zz.json(["recheck", "plan", "--seed", seed + "2", "--rate", "20%"])["fixes"]
    assert [f["fix_id"] for f in other] != [f["fix_id"] for f in got["fixes"]]
    assert len(zz.json(["recheck", "plan", "--seed", seed, "--rate", "1%", "--min-per-unit", "0"])["fixes"]) == 3  # ceil: 1 each
    refused(zz, ["recheck", "plan", "--seed", seed, "--rate", "120%"], "--rate")
    refused(zz, ["recheck", "plan", "--seed", " ", "--rate", "20%"], "--seed")


def test_an_integer_seed_still_works_and_closed_before_limits_to_earlier_verifications(zz):
    zz.ok("unit add 杨村街道 --kind 街道 --code Y1")
    _closed(zz, "杨村", 3, verified="2017-06-21")  # 1–3
    _closed(zz, "杨村", 3, start=3, verified="2017-09-05")  # 4–6
    got = zz.json("recheck plan --seed 7 --rate 100% --closed-before 2017-09-01")
    assert sorted(f["fix_id"] for f in got["fixes"]) == [1, 2, 3] and got["seed"] == "7"
    assert got["closed_before"] == "2017-09-01"
    assert [f["fix_id"] for f in zz.json("recheck plan --seed 7 --rate 50% --min-per-unit 1")["fixes"]] == \
        _draw("7", "Y1", [1, 2, 3, 4, 5, 6], 3)
    refused(zz, "recheck plan --seed 7 --closed-before 2017-13-01", "--closed-before")


def test_the_same_seed_draws_the_same_list_in_two_registers_built_independently(zz, tmp_path, tmp_path_factory):
    if backend() == "postgresql":
        pytest.skip("the second register is a SQLite file; the draw is computed in Python on either backend")
    other = tmp_path / "other.db"
    shutil.copyfile(_sqlite_template(tmp_path_factory), other)
    zz2 = Zz(str(other))
    # the same units and fixes, the units created in the other order (other unit ids)
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("unit add 梅厂镇 --kind 镇 --code 120114101")
    zz2.ok("unit add 梅厂镇 --kind 镇 --code 120114101")
    zz2.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    for z in (zz, zz2):
        _closed(z, "杨村", 8)
        _closed(z, "梅厂", 8)
    one = zz.json(["recheck", "plan", "--seed", "回头看", "--rate", "20%"])["fixes"]
    two = zz2.json(["recheck", "plan", "--seed", "回头看", "--rate", "20%"])["fixes"]
    assert [(f["unit"], f["fix_id"]) for f in one] == [(f["unit"], f["fix_id"]) for f in two]
    assert len(one) == 4


# ---------------------------------------------------------------- a failed recheck reopens, with a new deadline


def test_a_rebound_reopens_exactly_one_fix_with_a_new_deadline_and_a_flag_undo_restores(zz, tmp_path):
    verified_fixes(zz, 2)  # fixes 1–4, deadline 2017-06-30
    before = zz.json("fix list")
    rec = zz.json("recheck record 2 --result 反弹 --by 李强 --date 2017-10-10 --reason 窗口又现推诿")
    assert (rec["status"], rec["deadline"], rec["recheck_failed"]) == ("整改中", "2017-11-09", True)  # 30 days
    listed = {f["id"]: f for f in zz.json("fix list")}
    assert [i for i, f in listed.items() if f["recheck_failed"]] == [2]
    assert [i for i, f in listed.items() if f["status"] != "已销号"] == [2]
    assert "回头看未通过" in zz.ok("fix show 2").stdout and "新时限 2017-11-09" in zz.ok("fix show 2").stdout
    assert "整改中（回头看未通过）" in zz.ok("fix list").stdout
    zz.ok("undo --yes")
    assert zz.json("fix list") == before


def test_the_new_deadline_is_given_or_taken_from_the_plan_and_refused_on_a_pass(zz, tmp_path):
    verified_fixes(zz, 2)
    rec = zz.json("recheck record 1 --result 虚假整改 --by 李强 --date 2017-10-10 --reason 制度未印发 --deadline 2017-11-30")
    assert rec["deadline"] == "2017-11-30" and rec["recheck_failed"]
    refused(zz, "recheck record 2 --result 反弹 --by 李强 --date 2017-10-10 --deadline 2017-10-01", "--deadline")
    refused(zz, "recheck record 2 --result 巩固 --by 李强 --date 2017-10-10 --deadline 2017-11-30", "--deadline")
    refused(zz, "recheck record 2 --result 巩固 --by 李强 --date 2017-10-10 --propose 约谈", "--propose")
    refused(zz, "recheck record 2 --result 反弹 --by 李强 --date 2017-10-10 --propose 表扬", "--propose")


@pytest.mark.empty_register
def test_the_default_new_deadline_comes_from_the_plans_reopen_days(zz, tmp_path):
    from zhengzhi_cli.plan import default_plan_text

    plan = tmp_path / "plan.toml"
    plan.write_text(default_plan_text().replace("reopen_days = 30", "reopen_days = 15"), encoding="utf-8")
    zz.ok(["init", "--plan", str(plan)])
    verified_fixes(zz, 1)
    assert zz.json("recheck record 2 --result 反弹 --by 李强 --date 2017-10-10")["deadline"] == "2017-10-25"


def test_a_failed_recheck_in_the_ledger_export_is_a_column_the_import_ignores(zz, tmp_path):
    from openpyxl import load_workbook

    verified_fixes(zz, 2)
    zz.ok("recheck record 3 --result 反弹 --by 李强 --date 2017-10-10")
    out = tmp_path / "台账.xlsx"
    zz.ok(["export", "ledger", "-o", str(out)])
    ws = next(ws for ws in load_workbook(out).worksheets if "整改" in ws.title)
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if "回头看未通过" in r)
    col, task = rows[head].index("回头看未通过"), rows[head].index("整改任务及措施")
    flagged = [r[task] for r in rows[head + 1:] if r[col] == "是"]
    assert flagged == ["整改0"] and sum(1 for r in rows[head + 1:] if r[task]) == 4
    same = zz.json(["import", str(out)])  # back into the register it came from: the column changes nothing
    assert same["new"] == 0 and same["updated"] == 0 and same["refused"] == 0
    assert [f["id"] for f in zz.json("fix list") if f["recheck_failed"]] == [3]


# ---------------------------------------------------------------- --propose 约谈 in the monthly 综述


def test_a_proposal_is_kept_with_the_recheck_and_the_monthly_digest_says_so(zz, tmp_path):
    verified_fixes(zz, 2)
    zz.ok("recheck record 1 --result 反弹 --by 李强 --date 2017-10-10 --propose 约谈")
    zz.ok("recheck record 3 --result 反弹 --by 李强 --date 2017-10-11")
    zz.ok("recheck record 2 --result 巩固 --by 李强 --date 2017-10-11")
    october = zz.json("report monthly --month 2017-10")["digest"]
    assert "回头看发现反弹2项，建议约谈：杨村街道。" in october["text"]
    assert october["recheck"] == {"failed": 2, "rebound": 2, "fixes": [1, 3],
                                  "proposals": [{"proposal": "约谈", "units": ["杨村街道"]}]}
    september = zz.json("report monthly --month 2017-09")["digest"]
    assert september["recheck"]["failed"] == 0 and not any("回头看" in t for t in september["text"])
    shown = zz.json("fix show 1")["events"][-1]
    assert shown["kind"] == "回头看" and "处理建议：约谈" in shown["text"]


def test_recheck_import_takes_a_new_deadline_and_a_proposal_column(zz, tmp_path):
    from openpyxl import load_workbook

    verified_fixes(zz, 2)
    sheet = tmp_path / "清单.xlsx"
    zz.ok(["recheck", "plan", "--seed", "7", "--rate", "100%", "-o", str(sheet)])
    wb = load_workbook(sheet)
    ws = wb.worksheets[0]
    head = {c.value: c.column for c in ws[2]}
    assert {"新时限", "处理建议"} <= set(head)
    for row in ws.iter_rows(min_row=3):
        if row[0].value in (1, 2):
            values = {"结果": "反弹" if row[0].value == 1 else "巩固", "核查人": "李强", "核查日期": "2017-10-10"}
            if row[0].value == 1:
                values.update({"新时限": "2017-12-01", "处理建议": "约谈"})
            for name, v in values.items():
                ws.cell(row=row[0].row, column=head[name], value=v)
    wb.save(sheet)
    got = zz.json(["recheck", "import", str(sheet)])
    assert got["reopened"] == [1]
    assert zz.json("fix show 1")["deadline"] == "2017-12-01"
    assert zz.json("report monthly --month 2017-10")["digest"]["recheck"]["proposals"] == [
        {"proposal": "约谈", "units": ["杨村街道"]}]


# ---------------------------------------------------------------- 整改档案: one folder per issue

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _book(z: zipfile.ZipFile, name: str):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(z.read(name)))


def _texts(wb) -> str:
    return "\n".join(str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r if v is not None)


def _closed_with_evidence(zz: Zz, pdf: Path) -> None:
    """Fix 1 gets a PDF, is done and verified (张华)."""
    pdf.write_bytes(PDF)
    zz.ok(["evidence", "add", "1", str(pdf), "--kind", "制度文件"])
    zz.ok("fix done 1 --date 2017-06-20")
    zz.ok("fix verify 1 --by 张华 --date 2017-06-21")


def test_the_public_archive_takes_only_files_cleared_for_it_under_a_neutral_name(zz, tmp_path):
    """A file is internal until the office clears it (`evidence add --public` or `evidence edit --public`);
    the public archive then holds it as 整改{编号}-{序号}-{类别}.pdf (the clerk's file name held 王明),
    numbered as `evidence list` numbers it, with no 添加人; --internal takes it back out; undo reverts."""
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30 --owner 王明")
    internal, cleared = tmp_path / "王明检讨书.pdf", tmp_path / "王明整改后照片.pdf"
    internal.write_bytes(PDF)
    cleared.write_bytes(PDF + b"%2")
    zz.ok(["evidence", "add", "1", str(internal), "--kind", "会议记录"])
    added = zz.json(["evidence", "add", "1", str(cleared), "--kind", "整改后", "--public"])
    assert [(r["n"], r["public"]) for r in added] == [(2, True)]
    assert [r["public"] for r in zz.json("evidence list 1")] == [False, True]
    assert "可公开" in zz.ok("evidence list 1").stdout and "内部" in zz.ok("evidence list 1").stdout

    def public_files() -> list[str]:
        out = tmp_path / "公开.zip"
        zz.ok(["archive", "--unit", "杨村", "-o", str(out), "--public", "--force"])
        with zipfile.ZipFile(out) as z:
            names = [n for n in z.namelist() if n.endswith(".pdf")]
            every = z.read("清单.json").decode() + _texts(_book(z, "目录.xlsx")) + "".join(z.namelist())
            assert "王明" not in every and "测试员" not in every
            assert all(z.read(n) == (PDF + b"%2" if "整改1-2-" in n else PDF) for n in names)
        return names

    assert public_files() == ["001_窗口办事拖沓/整改1-2-整改后.pdf"]
    edited = zz.json("evidence edit 1 1 --public --note 会议纪要")
    assert edited["public"] is True and [c["field"] for c in edited["changes"]] == ["public", "note"]
    assert len(public_files()) == 2
    zz.ok("undo --yes")
    assert public_files() == ["001_窗口办事拖沓/整改1-2-整改后.pdf"]
    zz.ok("evidence edit 1 2 --internal")
    assert public_files() == []
    refused(zz, "evidence edit 1 2 --internal", "没有要修改的内容")
    refused(zz, "evidence edit 1 3 --public", "没有第 3 份")
    full = tmp_path / "内部.zip"
    zz.ok(["archive", "--unit", "杨村", "-o", str(full)])  # the office's own archive keeps every file, by its own name
    with zipfile.ZipFile(full) as z:
        assert sorted(n for n in z.namelist() if n.endswith(".pdf")) == [
            "001_窗口办事拖沓/整改1-1-王明检讨书.pdf", "001_窗口办事拖沓/整改1-2-王明整改后照片.pdf"]


def test_a_v12_register_keeps_its_evidence_internal(zz, tmp_path):
    """Schema step 13 adds evidence.public; every file stored before stays internal (as archive --public treated it)."""
    import sqlite3

    from zhengzhi_cli import migrations

    if backend() != "sqlite":
        pytest.skip("edits the SQLite file as the previous zz left it")
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")
    _closed_with_evidence(zz, tmp_path / "制度.pdf")
    conn = sqlite3.connect(zz.db)
    with conn:  # back to v12: the register as the previous zz left it
        conn.execute("ALTER TABLE evidence DROP COLUMN public")
        conn.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    conn.close()
    migrations._checked.clear()
    assert [r["public"] for r in zz.json("evidence list 1")] == [False]
    assert zz.json("evidence edit 1 1 --public")["public"] is True


def test_the_archive_has_a_folder_per_issue_with_its_card_and_evidence_and_a_numbered_contents(zz, tmp_path):
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓推诿扯皮群众反映强烈 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    zz.ok("issue add 会议多文件多 --unit 杨村 --area 6 --owner 赵敏 --found 2017-04-13")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30 --owner 王明")
    zz.ok("fix add 1 公开办事流程 --deadline 2017-06-30 --owner 王明")
    zz.ok("fix add 2 精简会议 --deadline 2017-06-30 --owner 赵敏")
    _closed_with_evidence(zz, tmp_path / "首问负责制度.pdf")
    zz.ok("recheck record 1 --result 反弹 --by 李强 --date 2017-10-10 --reason 窗口又现推诿 --propose 约谈")
    out = tmp_path / "整改档案" / "杨村街道.zip"
    out.parent.mkdir()
    zz.ok(["archive", "--unit", "杨村", "-o", str(out)])
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        first = "001_窗口办事拖沓推诿扯皮群众/"  # the first 12 characters
        assert {first + "问题卡.xlsx", first + "整改1-1-首问负责制度.pdf", "002_会议多文件多/问题卡.xlsx"} <= set(names)
        assert z.read(first + "整改1-1-首问负责制度.pdf") == PDF
        contents = _book(z, "目录.xlsx")["目录"]
        rows = [r for r in contents.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
        assert [r[1] for r in rows] == [f"120114001-{i:04d}" for i in range(1, 6)]  # 档号: running numbers
        assert [r[2] for r in rows] == ["整改台账.xlsx", first + "问题卡.xlsx", first + "整改1-1-首问负责制度.pdf",
                                        "002_会议多文件多/问题卡.xlsx", "清单.json"]
        assert contents.page_setup.paperSize == 9 and contents.page_setup.orientation == "landscape"  # A4, house style
        card = _book(z, first + "问题卡.xlsx")
    assert card.sheetnames == ["问题", "整改", "经过", "核验与回头看", "佐证材料"]
    facts = {r[0]: r[1] for r in card["问题"].iter_rows(min_row=3, values_only=True)}
    assert facts["档号"] == "120114001-0002" and facts["问题描述"] == "窗口办事拖沓推诿扯皮群众反映强烈"
    fixes = [r for r in card["整改"].iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    assert [(r[1], r[5], r[9]) for r in fixes] == [("推行首问负责制", "整改中", "是"), ("公开办事流程", "未开始", None)]
    timeline = [r[2] for r in card["经过"].iter_rows(min_row=3, values_only=True) if r[2]]
    assert timeline == ["完成", "销号", "回头看"]
    reviews = [(r[2], r[4]) for r in card["核验与回头看"].iter_rows(min_row=3, values_only=True) if isinstance(r[1], int)]
    assert reviews == [("销号", "张华"), ("回头看", "李强")]
    assert [r[0] for r in card["佐证材料"].iter_rows(min_row=3, values_only=True) if r[1]] == ["整改1-1-首问负责制度.pdf"]


def test_the_public_archive_has_no_names_and_no_evidence_files(zz, tmp_path):
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓，王明推诿 --unit 杨村 --area 6 --owner 王明 --leader 刘洋 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30 --owner 王明")
    _closed_with_evidence(zz, tmp_path / "制度.pdf")
    out = tmp_path / "公开.zip"
    zz.ok(["archive", "--unit", "杨村", "-o", str(out), "--public"])
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert not [n for n in names if n.endswith(".pdf")]
        cards = [n for n in names if n.endswith("/问题卡.xlsx")]
        assert len(cards) == 1
        every = _texts(_book(z, cards[0])) + _texts(_book(z, "目录.xlsx")) + z.read("清单.json").decode() + "".join(names)
    for name in ("王明", "刘洋", "张华"):
        assert name not in every
