"""What one file amounts to against the register: new rows, updates (with each changed cell, for
--dry-run), and refusals that need the register to decide — a unit may not undo the office's 销号 or an
approved extension, an old ledger may not undo later changes.

Rows are keyed by the unit's own 序号 (src_seq) for a unit's workbook, never matching what the office
entered, and by the register's 序号 for the office's own ledger. An issue's stored status is recomputed
from its fixes' final statuses with `issues.derive_status`, without a second pass over the database.
"""

from __future__ import annotations

import datetime as dt

from ..excel import columns as C
from ..excel.columns import norm
from ..fixes import spot_deadline
from ..vocab import FixStatus, IssueStatus, RuleStatus
from .cells import Cells
from .rows import Parsed, _label

ISSUE_COLUMN_FIELDS = {"area": ("area",), "source": ("source",), "check": ("check_item",), "description": ("description",),
                       "found_on": ("found_on",), "leader": ("leader",), "owner": ("owner",), "note": ("note",)}
FIX_COLUMN_FIELDS = {"task": ("task",), "leader": ("leader",), "owner": ("owner",),
                     "deadline": ("deadline", "ongoing", "on_the_spot"), "evidence": ("evidence",), "note": ("note",),
                     "progress": ("progress",), "verified_by": ("verified_by",)}
FIX_STATUS_FIELDS = ("status", "done_on", "verified_on", "claimed", "done_reported")
RULE_COLUMN_FIELDS = {"title": ("title",), "action": ("action",), "due_on": ("due_on",), "doc_no": ("doc_no",),
                      "note": ("note",)}
RULE_STATUS_FIELDS = ("status", "done_on")

def _problem_at(out: Parsed, rec: dict, key: str, value, why: str, accepted: str = "") -> None:
    out.bad_at(rec["_where"], key, value, why, accepted)


def _plain(row):
    return row._mapping  # a light view on the row; a dict per row would double the memory of a 100k re-import


class Plan:
    """The writes one file amounts to, the counts to report, and (for --dry-run) each changed cell."""

    def __init__(self):
        self.counts = {kind: {"new": 0, "updated": 0, "unchanged": 0} for kind in (C.ISSUES, C.FIXES, C.RULES)}
        self.issue_inserts: list[dict] = []
        self.issue_updates: list[tuple[int, dict, dict]] = []  # (id, before, after)
        self.fix_inserts: list[dict] = []
        self.fix_updates: list[tuple[int, dict, dict]] = []
        self.rule_inserts: list[dict] = []
        self.rule_updates: list[tuple[int, dict, dict]] = []
        self.link_inserts: list[tuple[tuple, tuple]] = []  # (rule key, issue key), register keys (unit, 序号)
        self.link_deletes: list[tuple[int, int]] = []
        self.status_updates: list[tuple[int, dict, dict]] = []  # existing issues' derived fields: (id, before, after)
        self.changes: list[dict] = []  # updated cells: sheet, row, 序号, column, old → new
        self.updated_from: list[tuple[str, int, dict]] = []  # (table, id, the file's record) for the stale-ledger check


def _diff(existing: dict, new: dict) -> tuple[dict, dict]:
    before, after = {}, {}
    for k, v in new.items():
        if existing.get(k) != v:
            before[k], after[k] = existing.get(k), v
    return before, after


_SHOWN = {"check_item": "check", "ongoing": "deadline", "on_the_spot": "deadline", "issue_found_on": None,
          "claimed": "status", "done_reported": "done_on", "issue_id": "issue_seq", "issue_key": None}


def _note_changes(plan: Plan, table: str, id_: int, rec: dict, before: dict, after: dict) -> None:
    plan.updated_from.append((table, id_, rec))
    sheet, row, kind, headers = rec["_where"]
    for key, new in after.items():
        shown = _SHOWN.get(key, key)
        if shown is None:
            continue
        plan.changes.append({"sheet": sheet, "row": row, "table": table, "id": id_, "column": headers.get(shown) or _label(kind, shown),
                             "field": key, "old": _shown(before.get(key)), "new": _shown(new)})


def _shown(value):
    return value.isoformat() if isinstance(value, dt.date) else value


