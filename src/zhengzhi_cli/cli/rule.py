"""zz rule add|edit|done|list"""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from . import output
from .common import CSV, JSON, LIMIT, complete_unit, db_session, need, paged, plan_choices, reply
from .edited import NOTE, edit_record

app = typer.Typer(no_args_is_help=True)

RULE_ID = Annotated[int, typer.Argument(help="制度编号")]


@app.command("add")
def rule_add(
    ctx: typer.Context,
    title: Annotated[Optional[str], typer.Argument(help="制度名称")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    action: Annotated[Optional[str], typer.Option("--action", help="立、改或废")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="计划完成时间")] = None,
    issue: Annotated[Optional[List[int]], typer.Option("--issue", help="针对的问题编号（可多次）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """登记一项制度（制度清单：立、改、废）。示例：zz rule add "首问负责制度" --unit 杨村 --action 立 --due 2017-06-30"""
    from .. import rules

    with db_session(ctx, write=True) as session:
        title = need(title, option="TITLE", label="制度名称")
        unit = need(unit, option="--unit", label="单位")
        action = need(action, option="--action", label="立改废", choices=plan_choices(session, "rule_actions"))
        rule = rules.add(session, unit=unit, title=title, action=action, due=due, issue_ids=issue or [], note=note)
        rec = rules.show(session, rule.id)
    reply(json_, rec, f"已登记制度 #{rec['id']}「{rec['title']}」（{rec['unit']}，{rec['action']}）")


@app.command("edit")
def rule_edit(
    ctx: typer.Context,
    rule_id: RULE_ID,
    title: Annotated[Optional[str], typer.Option("--title", help="制度名称")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    action: Annotated[Optional[str], typer.Option("--action", help="立、改或废")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="计划完成时间（空字符串清除）")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="完成日期（已完成的制度）")] = None,
    doc_no: Annotated[Optional[str], typer.Option("--doc-no", help="文号（空字符串清除）")] = None,
    issue: Annotated[Optional[List[int]], typer.Option("--issue", help="针对的问题编号（可多次；替换原有的）")] = None,
    note: NOTE = None,
    json_: JSON = False,
):
    """修改一项制度（可撤销）。示例：zz rule edit 3 --title "首问负责制度（修订）" --due 2017-07-31"""
    edit_record(ctx, json_, "rules", rule_id, dict(title=title, unit=unit, action=action, due=due, doc_no=doc_no,
                                                   issue_ids=issue, note=note, done_on=date),
                named=lambda rec: f"制度 #{rule_id}「{rec['title']}」")


@app.command("done")
def rule_done(
    ctx: typer.Context,
    rule_id: RULE_ID,
    date: Annotated[Optional[str], typer.Option("--date", help="完成日期（默认今天）")] = None,
    doc_no: Annotated[Optional[str], typer.Option("--doc-no", help="文号")] = None,
    json_: JSON = False,
):
    """制度完成（印发、修订或废止）。示例：zz rule done 3 --doc-no 武清政办〔2017〕12号"""
    from .. import rules

    with db_session(ctx, write=True) as session:
        rules.done(session, rule_id, on=date, doc_no=doc_no)
        rec = rules.show(session, rule_id)
    reply(json_, rec, f"制度 #{rec['id']}「{rec['title']}」已完成（{rec['done_on']}{'，' + rec['doc_no'] if rec['doc_no'] else ''}）")


@app.command("list")
def rule_list(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    action: Annotated[Optional[str], typer.Option("--action", help="立、改或废")] = None,
    limit: LIMIT = None,
    json_: JSON = False,
    csv_: CSV = False,
):
    """列出制度清单。示例：zz rule list --unit 杨村"""
    from .. import rules

    with db_session(ctx, write=False) as session:
        recs = rules.list_rules(session, unit=unit, action=action)
    paged(f"制度清单（{len(recs)} 项）", ["编号", "单位", "制度名称", "立改废", "计划完成", "状态", "文号", "针对问题"], recs,
          lambda r: (r["id"], r["unit"], r["title"], r["action"], r["due_on"], r["status"], r["doc_no"],
                     "、".join(f"#{i}" for i in r["issue_ids"])), limit=limit, json_=json_, csv_=csv_)
