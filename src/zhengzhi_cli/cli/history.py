"""zz log, zz undo, zz backup, zz restore"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import db_session, interactive, settings


def log(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help="从某日起")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="最多条数（0 为全部）")] = 50,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON（含每行改动前后的值）")] = False,
):
    """审计记录：谁在何时改了什么。示例：zz log --since 2017-06-01"""
    from .. import history
    from ..dates import parse_date

    with db_session(ctx, write=False) as session:
        recs = history.log(session, since=parse_date(since, field="--since") if since else None, limit=limit,
                           rows=json_)  # the table shows counts only: a 100k-row import is not read row by row
        counts = {} if json_ else history.row_counts(session, [r["id"] for r in recs])
        firsts = {} if json_ else history.first_rows(session, [r["id"] for r in recs])
    if json_:
        output.emit_json(recs)
        return
    output.listing(f"改动记录（最近 {len(recs)} 次）", ["编号", "时间", "操作人", "命令", "改动", "状态"],
                 [(r["id"], r["at"], r["operator"], r["summary"] or r["command"],
                   _changed_text(firsts.get(r["id"]), counts.get(r["id"], [])),
                   f"已由 #{r['undone_by']} 撤销" if r["undone_by"] else (f"撤销 #{r['undoes']}" if r["undoes"] else ""))
                  for r in recs])


TABLES = {"unit": "单位", "issue": "问题", "fix": "整改", "fix_event": "整改经过", "rule": "制度", "rule_issue": "制度-问题",
          "check_record": "四查四看", "milestone_record": "节点", "inspection": "督查", "inspection_unit": "督查-单位",
          "accountability": "问责", "accountability_issue": "问责-问题", "opinion": "征求意见", "typical_case": "典型案例",
          "bulletin": "通报", "evidence": "佐证材料"}
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}


def undo(
    ctx: typer.Context,
    any_: Annotated[bool, typer.Option("--any", help="撤销登记簿最近一次改动，即使是他人做的（需确认）")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接撤销（脚本用）")] = False,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """撤销自己最近一次改动（先显示是谁、何时、做了什么）；他人的改动须加 --any。示例：zz undo"""
    from .. import audit, history
    from ..errors import UsageProblem

    me = audit.operator()
    who = None if any_ else me
    with db_session(ctx, write=False) as session:  # read and show first: no prompt inside a write
        change = history.last_undoable(session, operator=who)
        detail = history.check_undoable(session, change.id, operator=who)
    others = detail["operator"] != me
    output.note(f"将撤销改动 #{detail['id']}（{detail['at']}，操作人 {detail['operator']}"
                f"{'，不是你（' + me + '）' if others else ''}）：{detail['command']}")
    if detail["summary"]:
        output.note(f"  {detail['summary']}")
    output.note(f"  {_counts_text(detail['counts']) or '（无数据行）'}")
    if not yes:
        if not interactive():
            raise UsageProblem(f"撤销需要确认：在终端中运行，或加 --yes{'（撤销他人的改动须 --any --yes）' if others else ''}",
                               field="--yes")
        question = f"这是 {detail['operator']} 的改动，确认撤销？" if others else "确认撤销？"
        if not typer.confirm(question, default=False, err=True):
            raise typer.Abort()
    with db_session(ctx, write=True) as session:  # checked again: the register may have moved on meanwhile
        result = history.undo(session, detail["id"], operator=who)
    if json_:
        output.emit_json(result)
    else:
        output.line(f"已撤销改动 #{result['undone']}（{result['operator']}；记为改动 #{result['change']}）")


def _changed_text(first: dict | None, counts: list[dict]) -> str:
    """The record a change made or changed, named (新增问题 #12 杨村街道 窗口办事拖沓), then the counts."""
    if not first:
        return _counts_text(counts)
    text = first["text"] or ""
    text = text if len(text) <= 30 else text[:29] + "…"
    named = " ".join(str(p) for p in (f"{ACTIONS.get(first['action'], first['action'])}{TABLES.get(first['table'], first['table'])}",
                                       f"#{first['id']}" if first["id"] is not None else None, first["unit"], text) if p)
    return f"{named}（{_counts_text(counts)}）" if counts else named


def _counts_text(counts: list[dict]) -> str:
    return "，".join(f"{ACTIONS.get(c['action'], c['action'])}{TABLES.get(c['table'], c['table'])} {c['rows']}"
                    for c in counts)


def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("-o", "--output", help="备份文件（.db）")],
    force: Annotated[bool, typer.Option("--force", help="文件已存在时替换它（默认不覆盖）")] = False,
):
    """备份登记簿（他人写入时也能得到一致的副本；PostgreSQL 登记簿备份为 SQLite 文件）。示例：zz backup -o 备份/zz-2017-06-30.db"""
    from .. import history, outputs
    from ..db import engine_for, register_url, sqlite_path

    outputs.check(out, suffixes=outputs.BACKUP, force=force, db=settings(ctx).db, what="登记簿备份（SQLite 文件）")
    url = register_url(settings(ctx))
    path = sqlite_path(url)
    if path is None:  # PostgreSQL: a consistent snapshot into a SQLite register file
        result = history.backup_logical(engine_for(settings(ctx)), out, evidence_of=url)
    else:
        result = history.backup_sqlite(path, out, evidence_of=url)
    output.line(f"已备份到 {result['backup']}（{result['bytes'] // 1024} KB）")
    copied = result["evidence"]
    if copied is not None:
        output.line(f"佐证材料已备份到 {history.evidence_beside(out)}（新复制 {copied} 个文件）")


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接恢复（脚本用）")] = False,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON（恢复前后登记簿的对比：before、after）")] = False,
):
    """用备份覆盖当前登记簿（需确认）；替换前先并排列出现有登记簿与备份的数据。示例：zz restore 备份/zz-2017-06-30.db"""
    from .. import history
    from ..db import engine_for, register_url, sqlite_path
    from ..errors import UsageProblem
    from ..register_setup import where

    path = sqlite_path(register_url(settings(ctx)))
    version = history.check_backup_file(file)
    before = history.file_holdings(path) if path is not None else history.holdings(engine_for(settings(ctx)))
    after = history.file_holdings(Path(file))
    output.note(f"将用 {file}（架构版本 {version}）覆盖登记簿 {path or where(settings(ctx))['url']}，当前数据将被替换。")
    _compare(before, after)
    if not yes:
        if not interactive():
            raise UsageProblem("恢复需要确认：在终端中运行，或加 --yes", field="--yes")
        if not typer.confirm("确认恢复？", default=False, err=True):
            raise typer.Abort()
    copied = history.restore_evidence(file, register_url(settings(ctx)))
    if copied is not None:
        output.note(f"已从 {history.evidence_beside(file)} 恢复佐证材料（新复制 {copied} 个文件）")
    if path is None:  # PostgreSQL: every row replaced in one transaction, after a copy of what it replaces
        safety = history.safety_name(Path(file).resolve().parent, "登记簿")
        history.backup_logical(engine_for(settings(ctx)), safety)
        result = history.restore_logical(file, engine_for(settings(ctx)))
        result["safety_copy"] = str(safety)
        said = f"已从 {result['restored']} 恢复登记簿（{result['rows']} 行）"
    else:
        result = history.restore_sqlite(file, path)
        said = f"已从 {result['restored']} 恢复登记簿 {result['db']}"
    kept = f"原登记簿已另存为 {result['safety_copy']}" if result.get("safety_copy") else "原登记簿为空，未另存"
    _log_restore(ctx, f"恢复登记簿：从 {result['restored']} 恢复（{kept}）")
    if json_:
        output.emit_json({**result, "before": before, "after": after})
    else:
        output.line(f"{said}；{kept}")


