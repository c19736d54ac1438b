"""zz recheck plan|record"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import JSON, complete_unit, db_session, need

app = typer.Typer(no_args_is_help=True)


@app.command("plan")
def recheck_plan(
    ctx: typer.Context,
    seed: Annotated[Optional[int], typer.Option("--seed", help="随机种子（公布种子，任何人可重抽同一样本）")] = None,
    share: Annotated[float, typer.Option("--share", help="每个单位抽查已销号整改的比例，如 0.1")] = 0.1,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只抽一个单位", autocompletion=complete_unit)] = None,
    json_: JSON = False,
):
    """回头看：按单位分层、按种子抽取已销号的整改（同一种子同一结果）。示例：zz recheck plan --seed 20171010 --share 0.1"""
    from .. import fixes, recheck

    seed = need(seed, option="--seed", label="随机种子")
    with db_session(ctx, write=False) as session:
        picked = recheck.plan(session, seed=seed, share=share, unit=unit)
        recs = []
        for p in picked:
            r = fixes.show(session, p["fix_id"])
            recs.append(dict(p, **{k: r[k] for k in ("task", "owner", "verified_on", "verified_by")}))
    if json_:
        output.emit_json({"seed": seed, "share": share, "fixes": recs})
        return
    output.table(f"回头看抽查（种子 {seed}，比例 {share:g}，{len(recs)} 项）", ["整改", "单位", "整改任务及措施", "责任人", "销号日期", "销号人"],
                 [(r["fix_id"], r["unit"], r["task"], r["owner"], r["verified_on"], r["verified_by"]) for r in recs])


@app.command("record")
def recheck_record(
    ctx: typer.Context,
    fix_id: Annotated[int, typer.Argument(help="整改编号")],
    result: Annotated[Optional[str], typer.Option("--result", help="通过 或 未通过（未通过即重新打开这项整改）")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="核查人（不能是责任人）")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="未通过的理由")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="日期（默认今天）")] = None,
    json_: JSON = False,
):
    """登记回头看结果；未通过的整改转回整改中（可用 zz undo 撤销）。示例：zz recheck record 7 --result 未通过 --by 张华 --reason 问题反弹"""
    from .. import fixes, recheck

    with db_session(ctx, write=True) as session:
        result = need(result, option="--result", label="回头看结果（通过/未通过）", choices=["通过", "未通过"])
        by = need(by, option="--by", label="核查人")
        fix = recheck.record(session, fix_id=fix_id, result=result, by=by, reason=reason, on=date)
        rec = fixes.show(session, fix.id)
    if json_:
        output.emit_json(rec)
    elif result == "未通过":
        output.line(f"整改 #{rec['id']} 回头看未通过，已重新打开：{rec['status']}（{rec['unit']}）")
    else:
        output.line(f"整改 #{rec['id']} 回头看通过：{rec['status']}（{rec['unit']}）")
