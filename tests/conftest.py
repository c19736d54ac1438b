"""Every test gets its own register (ZZ_DB) and drives the real CLI.

Backend: SQLite by default; `ZZ_TEST_BACKEND=postgresql` (with `ZZ_TEST_PG_URL`, a server
URL whose user may create databases) runs the same tests against PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhengzhi_cli.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = ROOT / "src" / "zhengzhi_cli" / "sample_data"  # package data (zz demo)
# Every test's environment (_isolated), and so that of a register built once per session for many tests.
SESSION_ENV = {"ZZ_OPERATOR": "测试员", "ZZ_NO_PROMPT": "1"}


class Zz:
    """`zz("issue add 窗口办事拖沓 --unit 杨村 --area 6")` → result; `.json(...)` parses stdout."""

    def __init__(self, db: str, env: dict | None = None):
        self.db = db
        self.env = env or {}
        self.runner = CliRunner()

    def __call__(self, args, *, input: str | None = None, ok: bool | None = None, env: dict | None = None):
        argv = shlex.split(args) if isinstance(args, str) else [str(a) for a in args]
        result = self.runner.invoke(app, argv, input=input, env={"ZZ_DB": self.db, **self.env, **(env or {})}, catch_exceptions=False)
        if ok is True:
            assert result.exit_code == 0, f"zz {args} → {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        return result

    def ok(self, args, **kw):
        return self(args, ok=True, **kw)

    def json(self, args, **kw):
        argv = (shlex.split(args) if isinstance(args, str) else list(args)) + ["--json"]
        return json.loads(self(argv, ok=True, **kw).stdout)


def backend() -> str:
    return os.environ.get("ZZ_TEST_BACKEND", "sqlite")


@pytest.fixture
def register_url(tmp_path, tmp_path_factory, request):
    """A fresh register per test: a SQLite file in tmp_path, or a new PostgreSQL database
    (a copy of a pre-migrated template, dropped when the test ends)."""
    if backend() == "postgresql":
        from tests.pg import drop_database, empty_database, fresh_database

        # @pytest.mark.empty_register: a database with no register in it yet (zz init creates it),
        # as a SQLite test gets a file that does not exist; otherwise a copy of a current, empty register
        make = empty_database if request.node.get_closest_marker("empty_register") else fresh_database
        url = make(request.node.name)
        yield url
        drop_database(url)
    else:
        # the same on SQLite: a copy of a current, empty register (every command but init/demo
        # refuses a missing file), or with @pytest.mark.empty_register no file at all
        path = tmp_path / "zz.db"
        if not request.node.get_closest_marker("empty_register"):
            shutil.copyfile(_sqlite_template(tmp_path_factory), path)
        yield str(path)


_TEMPLATE: list[Path] = []


def _sqlite_template(tmp_path_factory) -> Path:
    """One empty, current SQLite register per test session (zz init), copied for each test."""
    if not _TEMPLATE:
        from zhengzhi_cli.db import Settings
        from zhengzhi_cli.register_setup import init_register

        path = tmp_path_factory.mktemp("template") / "zz.db"
        settings = Settings(db=str(path), may_create=True)
        init_register(settings)
        for engine in settings._engines.values():
            engine.dispose()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


@pytest.fixture(autouse=True)
def _isolated(register_url, monkeypatch, tmp_path):
    monkeypatch.setenv("ZZ_DB", register_url)
    for name, value in SESSION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def zz(register_url) -> Zz:
    return Zz(register_url)


def add_district(zz: Zz) -> Zz:
    """A small district: two 街道, a 镇, a 部门 with a 下属单位."""
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("unit add 下朱庄街道 --kind 街道 --code 120114002")
    zz.ok("unit add 梅厂镇 --kind 镇 --code 120114101")
    zz.ok("unit add 区行政审批局 --kind 部门 --code D13")
    zz.ok("unit add 区政务服务中心 --kind 下属单位 --parent 区行政审批局")
    return zz


@pytest.fixture
def district(zz, request, tmp_path_factory) -> Zz:
    """A small district (add_district). On SQLite a copy of one built per session by the same
    commands; on PostgreSQL, or on a register that starts empty, the commands run again."""
    if backend() == "sqlite" and not request.node.get_closest_marker("empty_register"):
        shutil.copyfile(_sqlite_district(tmp_path_factory), zz.db)
        return zz
    return add_district(zz)


_DISTRICT: list[Path] = []


def _checkpoint(path: Path) -> None:
    """The whole register in the one file, the WAL written back, before the file is copied."""
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _sqlite_district(tmp_path_factory) -> Path:
    if not _DISTRICT:
        path = tmp_path_factory.mktemp("district") / "zz.db"
        shutil.copyfile(_sqlite_template(tmp_path_factory), path)
        add_district(Zz(str(path), env=SESSION_ENV))
        _checkpoint(path)
        _DISTRICT.append(path)
    return _DISTRICT[0]


@dataclass(frozen=True)
class Demo:
    """The register `zz demo --out <out>` built (db, its .evidence beside it), its files, what it printed."""

    db: Path
    out: Path
    stdout: str
    stderr: str

    def copy(self, where: Path) -> Demo:
        """The whole demo folder copied to `where` (made here): a register a test may change."""
        shutil.copytree(self.db.parent, where)
        moved = lambda text: text.replace(str(self.db.parent), str(where))  # noqa: E731
        return Demo(where / self.db.name, where / self.out.name, moved(self.stdout), moved(self.stderr))


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory) -> Demo:
    """`zz demo` run once per test session (it takes seconds); tests take a copy (demo_copy)."""
    where = tmp_path_factory.mktemp("demo-built")
    db, out = where / "demo.db", where / "out"
    result = Zz(str(db), env={**SESSION_ENV, "ZZ_EVIDENCE_DIR": None}).ok(["demo", "--out", str(out)])
    _checkpoint(db)
    return Demo(db, out, result.stdout, result.stderr)


@pytest.fixture
def demo_copy(demo_built, tmp_path) -> Demo:
    """A copy of the session's demo (register, evidence, files) for this test alone."""
    return demo_built.copy(tmp_path / "demo")


