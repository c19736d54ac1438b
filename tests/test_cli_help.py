"""Every command's --help: exit 0, Chinese text, an example. The tree is walked from the
app itself, so commands other issues add are checked as soon as they exist."""

import re

import pytest
import typer.main

from zhengzhi_cli.cli import app

HAN = re.compile(r"[\u4e00-\u9fff]")


def _walk(cmd, path=()):
    yield path, cmd
    if hasattr(cmd, "list_commands"):
        for name in cmd.list_commands(None):
            sub = cmd.get_command(None, name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(typer.main.get_command(app)))


def test_the_walk_finds_the_daily_commands():
    paths = {" ".join(p) for p, _ in COMMANDS}
    for expected in ("init", "plan", "phase", "log", "undo", "backup", "db path", "unit add", "unit import",
                     "check add", "issue add", "issue list", "fix verify", "fix return", "fix extend",
                     "rule done", "milestone done", "fix edit", "rule edit", "check edit", "inspect edit",
                     "accountability edit", "opinion edit", "case edit", "issue void"):
        assert expected in paths


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "zz")
def test_help(zz, path):
    result = zz([*path, "--help"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("用法：zz"), out[:80]
    assert HAN.search(out.split("\n\n", 2)[1]), f"zz {' '.join(path)}: help text is not Chinese"
    for english in ("Show this message", "Options:", "Commands:", "Install completion", "[default"):
        assert english not in out, f"zz {' '.join(path)} --help shows “{english}”"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", [p for p, c in COMMANDS if not hasattr(c, "list_commands")], ids=lambda p: " ".join(p))
def test_every_command_has_a_chinese_docstring_with_an_example(path):
    cmd = dict(COMMANDS)[path]
    assert cmd.help and HAN.search(cmd.help.splitlines()[0]), f"zz {' '.join(path)}: no Chinese docstring"
    assert "示例" in cmd.help, f"zz {' '.join(path)}: docstring has no 示例"


def test_no_arguments_shows_help(zz):
    result = zz([])
    assert result.exit_code == 0 and "命令" in result.stdout


def test_unknown_command_is_a_usage_error_with_a_suggestion(zz):
    result = zz("isue list")
    assert result.exit_code == 2
    assert "没有命令“isue”" in result.stderr and "issue" in result.stderr
    assert "Did you mean" not in result.stderr


def test_bad_integer_is_a_chinese_usage_error(zz):
    result = zz("issue show abc")
    assert result.exit_code == 2
    assert "ISSUE_ID" in result.stderr and "应为整数" in result.stderr
    assert "Input should" not in result.stderr


def test_extra_arguments_are_explained_in_chinese(zz):
    r = zz(["issue", "show", "1", "2"])
    assert r.exit_code == 2 and "多余的参数" in r.stderr and "Got unexpected" not in r.stderr
