"""Chinese for the words typer and its bundled click print themselves, through a gettext
catalog (locale/zh_CN/LC_MESSAGES/zz.po): help headings and usage lines through click's own
subclassing points (Context.formatter_class, Command.get_help_option), typer's gettext-wrapped
words and type labels through cli/typer_compat.py, usage errors by the exception's kind and
fields. The catalog and its compiler live in zhengzhi_cli/locale/.
"""

from __future__ import annotations

import re

from ..locale import catalog
from .typer_compat import Context, HelpFormatter


def _(message: str) -> str:
    return catalog().gettext(message)


# ---- help pages ----

class ZzHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class ZzContext(Context):
    """Every command's context: Chinese help pages and a Chinese --help line."""

    formatter_class = ZzHelpFormatter

    def __init__(self, command, *args, **kwargs):
        super().__init__(command, *args, **kwargs)
        option = command.get_help_option(self)
        if option is not None:
            option.help = _("Show this message and exit.")


def localize(cmd) -> None:
    """A command (and a group's loaded commands) built by typer: Chinese help pages."""
    cmd.context_class = ZzContext
    if getattr(cmd, "options_metavar", None) == "[OPTIONS]":
        cmd.options_metavar = _("[OPTIONS]")
    if getattr(cmd, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        cmd.subcommand_metavar = _("COMMAND [ARGS]...")


# ---- usage errors ----

def _opt(param) -> str:
    if param is None:
        return ""
    opts = getattr(param, "opts", None) or []
    longest = max(opts, key=len) if opts else (param.name or "")
    return longest.upper() if getattr(param, "param_type_name", "") == "argument" else longest


def usage_error(exc) -> str:
    """A Chinese sentence for one of click's usage errors, by its kind and fields."""
    name = type(exc).__name__
    message = getattr(exc, "message", str(exc))
    if name == "NoSuchOption":
        hint = _("Did you mean {names}?").format(names="、".join(sorted(exc.possibilities))) if exc.possibilities else ""
        return _("No such option {name}").format(name=exc.option_name) + hint
    if name == "MissingParameter":
        template = "Missing argument {name}" if exc.param_type == "argument" else "Missing option {name}"
        return _(template).format(name=_opt(exc.param))
    if name == "BadParameter":
        return _bad_parameter(exc, message)
    m = re.match(r"Option '(.*)' requires an argument", message)
    if m:
        return _("Option {name} requires an argument").format(name=m.group(1))
    m = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if m:
        return _("Got unexpected extra arguments ({args})").format(args=m.group(1))
    m = re.match(r"No such command '(.*?)'\.?(?: Did you mean (.*)\?)?$", message)
    if m:
        names = re.findall(r"'([^']*)'", m.group(2) or "")
        hint = _("Did you mean {names}?").format(names="、".join(names)) if names else ""
        return _("No such command {name!r}.").format(name=m.group(1)) + hint
    return message


def _bad_parameter(exc, message: str) -> str:
    where = _opt(exc.param) or (exc.param_hint or "")
    if re.search(r"[\u4e00-\u9fff]", message):  # zz's own coercion (cli/coercion.py) speaks Chinese already
        return f"{where}：{message}"
    m = re.search(r"'(.*)' is not one of (.*)\.", message)
    if m:
        return _("{name}: {value!r} is not one of {choices}").format(name=where, value=m.group(1), choices=m.group(2))
    m = re.search(r"'(.*)' is not in the range (.*)\.", message)
    if m:
        return _("{name}: {value!r} is not in the range {range}").format(name=where, value=m.group(1), range=m.group(2))
    # typer's own pydantic coercion (paths, lists) answers in English sentences
    m = re.match(r"Input should be a valid (integer|number|boolean|date|datetime|path)", message)
    if m:
        return _("{name}: should be {kind}").format(name=where, kind=_(m.group(1)))
    return _("{name}: invalid value").format(name=where)
