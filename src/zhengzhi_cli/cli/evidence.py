"""zz evidence add|list|open|edit|verify|gc"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from . import edited, output
from .edited import NOTE
from .common import JSON, db_session, settings

app = typer.Typer(no_args_is_help=True)

FIX_ID = Annotated[int, typer.Argument(help="整改编号")]


def _store(ctx: typer.Context) -> Path:
    from .. import evidence
    from ..db import register_url

    return evidence.store_dir(register_url(settings(ctx)))


@app.command("add")
def evidence_add(
    ctx: typer.Context,
    fix_id: FIX_ID,
    files: Annotated[Optional[List[Path]], typer.Argument(help="佐证材料文件（PDF、图片、Office 文档，可多个）")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="类别：整改前、整改后、制度文件、会议记录、其他")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="说明")] = None,
    public: Annotated[bool, typer.Option("--public", help="可公开：收入政务公开版整改档案（zz archive --public）；默认仅内部")] = False,
    json_: JSON = False,
):
    """为整改添加佐证材料（同样内容只存一份；可用 zz undo 撤销）。示例：zz evidence add 7 整改后照片.jpg --kind 整改后"""
    from .. import evidence
    from ..errors import UsageProblem

    if not files:
        raise UsageProblem("缺少 FILE（佐证材料文件），例如 zz evidence add 7 制度文件.pdf", field="FILE")
    store = _store(ctx)
    with db_session(ctx, write=True) as session:
        recs = evidence.add(session, store=store, fix_id=fix_id, files=list(files), kind=kind, note=note, public=public)
    if json_:
        output.emit_json(recs)
        return
    for r in recs:
        output.line(f"整改 #{fix_id} 第 {r['n']} 份佐证材料：{r['name']}（{r['kind']}，{r['media']}，{r['size']} 字节，"
                    f"SHA-256 {r['sha256'][:12]}…{'，可公开' if r['public'] else ''}）")


@app.command("list")
def evidence_list(ctx: typer.Context, fix_id: FIX_ID, json_: JSON = False):
    """列出一项整改的佐证材料。示例：zz evidence list 7"""
    from .. import evidence

    store = _store(ctx)
    with db_session(ctx, write=False) as session:
        recs = evidence.list_for(session, store=store, fix_id=fix_id)
    if json_:
        output.emit_json(recs)
        return
    output.listing(f"整改 #{fix_id} 的佐证材料（{len(recs)} 份）",
                   ["序号", "文件名", "类别", "类型", "大小", "添加人", "添加时间", "公开", "说明"],
                   [(r["n"], r["name"], r["kind"], r["media"], r["size"], r["added_by"], r["added_at"],
                     "可公开" if r["public"] else "内部", r["note"]) for r in recs])


@app.command("open")
def evidence_open(
    ctx: typer.Context,
    fix_id: FIX_ID,
    n: Annotated[int, typer.Argument(help="第几份（见 zz evidence list）")],
):
    """给出一份佐证材料在库中的路径。示例：zz evidence open 7 1"""
    from .. import evidence

    store = _store(ctx)
    with db_session(ctx, write=False) as session:
        path = evidence.open_path(session, store=store, fix_id=fix_id, n=n)
    typer.echo(str(path))


@app.command("edit")
def evidence_edit(
    ctx: typer.Context,
    fix_id: FIX_ID,
    n: Annotated[int, typer.Argument(help="第几份（见 zz evidence list）")],
    public: Annotated[Optional[bool], typer.Option("--public/--internal",
                                                   help="可公开（收入 zz archive --public）/ 仅内部")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="类别：整改前、整改后、制度文件、会议记录、其他")] = None,
    note: NOTE = None,
    json_: JSON = False,
):
    """修改一份佐证材料的登记（是否可公开、类别、说明；文件本身不变）。示例：zz evidence edit 7 1 --public"""
    from .. import evidence

    edited.run(ctx, json_, edit=lambda session: evidence.edit(session, fix_id, n, public=public, kind=kind, note=note),
               show=lambda session: evidence.show(session, fix_id, n),
               title=lambda r: f"整改 #{fix_id} 第 {n} 份佐证材料“{r['name']}”")


@app.command("verify")
def evidence_verify(
    ctx: typer.Context,
    fix_id: Annotated[Optional[int], typer.Argument(help="整改编号（或用 --all 核对全部）")] = None,
    all_: Annotated[bool, typer.Option("--all", help="核对库中全部佐证材料")] = False,
    json_: JSON = False,
):
    """重新计算佐证材料的 SHA-256，报告缺失或被改动的文件（有问题时退出码为 1）。示例：zz evidence verify --all"""
    from .. import evidence
    from ..errors import Conflict, UsageProblem

    if (fix_id is None) == (not all_):
        raise UsageProblem("请给出一个整改编号，或用 --all 核对全部佐证材料（二者选一）", field="FIX_ID")
    store = _store(ctx)
    with db_session(ctx, write=False) as session:
        result = evidence.verify(session, store=store, fix_id=fix_id)
        if json_:
            output.emit_json(result)
        elif not result["problems"]:
            output.line(f"已核对 {result['checked']} 份佐证材料（{result['files']} 个文件），全部完好")
        if result["problems"]:
            words = {"missing": "缺失", "altered": "已被改动", "unreadable": "无法读取"}
            lines = "；".join(f"整改 #{p['fix_id']}“{p['name']}”{words[p['problem']]}（{p['path']}）"
                             for p in result["problems"][:20])
            more = f" 等 {len(result['problems'])} 份" if len(result["problems"]) > 20 else ""
            raise Conflict(f"佐证材料核对未通过：{lines}{more}。请从备份恢复（zz restore 备份文件，会一并恢复 备份文件.evidence/），"
                           "或重新添加原件", field="evidence")


@app.command("gc")
def evidence_gc(ctx: typer.Context, json_: JSON = False):
    """删除库中已无登记引用的佐证文件（如撤销添加后留下的）。示例：zz evidence gc"""
    from .. import evidence

    store = _store(ctx)
    with db_session(ctx, write=True) as session:  # the write lock: no add is half-way meanwhile
        result = evidence.gc(session, store=store)
    if json_:
        output.emit_json(result)
    else:
        output.line(f"已删除 {result['removed']} 个无引用的文件（{result['bytes']} 字节），保留 {result['kept']} 个")


def archive(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="单位")] = None,
    out: Annotated[Optional[Path], typer.Option("-o", "--output", help="档案文件（.zip）")] = None,
    public: Annotated[bool, typer.Option("--public", help="政务公开版：不含姓名；佐证材料只收已核定可公开的（zz evidence edit --public），以中性文件名收入")] = False,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")] = False,
    json_: JSON = False,
):
    """导出一个单位的整改档案（台账 + 佐证材料 + 清单，zip）。示例：zz archive --unit 杨村 -o 杨村街道整改档案.zip"""
    from .. import archive as archive_mod
    from .. import outputs
    from .common import need

    unit = need(unit, option="--unit", label="单位")
    out = need(out, option="-o", label="档案文件（.zip）")
    target = outputs.check(out, suffixes=(".zip",), force=force, db=settings(ctx).db, what="整改档案（zip）")
    store = _store(ctx)
    with db_session(ctx, write=False) as session:
        result = archive_mod.build(session, target, store=store, unit=unit, public=public)
    if json_:
        output.emit_json(result)
    else:
        output.line(f"已生成{'公开版' if public else ''}整改档案：{result['file']}（问题 {result['issues']} 条，整改 {result['fixes']} 项，"
                    f"佐证材料 {result['evidence']} 份）")