class _Register:
    """What the register holds for the units of one file, keyed as the file's rows name it: by the
    unit's own 序号 (src_seq) for a unit's workbook, so that it never matches what the office entered
    (SPEC §5 "Identity"), by the register's 序号 for the office's own ledger."""

    def __init__(self, session, parsed: Parsed):
        from sqlalchemy import select

        from ..models import Fix, Issue, Rule, RuleIssue

        conn = session.connection()
        I, F, R, RI = Issue.__table__, Fix.__table__, Rule.__table__, RuleIssue.__table__
        ident = "seq" if parsed.ledger else "src_seq"
        self.ident = ident
        self.issues: dict[tuple[int, int], dict] = {}
        self.key_of_issue: dict[int, tuple[int, int]] = {}  # id → register key (unit, 序号)
        self.by_id: dict[int, dict] = {}
        self.fixes: dict[tuple[int, int], dict] = {}
        self.fixes_of_issue: dict[int, list[dict]] = {}
        self.rules: dict[tuple[int, int], dict] = {}
        self.links: dict[int, set[int]] = {}
        self.used = {"issue": {}, "fix": {}, "rule": {}, "fix_src": {}, "rule_src": {}}  # unit → 序号 in use
        unit_ids = sorted(parsed.unit_ids)
        for start in range(0, len(unit_ids), 500):
            chunk = unit_ids[start:start + 500]
            for row in conn.execute(select(I).where(I.c.unit_id.in_(chunk))):
                rec = _plain(row)
                self.key_of_issue[rec["id"]] = (rec["unit_id"], rec["seq"])
                self.by_id[rec["id"]] = rec
                self.used["issue"].setdefault(rec["unit_id"], set()).add(rec["seq"])
                if rec[ident] is not None:
                    self.issues[(rec["unit_id"], rec[ident])] = rec
            for row in conn.execute(select(F).where(F.c.unit_id.in_(chunk)).order_by(F.c[ident], F.c.seq)):
                rec = _plain(row)
                self.fixes_of_issue.setdefault(rec["issue_id"], []).append(rec)
                self.used["fix"].setdefault(rec["unit_id"], set()).add(rec["seq"])
                self.used["fix_src"].setdefault(rec["unit_id"], set()).add(rec["src_seq"])
                if rec[ident] is not None:
                    self.fixes[(rec["unit_id"], rec[ident])] = rec
            if parsed.rules:
                for row in conn.execute(select(R).where(R.c.unit_id.in_(chunk))):
                    rec = _plain(row)
                    self.used["rule"].setdefault(rec["unit_id"], set()).add(rec["seq"])
                    if rec[ident] is not None:
                        self.rules[(rec["unit_id"], rec[ident])] = rec
                for rule_id, issue_id in conn.execute(
                    select(RI.c.rule_id, RI.c.issue_id).join(R, R.c.id == RI.c.rule_id).where(R.c.unit_id.in_(chunk))
                ):
                    self.links.setdefault(rule_id, set()).add(issue_id)

    def allocate(self, kind: str, unit_id: int, wanted: int | None) -> int:
        """The register's 序号 for a new row: the file's own when it is free, else the unit's next."""
        used = self.used[kind].setdefault(unit_id, set())
        seq = wanted if wanted is not None and wanted not in used else max((s for s in used if s is not None), default=0) + 1
        used.add(seq)
        return seq


def plan_writes(session, parsed: Parsed, cells: Cells) -> Plan:
    reg = _Register(session, parsed)
    plan = Plan()
    final_issue = _plan_issues(plan, parsed, reg, cells)
    statuses, fix_issue_key, new_fix_statuses = _plan_fixes(plan, parsed, reg, cells, final_issue)
    _plan_rules(plan, parsed, reg, cells, final_issue)
    if parsed.ledger:
        _refuse_stale_ledger(session, plan, parsed)
    if parsed.problems:
        return plan
    _plan_derived(plan, reg, statuses, fix_issue_key, new_fix_statuses)
    return plan


