"""zz bulletin: the 通报 第N期 for a month."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import db_session, need, settings


def bulletin(
    ctx: typer.Context,
    out: Annotated[Optional[Path], typer.Option("-o", "--output", help="通报文件：.xlsx、.md 或 .docx（公文）")] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="通报月份，如 2017-08（默认本月）")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="印发日期（默认今天）")] = None,
    new_number: Annotated[bool, typer.Option("--new-number", help="同一月份再发一期，使用新期号（默认沿用原期号）")] = False,
    reissue: Annotated[bool, typer.Option("--reissue", help="更正重发已印发的一期（沿用期号、按现有数据重新生成），须写明 --reason")] = False,
    reason: Annotated[Optional[str], typer.Option("--reason", help="更正重发的理由（与 --reissue 同用）")] = None,
    list_: Annotated[bool, typer.Option("--list", help="列出已印发的通报")] = False,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON（已印发的月份显示印发时的内容；否则只显示内容，不编号、不写文件）")] = False,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")] = False,
    template: Annotated[Optional[Path], typer.Option("--template", help="本单位的 .docx 公文模板（占位符见 zz doc vars 通报；仅用于 -o …docx）")] = None,
):
    """印发一期通报：进展滞后单位、点名问责、正反典型、整改完成情况。示例：zz bulletin --month 2017-08 -o 通报第3期.xlsx"""
    from .. import bulletins, outputs
    from ..errors import UsageProblem

    if list_:
        with db_session(ctx, write=False) as session:
            recs = bulletins.list_bulletins(session)
        if json_:
            output.emit_json(recs)
        else:
            output.listing(f"已印发通报（{len(recs)} 期）", ["期号", "月份", "印发日期", "标题", "文件", "备注"],
                         [(r["no"], r["period"], r["issued_on"], r["title"], r["file"], r["note"]) for r in recs])
        return
    if reissue and new_number:
        raise UsageProblem("--reissue（同一期更正重发）与 --new-number（新的一期）只能选一个", field="--reissue")
    if reason is not None and not reissue:
        raise UsageProblem("--reason 是更正重发的理由，须与 --reissue 同用（zz bulletin --month 2017-07 --reissue --reason 理由 -o …）",
                           field="--reason")
    if json_:
        with db_session(ctx, write=False) as session:
            output.emit_json(bulletins.preview(session, period=month, on=date))
        return
    if reissue:
        reason = need(reason, option="--reason", label="更正重发的理由")
    out = need(out, option="-o", label="通报文件（.xlsx、.md 或 .docx）")
    if template is not None and Path(out).suffix.lower() != ".docx":
        from ..errors import UsageProblem

        raise UsageProblem("--template 只用于公文：请把 -o 写成 .docx 文件，如 -o 通报.docx", field="--template")
    outputs.check(out, suffixes=(*outputs.XLSX_OR_MD, ".docx"), force=force, db=settings(ctx).db, what="通报")
    with db_session(ctx, write=True) as session:
        data = bulletins.issue(session, period=month, path=Path(out), new_number=new_number, on=date, template=template,
                               reissue=reissue, reason=reason)
    if not data["written"]:
        output.line(f"{data['period']} 没有可通报的内容（无进展滞后单位、问责、典型案例、完成整改或督查），未生成通报，未占用期号。")
        return
    t = data["totals"]
    verb = "已更正重发（沿用期号）" if reissue else ("已重新生成（沿用期号和内容）" if data["reissued"] else "已印发")
    output.line(f"{verb}通报第{data['no']}期（{data['period']}）：{data['file']}"
                + (f"，文号 {data['doc_no']}" if data.get("doc_no") else ""))
    output.line(f"  进展滞后单位 {t['lagging_units']} 个，逾期整改 {t['overdue_fixes']} 项（红 {t['tiers']['红']}、黄 {t['tiers']['黄']}、蓝 {t['tiers']['蓝']}）；"
                f"问责 {t['accountability']} 人次；正面典型 {t['cases_positive']} 个、反面典型 {t['cases_negative']} 个；完成整改 {t['fixes_completed']} 项。")
