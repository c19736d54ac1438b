"""Plain text and whole-number options coerced without pydantic.

Typer 0.29 coerces every option value through a pydantic TypeAdapter; building the first
one imports pydantic (~70 ms), which a Tab press (shell completion, no SQLModel) would
otherwise pay on every key. zz's options are text, whole numbers, flags and paths: text
and numbers are coerced here; anything else (paths, lists, ranges, choices) still goes
through typer's own path. Applied once at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union, get_args, get_origin

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


# "As if today were D": a day outside these years is a typing slip, and the reports would
# build one column per month up to it (9999-12-31 overflowed the date type).
FAR_DATE_OPTIONS = {"--as-of"}
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def _refuse_far_date(text: str, option: str) -> None:
    from ..dates import parse_date
    from ..errors import UsageProblem, ZzError

    try:
        day = parse_date(text, field=option)
    except ZzError:
        return  # not a date at all: the command refuses it with its own message
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise UsageProblem(f"{option}：“{text}”不在 {EARLIEST_YEAR}–{LATEST_YEAR} 年之间，请检查年份", field=option)


def install() -> None:
    from typer import _coercion, core
    from typer._click.exceptions import BadParameter

    if getattr(_coercion, "_zz_plain", False):
        return
    _coercion._zz_plain = True
    build = _coercion.build_runtime_param

    @dataclass(frozen=True)
    class PlainRuntimeParam(_coercion.RuntimeParam):
        kind: type = str

        def _coerce_value(self, value, param, ctx):
            if self.kind is str and value is not None and set(getattr(param, "opts", ())) & FAR_DATE_OPTIONS:
                _refuse_far_date(str(value), getattr(param, "opts", [""])[0])
            if isinstance(value, self.kind) and (self.kind is bool or not isinstance(value, bool)):
                return value
            if self.kind is str:
                return str(value)
            if self.kind is bool:
                text = str(value).strip().lower()
                if text in _TRUE or text in _FALSE:
                    return text in _TRUE
                raise BadParameter("Input should be a valid boolean", ctx=ctx, param=param)
            try:
                return int(str(value).strip())
            except ValueError:
                # the same words typer's pydantic path uses, so zh.usage_error translates both
                raise BadParameter("Input should be a valid integer, unable to parse string as an integer",
                                   ctx=ctx, param=param) from None

    def build_runtime_param(descriptor):
        kind = _plain_kind(descriptor)
        if kind is None:
            return build(descriptor)
        return PlainRuntimeParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, kind=kind)

    _coercion.build_runtime_param = build_runtime_param
    core.build_runtime_param = build_runtime_param
