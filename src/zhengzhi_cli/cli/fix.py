"""zz fix add|edit|progress|done|verify|return|extend|list|show"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import AS_OF, CSV, JSON, LIMIT, as_of, complete_unit, completer, db_session, need, page_or_stream, reply
from .edited import NOTE, edit_record

app = typer.Typer(no_args_is_help=True)

FIX_ID = Annotated[int, typer.Argument(help="整改编号")]
DATE = Annotated[Optional[str], typer.Option("--date", help="日期（默认今天）")]


def when(rec: dict, plan=None, *, short: bool = False) -> str:
    """A fix's 时限 as the clerk wrote it: 立行立改 in words (with the day it runs to), not a bare date;
    `short`: the words alone, for a table at a terminal, where a date column must never be cut."""
    from ..fixes import deadline_words

    words = deadline_words(rec, plan)
    return "立行立改" if short and words and words.startswith("立行立改") else words


def _done(verb: str, fix, json_: bool, session) -> None:
    from .. import fixes

    rec = fixes.show(session, fix.id)
    reply(json_, rec, f"整改 #{rec['id']} {verb}：{rec['status']}（{rec['unit']}，时限 {when(rec)}）")


@app.command("add")
def fix_add(
    ctx: typer.Context,
    issue_id: Annotated[int, typer.Argument(help="问题编号")],
    task: Annotated[Optional[str], typer.Argument(help="整改任务及措施")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="整改时限：日期、长期坚持或立行立改")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人（默认同问题）")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="责任领导（默认同问题）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """为问题新增一项整改（整改清单）。示例：zz fix add 12 "推行首问负责制" --deadline 2017-06-30"""
    from .. import fixes

    with db_session(ctx, write=True) as session:
        task = need(task, option="TASK", label="整改任务及措施")
        deadline = need(deadline, option="--deadline", label="整改时限（日期或“长期坚持”）")
        fix = fixes.add(session, issue_id=issue_id, task=task, deadline=deadline, owner=owner, leader=leader, note=note)
        rec = fixes.show(session, fix.id)
    reply(json_, rec, f"已新增整改 #{rec['id']}（问题 #{rec['issue_id']}，{rec['unit']}，时限 {when(rec)}）")


@app.command("edit")
def fix_edit(
    ctx: typer.Context,
    fix_id: FIX_ID,
    task: Annotated[Optional[str], typer.Option("--task", help="整改任务及措施")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="整改时限：日期、长期坚持或立行立改（延期后请用 zz fix extend）")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人（不能是核验过它的人；空字符串清除）")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="责任领导（空字符串清除）")] = None,
    note: NOTE = None,
    json_: JSON = False,
):
    """修改一项整改（可撤销）。示例：zz fix edit 7 --owner 李强 --deadline 2017-07-31"""
    edit_record(ctx, json_, "fixes", fix_id, dict(task=task, deadline=deadline, owner=owner, leader=leader, note=note),
                named=lambda rec: f"整改 #{fix_id}（{rec['unit']}）")


@app.command("progress")
def fix_progress(
    ctx: typer.Context,
    fix_id: FIX_ID,
    text: Annotated[Optional[str], typer.Argument(help="进展情况")] = None,
    date: DATE = None,
    json_: JSON = False,
):
    """登记整改进展（未开始的转为整改中）。示例：zz fix progress 7 "已制定首问负责制度草案" """
    from .. import fixes

    with db_session(ctx, write=True) as session:
        text = need(text, option="TEXT", label="进展情况")
        _done("已登记进展", fixes.progress(session, fix_id, text=text, on=date), json_, session)


@app.command("done")
def fix_done(
    ctx: typer.Context,
    fix_id: FIX_ID,
    date: DATE = None,
    evidence: Annotated[Optional[str], typer.Option("--evidence", help="整改成效/佐证材料")] = None,
    json_: JSON = False,
):
    """整改完成。示例：zz fix done 7 --date 2017-06-20 --evidence "制度已印发" """
    from .. import fixes

    with db_session(ctx, write=True) as session:
        _done("已完成", fixes.done(session, fix_id, on=date, evidence=evidence), json_, session)


@app.command("verify")
def fix_verify(
    ctx: typer.Context,
    fix_id: FIX_ID,
    by: Annotated[Optional[str], typer.Option("--by", help="核验人（不能是责任人，同一人不能核验两级）")] = None,
    date: DATE = None,
    evidence: Annotated[Optional[str], typer.Option("--evidence", help="核验意见/佐证")] = None,
    level: Annotated[Optional[str], typer.Option("--level", help="核验层级（须是下一级，如 督查室核验；不写即下一级）")] = None,
    json_: JSON = False,
):
    """销号：核验已完成的整改，升一级（方案规定的最后一级即销号）。示例：zz fix verify 7 --by 督查室张华"""
    from .. import fixes

    with db_session(ctx, write=True) as session:
        by = need(by, option="--by", label="销号核验人")
        fix = fixes.verify(session, fix_id, by=by, on=date, evidence=evidence, level=level)
        rec = fixes.show(session, fix.id)
    if json_:
        output.emit_json(rec)
        return
    v = rec["verification"]
    if rec["status"] == fixes.VERIFIED:
        last = f"（{v['levels'][-1]}，{v['label']}）" if v["of"] > 1 else ""
        output.line(f"整改 #{rec['id']} 已销号{last}：{rec['status']}（{rec['unit']}，时限 {when(rec)}）")
    else:
        output.line(f"整改 #{rec['id']} 已通过“{v['levels'][v['passed'] - 1]}”（{v['label']}），"
                    f"下一级：{v['next']}（{rec['unit']}，时限 {when(rec)}）")


@app.command("return")
def fix_return(
    ctx: typer.Context,
    fix_id: FIX_ID,
    by: Annotated[Optional[str], typer.Option("--by", help="退回人")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="退回理由")] = None,
    date: DATE = None,
    json_: JSON = False,
):
    """退回：核验未通过，转回整改中进行二次整改。示例：zz fix return 7 --by 张华 --reason "佐证不足" """
    from .. import fixes

    with db_session(ctx, write=True) as session:
        by = need(by, option="--by", label="退回人")
        reason = need(reason, option="--reason", label="退回理由")
        _done("已退回", fixes.return_(session, fix_id, by=by, reason=reason, on=date), json_, session)


@app.command("extend")
def fix_extend(
    ctx: typer.Context,
    fix_id: FIX_ID,
    to: Annotated[Optional[str], typer.Option("--to", help="新的整改时限")] = None,
    approver: Annotated[Optional[str], typer.Option("--approver", help="批准人")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="延期理由")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="批准延期的日期（默认今天）；此日起按新时限计")] = None,
    json_: JSON = False,
):
    """延期：经批准推迟整改时限（保留原时限）。示例：zz fix extend 7 --to 2017-09-30 --approver 孙剑楠 --reason "涉及跨部门协调" """
    from .. import fixes

    with db_session(ctx, write=True) as session:
        to = need(to, option="--to", label="新的整改时限")
        approver = need(approver, option="--approver", label="批准人")
        reason = need(reason, option="--reason", label="延期理由")
        _done("已延期", fixes.extend(session, fix_id, to=to, approver=approver, reason=reason, on=date), json_, session)


@app.command("list")
def fix_list(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="整改状态：未开始、整改中、已完成、已销号", autocompletion=completer("fix_statuses"))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期的（按时限排序）")] = False,
    claimed: Annotated[bool, typer.Option("--claimed", help="只列单位自报“已销号”、待区里核验销号的")] = False,
    today: AS_OF = None,
    limit: LIMIT = None,
    json_: JSON = False,
    csv_: CSV = False,
):
    """列出整改事项，时限最近的在前；长期坚持的另列。示例：zz fix list --overdue --as-of 2017-08-01"""
    from .. import fixes

    filters = dict(unit=unit, status=status, overdue=overdue, as_of=as_of(today), claimed=claimed)
    columns = ["编号", "问题", "单位", "整改任务及措施", "时限", "责任人", "状态", "逾期"]
    levels = False  # a 核验 column (levels passed, e.g. 2/3) where the plan has more than one level

    short = output.to_terminal() and not (json_ or csv_)

    def row(f):
        cells = (f["id"], f["issue_id"], f["unit"], f["task"], when(f, short=short), f["owner"], _status_text(f),
                 f"{f['days_late']} 天（{f['tier']}）" if f["overdue"] else "")
        return cells[:7] + (f"{f['verification']['passed']}/{f['verification']['of']}",) + cells[7:] if levels else cells

    with db_session(ctx, write=False) as session:
        from ..register import plan_of

        if len(plan_of(session).verify_levels) > 1:
            levels = True
            columns.insert(7, "核验")
        shown = page_or_stream(json_, csv_, limit, columns, row,
                               stream=lambda n: fixes.iter_fixes(session, limit=n, **filters),
                               page=lambda n: fixes.list_fixes(session, limit=n, urgent_first=True, **filters),
                               count=lambda: fixes.count_fixes(session, **filters))
    if shown is None:
        return
    recs, total = shown
    dated = [f for f in recs if f["deadline"] != "长期坚持"]
    ongoing = [f for f in recs if f["deadline"] == "长期坚持"]
    if not output.to_terminal():  # piped: one header line, then every row
        output.listing(None, columns, [row(f) for f in dated + ongoing])
    else:
        output.listing(f"整改清单（{len(dated)} 项）", columns, [row(f) for f in dated])
        if ongoing:
            output.listing(f"长期坚持（{len(ongoing)} 项）", columns, [row(f) for f in ongoing])
    output.page_note(total, len(recs))


def _status_text(rec: dict) -> str:
    return f"{rec['status']}（回头看未通过）" if rec.get("recheck_failed") else rec["status"]


def _event_text(e: dict) -> str:
    if e["kind"] == "回头看" and e["new_deadline"]:  # a failed recheck: the new deadline it set
        return f"{e['text'] or ''}\n新时限 {e['new_deadline']}（原 {e['old_deadline'] or '长期坚持'}）"
    return e["text"] or (f"{e['old_deadline']} → {e['new_deadline']}" if e["new_deadline"] else "")


def _level_text(v: dict) -> str:
    if v["of"] == 1:
        return v["label"]
    passed = " → ".join(v["levels"][:v["passed"]]) or "尚无"
    return f"{v['label']}（已通过：{passed}" + (f"；下一级：{v['next']}）" if v["next"] else "）")


@app.command("show")
def fix_show(
    ctx: typer.Context,
    fix_id: FIX_ID,
    today: AS_OF = None,
    json_: JSON = False,
):
    """查看一项整改及其全部经过。示例：zz fix show 7"""
    from .. import fixes

    with db_session(ctx, write=False) as session:
        from ..register import plan_of

        rec = fixes.show(session, fix_id, as_of=as_of(today))
        plan = plan_of(session)
    if json_:
        output.emit_json(rec)
        return
    output.fields(f"整改 #{rec['id']}", [
        ("问题", f"#{rec['issue_id']} {rec['issue']}"), ("单位", rec["unit"]), ("整改任务及措施", rec["task"]),
        ("时限", when(rec, plan) + (f"（原时限 {rec['original_deadline']}）" if rec["original_deadline"] else "")),
        ("责任领导", rec["leader"]), ("责任人", rec["owner"]), ("状态", _status_text(rec)),
        ("完成日期", rec["done_on"]), ("销号", f"{rec['verified_on']} {rec['verified_by']}" if rec["verified_on"] else None),
        ("核验", _level_text(rec["verification"])),
        ("逾期", f"{rec['days_late']} 天（{rec['tier']}）" if rec["overdue"] else "否"),
    ])
    if rec["events"]:
        output.table("经过", ["日期", "事项", "内容", "经办人", "批准人"],
                     [(e["date"], e["kind"], _event_text(e), e["by"], e["approver"]) for e in rec["events"]])
