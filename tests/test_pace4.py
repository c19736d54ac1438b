"""Issue #11, the rest: one lateness rule for 立行立改, `fix extend` on one, restore's comparison,
plain rows when piped, and the public report's deadline in words."""

from __future__ import annotations

import pytest
from zzcheck import refused

FRIDAY = "2017-06-02"  # a 立行立改 found on a Friday: due on the 5th working day after, Friday 2017-06-09


@pytest.fixture
def spot(district):
    """An issue found on a Friday with one 立行立改 fix; returns the fix id."""
    issue = district.json(["issue", "add", "窗口人员脱岗", "--unit", "杨村", "--area", "6", "--owner", "王明",
                           "--found", FRIDAY])["id"]
    return district.json(["fix", "add", str(issue), "当场整改到岗", "--deadline", "立行立改"])["id"]


def test_on_the_spot_is_due_after_five_working_days(district, spot):
    zz = district
    fix = zz.json(f"fix show {spot} --as-of 2017-06-05")  # the next Monday
    assert (fix["on_the_spot"], fix["deadline"], fix["overdue"], fix["days_late"]) == (True, "2017-06-09", False, 0)
    assert zz.json(f"fix show {spot} --as-of 2017-06-09")["overdue"] is False  # the 5th working day itself
    late = zz.json(f"fix show {spot} --as-of 2017-06-12")  # a week later: more than 5 working days have passed
    assert (late["overdue"], late["days_late"], late["tier"]) == (True, 3, "蓝")


@pytest.mark.parametrize("as_of,listed", [("2017-06-05", False), ("2017-06-09", False), ("2017-06-10", True)])
def test_on_the_spot_in_every_overdue_list(district, spot, as_of, listed):
    zz = district
    assert bool(zz.json(f"fix list --overdue --as-of {as_of}")) is listed
    assert bool(zz.json(f"issue list --overdue --as-of {as_of}")) is listed
    out = zz.ok(f"fix list --as-of {as_of}").stdout
    assert "立行立改（至2017-06-09）" in out
    assert ("天（蓝）" in out) is listed


def test_on_the_spot_in_the_monthly_report(district, spot):
    zz = district
    late_june = zz.json(["issue", "add", "办事推诿", "--unit", "杨村", "--area", "6", "--found", "2017-06-26"])["id"]
    zz.ok(["fix", "add", str(late_june), "当场纠正", "--deadline", "立行立改"])  # due 2017-07-03
    june = zz.json("report monthly --month 2017-06")["overview"]  # as of 2017-06-30
    assert (june["fixes"], june["due"], june["overdue"], june["overdue_yellow"]) == (2, 1, 1, 1)
    july = zz.json("report monthly --month 2017-07")["overview"]
    assert (july["due"], july["overdue"], july["overdue_red"]) == (2, 2, 1)


def test_on_the_spot_working_days_follow_the_plan(tmp_path, zz):
    """[lateness] on_the_spot_workdays and the plan's calendar (the 端午 holidays 2017-05-28…30)."""
    import datetime as dt

    from zhengzhi_cli.fixes import spot_deadline
    from zhengzhi_cli.plan import default_plan_text, parse_plan

    plan = parse_plan(default_plan_text())
    assert plan.on_the_spot_workdays == 5
    # found Friday 2017-05-26: 05-27 (Saturday) is a 调休 working day, 05-28…30 are holidays
    assert spot_deadline(plan, dt.date(2017, 5, 26)) == dt.date(2017, 6, 5)
    three = parse_plan(default_plan_text().replace("on_the_spot_workdays = 5", "on_the_spot_workdays = 3"))
    assert spot_deadline(three, dt.date(2017, 6, 2)) == dt.date(2017, 6, 7)
    # a fix entered later in the campaign counts from its entry
    assert spot_deadline(plan, dt.date(2017, 6, 2), dt.date(2017, 6, 5)) == dt.date(2017, 6, 12)
    # the machine's clock outside the campaign never stands in
    assert spot_deadline(plan, dt.date(2017, 6, 2), dt.date(2026, 6, 5)) == dt.date(2017, 6, 9)
    bad = tmp_path / "坏方案.toml"
    bad.write_text(default_plan_text().replace("on_the_spot_workdays = 5", 'on_the_spot_workdays = "五"'), encoding="utf-8")
    refused(zz, ["init", "--plan", str(bad)], "on_the_spot_workdays")


def test_extend_gives_an_on_the_spot_fix_a_dated_deadline(district, spot):
    zz = district
    refused(zz, f"fix extend {spot} --to 2017-06-08 --approver 孙剑楠 --reason 协调", "不晚于现时限")
    fix = zz.json(f"fix extend {spot} --to 2017-06-30 --approver 孙剑楠 --reason 涉及跨部门协调 --date 2017-06-08")
    assert (fix["on_the_spot"], fix["deadline"], fix["original_deadline"]) == (False, "2017-06-30", "2017-06-09")
    assert "立行立改" not in zz.ok(f"fix show {spot}").stdout.split("时限")[1].splitlines()[0]
    assert zz.json(f"fix show {spot} --as-of 2017-06-20")["overdue"] is False
    zz.ok("undo --yes")
    back = zz.json(f"fix show {spot}")
    assert (back["on_the_spot"], back["deadline"], back["original_deadline"]) == (True, "2017-06-09", None)


