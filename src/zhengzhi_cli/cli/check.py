"""zz check add|edit|list"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import CSV, LIMIT, complete_unit, db_session, need, paged, reply
from .edited import NOTE, edit_record

app = typer.Typer(no_args_is_help=True)


@app.command("add")
def check_add(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    item: Annotated[Optional[str], typer.Option("--item", help="四查四看事项 1–4")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="自查日期")] = None,
    result: Annotated[Optional[str], typer.Option("--result", help="自查结果")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """登记一项四查四看结果。示例：zz check add --unit 杨村 --item 1 --date 2017-04-15 --result "发现问题3个" """
    from .. import checks
    from ..register import plan_of

    with db_session(ctx, write=True) as session:
        unit = need(unit, option="--unit", label="单位")
        item = need(item, option="--item", label="四查四看事项",
                    choices=lambda: [f"{c.no} {c.check}" for c in plan_of(session).checks])
        date = need(date, option="--date", label="自查日期")
        rec = checks.add(session, unit=unit, item=(str(item).split() or [""])[0], on=date, result=result, note=note)
        out = next(r for r in checks.list_checks(session, unit=unit) if r["id"] == rec.id)
    reply(json_, out, f"已登记四查四看 #{out['id']}：{out['unit']} {out['check']}，{out['look']}（{out['date']}）")


@app.command("edit")
def check_edit(
    ctx: typer.Context,
    check_id: Annotated[int, typer.Argument(help="四查四看记录编号")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    item: Annotated[Optional[str], typer.Option("--item", help="四查四看事项 1–4")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="自查日期")] = None,
    result: Annotated[Optional[str], typer.Option("--result", help="自查结果（空字符串清除）")] = None,
    note: NOTE = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """修改一项四查四看结果（可撤销）。示例：zz check edit 2 --date 2017-04-18 --result "发现问题4个" """
    edit_record(ctx, json_, "checks", check_id, dict(unit=unit, item=item, on=date, result=result, note=note),
                named=lambda rec: f"四查四看 #{check_id}（{rec['unit']}）")


@app.command("list")
def check_list(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    limit: LIMIT = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    csv_: CSV = False,
):
    """列出四查四看结果。示例：zz check list --unit 杨村"""
    from .. import checks

    with db_session(ctx, write=False) as session:
        recs = checks.list_checks(session, unit=unit)
    paged(f"四查四看（{len(recs)} 项）", ["编号", "单位", "事项", "查", "看", "日期", "结果"], recs,
          lambda r: (r["id"], r["unit"], r["item"], r["check"], r["look"], r["date"], r["result"]),
          limit=limit, json_=json_, csv_=csv_)
