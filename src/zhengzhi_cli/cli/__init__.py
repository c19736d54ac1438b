"""The `zz` command: one table of commands (COMMANDS), loaded lazily, and the one error boundary.

A command's module is imported only when that command runs (or its help is shown): the table
gives `zz --help` every name and help line, and ZzGroup follows click's documented lazy-loading
pattern (list_commands / get_command over the table), building each entry with typer's public
`typer.main.get_command` / `get_group`. So `zz --help`, `zz issue add --help` and a Tab press
import neither SQLAlchemy, pydantic, rich nor the Excel readers.

To add a command: write it in its noun's module (`cli/<noun>.py`, a function, or a command of
that module's `app`), and add one line to COMMANDS.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
from typing import Annotated, Optional

import typer

from . import typer_compat, zh
from .common import settings
from .typer_compat import TyperGroup

typer_compat.install(zh.catalog().gettext)

# name → ("module:attribute" under zhengzhi_cli.cli, the line `zz --help` shows). The attribute
# is a typer.Typer (a noun with its own commands: `zz issue add`) or a function (`zz init`).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("setup:init", "创建登记簿（可重复执行，绝不清空数据）"),
    "plan": ("setup:plan", "显示方案：阶段与日期、节点、整治重点、四查四看、当前阶段"),
    "demo": ("setup:demo", "用样例区建一个登记簿并跑一遍主要流程"),
    "template": ("transfer:template", "生成各单位填报用的空白工作簿"),
    "import": ("transfer:import_", "导入各单位报来的问题清单、整改清单、制度清单"),
    "bulletin": ("bulletin:bulletin", "印发一期通报：进展滞后单位、点名问责、正反典型、整改完成情况"),
    "docno": ("docno:docno", "文号：各文种本年度的编号情况"),
    "phase": ("phase:phase", "各单位各节点的完成情况（已完成/逾期完成/已逾期/未到期）"),
    "log": ("history:log", "审计记录：谁在何时改了什么"),
    "undo": ("history:undo", "撤销自己最近一次改动"),
    "backup": ("history:backup", "备份登记簿"),
    "restore": ("history:restore", "用备份覆盖当前登记簿（需确认）"),
    "archive": ("evidence:archive", "导出一个单位的整改档案（台账 + 佐证材料 + 清单，zip）"),
    "doc": ("doc:app", "公文：模板可用的占位符"),
    "duban": ("duban:app", "督办：按方案规则提醒、发督办函、亮红牌"),
    "db": ("setup:db_app", "登记簿：位置、完好性检查"),
    "unit": ("unit:app", "单位：新增、列表、查看、修改、导入"),
    "check": ("check:app", "四查四看：登记各单位自查结果"),
    "issue": ("issue:app", "问题清单：登记、列表、查看、修改"),
    "fix": ("fix:app", "整改清单：新增、进展、完成、销号、退回、延期"),
    "evidence": ("evidence:app", "佐证材料：添加、列表、打开、修改、核对、清理"),
    "recheck": ("recheck:app", "回头看：按种子分层抽查已销号整改、登记结果"),
    "rule": ("rule:app", "制度清单：立、改、废"),
    "milestone": ("phase:milestone_app", "节点：标记手工节点完成"),
    "export": ("transfer:export_app", "导出：整改台账"),
    "report": ("report:app", "报表：阶段进度、月报、总结、政务公开"),
    "inspect": ("inspect:app", "督查：明察暗访、抽查检查、集中督查"),
    "accountability": ("accountability:app", "问责：批评教育、通报批评、诫勉谈话、组织处理、移交纪检"),
    "opinion": ("opinion:app", "征求意见：座谈会、征求意见表、服务评价评议"),
    "case": ("case:app", "典型案例：正面典型、反面典型"),
    "completion": ("setup:completion", "Tab 补全：显示或安装 shell 的补全脚本"),
}


@functools.cache
def load(name: str):
    """The click command for one entry of COMMANDS (its module imported now), built once per
    process: a process that runs many commands (the tests, a script driving CliRunner) builds
    each group once, not once per command line."""
    target, help_ = COMMANDS[name]
    module, attr = target.split(":")
    obj = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    if isinstance(obj, typer.Typer):
        obj.rich_markup_mode = None  # plain help pages: rich is never imported for them
        obj.pretty_exceptions_enable = False
        obj.info.cls = SubGroup
        cmd = typer.main.get_group(obj)
        cmd.help = cmd.help or help_
        for sub in cmd.commands.values():
            zh.localize(sub)
    else:
        single = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
        single.command(name)(obj)
        cmd = typer.main.get_command(single)
    zh.localize(cmd)
    return cmd


class ChineseGroup(TyperGroup):
    """A group whose help pages and "no such command" answers are Chinese."""

    context_class = zh.ZzContext

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zh.localize(self)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and not name.startswith("-") and not ctx.resilient_parsing and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx))
            hint = zh._("Did you mean {names}?").format(names="、".join(close)) if close else ""
            ctx.fail(zh._("No such command {name!r}.").format(name=name) + hint)
        return super().resolve_command(ctx, args)


class SubGroup(ChineseGroup):
    """A noun's commands (`zz issue …`), built with the noun's module."""


class ZzGroup(ChineseGroup):
    """`zz`: its commands come from COMMANDS, each loaded on first use; errors become a Chinese
    message on stderr (and JSON on stdout under --json) and an exit status."""

    def list_commands(self, ctx):
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx, name):
        if name in COMMANDS and name not in self.commands:
            self.commands[name] = load(name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        """The table's help lines: listing the commands loads none of them."""
        with formatter.section(zh._("Commands")):
            formatter.write_dl([(name, help_) for name, (_target, help_) in COMMANDS.items()])

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from ..db import Settings

        args = _db_first(list(sys.argv[1:] if args is None else args))
        shown = [a for i, a in enumerate(args) if not (a.startswith("--db=") or a == "--db" or (i and args[i - 1] == "--db"))]
        settings_ = extra.setdefault("obj", Settings(command=_shown(["zz", *shown])))  # never a DB password
        try:
            code = run(self, args=args, prog_name=prog_name or "zz", complete_var=complete_var, **extra)
        finally:
            for engine in settings_._engines.values():
                engine.dispose()
        if standalone_mode:
            sys.exit(code)
        return code