COMPARED = (("units", "单位"), ("issues", "问题"), ("fixes", "整改事项"), ("rules", "制度"), ("evidence", "佐证材料"))


def _compare(before: dict | None, after: dict | None) -> None:
    """The register now and the backup, side by side (stderr, before anything is replaced)."""
    from rich.cells import cell_len

    def column(h: dict | None) -> list[str]:
        if h is None:
            return ["（无）"] * (len(COMPARED) + 2)
        if not h.get("readable"):
            return ["（无法读取）"] * (len(COMPARED) + 2)
        last = f"#{h['last_change']} {h['last_change_at']}" if h["last_change"] else "（无）"
        return [str(h[k]) for k, _ in COMPARED] + [last, str(h["schema_version"])]

    labels = ["", *(label for _, label in COMPARED), "最后一次改动", "架构版本"]
    now, then = ["当前登记簿", *column(before)], ["备份", *column(after)]
    wide = [max(cell_len(x) for x in col) for col in (labels, now)]
    for label, a, b in zip(labels, now, then):
        output.note(f"  {label}{' ' * (wide[0] - cell_len(label))}  {a}{' ' * (wide[1] - cell_len(a))}  {b}")


def _log_restore(ctx, summary: str) -> None:
    """The restore itself, in the restored register's audit trail (a change with no rows)."""
    from .. import audit

    with db_session(ctx, write=True) as session:
        audit.set_summary(session, summary)
        audit.change_id(session)
