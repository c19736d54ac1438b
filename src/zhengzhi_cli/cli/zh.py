"""Chinese for the few words Typer's bundled click prints itself (help headings, usage
errors). Applied once at start-up; touches only cheap module attributes, so it costs
nothing measurable and imports no rich."""

from __future__ import annotations

import re

HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
HELP_TEXT = "显示帮助并退出"
TYPE_NAMES = {"str": "文字", "int": "整数", "float": "数字", "file": "文件", "path": "路径", "directory": "目录",
              "text": "文字", "integer": "整数"}
# the words typer puts inside help lines (`[default: 50]`, `[required]`)
WORDS = {"default: {default}": "默认：{default}", "required": "必填", "env var: {var}": "环境变量：{var}",
         "(dynamic)": "（动态）"}


def install() -> None:
    from typer._click import decorators, formatting

    if getattr(formatting, "_zz_installed", False):
        return
    formatting._zz_installed = True
    section = formatting.HelpFormatter.section
    write_usage = formatting.HelpFormatter.write_usage

    def zh_section(self, name):
        return section(self, HEADINGS.get(name, name))

    def zh_write_usage(self, prog, args="", prefix=None):
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        return write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.section = zh_section
    formatting.HelpFormatter.write_usage = zh_write_usage

    help_option = decorators.help_option

    def zh_help_option(param_decls):
        decorate = help_option(param_decls)

        def apply(cmd):
            cmd = decorate(cmd)
            cmd.params[-1].help = HELP_TEXT
            return cmd

        return apply

    decorators.help_option = zh_help_option

    from typer import core

    core._ = lambda text: HEADINGS.get(text) or WORDS.get(text, text)

    # `zz --help` shows typer's completion options too; a clerk reads Chinese there as well
    from typer import main as typer_main

    completion_arguments = typer_main.get_install_completion_arguments

    def zh_completion_arguments():
        install, show = completion_arguments()
        install.help = "为当前 shell 安装 Tab 补全（单位名称、整治重点等）"
        show.help = "显示当前 shell 的 Tab 补全脚本，可复制或自行安装"
        return install, show

    typer_main.get_install_completion_arguments = zh_completion_arguments

    # metavars: `--unit <文字>` rather than `--unit <str>`
    display_type = core._TyperParameter.display_type

    def zh_display_type(self, ctx):
        label = display_type(self, ctx)
        if not (label.startswith("<") and label.endswith(">")):
            return label
        inner = label[1:-1]
        many = inner.startswith("list[") and inner.endswith("]")
        name = inner[5:-1] if many else inner
        return f"<{TYPE_NAMES.get(name, name)}{'…' if many else ''}>"

    core._TyperParameter.display_type = zh_display_type


def _opt(param) -> str:
    if param is None:
        return ""
    opts = getattr(param, "opts", None) or []
    longest = max(opts, key=len) if opts else (param.name or "")
    return longest.upper() if getattr(param, "param_type_name", "") == "argument" else longest


def usage_error(exc) -> str:
    """A Chinese sentence for one of click's usage errors."""
    name = type(exc).__name__
    message = getattr(exc, "message", str(exc))
    if name == "NoSuchOption":
        hint = f"。是否指：{'、'.join(sorted(exc.possibilities))}？" if exc.possibilities else ""
        return f"没有选项“{exc.option_name}”{hint}"
    if name == "MissingParameter":
        what = "参数" if exc.param_type == "argument" else "选项"
        return f"缺少{what} {_opt(exc.param)}"
    if name == "BadParameter":
        where = _opt(exc.param) or (exc.param_hint or "")
        m = re.search(r"'(.*)' is not a valid (integer|float)", message)
        if m:
            return f"{where}：“{m.group(1)}”应为{'整数' if m.group(2) == 'integer' else '数字'}"
        m = re.search(r"'(.*)' is not one of (.*)\.", message)
        if m:
            return f"{where}：“{m.group(1)}”不在可选范围内：{m.group(2)}"
        m = re.search(r"'(.*)' is not in the range (.*)\.", message)
        if m:
            return f"{where}：“{m.group(1)}”超出范围 {m.group(2)}"
        # typer ≥ 0.29 coerces through pydantic, whose messages are English sentences
        m = re.match(r"Input should be a valid (integer|number|boolean|date|datetime|path)", message)
        if m:
            kind = {"integer": "整数", "number": "数字", "boolean": "是或否", "date": "日期", "datetime": "日期时间",
                    "path": "文件路径"}[m.group(1)]
            return f"{where}：应为{kind}"
        return f"{where}：取值无效"
    m = re.match(r"Option '(.*)' requires an argument", message)
    if m:
        return f"选项 {m.group(1)} 后面需要一个值"
    m = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if m:
        return f"多余的参数：{m.group(1)}（含空格的文字请加引号）"
    m = re.match(r"No such command '(.*?)'\.?(?: Did you mean (.*)\?)?$", message)
    if m:
        names = re.findall(r"'([^']*)'", m.group(2) or "")
        hint = f"。是否指：{'、'.join(names)}？" if names else ""
        return f"没有命令“{m.group(1)}”{hint}"
    return message
