"""回头看: a seeded, stratified sample of verified (已销号) fixes is rechecked; a failed recheck
(反弹 or 虚假整改) reopens that one fix (整改中) for another round.

The sample is not stored: the same seed, share and register give the same sample, unit by unit
(each unit's verified fixes, ordered by id, sampled with a generator seeded by the seed and the
unit's id, at least one where a unit has any), so the office can publish the seed and anyone can
draw the sample again. A result is a `fix_event` (回头看, its text the result word and the
reason) in the command's transaction; `zz undo` takes back a result, and with it a reopening.
`zz recheck import` records a whole filled-in checklist in one transaction, or nothing.

巩固率 of a unit = results 巩固 ÷ results recorded (each recheck counted once, half up as every
rate: reports.rate). A unit whose failure rate (反弹 + 虚假整改 ÷ results) reaches the threshold
(`--threshold`, else the plan's [verification] expand_rate, else DEFAULT_EXPAND_RATE) has every
closed item checked (`zz recheck expand`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from sqlmodel import select

from . import fixes as fixes_mod
from . import issues as issues_mod
from . import text as text_rules
from .dates import DUE, option_date
from .errors import Conflict, FileRefused, Invalid, ZzError
from .models import Fix, FixEvent, Issue, Unit

EVENT = "回头看"
HELD, REBOUND, FAKE = "巩固", "反弹", "虚假整改"
PASSED, FAILED = "通过", "未通过"  # the first words, still taken: 通过 counts as 巩固, 未通过 needs a reason
RESULTS = (HELD, REBOUND, FAKE, PASSED, FAILED)
HOLDING = (HELD, PASSED)
DEFAULT_MIN_PER_UNIT = 2  # at least this many of a unit's verified fixes are drawn (all, where it has fewer)
DEFAULT_REOPEN_DAYS = 30  # a failed recheck's new deadline: this many days after it, unless given (plan: reopen_days)
DEFAULT_EXPAND_RATE = 0.2  # 20%: a unit with this share of failed rechecks has every closed item checked

# how a refusal names what was wrong: an option on the command line, a column in a results file
CLI_LABELS = {"result": "回头看结果（--result）", "by": "回头看核查人（--by）", "reason": "理由（--reason）",
              "date": "日期（--date）", "deadline": "新时限（--deadline）", "propose": "处理建议（--propose）"}
FILE_LABELS = {"result": "结果", "by": "核查人", "reason": "说明", "date": "核查日期", "deadline": "新时限",
               "propose": "处理建议"}
PROPOSAL = "处理建议："  # the line of a 回头看 event's text that keeps the proposal
PROPOSALS = ("约谈", "通报批评", "诫勉谈话")  # what a failed recheck may propose (the monthly report names it)


def parse_rate(value, *, label: str = "抽查比例（--rate）", field: str = "rate", bare_percent: bool = True) -> float:
    """A rate written as 20%, 0.2 or (bare_percent) 20 — a number above 1 is a percentage — in (0, 1]."""
    raw = str(value).strip()
    marked = raw.endswith(("%", "％"))
    try:
        share = float(raw[:-1].strip()) / 100 if marked else float(raw)
    except ValueError:
        share = math.nan
    if bare_percent and share > 1 and not marked:
        share /= 100
    if not 0 < share <= 1:
        example = "20%、0.2 或 20" if bare_percent else "0.2 或 20%"
        raise Invalid(f"{label}：应为 0 到 100% 之间的比例，如 {example}，而不是“{raw}”", field=field)
    return share


def draw_key(seed: str, unit_code: str, fix_id: int) -> str:
    """The sort key of one fix in its unit's draw: SHA-256 of seed, unit code and fix id (UTF-8,
    joined by the unit separator U+001F), in hex. The same on any machine and either backend."""
    return hashlib.sha256(f"{seed}\x1f{unit_code}\x1f{fix_id}".encode()).hexdigest()


def plan(session, *, seed, rate: float, min_per_unit: int = DEFAULT_MIN_PER_UNIT, closed_before=None,
         unit: str | None = None) -> list[dict]:
    """The sample, unit by unit: a unit's eligible fixes (已销号, verified before closed_before if
    given) sorted by draw_key, the first k = min(n, max(min_per_unit, ceil(rate × n))) taken; the
    units in order of their code (or name), each unit's picks in draw order."""
    from . import units

    seed = str(seed).strip()
    if not seed:
        raise Invalid("随机种子（--seed）：不能为空；请写一段公布的文字或数字，如 20171016", field="seed")
    if not 0 < rate <= 1:
        raise Invalid(f"抽查比例（--rate）：应在 0 到 100% 之间，而不是 {rate}", field="rate")
    if min_per_unit < 0:
        raise Invalid(f"每单位至少抽查（--min-per-unit）：应为 0 或正整数，而不是 {min_per_unit}", field="min_per_unit")
    before = option_date(session, closed_before, field="销号日期早于（--closed-before）")
    q = (select(Fix.id, Unit.code, Unit.name).join(Unit, Unit.id == Fix.unit_id)
         .where(Fix.status == fixes_mod.VERIFIED))
    if before is not None:
        q = q.where(Fix.verified_on < before)
    if unit:
        q = q.where(Fix.unit_id == units.resolve(session, unit).id)
    by_unit: dict[str, tuple[str, list[int]]] = {}
    for fix_id, code, name in session.exec(q).all():
        by_unit.setdefault(code or name, (name, []))[1].append(fix_id)
    out = []
    for code in sorted(by_unit):
        name, ids = by_unit[code]
        k = min(len(ids), max(min_per_unit, math.ceil(rate * len(ids) - 1e-9)))
        picked = sorted(ids, key=lambda i: draw_key(seed, code, i))[:k]
        out += [{"fix_id": i, "unit": name, "unit_code": code, "unit_verified": len(ids), "draw_key": draw_key(seed, code, i)}
                for i in picked]
    return out


