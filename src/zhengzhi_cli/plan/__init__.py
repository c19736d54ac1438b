"""The campaign plan: reference data (phases, milestones, areas, checks, closed lists).

The default is the Wuqing 2017 plan, word for word from the notice. A register stores
the text of the plan it was started with, so another year or district keeps its own.
"""


import datetime as dt
import re
from pathlib import Path
from typing import NamedTuple

from ..errors import Invalid
from ..vocab import PLAN_LISTS, MilestoneSource, words

DEFAULT_PLAN = "wuqing2017.toml"
DEFAULT_LEVEL = "销号核验"
MAX_LEVELS = 5
NUMERALS = "一二三四五六七八九十"
DERIVED_FROM = tuple(words(MilestoneSource))
REQUIRED_LISTS = (
    "unit_kinds", "sources", "fix_statuses", "issue_statuses", "rule_actions", "rule_statuses",
    "inspection_kinds", "measures", "channels", "opinion_from", "case_kinds",
)


class Phase(NamedTuple):
    no: int
    name: str
    start: dt.date
    end: dt.date
    when: str = ""
    text: str = ""


class Milestone(NamedTuple):
    key: str
    name: str
    phase: int
    due_on: dt.date
    derived_from: str
    basis: str = ""


class Area(NamedTuple):
    no: int
    name: str
    title: str
    symptoms: str = ""


class Check(NamedTuple):
    no: int
    check: str
    look: str


class Documents(NamedTuple):
    """The office's 公文 settings ([documents] in the plan file)."""

    issuer_mark: str
    issuer: str
    number_format: str
    kinds: dict
    cc: str = ""
    addressee: str = "各有关单位："
    printer: str = ""  # 印发机关 in the 版记 (the 办公室 that prints it); the issuer when empty
    name_threshold: int = 3
    report_back_days: int = 10

    def number(self, kind: str, year: int, no: int) -> str:
        """The 文号 text, e.g. 武清整治办〔2017〕3号."""
        return self.number_format.format(office=self.kinds[kind], year=year, no=no)

    def kind(self, value: str) -> str:
        text = str(value).strip()
        if text in self.kinds:
            return text
        raise Invalid(f"文种（--kind）：“{value}”不是本方案的文种，可选：{'、'.join(self.kinds)}", field="kind")


def default_documents(issuer: str) -> Documents:
    """For a plan file without [documents] (a register started before there were 公文)."""
    office = f"{issuer}办公室" if issuer else "专项整治办公室"
    return Documents(issuer_mark=f"{office}文件", issuer=office, number_format="{office}〔{year}〕{no}号",
                     kinds={k: f"{issuer[:2] or '整治'}整治{c}" for k, c in
                            (("通报", "办"), ("督办函", "督"), ("公示", "公"), ("总结报告", "总"))})


class Duban(NamedTuple):
    """督办 escalation rules ([duban] in the plan file). Every count is of working days on the plan's
    calendar, except lateness (red_card_days_late), which counts calendar days as the warning tiers do."""

    remind_workdays: int = 3
    reply_workdays: int = 5
    red_card_letters: int = 2
    red_card_days_late: int = 30


ON_THE_SPOT_WORKDAYS = 5


