"""zz accountability add|edit|outcome|list|show"""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from . import output
from .common import CSV, JSON, LIMIT, complete_unit, completer, db_session, need, paged, plan_choices, reply
from .edited import NOTE, edit_record

app = typer.Typer(no_args_is_help=True)

MEASURE = Annotated[Optional[str], typer.Option("--measure", help="问责方式：批评教育、通报批评、诫勉谈话、组织处理、移交纪检", autocompletion=completer("measures"))]


def _say(rec: dict) -> str:
    return f"已登记问责 #{rec['id']}：{rec['unit']} {rec['person']}（{rec['measure']}，{rec['decided_on']}）"


@app.command("add")
def accountability_add(
    ctx: typer.Context,
    person: Annotated[Optional[str], typer.Argument(help="被问责人姓名")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="所在单位", autocompletion=complete_unit)] = None,
    measure: MEASURE = None,
    date: Annotated[Optional[str], typer.Option("--date", help="问责日期")] = None,
    position: Annotated[Optional[str], typer.Option("--position", help="职务")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="决定机关，如 区监察局")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="问责原因")] = None,
    issue: Annotated[Optional[List[int]], typer.Option("--issue", help="相关问题编号（可多次）")] = None,
    referral: Annotated[Optional[str], typer.Option("--referral", help="移交情况（移交纪检时）：移交何处、文号")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """登记一项问责。示例：zz accountability add 王明 --unit 杨村 --measure 诫勉谈话 --date 2017-08-02 --position 科员 --issue 12"""
    from .. import accountability

    with db_session(ctx, write=True) as session:
        person = need(person, option="NAME", label="被问责人姓名")
        unit = need(unit, option="--unit", label="所在单位")
        measure = need(measure, option="--measure", label="问责方式", choices=plan_choices(session, "measures"))
        date = need(date, option="--date", label="问责日期")
        record = accountability.add(session, person=person, unit=unit, measure=measure, on=date, position=position,
                                    decided_by=by, reason=reason, issue_ids=issue or [], referral=referral, note=note)
        rec = accountability.show(session, record.id)
    reply(json_, rec, _say(rec))


@app.command("edit")
def accountability_edit(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(help="问责编号")],
    person: Annotated[Optional[str], typer.Option("--person", help="被问责人姓名")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="所在单位", autocompletion=complete_unit)] = None,
    measure: MEASURE = None,
    date: Annotated[Optional[str], typer.Option("--date", help="问责日期")] = None,
    position: Annotated[Optional[str], typer.Option("--position", help="职务（空字符串清除）")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="决定机关（空字符串清除）")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="问责原因（空字符串清除）")] = None,
    issue: Annotated[Optional[List[int]], typer.Option("--issue", help="相关问题编号（可多次；替换原有的）")] = None,
    referral: Annotated[Optional[str], typer.Option("--referral", help="移交情况（移交纪检时；空字符串清除）")] = None,
    note: NOTE = None,
    json_: JSON = False,
):
    """修改一项问责（可撤销）。示例：zz accountability edit 5 --measure 通报批评 --position 副科长"""
    edit_record(ctx, json_, "accountability", record_id,
                dict(person=person, unit=unit, measure=measure, on=date, position=position, decided_by=by,
                     reason=reason, issue_ids=issue, referral=referral, note=note),
                named=lambda rec: f"问责 #{record_id}（{rec['unit']} {rec['person']}）")


@app.command("outcome")
def accountability_outcome(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(help="问责编号（移交纪检）")],
    text: Annotated[Optional[str], typer.Argument(help="纪检部门的处理结果")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="结果日期（默认今天）")] = None,
    referral: Annotated[Optional[str], typer.Option("--referral", help="补记移交情况：移交何处、文号")] = None,
    json_: JSON = False,
):
    """登记移交纪检的处理结果。示例：zz accountability outcome 5 "给予党内警告处分" --date 2017-09-20"""
    from .. import accountability

    with db_session(ctx, write=True) as session:
        text = need(text, option="TEXT", label="处理结果")
        accountability.outcome(session, record_id, text=text, on=date, referral=referral)
        rec = accountability.show(session, record_id)
    reply(json_, rec, f"已登记问责 #{rec['id']}（{rec['unit']} {rec['person']}）的处理结果：{rec['outcome']}（{rec['outcome_on']}）")


@app.command("list")
def accountability_list(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    measure: MEASURE = None,
    month: Annotated[Optional[str], typer.Option("--month", help="月份，如 2017-08")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="只列移交纪检尚无处理结果的")] = False,
    limit: LIMIT = None,
    json_: JSON = False,
    csv_: CSV = False,
):
    """列出问责。示例：zz accountability list --measure 移交纪检 --pending"""
    from .. import accountability

    with db_session(ctx, write=False) as session:
        recs = accountability.list_records(session, unit=unit, measure=measure, period=month, pending=pending)
    paged(f"问责（{len(recs)} 人次）", ["编号", "日期", "单位", "姓名", "职务", "问责方式", "原因", "决定机关", "相关问题", "处理结果"],
          recs, lambda r: (r["id"], r["decided_on"], r["unit"], r["person"], r["position"], r["measure"], r["reason"],
                           r["decided_by"], "、".join(f"#{i}" for i in r["issue_ids"]),
                           r["outcome"] or ("待处理" if r["pending"] else "")), limit=limit, json_=json_, csv_=csv_)


@app.command("show")
def accountability_show(ctx: typer.Context, record_id: Annotated[int, typer.Argument(help="问责编号")], json_: JSON = False):
    """查看一项问责。示例：zz accountability show 5"""
    from .. import accountability

    with db_session(ctx, write=False) as session:
        rec = accountability.show(session, record_id)
    if json_:
        output.emit_json(rec)
        return
    output.fields(f"问责 #{rec['id']}", [
        ("姓名", rec["person"]), ("职务", rec["position"]), ("单位", rec["unit"]), ("问责方式", rec["measure"]),
        ("问责日期", rec["decided_on"]), ("决定机关", rec["decided_by"]), ("原因", rec["reason"]), ("移交情况", rec["referral"]),
        ("处理结果", rec["outcome"]), ("结果日期", rec["outcome_on"]),
        ("相关问题", "；".join(f"#{i['id']} {i['description']}（{i['status']}）" for i in rec["issues"])), ("备注", rec["note"]),
    ])
