"""zz unit add|list|show|edit|import"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import JSON, complete_unit, completer, db_session, need, plan_choices

app = typer.Typer(no_args_is_help=True)



@app.command("add")
def unit_add(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help="单位全称")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="单位类型：镇、街道、园区、部门、事业单位、下属单位", autocompletion=completer("unit_kinds"))] = None,
    code: Annotated[Optional[str], typer.Option("--code", help="单位代码")] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="上级单位（下属单位必填）", autocompletion=complete_unit)] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="主要负责人")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="联系人")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="联系电话")] = None,
    json_: JSON = False,
):
    """新增单位。示例：zz unit add 杨村街道 --kind 街道 --code 120114001"""
    from .. import units

    with db_session(ctx, write=True) as session:
        name = need(name, option="NAME", label="单位名称")
        kind = need(kind, option="--kind", label="单位类型", choices=plan_choices(session, "unit_kinds"))
        unit = units.add(session, name=name, kind=kind, code=code, parent=parent, leader=leader, contact=contact, phone=phone)
        rec = units.record(unit, units.names_by_id(session) if unit.parent_id else {})
    if json_:
        output.emit_json(rec)
    else:
        output.line(f"已新增单位 #{rec['id']} {rec['name']}（{rec['kind']}{'，上级：' + rec['parent'] if rec['parent'] else ''}）")


@app.command("list")
def unit_list(
    ctx: typer.Context,
    kind: Annotated[Optional[str], typer.Option("--kind", help="只列某类单位", autocompletion=completer("unit_kinds"))] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="只列某单位的下属单位", autocompletion=complete_unit)] = None,
    json_: JSON = False,
):
    """列出单位。示例：zz unit list --kind 镇"""
    from .. import units

    with db_session(ctx, write=False) as session:
        names = units.names_by_id(session)
        recs = [units.record(u, names) for u in units.list_units(session, kind=kind, parent=parent)]
    if json_:
        output.emit_json(recs)
        return
    output.table(f"单位（{len(recs)} 个）", ["编号", "代码", "名称", "类型", "上级单位", "负责人", "联系人", "电话"],
                 [(r["id"], r["code"], r["name"], r["kind"], r["parent"], r["leader"], r["contact"], r["phone"]) for r in recs])


@app.command("show")
def unit_show(
    ctx: typer.Context,
    unit: Annotated[str, typer.Argument(help="单位：代码、全称或唯一简称", autocompletion=complete_unit)],
    json_: JSON = False,
):
    """查看单位及其问题、整改、制度数量。示例：zz unit show 杨村"""
    from ..units import show

    with db_session(ctx, write=False) as session:
        rec = show(session, unit)
    if json_:
        output.emit_json(rec)
        return
    output.fields(rec["name"], [("编号", rec["id"]), ("代码", rec["code"]), ("类型", rec["kind"]), ("上级单位", rec["parent"]),
                                ("下属单位", "、".join(rec["children"]) or "无"), ("负责人", rec["leader"]), ("联系人", rec["contact"]),
                                ("电话", rec["phone"]), ("问题", rec["counts"]["issues"]), ("整改", rec["counts"]["fixes"]),
                                ("制度", rec["counts"]["rules"]), ("四查四看", rec["counts"]["checks"])])


@app.command("edit")
def unit_edit(
    ctx: typer.Context,
    unit: Annotated[str, typer.Argument(help="单位：代码、全称或唯一简称", autocompletion=complete_unit)],
    name: Annotated[Optional[str], typer.Option("--name", help="新名称")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="单位类型", autocompletion=completer("unit_kinds"))] = None,
    code: Annotated[Optional[str], typer.Option("--code", help="单位代码")] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="上级单位", autocompletion=complete_unit)] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="主要负责人")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="联系人")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="联系电话")] = None,
    json_: JSON = False,
):
    """修改单位信息。示例：zz unit edit 杨村街道 --contact 王明 --phone 022-29341234"""
    from .. import units

    with db_session(ctx, write=True) as session:
        u = units.edit(session, unit, name=name, kind=kind, code=code, parent=parent, leader=leader, contact=contact, phone=phone)
        rec = units.record(u, units.names_by_id(session))
    if json_:
        output.emit_json(rec)
    else:
        output.line(f"已修改单位 #{rec['id']} {rec['name']}")


@app.command("import")
def unit_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="单位名单 .xlsx 或 .csv（单位名称、单位类型、单位代码、上级单位……）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将做的改动，不写入")] = False,
    json_: JSON = False,
):
    """从 Excel/CSV 导入单位名单（已有的按名称或代码更新）。示例：zz unit import 单位名单.xlsx"""
    from ..excel.units import import_units

    with db_session(ctx, write=True, commit=not dry_run) as session:
        result = import_units(session, file)
    if json_:
        output.emit_json(result)
    else:
        verb = "将" if dry_run else "已"
        output.line(f"{verb}导入单位：新增 {result['new']} 个，更新 {result['updated']} 个，未变 {result['unchanged']} 个"
                    + ("（试运行，未写入）" if dry_run else ""))
