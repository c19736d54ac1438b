"""zz plan (the plan word for word), zz init [--plan FILE], zz db path."""

import re
from pathlib import Path

import pytest

from zhengzhi_cli.plan import default_plan_text
from zzcheck import clean, refused

SEED = Path("/work/shared/seed/000_1a82d4bfde7a9a0d.txt")


def _seed_text() -> str:
    if not SEED.exists():
        pytest.skip("the campaign notice is not at hand")
    return re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))


def test_plan_json_shape(zz):
    plan = zz.json("plan --as-of 2017-05-01")
    assert plan["name"] == "武清区政府系统开展作风纪律专项整治"
    assert [(p["no"], p["name"], p["start"], p["end"]) for p in plan["phases"]] == [
        (1, "动员部署", "2017-03-01", "2017-03-31"), (2, "自查自纠", "2017-03-31", "2017-06-30"),
        (3, "督查问责", "2017-07-01", "2017-09-30"), (4, "总结提高", "2017-10-01", "2017-12-31")]
    assert [a["name"] for a in plan["areas"]] == ["政治意识", "纪律意识", "责任意识", "服务意识", "担当意识",
                                                 "效能意识", "规矩意识", "为民意识", "亲商意识", "宣传意识"]
    assert [a["no"] for a in plan["areas"]] == list(range(1, 11))
    assert all(set(m) >= {"key", "name", "phase", "due_on"} for m in plan["milestones"])
    summary = next(m for m in plan["milestones"] if m["name"] == "总结报告")
    assert (summary["phase"], summary["due_on"]) == (4, "2017-12-10")
    assert [c["no"] for c in plan["checks"]] == [1, 2, 3, 4]
    assert plan["current_phase"]["name"] == "自查自纠"
    assert zz.json("plan --as-of 2017-08-01")["current_phase"]["name"] == "督查问责"


def test_plan_text_is_word_for_word_from_the_notice(zz):
    notice = _seed_text()
    plan = zz.json("plan")
    for area in plan["areas"]:
        assert re.sub(r"\s+", "", area["title"]) in notice, area["title"]
        assert re.sub(r"\s+", "", area["symptoms"]) in notice, area["name"]
    for check in plan["checks"]:
        assert f"{check['check']}，{check['look']}" in notice
    for phase in plan["phases"]:
        assert re.sub(r"\s+", "", phase["text"]) in notice, phase["name"]
    assert "于12月10日前报送至区政府办公室" in notice
    # spot-check of exact sentences
    assert plan["areas"][5]["title"] == "着力解决效能意识不强、行政效率低下的问题"
    assert plan["checks"][0] == {"no": 1, "check": "查政治纪律遵守情况", "look": "看“四个”意识强不强"}


def test_plan_table(zz):
    out = zz.ok("plan --as-of 2017-05-01").stdout
    assert "◀ 当前" in out and "整治重点" in out


@pytest.mark.empty_register
def test_init_is_idempotent(zz):
    first = zz.ok("init").stdout
    assert "已创建登记簿" in first
    zz.ok("unit add 杨村街道 --kind 街道")
    second = zz.ok("init").stdout
    assert "已存在" in second and "未做改动" in second
    assert [u["name"] for u in zz.json("unit list")] == ["杨村街道"]


def _other_plan() -> str:
    text = default_plan_text()
    text = text.replace('name = "武清区政府系统开展作风纪律专项整治"', 'name = "某区2018年作风纪律专项整治"')
    return text.replace("2017-", "2018-").replace("year = 2017", "year = 2018")