def test_restore_compares_the_register_with_the_backup_first(district, tmp_path):
    zz = district
    zz.ok("issue add 备份里的问题 --unit 杨村 --area 6")
    out = tmp_path / "备份.db"
    zz.ok(["backup", "-o", out])
    zz.ok("issue add 备份之后的问题 --unit 杨村 --area 6")
    zz.ok("rule add 首问负责制度 --unit 杨村 --action 立")
    asked = zz(["restore", out])  # piped, no --yes: refused, but the comparison is shown first
    assert asked.exit_code == 2 and zz.json("issue list --limit 0") and len(zz.json("issue list")) == 2
    lines = {ln.split()[0]: ln.split()[1:] for ln in asked.stderr.splitlines() if ln.startswith("  ") and ln.split()}
    assert lines["当前登记簿"] == ["备份"]
    assert lines["单位"] == ["5", "5"] and lines["问题"] == ["2", "1"] and lines["制度"] == ["1", "0"]
    assert lines["整改事项"] == ["0", "0"] and lines["佐证材料"] == ["0", "0"]
    assert lines["最后一次改动"][0].startswith("#") and lines["架构版本"][0] == lines["架构版本"][1]
    done = zz.json(["restore", out, "--yes"])
    before, after = done["before"], done["after"]
    assert (before["issues"], after["issues"], before["rules"], after["rules"], before["units"]) == (2, 1, 1, 0, 5)
    assert before["last_change"] > after["last_change"] and after["last_change_at"][:4].isdigit()
    assert before["schema_version"] == after["schema_version"]
    assert [i["description"] for i in zz.json("issue list")] == ["备份里的问题"]


def test_restore_asks_after_the_comparison_at_a_terminal(district, tmp_path, monkeypatch):
    from zhengzhi_cli.cli import history as cli_history

    district.ok("issue add 备份里的问题 --unit 杨村 --area 6")
    out = tmp_path / "备份.db"
    district.ok(["backup", "-o", out])
    monkeypatch.setattr(cli_history, "interactive", lambda: True)
    no = district(["restore", out], input="n\n")
    assert no.exit_code == 1 and "当前登记簿" in no.stderr
    assert no.stderr.index("最后一次改动") < no.stderr.index("确认恢复")


def test_public_report_says_the_deadline_in_words(district, spot, tmp_path):
    import openpyxl

    zz = district
    issue = zz.json(f"fix show {spot}")["issue_id"]
    dated = zz.json(["fix", "add", str(issue), "建立到岗巡查制度", "--deadline", "6月底前"])["id"]
    kept = zz.json(["fix", "add", str(issue), "常态化暗访", "--deadline", "长期坚持"])["id"]
    for fid in (spot, dated, kept):
        zz.ok(["fix", "progress", str(fid), "正在整改", "--date", "2017-06-05"])
    zz.ok(f"fix extend {dated} --to 2017-09-30 --approver 孙剑楠 --reason 协调 --date 2017-07-10")
    out = tmp_path / "公示.xlsx"
    zz.ok(["report", "public", "-o", out, "--as-of", "2017-07-01"])
    sheet = openpyxl.load_workbook(out)["整改事项"]
    rows = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if "整改时限" in r)
    col = rows[head].index("整改时限")
    said = {r[rows[head].index("整改措施")]: r[col] for r in rows[head + 1:] if r[col]}
    # in force on 2017-07-01: the extension approved on 07-10 does not count yet
    assert said == {"当场整改到岗": "立行立改", "建立到岗巡查制度": "2017年6月30日", "常态化暗访": "长期坚持"}


# ---- every list command: plain rows when piped; at an 80-column terminal ids never wrap ----

LISTS = ["unit list", "check list", "issue list", "fix list", "fix list --overdue --as-of 2017-08-01", "fix list --claimed",
         "rule list", "inspect list", "accountability list", "opinion list", "case list", "duban list",
         "duban plan --as-of 2017-08-01", "evidence list 497", "bulletin --list", "docno", "docno --list", "log",
         "phase --as-of 2017-07-01", "import --mappings"]
BOX = set("┏┓┗┛┃━│─┌┐└┘┡┩╇┳┻╋═║╭╮╰╯")


@pytest.fixture(scope="module")
def demo(demo_built, tmp_path_factory):
    return str(demo_built.copy(tmp_path_factory.mktemp("pace4") / "demo").db)


def _ids(piped: str) -> list[str]:
    return [ln.split("\t")[0] for ln in piped.splitlines()[1:] if "\t" in ln and ln.split("\t")[0].isdigit()]