def checklist(session, fix_ids: list[int]) -> list[dict]:
    """What a checker needs on paper for each fix (the rows of 回头看核查清单.xlsx), in the given order."""
    rows = {}
    for start in range(0, len(fix_ids), 500):
        q = (select(Fix, Unit.name, Issue.description).join(Unit, Unit.id == Fix.unit_id)
             .join(Issue, Issue.id == Fix.issue_id).where(Fix.id.in_(fix_ids[start:start + 500])))
        for fix, unit_name, issue in session.exec(q).all():
            rows[fix.id] = {"fix_id": fix.id, "unit": unit_name, "issue": issue, "task": fix.task, "owner": fix.owner,
                            "verified_on": fix.verified_on.isoformat() if fix.verified_on else None,
                            "verified_by": fix.verified_by}
    return [rows[i] for i in fix_ids if i in rows]


def record(session, *, fix_id: int, result: str, by: str, reason: str | None = None, on=None, deadline=None,
           propose: str | None = None, labels: dict[str, str] = CLI_LABELS) -> Fix:
    """A recheck's result: 巩固 leaves the fix 已销号; 反弹 or 虚假整改 reopens it (整改中) with a new
    deadline (given, else the day + reopen_days) and flags it 回头看未通过 (failed_ids). A proposal
    (处理建议, e.g. 约谈) is kept on the event for the monthly report. Every check comes before any
    change, so a refused result changes nothing."""
    fix = fixes_mod.get(session, fix_id)
    result = (result or "").strip()
    if result not in RESULTS:
        raise Invalid(f"{labels['result']}：应为“{HELD}”“{REBOUND}”或“{FAKE}”（后两者即重新打开这项整改），"
                      f"而不是“{result}”", field="result")
    if fix.status != fixes_mod.VERIFIED:
        raise Conflict(f"整改 {fix_id} 当前为“{fix.status}”，回头看只针对已销号的整改", field="fix_id")
    by = text_rules.clean(by, field="by", label=labels["by"], max_len=text_rules.PERSON_MAX, multiline=False,
                          required=True)
    if fix.owner and by == fix.owner.strip():
        raise Conflict(f"{labels['by']}：“{by}”是这项整改的责任人，不能自查，须由他人核查", field="by")
    reason = text_rules.clean(reason, field="reason", label=labels["reason"])
    if result == FAILED and not reason:
        raise Invalid(f"{labels['reason']}：回头看未通过时须写明理由（或把结果写成“{REBOUND}”或“{FAKE}”）", field="reason")
    day = option_date(session, on, field=labels["date"], default=dt.date.today())
    if fix.verified_on and day < fix.verified_on:
        raise Invalid(f"{labels['date']}：{day} 早于销号日期 {fix.verified_on}", field="date")
    new_deadline, propose = _failure_terms(session, result, day, deadline, propose, labels)
    prior, old_deadline = None, None
    if result not in HOLDING:  # the completion day it takes back stays on the event: a report for an earlier day still counts it
        prior, old_deadline = fix.done_on or fix.verified_on, fix.deadline
        fix.status, fix.done_on, fix.verified_on, fix.verified_by = fixes_mod.IN_PROGRESS, None, None, None
        fix.claimed = fix.done_reported = False
        fix.deadline, fix.ongoing = new_deadline, False
    text = f"{result}：{reason}" if reason else result
    session.add(FixEvent(fix_id=fix.id, kind=EVENT, happened_on=day, actor=by, prior_done_on=prior,
                         old_deadline=old_deadline, new_deadline=new_deadline,
                         text=f"{text}\n{PROPOSAL}{propose}" if propose else text))
    session.add(fix)
    session.flush()
    issues_mod.refresh_status(session, [fix.issue_id])
    return fix


