"""The `zz` command: one Typer sub-app per noun, assembled here.

Modules here import only typer at the top; the domain (and SQLModel with it) is
imported inside each command, so `zz --help` and Tab completion stay fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from . import coercion, zh
from .common import settings

zh.install()
coercion.install()


class LazyCommands:
    """Commands (and, at the top, sub-apps) become click objects only when used: converting
    all of them (~40 commands, their annotations evaluated) cost ~35 ms on every run, and a
    sub-app's other commands ~8 ms more — a good part of what `zz issue add` may spend
    beyond its imports. Help lists them from their help line alone."""

    lazy_commands: dict = {}  # name → typer CommandInfo
    lazy_groups: dict = {}  # name → (sub-app or "module:attr", help)

    def list_commands(self, ctx):
        return list(dict.fromkeys([*self.lazy_commands, *self.commands, *self.lazy_groups]))

    def get_command(self, ctx, name):
        cmd = self.commands.get(name)
        if cmd is None and name in self.lazy_groups:
            cmd = self.commands[name] = _build_group(name)
        elif cmd is None and name in self.lazy_commands:
            cmd = self.commands[name] = _build_command(self.lazy_commands[name])
        return cmd

    def format_commands(self, ctx, formatter):
        from inspect import getdoc

        from typer._click.utils import make_default_short_help

        rows = []
        for n in self.list_commands(ctx):
            if n in self.commands:
                rows.append((n, self.commands[n]))
            elif n in self.lazy_groups:
                rows.append((n, self.lazy_groups[n][1]))
            elif not self.lazy_commands[n].hidden:
                rows.append((n, self.lazy_commands[n].help or getdoc(self.lazy_commands[n].callback) or ""))
        rows = [(n, c) for n, c in rows if isinstance(c, str) or not c.hidden]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(n) for n, _ in rows)
        rows = [(n, make_default_short_help(c, limit) if isinstance(c, str) else c.get_short_help_str(limit)) for n, c in rows]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx, args):
        from typer._click.exceptions import UsageError

        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            import difflib

            matches = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in exc.message:
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"
            raise


class SubGroup(LazyCommands, TyperGroup):
    """A sub-app (`zz issue …`) whose commands are built on first use."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = {}


class ZzGroup(LazyCommands, TyperGroup):
    """The one place where errors become a Chinese message on stderr and an exit status."""

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


LAZY_GROUPS: dict[str, tuple[typer.Typer | str, str]] = {}  # name → (sub-app or "module:attr", help)
LAZY_COMMANDS: dict = {}  # name → typer CommandInfo, moved out of app.registered_commands by _defer_commands


def _defer_commands() -> None:
    """Top-level commands (init, plan, log, …) are likewise converted only when used."""
    from typer.main import get_command_name

    for info in app.registered_commands:
        LAZY_COMMANDS[info.name or get_command_name(info.callback.__name__)] = info
    app.registered_commands = []


def _build_command(info):
    from typer.main import get_command_from_info

    return get_command_from_info(info, pretty_exceptions_short=app.pretty_exceptions_short,
                                 rich_markup_mode=app.rich_markup_mode)


def add_group(sub: typer.Typer | str, *, name: str, help: str) -> None:
    """`app.add_typer`, built on first use (see ZzGroup.get_command). A "module:attr" string
    defers even the import of the sub-app's module, so `zz issue add` loads only cli/issue.py."""
    LAZY_GROUPS[name] = (sub, help)


def _build_group(name: str):
    from typer.main import get_group_from_info
    from typer.models import TyperInfo

    sub, help_ = LAZY_GROUPS[name]
    if isinstance(sub, str):
        import importlib

        module, attr = sub.split(":")
        sub = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    from typer.main import get_command_name

    infos = {info.name or get_command_name(info.callback.__name__): info for info in sub.registered_commands}
    saved, sub.registered_commands = sub.registered_commands, []
    try:
        group = get_group_from_info(TyperInfo(sub, name=name, help=help_, cls=SubGroup),
                                    pretty_exceptions_short=app.pretty_exceptions_short,
                                    rich_markup_mode=app.rich_markup_mode, suggest_commands=app.suggest_commands)
    finally:
        sub.registered_commands = saved
    group.lazy_commands = infos
    return group


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

    def write(self, text):
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


