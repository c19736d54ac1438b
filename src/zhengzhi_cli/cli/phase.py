"""zz phase, zz milestone done"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import AS_OF, as_of, complete_milestone, complete_unit, db_session

milestone_app = typer.Typer(no_args_is_help=True)

MARK = {"已完成": "✓", "逾期完成": "✓迟", "已逾期": "✗", "未到期": "·"}


def phase(
    ctx: typer.Context,
    today: AS_OF = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只看一个单位", autocompletion=complete_unit)] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """各单位各节点的完成情况（已完成/逾期完成/已逾期/未到期）。示例：zz phase --as-of 2017-07-01"""
    from ..milestones import phase_status
    from ..register import plan_of

    with db_session(ctx, write=False) as session:
        data = phase_status(session, as_of=as_of(today), unit=unit)
        plan = plan_of(session)
    if json_:
        output.emit_json(data)
        return
    cur = data["current_phase"]
    title = f"节点完成情况（截至 {data['as_of']}，当前阶段：{cur['name'] + '（' + cur['start'] + ' 至 ' + cur['end'] + '）' if cur else '不在专项整治期间'}）"
    columns = ["单位"] + [m.name for m in plan.milestones]
    rows = [[u["unit"]] + [MARK[m["state"]] for m in u["milestones"]] for u in data["units"]]
    output.table(title, columns, rows, caption="✓ 已完成  ✓迟 逾期完成  ✗ 已逾期  · 未到期", wide_first=True)
    late = sum(1 for u in data["units"] for m in u["milestones"] if m["state"] == "已逾期")
    output.line(f"共 {len(data['units'])} 个单位，已逾期节点 {late} 个。")


@milestone_app.command("done")
def milestone_done(
    ctx: typer.Context,
    unit: Annotated[str, typer.Argument(help="单位", autocompletion=complete_unit)],
    milestone: Annotated[str, typer.Argument(help="节点：任一节点（实施方案、问题清单、四查四看、总结报告……）；由数据得出的节点以此日期为准", autocompletion=complete_milestone)],
    date: Annotated[Optional[str], typer.Option("--date", help="完成日期（默认今天）")] = None,
    ref: Annotated[Optional[str], typer.Option("--ref", help="文件文号或存档位置（如总结报告的文号）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """标记节点已完成（任一节点；由数据得出的节点以所填日期为准）。示例：zz milestone done 杨村 总结报告 --date 2017-12-08 --ref 杨村街道〔2017〕45号"""
    from ..milestones import mark_done, phase_status

    with db_session(ctx, write=True) as session:
        record = mark_done(session, unit=unit, milestone=milestone, on=date, ref=ref, note=note)
        status = phase_status(session, unit=unit, as_of=record.done_on)
    item = next(m for m in status["units"][0]["milestones"] if m["key"] == record.key)
    rec = {"unit": status["units"][0]["unit"], **item}
    if json_:
        output.emit_json(rec)
    else:
        output.line(f"已标记：{rec['unit']}「{rec['name']}」于 {rec['done_on']} 完成（{rec['state']}，截止 {rec['due_on']}）")
