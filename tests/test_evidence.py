"""佐证材料 (zz evidence) and 销号 that holds (review levels from the plan)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.conftest import Zz, backend
from tests.zzcheck import said_no as refused
from tests.zzcheck import verified_fixes

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _store(monkeypatch, tmp_path):
    # a PostgreSQL register has no file beside it: the store must be named (evidence.store_dir)
    if backend() == "postgresql":
        monkeypatch.setenv("ZZ_EVIDENCE_DIR", str(tmp_path / "store"))


def store_of(zz: Zz) -> Path:
    given = os.environ.get("ZZ_EVIDENCE_DIR")
    return Path(given) if given else Path(zz.db + ".evidence")


def stored(zz: Zz) -> list[Path]:
    root = store_of(zz)
    return sorted(p for p in root.glob("*/*") if p.is_file()) if root.exists() else []


@pytest.fixture
def fix(zz) -> Zz:
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30 --owner 王明")
    return zz


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# ---------------------------------------------------------------- the store


def test_same_bytes_are_stored_once_and_each_addition_is_recorded_with_who_and_when(fix, tmp_path):
    a = write(tmp_path, "制度文件.pdf", PDF)
    b = write(tmp_path, "同一份.pdf", PDF)
    recs = fix.json(["evidence", "add", "1", str(a), str(b), "--kind", "制度文件", "--note", "首问负责制"])
    assert [r["n"] for r in recs] == [1, 2]
    sha = hashlib.sha256(PDF).hexdigest()
    assert {r["sha256"] for r in recs} == {sha}
    files = stored(fix)
    assert len(files) == 1 and files[0].read_bytes() == PDF
    assert files[0].relative_to(store_of(fix)).as_posix() == f"{sha[:2]}/{sha[2:]}"
    fix.ok(["evidence", "add", "1", str(a)])  # a third time: still one file
    assert len(stored(fix)) == 1
    listed = fix.json("evidence list 1")
    assert len(listed) == 3 and listed[0]["added_by"] == "测试员" and listed[0]["added_at"]
    assert listed[0]["kind"] == "制度文件" and listed[0]["media"] == "pdf" and listed[0]["size"] == len(PDF)
    path = fix.ok("evidence open 1 2").stdout.strip()
    assert Path(path).read_bytes() == PDF
    assert not [p for p in store_of(fix).iterdir() if p.is_file()]  # no temporary file left


def test_images_and_office_files_are_told_by_their_bytes(fix, tmp_path):
    import xlsxwriter

    book = tmp_path / "台账.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    wb.add_worksheet().write(0, 0, "整改台账")
    wb.close()
    png = write(tmp_path, "整改后.png", PNG)
    jpg = write(tmp_path, "现场.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    recs = fix.json(["evidence", "add", "1", str(book), str(png), str(jpg), "--kind", "整改后"])
    assert [r["media"] for r in recs] == ["xlsx", "png", "jpeg"]


@pytest.mark.parametrize("name,data,word", [
    ("程序.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "ELF"),
    ("报告.docx", b"MZ\x90\x00" + b"\x00" * 60, "MZ"),
    ("说明.txt", b"#!/bin/sh\nrm -rf /\n", "#!"),
    ("整改.exe", PDF, ".exe"),
    ("run.sh", PDF, ".sh"),
    ("a.js", PDF, ".js"),
    ("清单.bat", PDF, ".bat"),
])
def test_anything_executable_is_refused_and_nothing_is_written(fix, tmp_path, name, data, word):
    good = write(tmp_path, "好的.pdf", PDF)
    bad = write(tmp_path, name, data)
    refused(fix(["evidence", "add", "1", str(good), str(bad)]), word, name)
    assert fix.json("evidence list 1") == []
    assert stored(fix) == []


def test_a_file_whose_bytes_are_not_a_document_is_refused_whatever_its_name(fix, tmp_path):
    fake = write(tmp_path, "扫描件.pdf", "这其实是一段文字".encode())
    refused(fix(["evidence", "add", "1", str(fake)]), "扫描件.pdf", "文件内容")
    zipped = write(tmp_path, "假的.docx", b"PK\x03\x04" + b"\x00" * 40)
    refused(fix(["evidence", "add", "1", str(zipped)]), "假的.docx")
    assert fix.json("evidence list 1") == []


def test_a_file_too_big_is_refused_and_the_bound_can_be_changed(fix, tmp_path):
    big = write(tmp_path, "大文件.pdf", PDF + b"0" * 3000)
    env = {"ZZ_EVIDENCE_MAX_MB": "0.002"}
    refused(fix(["evidence", "add", "1", str(big)], env=env), "大文件.pdf", "上限", "ZZ_EVIDENCE_MAX_MB")
    assert fix.json("evidence list 1") == [] and stored(fix) == []
    fix.ok(["evidence", "add", "1", str(big)], env={"ZZ_EVIDENCE_MAX_MB": "1"})


def test_the_store_as_a_whole_is_bounded(fix, tmp_path):
    env = {"ZZ_EVIDENCE_TOTAL_MB": "0.004"}
    fix.ok(["evidence", "add", "1", str(write(tmp_path, "一.pdf", PDF + b"1" * 2000))], env=env)
    refused(fix(["evidence", "add", "1", str(write(tmp_path, "二.pdf", PDF + b"2" * 2500))], env=env),
            "总量上限", "ZZ_EVIDENCE_TOTAL_MB")
    assert len(fix.json("evidence list 1")) == 1


def test_a_symlink_a_folder_or_a_device_is_refused(fix, tmp_path):
    target = write(tmp_path, "原件.pdf", PDF)
    link = tmp_path / "链接.pdf"
    link.symlink_to(target)
    refused(fix(["evidence", "add", "1", str(link)]), "符号链接")
    refused(fix(["evidence", "add", "1", str(tmp_path)]), "文件夹")
    refused(fix(["evidence", "add", "1", "/dev/zero"]), "不是普通文件")
    refused(fix(["evidence", "add", "1", str(tmp_path / "没有.pdf")]), "不存在")
    refused(fix(["evidence", "add", "1", str(write(tmp_path, "空.pdf", b""))]), "空文件")
    assert fix.json("evidence list 1") == [] and stored(fix) == []


def test_add_to_a_fix_that_does_not_exist_or_with_an_unknown_kind_is_refused(fix, tmp_path):
    a = write(tmp_path, "a.pdf", PDF)
    refused(fix(["evidence", "add", "99", str(a)]), "99")
    refused(fix(["evidence", "add", "1", str(a), "--kind", "照片"]), "--kind", "整改前")
    refused(fix(["evidence", "add", "1"]), "FILE", status=(2,))
    assert stored(fix) == []


def test_verify_finds_a_tampered_and_a_missing_file(fix, tmp_path):
    fix.ok(["evidence", "add", "1", str(write(tmp_path, "a.pdf", PDF)), str(write(tmp_path, "b.png", PNG))])
    assert fix.json("evidence verify --all")["problems"] == []
    first, second = (Path(fix.ok(f"evidence open 1 {n}").stdout.strip()) for n in (1, 2))
    os.chmod(first, 0o644)
    first.write_bytes(PDF + b"% altered\n")
    second.unlink()
    r = refused(fix("evidence verify --all"), "a.pdf", "已被改动", "b.png", "缺失")
    r = refused(fix("evidence verify 1"), "a.pdf")
    problems = {p["name"]: p["problem"] for p in json.loads(fix("evidence verify --all --json").stdout)["problems"]}
    assert problems == {"a.pdf": "altered", "b.png": "missing"}
    refused(fix("evidence open 1 2"), "不在佐证材料库", "verify")
    refused(fix("evidence verify"), "--all", status=(2,))
    assert r.exit_code == 1


def test_undo_removes_the_record_and_gc_then_removes_unreferenced_bytes(fix, tmp_path):
    keep = write(tmp_path, "保留.pdf", PDF)
    fix.ok(["evidence", "add", "1", str(keep)])
    fix.ok(["evidence", "add", "1", str(write(tmp_path, "撤销.png", PNG))])
    assert len(stored(fix)) == 2
    fix.ok("undo --yes")
    assert [r["name"] for r in fix.json("evidence list 1")] == ["保留.pdf"]
    assert len(stored(fix)) == 2  # the bytes stay until gc
    out = fix.json("evidence gc")
    assert out["removed"] == 1 and out["kept"] == 1
    assert [p.read_bytes() for p in stored(fix)] == [PDF]
    assert fix.json("evidence verify --all")["problems"] == []


def test_backup_and_restore_carry_the_evidence_and_hashes_stay_valid(fix, tmp_path):
    import shutil

    fix.ok(["evidence", "add", "1", str(write(tmp_path, "a.pdf", PDF)), str(write(tmp_path, "b.png", PNG))])
    out = tmp_path / "zz-2017-06-30.db"
    fix.ok(["backup", "-o", str(out)])
    beside = out.with_name(out.name + ".evidence")
    assert sorted(p.name for p in beside.glob("*/*")) == sorted(p.name for p in stored(fix))
    shutil.rmtree(store_of(fix))  # the store is lost
    refused(fix("evidence verify --all"), "缺失")
    fix.ok(["restore", str(out), "--yes"])
    assert fix.json("evidence verify --all")["problems"] == []
    assert Path(fix.ok("evidence open 1 1").stdout.strip()).read_bytes() == PDF


def test_a_postgresql_register_needs_a_named_store(monkeypatch, tmp_path):
    from zhengzhi_cli import evidence
    from zhengzhi_cli.errors import Invalid

    monkeypatch.delenv("ZZ_EVIDENCE_DIR", raising=False)
    with pytest.raises(Invalid) as exc:
        evidence.store_dir("postgresql://zz@localhost/zz")
    assert "ZZ_EVIDENCE_DIR" in exc.value.message
    monkeypatch.setenv("ZZ_EVIDENCE_DIR", str(tmp_path / "共享"))
    assert evidence.store_dir("postgresql://zz@localhost/zz") == (tmp_path / "共享").resolve()
    assert evidence.store_dir(f"sqlite:///{tmp_path}/zz.db") == (tmp_path / "共享").resolve()
    monkeypatch.delenv("ZZ_EVIDENCE_DIR")
    assert evidence.store_dir(f"sqlite:///{tmp_path}/zz.db") == tmp_path / "zz.db.evidence"


# ---------------------------------------------------------------- 销号 that holds: review levels

THREE = '["单位自验", "督查室核验", "领导小组认定"]'


def _plan(tmp_path: Path, *, levels: str = THREE, evidence_required: bool = False) -> Path:
    from zhengzhi_cli.plan import default_plan_text

    text = default_plan_text().replace('levels = ["销号核验"]', f"levels = {levels}")
    text = text.replace("evidence_required = false", f"evidence_required = {str(evidence_required).lower()}")
    assert f"levels = {levels}" in text
    p = tmp_path / "plan.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _done_fix(zz: Zz, tmp_path: Path, **plan) -> Zz:
    zz.ok(["init", "--plan", str(_plan(tmp_path, **plan))])
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30 --owner 王明")
    zz.ok("fix done 1 --date 2017-06-20")
    return zz


@pytest.mark.empty_register
def test_each_verify_moves_one_level_up_and_says_where_it_stands(zz, tmp_path):
    _done_fix(zz, tmp_path)
    assert zz.json("fix show 1")["verification"]["label"] == "核验 0/3"
    out = zz.ok("fix verify 1 --by 李科长 --date 2017-06-21").stdout
    assert "单位自验" in out and "核验 1/3" in out and "督查室核验" in out
    rec = zz.json("fix verify 1 --by 督查室张华 --date 2017-06-22 --level 督查室核验")
    assert rec["status"] == "已完成" and rec["verification"]["label"] == "核验 2/3"
    assert rec["verification"]["next"] == "领导小组认定"
    assert "核验 2/3" in zz.ok("fix show 1").stdout
    assert zz.json("issue show 1")["status"] == "已整改"
    rec = zz.json("fix verify 1 --by 孙组长 --date 2017-06-23")
    assert rec["status"] == "已销号" and rec["verified_by"] == "孙组长" and rec["verification"]["label"] == "核验 3/3"
    assert [e["kind"] for e in rec["events"]] == ["完成", "核验", "核验", "销号"]
    refused(zz("fix verify 1 --by 别人"), "已销号")


@pytest.mark.empty_register
def test_the_owner_may_not_verify_at_any_level(zz, tmp_path):
    _done_fix(zz, tmp_path)
    zz.ok("fix verify 1 --by 李科长")
    refused(zz("fix verify 1 --by 王明"), "责任人")
    assert zz.json("fix show 1")["verification"]["passed"] == 1


@pytest.mark.empty_register
def test_no_person_verifies_twice(zz, tmp_path):
    _done_fix(zz, tmp_path)
    zz.ok("fix verify 1 --by 张华")
    refused(zz("fix verify 1 --by 张华"), "张华", "两次")
    zz.ok("fix verify 1 --by 李强")
    refused(zz("fix verify 1 --by 张华"), "两次")
    assert zz.json("fix show 1")["verification"]["label"] == "核验 2/3"


@pytest.mark.empty_register
def test_a_level_may_not_be_skipped(zz, tmp_path):
    _done_fix(zz, tmp_path)
    refused(zz("fix verify 1 --by 孙组长 --level 领导小组认定"), "单位自验", "越级")
    refused(zz("fix verify 1 --by 孙组长 --level 区长认定"), "单位自验 → 督查室核验 → 领导小组认定")
    assert zz.json("fix show 1")["verification"]["passed"] == 0


@pytest.mark.empty_register
def test_return_works_at_any_level_and_the_round_starts_again(zz, tmp_path):
    _done_fix(zz, tmp_path)
    zz.ok("fix verify 1 --by 张华")
    zz.ok("fix verify 1 --by 李强")
    rec = zz.json("fix return 1 --by 孙组长 --reason 佐证不足")
    assert rec["status"] == "整改中" and rec["verification"]["passed"] == 0
    zz.ok("fix done 1 --date 2017-06-25")
    zz.ok("fix verify 1 --by 张华")  # a new round: who reviewed before may review again
    assert zz.json("fix show 1")["verification"]["label"] == "核验 1/3"


@pytest.mark.empty_register
def test_verify_without_the_required_evidence_is_refused(zz, tmp_path):
    _done_fix(zz, tmp_path, evidence_required=True)
    refused(zz("fix verify 1 --by 张华"), "佐证材料", "zz evidence add 1")
    assert zz.json("fix show 1")["verification"]["passed"] == 0
    zz.ok(["evidence", "add", "1", str(write(tmp_path, "整改后.pdf", PDF))])
    assert zz.json("fix verify 1 --by 张华")["verification"]["passed"] == 1


@pytest.mark.empty_register
def test_a_units_own_claim_is_the_first_level_at_most(zz, tmp_path):
    from sqlalchemy import create_engine, text

    _done_fix(zz, tmp_path)
    url = zz.db if "://" in zz.db else f"sqlite:///{zz.db}"
    engine = create_engine(url)
    with engine.begin() as conn:  # what an import of a workbook saying 已销号 leaves (fix.claimed)
        conn.execute(text("UPDATE fix SET claimed = TRUE WHERE id = 1"))
    engine.dispose()
    rec = zz.json("fix show 1")
    assert rec["verification"]["label"] == "核验 1/3" and rec["verification"]["next"] == "督查室核验"
    zz.ok("fix verify 1 --by 张华")
    assert zz.json("fix show 1")["verification"]["label"] == "核验 2/3"
    assert zz.json("fix verify 1 --by 李强")["status"] == "已销号"


def test_a_single_level_plan_keeps_one_verify_to_close(fix):
    fix.ok("fix done 1 --date 2017-06-20")
    rec = fix.json("fix verify 1 --by 张华 --date 2017-06-21")
    assert rec["status"] == "已销号" and rec["verification"]["label"] == "核验 1/1"


def test_a_plan_with_bad_levels_is_refused_naming_the_line(zz, tmp_path):
    bad = _plan(tmp_path, levels='["督查室核验", "督查室核验"]')
    refused(zz(["init", "--plan", str(bad)]), "levels", "重复")


def test_a_file_name_with_control_characters_is_refused(fix, tmp_path):
    bad = write(tmp_path, "整改\x1b[31m.pdf", PDF)
    refused(fix(["evidence", "add", "1", str(bad)]), "文件名")
    assert fix.json("evidence list 1") == [] and stored(fix) == []


# ---------------------------------------------------------------- 回头看




def test_recheck_sample_is_seeded_and_stratified_by_unit(zz):
    verified_fixes(zz, 10)
    first = zz.json("recheck plan --seed 7 --share 0.2")["fixes"]
    assert zz.json("recheck plan --seed 7 --share 0.2")["fixes"] == first  # the same seed, the same sample
    by_unit = {}
    for f in first:
        by_unit.setdefault(f["unit"], []).append(f["fix_id"])
    assert sorted(len(v) for v in by_unit.values()) == [2, 2]
    others = [zz.json(f"recheck plan --seed {s} --share 0.2")["fixes"] for s in range(8, 14)]
    assert any(o != first for o in others)
    refused(zz("recheck plan --seed 7 --share 1.5"), "--share")


def test_a_failed_recheck_reopens_exactly_that_fix_and_undo_takes_it_back(zz):
    verified_fixes(zz, 3)
    rec = zz.json("recheck record 2 --result 未通过 --by 李强 --reason 问题反弹 --date 2017-10-10")
    assert rec["status"] == "整改中" and rec["verified_on"] is None
    statuses = {f["id"]: f["status"] for f in zz.json("fix list")}
    assert [i for i, s in statuses.items() if s != "已销号"] == [2]
    assert zz.json("recheck record 3 --result 通过 --by 李强")["status"] == "已销号"
    refused(zz("recheck record 2 --result 通过 --by 李强"), "已销号")
    refused(zz("recheck record 4 --result 未通过 --by 李强"), "理由")
    refused(zz("recheck record 4 --result 通过 --by 王明"), "责任人")
    zz.ok("undo --yes")  # the pass on #3
    zz.ok("undo --yes")  # the reopening of #2
    assert all(f["status"] == "已销号" for f in zz.json("fix list"))


# ---------------------------------------------------------------- 整改档案


def test_archive_holds_the_ledger_the_evidence_and_a_manifest(fix, tmp_path):
    import zipfile

    fix.ok(["evidence", "add", "1", str(write(tmp_path, "制度.pdf", PDF)), "--kind", "制度文件"])
    out = tmp_path / "杨村档案.zip"
    fix.ok(["archive", "--unit", "杨村", "-o", str(out)])
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        pdf = next(n for n in names if n.endswith("/整改1-1-制度.pdf"))  # in its issue's folder
        assert "整改台账.xlsx" in names and z.read(pdf) == PDF
        manifest = json.loads(z.read("清单.json"))
    assert manifest["unit"] == "杨村街道" and manifest["evidence"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    public = tmp_path / "公开.zip"
    fix.ok(["archive", "--unit", "杨村", "-o", str(public), "--public"])
    with zipfile.ZipFile(public) as z:
        assert not [n for n in z.namelist() if n.endswith(".pdf")]
        assert "王明" not in z.read("清单.json").decode()


def test_archive_with_an_altered_evidence_file_is_refused_and_not_written(fix, tmp_path):
    fix.ok(["evidence", "add", "1", str(write(tmp_path, "制度.pdf", PDF))])
    p = Path(fix.ok("evidence open 1 1").stdout.strip())
    os.chmod(p, 0o644)
    p.write_bytes(PDF + b"x")
    out = tmp_path / "档案.zip"
    refused(fix(["archive", "--unit", "杨村", "-o", str(out)]), "已被改动", "verify")
    assert not out.exists() and not [q for q in tmp_path.iterdir() if q.name.startswith(".档案.zip")]


@pytest.mark.empty_register
def test_who_reviewed_at_any_level_may_not_become_the_owner(zz, tmp_path):
    _done_fix(zz, tmp_path)
    zz.ok("fix verify 1 --by 张华")
    refused(zz(["fix", "edit", "1", "--owner", "张华"]), "张华")
    assert zz.json("fix show 1")["owner"] == "王明"
