"""zz report public: rectification status for 政务公开, with no personal data. Registered onto the report sub-app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import as_of, db_session, need, settings


def register(app: typer.Typer) -> None:
    app.command("public")(report_public)


def report_public(
    ctx: typer.Context,
    out: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件 .xlsx，或 .docx（公示，公文格式）")] = None,
    as_of_: Annotated[Optional[str], typer.Option("--as-of", help="以某日为“今天”")] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON（只显示数字，不写文件）")] = False,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")] = False,
):
    """政务公开：按单位、按整治重点的整改情况及整改事项，不含任何个人信息。示例：zz report public -o 整改情况公示.xlsx --as-of 2017-09-30"""
    from .. import outputs, public

    day = as_of(as_of_)
    if out is not None and not json_ and Path(out).suffix.lower() == ".docx":  # the 公示 notice as a 公文, with its 文号
        from ..documents.reports import write

        outputs.check(out, suffixes=(".docx",), force=force, db=settings(ctx).db, what="公示")
        with db_session(ctx, write=True) as session:
            data = public.compose(session, as_of=day, items=False)
            no = write(session, Path(out), kind="公示", data=data, ref=f"public:{day.isoformat()}")
        output.note(f"已写出：{out}（文号 {no}）")
        return
    with db_session(ctx, write=False) as session:
        if json_:
            output.emit_json(public.compose(session, as_of=day, items=False))
            return
        out = need(out, option="-o", label="输出文件（.xlsx 或 .docx）")
        outputs.check(out, suffixes=outputs.XLSX, force=force, db=settings(ctx).db)
        data = public.write_report(session, path=Path(out), as_of=day)
    t = data["totals"]
    output.line(f"已写入政务公开整改情况：{data['file']}（截至 {data['as_of']}：问题 {t['issues']} 个，已整改 {t['fixed'] + t['closed']} 个，"
                f"整改中 {t['fixing']} 个，未整改 {t['not_fixed']} 个；公示整改事项 {data['items']} 项）")
