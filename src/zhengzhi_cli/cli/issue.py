"""zz issue add|list|show|edit|void"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import JSON, as_of, complete_area, complete_unit, completer, interactive, need, settings

app = typer.Typer(no_args_is_help=True)

UNIT = Annotated[Optional[str], typer.Option("--unit", help="单位：代码、全称或唯一简称", autocompletion=complete_unit)]
AREA = Annotated[Optional[str], typer.Option("--area", help="整治重点：1–10、一…十或名称（如 效能意识）", autocompletion=complete_area)]
SOURCE = Annotated[Optional[str], typer.Option("--source", help="问题来源：自查、征求意见、督查、上级反馈、群众投诉", autocompletion=completer("sources"))]


def _say_added(rec: dict) -> str:
    return f"已登记问题 #{rec['id']}（{rec['unit']} · {rec['area']} · {rec['source']}）"


@app.command("add")
def issue_add(
    ctx: typer.Context,
    text: Annotated[Optional[str], typer.Argument(help="问题描述")] = None,
    unit: UNIT = None,
    area: AREA = None,
    source: SOURCE = None,
    check: Annotated[Optional[str], typer.Option("--check", help="四查四看事项 1–4")] = None,
    found: Annotated[Optional[str], typer.Option("--found", help="发现日期（默认今天）")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="责任领导")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """登记一条问题（问题清单）；在终端里不带参数则逐条录入，Ctrl-D 结束。

    示例：zz issue add "窗口办事拖沓" --unit 杨村 --area 效能意识
    """
    from .. import issues
    from ..db import open_session

    if text is None and unit is None and area is None and interactive():
        _entry_loop(ctx, source=source, check=check, found=found, leader=leader, owner=owner)
        return
    with open_session(settings(ctx)) as session:
        from ..register import plan_of

        text = need(text, option="TEXT", label="问题描述")
        unit = need(unit, option="--unit", label="单位")
        area = need(area, option="--area", label="整治重点", choices=lambda: [a.name for a in plan_of(session).areas])
        issue = issues.add(session, unit=unit, text=text, area=area, source=source, check=check, found=found,
                           leader=leader, owner=owner, note=note)
        rec = issues.record_of(session, issue, new=True)
    if json_:
        output.emit_json(rec)
    else:
        output.line(_say_added(rec))


def _entry_loop(ctx, **defaults) -> None:
    """The clerk's data-entry loop: one prompted entry after another, each its own transaction."""
    from .. import issues
    from ..db import engine_for, open_session
    from ..errors import ZzError
    from ..migrations import ensure
    from ..register import plan_of

    s = settings(ctx)
    ensure(engine_for(s))
    with open_session(s, write=False) as session:
        plan = plan_of(session)
    areas = "、".join(f"{a.no} {a.name}" for a in plan.areas)
    output.note(f"逐条录入问题（Ctrl-D 结束）。整治重点：{areas}")
    last_unit = None
    count = 0
    while True:
        try:
            unit = _prompt("单位", last_unit)
            text = typer.prompt("问题描述", err=True)
            area = typer.prompt("整治重点", err=True)
            source = _prompt("问题来源", defaults.get("source") or "自查")
            owner = typer.prompt("责任人", default=defaults.get("owner") or "", show_default=False, err=True)
        except (typer.Abort, EOFError, KeyboardInterrupt):
            output.note(f"\n本次录入 {count} 条问题。")
            return
        try:
            with open_session(s) as session:
                issue = issues.add(session, unit=unit, text=text, area=area, source=source, check=defaults.get("check"),
                                   found=defaults.get("found"), leader=defaults.get("leader"), owner=owner or None)
                rec = issues.record_of(session, issue, new=True)
        except ZzError as exc:
            output.note(f"zz: 错误：{exc.message}（本条未保存，请重新录入）")
            continue
        count += 1
        last_unit = rec["unit"]
        output.line(_say_added(rec))


def _prompt(label: str, default: str | None) -> str:
    """A prompt whose default (a unit's name from the register) is shown as text, never raw."""
    from ..text import display

    if not default:
        return typer.prompt(label, err=True)
    return typer.prompt(f"{label} [{display(default)}]", default=default, show_default=False, err=True)


@app.command("list")
def issue_list(
    ctx: typer.Context,
    unit: UNIT = None,
    area: AREA = None,
    source: SOURCE = None,
    status: Annotated[Optional[str], typer.Option("--status", help="问题状态：未整改、整改中、已整改、已销号", autocompletion=completer("issue_statuses"))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列有逾期整改的问题")] = False,
    as_of_: Annotated[Optional[str], typer.Option("--as-of", help="以某日为“今天”")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="最多列出条数")] = None,
    void: Annotated[bool, typer.Option("--void", help="只列已作废的问题（不属实、不予整改、重复）")] = False,
    all_: Annotated[bool, typer.Option("--all", help="连同已作废的问题一起列出")] = False,
    json_: JSON = False,
):
    """列出问题（已作废的不列，除非 --void 或 --all）。示例：zz issue list --unit 杨村 --overdue"""
    from .. import issues
    from ..db import open_session

    with open_session(settings(ctx), write=False) as session:
        recs = issues.list_issues(session, unit=unit, area=area, source=source, status=status, overdue=overdue,
                                  as_of=as_of(as_of_), limit=limit, void="all" if all_ else "only" if void else "live")
    if json_:
        output.emit_json(recs)
        return
    output.table(f"问题清单（{len(recs)} 条）", ["编号", "单位", "整治重点", "来源", "问题描述", "发现日期", "责任人", "整改", "状态"],
                 [(r["id"], r["unit"], r["area"], r["source"], r["description"], r["found_on"], r["owner"],
                   len(r["fixes"]), _status(r)) for r in recs])


