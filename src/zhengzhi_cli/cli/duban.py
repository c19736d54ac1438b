"""zz duban: escalation by the plan's rules — 提醒, 督办函, 红牌 (proposal of 约谈)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import db_session

app = typer.Typer(no_args_is_help=True, help="督办：按方案规则提醒、发督办函、亮红牌")


def _as_of(as_of: str | None):
    import datetime as dt

    from ..dates import parse_date

    return parse_date(as_of, field="日期（--as-of）") if as_of else dt.date.today()


@app.command("plan")
def duban_plan(
    ctx: typer.Context,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="按哪天判断（默认今天）")] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """试算督办（不写入）：每个单位触发了哪条规则、依据哪些整改事项。示例：zz duban plan --as-of 2017-08-15"""
    from .. import duban

    day = _as_of(as_of)
    with db_session(ctx, write=False) as session:
        rows = duban.plan(session, as_of=day)
    if json_:
        output.emit_json({"as_of": day.isoformat(), "units": rows})
        return
    output.table(f"督办试算（{day.isoformat()}，共 {len(rows)} 个单位）", ["单位", "规则", "原因", "建议", "回复期限", "整改事项"],
                 [(r["unit"], r["rule"], r["why"], r["proposal"] or "", r["reply_by"] or "",
                   "；".join(f"#{i['fix_id']} {i['task']}（{i['deadline']}）" for i in r["items"])) for r in rows])
    output.note("红牌只是建议约谈，不会生成问责记录；问责请用 zz accountability add 登记。")


@app.command("issue")
def duban_issue(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("-o", "--output", help="督办函存放的文件夹（每个单位一份 .docx）")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="督办日期（默认今天）")] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """发督办函：逾期单位每个一份，编文号、写 .docx，限期回复。示例：zz duban issue --as-of 2017-08-15 -o 督办函/"""
    from .. import duban
    from ..errors import Invalid

    if not out.is_dir():
        raise Invalid(f"输出文件夹（-o）：“{out}”不存在或不是文件夹；请先建立该文件夹", field="output")
    day = _as_of(as_of)
    with db_session(ctx, write=True) as session:
        sent = duban.issue(session, as_of=day, folder=out)
    if json_:
        output.emit_json({"as_of": day.isoformat(), "letters": sent})
        return
    if not sent:
        output.line(f"{day.isoformat()} 没有逾期单位，未发督办函。")
    for r in sent:
        output.line(f"{r['doc_no']}  {r['unit']}（{r['rule']}，{len(r['items'])} 项，{r['reply_by']} 前回复）：{r['file']}")


@app.command("reply")
def duban_reply(
    ctx: typer.Context,
    letter_id: Annotated[int, typer.Argument(help="督办函序号（zz duban list 的“序号”）")],
    date: Annotated[str, typer.Option("--date", help="回复日期")],
    ref: Annotated[Optional[str], typer.Option("--ref", help="回复文件的文号或说明")] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """登记单位对督办函的书面回复。示例：zz duban reply 3 --date 2017-08-20 --ref 杨村街〔2017〕12号"""
    from .. import duban
    from ..dates import parse_date

    on = parse_date(date, field="回复日期（--date）")
    with db_session(ctx, write=True) as session:
        rec = duban.reply(session, letter_id=letter_id, on=on, ref=ref)
    if json_:
        output.emit_json(rec)
    else:
        output.line(f"已登记：{rec['unit']} 于 {rec['replied_on']} 回复督办函 {rec['doc_no']}")


@app.command("list")
def duban_list(
    ctx: typer.Context,
    unreplied: Annotated[bool, typer.Option("--unreplied", help="只列未回复的督办函")] = False,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="按哪天判断回复是否超期（默认今天）")] = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """列出已发督办函及回复情况。示例：zz duban list --unreplied"""
    from .. import duban

    day = _as_of(as_of)
    with db_session(ctx, write=False) as session:
        rows = duban.list_letters(session, unreplied=unreplied, as_of=day)
    if json_:
        output.emit_json(rows)
        return
    output.listing(f"督办函（{len(rows)} 份）", ["序号", "单位", "文号", "规则", "发出日期", "回复期限", "回复日期", "回复文号"],
                 [(r["id"], r["unit"], r["doc_no"], r["rule"], r["issued_on"],
                   r["reply_by"] + ("（已超期）" if r["reply_overdue"] else ""), r["replied_on"] or "未回复", r["reply_ref"] or "")
                  for r in rows])