class Plan:
    """One campaign's reference data. (Plain classes and NamedTuples, not dataclasses: every
    command loads the plan, and building dataclasses costs milliseconds at start-up.)"""

    def __init__(self, *, name: str, year: int, issuer: str, summary_due: dt.date, phases: list[Phase],
                 milestones: list[Milestone], areas: list[Area], checks: list[Check], lists: dict[str, list[str]],
                 text: str = "", verify_levels: list[str] | None = None, evidence_required: bool = False):
        self.name, self.year, self.issuer, self.summary_due = name, year, issuer, summary_due
        self.phases, self.milestones, self.areas, self.checks, self.lists = phases, milestones, areas, checks, lists
        self.text = text
        # 销号's review levels, in order ([verification] levels); one level = a single 销号
        self.verify_levels = verify_levels or [DEFAULT_LEVEL]
        self.evidence_required = evidence_required  # 销号 needs at least one 佐证材料 (zz evidence add)
        self.documents = default_documents(issuer)
        self.duban = Duban()
        # a 立行立改 fix is late once this many working days have passed since it was found ([lateness])
        self.on_the_spot_workdays = ON_THE_SPOT_WORKDAYS
        from ..workdays import Calendar

        self.calendar = Calendar()

    def __repr__(self) -> str:
        return f"Plan({self.name!r}, {self.year})"

    @property
    def start(self) -> dt.date:
        return self.phases[0].start

    @property
    def end(self) -> dt.date:
        return self.phases[-1].end

    def current_phase(self, on: dt.date) -> Phase | None:
        """The latest phase that has begun and not ended (phases may share a boundary day)."""
        current = None
        for p in self.phases:
            if p.start <= on <= p.end:
                current = p
        return current

    def area(self, value: object) -> Area:
        """An area by number (1–10), Chinese numeral (一…十, （三）) or name (效能意识)."""
        text = str(value).strip().strip("（）()")
        numbered = _numbered(text, self.areas)
        if numbered is not None:
            return numbered
        for a in self.areas:
            if text in (a.name, a.title) or (len(text) >= 2 and a.name.startswith(text)):
                return a
        for a in self.areas:
            if len(text) >= 4 and (text in a.title or a.name in text):
                return a
        names = "、".join(f"{a.no} {a.name}" for a in self.areas)
        raise Invalid(f"整治重点：“{value}”不是整治重点，可写序号 1–{len(self.areas)}、一…十或名称：{names}", field="area")

    def check(self, value: object) -> Check:
        text = str(value).strip().strip("（）()")
        numbered = _numbered(text, self.checks)
        if numbered is not None:
            return numbered
        for c in self.checks:
            if text and (text in c.check or text in c.look or c.check in text):
                return c
        items = "；".join(f"{c.no} {c.check}" for c in self.checks)
        raise Invalid(f"四查四看：“{value}”不是四查四看事项，可写 1–{len(self.checks)}：{items}", field="check")

    def milestone(self, value: str) -> Milestone:
        """A milestone by key, name, or a unique part of its name (方案 → 实施方案)."""
        text = str(value).strip()
        for m in self.milestones:
            if text in (m.key, m.name):
                return m
        name = match_one(text, [m.name for m in self.milestones], label="节点", field="milestone",
                         none=f"节点：“{value}”不是本方案的节点")
        return next(m for m in self.milestones if m.name == name)

    def choice(self, list_name: str, value: str, *, label: str, field: str | None = None) -> str:
        """A value from one of the plan's closed lists (a unique part of a name will do: 群众 → 群众投诉;
        statuses and actions only as written), or a refusal that lists them."""
        text = str(value).strip()
        allowed = self.lists[list_name]
        if text in allowed:
            return text
        if list_name.endswith("statuses") or list_name == "rule_actions":
            raise Invalid(f"{label}：“{value}”不在可选范围内，可选：{'、'.join(allowed)}", field=field or list_name)
        return match_one(text, allowed, label=label, field=field or list_name,
                         none=f"{label}：“{value}”不在可选范围内")

    def as_json(self, on: dt.date | None = None) -> dict:
        out = {
            "name": self.name,
            "year": self.year,
            "issuer": self.issuer,
            "summary_due": self.summary_due.isoformat(),
            "phases": [
                {"no": p.no, "name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(), "when": p.when, "text": p.text}
                for p in self.phases
            ],
            "milestones": [
                {"key": m.key, "name": m.name, "phase": m.phase, "due_on": m.due_on.isoformat(), "derived_from": m.derived_from, "basis": m.basis}
                for m in self.milestones
            ],
            "areas": [{"no": a.no, "name": a.name, "title": a.title, "symptoms": a.symptoms} for a in self.areas],
            "checks": [{"no": c.no, "check": c.check, "look": c.look} for c in self.checks],
            "lists": self.lists,
            "duban": self.duban._asdict(),
            "lateness": {"on_the_spot_workdays": self.on_the_spot_workdays},
            "calendar": {"holidays": sorted(d.isoformat() for d in self.calendar.holidays),
                         "workdays": sorted(d.isoformat() for d in self.calendar.workdays)},
        }
        if on is not None:
            cur = self.current_phase(on)
            out["as_of"] = on.isoformat()
            out["current_phase"] = (
                {"no": cur.no, "name": cur.name, "start": cur.start.isoformat(), "end": cur.end.isoformat()} if cur else None
            )
        return out


def _numbered(text: str, items: list):
    """The item a number (3) or Chinese numeral (三) names, or None."""
    if text.isdecimal() and len(text) <= 3 and 1 <= int(text) <= len(items):
        return items[int(text) - 1]
    if len(text) == 1 and text in NUMERALS[: len(items)]:
        return items[NUMERALS.index(text)]
    return None


def match_one(text: str, names: list[str], *, label: str, field: str, none: str) -> str:
    """The one name that `text` (two characters or more) is part of, as units and areas are matched;
    several: refused naming them; none: `none` and the full list."""
    from ..errors import Ambiguous

    found = [n for n in names if len(text) >= 2 and text in n]
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(f"{label}：“{text}”可指{'、'.join(found)}，请写全", field=field)
    raise Invalid(f"{none}，可选：{'、'.join(names)}", field=field)


class PlanError(Invalid):
    pass


def _line_of(text: str, needle: str, start_line: int = 1) -> int:
    for i, line in enumerate(text.splitlines()[start_line - 1 :], start=start_line):
        if needle in line:
            return i
    return start_line


def _table_lines(text: str, table: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), start=1) if line.strip() == f"[[{table}]]"]