def _failure_terms(session, result: str, day: dt.date, deadline, propose, labels: dict[str, str]):
    """A failed recheck's new deadline and proposal (both refused on a pass)."""
    propose = text_rules.clean(propose, field="propose", label=labels["propose"], max_len=16, multiline=False)
    if result in HOLDING:
        for given, key in ((deadline, "deadline"), (propose, "propose")):
            if given not in (None, ""):
                raise Invalid(f"{labels[key]}：只用于回头看未通过（{REBOUND}、{FAKE}），“{result}”不重新打开整改",
                              field=key)
        return None, None
    if propose and propose not in PROPOSALS:
        raise Invalid(f"{labels['propose']}：应为{'、'.join(f'“{p}”' for p in PROPOSALS)}，而不是“{propose}”",
                      field="propose")
    new = option_date(session, deadline, field=labels["deadline"], kind=DUE)
    if new is None:
        return day + dt.timedelta(days=reopen_days(session)), propose
    if new <= day:
        raise Invalid(f"{labels['deadline']}：{new} 应晚于回头看日期 {day}", field="deadline")
    return new, propose


def _verification(session) -> dict:
    """The plan's [verification] section (empty if it has none or the plan text does not parse)."""
    import tomllib

    from .register import plan_of

    try:
        section = tomllib.loads(plan_of(session).text or "").get("verification") or {}
    except tomllib.TOMLDecodeError:
        section = {}
    return section if isinstance(section, dict) else {}


