"""Opinions (征求意见): feedback a unit collects by 座谈会, 征求意见表 or 服务评价评议 from
服务对象, 基层群众, 上级部门 or 相关单位.

An opinion may be linked to an issue, or turned into one (source 征求意见). Opinions with
the same topic (or, without one, the same wording) form a *concern*; `concerns` ranks them
by how often they were raised — the plan's 反映比较集中的突出问题 — with the state of their
rectification and whether it was published (公布整改情况).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import select

from . import audit, issues, units
from . import text as text_rules
from .dates import normalize, parse_loose_date
from .errors import Conflict, Invalid, NotFound
from .models import Issue, Opinion, Unit
from .register import plan_of
from .dates import campaign_date, named_month
from .text import text_or_none
from .vocab import IssueStatus

SOURCE = "征求意见"
NO_ISSUE = "未立项"


def _people(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"反映人数（--count）：“{value}”应为正整数", field="count") from None
    if n < 1:
        raise Invalid(f"反映人数（--count）：“{value}”应为正整数", field="count")
    return n


def add(session, *, text: str, unit: str, channel: str, from_group: str, people=1, on=None, topic: str | None = None,
        issue_id: int | None = None, as_issue: bool = False, area=None, owner: str | None = None,
        leader: str | None = None, note: str | None = None) -> Opinion:
    plan = plan_of(session)
    text = text_rules.clean(text, field="content", label="意见内容（TEXT）", required=True)
    topic, note = text_rules.clean(topic, field="topic", label="主题（--topic）"), text_rules.clean(note, field="note")
    the_unit = units.resolve(session, unit)
    the_channel = plan.choice("channels", channel, label="征求方式（--channel）", field="channel")
    the_from = plan.choice("opinion_from", from_group, label="意见来源（--from）", field="from")
    count = _people(people)
    day = campaign_date(session, on, field="征求日期（--date）", default=dt.date.today())
    if issue_id is not None and as_issue:
        raise Invalid("问题编号（--issue）：“--issue”与“--as-issue”只能选一个", field="issue")
    opinion = Opinion(unit_id=the_unit.id, channel=the_channel, from_group=the_from, content=text,
                      topic=text_or_none(topic), people=count, received_on=day, note=text_or_none(note))
    if issue_id is not None:
        opinion.issue_id = issues.get(session, issue_id).id
    elif as_issue and area in (None, ""):
        raise Invalid("整治重点（--area）：意见转为问题时必须写明整治重点", field="area")
    session.add(opinion)
    session.flush()
    if as_issue:
        _make_issue(session, opinion, the_unit, area=area, owner=owner, leader=leader)
    audit.set_summary(session, f"登记征求意见 #{opinion.id}（{the_unit.name}，{the_channel}，{the_from}）")
    return opinion


def _make_issue(session, opinion: Opinion, unit: Unit, *, area, owner=None, leader=None) -> Issue:
    issue = issues.add(session, unit=unit.name, text=opinion.content, area=area, source=SOURCE, found=opinion.received_on,
                       owner=owner, leader=leader, extra={"opinion_id": opinion.id})
    opinion.issue_id = issue.id
    session.add(opinion)
    session.flush()
    return issue


def get(session, opinion_id: int) -> Opinion:
    opinion = session.get(Opinion, opinion_id)
    if opinion is None:
        raise NotFound(f"意见编号：没有编号为 {opinion_id} 的意见（zz opinion list 可查看）", field="opinion_id")
    return opinion


def link(session, opinion_id: int, *, issue_id: int | None = None, as_issue: bool = False, area=None,
         owner: str | None = None, leader: str | None = None) -> Opinion:
    """Link an opinion to an existing issue, or turn it into a new one (source 征求意见)."""
    opinion = get(session, opinion_id)
    if (issue_id is None) == (not as_issue):
        raise Invalid("问题编号（--issue）：请写 --issue 编号（关联已有问题）或 --as-issue（转为新问题），二选一", field="issue")
    if opinion.issue_id is not None:
        raise Conflict(f"意见 #{opinion_id} 已关联问题 #{opinion.issue_id}", field="opinion_id")
    if issue_id is not None:
        opinion.issue_id = issues.get(session, issue_id).id
        session.add(opinion)
        session.flush()
    else:
        if area in (None, ""):
            raise Invalid("整治重点（--area）：意见转为问题时必须写明整治重点", field="area")
        _make_issue(session, opinion, session.get(Unit, opinion.unit_id), area=area, owner=owner, leader=leader)
    audit.set_summary(session, f"意见 #{opinion.id} 关联问题 #{opinion.issue_id}")
    return opinion


def edit(session, opinion_id: int, *, text=None, unit=None, channel=None, from_group=None, people=None, on=None,
         topic=None, issue_id: int | None = None, note=None) -> list[dict]:
    """Correct an opinion; returns the changes (old → new). `topic` / `note` "" clears."""
    from . import edits

    plan = plan_of(session)
    opinion = get(session, opinion_id)
    ch = edits.Changes("opinion edit")
    if text is not None:
        ch.set(opinion, "content", "意见内容", edits.text(text, label="意见内容（--text）", field="content", required=True))
    if unit is not None:
        the_unit = units.resolve(session, unit)
        if ch.set(None, "unit", "单位", the_unit.name, old=session.get(Unit, opinion.unit_id).name, apply=False):
            opinion.unit_id = the_unit.id
    if channel is not None:
        ch.set(opinion, "channel", "征求方式", plan.choice("channels", channel, label="征求方式（--channel）", field="channel"))
    if from_group is not None:
        ch.set(opinion, "from_group", "意见来源", plan.choice("opinion_from", from_group, label="意见来源（--from）", field="from"))
    if people is not None:
        ch.set(opinion, "people", "反映人数", _people(people))
    if on is not None:
        day = campaign_date(session, on, field="征求日期（--date）")
        if day is None:
            raise Invalid("征求日期（--date）：不能为空", field="date")
        ch.set(opinion, "received_on", "征求日期", day)
    if topic is not None:
        ch.set(opinion, "topic", "问题类别", text_or_none(topic))
    if issue_id is not None:
        ch.set(opinion, "issue_id", "关联问题", issues.get(session, issue_id).id)
    if note is not None:
        ch.set(opinion, "note", "备注", text_or_none(note))
    changes = ch.done(session, f"意见 #{opinion.id}")
    session.add(opinion)
    session.flush()
    return changes


def _concern_key(opinion: Opinion) -> str:
    return opinion.topic or normalize(opinion.content)


def publish(session, *, ids: list[int] | None = None, topic: str | None = None, on=None) -> list[Opinion]:
    """Mark that the rectification of these opinions (or of every opinion on a topic) was published."""
    chosen: dict[int, Opinion] = {}
    for opinion_id in ids or []:
        chosen[opinion_id] = get(session, opinion_id)
    if topic:
        rows = session.exec(select(Opinion).where(Opinion.topic == topic.strip())).all()
        if not rows:
            raise NotFound(f"问题类别（--topic）：没有类别为“{topic}”的意见", field="topic")
        chosen.update({o.id: o for o in rows})
    if not chosen:
        raise Invalid("意见编号：请写要公布的意见编号，或用 --topic 指定类别", field="opinion_id")
    day = campaign_date(session, on, field="公布日期（--date）", default=dt.date.today())
    for opinion in chosen.values():
        opinion.published_on = day
        session.add(opinion)
    session.flush()
    audit.set_summary(session, f"公布整改情况：意见 {len(chosen)} 条")
    return list(chosen.values())


def record(opinion: Opinion, unit_name: str, issue_status: str | None) -> dict:
    return {
        "id": opinion.id, "unit": unit_name, "channel": opinion.channel, "from": opinion.from_group,
        "content": opinion.content, "topic": opinion.topic, "people": opinion.people,
        "received_on": opinion.received_on.isoformat(), "issue_id": opinion.issue_id, "issue_status": issue_status,
        "published_on": opinion.published_on.isoformat() if opinion.published_on else None, "note": opinion.note,
    }


def _rectification(statuses: list[str]) -> str:
    if not statuses:
        return NO_ISSUE
    if all(s in (IssueStatus.FIXED, IssueStatus.CLOSED) for s in statuses):
        return IssueStatus.CLOSED if all(s == IssueStatus.CLOSED for s in statuses) else IssueStatus.FIXED
    if all(s == IssueStatus.NOT_FIXED for s in statuses):
        return IssueStatus.NOT_FIXED
    return IssueStatus.FIXING


def list_opinions(session, *, unit: str | None = None, channel: str | None = None, from_group: str | None = None,
                  topic: str | None = None, period: str | None = None) -> dict:
    """The opinions, and the concerns they form ranked by how often they were raised."""
    plan = plan_of(session)
    q = select(Opinion, Unit.name, Issue.status).join(Unit, Unit.id == Opinion.unit_id).outerjoin(Issue, Issue.id == Opinion.issue_id)
    if unit:
        q = q.where(Opinion.unit_id == units.resolve(session, unit).id)
    if channel:
        q = q.where(Opinion.channel == plan.choice("channels", channel, label="征求方式（--channel）", field="channel"))
    if from_group:
        q = q.where(Opinion.from_group == plan.choice("opinion_from", from_group, label="意见来源（--from）", field="from"))
    if topic:
        q = q.where(Opinion.topic == topic.strip())
    if period:
        _, start, end = named_month(period)
        q = q.where(Opinion.received_on >= start, Opinion.received_on <= end)
    rows = session.exec(q.order_by(Opinion.received_on, Opinion.id)).all()
    recs = [record(o, name, status) for o, name, status in rows]
    groups: dict[str, dict] = {}
    for (opinion, name, status), rec in zip(rows, recs):
        g = groups.setdefault(_concern_key(opinion), {
            "concern": opinion.topic or opinion.content, "topic": opinion.topic, "times": 0, "people": 0,
            "units": [], "channels": [], "from": [], "issue_ids": [], "opinion_ids": [], "_statuses": {},
            "published": True, "published_on": None, "first_on": rec["received_on"], "last_on": rec["received_on"],
        })
        g["times"] += 1
        g["people"] += opinion.people
        g["opinion_ids"].append(opinion.id)
        g["last_on"] = rec["received_on"]
        for key, value in (("units", name), ("channels", opinion.channel), ("from", opinion.from_group)):
            if value not in g[key]:
                g[key].append(value)
        if opinion.issue_id is not None and opinion.issue_id not in g["issue_ids"]:
            g["issue_ids"].append(opinion.issue_id)
            g["_statuses"][opinion.issue_id] = status
        if opinion.published_on is None:
            g["published"] = False
        elif g["published_on"] is None or rec["published_on"] > g["published_on"]:
            g["published_on"] = rec["published_on"]
    concerns = []
    for g in groups.values():
        g["rectification"] = _rectification(list(g.pop("_statuses").values()))
        if not g["published"]:
            g["published_on"] = None
        concerns.append(g)
    concerns.sort(key=lambda g: (-g["times"], -g["people"], g["first_on"]))
    for rank, g in enumerate(concerns, start=1):
        g["rank"] = rank
    return {"concerns": concerns, "opinions": recs}


# ---- import: the opinion sheets units send in ----

COLUMNS = {
    "unit": ("单位", "单位名称", "填报单位", "征求单位"),
    "channel": ("征求方式", "方式", "渠道", "征求渠道", "征求形式", "形式"),
    "from": ("意见来源", "征求对象", "对象", "来源", "反映对象", "提出对象", "意见提出方"),
    "content": ("意见内容", "意见建议", "意见和建议", "主要意见", "内容", "意见", "反映问题"),
    "people": ("人数", "反映人数", "提出人数", "人次"),
    "date": ("日期", "征求日期", "收集日期", "时间", "征求时间"),
    "topic": ("问题类别", "类别", "归类", "主题", "问题归类"),
    "note": ("备注",),
}
LABELS = {"unit": "单位", "channel": "征求方式", "from": "意见来源", "content": "意见内容", "people": "人数",
          "date": "日期", "topic": "问题类别", "note": "备注"}


def _ready(cols: dict[str, int]) -> bool:
    return "content" in cols and ("channel" in cols or "from" in cols)


def _loose_choice(value: str, allowed: list[str]) -> str | None:
    """An allowed value, also when a unit wrote it longer or shorter (发放征求意见表 → 征求意见表)."""
    text = normalize(value)
    if text in allowed:
        return text
    hits = [a for a in allowed if a in text or (len(text) >= 2 and text in a)]
    return hits[0] if len(hits) == 1 else None


def import_file(session, path: Path, *, unit: str | None = None) -> dict:
    """Opinions from .xlsx/.csv; a file with any bad cell imports nothing. Rows already in the
    register (same unit, channel, source, content and date) are left as they are."""
    from .workbook_import.problems import no_header, refusal

    path = Path(path)
    plan = plan_of(session)
    problems: list = []
    entries = _read_opinions(session, path, plan, units.resolve(session, unit) if unit else None, problems)
    if not entries and not problems:
        raise no_header(path, "没有找到征求意见表的表头（需要“意见内容”以及“征求方式”或“意见来源”列）",
                        accepted="、".join(LABELS.values()))
    if problems:
        raise refusal(path, problems, nothing="意见", shown=50)
    counts = _store_opinions(session, entries, plan)
    if counts["outside_campaign"]:
        from .db import warn

        warn(session, f"有 {counts['outside_campaign']} 条意见的日期不在专项整治期间（{plan.start} 至 {plan.end}），已照常导入，请核对")
    audit.set_summary(session, f"导入征求意见 {path.name}：新增 {counts['new']} 条")
    return {"file": str(path), **counts}


def _read_opinions(session, path: Path, plan, default_unit: Unit | None, problems: list) -> list[dict]:
    """One entry per opinion row, each cell checked (problems collects the refused ones)."""
    from .excel.files import cell_text, read_any, table_rows
    from .workbook_import.problems import CellProblem

    entries: list[dict] = []
    unit_of = _UnitCells(session, default_unit)
    for sheet, row, raw in table_rows(read_any(path), COLUMNS, _ready):
        values = {k: cell_text(v) for k, v in raw.items()}
        if not values.get("content") and not values.get("channel") and not values.get("from"):
            continue  # blank or footnote row
        where = {"file": str(path), "sheet": sheet, "row": row}

        def bad(key: str, why: str, accepted: str = "", where=where, values=values) -> None:
            problems.append(CellProblem(**where, column=LABELS[key], value=values.get(key, ""), why=why, accepted=accepted))

        entry: dict = {"_where": where, "content": values.get("content"),
                       "topic": values.get("topic") or None, "note": values.get("note") or None}
        if not entry["content"]:
            bad("content", "意见内容不能为空")
        for key, list_name in (("channel", "channels"), ("from", "opinion_from")):
            entry[key] = _loose_choice(values.get(key, ""), plan.lists[list_name])
            if entry[key] is None:
                bad(key, "不在可选范围内", "、".join(plan.lists[list_name]))
        entry["unit"], why = unit_of(values.get("unit"))
        if entry["unit"] is None:
            bad("unit", why)
        entry["people"] = _cell_people(values.get("people"))
        if entry["people"] is None:
            bad("people", "人数应为正整数")
        entry["date"], why = _cell_date(raw.get("date"), values.get("date"), plan.year)
        if why:
            bad("date", why)
        entries.append(entry)
    return entries


class _UnitCells:
    """The 单位 cell → (unit, '') or (None, why); each name resolved once per file."""

    def __init__(self, session, default: Unit | None):
        self.session, self.default, self.cache = session, default, {}

    def __call__(self, name: str | None) -> tuple[Unit | None, str]:
        if not name:
            return (self.default, "") if self.default is not None else (None, "没有单位：请在表中加“单位”列，或用 --unit 指定")
        if name not in self.cache:
            try:
                self.cache[name] = (units.resolve(self.session, name), "")
            except (NotFound, Invalid) as exc:
                self.cache[name] = (None, exc.message.removeprefix("单位："))
        return self.cache[name]


def _cell_people(text: str | None) -> int | None:
    try:
        n = int(normalize(text or "1").removesuffix("人"))
    except ValueError:
        return None
    return n if n >= 1 else None


def _cell_date(raw, text: str | None, year: int) -> tuple[dt.date | None, str]:
    if not text:
        return None, "日期不能为空"
    try:
        return parse_loose_date(raw, year=year, field="日期"), ""
    except Invalid as exc:
        return None, exc.message.split("：", 1)[-1]


def _store_opinions(session, entries: list[dict], plan) -> dict:
    """New rows added; a row already registered left as it is."""
    plan_start, plan_end = plan.start, plan.end
    counts = {"new": 0, "unchanged": 0, "outside_campaign": 0}
    for e in entries:
        exists = session.exec(select(Opinion.id).where(
            Opinion.unit_id == e["unit"].id, Opinion.channel == e["channel"], Opinion.from_group == e["from"],
            Opinion.content == e["content"], Opinion.received_on == e["date"])).first()
        if exists:
            counts["unchanged"] += 1
            continue
        if not plan_start <= e["date"] <= plan_end:
            counts["outside_campaign"] += 1
        session.add(Opinion(unit_id=e["unit"].id, channel=e["channel"], from_group=e["from"], content=e["content"],
                            topic=e["topic"], people=e["people"], received_on=e["date"], note=e["note"]))
        counts["new"] += 1
    session.flush()
    return counts
