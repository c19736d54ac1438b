"""#13: one vocabulary (vocab.py, held against the plan file's closed lists) and one shape of
refused cell (CellProblem) for every importer."""

from __future__ import annotations

import json
import re

import pytest

from zhengzhi_cli.plan import default_plan_text
from zzcheck import clean, refused


def _init_with(zz, tmp_path, text: str):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(text, encoding="utf-8")
    db = tmp_path / "other.db"
    r = zz(["--db", str(db), "init", "--plan", str(plan_file)])
    return r, text, db


@pytest.mark.parametrize("old,new,key,word", [
    # a renamed status: the code would never count 进行中 as in progress
    ('fix_statuses = ["未开始", "整改中", "已完成", "已销号"]', 'fix_statuses = ["未开始", "进行中", "已完成", "已销号"]',
     "fix_statuses", "进行中"),
    # an extra status the code gives no meaning to
    ('issue_statuses = ["未整改", "整改中", "已整改", "已销号"]', 'issue_statuses = ["未整改", "整改中", "已整改", "已销号", "已挂起"]',
     "issue_statuses", "已挂起"),
    ('rule_statuses = ["未完成", "已完成"]', 'rule_statuses = ["未完成"]', "rule_statuses", "已完成"),
    ('rule_actions = ["立", "改", "废"]', 'rule_actions = ["立", "改", "废", "释"]', "rule_actions", "释"),
    # the one unit kind the code gives meaning to (must name its 上级单位)
    ('"事业单位", "下属单位"]', '"事业单位", "二级单位"]', "unit_kinds", "下属单位"),
])
def test_plan_list_disagreeing_with_the_code_is_refused_with_its_line(zz, tmp_path, old, new, key, word):
    text = default_plan_text()
    assert old in text
    r, text, db = _init_with(zz, tmp_path, text.replace(old, new, 1))
    assert r.exit_code == 1, r.stdout + r.stderr
    clean(r)
    assert "zz: 错误：" in r.stderr and key in r.stderr and word in r.stderr, r.stderr
    m = re.search(r"第 (\d+) 行", r.stderr)
    assert m and text.splitlines()[int(m.group(1)) - 1].startswith(key), r.stderr
    assert not db.exists() or zz.json(["--db", str(db), "log"]) == []


def test_plan_may_add_unit_kinds_and_reorder_nothing_else_needed(zz, tmp_path):
    text = default_plan_text().replace('"事业单位", "下属单位"]', '"事业单位", "下属单位", "村居"]', 1)
    r, _, db = _init_with(zz, tmp_path, text)
    assert r.exit_code == 0, r.stderr
    assert "村居" in zz.json(["--db", str(db), "plan"])["lists"]["unit_kinds"]


def test_vocabulary_values_are_the_stored_words():
    from zhengzhi_cli import vocab
    from zhengzhi_cli.plan import load

    lists = load().lists
    for key, (enum, exact) in vocab.PLAN_LISTS.items():
        if exact:
            assert lists[key] == vocab.words(enum), key
        else:
            assert set(vocab.words(enum)) <= set(lists[key]), key
    assert json.dumps({"s": vocab.FixStatus.DONE}, ensure_ascii=False) == '{"s": "已完成"}'
    assert f"{vocab.IssueStatus.CLOSED}" == "已销号"
