"""Bulletins (通报 第N期): the periodic bulletin of the campaign office (建立定期通报制度).

A month's bulletin names the lagging units (overdue fixes by warning tier, milestones
missed), the accountability cases by name (点名道姓通报批评), typical cases of both kinds,
and the rectification completed. Bulletins are numbered in sequence and recorded when
issued; issuing the same month again keeps its number unless a new one is asked for. A
month with nothing to say gets no bulletin and no number.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import and_, case as when, func, or_
from sqlmodel import select

from . import accountability, audit, cases, fixes, milestones
from . import text as text_rules
from . import issues as issues_mod
from .dates import option_date
from .errors import Conflict, Invalid
from .models import Bulletin, Fix, Inspection, InspectionUnit, Issue, Unit
from .register import plan_of
from .dates import named_month
from .vocab import OverdueTier

FORMATS = (".md", ".xlsx", ".docx")


def _lagging(session, *, as_of: dt.date, with_milestones: bool) -> list[dict]:
    """Units with fixes overdue on `as_of` (by tier) or milestones missed by then."""
    from .reports import changed_since, overdue_on

    blue_from, yellow_from = as_of - dt.timedelta(days=7), as_of - dt.timedelta(days=30)
    changed = changed_since(session, as_of)  # judged as they stood on as_of (deadline then in force, done then)
    skip = [Fix.id.not_in([c.fix_id for c in changed])] if changed else []
    rows = session.exec(
        select(Fix.unit_id, func.count(), func.min(Fix.deadline),
               func.sum(when((Fix.deadline >= blue_from, 1), else_=0)),
               func.sum(when(((Fix.deadline < blue_from) & (Fix.deadline >= yellow_from), 1), else_=0)),
               func.sum(when((Fix.deadline < yellow_from, 1), else_=0)))
        .where(fixes.overdue_clause(as_of), *issues_mod.live(session, Fix.issue_id, as_of), *skip).group_by(Fix.unit_id)
    ).all()
    per: dict[int, dict] = {}

    def blank() -> dict:
        return {"overdue": 0, "tiers": {t: 0 for t in OverdueTier}, "max_days_late": 0, "missed_milestones": []}

    for unit_id, n, oldest, blue, yellow, red in rows:
        per[unit_id] = {"overdue": int(n), "tiers": {OverdueTier.BLUE: int(blue or 0), OverdueTier.YELLOW: int(yellow or 0), OverdueTier.RED: int(red or 0)},
                        "max_days_late": (as_of - oldest).days, "missed_milestones": []}
    for c in changed:
        if overdue_on(c.then, as_of):
            u, late = per.setdefault(c.unit_id, blank()), (as_of - c.then.deadline).days
            u["overdue"] += 1
            u["tiers"][fixes.tier(late)] += 1
            u["max_days_late"] = max(u["max_days_late"], late)
    if with_milestones:
        plan = plan_of(session)
        done = milestones.done_dates(session, as_of)
        due = [m for m in plan.milestones if m.due_on < as_of]
        if due:
            for unit_id in session.exec(select(Unit.id)).all():
                missed = [m.name for m in due if unit_id not in done[m.key]]
                if missed:
                    per.setdefault(unit_id, blank())["missed_milestones"] = missed
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    out = [{"unit": names[u], **v} for u, v in per.items()]
    out.sort(key=lambda u: (-u["tiers"][OverdueTier.RED], -u["overdue"], -len(u["missed_milestones"]), u["unit"]))
    return out


def _completed(session, *, start: dt.date, end: dt.date) -> list[dict]:
    """The fixes completed in the period, as it stood at its end (a completion a 退回 took back later still counts)."""
    from .reports import changed_since

    changed = {c.fix_id: c.then for c in changed_since(session, end)}
    done_then = or_(and_(Fix.done_on >= start, Fix.done_on <= end),
                    Fix.id.in_([i for i, f in changed.items() if f.done_on and start <= f.done_on <= end]))
    rows = session.exec(
        select(Fix, Unit.name, Issue.description).join(Unit, Unit.id == Fix.unit_id).join(Issue, Issue.id == Fix.issue_id)
        .where(done_then, Issue.found_on <= end, *issues_mod.live(session, Fix.issue_id, end))
    ).all()
    out = []
    for f, name, desc in rows:
        done_on = changed[f.id].done_on if f.id in changed else f.done_on
        if done_on is None or not start <= done_on <= end:
            continue
        status = fixes.VERIFIED if f.verified_on and f.verified_on <= end else fixes.DONE  # as it stood at the end
        out.append(((f.unit_id, done_on, f.id), {"fix_id": f.id, "issue_id": f.issue_id, "unit": name, "issue": desc,
                                                  "task": f.task, "done_on": done_on.isoformat(), "status": status}))
    return [rec for _, rec in sorted(out, key=lambda x: x[0])]


def compose(session, *, period: str, today: dt.date | None = None, issued_on: dt.date | None = None) -> dict:
    """What the bulletin for a month says (no number yet). A month not yet over is reported
    as of today (or the day it is issued), never as of a future month end."""
    plan = plan_of(session)
    key, start, end = named_month(period)
    if issued_on is not None and issued_on < start:
        raise Invalid(f"印发日期（--date）：{issued_on} 早于通报月份 {key} 的第一天；通报只能在该月开始以后印发", field="date")
    if today is not None and start <= today < end:
        end = today
    in_campaign = start <= plan.end and end >= plan.start
    lagging = _lagging(session, as_of=end, with_milestones=in_campaign)
    acc = accountability.list_records(session, start=start, end=end)
    all_cases = cases.list_cases(session, start=start, end=end)
    kinds = plan.lists["case_kinds"]
    positive = [c for c in all_cases if c["kind"] == kinds[0]]
    negative = [c for c in all_cases if c["kind"] != kinds[0]]
    completed = _completed(session, start=start, end=end)
    inspected = session.exec(select(func.count()).select_from(Inspection)
                             .where(Inspection.inspected_on >= start, Inspection.inspected_on <= end)).one()
    units_inspected = session.exec(
        select(func.count(func.distinct(InspectionUnit.unit_id))).join(Inspection, Inspection.id == InspectionUnit.inspection_id)
        .where(Inspection.inspected_on >= start, Inspection.inspected_on <= end)).one()
    by_unit: dict[str, int] = {}
    for f in completed:
        by_unit[f["unit"]] = by_unit.get(f["unit"], 0) + 1
    data = {
        "period": key, "start": start.isoformat(), "end": end.isoformat(), "as_of": end.isoformat(),
        "issuer": f"{plan.issuer}办公室" if plan.issuer else "", "no": None, "title": "作风纪律专项整治通报",
        "empty": not (lagging or acc or all_cases or completed or inspected),
        "totals": {
            "lagging_units": len(lagging), "overdue_fixes": sum(u["overdue"] for u in lagging),
            "tiers": {t: sum(u["tiers"][t] for u in lagging) for t in OverdueTier},
            "accountability": len(acc), "cases_positive": len(positive), "cases_negative": len(negative),
            "fixes_completed": len(completed), "inspections": inspected, "units_inspected": units_inspected,
        },
        "lagging_units": lagging, "accountability": acc, "cases": {"positive": positive, "negative": negative},
        "completed": completed, "completed_by_unit": [{"unit": u, "count": n} for u, n in by_unit.items()],
    }
    return data


def _lines(data: dict) -> list[str]:
    """The bulletin's paragraphs (cover page of the workbook, body of the Markdown)."""
    t = data["totals"]
    y, m = int(data["period"][:4]), int(data["period"][5:])
    out = [f"{data['issuer']}　　{data['issued_on_text']}",
           f"现将{y}年{m}月作风纪律专项整治进展情况通报如下："]
    out.append(f"一、整改进展滞后单位。截至{data['as_of']}，{t['lagging_units']} 个单位进展滞后，逾期未完成整改 {t['overdue_fixes']} 项"
               f"（红色预警 {t['tiers']['红']} 项、黄色预警 {t['tiers']['黄']} 项、蓝色预警 {t['tiers']['蓝']} 项）。"
               if t["lagging_units"] else "一、整改进展滞后单位。本期无进展滞后单位。")
    for u in data["lagging_units"]:
        parts = []
        if u["overdue"]:
            parts.append(f"逾期整改 {u['overdue']} 项（红 {u['tiers']['红']}、黄 {u['tiers']['黄']}、蓝 {u['tiers']['蓝']}，最长逾期 {u['max_days_late']} 天）")
        if u["missed_milestones"]:
            parts.append("未按时完成：" + "、".join(u["missed_milestones"]))
        out.append(f"　　{u['unit']}：{'；'.join(parts)}。")
    out.append(f"二、问责情况。本期问责 {t['accountability']} 人次，点名通报如下：" if t["accountability"] else "二、问责情况。本期无问责。")
    for a in data["accountability"]:
        who = f"{a['unit']}{a['position'] or ''}{a['person']}"
        why = f"，{a['reason']}" if a["reason"] else ""
        extra = f"（处理结果：{a['outcome']}）" if a["outcome"] else ""
        out.append(f"　　{who}{why}，于{a['decided_on']}被给予{a['measure']}{'（' + a['decided_by'] + '决定）' if a['decided_by'] else ''}{extra}。")
    out.append("三、典型案例。")
    for label, items in (("正面典型", data["cases"]["positive"]), ("反面典型", data["cases"]["negative"])):
        if not items:
            out.append(f"　　{label}：本期无。")
        for c in items:
            where = f"（{c['published_on']} 于{c['published_where']}公开）" if c["published_where"] else (f"（{c['published_on']} 公开）" if c["published_on"] else "")
            out.append(f"　　{label}：{c['unit']}{'，' + c['person'] if c['person'] else ''}——{c['title']}{'。' + c['what'] if c['what'] else ''}{where}")
    out.append(f"四、整改完成情况。本期完成整改 {t['fixes_completed']} 项" + (
        "：" + "，".join(f"{x['unit']} {x['count']} 项" for x in data["completed_by_unit"]) + "。" if t["fixes_completed"] else "。"))
    if t["inspections"]:
        out.append(f"本期开展督查 {t['inspections']} 次，督查单位 {t['units_inspected']} 个。")
    out.append("请各单位对照通报内容，举一反三，抓好整改落实；被通报单位要认真查找原因，加快整改进度。")
    return out