def sqlite_only():
    return pytest.mark.skipif(backend() != "sqlite", reason="SQLite file behaviour")


def postgresql_only():
    return pytest.mark.skipif(backend() != "postgresql", reason="PostgreSQL server behaviour")


# The inner loop is `pytest -m 'not slow'`; `make test` runs everything. Slow: real processes racing or
# killed, LibreOffice renders, hypothesis, pty sessions, the demo, the corpus, upgrades of old registers, and
# the single tests that took more than ~4 s on the loaded 2-core machine (pytest --durations). Marked here,
# in one place, so a new slow test is one line and the test files stay as they are.
SLOW_FILES = {
    "test_concurrency.py", "test_crash.py", "test_print.py", "test_backup.py", "test_demo.py", "test_fuzz.py",
    "test_clerk_pace.py", "test_entry_loop.py", "test_corpus.py", "test_upgrade.py", "test_history_asof.py",
}
SLOW_TESTS = {
    "test_docno_eight_concurrent_clerks_never_get_the_same_number", "test_bulletin_docx_renders_a4_with_page_numbers_and_22_lines_a_page",
    "test_summary_report_renders_a4_with_page_numbers", "test_duban_letter_renders_a4_with_page_numbers",
    "test_recheck_sample_is_seeded_and_stratified_by_unit", "test_a_killed_backup_is_cleaned_up_by_the_next",
    "test_read_only_register_for_a_user_who_may_not_write", "test_random_text_never_breaks_list_show_or_log",
    "test_start_up_stays_within_its_bar", "test_help_imports_nothing_heavy", "test_real_completion_round_trip",
    "test_a_failed_recheck_reopens_exactly_that_fix_and_undo_takes_it_back", "test_bench_report_runs_its_workbook_more_than_once",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES or getattr(item, "originalname", item.name) in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    config.addinivalue_line("markers", "empty_register: on PostgreSQL, start from an empty database (no register yet)")
    config.addinivalue_line("markers", "slow: takes more than about 20 s (deselect with -m 'not slow')")


@pytest.fixture
def terminal(district):
    """`terminal("issue", "add")`: the real zz in a pty (zzcheck.Terminal), prompting as at a clerk's desk."""
    from zzcheck import Terminal

    env = {k: v for k, v in os.environ.items() if k != "ZZ_NO_PROMPT"}
    env["ZZ_DB"] = district.db
    env["ZZ_OPERATOR"] = "录入员"
    return lambda *args: Terminal(args, env)


# ---------------------------------------------------------------- registers of an earlier schema version (test_upgrade, test_docs14)

OLD_VERSIONS = [1, 2, 3, 4]  # each made by that version of zz (v3, v4: the v2 fixture upgraded by it)


@pytest.fixture
def old_register(request, tmp_path, monkeypatch):
    """A register of an earlier schema version; yields (version, url)."""
    version = request.param
    if backend() == "postgresql":
        from tests import pg

        url = pg.empty_database(f"v{version}")
        pg.run_sql(url, (FIXTURES / f"register_v{version}.postgresql.sql").read_text(encoding="utf-8"))
        monkeypatch.setenv("ZZ_DB", url)
        yield version, url
        pg.drop_database(url)
    else:
        path = tmp_path / f"v{version}.db"
        shutil.copyfile(FIXTURES / f"register_v{version}.sqlite", path)
        monkeypatch.setenv("ZZ_DB", str(path))
        yield version, str(path)


# ---------------------------------------------------------------- dated changes (test_history_asof, test_reports2)


def issue_at(zz, found="2017-04-12", unit="杨村"):
    return zz.json(["issue", "add", "窗口办事拖沓", "--unit", unit, "--area", "6", "--owner", "王明", "--found", found])["id"]


def fix_at(zz, issue_id, deadline):
    return zz.json(["fix", "add", str(issue_id), "推行首问负责制", "--deadline", deadline])["id"]


@pytest.fixture
def july_register(district):
    """Fixes as they stood at the end of July 2017, each about to change in August."""
    zz = district
    fixes = {}
    fixes["extend"] = fix_at(zz, issue_at(zz), "2017-07-15")  # overdue in July, extended in August
    fixes["complete"] = fix_at(zz, issue_at(zz), "2017-07-20")  # 未开始 in July, completed in August
    fixes["verify"] = fix_at(zz, issue_at(zz, unit="梅厂"), "2017-07-20")
    zz.ok(f"fix progress {fixes['verify']} 已起草 --date 2017-07-01")
    zz.ok(f"fix done {fixes['verify']} --date 2017-07-18")  # done in July, 销号 in August
    fixes["return"] = fix_at(zz, issue_at(zz, unit="梅厂"), "2017-07-25")
    zz.ok(f"fix progress {fixes['return']} 已起草 --date 2017-07-02")
    zz.ok(f"fix done {fixes['return']} --date 2017-07-22")  # done in July, returned in August
    fixes["start"] = fix_at(zz, issue_at(zz, unit="下朱庄"), "2017-07-10")  # 未开始 in July, started in August
    return zz, fixes


def august_changes(zz, fixes):
    zz.ok(["fix", "extend", str(fixes["extend"]), "--to", "2017-09-30", "--approver", "孙剑楠", "--reason", "协调",
           "--date", "2017-08-10"])
    zz.ok(f"fix done {fixes['complete']} --date 2017-08-05")
    zz.ok(f"fix verify {fixes['verify']} --by 张华 --date 2017-08-03")
    zz.ok(["fix", "return", str(fixes["return"]), "--by", "张华", "--reason", "台账不全", "--date", "2017-08-08"])
    zz.ok(f"fix progress {fixes['start']} 开始整改 --date 2017-08-02")


# ---------------------------------------------------------------- a register full of personal data (report public)

PUBLIC_NAMES = ["赵大海", "钱小红", "王明", "李书记", "周八", "吴核验", "郑批准", "孙副镇长", "督查员冯九", "陈十一",
                "13912345678", "022-29341234", "窗口科科长", "副镇长"]


def public_register(zz):
    """Issues, fixes, accountability, a case and an inspection, full of names and a phone number that
    the public report (test_public, test_reports2) must never show; returns the three issue ids."""
    zz.ok(["unit", "edit", "杨村", "--leader", "赵大海", "--contact", "钱小红", "--phone", "022-29341234"])
    i1 = zz.json(["issue", "add", "科员王明上班时间炒股，群众举报电话13912345678", "--unit", "杨村", "--area", "规矩意识",
                  "--owner", "王明", "--leader", "李书记", "--found", "2017-05-02"])["id"]
    i2 = zz.json(["issue", "add", "审批超时", "--unit", "D13", "--area", "效能意识", "--owner", "周八", "--found", "2017-05-03"])["id"]
    i3 = zz.json(["issue", "add", "值班表未公示", "--unit", "梅厂", "--area", "规矩意识", "--found", "2017-05-04"])["id"]
    f1 = zz.json(["fix", "add", str(i1), "王明作出书面检查，由李书记约谈", "--deadline", "2017-06-30"])["id"]
    zz.ok(f"fix done {f1} --date 2017-06-10")
    zz.ok(f"fix verify {f1} --by 吴核验 --date 2017-06-20")
    f2 = zz.json(["fix", "add", str(i2), "压缩审批时限", "--deadline", "2017-06-30", "--owner", "周八"])["id"]
    zz.ok(f"fix progress {f2} 已起草办法 --date 2017-06-12")  # dated: a report as of D counts what stood on D
    zz.ok(["fix", "extend", str(f2), "--to", "2017-09-30", "--approver", "郑批准", "--reason", "涉及流程再造",
           "--date", "2017-06-25"])
    f3 = zz.json(["fix", "add", str(i3), "公示值班表", "--deadline", "2017-06-30"])["id"]
    zz.ok(f"fix progress {f3} 已排班 --date 2017-08-01")
    zz.ok(f"fix done {f3} --date 2017-09-15")
    zz.ok(["accountability", "add", "孙副镇长", "--unit", "梅厂", "--measure", "移交纪检", "--date", "2017-08-01",
           "--position", "副镇长", "--reason", "失职"])
    zz.ok(["accountability", "add", "王明", "--unit", "杨村", "--measure", "诫勉谈话", "--date", "2017-08-01", "--position", "窗口科科长"])
    zz.ok(["case", "add", "上班炒股被查处", "--kind", "反面", "--unit", "杨村", "--person", "陈十一"])
    zz.ok(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-12", "--by", "督查员冯九"])
    return i1, i2, i3
