"""Every test gets its own register (ZZ_DB) and drives the real CLI.

Backend: SQLite by default; `ZZ_TEST_BACKEND=postgresql` (with `ZZ_TEST_PG_URL`, a server
URL whose user may create databases) runs the same tests against PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhengzhi_cli.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = ROOT / "src" / "zhengzhi_cli" / "sample_data"  # package data (zz demo)


class Zz:
    """`zz("issue add 窗口办事拖沓 --unit 杨村 --area 6")` → result; `.json(...)` parses stdout."""

    def __init__(self, db: str):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, args, *, input: str | None = None, ok: bool | None = None, env: dict | None = None):
        argv = shlex.split(args) if isinstance(args, str) else [str(a) for a in args]
        result = self.runner.invoke(app, argv, input=input, env={"ZZ_DB": self.db, **(env or {})}, catch_exceptions=False)
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
    monkeypatch.setenv("ZZ_OPERATOR", "测试员")
    monkeypatch.setenv("ZZ_NO_PROMPT", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def zz(register_url) -> Zz:
    return Zz(register_url)


@pytest.fixture
def district(zz) -> Zz:
    """A small district: two 街道, a 镇, a 部门 with a 下属单位."""
    zz.ok("unit add 杨村街道 --kind 街道 --code 120114001")
    zz.ok("unit add 下朱庄街道 --kind 街道 --code 120114002")
    zz.ok("unit add 梅厂镇 --kind 镇 --code 120114101")
    zz.ok("unit add 区行政审批局 --kind 部门 --code D13")
    zz.ok("unit add 区政务服务中心 --kind 下属单位 --parent 区行政审批局")
    return zz


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
    "test_a_failed_recheck_reopens_exactly_that_fix_and_undo_takes_it_back",
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