def _plan_issues(plan: Plan, parsed: Parsed, reg: _Register, cells: Cells) -> dict:
    """Issues: new rows and updates. Returns, per file key, what the issue will be (its register
    序号, found_on, owner, leader: what its fixes need)."""
    final_issue: dict[tuple[int, int], dict] = {}
    issue_cols = parsed.columns[C.ISSUES]
    present = [f for col, fields in ISSUE_COLUMN_FIELDS.items() if col in issue_cols for f in fields]
    if "area" not in present and any("area" in rec for rec in parsed.issues.values()):
        present.append("area")  # from section rows
    defaults = {"unit_id": None, "seq": None, "src_seq": None, "area": None, "source": "自查", "check_item": None,
                "description": None, "found_on": None, "leader": None, "owner": None, "note": None, "status": IssueStatus.NOT_FIXED,
                "created_on": cells.filled_on or cells.today}
    for ikey, rec in parsed.issues.items():
        old = reg.issues.get(ikey)
        if old is None:
            if rec.get("found_on") is None:
                _problem_at(parsed, rec, "found_on", None, "没有发现日期，表上也没有填报日期",
                            "填写“发现日期”列，或在表头上方写明“填报日期：…”，或用 --filled-on 指定")
                continue
            row = defaults.copy()
            row.update(rec)
            del row["_where"]
            row.pop("_found_default", None)
            row["unit_id"] = ikey[0]
            row["seq"] = reg.allocate("issue", ikey[0], None if parsed.composite_keys else ikey[1])
            row["src_seq"] = None if parsed.ledger else ikey[1]
            parsed.issues[ikey] = row  # same key: safe while iterating, and frees the parsed record
            plan.issue_inserts.append(row)
            final_issue[ikey] = row
            plan.counts[C.ISSUES]["new"] += 1
            continue
        values = {f: rec.get(f) for f in present if not (f == "found_on" and rec.get("_found_default"))}
        before, after = _diff(old, values)
        if after:
            plan.issue_updates.append((old["id"], before, after))
            plan.counts[C.ISSUES]["updated"] += 1
            _note_changes(plan, "issue", old["id"], rec, before, after)
        else:
            plan.counts[C.ISSUES]["unchanged"] += 1
        final_issue[ikey] = {"id": old["id"], "seq": old["seq"],
                             **{k: values.get(k, old[k]) for k in ("found_on", "owner", "leader")}}
    return final_issue


def _issue_for(parsed: Parsed, reg: _Register, final_issue: dict, file_key, rec, key_name) -> dict | None:
    found = final_issue.get(file_key) or reg.issues.get(file_key)
    if found is None:
        _problem_at(parsed, rec, key_name, file_key[1], f"问题清单中没有序号 {file_key[1]} 的问题（本文件和登记簿中都没有）",
                    "本单位问题清单中已有的序号")
    return found