def _shown(args: list[str]) -> str:
    """The command line as the audit trail shows it: quoted only where a shell would need it."""
    import re

    def quoted(a: str) -> str:
        if a and not re.search(r"[\s'\"\\$`|&;<>()*?#~!]", a):
            return a
        import shlex

        return shlex.quote(a)

    return " ".join(quoted(a) for a in args)


def _db_first(args: list[str]) -> list[str]:
    """`--db` is a global option, but clerks and SPEC write it anywhere (`zz demo --db x`)."""
    out: list[str] = []
    front: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            out.extend(args[i:])
            break
        if a == "--db" and i + 1 < len(args):
            front += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith("--db="):
            front.append(a)
        else:
            out.append(a)
        i += 1
    return front + out


def _committed() -> list[int]:
    """The changes this command has committed so far (audit.committed; audit not loaded: none)."""
    audit = sys.modules.get("zhengzhi_cli.audit")
    return list(audit.committed) if audit is not None else []


def _written(changes: list[int]) -> str:
    """What an error message says about the register: the truth, so a script that retries
    does not write the same thing twice."""
    if not changes:
        return "本次命令未写入任何数据"
    shown = "、".join(f"#{c}" for c in changes) if len(changes) <= 5 else f"#{changes[0]} 至 #{changes[-1]}（共 {len(changes)} 次）"
    return f"已写入：改动 {shown}，可用 zz log 查看；请勿原样重试，以免重复登记"


class _Stdout:
    """sys.stdout while a command runs: remembers that writing to it failed (closed, full, a pipe
    whose reader left), so that error is told apart from the command's own."""

    def __init__(self, stream):
        self._stream = stream
        self.failed = False
        self.wrote = False  # the command printed something (its own JSON result, say)

    def write(self, text):
        self.wrote = self.wrote or bool(text)
        try:
            return self._stream.write(text)
        except (OSError, ValueError):
            self.failed = True
            raise

    def flush(self):
        try:
            return self._stream.flush()
        except (OSError, ValueError):
            self.failed = True
            raise

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _stdout_lost(exc: BaseException, guard) -> bool:
    if isinstance(exc, BrokenPipeError) or (guard is not None and guard.failed):
        return True
    return sys.stdout is None and isinstance(exc, AttributeError)


