"""cli/typer_compat.py is the only file that touches typer's internals. When typer moves (a new
minor series, a renamed private name, a new word it prints), one of these fails and says what
moved, before a clerk meets an English word or a traceback."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import typer

from zhengzhi_cli.cli import typer_compat
from zhengzhi_cli.locale import CATALOG, catalog

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "zhengzhi_cli"


def test_typer_is_the_minor_series_the_hooks_were_written_for():
    assert typer.__version__.startswith(typer_compat.SERIES + "."), (
        f"typer {typer.__version__} is installed; cli/typer_compat.py was written for {typer_compat.SERIES}.x: "
        "check every hook (typer_compat.check()), the catalog (typer's gettext words) and move SERIES and the pin")


def test_pyproject_pins_typer_to_that_series():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    typer_dep = next(d for d in deps if d.startswith("typer"))
    major, minor = typer_compat.SERIES.split(".")
    assert typer_dep.replace(" ", "") == f"typer>={major}.{minor},<{major}.{int(minor) + 1}", typer_dep


def test_every_hook_finds_its_target():
    assert typer_compat.check() == []


def test_a_missing_target_fails_loudly_naming_typer():
    try:
        typer_compat._need("typer.core", "no_such_thing_zz")
    except typer_compat.TyperMoved as exc:
        assert typer.__version__ in str(exc) and typer_compat.SERIES in str(exc)
    else:
        raise AssertionError("no failure")


def test_every_word_typer_wraps_in_gettext_has_a_chinese_translation():
    """typer's own words (typer/core.py `_("…")`): a word added by a new typer is caught here."""
    source = Path(typer.core.__file__).read_text(encoding="utf-8")
    words = set(re.findall(r'\b_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source))
    assert {"Options", "Commands", "Arguments", "required"} <= words, "typer no longer wraps its words in gettext"
    untranslated = sorted(w for w in words if catalog().gettext(w) == w or not re.search(r"[\u4e00-\u9fff]", catalog().gettext(w)))
    assert untranslated == [], f"typer {typer.__version__} prints these words in English: {untranslated} (add them to {CATALOG.name})"


def test_the_hooks_are_in_place():
    import typer.core

    from zhengzhi_cli import cli  # noqa: F401  (installs the hooks)

    assert typer.core._("Options") == "选项"
    assert typer.core.build_runtime_param.__module__ == typer_compat.__name__


def test_only_typer_compat_touches_typer_internals():
    """typer's private modules (typer._click, typer._coercion, …) and typer.core's private names."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "typer_compat.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"typer\._|from typer\.core import _|typer\.core\._", text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_a_bad_whole_number_is_refused_in_chinese_without_pydantic(tmp_path):
    code = ("import sys\nfrom zhengzhi_cli.cli import app\n"
            "from typer.main import get_command\n"
            "rc = get_command(app).main(['issue', 'show', 'abc'], standalone_mode=False)\n"
            "print('pydantic' in sys.modules, rc)\n")
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "ZZ_DB": str(tmp_path / "x.db"), "PYTHONPATH": str(SRC.parent)})
    assert r.stdout.split() == ["False", "2"], r.stdout + r.stderr
    assert "ISSUE_ID：“abc”应为整数" in r.stderr