@pytest.mark.parametrize("args", LISTS)
def test_every_list_is_plain_rows_when_piped_and_unwrapped_at_80_columns(demo, args, monkeypatch):
    from conftest import Zz, sqlite_only
    from rich.cells import cell_len

    from zhengzhi_cli.cli import output

    if sqlite_only().args[0]:
        pytest.skip("the demo register is a SQLite file")
    zz = Zz(demo)
    piped = zz.ok(args).stdout
    assert piped.strip() and not BOX & set(piped), piped
    assert any("\t" in ln for ln in piped.splitlines()), piped  # a header row of tab-separated columns
    monkeypatch.setattr(output, "to_terminal", lambda: True)
    shown = zz.ok(args, env={"COLUMNS": "80"}).stdout
    assert all(cell_len(ln) <= 80 for ln in shown.splitlines()), shown
    firsts = {ln.split()[0] for ln in shown.splitlines() if ln.split()}
    assert set(_ids(piped)) <= firsts, shown  # every row's id whole, at the start of its own line


def test_upgrade_moves_an_on_the_spot_deadline_to_the_fifth_working_day(district, spot):
    """v11 → v12: a 立行立改 fix stored as due the day found; one extended keeps the new first deadline."""
    import sqlite3

    from conftest import sqlite_only

    from zhengzhi_cli import migrations

    if sqlite_only().args[0]:
        pytest.skip("edits the SQLite file as the previous zz left it")
    zz = district
    other = zz.json(["fix", "add", str(zz.json(f"fix show {spot}")["issue_id"]), "当场纠正", "--deadline", "立行立改"])["id"]
    zz.ok(f"fix extend {other} --to 2017-06-30 --approver 孙剑楠 --reason 协调 --date 2017-06-05")
    conn = sqlite3.connect(zz.db)
    with conn:  # as zz v11 stored them: due the day found, the extended one still 立行立改
        conn.execute("UPDATE fix SET deadline = ? WHERE id = ?", (FRIDAY, spot))
        conn.execute("UPDATE fix SET original_deadline = ?, on_the_spot = 1 WHERE id = ?", (FRIDAY, other))
        conn.execute("UPDATE fix_event SET old_deadline = ? WHERE fix_id = ?", (FRIDAY, other))
        conn.execute("ALTER TABLE evidence DROP COLUMN public")  # v13's column
        conn.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    conn.close()
    migrations._checked.clear()
    first = zz.json(f"fix show {spot} --as-of 2017-06-05")
    assert (first["deadline"], first["overdue"]) == ("2017-06-09", False)
    moved = zz.json(f"fix show {other}")
    assert (moved["on_the_spot"], moved["deadline"], moved["original_deadline"]) == (False, "2017-06-30", "2017-06-09")
    assert moved["events"][-1]["old_deadline"] == "2017-06-09"


def test_correcting_the_found_date_moves_an_on_the_spot_deadline(district, spot):
    zz = district
    issue = zz.json(f"fix show {spot}")["issue_id"]
    zz.ok(f"issue edit {issue} --found 2017-06-09")
    fix = zz.json(f"fix show {spot} --as-of 2017-06-12")
    assert (fix["deadline"], fix["overdue"]) == ("2017-06-16", False)
    zz.ok("undo --yes")
    assert zz.json(f"fix show {spot}")["deadline"] == "2017-06-09"


def test_on_the_spot_at_an_80_column_terminal_keeps_the_dates_whole(district, spot, monkeypatch):
    from zhengzhi_cli.cli import output

    zz = district
    issue = zz.json(f"fix show {spot}")["issue_id"]
    zz.ok(["fix", "add", str(issue), "建立到岗巡查制度并每月通报一次到岗情况", "--deadline", "6月底前"])
    monkeypatch.setattr(output, "to_terminal", lambda: True)
    shown = zz.ok("fix list --as-of 2017-06-12", env={"COLUMNS": "80"}).stdout
    assert "立行立改" in shown and "2017-06-30" in shown and "…" in shown  # the task is cut, never the deadline
    assert "3 天（蓝）" in shown
    assert "立行立改（5个工作日内，至2017-06-09）" in zz.ok(f"fix show {spot}", env={"COLUMNS": "120"}).stdout


def test_fix_edit_to_on_the_spot_uses_the_same_rule(district, spot):
    zz = district
    issue = zz.json(f"fix show {spot}")["issue_id"]
    dated = zz.json(["fix", "add", str(issue), "建立到岗巡查制度", "--deadline", "6月底前"])["id"]
    said = zz.ok(f"fix edit {dated} --deadline 立行立改").stdout
    assert "2017-06-30 → 立行立改（至2017-06-09）" in said
    fix = zz.json(f"fix show {dated} --as-of 2017-06-09")
    assert (fix["on_the_spot"], fix["deadline"], fix["overdue"]) == (True, "2017-06-09", False)
