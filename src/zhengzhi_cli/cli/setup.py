"""zz init, zz db path|check, zz plan, zz demo, zz completion."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .common import AS_OF, as_of, db_session, settings

db_app = typer.Typer(no_args_is_help=True)


def init(
    ctx: typer.Context,
    plan_file: Annotated[Optional[Path], typer.Option("--plan", help="方案文件（TOML），默认为武清区 2017 年方案")] = None,
):
    """创建登记簿（可重复执行，绝不清空数据）。示例：zz init --plan 方案2018.toml"""
    from ..register_setup import init_register

    settings(ctx).may_create = True
    result = init_register(settings(ctx), plan_file=plan_file)
    output.line(result["message"])


@db_app.command("path")
def db_path(ctx: typer.Context, json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False):
    """显示正在使用的登记簿。示例：zz db path"""
    from ..register_setup import where

    info = where(settings(ctx))
    if json_:
        output.emit_json(info)
    else:
        output.line(f"{info['path'] or info['url']}（来自{info['source']}{'，尚未创建' if not info['exists'] else ''}）")


@db_app.command("check")
def db_check(
    ctx: typer.Context,
    quick: Annotated[bool, typer.Option("--quick", help="只做快速检查（大登记簿更快，不核对索引与表是否一致）")] = False,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """检查登记簿是否完好：数据页、外键、表结构（有问题时退出状态为 1）。示例：zz db check"""
    from ..db import engine_for, register_url, sqlite_path
    from ..errors import ZzError
    from ..integrity import check_engine, check_sqlite

    path = sqlite_path(register_url(settings(ctx)))
    result = check_sqlite(path, full=not quick) if path else check_engine(engine_for(settings(ctx)))
    if json_:
        output.emit_json(result)
    problems = result["pages"] + result["foreign_keys"] + result["schema"]
    problems += [n for n in result["notes"] if n not in problems and not result["ok"]]
    if not json_:
        for text in result["pages"] + result["foreign_keys"] + result["schema"] + result["notes"]:
            output.line(f"  {text}")
    if not result["ok"]:
        raise ZzError(f"登记簿 {result['register']} 有问题（{len(problems)} 项{'，见上' if not json_ else ''}）。"
                      "请用 zz restore 备份文件 --yes 从最近的完好备份恢复", field="db")
    if not json_:
        output.line(f"登记簿完好：{result['register']}（架构版本 {result['schema_version']}）")


def plan(
    ctx: typer.Context,
    today: AS_OF = None,
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """显示方案：阶段与日期、节点、整治重点、四查四看、当前阶段。示例：zz plan --as-of 2017-05-01"""
    import datetime as dt

    from ..register import plan_of

    day = as_of(today) or dt.date.today()
    with db_session(ctx, write=False) as session:
        p = plan_of(session)
    data = p.as_json(day)
    if json_:
        output.emit_json(data)
        return
    cur = data["current_phase"]
    output.line(f"{p.name}（{p.issuer}）")
    output.table("阶段", ["序号", "阶段", "时间", "开始", "结束", ""],
                 [(ph["no"], ph["name"], ph["when"], ph["start"], ph["end"], "◀ 当前" if cur and cur["no"] == ph["no"] else "")
                  for ph in data["phases"]])
    if not cur:
        output.line(f"{day} 不在专项整治期间（{p.start} 至 {p.end}）")
    output.table("节点", ["阶段", "节点", "截止日期", "来源"],
                 [(m["phase"], m["name"], m["due_on"], "手工标记" if m["derived_from"] == "manual" else "由数据得出") for m in data["milestones"]])
    output.table("整治重点", ["序号", "名称", "标题"], [(a["no"], a["name"], a["title"]) for a in data["areas"]])
    output.table("四查四看", ["序号", "查", "看"], [(c["no"], c["check"], c["look"]) for c in data["checks"]])
    r = data["duban"]
    output.table("督办规则", ["规则", "条件", "处理"], [
        ("提醒", f"整改时限前 {r['remind_workdays']} 个工作日内仍未完成", "提醒"),
        ("督办函", "整改逾期未完成", f"发督办函，{r['reply_workdays']} 个工作日内书面回复"),
        ("红牌", f"同一季度已发督办函 {r['red_card_letters']} 份，或逾期超过 {r['red_card_days_late']} 天", "亮红牌，建议约谈（不生成问责记录）"),
    ], caption=f"工作日按方案日历计算：法定节假日 {len(data['calendar']['holidays'])} 天，调休上班 {len(data['calendar']['workdays'])} 天")


def demo(
    ctx: typer.Context,
    today: Annotated[Optional[str], typer.Option("--as-of", help="以某日为“今天”（默认 2017-07-15，自查自纠刚结束）")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="报表输出目录（默认为登记簿所在目录）")] = None,
):
    """用样例区建一个登记簿并跑一遍主要流程（样例区随软件安装）。示例：zz demo --db /tmp/demo.db"""
    from ..demo import run_demo

    settings(ctx).may_create = True
    run_demo(settings(ctx), as_of=as_of(today), out_dir=out_dir)


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def completion(
    shell: Annotated[str, typer.Argument(help="shell：bash、zsh、fish 或 powershell")] = "bash",
    install: Annotated[bool, typer.Option("--install", help="安装到当前用户的 shell 配置中（默认只显示脚本）")] = False,
):
    """Tab 补全：显示或安装 shell 的补全脚本（单位名称、整治重点等），默认只显示。示例：zz completion bash --install"""
    from ..errors import UsageProblem
    from .typer_compat import completion_script, install_completion

    if shell not in SHELLS:
        raise UsageProblem(f"不支持的 shell“{shell}”，可选：{'、'.join(SHELLS)}", field="shell")
    if install:
        path = install_completion(shell)
        output.line(f"已安装 {shell} 的 Tab 补全：{path}。重新打开终端后生效")
    else:
        output.line(completion_script(shell))
