"""Plain text, whole numbers and flags coerced without pydantic (hooked in by typer_compat).

Typer coerces every option value through a pydantic TypeAdapter; building the first one
imports pydantic (~70 ms), which a Tab press (shell completion, no SQLModel) would otherwise
pay on every key. zz's options are text, whole numbers, flags and paths: text and numbers are
coerced here, refusing in Chinese; anything else (paths, lists, ranges, choices) still goes
through typer's own path.
"""

from __future__ import annotations

from .typer_compat import BadParameter

_TRUE, _FALSE = ("1", "true", "t", "yes", "y", "on"), ("0", "false", "f", "no", "n", "off")

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


def coerce_plain(kind: type, value, param, ctx):
    """`value` as `kind` (str, int or bool), or a Chinese BadParameter."""
    if kind is str and value is not None and set(getattr(param, "opts", ())) & FAR_DATE_OPTIONS:
        _refuse_far_date(str(value), getattr(param, "opts", [""])[0])
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    if kind is str:
        return str(value)
    if kind is bool:
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise BadParameter(f"“{value}”应为是或否（yes/no）", ctx=ctx, param=param)
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadParameter(f"“{value}”应为整数", ctx=ctx, param=param) from None
