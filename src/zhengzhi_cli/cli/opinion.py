"""zz opinion add|edit|link|publish|list|import"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from . import output
from .common import JSON, LIMIT, complete_area, complete_unit, completer, db_session, need, paged, plan_choices, reply
from .edited import NOTE, edit_record

app = typer.Typer(no_args_is_help=True)

CHANNEL = Annotated[Optional[str], typer.Option("--channel", help="征求方式：座谈会、征求意见表、服务评价评议", autocompletion=completer("channels"))]
FROM = Annotated[Optional[str], typer.Option("--from", help="意见来源：服务对象、基层群众、上级部门、相关单位", autocompletion=completer("opinion_from"))]
AREA = Annotated[Optional[str], typer.Option("--area", help="整治重点（转为问题时必填）", autocompletion=complete_area)]
AS_ISSUE = Annotated[bool, typer.Option("--as-issue", help="把意见登记为问题（来源：征求意见），需 --area")]


def _say(rec: dict) -> str:
    link = f"，关联问题 #{rec['issue_id']}" if rec["issue_id"] else ""
    return f"已登记意见 #{rec['id']}（{rec['unit']}，{rec['channel']}，{rec['from']}，{rec['people']} 人{link}）"


def _rec(session, opinion_id: int) -> dict:
    from .. import opinions
    from ..models import Issue, Unit

    op = opinions.get(session, opinion_id)
    issue = session.get(Issue, op.issue_id) if op.issue_id else None
    return opinions.record(op, session.get(Unit, op.unit_id).name, issue.status if issue else None)


@app.command("add")
def opinion_add(
    ctx: typer.Context,
    text: Annotated[Optional[str], typer.Argument(help="意见内容")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="征求意见的单位", autocompletion=complete_unit)] = None,
    channel: CHANNEL = None,
    from_: FROM = None,
    count: Annotated[int, typer.Option("--count", help="反映人数")] = 1,
    date: Annotated[Optional[str], typer.Option("--date", help="征求日期（默认今天）")] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="问题类别：同类意见归在一起，统计反映集中的问题")] = None,
    issue: Annotated[Optional[int], typer.Option("--issue", help="关联已有问题编号")] = None,
    as_issue: AS_ISSUE = False,
    area: AREA = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="问题责任人（--as-issue 时）")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="问题责任领导（--as-issue 时）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """登记一条征求到的意见。示例：zz opinion add "办事要跑好几趟" --unit 杨村 --channel 座谈会 --from 服务对象 --count 5 --as-issue --area 服务意识"""
    from .. import opinions

    with db_session(ctx, write=True) as session:
        text = need(text, option="TEXT", label="意见内容")
        unit = need(unit, option="--unit", label="单位")
        channel = need(channel, option="--channel", label="征求方式", choices=plan_choices(session, "channels"))
        from_ = need(from_, option="--from", label="意见来源", choices=plan_choices(session, "opinion_from"))
        op = opinions.add(session, text=text, unit=unit, channel=channel, from_group=from_, people=count, on=date, topic=topic,
                          issue_id=issue, as_issue=as_issue, area=area, owner=owner, leader=leader, note=note)
        rec = _rec(session, op.id)
    reply(json_, rec, _say(rec))


@app.command("edit")
def opinion_edit(
    ctx: typer.Context,
    opinion_id: Annotated[int, typer.Argument(help="意见编号")],
    text: Annotated[Optional[str], typer.Option("--text", help="意见内容")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="征求意见的单位", autocompletion=complete_unit)] = None,
    channel: CHANNEL = None,
    from_: FROM = None,
    count: Annotated[Optional[int], typer.Option("--count", help="反映人数")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="征求日期")] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="问题类别（空字符串清除）")] = None,
    issue: Annotated[Optional[int], typer.Option("--issue", help="关联的问题编号")] = None,
    note: NOTE = None,
    json_: JSON = False,
):
    """修改一条意见（可撤销）。示例：zz opinion edit 4 --count 8 --topic 办事多跑路"""
    edit_record(ctx, json_, "opinions", opinion_id,
                dict(text=text, unit=unit, channel=channel, from_group=from_, people=count, on=date, topic=topic,
                     issue_id=issue, note=note),
                named=lambda rec: f"意见 #{opinion_id}（{rec['unit']}）", show=_rec)


@app.command("link")
def opinion_link(
    ctx: typer.Context,
    opinion_id: Annotated[int, typer.Argument(help="意见编号")],
    issue: Annotated[Optional[int], typer.Option("--issue", help="关联已有问题编号")] = None,
    as_issue: AS_ISSUE = False,
    area: AREA = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="问题责任人（--as-issue 时）")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="问题责任领导（--as-issue 时）")] = None,
    json_: JSON = False,
):
    """把意见关联到已有问题，或转为新问题（来源：征求意见）。示例：zz opinion link 4 --as-issue --area 为民意识"""
    from .. import opinions

    with db_session(ctx, write=True) as session:
        opinions.link(session, opinion_id, issue_id=issue, as_issue=as_issue, area=area, owner=owner, leader=leader)
        rec = _rec(session, opinion_id)
    reply(json_, rec, f"意见 #{rec['id']} 已关联问题 #{rec['issue_id']}（{rec['issue_status']}）")


@app.command("publish")
def opinion_publish(
    ctx: typer.Context,
    opinion_ids: Annotated[Optional[List[int]], typer.Argument(help="意见编号（可多个）")] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="该类别的全部意见")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="公布日期（默认今天）")] = None,
    json_: JSON = False,
):
    """登记已公布整改情况。示例：zz opinion publish --topic 办事多跑路 --date 2017-09-10"""
    from .. import opinions

    with db_session(ctx, write=True) as session:
        done = opinions.publish(session, ids=opinion_ids or [], topic=topic, on=date)
        recs = [_rec(session, op.id) for op in done]
    reply(json_, recs, f"已登记公布整改情况：意见 {len(recs)} 条（{recs[0]['published_on']}）")


@app.command("list")
def opinion_list(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    channel: CHANNEL = None,
    from_: FROM = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="问题类别")] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="月份，如 2017-05")] = None,
    top: Annotated[int, typer.Option("--top", help="显示反映最集中的前几类问题")] = 10,
    limit: LIMIT = None,
    json_: JSON = False,
    csv_: Annotated[bool, typer.Option("--csv", help="输出意见的 CSV（全部行）")] = False,
):
    """列出意见，以及反映比较集中的突出问题和是否已公布整改情况。示例：zz opinion list --unit 杨村"""
    from .. import opinions

    with db_session(ctx, write=False) as session:
        data = opinions.list_opinions(session, unit=unit, channel=channel, from_group=from_, topic=topic, period=month)
    columns = ["编号", "日期", "单位", "征求方式", "来源", "人数", "意见内容", "类别", "问题", "公布"]

    def row(r):
        return (r["id"], r["received_on"], r["unit"], r["channel"], r["from"], r["people"], r["content"], r["topic"],
                f"#{r['issue_id']} {r['issue_status']}" if r["issue_id"] else "", r["published_on"] or "")

    if json_:
        output.emit_json(data)
        return
    if csv_:
        paged("", columns, data["opinions"], row, limit=limit, csv_=True)
        return
    concerns = data["concerns"][:top]
    output.table(f"反映比较集中的突出问题（前 {len(concerns)} 类，共 {len(data['concerns'])} 类）",
                 ["排名", "问题", "反映次数", "人数", "单位", "征求方式", "整改情况", "公布整改情况"],
                 [(g["rank"], g["concern"], g["times"], g["people"], "、".join(g["units"]), "、".join(g["channels"]),
                   g["rectification"] + ("（" + "、".join(f"#{i}" for i in g["issue_ids"]) + "）" if g["issue_ids"] else ""),
                   g["published_on"] or "未公布") for g in concerns])
    recs = data["opinions"]
    paged(f"意见（{len(recs)} 条）", columns, recs, row, limit=limit)


@app.command("import")
def opinion_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="征求意见汇总表 .xlsx 或 .csv（单位、征求方式、意见来源、意见内容、人数、日期、问题类别）")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="表中没有“单位”列时，意见所属单位", autocompletion=complete_unit)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将做的改动，不写入")] = False,
    json_: JSON = False,
):
    """从 Excel/CSV 导入征求意见（有一处错误则整份不导入）。示例：zz opinion import 杨村征求意见汇总.xlsx --unit 杨村"""
    from .. import opinions

    with db_session(ctx, write=True, commit=not dry_run) as session:
        result = opinions.import_file(session, file, unit=unit)
    if json_:
        output.emit_json(result)
    else:
        verb = "将" if dry_run else "已"
        output.line(f"{verb}导入意见：新增 {result['new']} 条，已有 {result['unchanged']} 条" + ("（试运行，未写入）" if dry_run else ""))
