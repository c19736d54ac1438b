"""zz template, zz import, zz export ledger: unit workbooks in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import JSON, complete_unit, db_session, settings

export_app = typer.Typer(no_args_is_help=True)

UNIT = Annotated[Optional[str], typer.Option("--unit", help="单位：代码、全称或唯一简称", autocompletion=complete_unit)]
OUT = Annotated[Path, typer.Option("-o", "--output", help="输出文件（.xlsx）")]
FORCE = Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")]
SHEETS = ("问题清单", "整改清单", "制度清单")


def template(ctx: typer.Context, out: OUT, unit: UNIT = None, json_: JSON = False, force: FORCE = False):
    """生成各单位填报用的空白工作簿（问题清单、整改清单、制度清单、填表说明）。示例：zz template -o 杨村街道.xlsx --unit 杨村"""
    from .. import outputs, transfer

    outputs.check(out, suffixes=outputs.XLSX, force=force, db=settings(ctx).db)
    with db_session(ctx, write=False) as session:
        result = transfer.template(session, out, unit=unit)
    if json_:
        output.emit_json(result)
    else:
        output.line(f"已生成填报模板：{result['file']}" + (f"（{result['unit']}）" if result["unit"] else "（未指定单位，请在“填报单位”处填写）"))


class _Bar:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self):
        self.progress = None
        self.tasks: dict = {}

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            # a file's name is shown as text (no markup, controls escaped)
            self.progress = Progress(TextColumn("{task.description}", markup=False), BarColumn(), TaskProgressColumn(),
                                     TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=True)
            self.progress.start()
        return self

    def __call__(self, path: Path, stage: str, done: int, total: int) -> None:
        if self.progress is None or total < 5000:
            return
        key = (path, stage)
        task = self.tasks.get(key)
        if task is None:
            from ..text import display

            task = self.tasks[key] = self.progress.add_task(display(f"{path.name} {stage}"), total=total)
        self.progress.update(task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()


def import_(
    ctx: typer.Context,
    files: Annotated[Optional[list[Path]], typer.Argument(help="各单位报来的 .xlsx / .xls / .ods / .csv，可一次多个")] = None,
    unit: UNIT = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将新增、更新、未变的行和要改的单元格，不写入")] = False,
    maps: Annotated[Optional[list[str]], typer.Option("--map", help="表头=字段，如 --map 整改进展情况=整改状态；导入成功后按单位记住")] = None,
    filled_on: Annotated[Optional[str], typer.Option("--filled-on", help="填报日期（表上没写时用）：未写完成日期的已完成项按此日期记为“报告日期”")] = None,
    mappings: Annotated[bool, typer.Option("--mappings", help="列出各单位已记住的表头对应（可加 --unit）")] = False,
    unmap: Annotated[Optional[str], typer.Option("--unmap", help="忘掉某单位记住的一个表头对应（需 --unit）")] = None,
    json_: JSON = False,
):
    """导入各单位报来的问题清单、整改清单、制度清单（按单位+单位序号更新，不重复登记）。示例：zz import 杨村街道.xlsx 梅厂镇.xlsx"""
    from .. import workbook_import
    from ..errors import FileRefused, UsageProblem as Usage

    if mappings or unmap:
        return _mappings(ctx, unit=unit, unmap=unmap, json_=json_)
    if not files:
        raise Usage("请给出要导入的文件，如 zz import 杨村街道.xlsx（查看记住的表头对应：zz import --mappings）")
    taught = workbook_import.parse_maps(maps or [])
    day = None
    if filled_on:
        from ..dates import parse_date

        day = parse_date(filled_on, field="填报日期（--filled-on）")
    with _Bar() as bar:
        results = workbook_import.import_files(settings(ctx), files, unit=unit, dry_run=dry_run, maps=taught, filled_on=day,
                                        on_progress=bar)
    refused = [r for r in results if r["status"] == "refused"]
    if json_:
        totals = {k: sum(r.get(k, 0) for r in results) for k in ("new", "updated", "unchanged")}
        output.emit_json({"dry_run": dry_run, "files": results, **totals, "refused": len(refused)})
    else:
        _show_results(results, dry_run=dry_run)
    if refused:
        landed = [r for r in results if r["status"] != "refused"]
        message = "\n".join(r["error"] for r in refused)
        if len(results) > 1:
            message += (f"\n共 {len(results)} 个文件，{len(refused)} 个被拒绝（被拒绝的文件未写入任何内容）；"
                        + (f"其余 {len(landed)} 个文件已{'检查' if dry_run else '导入'}：" + "、".join(Path(r['file']).name for r in landed)
                           if landed else "没有文件导入"))
        raise FileRefused(message, field="file", problems=[p for r in refused for p in r["problems"]])


def _show_results(results: list[dict], *, dry_run: bool) -> None:
    rows = []
    for r in results:
        name = Path(r["file"]).name
        if r["status"] == "refused":
            rows.append((name, "", "已拒绝", "", "", "", f"{len(r['problems'])} 处错误"))
            continue
        state = "可导入（试运行）" if dry_run else "已导入"
        for sheet in SHEETS:
            c = r["sheets"][sheet]
            if any(c.values()):
                rows.append((name, "、".join(r["units"]), state, sheet, c["new"], c["updated"], c["unchanged"]))
        if not any(any(c.values()) for c in r["sheets"].values()):
            rows.append((name, "、".join(r["units"]), state, "（无数据行）", 0, 0, 0))
    title = "导入检查（试运行，未写入）" if dry_run else "导入结果"
    output.table(title, ["文件", "单位", "结果", "工作表", "新增", "更新", "未变"], rows)
    changes = [(Path(r["file"]).name, c) for r in results for c in r.get("changes", ())]
    if changes:
        shown = changes[:200]
        output.table("将修改的单元格" if dry_run else "修改的单元格", ["文件", "工作表", "行", "列", "原值", "新值"],
                     [(f, c["sheet"], c["row"], c["column"], _cell(c["old"]), _cell(c["new"])) for f, c in shown])
        if len(changes) > len(shown):
            output.line(f"……另有 {len(changes) - len(shown)} 处修改（--json 可看全部）")


def _cell(value) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


def _mappings(ctx: typer.Context, *, unit: str | None, unmap: str | None, json_: bool) -> None:
    from .. import workbook_import
    from ..errors import UsageProblem as Usage

    if unmap:
        if not unit:
            raise Usage("--unmap 需要同时用 --unit 指定单位")
        with db_session(ctx, write=True) as session:
            result = workbook_import.forget_mapping(session, unit=unit, header=unmap)
        if json_:
            output.emit_json(result)
        else:
            output.line(f"已忘掉{result['unit']}的表头对应：{result['header']} → {result['field']}")
        return
    with db_session(ctx, write=False) as session:
        rows = workbook_import.list_mappings(session, unit=unit)
    if json_:
        output.emit_json(rows)
    else:
        output.table("记住的表头对应（zz import --map）", ["单位", "表头", "对应列", "记住于"],
                     [(r["unit"], r["header"], r["column"], r["created_on"]) for r in rows])


@export_app.command("ledger")
def export_ledger(ctx: typer.Context, out: OUT, unit: UNIT = None,
                  public: Annotated[bool, typer.Option("--public", help="政务公开版：去掉责任领导、责任人、销号人等姓名和电话")] = False,
                  json_: JSON = False, force: FORCE = False):
    """导出整改台账（与填报模板同样的版式，可再导入）。示例：zz export ledger -o 台账.xlsx --unit 杨村"""
    from .. import outputs, transfer

    outputs.check(out, suffixes=outputs.XLSX, force=force, db=settings(ctx).db)
    with db_session(ctx, write=False) as session:
        result = transfer.export_ledger(session, out, unit=unit, public=public)
    if json_:
        output.emit_json(result)
    else:
        output.line(f"已导出{'公开版' if public else ''}台账：{result['file']}（问题 {result['issues']} 条，整改 {result['fixes']} 项，制度 {result['rules']} 项）")
