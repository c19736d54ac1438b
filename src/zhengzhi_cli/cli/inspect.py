"""zz inspect add|edit|finding|list|show|report"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from . import output
from .common import CSV, JSON, LIMIT, complete_area, complete_unit, completer, db_session, need, paged, plan_choices, reply, settings
from .edited import NOTE, edit_record

app = typer.Typer(no_args_is_help=True)

KIND = Annotated[Optional[str], typer.Option("--kind", help="督查形式：明察暗访、抽查检查、集中督查", autocompletion=completer("inspection_kinds"))]
AREA = Annotated[Optional[str], typer.Option("--area", help="整治重点（发现转为问题时必填）", autocompletion=complete_area)]
MONTH = Annotated[Optional[str], typer.Option("--month", help="月份，如 2017-07")]


def _say(rec: dict) -> str:
    found = f"，发现问题 {len(rec['issues'])} 条" if rec["issues"] else ""
    return f"已登记督查 #{rec['id']}（{rec['kind']}，{rec['inspected_on']}，{'、'.join(rec['units'])}{found}）"


@app.command("add")
def inspect_add(
    ctx: typer.Context,
    unit: Annotated[Optional[List[str]], typer.Option("--unit", help="被督查单位（可多次，或用、分隔）", autocompletion=complete_unit)] = None,
    kind: KIND = None,
    date: Annotated[Optional[str], typer.Option("--date", help="督查日期")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="督查人员")] = None,
    finding: Annotated[Optional[List[str]], typer.Option("--finding", help="督查发现（可多次；督查多个单位时写成“单位：发现”）")] = None,
    as_issue: Annotated[bool, typer.Option("--as-issue", help="把每条发现登记为问题（来源：督查），需 --area")] = False,
    area: AREA = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="问题责任人（--as-issue 时）")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="问题责任领导（--as-issue 时）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """登记一次督查（被督查即完成“接受督查”节点）。示例：zz inspect add --unit 杨村 --kind 明察暗访 --date 2017-07-12 --finding "窗口人员脱岗" --as-issue --area 规矩意识"""
    from .. import inspections

    with db_session(ctx, write=True) as session:
        unit = need(unit, option="--unit", label="被督查单位")
        kind = need(kind, option="--kind", label="督查形式", choices=plan_choices(session, "inspection_kinds"))
        date = need(date, option="--date", label="督查日期")
        inspection = inspections.add(session, kind=kind, on=date, unit_names=unit, by=by, findings=finding, note=note,
                                     as_issues=as_issue, area=area, owner=owner, leader=leader)
        rec = inspections.show(session, inspection.id)
    reply(json_, rec, _say(rec))


@app.command("edit")
def inspect_edit(
    ctx: typer.Context,
    inspection_id: Annotated[int, typer.Argument(help="督查编号")],
    unit: Annotated[Optional[List[str]], typer.Option("--unit", help="被督查单位（可多次，或用、分隔；替换原有的）", autocompletion=complete_unit)] = None,
    kind: KIND = None,
    date: Annotated[Optional[str], typer.Option("--date", help="督查日期（由它发现的问题的发现日期随之更正）")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="督查人员（空字符串清除）")] = None,
    note: NOTE = None,
    json_: JSON = False,
):
    """修改一次督查（可撤销）。示例：zz inspect edit 3 --date 2017-07-13 --by "张华、李明" """
    edit_record(ctx, json_, "inspections", inspection_id, dict(kind=kind, on=date, unit_names=unit, by=by, note=note),
                named=lambda rec: f"督查 #{inspection_id}")


@app.command("finding")
def inspect_finding(
    ctx: typer.Context,
    inspection_id: Annotated[int, typer.Argument(help="督查编号")],
    text: Annotated[Optional[str], typer.Argument(help="督查发现的问题")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="问题所在单位（督查多个单位时必填）", autocompletion=complete_unit)] = None,
    area: AREA = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="责任领导")] = None,
    json_: JSON = False,
):
    """把督查发现登记为问题（来源：督查，关联该次督查）。示例：zz inspect finding 3 "窗口人员脱岗" --area 规矩意识"""
    from .. import inspections, issues

    with db_session(ctx, write=True) as session:
        text = need(text, option="TEXT", label="督查发现")
        area = need(area, option="--area", label="整治重点")
        issue = inspections.add_finding(session, inspection_id, text=text, unit=unit, area=area, owner=owner, leader=leader)
        rec = issues.record_of(session, issue)
    reply(json_, rec, f"已登记问题 #{rec['id']}（{rec['unit']} · {rec['area']} · 督查 #{inspection_id}）")


@app.command("list")
def inspect_list(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="被督查单位", autocompletion=complete_unit)] = None,
    kind: KIND = None,
    month: MONTH = None,
    limit: LIMIT = None,
    json_: JSON = False,
    csv_: CSV = False,
):
    """列出督查。示例：zz inspect list --month 2017-07"""
    from .. import inspections

    with db_session(ctx, write=False) as session:
        recs = inspections.list_inspections(session, unit=unit, kind=kind, period=month)
    paged(f"督查（{len(recs)} 次）", ["编号", "日期", "形式", "被督查单位", "督查人员", "督查发现", "转为问题"], recs,
          lambda r: (r["id"], r["inspected_on"], r["kind"], "、".join(r["units"]), r["inspectors"], "；".join(r["findings"]),
                     len(r["issues"])), limit=limit, json_=json_, csv_=csv_)


@app.command("show")
def inspect_show(ctx: typer.Context, inspection_id: Annotated[int, typer.Argument(help="督查编号")], json_: JSON = False):
    """查看一次督查及其发现的问题。示例：zz inspect show 3"""
    from .. import inspections

    with db_session(ctx, write=False) as session:
        rec = inspections.show(session, inspection_id)
    if json_:
        output.emit_json(rec)
        return
    output.fields(f"督查 #{rec['id']}", [("形式", rec["kind"]), ("日期", rec["inspected_on"]), ("被督查单位", "、".join(rec["units"])),
                                        ("督查人员", rec["inspectors"]), ("督查发现", "\n".join(rec["findings"])), ("备注", rec["note"])])
    if rec["issues"]:
        output.table("发现的问题", ["编号", "单位", "整治重点", "问题描述", "状态"],
                     [(i["id"], i["unit"], i["area"], i["description"], i["status"]) for i in rec["issues"]])


@app.command("report")
def inspect_report(
    ctx: typer.Context,
    month: MONTH = None,
    out: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入文件：.xlsx 或 .md（不写则显示在屏幕上）")] = None,
    json_: JSON = False,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")] = False,
):
    """督查情况反馈（报区政府）：本月督查及其发现。示例：zz inspect report --month 2017-07 -o 督查反馈-7月.xlsx"""
    from .. import inspections, outputs

    if out is not None and not json_:
        outputs.check(out, suffixes=outputs.XLSX_OR_MD, force=force, db=settings(ctx).db, what="督查情况反馈")
    with db_session(ctx, write=False) as session:
        month = need(month, option="--month", label="月份（如 2017-07）")
        data = inspections.report(session, period=month)
        if not data["empty"] and out is not None and not json_:
            inspections.write_report(data, path=out)
    if json_:
        output.emit_json(data)
        return
    if data["empty"]:
        output.line(f"{data['month']} 没有督查记录，未生成反馈" + ("，未写入文件。" if out else "。"))
        return
    t = data["totals"]
    summary = (f"{data['month']}：督查 {t['inspections']} 次，督查单位 {t['units_inspected']} 个，发现问题 {t['issues_found']} 条"
               f"（{'，'.join(f'{k} {v}' for k, v in t['issues_by_status'].items())}）")
    if out is not None:
        output.line(f"已写入督查情况反馈：{out}（{summary}）")
        return
    output.table(data["title"], ["日期", "形式", "被督查单位", "督查人员", "督查发现", "问题及状态"],
                 [(r["inspected_on"], r["kind"], "、".join(r["units"]), r["inspectors"], "；".join(r["findings"]),
                   "、".join(f"#{i['id']}{i['status']}" for i in r["issues"])) for r in data["inspections"]])
    output.line(summary + "。")