class _Reader:
    """The plan text being read: names the line of a fault."""

    def __init__(self, text: str, source: str):
        self.text, self.source = text, source

    def fail(self, line: int, why: str) -> PlanError:
        return PlanError(f"{self.source}：第 {line} 行：{why}", field="plan")

    def line_of(self, needle: str, start_line: int = 1) -> int:
        return _line_of(self.text, needle, start_line)

    def need(self, table: dict, key: str, kind: type, line: int, what: str):
        if key not in table:
            raise self.fail(line, f"{what}缺少“{key}”")
        value = table[key]
        if kind is dt.date:
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise self.fail(self.line_of(key, line), f"{what}的“{key}”应为日期（如 2017-03-31），而不是“{value}”")
        elif kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.fail(self.line_of(key, line), f"{what}的“{key}”应为整数，而不是“{value}”")
        elif not isinstance(value, kind) or (kind is str and not value.strip()):
            raise self.fail(self.line_of(key, line), f"{what}的“{key}”应为非空文字")
        return value

    def tables(self, data: dict, table: str, noun: str):
        """Each [[table]] entry with its line and its name in messages (第 N 个…)."""
        lines = _table_lines(self.text, table)
        for i, entry in enumerate(data.get(table) or []):
            yield i, entry, (lines[i] if i < len(lines) else 1), f"第 {i + 1} 个{noun}"


