"""zz report public: rectification status for 政务公开, with no personal data. Registered onto the report sub-app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import AS_OF, as_of, db_session, settings


def register(app: typer.Typer) -> None:
    app.command("public")(report_public)


def report_public(
    ctx: typer.Context,
    out: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件 .xlsx，或 .docx（公示，公文格式）")] = None,
    today: AS_OF = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON（只显示数字，不写文件）")] = False,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")] = False,
):
    """政务公开：按单位、按整治重点的整改情况及整改事项，不含任何个人信息；不写 -o 则在终端显示。示例：zz report public -o 整改情况公示.xlsx --as-of 2017-09-30"""
    from .. import outputs, public

    day = as_of(today)
    if out is not None and not json_ and Path(out).suffix.lower() == ".docx":  # the 公示 notice as a 公文, with its 文号
        from ..documents.reports import write

        outputs.check(out, suffixes=(".docx",), force=force, db=settings(ctx).db, what="公示")
        with db_session(ctx, write=True) as session:
            data = public.compose(session, as_of=day, items=False).as_dict()
            no = write(session, Path(out), kind="公示", data=data, ref=f"public:{day.isoformat()}")
        output.note(f"已写出：{out}（文号 {no}）")
        return
    with db_session(ctx, write=False) as session:
        if json_ or out is None:
            data = public.compose(session, as_of=day, items=False).as_dict()
            output.emit_json(data) if json_ else show(data)
            return
        outputs.check(out, suffixes=outputs.XLSX, force=force, db=settings(ctx).db)
        data = public.write_report(session, path=Path(out), as_of=day)
    t = data["totals"]
    output.line(f"已写入政务公开整改情况：{data['file']}（截至 {data['as_of']}：问题 {t['issues']} 个，已整改 {t['fixed'] + t['closed']} 个，"
                f"整改中 {t['fixing']} 个，未整改 {t['not_fixed']} 个；公示整改事项 {data['items']} 项）")


def show(data: dict) -> None:
    """The disclosure's figures at a terminal: the totals in a sentence, then by unit and by area."""
    from ..reports import pct_text

    t = data["totals"]
    output.line(data["title"])
    output.line(f"截至 {data['as_of']}，共查摆问题 {t['issues']} 个，已整改 {t['fixed'] + t['closed']} 个（其中已销号 {t['closed']} 个），"
                f"正在整改 {t['fixing']} 个，尚未整改 {t['not_fixed']} 个；整改完成率 {pct_text(t['rate'])}"
                f"（整改时限已到的整改措施 {t['due']} 项中已完成 {t['due_done']} 项）。")
    columns = ["问题", "未整改", "整改中", "已整改", "已销号", "完成率（已完成/时限已到）"]

    def figures(r: dict) -> tuple:
        rate = pct_text(r["rate"]) + (f"（{r['due_done']}/{r['due']}）" if r["due"] else "")
        return r["issues"], r["not_fixed"], r["fixing"], r["fixed"], r["closed"], rate

    output.table("按单位", ["单位", *columns], [("合计", *figures(t)), *((u["unit"], *figures(u)) for u in data["units"])])
    output.table("按整治重点", ["整治重点", *columns], [("合计", *figures(t)), *((a["area"], *figures(a)) for a in data["areas"])])
    output.line("整改事项明细（不含个人信息）请写出工作簿：zz report public -o 整改情况公示.xlsx")
