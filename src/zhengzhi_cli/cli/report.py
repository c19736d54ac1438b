"""zz report phases|monthly|summary (zz report public is registered from public.py)

Each report: `-o FILE.xlsx` writes the workbook, `--json` prints its figures, neither prints
the main tables in the terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import as_of, db_session, settings

app = typer.Typer(no_args_is_help=True)

OUT = Annotated[Optional[Path], typer.Option("-o", "--output", help="输出工作簿（.xlsx）；不写则在终端显示")]
AS_OF = Annotated[Optional[str], typer.Option("--as-of", help="以某日为“今天”")]
JSON = Annotated[bool, typer.Option("--json", help="输出 JSON（报表的全部数字），不写文件")]
FORCE = Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")]
LIMIT = Annotated[int, typer.Option("--limit", help="逾期清单等明细表最多列出条数（0 为不限）")]


def _pct(v) -> str:
    from ..reports import pct_text

    return pct_text(v)  # the workbook's rounding (reports.rate: half up)


def points_text(v) -> str:
    from .. import reports

    return reports.points_text(v)  # a change of 完成率 is in 个百分点


def _target(ctx: typer.Context, out: Path | None, *, json_: bool, force: bool) -> None:
    """Refuse a -o that must not be written before the report is computed."""
    if out is not None and not json_:
        from .. import outputs

        outputs.check(out, suffixes=outputs.XLSX, force=force, db=settings(ctx).db)


def _deliver(data: dict, *, out: Path | None, json_: bool, show) -> None:
    """Every report the same way: its figures as JSON, the workbook (-o), or tables on screen."""
    if json_:
        output.emit_json(data)
    elif out:
        from ..excel.reports import write_report

        output.note(f"已写出：{write_report(data, out)}")
    else:
        show(data)


@app.command("phases")
def report_phases(ctx: typer.Context, out: OUT = None, today: AS_OF = None, json_: JSON = False, force: FORCE = False):
    """阶段进度：方案时间表与各单位 × 各节点完成情况。示例：zz report phases -o 阶段进度.xlsx --as-of 2017-07-01"""
    from .. import reports

    _target(ctx, out, json_=json_, force=force)
    with db_session(ctx, write=False) as session:
        data = reports.phases(session, as_of=as_of(today)).as_dict()
    _deliver(data, out=out, json_=json_, show=_show_phases)


@app.command("monthly")
def report_monthly(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option("--month", help="月份，如 2017-06（默认本月）")] = None,
    out: OUT = None,
    today: AS_OF = None,
    limit: LIMIT = 1000,
    json_: JSON = False,
    force: FORCE = False,
):
    """月报：总体情况、分单位、分重点、分来源、逾期清单、本月新增与销号、图表。示例：zz report monthly --month 2017-06 -o 6月月报.xlsx"""
    from .. import reports

    _target(ctx, out, json_=json_, force=force)
    with db_session(ctx, write=False) as session:
        data = reports.monthly(session, month=month, as_of=as_of(today), limit=max(limit, 0)).as_dict()
    _deliver(data, out=out, json_=json_, show=_show_core)


@app.command("summary")
def report_summary(ctx: typer.Context, out: OUT = None, today: AS_OF = None, limit: LIMIT = 1000, json_: JSON = False,
                   force: FORCE = False):
    """总结：全程的整改情况，加制度立改废、四查四看、督查、问责、征求意见、典型。示例：zz report summary -o 总结.xlsx --as-of 2017-12-10"""
    from .. import reports

    if out is not None and not json_ and out.suffix.lower() == ".docx":  # the 总结报告 draft as a 公文, with its 文号
        from .. import outputs
        from ..documents.reports import write

        outputs.check(out, suffixes=(".docx",), force=force, db=settings(ctx).db, what="总结报告")
        with db_session(ctx, write=True) as session:
            data = reports.summary(session, as_of=as_of(today), limit=max(limit, 0)).as_dict()
            no = write(session, out, kind="总结报告", data=data, ref=f"summary:{data['as_of']}")
        output.note(f"已写出：{out}（文号 {no}）")
        return
    _target(ctx, out, json_=json_, force=force)
    with db_session(ctx, write=False) as session:
        data = reports.summary(session, as_of=as_of(today), limit=max(limit, 0)).as_dict()
    _deliver(data, out=out, json_=json_, show=_show_summary)


# ---------------------------------------------------------------- terminal


def _show_core(data: dict) -> None:
    ov = data["overview"]
    cur = data["current_phase"]
    output.line(f"{data['title']}")
    output.line(f"统计期 {data['start']} 至 {data['as_of']}；当前阶段：{cur['name'] if cur else '不在专项整治期间'}")
    for sentence in (data.get("digest") or {}).get("text", []):  # the 综述 of the workbook's first page
        output.line(sentence)
    if data["report"] == "monthly":
        output.table("本月变化", ["指标", "本月", "上月", "增减"],
                     [(c["metric"], c["this_month"], c["last_month"], f"{c['delta']:+d}") for c in data["changes"]])
        output.table("累计情况", ["指标", "本月末", "上月末", "增减"],
                     [(s["metric"], *((_pct(s["now"]), _pct(s["before"]), points_text(s["delta"])) if s["key"] == "completion_rate"
                                     else (s["now"], s["before"], f"{s['delta']:+d}" if s["delta"] is not None else "—")))
                      for s in data["standing"]])
        output.table("近六个月走势（各月末）", ["月份", "新发现问题", "完成整改", "销号", "时限已到", "其中已完成", "完成率"],
                     [(t["month"], t["issues_found"], t["fixes_completed"], t["fixes_verified"], t["due"], t["due_done"],
                       _pct(t["completion_rate"])) for t in data["trend"]])
    else:
        output.table("全程累计", ["问题", "整改事项", "长期坚持", "已完成（含销号）", "已销号", "时限已到（分母）",
                                  "其中已完成（分子）", "完成率", "逾期"],
                     [(ov["issues"], ov["fixes"], ov["ongoing"], ov["completed"], ov["verified"], ov["due"], ov["due_done"],
                       _pct(ov["completion_rate"]), ov["overdue"])])
    from ..reports import worst_first

    output.table("分单位（完成率从低到高）", ["排名", "单位", "问题", "整改", "完成", "销号", "长期", "逾期 蓝/黄/红", "完成率"],
                 [(u["rank"] or "—", u["unit"], u["issues"], u["fixes"], u["done"] + u["verified"], u["verified"], u["ongoing"],
                   f"{u['overdue']}（{u['overdue_blue']}/{u['overdue_yellow']}/{u['overdue_red']}）", _pct(u["completion_rate"]))
                  for u in worst_first(data["units"])])
    output.table("分重点", ["整治重点", "问题", "未整改", "整改中", "已整改", "已销号"],
                 [(a["area"], a["issues"], *a["status"].values()) for a in data["areas"]])
    output.table("分来源", ["问题来源", "问题", "未整改", "整改中", "已整改", "已销号"],
                 [(s["source"], s["issues"], *s["status"].values()) for s in data["sources"]])
    if data["report"] == "monthly":
        output.table("督查问责（本月）", ["指标", "本月", "明细"],
                     [(r["metric"], r["count"], r["detail"]) for r in data["supervision_month"]["rows"]])
    if data["report"] == "monthly":
        soon = data["due_soon"]
        output.table(f"临期（{data['as_of']} 后 7 天内到期，共 {soon['total']} 项，最近的 10 项）",
                     ["单位", "整改任务及措施", "整改时限", "剩余天数", "责任领导"],
                     [(r["unit"], r["task"], r["deadline"], r["days_left"], r["leader"] or "") for r in soon["rows"][:10]])
    od = data["overdue"]
    output.line(f"逾期整改事项 {od['total']} 项（蓝 {ov['overdue_blue']}，黄 {ov['overdue_yellow']}，红 {ov['overdue_red']}）"
                "；明细请写出工作簿（-o）或用 zz fix list --overdue")
    output.line("说明：" + data["definitions"][0])


def _show_summary(data: dict) -> None:
    _show_core(data)
    _show_supervision(data)


def _show_supervision(data: dict) -> None:
    sup = data["supervision"]
    output.table("制度立改废", ["", *sup["rules"].keys()],
                 [("项数", *(v["total"] for v in sup["rules"].values())), ("已完成", *(v["done"] for v in sup["rules"].values()))])
    output.table("督查问责", ["项目", "数量"], [
        ("督查（次）", sup["inspections"]["total"]), ("接受督查的单位", sup["inspections"]["units_inspected"]),
        ("问责（人次）", sup["accountability"]["total"]), ("征求意见（条）", sup["opinions"]["total"]),
        ("典型（个）", sup["cases"]["total"]), ("四查四看全部完成的单位", sup["checks_done"]["units_all_four"])])


def _show_phases(data: dict) -> None:
    cur = data["current_phase"]
    output.line(data["title"])
    output.table("阶段", ["阶段", "时间", "开始", "结束", "状态", ""],
                 [(t["name"], t["when"], t["start"], t["end"], t["state"], "◀ 当前" if t["current"] else "") for t in data["timeline"]])
    output.table("各阶段节点", ["阶段", "应完成", "已完成", "逾期完成", "已逾期", "未到期", "完成率"],
                 [(c["name"], c["expected"], c["done"], c["done_late"], c["late"], c["not_due"], _pct(c["completion_rate"]))
                  for c in data["phase_counts"]])
    mark = {"已完成": "✓", "逾期完成": "✓迟", "已逾期": "✗", "未到期": "·"}
    names = [m["name"] for m in data["units"][0]["milestones"]] if data["units"] else []
    output.table("单位 × 节点", ["单位", *names],
                 [(u["unit"], *(mark[m["state"]] for m in u["milestones"])) for u in data["units"]],
                 caption="✓ 已完成  ✓迟 逾期完成  ✗ 已逾期  · 未到期")
    if not cur:
        output.line(f"{data['as_of']} 不在专项整治期间")


from . import public  # noqa: E402  (zz report public lives with the disclosure code)

public.register(app)