def _cell(value) -> str:
    return "" if value is None else str(value).replace("|", "｜").replace("\n", "<br>")


def markdown(data: dict) -> str:
    lines = [f"# {data['heading']}", "", f"**{data['no_text']}**", ""]
    for text in _lines(data):
        if text.startswith("　　"):
            lines.append("- " + text[2:])
        else:
            if lines[-1] != "":
                lines.append("")
            lines += [text, ""]
    from .excel.bulletin import bulletin_tables

    lines.append("## 附表")
    for t in bulletin_tables(data):
        if not t.rows:
            continue
        lines += ["", f"### {t.title.split('·')[-1]}", "", "| " + " | ".join(t.columns) + " |",
                  "|" + "---|" * len(t.columns)]
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in t.rows]
    return "\n".join(lines) + "\n"


def issue(session, *, period: str | None = None, path: Path, new_number: bool = False, on=None,
          today: dt.date | None = None, template: Path | None = None, reissue: bool = False,
          reason: str | None = None) -> dict:
    """Compose, number, record and write the bulletin for a month. Returns what it said, with
    `written` false (and nothing recorded) when the month had nothing in it.

    An issued 期 keeps its number, date and content (SPEC §5a): writing it again reproduces the
    stored content word for word, whatever changed since. A correction is a new 期 (`new_number`)
    or, with a reason, the same 期 reissued (`reissue`): composed afresh, the reason recorded."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise Invalid(f"输出文件（-o）：“{path.name}”应以 .md、.xlsx 或 .docx 结尾", field="output")
    today = today or dt.date.today()
    issued_on = option_date(session, on, field="印发日期（--date）", empty_clears=True)
    key = named_month(period or f"{today.year:04d}-{today.month:02d}")[0]
    existing = session.exec(select(Bulletin).where(Bulletin.period == key).order_by(Bulletin.no.desc())).first()
    if reissue:
        reason = text_rules.clean(reason, field="reason", label="更正理由（--reason）", required=True)
        if existing is None:
            raise Conflict(f"--reissue：{key} 的通报尚未印发，没有可更正的一期；直接印发即可（去掉 --reissue）", field="reissue")
    if existing is not None and not (new_number or reissue):
        if issued_on is not None and issued_on != existing.issued_on:
            raise Conflict(f"印发日期（--date）：{key} 的通报第{existing.no}期已于 {existing.issued_on} 印发；重新生成沿用原日期与内容。"
                           "如需更正，请用 --reissue --reason 理由（同一期号）或 --new-number（新的一期）", field="date")
        data = _stored(session, existing)
        existing.file = str(path)
        existing.note = _note(existing.note, f"{today.isoformat()} 重新生成")
        bulletin, reissued = existing, True
    else:
        day = issued_on or today
        data = compose(session, period=key, today=day, issued_on=day)
        if data["empty"]:
            return {**data, "written": False, "file": None}
        if reissue:
            bulletin, reissued = existing, True
            bulletin.issued_on, bulletin.file = day, str(path)
            bulletin.note = _note(existing.note, f"{today.isoformat()} 更正重发：{reason}")
        else:
            no = (session.exec(select(func.max(Bulletin.no))).one() or 0) + 1
            bulletin, reissued = Bulletin(no=no, period=data["period"], issued_on=day, file=str(path)), False
        data = _numbered(data, bulletin)
        bulletin.content = json.dumps(data, ensure_ascii=False, sort_keys=True)
        data = json.loads(bulletin.content)  # what is written is what is kept, to the character
    y, m = int(data["period"][:4]), int(data["period"][5:])
    bulletin.title = f"作风纪律专项整治通报 第{bulletin.no}期（{y}年{m}月）"
    session.add(bulletin)
    session.flush()
    data["reissued"] = reissued
    _write(session, path, data, template)
    verb = "更正重发" if reissue else ("重新生成" if reissued else "印发")
    audit.set_summary(session, f"{verb}通报第{bulletin.no}期（{data['period']}）：{path.name}")
    return {**data, "written": True, "file": str(path)}


def preview(session, *, period: str | None = None, on=None) -> dict:
    """What `--json` shows: an issued 期 as it was issued (the latest for the month), else what one issued
    on `on` (default today) would say, unnumbered."""
    today = dt.date.today()
    key = named_month(period or f"{today.year:04d}-{today.month:02d}")[0]
    issued_on = option_date(session, on, field="印发日期（--date）", empty_clears=True)
    existing = session.exec(select(Bulletin).where(Bulletin.period == key).order_by(Bulletin.no.desc())).first()
    if existing is not None and existing.content and issued_on in (None, existing.issued_on):
        return json.loads(existing.content)
    day = issued_on or today
    return compose(session, period=key, today=day, issued_on=issued_on)


def _note(old: str | None, line: str) -> str:
    return f"{old}；{line}" if old else line


def _numbered(data: dict, bulletin) -> dict:
    d = bulletin.issued_on
    data = {**data, "no": bulletin.no, "no_text": f"第{bulletin.no}期", "issued_on": d.isoformat(),
            "issued_on_text": f"{d.year}年{d.month}月{d.day}日", "title": f"作风纪律专项整治通报（第{bulletin.no}期）",
            "heading": "作风纪律专项整治通报"}
    data["lines"] = _lines(data)
    return data


def _stored(session, bulletin) -> dict:
    """What an issued 期 said. One issued before zz kept content is composed as of its own date, once, and kept."""
    if bulletin.content:
        return json.loads(bulletin.content)
    data = _numbered(compose(session, period=bulletin.period, today=bulletin.issued_on, issued_on=bulletin.issued_on), bulletin)
    bulletin.content = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return json.loads(bulletin.content)


def _write(session, path: Path, data: dict, template: Path | None = None) -> None:
    if path.suffix.lower() == ".xlsx":
        from .excel.bulletin import write_bulletin

        write_bulletin(path, data)
    elif path.suffix.lower() == ".docx":  # the 公文 (documents/bulletin.py), with its 文号
        from .documents.bulletin import write as write_docx

        data["doc_no"] = write_docx(session, path, data, template=template)
    else:
        from .excel.bulletin import atomic_save

        text = markdown(data)
        atomic_save(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def list_bulletins(session) -> list[dict]:
    return [
        {"no": b.no, "period": b.period, "issued_on": b.issued_on.isoformat(), "title": b.title, "file": b.file, "note": b.note,
         "as_of": json.loads(b.content)["as_of"] if b.content else None}
        for b in session.exec(select(Bulletin).order_by(Bulletin.no)).all()
    ]
