"""zz issue add|list|show|edit|void"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .common import AS_OF, CSV, JSON, LIMIT, as_of, complete_area, complete_unit, completer, db_session, interactive, need, page_or_stream, reply, settings, show_warnings
from .edited import edit_record

app = typer.Typer(no_args_is_help=True)

UNIT = Annotated[Optional[str], typer.Option("--unit", help="单位：代码、全称或唯一简称", autocompletion=complete_unit)]
AREA = Annotated[Optional[str], typer.Option("--area", help="整治重点：1–10、一…十或名称（如 效能意识）", autocompletion=complete_area)]
SOURCE = Annotated[Optional[str], typer.Option("--source", help="问题来源：自查、征求意见、督查、上级反馈、群众投诉", autocompletion=completer("sources"))]


def _say_added(rec: dict) -> str:
    return f"已登记问题 #{rec['id']}（{rec['unit']} · {rec['area']} · {rec['source']}）"


@app.command("add")
def issue_add(
    ctx: typer.Context,
    text: Annotated[Optional[str], typer.Argument(help="问题描述")] = None,
    unit: UNIT = None,
    area: AREA = None,
    source: SOURCE = None,
    check: Annotated[Optional[str], typer.Option("--check", help="四查四看事项 1–4")] = None,
    found: Annotated[Optional[str], typer.Option("--found", help="发现日期（默认今天）")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="责任领导")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """登记一条问题（问题清单）；在终端里不带参数则逐条录入，Ctrl-D 结束。

    示例：zz issue add "窗口办事拖沓" --unit 杨村 --area 效能意识
    """
    from .. import issues

    if text is None and unit is None and area is None and interactive():
        _entry_loop(ctx, source=source, check=check, found=found, leader=leader, owner=owner)
        return
    if interactive() and (text in (None, "") or unit in (None, "") or area in (None, "")):
        # prompt first, each answer checked as typed; then one short write transaction
        entry = _Entry(settings(ctx))
        try:
            text = text or entry.ask("问题描述", entry.check_text)
            unit = unit or entry.ask("单位", entry.check_unit)
            area = area or entry.ask("整治重点", entry.check_area, picks=entry.area_names())
        except (EOFError, KeyboardInterrupt):
            output.note("\n已取消，未登记。")
            raise typer.Exit(130) from None
    text = need(text, option="TEXT", label="问题描述")
    unit = need(unit, option="--unit", label="单位")
    area = need(area, option="--area", label="整治重点")
    with db_session(ctx, write=True) as session:
        issue = issues.add(session, unit=unit, text=text, area=area, source=source, check=check, found=found,
                           leader=leader, owner=owner, note=note)
        rec = issues.record_of(session, issue, new=True)
    reply(json_, rec, _say_added(rec))


class _Refused(Exception):
    def __init__(self, message: str, picks: list[str] | None = None):
        super().__init__(message)
        self.message, self.picks = message, picks or []


class _Entry:
    """Prompts for one issue, each answer checked at once against the register (a short read,
    never a write transaction held while a person types); a refused answer re-asks that field only,
    with candidates to pick by number and the typed text kept as the default."""

    def __init__(self, s):
        self.s = s

    def _read(self, fn):
        from ..db import open_session
        from ..errors import ZzError
        from ..register import plan_of

        try:
            with open_session(self.s, write=False, migrate=False) as session:
                return fn(session, plan_of(session))
        except ZzError as exc:
            raise _Refused(exc.message) from None

    def ask(self, label: str, check, *, default: str | None = None, picks: list[str] | None = None,
            optional: bool = False) -> str:
        shown = default
        picks = list(picks or [])
        while True:
            answer = _ask(label, shown, optional=optional)
            if answer == "" and shown is not None:
                answer = shown
            if answer == "" and optional:
                return ""
            chosen = answer
            if answer.isdecimal() and picks and 1 <= int(answer) <= len(picks):
                chosen = picks[int(answer) - 1]
            try:
                return check(chosen)
            except _Refused as r:
                output.note(f"zz: 错误：{r.message}")
                picks = r.picks or picks
                if picks:
                    output.note("  可选（填序号或名称）：" + "  ".join(f"{i} {p}" for i, p in enumerate(picks, 1)))
                shown = answer or None  # what was typed stays, as the default to accept or correct

    def check_text(self, value: str) -> str:
        from .. import text as text_rules
        from ..errors import ZzError

        try:
            return text_rules.clean(value, field="description", required=True)
        except ZzError as exc:
            raise _Refused(exc.message) from None

    def check_unit(self, value: str) -> str:
        import difflib

        from .. import units
        from ..errors import ZzError

        def resolve(session, _plan):
            try:
                return True, units.resolve(session, value).name, []
            except ZzError as exc:
                names = [u.name for u in units.list_units(session)]
                picks = [n for n in names if value and value in n] or difflib.get_close_matches(value, names, n=9, cutoff=0.3)
                return False, exc.message, picks[:20]

        ok, name, picks = self._read(resolve)
        if not ok:
            raise _Refused(name, picks)
        return name

    def area_names(self) -> list[str]:
        return self._read(lambda _s, plan: [a.name for a in plan.areas])

    def check_area(self, value: str) -> str:
        try:
            return self._read(lambda _s, plan: plan.area(value).name)
        except _Refused as r:
            raise _Refused(r.message, self.area_names()) from None

    def check_source(self, value: str) -> str:
        sources = self._read(lambda _s, plan: list(plan.lists["sources"]))
        text = value.strip()
        if text in sources:
            return text
        hits = [s for s in sources if text and text in s]
        if len(hits) == 1:  # 群众 → 群众投诉
            return hits[0]
        raise _Refused(f"问题来源：“{value}”不在可选范围内", hits or sources)

    def check_names(self) -> list[str]:
        return self._read(lambda _s, plan: [c.check for c in plan.checks])

    def check_check(self, value: str) -> str:
        try:
            return str(self._read(lambda _s, plan: plan.check(value).no))
        except _Refused as r:
            raise _Refused(r.message, self.check_names()) from None

    def check_found(self, value: str) -> str:
        from ..dates import parse_date

        return self._read(lambda _s, plan: parse_date(value, field="发现日期", year=plan.year).isoformat())


def _ask(label: str, default: str | None, *, optional: bool = False) -> str:
    """One line from the person. Unlike typer.prompt, Ctrl-C (KeyboardInterrupt) and Ctrl-D (EOFError)
    stay apart: the loop discards the entry on the one and ends on the other."""
    import sys

    from ..text import display

    hint = "（可空）" if optional else ""
    sys.stderr.write(f"{display(label)}{hint} [{display(default)}]: " if default else f"{display(label)}{hint}: ")
    sys.stderr.flush()
    return input().strip()


def _entry_loop(ctx, **defaults) -> None:
    """The clerk's data-entry loop: one prompted entry after another, each answer checked as typed,
    each entry stored in its own short transaction. Ctrl-C drops the entry being typed; Ctrl-D ends."""
    import datetime as dt

    from .. import issues
    from ..db import engine_for, open_session
    from ..errors import ZzError
    from ..migrations import ensure
    from ..register import plan_of

    import signal

    # Ctrl-C drops one entry even when zz was started with SIGINT ignored (from a background job)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    s = settings(ctx)
    ensure(engine_for(s))
    with open_session(s, write=False) as session:
        plan = plan_of(session)
    areas = "、".join(f"{a.no} {a.name}" for a in plan.areas)
    output.note(f"逐条录入问题（Ctrl-C 放弃本条，Ctrl-D 结束）。整治重点：{areas}")
    entry = _Entry(s)
    last = {"unit": None, "found": defaults.get("found") or dt.date.today().isoformat()}
    count = 0
    while True:
        typed: dict = {}
        try:
            typed["unit"] = entry.ask("单位", entry.check_unit, default=last["unit"])
            typed["text"] = entry.ask("问题描述", entry.check_text)
            typed["area"] = entry.ask("整治重点", entry.check_area, picks=entry.area_names())
            typed["source"] = entry.ask("问题来源", entry.check_source, default=defaults.get("source") or issues.DEFAULT_SOURCE)
            typed["check"] = entry.ask("四查四看", entry.check_check, default=defaults.get("check"),
                                       picks=entry.check_names(), optional=True)
            typed["found"] = entry.ask("发现日期", entry.check_found, default=last["found"])
            typed["owner"] = _ask("责任人", defaults.get("owner"))
        except KeyboardInterrupt:
            output.note("\n已放弃本条（未保存），继续录入下一条。")
            continue
        except EOFError:
            dropped = "；未录完的一条已放弃（未保存）" if typed else ""
            output.note(f"\n本次录入 {count} 条问题{dropped}。")
            return
        try:
            with open_session(s) as session:
                issue = issues.add(session, unit=typed["unit"], text=typed["text"], area=typed["area"],
                                   source=typed["source"], check=typed["check"] or None, found=typed["found"],
                                   leader=defaults.get("leader"), owner=typed["owner"] or defaults.get("owner") or None)
                rec = issues.record_of(session, issue, new=True)
        except ZzError as exc:
            output.note(f"zz: 错误：{exc.message}（本条未保存，请重新录入）")
            continue
        count += 1
        last = {"unit": rec["unit"], "found": typed["found"]}
        output.line(_say_added(rec))
        show_warnings(s)  # this entry's dates to check, before the next is asked


@app.command("list")
def issue_list(
    ctx: typer.Context,
    unit: UNIT = None,
    area: AREA = None,
    source: SOURCE = None,
    status: Annotated[Optional[str], typer.Option("--status", help="问题状态：未整改、整改中、已整改、已销号", autocompletion=completer("issue_statuses"))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列有逾期整改的问题")] = False,
    today: AS_OF = None,
    limit: LIMIT = None,
    void: Annotated[bool, typer.Option("--void", help="只列已作废的问题（不属实、不予整改、重复）")] = False,
    all_: Annotated[bool, typer.Option("--all", help="连同已作废的问题一起列出")] = False,
    json_: JSON = False,
    csv_: CSV = False,
):
    """列出问题，最新发现的在前（已作废的不列，除非 --void 或 --all）。示例：zz issue list --unit 杨村 --overdue"""
    from .. import issues

    filters = dict(unit=unit, area=area, source=source, status=status, overdue=overdue, as_of=as_of(today),
                   void="all" if all_ else "only" if void else "live")
    columns = ["编号", "单位", "整治重点", "来源", "问题描述", "发现日期", "责任人", "整改", "状态"]

    def row(r):
        return (r["id"], r["unit"], r["area"], r["source"], r["description"], r["found_on"], r["owner"],
                len(r["fixes"]), _status(r))

    with db_session(ctx, write=False) as session:
        shown = page_or_stream(json_, csv_, limit, columns, row,
                               stream=lambda n: issues.iter_issues(session, limit=n, **filters),
                               page=lambda n: issues.list_issues(session, limit=n, newest_first=True, **filters),
                               count=lambda: issues.count_issues(session, **filters))
    if shown is None:
        return
    recs, total = shown
    output.listing(f"问题清单（{total} 条）", columns, [row(r) for r in recs])
    output.page_note(total, len(recs))


def _status(rec: dict) -> str:
    if rec["void_reason"]:
        dup = f"，同 #{rec['duplicate_of']}" if rec["duplicate_of"] else ""
        return f"已作废（{rec['void_reason']}{dup}）"
    return rec["status"] + ("（有逾期）" if rec["overdue"] else "")


@app.command("show")
def issue_show(
    ctx: typer.Context,
    issue_id: Annotated[int, typer.Argument(help="问题编号")],
    today: AS_OF = None,
    json_: JSON = False,
):
    """查看一条问题及其整改、制度。示例：zz issue show 12"""
    from .. import issues
    from ..fixes import deadline_words

    with db_session(ctx, write=False) as session:
        rec = issues.show(session, issue_id, as_of=as_of(today))
    if json_:
        output.emit_json(rec)
        return
    output.fields(f"问题 #{rec['id']}", [
        ("单位", rec["unit"]), ("整治重点", rec["area"]), ("问题来源", rec["source"]), ("四查四看", rec["check"]),
        ("问题描述", rec["description"]), ("发现日期", rec["found_on"]), ("责任领导", rec["leader"]),
        ("责任人", rec["owner"]), ("状态", _status(rec)), ("备注", rec["note"]),
        *([("作废", f"{rec['voided_on']} {rec['void_reason']}"
                    + (f"（与问题 #{rec['duplicate_of']} 重复）" if rec["duplicate_of"] else ""))] if rec["void_reason"] else []),
    ])
    if rec["fixes"]:
        output.table("整改清单", ["编号", "整改任务及措施", "时限", "责任人", "状态", "逾期"],
                     [(f["id"], f["task"], deadline_words(f), f["owner"], f["status"],
                       f"{f['days_late']} 天（{f['tier']}）" if f["overdue"] else "") for f in rec["fixes"]])
    if rec["rules"]:
        output.table("制度清单", ["编号", "制度名称", "立改废", "状态"], [(r["id"], r["title"], r["action"], r["status"]) for r in rec["rules"]])


@app.command("edit")
def issue_edit(
    ctx: typer.Context,
    issue_id: Annotated[int, typer.Argument(help="问题编号")],
    text: Annotated[Optional[str], typer.Option("--text", help="问题描述")] = None,
    unit: UNIT = None,
    area: AREA = None,
    source: SOURCE = None,
    check: Annotated[Optional[str], typer.Option("--check", help="四查四看事项 1–4（空字符串清除）")] = None,
    found: Annotated[Optional[str], typer.Option("--found", help="发现日期")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="责任领导")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    json_: JSON = False,
):
    """修改一条问题，列出改前 → 改后（可撤销）。示例：zz issue edit 12 --owner 李强 --area 6"""
    edit_record(ctx, json_, "issues", issue_id, dict(text=text, unit=unit, area=area, source=source, check=check,
                                                     found=found, leader=leader, owner=owner, note=note),
                named=lambda rec: f"问题 #{rec['id']}（{rec['unit']} · {rec['area']}）")


@app.command("void")
def issue_void(
    ctx: typer.Context,
    issue_id: Annotated[int, typer.Argument(help="问题编号")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="作废理由：不属实、不予整改、重复")] = None,
    duplicate_of: Annotated[Optional[int], typer.Option("--duplicate-of", help="与哪条问题重复（理由为“重复”时必填）")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="作废日期（默认今天）")] = None,
    json_: JSON = False,
):
    """作废一条误登的问题（保留记录，不再计入清单、逾期和报表；可用 zz undo 撤销）。示例：zz issue void 12 --reason 重复 --duplicate-of 9"""
    from .. import issues

    with db_session(ctx, write=True) as session:
        reason = need(reason, option="--reason", label="作废理由", choices=list(issues.VOID_REASONS))
        issues.void(session, issue_id, reason=reason, duplicate_of=duplicate_of, on=date)
        rec = issues.show(session, issue_id)
    reply(json_, rec, f"已作废问题 #{rec['id']}（{rec['unit']}）：{_status(rec)}，{rec['voided_on']}")