def _plan_fixes(plan: Plan, parsed: Parsed, reg: _Register, cells: Cells, final_issue: dict):
    fix_cols = parsed.columns[C.FIXES]
    fix_present = [f for col, fields in FIX_COLUMN_FIELDS.items() if col in fix_cols for f in fields]
    if "status" in fix_cols or "done_on" in fix_cols:
        fix_present += list(FIX_STATUS_FIELDS)
    statuses: dict[int, tuple] = {}  # existing fix id → final (status, done_on, verified_on)
    fix_issue_key: dict[int, tuple[int, int]] = {}  # existing fix id → final issue key (register's)
    new_fix_statuses: dict[tuple[int, int], list[tuple]] = {}

    def place(rec, old, issue_file_key, issue, file_seq):
        values = _fix_values(rec, issue, fix_present, cells.plan)
        unit_id = issue_file_key[0]
        issue_key = (unit_id, issue["seq"])
        if old is None:
            if not _fix_dates_ok(parsed, rec, values):
                return
            seq = reg.allocate("fix", unit_id, file_seq if file_seq is not None else None)
            src = None
            if not parsed.ledger:
                src = file_seq if file_seq is not None else reg.allocate("fix_src", unit_id, None)
                reg.used["fix_src"].setdefault(unit_id, set()).add(src)
            row = {"unit_id": unit_id, "seq": seq, "src_seq": src, "issue_key": issue_key, "task": None, "deadline": None,
                   "ongoing": False, "on_the_spot": False, "original_deadline": None, "owner": issue.get("owner"),
                   "leader": issue.get("leader"), "status": FixStatus.NOT_STARTED, "progress": None, "done_on": None, "evidence": None,
                   "verified_on": None, "verified_by": None, "note": None, "created_on": cells.filled_on or cells.today, "claimed": False,
                   "done_reported": False}
            row.update(values)
            plan.fix_inserts.append(row)
            new_fix_statuses.setdefault(issue_key, []).append((row["status"], row["done_on"], row["verified_on"]))
            plan.counts[C.FIXES]["new"] += 1
            return
        if not parsed.ledger and not _unit_may_change(parsed, rec, old, values):
            return
        if rec.get("_done_default") and old["status"] in (FixStatus.DONE, FixStatus.VERIFIED) and old["done_on"] and values.get("status") in (FixStatus.DONE, FixStatus.VERIFIED):
            values["done_on"], values["done_reported"] = old["done_on"], old["done_reported"]  # no date given: keep the register's
        if not _fix_dates_ok(parsed, rec, values):
            return
        if issue_key != reg.key_of_issue.get(old["issue_id"]):
            values["issue_key"] = issue_key
        before, after = _diff(old, {k: v for k, v in values.items() if k != "issue_key"})
        if "issue_key" in values:
            before["issue_id"], after["issue_key"] = old["issue_id"], issue_key
        if after:
            plan.fix_updates.append((old["id"], before, after))
            plan.counts[C.FIXES]["updated"] += 1
            _note_changes(plan, "fix", old["id"], rec, before, after)
        else:
            plan.counts[C.FIXES]["unchanged"] += 1
        statuses[old["id"]] = tuple(values[k] if k in values else old[k] for k in ("status", "done_on", "verified_on"))
        fix_issue_key[old["id"]] = issue_key

    for fkey, rec in parsed.fixes.items():
        issue = _issue_for(parsed, reg, final_issue, rec["issue_key"], rec, "issue_seq")
        if issue is not None:
            place(rec, reg.fixes.get(fkey), rec["issue_key"], issue, fkey[1])
    for ikey, measures in parsed.combined_fixes.items():
        issue = final_issue.get(ikey) or reg.issues.get(ikey)
        if issue is None:
            continue
        existing = [f for f in reg.fixes_of_issue.get(issue.get("id"), []) if f[reg.ident] is not None] if issue.get("id") else []
        for k, rec in enumerate(measures):
            place(rec, existing[k] if k < len(existing) else None, ikey, issue, None)

    # fixes the file does not mention keep their copy of their issue's found_on
    for id_, _before, after in plan.issue_updates:
        if "found_on" in after:
            for f in reg.fixes_of_issue.get(id_, ()):
                if f["id"] not in statuses and f["issue_found_on"] != after["found_on"]:
                    plan.fix_updates.append((f["id"], {"issue_found_on": f["issue_found_on"]},
                                             {"issue_found_on": after["found_on"]}))
    return statuses, fix_issue_key, new_fix_statuses


def _fix_values(rec: dict, issue: dict, fix_present: list[str], campaign) -> dict:
    values = {f: rec.get(f) for f in fix_present if f not in ("deadline", "ongoing", "on_the_spot")}
    if rec.get("deadline") is not None:
        dl = rec["deadline"]
        values["ongoing"], values["on_the_spot"] = dl.ongoing, dl.on_the_spot
        # 立行立改 in a workbook: counted from the day the issue was found (the 填报日期 is when the unit
        # reported, not when the fix was taken on; so a ledger exported and imported again is the same)
        values["deadline"] = spot_deadline(campaign, issue["found_on"]) if dl.on_the_spot else dl.date
    for k in ("leader", "owner"):
        if k in values and not values[k]:
            values[k] = issue.get(k)
    values["issue_found_on"] = issue["found_on"]
    return values


def _fix_dates_ok(parsed: Parsed, rec: dict, values: dict) -> bool:
    if values.get("status") in (FixStatus.DONE, FixStatus.VERIFIED) and values.get("done_on") is None:
        has_date_column = "done_on" in rec["_where"][3]
        _problem_at(parsed, rec, "done_on" if has_date_column else "status", None if has_date_column else rec.get("status"),
                    "已完成但没有完成日期，表上也没有填报日期",
                    "填写“完成日期”列，或在表头上方写明“填报日期：…”，或用 --filled-on 指定")
        return False
    return True


