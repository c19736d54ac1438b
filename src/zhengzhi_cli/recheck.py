"""回头看: a seeded, stratified sample of verified (已销号) fixes is rechecked; a failed recheck
reopens that one fix (整改中) for another round.

The sample is not stored: the same seed, share and register give the same sample, unit by unit
(each unit's verified fixes, ordered by id, sampled with a generator seeded by the seed and the
unit's id, at least one where a unit has any), so the office can publish the seed and anyone can
draw the sample again. A result is a `fix_event` (回头看) in the command's transaction; `zz undo`
takes back a result, and with it a reopening.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from sqlmodel import select

from . import fixes as fixes_mod
from . import issues as issues_mod
from . import text as text_rules
from .dates import option_date
from .errors import Conflict, Invalid
from .models import Fix, FixEvent, Unit

EVENT = "回头看"
PASSED, FAILED = "通过", "未通过"


def plan(session, *, seed: int, share: float, unit: str | None = None) -> list[dict]:
    """The sample: for each unit, ceil(share × its verified fixes), drawn with the seed."""
    from . import units

    if not 0 < share <= 1:
        raise Invalid(f"抽查比例（--share）：应在 0 到 1 之间（如 0.1 即 10%），而不是 {share}", field="share")
    q = select(Fix.id, Fix.unit_id, Unit.name).join(Unit, Unit.id == Fix.unit_id).where(Fix.status == fixes_mod.VERIFIED)
    if unit:
        q = q.where(Fix.unit_id == units.resolve(session, unit).id)
    by_unit: dict[int, tuple[str, list[int]]] = {}
    for fix_id, unit_id, name in session.exec(q.order_by(Fix.unit_id, Fix.id)).all():
        by_unit.setdefault(unit_id, (name, []))[1].append(fix_id)
    out = []
    for unit_id, (name, ids) in sorted(by_unit.items()):
        k = min(len(ids), max(1, math.ceil(share * len(ids))))
        picked = sorted(random.Random(f"{seed}:{unit_id}").sample(ids, k))
        out += [{"fix_id": i, "unit": name, "unit_verified": len(ids)} for i in picked]
    return out


def record(session, *, fix_id: int, result: str, by: str, reason: str | None = None, on=None) -> Fix:
    """A recheck's result: 通过 leaves the fix 已销号; 未通过 reopens it (整改中), with the reason."""
    fix = fixes_mod.get(session, fix_id)
    if result not in (PASSED, FAILED):
        raise Invalid(f"回头看结果（--result）：应为“{PASSED}”或“{FAILED}”，而不是“{result}”", field="result")
    if fix.status != fixes_mod.VERIFIED:
        raise Conflict(f"整改 {fix_id} 当前为“{fix.status}”，回头看只针对已销号的整改", field="fix_id")
    by = text_rules.clean(by, field="by", label="回头看核查人（--by）", max_len=text_rules.PERSON_MAX, multiline=False,
                          required=True)
    if fix.owner and by == fix.owner.strip():
        raise Conflict(f"回头看核查人（--by）：“{by}”是这项整改的责任人，不能自查，须由他人核查", field="by")
    reason = text_rules.clean(reason, field="reason", label="未通过的理由（--reason）")
    if result == FAILED and not reason:
        raise Invalid("未通过的理由（--reason）：回头看未通过时须写明理由", field="reason")
    day = option_date(session, on, field="日期（--date）", default=dt.date.today())
    if fix.verified_on and day < fix.verified_on:
        raise Invalid(f"日期（--date）：{day} 早于销号日期 {fix.verified_on}", field="date")
    if result == FAILED:
        fix.status, fix.done_on, fix.verified_on, fix.verified_by = fixes_mod.IN_PROGRESS, None, None, None
        fix.claimed = fix.done_reported = False
    session.add(FixEvent(fix_id=fix.id, kind=EVENT, happened_on=day, actor=by,
                         text=result if result == PASSED else f"{FAILED}：{reason}"))
    session.add(fix)
    session.flush()
    issues_mod.refresh_status(session, [fix.issue_id])
    return fix