def test_init_with_another_plan(zz, tmp_path):
    plan_file = tmp_path / "plan2018.toml"
    plan_file.write_text(_other_plan(), encoding="utf-8")
    db = tmp_path / "other.db"
    out = zz.ok(["--db", str(db), "init", "--plan", str(plan_file)]).stdout
    assert "某区2018年作风纪律专项整治" in out
    plan = zz.json(["--db", str(db), "plan"])
    assert plan["name"] == "某区2018年作风纪律专项整治" and plan["phases"][0]["start"] == "2018-03-01"
    zz.ok(["--db", str(db), "unit", "add", "杨村街道", "--kind", "街道"])
    fix_issue = zz.json(["--db", str(db), "issue", "add", "x", "--unit", "杨村", "--area", "6", "--found", "2018-04-01"])
    fix = zz.json(["--db", str(db), "fix", "add", str(fix_issue["id"]), "y", "--deadline", "2018-06-30"])
    assert fix["deadline"] == "2018-06-30"
    # the default register keeps its own plan; changing a register's plan is refused
    zz.ok("init")
    assert zz.json("plan")["name"] == "武清区政府系统开展作风纪律专项整治"
    refused(zz, ["init", "--plan", str(plan_file)], "不能更换方案")


@pytest.mark.parametrize("breakage,line_no", [
    (lambda t: t.replace("end = 2017-03-31", "end = 2017-13-31", 1), None),
    (lambda t: t.replace('name = "动员部署"', 'name = ""', 1), "name"),
    (lambda t: t.replace("start = 2017-07-01", 'start = "七月"', 1), "start"),
    (lambda t: t.replace("phase = 3", "phase = 9", 1), "phase"),
])
def test_malformed_plan_refused_naming_the_line(zz, tmp_path, breakage, line_no):
    text = breakage(default_plan_text())
    plan_file = tmp_path / "bad.toml"
    plan_file.write_text(text, encoding="utf-8")
    db = tmp_path / "bad.db"
    r = zz(["--db", str(db), "init", "--plan", str(plan_file)])
    assert r.exit_code == 1, r.stdout + r.stderr
    clean(r)
    m = re.search(r"第 (\d+) 行", r.stderr)
    assert m, r.stderr
    wrong_line = text.splitlines()[int(m.group(1)) - 1]
    if line_no:
        assert wrong_line.startswith(line_no), (r.stderr, wrong_line)
    else:
        assert "2017-13-31" in wrong_line
    assert "bad.toml" in r.stderr
    assert not db.exists() or zz.json(["--db", str(db), "log"]) == []


def test_plan_file_missing_or_not_utf8(zz, tmp_path):
    refused(zz, ["init", "--plan", str(tmp_path / "none.toml")], "方案文件不存在")
    bad = tmp_path / "gbk.toml"
    bad.write_bytes("名称 = 1".encode("gbk"))
    refused(zz, ["init", "--plan", str(bad)], "UTF-8")


def test_db_path_precedence(zz, tmp_path, monkeypatch):
    env_db = str(tmp_path / "env.db")
    flag_db = str(tmp_path / "flag.db")
    out = zz(["--db", flag_db, "db", "path", "--json"], env={"ZZ_DB": env_db})
    info = __import__("json").loads(out.stdout)
    assert (info["path"], info["source"]) == (flag_db, "--db")
    info = __import__("json").loads(zz(["db", "path", "--json"], env={"ZZ_DB": env_db}).stdout)
    assert (info["path"], info["source"], info["exists"]) == (env_db, "ZZ_DB", False)
    monkeypatch.delenv("ZZ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    from typer.testing import CliRunner

    from zhengzhi_cli.cli import app

    result = CliRunner().invoke(app, ["db", "path", "--json"], env={"ZZ_DB": None})
    info = __import__("json").loads(result.stdout)
    assert info["source"] == "默认位置" and info["path"].endswith("zz.db")
    assert info["path"].startswith(str(tmp_path / "xdg")), info["path"]
    # --db may also come after the command (as SPEC writes `zz demo --db …`)
    info = __import__("json").loads(zz(["db", "path", "--json", "--db", flag_db]).stdout)
    assert info["path"] == flag_db


def test_relative_db_path_is_made_absolute(zz, tmp_path):
    info = __import__("json").loads(zz(["--db", "rel.db", "db", "path", "--json"]).stdout)
    assert info["path"] == str(tmp_path / "rel.db")