def parse_plan(text: str, *, source: str = "方案文件") -> Plan:
    """Parse and validate a plan file; a fault names the line that is wrong."""
    data = _toml(text, source)
    r = _Reader(text, source)
    head = data.get("plan")
    if not isinstance(head, dict):
        raise r.fail(1, "缺少 [plan] 段")
    head_line = r.line_of("[plan]")
    name = r.need(head, "name", str, head_line, "[plan]")
    year = r.need(head, "year", int, head_line, "[plan]")
    summary_due = r.need(head, "summary_due", dt.date, head_line, "[plan]")
    phases = _phases(r, data)
    milestones, areas, checks, lists = _milestones(r, data, len(phases)), _areas(r, data), _checks(r, data), _lists(r, data)
    levels, evidence_required = _verification(data, text, r.fail)
    plan = Plan(name=name, year=year, issuer=head.get("issuer", ""), summary_due=summary_due, phases=phases,
                milestones=milestones, areas=areas, checks=checks, lists=lists, text=text,
                verify_levels=levels, evidence_required=evidence_required)
    if "documents" in data:
        plan.documents = _documents(data["documents"], text, r.fail)
    if "calendar" in data:
        plan.calendar = _calendar(data["calendar"], text, r.fail)
    if "duban" in data:
        plan.duban = _duban(data["duban"], text, r.fail)
    if "lateness" in data:
        plan.on_the_spot_workdays = _lateness(data["lateness"], text, r.fail)
    missing = {"documents", "calendar", "duban"} - data.keys()
    if missing:
        _fill_from_builtin(plan, missing)
    return plan