def _unit_may_change(parsed: Parsed, rec: dict, old: dict, values: dict) -> bool:
    """A unit's workbook reports; it never undoes what the office decided (SPEC §5 "Authority"):
    a fix the office verified stays 已销号 (the unit re-sending 已完成 changes nothing), and an
    approved extension stays (the unit re-sending its original deadline changes nothing)."""
    ok = True
    if old["status"] == FixStatus.VERIFIED and "status" in values:
        if values["status"] in (FixStatus.DONE, FixStatus.VERIFIED):
            for k in ("status", "done_on", "verified_on", "verified_by", "claimed", "done_reported"):
                values.pop(k, None)
        else:
            _problem_at(parsed, rec, "status", values["status"],
                        f"这项整改已于 {old['verified_on']} 销号，单位报表不能改回“{values['status']}”",
                        "已完成；确需二次整改的，请办公室先用 zz fix return 退回")
            ok = False
    if old["original_deadline"] is not None and "deadline" in values:
        same = (values["deadline"] in (old["deadline"], old["original_deadline"]) and not values.get("ongoing")) or (
            values.get("ongoing") and old["ongoing"])
        if same:
            for k in ("deadline", "ongoing", "on_the_spot"):
                values.pop(k, None)
        else:
            new = "长期坚持" if values.get("ongoing") else values["deadline"]
            _problem_at(parsed, rec, "deadline", new,
                        f"整改时限已批准延期至 {old['deadline']}（原时限 {old['original_deadline']}），单位报表不能改时限",
                        "原时限或延期后的时限；需再延期的请报办公室批准（zz fix extend）")
            ok = False
    return ok


def _plan_rules(plan: Plan, parsed: Parsed, reg: _Register, cells: Cells, final_issue: dict) -> None:
    rule_cols = parsed.columns[C.RULES]
    rule_present = [f for col, fields in RULE_COLUMN_FIELDS.items() if col in rule_cols for f in fields]
    if "status" in rule_cols:
        rule_present += list(RULE_STATUS_FIELDS)
    for rkey, rec in parsed.rules.items():
        values = {f: rec.get(f) for f in rule_present}
        issue_keys = _rule_issue_keys(parsed, reg, final_issue, rkey, rec)
        old = reg.rules.get(rkey)
        if old is None:
            seq = reg.allocate("rule", rkey[0], rkey[1])
            row = {"unit_id": rkey[0], "seq": seq, "src_seq": None if parsed.ledger else rkey[1], "title": None, "action": None,
                   "due_on": None, "status": RuleStatus.PENDING, "done_on": None, "doc_no": None, "note": None, "created_on": cells.filled_on or cells.today}
            row.update(values)
            plan.rule_inserts.append(row)
            plan.link_inserts += [((rkey[0], seq), ik) for ik in issue_keys]
            plan.counts[C.RULES]["new"] += 1
            continue
        before, after = _diff(old, values)
        link_changed = "issue_seqs" in rec and _relink(plan, reg, old, rkey[0], issue_keys)
        if after:
            plan.rule_updates.append((old["id"], before, after))
            _note_changes(plan, "rule", old["id"], rec, before, after)
        plan.counts[C.RULES]["updated" if after or link_changed else "unchanged"] += 1


def _rule_issue_keys(parsed: Parsed, reg: _Register, final_issue: dict, rkey: tuple, rec: dict) -> list[tuple]:
    """The register keys of the issues a rule's row names: by 序号, or by the issue's own words."""
    issue_keys = []
    for s in rec.get("issue_seqs", ()):
        found = _issue_for(parsed, reg, final_issue, (rkey[0], s), rec, "issue_seq")
        if found is not None:
            issue_keys.append((rkey[0], found["seq"]))
    if rec.get("issue_text"):
        found = _issue_by_text(parsed, reg, final_issue, rkey[0], rec)
        if found is not None:
            issue_keys.append((rkey[0], found["seq"]))
    return issue_keys


def _relink(plan: Plan, reg: _Register, old: dict, unit_id: int, issue_keys: list[tuple]) -> bool:
    """A known rule's links made what the file says (the file's list replaces them): whether any changed."""
    current = reg.links.get(old["id"], set())
    by_reg = {v: k for k, v in reg.key_of_issue.items()}
    wanted = {by_reg[ik] for ik in issue_keys if ik in by_reg}
    changed = False
    for issue_id in current - wanted:
        plan.link_deletes.append((old["id"], issue_id))
        changed = True
    for ik in issue_keys:
        if ik not in by_reg or by_reg[ik] not in current:
            plan.link_inserts.append(((unit_id, old["seq"]), ik))
            changed = True
    return changed


