"""zz log, zz undo, zz backup, zz restore"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import interactive, settings


def register(app: typer.Typer) -> None:
    app.command("log")(log)
    app.command("undo")(undo)
    app.command("backup")(backup)
    app.command("restore")(restore)


def log(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help="从某日起")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多条数")] = 50,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON（含每行改动前后的值）")] = False,
):
    """审计记录：谁在何时改了什么。示例：zz log --since 2017-06-01"""
    from .. import history
    from ..dates import parse_date
    from ..db import open_session

    with open_session(settings(ctx), write=False) as session:
        recs = history.log(session, since=parse_date(since, field="--since") if since else None, limit=limit)
    if json_:
        output.emit_json(recs)
        return
    output.table(f"改动记录（最近 {len(recs)} 次）", ["编号", "时间", "操作人", "命令", "改动", "状态"],
                 [(r["id"], r["at"], r["operator"], r["summary"] or r["command"], _rows_text(r["rows"]),
                   f"已由 #{r['undone_by']} 撤销" if r["undone_by"] else (f"撤销 #{r['undoes']}" if r["undoes"] else ""))
                  for r in recs])


TABLES = {"unit": "单位", "issue": "问题", "fix": "整改", "fix_event": "整改经过", "rule": "制度", "rule_issue": "制度-问题",
          "check_record": "四查四看", "milestone_record": "节点", "inspection": "督查", "inspection_unit": "督查-单位",
          "accountability": "问责", "accountability_issue": "问责-问题", "opinion": "征求意见", "typical_case": "典型案例",
          "bulletin": "通报"}
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}


def _rows_text(rows: list[dict]) -> str:
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (TABLES.get(r["table"], r["table"]), ACTIONS.get(r["action"], r["action"]))
        counts[key] = counts.get(key, 0) + 1
    return "，".join(f"{a}{t} {n}" for (t, a), n in counts.items())


def undo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接撤销（脚本用）")] = False,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """撤销最近一次改动（先显示将撤销的内容）。示例：zz undo"""
    from .. import history
    from ..db import open_session
    from ..errors import UsageProblem

    with open_session(settings(ctx)) as session:
        change = history.last_undoable(session)
        detail = history.log(session, change_id=change.id)[0]
        output.note(f"将撤销改动 #{change.id}（{detail['at']}，{detail['operator']}）：{detail['summary'] or detail['command']}")
        output.note(f"  {_rows_text(detail['rows'])}")
        if not yes:
            if not interactive():
                raise UsageProblem("撤销需要确认：在终端中运行，或加 --yes", field="--yes")
            if not typer.confirm("确认撤销？", default=False, err=True):
                raise typer.Abort()
        result = history.undo(session, change.id)
    if json_:
        output.emit_json(result)
    else:
        output.line(f"已撤销改动 #{result['undone']}（记为改动 #{result['change']}）")


def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("-o", "--output", help="备份文件（.db）")],
    force: Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")] = False,
):
    """备份登记簿（他人写入时也能得到一致的副本；PostgreSQL 登记簿备份为 SQLite 文件）。示例：zz backup -o 备份/zz-2017-06-30.db"""
    from .. import history, outputs
    from ..db import engine_for, register_url, sqlite_path

    outputs.check(out, suffixes=outputs.BACKUP, force=force, db=settings(ctx).db, what="登记簿备份（SQLite 文件）")
    path = sqlite_path(register_url(settings(ctx)))
    if path is None:  # PostgreSQL: a consistent snapshot into a SQLite register file
        result = history.backup_logical(engine_for(settings(ctx)), out)
    else:
        result = history.backup_sqlite(path, out)
    output.line(f"已备份到 {result['backup']}（{result['bytes'] // 1024} KB）")


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接恢复（脚本用）")] = False,
):
    """用备份覆盖当前登记簿（需确认）。示例：zz restore 备份/zz-2017-06-30.db"""
    from .. import history
    from ..db import engine_for, register_url, sqlite_path
    from ..errors import UsageProblem
    from ..registers import where

    path = sqlite_path(register_url(settings(ctx)))
    version = history.check_backup_file(file)
    output.note(f"将用 {file}（架构版本 {version}）覆盖登记簿 {path or where(settings(ctx))['url']}，当前数据将被替换。")
    if not yes:
        if not interactive():
            raise UsageProblem("恢复需要确认：在终端中运行，或加 --yes", field="--yes")
        if not typer.confirm("确认恢复？", default=False, err=True):
            raise typer.Abort()
    if path is None:  # PostgreSQL: every row replaced in one transaction
        result = history.restore_logical(file, engine_for(settings(ctx)))
        output.line(f"已从 {result['restored']} 恢复登记簿（{result['rows']} 行）")
    else:
        result = history.restore_sqlite(file, path)
        output.line(f"已从 {result['restored']} 恢复登记簿 {result['db']}")
