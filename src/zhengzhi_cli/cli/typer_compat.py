"""The only file that touches typer's internals (anything under `typer._…`, or a module
attribute typer does not document). Every hook names what it needs through `_need`, which
fails loudly, naming the installed typer, when an upgrade moves it: tests/test_typer_compat.py
calls `check()` so such an upgrade fails one test with a clear message, not the clerk's
next command. pyproject pins typer to the minor series these hooks were written for.

Hooks, and why each is here:
- `typer.core._`: typer binds its own words (Options, Commands, default: …) to gettext at
  import; it is pointed at zz's zh_CN catalog (cli/zh.py) rather than the process-wide
  domain, so the words are Chinese whatever the terminal's locale.
- `typer.core._TyperParameter.display_type`: the type label (`<str>`) typer prints beside an
  option and an argument, looked up in the same catalog (`<文字>`).
- `typer._coercion.build_runtime_param` (and typer.core's copy of it): text, whole numbers and
  flags are coerced here without pydantic, whose first TypeAdapter costs ~70 ms on every Tab
  press; the refusals are raised in Chinese here.
- `typer._completion_shared`: the completion script and its installation, for `zz completion`.
- click's classes and exceptions, bundled by typer as `typer._click`, re-exported for the CLI.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Optional, Union, get_args, get_origin

import typer

SERIES = "0.29"  # the typer minor series these hooks were written against (pyproject: typer>=0.29,<0.30)


class TyperMoved(AssertionError):
    pass


def _need(module: str, name: str):
    """`module.name` from typer, or a loud failure naming the typer version."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise TyperMoved(f"typer {typer.__version__}: module {module} is gone ({exc}); "
                         f"cli/typer_compat.py was written for typer {SERIES}.x") from None
    if not hasattr(mod, name):
        raise TyperMoved(f"typer {typer.__version__}: {module}.{name} is gone; "
                         f"cli/typer_compat.py was written for typer {SERIES}.x")
    return getattr(mod, name)


Context = typer.Context
HelpFormatter = _need("typer._click.formatting", "HelpFormatter")
UsageError = _need("typer._click.exceptions", "UsageError")
ClickException = _need("typer._click.exceptions", "ClickException")
NoArgsIsHelpError = _need("typer._click.exceptions", "NoArgsIsHelpError")
BadParameter = typer.BadParameter
TyperGroup = _need("typer.core", "TyperGroup")
TyperOption = _need("typer.core", "TyperOption")


def check() -> list[str]:
    """Every hook's target, looked up now; the list of what is missing (empty when all is there)."""
    missing = []
    for module, name in (("typer.core", "_"), ("typer.core", "_TyperParameter"), ("typer.core", "build_runtime_param"),
                         ("typer._coercion", "build_runtime_param"), ("typer._coercion", "RuntimeParam"),
                         ("typer._completion_shared", "get_completion_script"), ("typer._completion_shared", "install"),
                         ("typer._completion_classes", "completion_init"),
                         ("typer._click.formatting", "HelpFormatter"), ("typer._click.exceptions", "UsageError")):
        try:
            _need(module, name)
        except TyperMoved as exc:
            missing.append(str(exc))
    try:
        _need("typer.core", "_TyperParameter").display_type  # noqa: B018
        _need("typer._coercion", "RuntimeParam")._coerce_value  # noqa: B018
    except AttributeError as exc:
        missing.append(f"typer {typer.__version__}: {exc}")
    return missing


def install(gettext) -> None:
    """Applied once at start-up: typer's words and type labels through `gettext`, plain coercion."""
    core = importlib.import_module("typer.core")
    if getattr(core, "_zz_installed", False):
        return
    _need("typer.core", "_")
    core._ = gettext
    _install_type_labels(gettext)
    _install_plain_coercion(gettext)
    # Tab presses (`_ZZ_COMPLETE=…`): typer registers its shells' completion classes only when it
    # adds its own --install-completion options, which `zz completion` replaces
    _need("typer._completion_classes", "completion_init")()
    core._zz_installed = True


def _install_type_labels(gettext) -> None:
    parameter = _need("typer.core", "_TyperParameter")
    assert hasattr(parameter, "display_type"), f"typer {typer.__version__}: _TyperParameter.display_type is gone"
    display_type = parameter.display_type

    def zh_display_type(self, ctx):
        label = display_type(self, ctx)
        many = label.startswith("<list[") and label.endswith("]>")
        inner = f"<{label[6:-2]}>" if many else label
        shown = gettext(inner)
        return f"{shown[:-1]}…>" if many and shown != inner else (shown if not many else label)

    parameter.display_type = zh_display_type


# ---- plain coercion (text, whole numbers, flags) without pydantic ----

_PLAIN = {str: str, int: int, bool: bool, Optional[str]: str, Optional[int]: int, Optional[bool]: bool}
_TRUE, _FALSE = ("1", "true", "t", "yes", "y", "on"), ("0", "false", "f", "no", "n", "off")


def _plain_kind(descriptor) -> type | None:
    annotation = descriptor.annotation
    kind = _PLAIN.get(annotation)
    if kind is None and get_origin(annotation) is Union:
        args = [a for a in get_args(annotation) if a is not type(None)]
        kind = _PLAIN.get(args[0]) if len(args) == 1 else None
    if kind is None or descriptor.file_annotation is not None:
        return None
    info = descriptor.parameter_info
    if info.min is not None or info.max is not None or getattr(info, "parser", None) or getattr(info, "click_type", None):
        return None
    return kind


def _install_plain_coercion(gettext) -> None:
    from .coercion import coerce_plain

    coercion = importlib.import_module("typer._coercion")
    core = importlib.import_module("typer.core")
    build = _need("typer._coercion", "build_runtime_param")
    runtime_param = _need("typer._coercion", "RuntimeParam")
    _need("typer.core", "build_runtime_param")
    assert hasattr(runtime_param, "_coerce_value"), f"typer {typer.__version__}: RuntimeParam._coerce_value is gone"

    @dataclass(frozen=True)
    class PlainRuntimeParam(runtime_param):
        kind: type = str

        def _coerce_value(self, value, param, ctx):
            return coerce_plain(self.kind, value, param, ctx)

    def build_runtime_param(descriptor):
        kind = _plain_kind(descriptor)
        if kind is None:
            return build(descriptor)
        return PlainRuntimeParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, kind=kind)

    coercion.build_runtime_param = build_runtime_param
    core.build_runtime_param = build_runtime_param


# ---- completion scripts (zz completion) ----

def completion_script(shell: str, *, prog_name: str = "zz") -> str:
    script = _need("typer._completion_shared", "get_completion_script")
    return script(prog_name=prog_name, complete_var=f"_{prog_name.upper()}_COMPLETE", shell=shell)


def install_completion(shell: str, *, prog_name: str = "zz"):
    """Where the script was installed (typer writes it and adds a line to the shell's rc file)."""
    install_ = _need("typer._completion_shared", "install")
    _shell, path = install_(shell=shell, prog_name=prog_name, complete_var=f"_{prog_name.upper()}_COMPLETE")
    return path
