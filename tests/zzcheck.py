"""Assertions the feature tests share: a refusal exits with its status, says why in Chinese,
shows no traceback, and writes nothing (the audit trail and the row counts are unchanged)."""

from __future__ import annotations

import re
import sqlite3

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = ("unit", "issue", "fix", "fix_event", "rule", "rule_issue", "check_record", "milestone_record", "change")


def snapshot(zz) -> tuple:
    trail = zz.json("log --limit 100000")
    counts = {}
    if not zz.db.startswith(("postgresql", "postgres")):
        try:
            conn = sqlite3.connect(zz.db)
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
            conn.close()
        except sqlite3.Error:
            counts = {}
    return trail, counts


def refused(zz, args, *needles: str, status: int = 1, env: dict | None = None):
    before = snapshot(zz)
    result = zz(args, env=env)
    assert result.exit_code == status, f"zz {args} → {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    clean(result)
    assert "zz: " in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, f"“{needle}” not in: {result.stderr}"
    assert snapshot(zz) == before, f"zz {args} was refused but wrote something"
    return result


def clean(result) -> None:
    """No traceback, no internal error, ever."""
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    assert "内部错误" not in result.stderr, result.stderr


def said_no(result, *words, status=(1,)):
    """A CLI result that refused: its exit status, a Chinese `zz: 错误：` line naming `words`, no traceback."""
    said = result.stdout + result.stderr
    assert result.exit_code in status, (result.exit_code, said[-2000:])
    assert "Traceback" not in said and "内部错误" not in said, said[-2000:]
    assert re.search(r"^zz: (用法)?错误：", result.stderr, re.M), result.stderr
    assert CJK.search(result.stderr), result.stderr
    for w in words:
        assert w in result.stderr, result.stderr
    return result
