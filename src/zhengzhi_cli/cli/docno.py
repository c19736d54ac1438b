"""zz docno: the document-number (文号) sequences, one per kind of document per year."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import db_session


def docno(
    ctx: typer.Context,
    kind: Annotated[Optional[str], typer.Option("--kind", help="文种：通报、督办函、公示、总结报告（见 zz plan 的方案文件）")] = None,
    set_: Annotated[Optional[int], typer.Option("--set", help="该文种下一个文号从 N 号起编（手工已编号后续编；不能与已发文号重复）")] = None,
    take: Annotated[bool, typer.Option("--take", help="为在 zz 之外起草的公文取一个文号（须同时给 --kind）")] = False,
    subject: Annotated[Optional[str], typer.Option("--subject", help="取号公文的标题（与 --take 同用）")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="年度（默认今年）")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="取号日期（与 --take 同用，默认今天；年度随日期）")] = None,
    list_: Annotated[bool, typer.Option("--list", help="列出已编发的文号")] = False,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """文号：各文种本年度的编号情况；--take 取号，--set 续编。示例：zz docno --kind 通报 --take --subject "关于……的通报" """
    from .. import docno as docno_mod
    from ..dates import parse_date
    from ..errors import UsageProblem

    if (take or set_ is not None) and not kind:
        raise UsageProblem("取号（--take）或续编（--set）须指明文种：--kind 通报", field="--kind")
    if take and set_ is not None:
        raise UsageProblem("--take 与 --set 不能同时使用：先用 --set 续编，再用 --take 取号", field="--set")
    if take:
        on = parse_date(date, field="取号日期（--date）") if date else None
        with db_session(ctx, write=True) as session:
            got = docno_mod.take(session, kind=kind, on=on, subject=subject)
        if json_:
            output.emit_json(got._asdict())
        else:
            output.line(got.text)
        return
    if set_ is not None:
        with db_session(ctx, write=True) as session:
            row = docno_mod.set_next(session, kind=kind, next_no=set_, year=year)
        if json_:
            output.emit_json(row)
        else:
            output.line(f"{row['kind']} {row['year']} 年的下一个文号：{row['next_text']}")
        return
    with db_session(ctx, write=False) as session:
        rows = docno_mod.given(session, year=year, kind=kind) if list_ else docno_mod.status(session, year=year, kind=kind)
    if json_:
        output.emit_json(rows)
    elif list_:
        output.listing(f"已编发文号（{len(rows)} 个）", ["文种", "文号", "印发日期", "标题"],
                     [(r["kind"], r["text"], r["issued_on"], r["subject"]) for r in rows])
    else:
        output.table("文号编号情况", ["文种", "年度", "发文机关代字", "已编到", "下一个文号"],
                     [(r["kind"], r["year"], r["office"], r["last"] or "—", r["next_text"]) for r in rows])