def _status(rec: dict) -> str:
    if rec["void_reason"]:
        dup = f"，同 #{rec['duplicate_of']}" if rec["duplicate_of"] else ""
        return f"已作废（{rec['void_reason']}{dup}）"
    return rec["status"] + ("（有逾期）" if rec["overdue"] else "")


@app.command("show")
def issue_show(
    ctx: typer.Context,
    issue_id: Annotated[int, typer.Argument(help="问题编号")],
    as_of_: Annotated[Optional[str], typer.Option("--as-of", help="以某日为“今天”")] = None,
    json_: JSON = False,
):
    """查看一条问题及其整改、制度。示例：zz issue show 12"""
    from .. import issues
    from ..db import open_session

    with open_session(settings(ctx), write=False) as session:
        rec = issues.show(session, issue_id, as_of=as_of(as_of_))
    if json_:
        output.emit_json(rec)
        return
    output.fields(f"问题 #{rec['id']}", [
        ("单位", rec["unit"]), ("整治重点", rec["area"]), ("问题来源", rec["source"]), ("四查四看", rec["check"]),
        ("问题描述", rec["description"]), ("发现日期", rec["found_on"]), ("责任领导", rec["leader"]),
        ("责任人", rec["owner"]), ("状态", _status(rec)), ("备注", rec["note"]),
        *([("作废", f"{rec['voided_on']} {rec['void_reason']}"
                    + (f"（与问题 #{rec['duplicate_of']} 重复）" if rec["duplicate_of"] else ""))] if rec["void_reason"] else []),
    ])
    if rec["fixes"]:
        output.table("整改清单", ["编号", "整改任务及措施", "时限", "责任人", "状态", "逾期"],
                     [(f["id"], f["task"], f["deadline"], f["owner"], f["status"],
                       f"{f['days_late']} 天（{f['tier']}）" if f["overdue"] else "") for f in rec["fixes"]])
    if rec["rules"]:
        output.table("制度清单", ["编号", "制度名称", "立改废", "状态"], [(r["id"], r["title"], r["action"], r["status"]) for r in rec["rules"]])


@app.command("edit")
def issue_edit(
    ctx: typer.Context,
    issue_id: Annotated[int, typer.Argument(help="问题编号")],
    text: Annotated[Optional[str], typer.Option("--text", help="问题描述")] = None,
    unit: UNIT = None,
    area: AREA = None,
    source: SOURCE = None,
    check: Annotated[Optional[str], typer.Option("--check", help="四查四看事项 1–4（空字符串清除）")] = None,
    found: Annotated[Optional[str], typer.Option("--found", help="发现日期")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="责任领导")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """修改一条问题。示例：zz issue edit 12 --owner 李强 --area 6"""
    from .. import issues
    from ..db import open_session

    with open_session(settings(ctx)) as session:
        issues.edit(session, issue_id, text=text, unit=unit, area=area, source=source, check=check, found=found,
                    leader=leader, owner=owner, note=note)
        rec = issues.show(session, issue_id)
    if json_:
        output.emit_json(rec)
    else:
        output.line(f"已修改问题 #{rec['id']}（{rec['unit']} · {rec['area']}）")


@app.command("void")
def issue_void(
    ctx: typer.Context,
    issue_id: Annotated[int, typer.Argument(help="问题编号")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="作废理由：不属实、不予整改、重复")] = None,
    duplicate_of: Annotated[Optional[int], typer.Option("--duplicate-of", help="与哪条问题重复（理由为“重复”时必填）")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="作废日期（默认今天）")] = None,
    json_: JSON = False,
):
    """作废一条误登的问题（保留记录，不再计入清单、逾期和报表；可用 zz undo 撤销）。示例：zz issue void 12 --reason 重复 --duplicate-of 9"""
    from .. import issues
    from ..db import open_session

    with open_session(settings(ctx)) as session:
        reason = need(reason, option="--reason", label="作废理由", choices=list(issues.VOID_REASONS))
        issues.void(session, issue_id, reason=reason, duplicate_of=duplicate_of, on=date)
        rec = issues.show(session, issue_id)
    if json_:
        output.emit_json(rec)
    else:
        output.line(f"已作废问题 #{rec['id']}（{rec['unit']}）：{_status(rec)}，{rec['voided_on']}")