def _run(group, guard, **kwargs) -> int:
    from typer._click import exceptions as click_exc

    from ..errors import ExitStatus, ZzError
    from ..text import display  # a message may quote what was typed or read from a file: never raw to the terminal

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
        changes = _committed()
        sys.stderr.write(f"zz: 错误：{display(exc.message)}\n" + (f"（{_written(changes)}）\n" if changes else ""))
        return int(exc.exit_status)
    except click_exc.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n")
        return 0
    except click_exc.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = f"\n用法：{exc.ctx.command_path} --help 查看说明"
        sys.stderr.write(f"zz: 用法错误：{display(zh.usage_error(exc))}{display(hint)}\n")
        return int(ExitStatus.USAGE)
    except click_exc.ClickException as exc:
        sys.stderr.write(f"zz: 错误：{display(exc.format_message())}\n")
        return exc.exit_code
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
        from ..db import storage_problem

        problem = storage_problem(exc, kwargs.get("obj"))
        if problem is None and isinstance(exc, UnicodeError):
            problem = ZzError("输入含有无法识别的字符（终端或文件的编码可能不是 UTF-8），本次命令未完成。"
                              "请把终端编码设为 UTF-8 后重试")
        if problem is not None:
            changes = _committed()
            sys.stderr.write(f"zz: 错误：{problem.message}\n" + (f"（{_written(changes)}）\n" if changes else ""))
            return int(problem.exit_status)
        # The exception's text may quote SQL and its parameters (names): only its kind is shown.
        sys.stderr.write(f"zz: 内部错误：命令“{_command_path(group, kwargs.get('args') or [])}”未能完成（{type(exc).__name__}），"
                         f"{_written(_committed())}。\n请设置 ZZ_DEBUG=1 重新运行以查看详细信息，并报告给维护人员\n")
        return int(ExitStatus.REFUSED)


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


from . import bulletin, docno, evidence, history, phase, setup, transfer  # noqa: E402  (they add top-level commands)

setup.register(app)
transfer.register(app)
bulletin.register(app)
docno.register(app)
add_group("doc:app", name="doc", help="公文：模板可用的占位符")
add_group("duban:app", name="duban", help="督办：按方案规则提醒、发督办函、亮红牌")
add_group(setup.db_app, name="db", help="登记簿位置")
add_group("unit:app", name="unit", help="单位：新增、列表、查看、修改、导入")
add_group("check:app", name="check", help="四查四看：登记各单位自查结果")
add_group("issue:app", name="issue", help="问题清单：登记、列表、查看、修改")
add_group("fix:app", name="fix", help="整改清单：新增、进展、完成、销号、退回、延期")
add_group("evidence:app", name="evidence", help="佐证材料：添加、列表、打开、核对、清理")
add_group("recheck:app", name="recheck", help="回头看：按种子分层抽查已销号整改、登记结果")
add_group("rule:app", name="rule", help="制度清单：立、改、废")
add_group(phase.milestone_app, name="milestone", help="节点：标记手工节点完成")
add_group(transfer.export_app, name="export", help="导出：整改台账")
add_group("report:app", name="report", help="报表：阶段进度、月报、总结、政务公开")
add_group("inspect:app", name="inspect", help="督查：明察暗访、抽查检查、集中督查")
add_group("accountability:app", name="accountability", help="问责：批评教育、通报批评、诫勉谈话、组织处理、移交纪检")
add_group("opinion:app", name="opinion", help="征求意见：座谈会、征求意见表、服务评价评议")
add_group("case:app", name="case", help="典型案例：正面典型、反面典型")
phase.register(app)
history.register(app)
app.command("archive")(evidence.archive)

_defer_commands()
ZzGroup.lazy_commands = LAZY_COMMANDS
ZzGroup.lazy_groups = LAZY_GROUPS


def main() -> None:
    app()