def _toml(text: str, source: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        where = f"第 {m.group(1)} 行第 {m.group(2)} 列" if m else "某处"
        raise PlanError(f"{source}：{where}格式有误（TOML）：{exc}", field="plan") from None


def _phases(r: _Reader, data: dict) -> list[Phase]:
    if not data.get("phases"):
        raise r.fail(1, "缺少 [[phases]]（阶段）")
    phases: list[Phase] = []
    for i, p, ln, what in r.tables(data, "phases", "阶段"):
        phase = Phase(
            no=r.need(p, "no", int, ln, what), name=r.need(p, "name", str, ln, what),
            start=r.need(p, "start", dt.date, ln, what), end=r.need(p, "end", dt.date, ln, what),
            when=p.get("when", ""), text=p.get("text", ""),
        )
        if phase.no != i + 1:
            raise r.fail(r.line_of("no", ln), f"{what}的序号应为 {i + 1}")
        if phase.end < phase.start:
            raise r.fail(r.line_of("end", ln), f"{what}“{phase.name}”的结束日期早于开始日期")
        if phases and phase.start < phases[-1].start:
            raise r.fail(r.line_of("start", ln), f"{what}“{phase.name}”开始早于上一阶段")
        phases.append(phase)
    return phases


def _milestones(r: _Reader, data: dict, n_phases: int) -> list[Milestone]:
    milestones: list[Milestone] = []
    keys: set[str] = set()
    for _, m, ln, what in r.tables(data, "milestones", "节点"):
        ms = Milestone(
            key=r.need(m, "key", str, ln, what), name=r.need(m, "name", str, ln, what),
            phase=r.need(m, "phase", int, ln, what), due_on=r.need(m, "due_on", dt.date, ln, what),
            derived_from=m.get("derived_from", MilestoneSource.MANUAL), basis=m.get("basis", ""),
        )
        if not 1 <= ms.phase <= n_phases:
            raise r.fail(r.line_of("phase", ln), f"{what}“{ms.name}”的阶段 {ms.phase} 不存在")
        if ms.derived_from not in DERIVED_FROM:
            raise r.fail(r.line_of("derived_from", ln), f"{what}的 derived_from 应为 {'、'.join(DERIVED_FROM)} 之一")
        if ms.key in keys:
            raise r.fail(r.line_of("key", ln), f"{what}的 key“{ms.key}”重复")
        keys.add(ms.key)
        milestones.append(ms)
    return milestones


def _areas(r: _Reader, data: dict) -> list[Area]:
    areas: list[Area] = []
    for i, a, ln, what in r.tables(data, "areas", "整治重点"):
        area = Area(no=r.need(a, "no", int, ln, what), name=r.need(a, "name", str, ln, what),
                    title=r.need(a, "title", str, ln, what), symptoms=a.get("symptoms", ""))
        if area.no != i + 1:
            raise r.fail(r.line_of("no", ln), f"{what}的序号应为 {i + 1}")
        areas.append(area)
    if not areas or len(areas) > len(NUMERALS):
        raise r.fail(1, f"整治重点（[[areas]]）应有 1–{len(NUMERALS)} 个")
    return areas


def _checks(r: _Reader, data: dict) -> list[Check]:
    checks = [Check(no=r.need(c, "no", int, ln, what), check=r.need(c, "check", str, ln, what),
                    look=r.need(c, "look", str, ln, what))
              for _, c, ln, what in r.tables(data, "checks", "四查四看事项")]
    if not checks:
        raise r.fail(1, "缺少 [[checks]]（四查四看）")
    return checks


def _lists(r: _Reader, data: dict) -> dict[str, list[str]]:
    lists = data.get("lists")
    if not isinstance(lists, dict):
        raise r.fail(1, "缺少 [lists] 段（来源、单位类型等可选值）")
    list_line = r.line_of("[lists]")
    for key in REQUIRED_LISTS:
        value = lists.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise r.fail(r.line_of(key, list_line) if key in lists else list_line, f"[lists] 的“{key}”应为非空文字列表")
    for key, (enum, exact) in PLAN_LISTS.items():
        why = _disagrees(lists[key], words(enum), exact)
        if why:
            fixed = "zz 按这些词计算，不能改名或增删" if exact else "zz 按这些词处理，其他类型可自行增加"
            raise r.fail(r.line_of(key, list_line), f"[lists] 的“{key}”{why}（{fixed}）")
    return {k: list(v) for k, v in lists.items()}


def _disagrees(listed: list[str], known: list[str], exact: bool) -> str:
    """Why a plan's closed list disagrees with the words the code gives meaning to ('' if it agrees)."""
    missing = [w for w in known if w not in listed]
    extra = [w for w in listed if w not in known] if exact else []
    parts = ([f"缺少“{'、'.join(missing)}”"] if missing else []) + ([f"多了“{'、'.join(extra)}”"] if extra else [])
    if not parts:
        return ""
    should = f"应为 {'、'.join(known)}" if exact else f"必须含有 {'、'.join(known)}"
    return f"{should}：{'，'.join(parts)}"


def _fill_from_builtin(plan: "Plan", missing: set[str]) -> None:
    """A plan stored before the plan file had [calendar], [duban] and [documents] (a register started
    by an earlier zz keeps the text it was started with) gets them from the built-in plan at read time,
    so its working days still know the 法定节假日 and 调休. The stored text is left as it was (what the
    register was started with stays on record; a data migration would rewrite it). The holidays are
    the State Council's, the same for every district, so [calendar] is filled for any plan; the office
    and its rules ([documents], [duban]) only for the built-in campaign itself (same name, year, issuer)."""
    if plan.text == default_plan_text():  # the built-in plan itself: nothing to fill from
        return
    builtin = load()
    same = (plan.name, plan.year, plan.issuer) == (builtin.name, builtin.year, builtin.issuer)
    if "calendar" in missing:
        plan.calendar = builtin.calendar
    if same and "documents" in missing:
        plan.documents = builtin.documents
    if same and "duban" in missing:
        plan.duban = builtin.duban


def _calendar(cal, text: str, fail):
    from ..workdays import Calendar

    line = _line_of(text, "[calendar]")
    days = {}
    for key in ("holidays", "workdays"):
        value = cal.get(key, []) if isinstance(cal, dict) else None
        if not isinstance(value, list) or not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in value):
            raise fail(_line_of(text, key, line), f"[calendar] 的“{key}”应为日期列表，如 [2017-10-01, 2017-10-02]")
        days[key] = frozenset(value)
    both = days["holidays"] & days["workdays"]
    if both:
        raise fail(_line_of(text, "workdays", line), f"[calendar]：{min(both).isoformat()} 既是节假日又是调休上班日")
    return Calendar(**days)


