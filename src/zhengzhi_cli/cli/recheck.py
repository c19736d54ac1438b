"""zz recheck plan|record|import|expand"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import JSON, complete_unit, db_session, need, settings

app = typer.Typer(no_args_is_help=True)

RESULTS = ["巩固", "反弹", "虚假整改"]
OUT = Annotated[Optional[Path], typer.Option("-o", "--output", help="写出回头看核查清单（.xlsx），核查后用 zz recheck import 登记")]
FORCE = Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")]
COLUMNS = ["整改", "单位", "整改任务及措施", "责任人", "销号日期", "销号人"]


def _rows(recs: list[dict]) -> list[tuple]:
    return [(r["fix_id"], r["unit"], r["task"], r["owner"], r["verified_on"], r["verified_by"]) for r in recs]


def _target(ctx: typer.Context, out: Optional[Path], force: bool) -> Optional[Path]:
    from .. import outputs

    if out is None:
        return None
    return outputs.check(out, suffixes=(".xlsx",), force=force, db=settings(ctx).db, what="回头看核查清单")


@app.command("plan")
def recheck_plan(
    ctx: typer.Context,
    seed: Annotated[Optional[str], typer.Option("--seed", help="随机种子：任意文字或数字（公布种子，任何人可重抽同一样本）")] = None,
    rate: Annotated[Optional[str], typer.Option("--rate", help="每个单位抽查的比例：20%、0.2 或 20（默认 10%）")] = None,
    share: Annotated[Optional[str], typer.Option("--share", hidden=True, help="同 --rate（旧写法）")] = None,
    min_per_unit: Annotated[int, typer.Option("--min-per-unit", help="每个单位至少抽查几项（单位不足此数则全抽）")] = 2,
    closed_before: Annotated[Optional[str], typer.Option("--closed-before", help="只抽此日期之前销号的整改，如 2017-09-30")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只抽一个单位", autocompletion=complete_unit)] = None,
    out: OUT = None,
    force: FORCE = False,
    json_: JSON = False,
):
    """回头看：按单位分层、按种子抽取已销号的整改（同一种子同一结果）。示例：zz recheck plan --closed-before 2017-10-01 --rate 20% --min-per-unit 2 --seed 20171016 -o 回头看核查清单.xlsx"""
    from .. import recheck

    seed = need(seed, option="--seed", label="随机种子")
    if rate is not None and share is not None:
        from ..errors import UsageProblem

        raise UsageProblem("--rate 与 --share 是同一个选项，只写一个", field="--rate")
    if share is not None:  # the old option: a share 0.1 or 10%, never a bare percentage
        the_rate = recheck.parse_share(share, label="抽查比例（--share）", field="share")
    else:
        the_rate = recheck.parse_rate(rate or "10%")
    target = _target(ctx, out, force)
    with db_session(ctx, write=False) as session:
        picked = recheck.plan(session, seed=seed, rate=the_rate, min_per_unit=min_per_unit, closed_before=closed_before,
                              unit=unit)
        recs = [dict(p, **r) for p, r in zip(picked, recheck.checklist(session, [p["fix_id"] for p in picked]))]
    title = f"回头看核查清单（种子 {seed.strip()}，比例 {the_rate * 100:g}%，每单位至少 {min_per_unit} 项，{len(recs)} 项）"
    if target is not None:
        from ..excel.recheck import write_checklist

        write_checklist(target, title, recs)
    if json_:
        output.emit_json({"seed": seed.strip(), "rate": the_rate, "share": the_rate, "min_per_unit": min_per_unit,
                          "closed_before": closed_before, "fixes": recs, "file": str(target) if target else None})
        return
    output.table(title, COLUMNS, _rows(recs))
    if target is not None:
        output.line(f"已写出核查清单：{target}")


@app.command("record")
def recheck_record(
    ctx: typer.Context,
    fix_id: Annotated[int, typer.Argument(help="整改编号")],
    result: Annotated[Optional[str], typer.Option("--result", help="巩固、反弹 或 虚假整改（后两者即重新打开这项整改）")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="核查人（不能是责任人）")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="说明（如反弹的情形）")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="日期（默认今天）")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="重新打开后的新时限（默认回头看日期后 30 天，方案 reopen_days 可改）")] = None,
    propose: Annotated[Optional[str], typer.Option("--propose", help="处理建议，如 约谈（写入当月月报综述）")] = None,
    json_: JSON = False,
):
    """登记回头看结果；反弹、虚假整改的整改转回整改中（可用 zz undo 撤销）。示例：zz recheck record 7 --result 反弹 --by 张华 --reason 窗口又现推诿 --propose 约谈"""
    from .. import fixes, recheck

    result = need(result, option="--result", label="回头看结果（巩固/反弹/虚假整改）", choices=RESULTS)
    by = need(by, option="--by", label="核查人")  # asked before the write transaction opens
    with db_session(ctx, write=True) as session:
        fix = recheck.record(session, fix_id=fix_id, result=result, by=by, reason=reason, on=date, deadline=deadline,
                             propose=propose)
        rec = fixes.show(session, fix.id)
    if json_:
        output.emit_json(rec)
    elif rec["status"] != fixes.VERIFIED:
        output.line(f"整改 #{rec['id']} 回头看{result.strip()}，已重新打开：{rec['status']}，新时限 {rec['deadline']}（{rec['unit']}）"
                    + (f"；处理建议：{propose.strip()}" if propose and propose.strip() else ""))
    else:
        output.line(f"整改 #{rec['id']} 回头看{result.strip()}：{rec['status']}（{rec['unit']}）")


@app.command("import")
def recheck_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="填好结果的回头看核查清单（.xlsx/.xls/.ods/.csv）")],
    json_: JSON = False,
):
    """登记填好的回头看核查清单：全部成功才写入，有错则一条不登记（可用 zz undo 撤销）。示例：zz recheck import 回头看结果.xlsx"""
    from .. import recheck
    from ..excel.recheck import read_results

    rows = read_results(file)
    with db_session(ctx, write=True) as session:
        result = recheck.import_results(session, rows, source=file.name)
    if json_:
        output.emit_json(result)
        return
    output.line(f"已登记回头看结果 {result['recorded']} 项：巩固 {result['held']}，反弹 {result['rebound']}，"
                f"虚假整改 {result['fake']}" + (f"；重新打开整改 {'、'.join(f'#{i}' for i in result['reopened'])}"
                                                if result["reopened"] else ""))


@app.command("expand")
def recheck_expand(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位", autocompletion=complete_unit)] = None,
    threshold: Annotated[Optional[str], typer.Option("--threshold", help="未通过率达到多少即全部核查，如 20%（默认取方案 [verification] expand_rate，再默认 20%）")] = None,
    out: OUT = None,
    force: FORCE = False,
    json_: JSON = False,
):
    """扩大核查（试算，不写入登记簿）：单位回头看未通过率达到门槛时，列出其全部已销号整改。示例：zz recheck expand --unit 杨村 -o 杨村全面核查.xlsx"""
    from .. import recheck

    unit = need(unit, option="--unit", label="单位")
    target = _target(ctx, out, force)
    with db_session(ctx, write=False) as session:
        result = recheck.expand(session, unit=unit, threshold=threshold)
    limit = f"{result['threshold'] * 100:g}%"
    rate = "—" if result["failure_rate"] is None else f"{result['failure_rate'] * 100:.1f}%"
    title = f"{result['unit']}扩大核查清单（回头看 {result['rechecked']} 项，未通过 {result['failed']} 项，未通过率 {rate}）"
    if target is not None and result["triggered"]:
        from ..excel.recheck import write_checklist

        write_checklist(target, title, result["fixes"])
        result["file"] = str(target)
    if json_:
        output.emit_json(result)
        return
    if not result["triggered"]:
        output.line(f"{result['unit']}：回头看 {result['rechecked']} 项，未通过 {result['failed']} 项（未通过率 {rate}），"
                    f"未达到扩大核查门槛 {limit}，无须全部核查" + ("；未写出文件" if target is not None else ""))
        return
    output.table(title, COLUMNS, _rows(result["fixes"]))
    output.note(f"未通过率 {rate} 达到门槛 {limit}：以上 {len(result['fixes'])} 项已销号整改须逐项核查（本命令不写入登记簿）")
    if target is not None:
        output.line(f"已写出核查清单：{target}")