def reopen_days(session) -> int:
    """Days from a failed recheck to the reopened fix's new deadline: the plan's [verification]
    reopen_days, else DEFAULT_REOPEN_DAYS."""
    days = _verification(session).get("reopen_days", DEFAULT_REOPEN_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise Invalid(f"方案 [verification] 的 reopen_days：应为 1 到 366 之间的天数，而不是“{days}”", field="reopen_days")
    return days


def proposal_of(text: str | None) -> str | None:
    """The 处理建议 kept on a 回头看 event's text (its line 处理建议：…), if any."""
    for line in (text or "").splitlines()[1:]:
        if line.startswith(PROPOSAL):
            return line[len(PROPOSAL):].strip() or None
    return None


def failed_ids(session, fix_ids: list[int] | None, *, as_of: dt.date | None = None) -> set[int]:
    """The fixes (of fix_ids, or all) flagged 回头看未通过 (on as_of, else now): their latest 回头看
    found 反弹 or 虚假整改 (a later pass clears it). Derived from the events: nothing is stored for the flag."""
    latest: dict[int, str | None] = {}
    chunks = [None] if fix_ids is None else [fix_ids[i:i + 500] for i in range(0, len(fix_ids), 500)]
    for chunk in chunks:
        q = select(FixEvent.fix_id, FixEvent.text).where(FixEvent.kind == EVENT).order_by(
            FixEvent.fix_id, FixEvent.happened_on, FixEvent.id)
        if chunk is not None:
            q = q.where(FixEvent.fix_id.in_(chunk))
        if as_of is not None:
            q = q.where(FixEvent.happened_on <= as_of)
        latest.update(session.exec(q).all())
    return {i for i, text in latest.items() if not holds(text)}


def failures_in(session, start: dt.date, end: dt.date) -> list[dict]:
    """The failed rechecks recorded from start to end (inclusive): fix, unit, result, proposal."""
    q = (select(FixEvent.fix_id, Unit.name, FixEvent.text).join(Fix, Fix.id == FixEvent.fix_id)
         .join(Unit, Unit.id == Fix.unit_id)
         .where(FixEvent.kind == EVENT, FixEvent.happened_on >= start, FixEvent.happened_on <= end)
         .order_by(FixEvent.happened_on, FixEvent.id))
    return [{"fix_id": i, "unit": name, "result": _result_word(text), "proposal": proposal_of(text)}
            for i, name, text in session.exec(q).all() if not holds(text)]


def holds(text: str | None) -> bool:
    """Whether a 回头看 event's text records a pass (巩固, or the older 通过)."""
    return (text or "").split("：", 1)[0] in HOLDING


def _result_word(text: str | None) -> str:
    word = (text or "").split("：", 1)[0]
    return HELD if word in HOLDING else (word if word in (REBOUND, FAKE) else REBOUND)


# ---------------------------------------------------------------- a filled-in checklist


COLUMNS = {"fix_id": "整改编号", "result": "结果", "by": "核查人", "on": "核查日期", "reason": "说明", "deadline": "新时限",
           "propose": "处理建议"}
FIELD_KEY = {"fix_id": "fix_id", "result": "result", "by": "by", "reason": "reason", "date": "on", FILE_LABELS["date"]: "on",
             "deadline": "deadline", FILE_LABELS["deadline"]: "deadline", "propose": "propose"}


def import_results(session, rows: list[dict], *, source: str) -> dict:
    """Record every filled-in row of a results file (excel.recheck.read_results) as `record` would,
    or none: any refused row refuses the file, naming sheet, row, column and why."""
    from .audit import set_summary

    problems: list[dict] = []
    seen: dict[int, int] = {}
    counts = dict.fromkeys((HELD, REBOUND, FAKE), 0)
    reopened: list[int] = []
    for r in rows:
        where = {"sheet": r["sheet"], "row": r["row"]}
        if r["fix_id"] in seen:
            problems.append({**where, "column": COLUMNS["fix_id"], "value": str(r["fix_id"]),
                             "why": f"与第 {seen[r['fix_id']]} 行是同一项整改，一项整改只能登记一个结果"})
            continue
        seen[r["fix_id"]] = r["row"]
        try:
            fix = record(session, fix_id=r["fix_id"], result=r["result"], by=r["by"], reason=r["reason"], on=r["on"],
                         deadline=r.get("deadline"), propose=r.get("propose"), labels=FILE_LABELS)
        except ZzError as e:
            key = FIELD_KEY.get(e.field or "", "fix_id")
            problems.append({**where, "column": COLUMNS[key], "value": str(r.get(key) or ""), "why": e.message})
            continue
        word = _result_word(r["result"].strip())
        counts[word] += 1
        if fix.status != fixes_mod.VERIFIED:
            reopened.append(fix.id)
    if problems:
        lines = [f"文件“{source}”有 {len(problems)} 处错误，未登记任何回头看结果："]
        lines += [f"  工作表“{p['sheet']}”第 {p['row']} 行“{p['column']}”列（{p['value']}）：{p['why']}" for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"  ……另有 {len(problems) - 50} 处")
        lines.append("请改正后重新导入")
        raise FileRefused("\n".join(lines), field="file", problems=problems)
    set_summary(session, f"导入回头看结果 {source}：巩固 {counts[HELD]}，反弹 {counts[REBOUND]}，虚假整改 {counts[FAKE]}")
    return {"file": source, "recorded": len(rows), "held": counts[HELD], "rebound": counts[REBOUND],
            "fake": counts[FAKE], "reopened": reopened}


# ---------------------------------------------------------------- 巩固率 and 扩大核查


def by_unit(session, *, as_of: dt.date | None = None, unit_id: int | None = None) -> list[dict]:
    """Each unit's rechecks up to as_of (every unit with at least one): results, 巩固率, failure rate."""
    from .reports import rate

    q = (select(Fix.unit_id, Unit.name, FixEvent.text).join(Fix, Fix.id == FixEvent.fix_id)
         .join(Unit, Unit.id == Fix.unit_id).where(FixEvent.kind == EVENT))
    if as_of is not None:
        q = q.where(FixEvent.happened_on <= as_of)
    if unit_id is not None:
        q = q.where(Fix.unit_id == unit_id)
    tally: dict[int, dict] = {}
    for uid, name, text in session.exec(q.order_by(Fix.unit_id, FixEvent.id)).all():
        t = tally.setdefault(uid, {"unit": name, "rechecked": 0, "held": 0, "rebound": 0, "fake": 0})
        t["rechecked"] += 1
        t[{HELD: "held", REBOUND: "rebound", FAKE: "fake"}[_result_word(text)]] += 1
    out = []
    for uid in sorted(tally):
        t = tally[uid]
        failed = t["rebound"] + t["fake"]
        out.append({**t, "failed": failed, "hold_rate": rate(t["held"], t["rechecked"]),
                    "failure_rate": rate(failed, t["rechecked"])})
    return out


def parse_share(value, *, label: str, field: str) -> float:
    """A share written as 0.2 or 20%, in (0, 1] (a bare 20 is refused: parse_rate takes it)."""
    return parse_rate(value, label=label, field=field, bare_percent=False)


def expand_threshold(session, given: str | None = None) -> tuple[float, str]:
    """The failure rate at which every closed item of a unit is checked, and where it came from."""
    if given is not None:
        return parse_share(given, label="扩大核查门槛（--threshold）", field="threshold"), "option"
    section = _verification(session)
    if "expand_rate" in section:
        return parse_share(section["expand_rate"], label="方案 [verification] 的 expand_rate", field="expand_rate"), "plan"
    return DEFAULT_EXPAND_RATE, "default"


def expand(session, *, unit: str, threshold: str | None = None) -> dict:
    """Whether a unit's rechecks failed often enough to check every closed item, and those items.
    Nothing is written: the list is what the office then checks (and records with record/import)."""
    from . import units

    the_unit = units.resolve(session, unit)
    limit, source = expand_threshold(session, threshold)
    stats = next(iter(by_unit(session, unit_id=the_unit.id)), None)
    n, failed = (stats["rechecked"], stats["failed"]) if stats else (0, 0)
    triggered = n > 0 and failed >= limit * n - 1e-9
    ids = list(session.exec(select(Fix.id).where(Fix.unit_id == the_unit.id, Fix.status == fixes_mod.VERIFIED)
                            .order_by(Fix.id)).all()) if triggered else []
    return {"unit": the_unit.name, "rechecked": n, "failed": failed,
            "failure_rate": stats["failure_rate"] if stats else None, "threshold": limit, "threshold_from": source,
            "triggered": triggered, "fixes": checklist(session, ids)}