def _duban(rules, text: str, fail) -> Duban:
    line = _line_of(text, "[duban]")
    values = {}
    for key in Duban._fields:
        value = rules.get(key, Duban._field_defaults[key]) if isinstance(rules, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise fail(_line_of(text, key, line), f"[duban] 的“{key}”应为正整数")
        values[key] = value
    return Duban(**values)


def _lateness(table, text: str, fail) -> int:
    value = table.get("on_the_spot_workdays", ON_THE_SPOT_WORKDAYS) if isinstance(table, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise fail(_line_of(text, "on_the_spot_workdays", _line_of(text, "[lateness]")),
                   "[lateness] 的“on_the_spot_workdays”应为 0 或正整数（立行立改的整改在发现后多少个工作日内完成）")
    return value


def _documents(docs, text: str, fail) -> Documents:
    line = _line_of(text, "[documents]")
    if not isinstance(docs, dict):
        raise fail(line, "[documents] 应为一段设置")
    for key in ("issuer_mark", "issuer", "number_format"):
        if not isinstance(docs.get(key), str) or not docs[key].strip():
            raise fail(_line_of(text, key, line), f"[documents] 的“{key}”应为非空文字")
    fmt = docs["number_format"]
    if "{no}" not in fmt or "{office}" not in fmt:
        raise fail(_line_of(text, "number_format", line), "[documents] 的 number_format 应含 {office} 和 {no}，如 {office}〔{year}〕{no}号")
    try:
        fmt.format(office="", year=2017, no=1)
    except (KeyError, IndexError, ValueError):
        raise fail(_line_of(text, "number_format", line), "[documents] 的 number_format 只能用 {office}、{year}、{no}") from None
    kinds = docs.get("kinds")
    if not isinstance(kinds, dict) or not kinds or not all(isinstance(v, str) and v.strip() for v in kinds.values()):
        raise fail(_line_of(text, "[documents.kinds]", line), "[documents.kinds] 应列出各文种的发文机关代字，如 通报 = \"武清整治办\"")
    numbers = {}
    for key, default in (("name_threshold", 3), ("report_back_days", 10)):
        value = docs.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise fail(_line_of(text, key, line), f"[documents] 的“{key}”应为正整数")
        numbers[key] = value
    return Documents(issuer_mark=docs["issuer_mark"], issuer=docs["issuer"], number_format=fmt,
                     kinds={str(k): v.strip() for k, v in kinds.items()}, cc=str(docs.get("cc", "")),
                     addressee=str(docs.get("addressee") or "各有关单位："),
                     printer=str(docs.get("printer", "")), **numbers)


def _verification(data: dict, text: str, fail) -> tuple[list[str], bool]:
    """[verification]: the review levels of 销号, in order (e.g. 单位自验 → 督查室核验 → 领导小组认定),
    and whether 销号 requires evidence files. Absent: one level, no evidence required."""
    section = data.get("verification")
    if section is None:
        return [DEFAULT_LEVEL], False
    line = _line_of(text, "[verification]")
    if not isinstance(section, dict):
        raise fail(line, "[verification] 应为一段设置")
    levels = section.get("levels", [DEFAULT_LEVEL])
    if (not isinstance(levels, list) or not 1 <= len(levels) <= MAX_LEVELS
            or not all(isinstance(v, str) and v.strip() for v in levels)):
        raise fail(_line_of(text, "levels", line), f"[verification] 的“levels”应为 1–{MAX_LEVELS} 个非空文字（核验层级，依次进行）")
    if len(set(levels)) != len(levels):
        raise fail(_line_of(text, "levels", line), "[verification] 的“levels”有重复的层级名称")
    required = section.get("evidence_required", False)
    if not isinstance(required, bool):
        raise fail(_line_of(text, "evidence_required", line), "[verification] 的“evidence_required”应为 true 或 false")
    return [v.strip() for v in levels], required


def default_plan_text() -> str:
    return Path(__file__).with_name(DEFAULT_PLAN).read_text(encoding="utf-8")


_cache: dict[str, Plan] = {}


def load(text: str | None = None) -> Plan:
    text = text if text is not None else default_plan_text()
    plan = _cache.get(text)
    if plan is None:
        plan = _cache[text] = parse_plan(text)
    return plan
