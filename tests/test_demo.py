"""`zz demo` builds the sample district and runs the main job; it never overwrites a real register."""

import csv
import json

from tests.conftest import SAMPLE


def _count(name: str) -> int:
    with open(SAMPLE / name, encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_demo_builds_sample_district(zz, tmp_path):
    db = tmp_path / "demo" / "demo.db"
    result = zz(["demo", "--db", str(db)], ok=True)
    assert "样例登记簿" in result.stdout
    assert "已建立登记簿" in result.stderr
    units = json.loads(zz(["--db", str(db), "unit", "list", "--json"], ok=True).stdout)
    assert len(units) == _count("units.csv")
    codes = {u["name"]: u["code"] for u in units}
    assert codes["杨村街道"] == "120114001" and codes["白古屯镇"] == "120114124"
    assert sum(1 for u in units if u["kind"] == "街道") == 6 and sum(1 for u in units if u["kind"] == "镇") == 24
    issues = json.loads(zz(["--db", str(db), "issue", "list", "--json"], ok=True).stdout)
    sent = {"杨村街道", "梅厂镇", "下朱庄街道"}  # these units sent workbooks (sample_data/workbooks)
    from_lists = [i for i in issues if not i.get("inspection_id") and not i.get("opinion_id")]
    assert len([i for i in from_lists if i["unit"] not in sent]) == _count("issues.csv")
    assert all(any(i["unit"] == u for i in from_lists) for u in sent)
    assert sum(1 for i in issues if i.get("inspection_id")) == _count("inspections.csv")
    assert all(i["source"] == "督查" for i in issues if i.get("inspection_id"))
    assert sum(len(i["fixes"]) for i in issues if i["unit"] not in sent) == _count("fixes.csv")
    phase = json.loads(zz(["--db", str(db), "phase", "--as-of", "2017-07-15", "--json"], ok=True).stdout)
    assert phase["current_phase"]["name"] == "督查问责"
    states = {m["state"] for u in phase["units"] for m in u["milestones"]}
    assert {"已完成", "逾期完成", "已逾期", "未到期"} <= states
    bulletin = tmp_path / "demo" / "通报-2017-07.md"
    assert "第1期" in bulletin.read_text(encoding="utf-8")
    assert (tmp_path / "demo" / "整改情况公示-2017-07-15.xlsx").is_file()
    from openpyxl import load_workbook

    monthly = load_workbook(tmp_path / "demo" / "月报-2017-07.xlsx", read_only=True)
    assert "总体情况" in monthly.sheetnames and "逾期清单" in monthly.sheetnames
    assert "月报-2017-07.xlsx" in result.stdout


def test_demo_twice_replaces_only_its_own_register(zz, tmp_path):
    db = tmp_path / "demo.db"
    zz(["demo", "--db", str(db)], ok=True)
    zz(["demo", "--db", str(db)], ok=True)
    real = tmp_path / "real.db"
    zz(["--db", str(real), "init"], ok=True)
    zz(["--db", str(real), "unit", "add", "杨村街道", "--kind", "街道"], ok=True)
    refused = zz(["demo", "--db", str(real)])
    assert refused.exit_code == 1 and "拒绝" in refused.stderr
    assert len(json.loads(zz(["--db", str(real), "unit", "list", "--json"], ok=True).stdout)) == 1


def test_the_sample_district_gives_the_clerk_nothing_to_check(demo_built):
    """The sample's data is consistent: no 请核对 warning (a deadline before its problem was found, say)."""
    assert "请核对" not in demo_built.stderr and "提示" not in demo_built.stderr, demo_built.stderr