def _issue_by_text(parsed: Parsed, reg: _Register, final_issue: dict, unit_id: int, rec: dict) -> dict | None:
    """A rule's 针对问题 written as the issue's own words: the one issue of the unit (in this file or
    the register) whose description it is, or contains; else the cell is named."""
    text = norm(rec["issue_text"])
    pool = {k: v for k, v in {**reg.issues, **final_issue}.items() if k[0] == unit_id}
    hits = [v for v in pool.values() if v.get("description") and norm(v["description"]) == text]
    if not hits:
        hits = [v for v in pool.values() if v.get("description") and len(text) >= 4
                and (text in norm(v["description"]) or norm(v["description"]) in text)]
    if len(hits) == 1:
        return hits[0]
    why = ("对应不到问题清单中的问题" if not hits else f"可对应 {len(hits)} 个问题") + "：请写问题清单的序号"
    _problem_at(parsed, rec, "issue_seq", rec["issue_text"], why, "问题清单中的序号，多个用顿号分开，如 1、3")
    return None


def _refuse_stale_ledger(session, plan: Plan, parsed: Parsed) -> None:
    """An old whole-district ledger must not undo later work: a row the register changed after the
    ledger was exported (its marker names the last change then) is refused, with the change named."""
    from sqlalchemy import select

    from ..models import ChangeRow

    try:
        since = int(parsed.ledger_marker.get("变更", ""))
    except (AttributeError, ValueError):
        return
    if not plan.updated_from:
        return
    CR = ChangeRow.__table__
    later: dict[tuple[str, str], int] = {}
    for table, key, change_id in session.connection().execute(
        select(CR.c.table_name, CR.c.row_key, CR.c.change_id).where(CR.c.change_id > since, CR.c.table_name.in_(("issue", "fix", "rule")))
    ):
        later[(table, key)] = max(change_id, later.get((table, key), 0))
    for table, id_, rec in plan.updated_from:
        change_id = later.get((table, f"[{id_}]"))
        if change_id:
            _problem_at(parsed, rec, "seq", rec["_where"][1], f"登记簿中这一行在导出本台账之后又改过（变更 #{change_id}），用旧台账导入会把它改回去",
                        "用 zz export ledger 重新导出最新台账，在新台账上修改后再导入")


def _plan_derived(plan: Plan, reg: _Register, statuses: dict, fix_issue_key: dict, new_fix_statuses: dict) -> None:
    """Derived issue status (issues.derive_status over each issue's final fixes) and the days its
    fixes were all completed / verified (issues.derive_dates): as issues.refresh_status does."""
    from ..issues import derive_dates, derive_status

    by_key: dict[tuple[int, int], list[tuple]] = {}
    for issue_id, fixes in reg.fixes_of_issue.items():
        for f in fixes:
            ik = fix_issue_key.get(f["id"], reg.key_of_issue.get(issue_id))
            by_key.setdefault(ik, []).append(statuses.get(f["id"]) or (f["status"], f["done_on"], f["verified_on"]))
    for ik, sts in new_fix_statuses.items():
        by_key.setdefault(ik, []).extend(sts)

    def derived(fixes) -> dict:
        done_on, verified_on = derive_dates((f[1], f[2]) for f in fixes)
        return {"status": derive_status(f[0] for f in fixes), "fixes_done_on": done_on, "fixes_verified_on": verified_on}

    no_fixes = derived(())
    for row in plan.issue_inserts:
        sts = by_key.get((row["unit_id"], row["seq"])) if by_key else None
        row.update(derived(sts) if sts else no_fixes)
    updated = {u[0]: u for u in plan.issue_updates}
    for id_, reg_key in reg.key_of_issue.items():
        old = reg.by_id[id_]
        new = derived(by_key.get(reg_key, ()))
        before, after = _diff(old, new)
        if after:
            if id_ in updated:
                updated[id_][1].update(before)
                updated[id_][2].update(after)
            else:
                plan.status_updates.append((id_, before, after))