def _output_lost(changes: list[int], guard, *, broken_pipe: bool) -> int:
    """The result could not be shown. After a commit that is still success (exit 0, and stderr
    says what was written); before one, a broken pipe stays quiet (`zz issue list | head`)."""
    from ..errors import ExitStatus

    try:  # what is still buffered goes nowhere, so exit does not fail on it again
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, guard._stream.fileno())
    except (AttributeError, OSError, ValueError):
        pass
    if changes:
        sys.stderr.write(f"zz: 提示：结果未能写到标准输出（已关闭、已满或管道已断开），但{_written(changes)}\n")
        return int(ExitStatus.OK)
    if broken_pipe:
        return int(ExitStatus.OK)
    sys.stderr.write("zz: 错误：结果无法写到标准输出（已关闭或已满），本次命令未写入任何数据\n")
    return int(ExitStatus.REFUSED)


def run(group, **kwargs) -> int:
    audit = sys.modules.get("zhengzhi_cli.audit")
    if audit is not None:  # a new command in this process (tests run many)
        audit.committed.clear()
    stdout = sys.stdout
    guard = sys.stdout = _Stdout(stdout) if stdout is not None else None
    try:
        return _run(group, guard, **kwargs)
    finally:
        if sys.stdout is guard:
            sys.stdout = stdout


def _wants_json(args: list[str]) -> bool:
    """`--json` among the options (before a `--`): the error is then also JSON on stdout."""
    for a in args:
        if a == "--":
            return False
        if a == "--json":
            return True
    return False


def _refuse(text: str, status: int, *, as_json: bool, error: dict | None = None, kind: str = "错误") -> int:
    """The one way a failed command speaks: `zz: 错误：…` on stderr (with what was written, if
    anything), and under --json `{"error": …, "problems": […]}` on stdout, so scripts never parse stderr."""
    from ..text import (
        display,  # a message may quote what was typed or read from a file: never raw to the terminal
    )

    changes = _committed()
    sys.stderr.write(f"zz: {kind}：{display(text)}\n" + (f"（{_written(changes)}）\n" if changes else ""))
    if as_json and not getattr(sys.stdout, "wrote", False):  # a command that printed its own JSON result keeps it whole
        payload = {"error": text, "problems": [], **(error or {})}
        if changes:
            payload["written"] = changes
        try:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()
        except (OSError, ValueError, AttributeError):
            pass  # stdout is gone: stderr said it all
    return int(status)


def _run(group, guard, **kwargs) -> int:
    from ..errors import ExitStatus, ZzError

    as_json = _wants_json(kwargs.get("args") or [])
    try:
        _refuse_undecodable(kwargs.get("args") or [])
        rv = TyperGroup.main(group, standalone_mode=False, **kwargs)
        if rv == ExitStatus.INTERRUPTED:  # typer turns Ctrl-C into exit 130 before the handler below
            changes = _committed()
            sys.stderr.write(f"\nzz: 已中断，{_written(changes) if changes else '未做任何改动'}\n")
        if sys.stdout is not None:
            sys.stdout.flush()  # a full or closed stdout fails here, where it is handled, not at exit
        return rv if isinstance(rv, int) else 0
    except ZzError as exc:
        return _refuse(exc.message, exc.exit_status, as_json=as_json, error=exc.as_json())
    except typer_compat.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n")
        return 0
    except typer_compat.UsageError as exc:
        hint = f"\n用法：{exc.ctx.command_path} --help 查看说明" if exc.ctx is not None else ""
        message = zh.usage_error(exc)
        return _refuse(message + hint, ExitStatus.USAGE, as_json=as_json, error={"error": message}, kind="用法错误")
    except typer_compat.ClickException as exc:
        return _refuse(exc.format_message(), exc.exit_code, as_json=as_json)
    except typer.Abort:
        changes = _committed()
        sys.stderr.write(f"\nzz: 已取消，{_written(changes) if changes else '未做任何改动'}\n")
        return int(ExitStatus.REFUSED)
    except KeyboardInterrupt:
        changes = _committed()
        sys.stderr.write(f"\nzz: 已中断，{_written(changes) if changes else '未做任何改动'}\n")
        return int(ExitStatus.INTERRUPTED)
    except SystemExit as exc:  # click's answer to EPIPE on stdout: its streams quietened, then exit 1
        changes = _committed()
        if changes and exc.code == 1 and guard is not None and guard.failed:
            return _output_lost(changes, guard, broken_pipe=True)
        raise
    except BrokenPipeError:
        return _output_lost(_committed(), guard, broken_pipe=True)
    except Exception as exc:  # a fault of the storage, or a defect: said in Chinese, never with row data
        if _stdout_lost(exc, guard):
            return _output_lost(_committed(), guard, broken_pipe=isinstance(exc, BrokenPipeError))
        if os.environ.get("ZZ_DEBUG"):
            raise
        return _fault(exc, group, as_json=as_json, **kwargs)


