"""zz case add|edit|publish|list"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import CSV, JSON, LIMIT, complete_unit, completer, db_session, need, paged, plan_choices, reply
from .edited import NOTE, edit_record

app = typer.Typer(no_args_is_help=True)

KIND = Annotated[Optional[str], typer.Option("--kind", help="正面或反面", autocompletion=completer("case_kinds"))]


@app.command("add")
def case_add(
    ctx: typer.Context,
    title: Annotated[Optional[str], typer.Argument(help="案例标题")] = None,
    kind: KIND = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="涉及人员（如点名）")] = None,
    what: Annotated[Optional[str], typer.Option("--what", help="基本情况")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="发生日期")] = None,
    published: Annotated[Optional[str], typer.Option("--published", help="公开日期")] = None,
    where: Annotated[Optional[str], typer.Option("--where", help="公开载体，如 区政府网站、武清报")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """登记一个典型案例（正面典型或反面典型）。示例：zz case add "窗口推行延时服务" --kind 正面 --unit 杨村 --published 2017-09-01 --where 区政府网站"""
    from .. import cases
    from ..models import Unit

    with db_session(ctx, write=True) as session:
        title = need(title, option="TITLE", label="案例标题")
        kind = need(kind, option="--kind", label="典型类别", choices=plan_choices(session, "case_kinds"))
        unit = need(unit, option="--unit", label="单位")
        case = cases.add(session, title=title, kind=kind, unit=unit, person=person, what=what, on=date, published=published,
                         where=where, note=note)
        rec = cases.record(case, session.get(Unit, case.unit_id).name)
    reply(json_, rec, f"已登记{rec['kind']}典型 #{rec['id']}：{rec['title']}（{rec['unit']}）")


@app.command("edit")
def case_edit(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="案例编号")],
    title: Annotated[Optional[str], typer.Option("--title", help="案例标题")] = None,
    kind: KIND = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="涉及人员（空字符串清除）")] = None,
    what: Annotated[Optional[str], typer.Option("--what", help="基本情况（空字符串清除）")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="发生日期（空字符串清除）")] = None,
    published: Annotated[Optional[str], typer.Option("--published", help="公开日期（空字符串清除）")] = None,
    where: Annotated[Optional[str], typer.Option("--where", help="公开载体（空字符串清除）")] = None,
    note: NOTE = None,
    json_: JSON = False,
):
    """修改一个典型案例（可撤销）。示例：zz case edit 2 --title "窗口推行延时服务" --published 2017-09-02"""
    edit_record(ctx, json_, "cases", case_id, dict(title=title, kind=kind, unit=unit, person=person, what=what, on=date,
                                                   published=published, where=where, note=note),
                named=lambda rec: f"{rec['kind']}典型 #{case_id}")


@app.command("publish")
def case_publish(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="案例编号")],
    date: Annotated[Optional[str], typer.Option("--date", help="公开日期（默认今天）")] = None,
    where: Annotated[Optional[str], typer.Option("--where", help="公开载体")] = None,
    json_: JSON = False,
):
    """登记典型案例已公开（宣传或曝光）。示例：zz case publish 2 --date 2017-09-05 --where 武清报"""
    from .. import cases
    from ..models import Unit

    with db_session(ctx, write=True) as session:
        case = cases.publish(session, case_id, on=date, where=where)
        rec = cases.record(case, session.get(Unit, case.unit_id).name)
    reply(json_, rec, f"典型案例 #{rec['id']} 已于 {rec['published_on']} 公开{('（' + rec['published_where'] + '）') if rec['published_where'] else ''}")


@app.command("list")
def case_list(
    ctx: typer.Context,
    kind: KIND = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="月份（按公开日期，未公开的按发生日期）")] = None,
    limit: LIMIT = None,
    json_: JSON = False,
    csv_: CSV = False,
):
    """列出典型案例。示例：zz case list --kind 反面"""
    from .. import cases

    with db_session(ctx, write=False) as session:
        recs = cases.list_cases(session, kind=kind, unit=unit, period=month)
    paged(f"典型案例（{len(recs)} 个）", ["编号", "类别", "单位", "案例", "人员", "基本情况", "发生日期", "公开日期", "公开载体"],
          recs, lambda r: (r["id"], r["kind"], r["unit"], r["title"], r["person"], r["what"], r["happened_on"],
                           r["published_on"], r["published_where"]), limit=limit, json_=json_, csv_=csv_)