def _fault(exc: Exception, group, *, as_json: bool, **kwargs) -> int:
    from ..db import storage_problem
    from ..errors import ExitStatus, ZzError

    problem = storage_problem(exc, kwargs.get("obj"))
    if problem is None and isinstance(exc, UnicodeError):
        problem = ZzError("输入含有无法识别的字符（终端或文件的编码可能不是 UTF-8），本次命令未完成。"
                          "请把终端编码设为 UTF-8 后重试")
    if problem is not None:
        return _refuse(problem.message, problem.exit_status, as_json=as_json, error=problem.as_json())
    # The exception's text may quote SQL and its parameters (names): only its kind is shown.
    text = (f"命令“{_command_path(group, kwargs.get('args') or [])}”未能完成（{type(exc).__name__}），"
            f"{_written(_committed())}。\n请设置 ZZ_DEBUG=1 重新运行以查看详细信息，并报告给维护人员")
    return _refuse(text, ExitStatus.REFUSED, as_json=as_json, kind="内部错误")


def _refuse_undecodable(args: list[str]) -> None:
    """An argument that is not UTF-8 (a GBK terminal: undecodable bytes become lone surrogates)
    is a usage error, unless it names a file that exists under that very name."""
    from ..errors import UsageProblem

    for a in args:
        if any("\udc80" <= ch <= "\udcff" or "\ud800" <= ch <= "\udfff" for ch in a) and not _existing_path(a):
            try:  # what a GBK terminal meant, to recognise the argument by
                shown = a.encode("utf-8", "surrogateescape").decode("gb18030", "replace")
            except UnicodeError:
                shown = a.encode("utf-8", "replace").decode("utf-8")
            raise UsageProblem(f"参数“{shown}”含有无法识别的字符：终端的编码可能不是 UTF-8（如 GBK）。"
                               "请把终端编码设为 UTF-8 后重试")


def _existing_path(arg: str) -> bool:
    try:
        return os.path.exists(arg.partition("=")[2] if arg.startswith("-") else arg)
    except (OSError, ValueError):
        return False


def _command_path(group, args: list[str]) -> str:
    """`zz issue add`: the command's own words from the command line, never its values."""
    words, cmd = ["zz"], group
    rest = [a for i, a in enumerate(args) if not a.startswith("-") and not (i and args[i - 1] == "--db")]
    for a in rest:
        try:
            sub = cmd.get_command(None, a) if hasattr(cmd, "get_command") else None
        except Exception:
            sub = None
        if sub is None:
            break
        words.append(a)
        cmd = sub
    return " ".join(words)


app = typer.Typer(
    name="zz",
    cls=ZzGroup,
    help="作风纪律专项整治台账：问题清单、整改清单、制度清单、督查问责与报表。",
    no_args_is_help=True,
    add_completion=False,  # `zz completion` instead, in Chinese
    suggest_commands=False,  # ZzGroup.resolve_command suggests, in Chinese
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", help="登记簿：SQLite 文件路径或数据库 URL（优先于 ZZ_DB）")] = None,
):
    """作风纪律专项整治台账。示例：zz issue add "窗口办事拖沓" --unit 杨村 --area 效能意识"""
    settings(ctx).db = db


def main() -> None:
    app()
