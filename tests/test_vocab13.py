"""#13: one vocabulary (vocab.py, held against the plan file's closed lists) and one shape of
refused cell (CellProblem) for every importer."""

from __future__ import annotations

import json
import re

import pytest
from zzcheck import clean

from zhengzhi_cli.plan import default_plan_text


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
    ('case_kinds = ["正面", "反面"]', 'case_kinds = ["先进", "反面"]', "case_kinds", "正面"),
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


# --- one CellProblem, one refusal for every importer ---

KEYS = ["file", "sheet", "row", "column", "value", "why", "accepted"]


def test_cell_problem_renders_its_line_and_json():
    from zhengzhi_cli.workbook_import.problems import CellProblem

    p = CellProblem(file="/x/a.xlsx", sheet="整改清单", row=5, column="完成时限", value="六月底前", why="无法识别日期",
                    accepted="日期，如 2017-06-30")
    assert p.line() == "工作表“整改清单”第 5 行“完成时限”列（填的是“六月底前”）：无法识别日期。可填：日期，如 2017-06-30"
    assert list(p.as_json()) == KEYS and p.as_json()["row"] == 5
    assert CellProblem(column="表头", why="没有表头").line() == "“表头”（空白）：没有表头"
    with pytest.raises(AttributeError):
        p.why = "changed"  # frozen


def _refusal(register_url, importer, path, **kw):
    from zhengzhi_cli.db import Settings, open_session
    from zhengzhi_cli.errors import FileRefused

    with pytest.raises(FileRefused) as exc, open_session(Settings(db=register_url), commit=False) as session:
        importer(session, path, **kw)
    return exc.value


def test_unit_import_refusal_has_the_shape_of_zz_import(zz, register_url, tmp_path):
    from zhengzhi_cli.excel.units import import_units

    path = tmp_path / "units.csv"
    path.write_text("单位名称,单位类型,单位代码\n杨村街道,街道,120114001\n某公司,公司,\n", encoding="utf-8")
    r = zz(["unit", "import", str(path)])
    assert r.exit_code == 1
    # the same line as zz import: sheet, row, column, the value written, why, what is accepted
    assert re.search(r"工作表“[^”]+”第 3 行“单位类型”列（填的是“公司”）：.+。可填：镇、街道", r.stderr), r.stderr
    exc = _refusal(register_url, import_units, path)
    assert [list(p) for p in exc.problems] == [KEYS]
    assert exc.problems[0] | {"file": None} == {"file": None, "sheet": "units", "row": 3, "column": "单位类型",
                                                "value": "公司", "why": "不是本方案的单位类型",
                                                "accepted": "镇、街道、园区、部门、事业单位、下属单位"}
    # a file with no unit list: a problem too (not only a message), naming the header
    path.write_text("姓名,电话\n张三,1\n", encoding="utf-8")
    exc = _refusal(register_url, import_units, path)
    assert [p["column"] for p in exc.problems] == ["表头"] and "单位名称" in exc.problems[0]["accepted"]
    assert exc.problems[0]["file"] == str(path)


def test_opinion_import_refusal_has_the_shape_of_zz_import(district, register_url, tmp_path):
    from zhengzhi_cli.opinions import import_file

    path = tmp_path / "意见.csv"
    path.write_text("征求方式,意见来源,意见内容,人数,日期\n电话,服务对象,坏方式,1,2017-05-03\n", encoding="utf-8")
    r = district(["opinion", "import", str(path), "--unit", "杨村"])
    assert r.exit_code == 1
    assert re.search(r"第 2 行“征求方式”列（填的是“电话”）：不在可选范围内。可填：座谈会、征求意见表", r.stderr), r.stderr
    assert "未导入任何意见" in r.stderr
    exc = _refusal(register_url, import_file, path, unit="杨村")
    assert [list(p) for p in exc.problems] == [KEYS] and exc.problems[0]["file"] == str(path)
    path.write_text("姓名,电话\n张三,1\n", encoding="utf-8")
    exc = _refusal(register_url, import_file, path, unit="杨村")
    assert [p["column"] for p in exc.problems] == ["表头"] and "意见内容" in exc.problems[0]["accepted"]


def test_zz_import_refusal_text_unchanged(district, tmp_path):
    """zz import's refusal is rendered by the same CellProblem lines (as it read before)."""
    path = tmp_path / "杨村.csv"
    path.write_text("序号,整治重点,问题描述,问题来源\n1,第十一项,窗口拖沓,自查\n", encoding="utf-8")
    r = district(["import", str(path), "--unit", "杨村"])
    assert r.exit_code == 1
    assert re.search(r"文件“杨村.csv”有 \d+ 处错误，本文件未导入任何内容：\n  工作表“[^”]+”第 2 行“整治重点”列（填的是“第十一项”）：",
                     r.stderr), r.stderr


def test_a_file_refused_before_reading_has_the_same_problem_shape(zz, register_url, tmp_path):
    """Not a workbook at all: zz import --json and zz unit import name it with every CellProblem field."""
    from zhengzhi_cli.excel.units import import_units

    path = tmp_path / "units.xlsx"
    path.write_bytes(b"not a workbook at all")
    out = json.loads(zz(["import", str(path), "--json", "--unit", "x"]).stdout)
    assert [list(p) for p in out["files"][0]["problems"]] == [KEYS], out
    assert [list(p) for p in _refusal(register_url, import_units, path).problems] == [KEYS]


# --- the code compares statuses through vocab, not by literal ---

# modules being restructured by others in the same round (#12 reports, #13 command shell): their
# literals are replaced when they land
NOT_YET = {"excel/reports.py", "excel/public.py", "sample_data/generate.py"}  # generate.py writes what units send: data


def _literal_comparisons(path, words):
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                items = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                found += [(node.lineno, i.value) for i in items
                          if isinstance(i, ast.Constant) and isinstance(i.value, str) and i.value in words]
    return found


def test_no_status_literal_is_compared_outside_vocab():
    from pathlib import Path

    import zhengzhi_cli
    from zhengzhi_cli import vocab

    words = {m.value for enum in (vocab.FixStatus, vocab.IssueStatus, vocab.RuleStatus, vocab.OverdueTier,
                                  vocab.MilestoneState, vocab.VoidReason, vocab.UnitKind) for m in enum}
    root = Path(zhengzhi_cli.__file__).parent
    found = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == "vocab.py" or rel in NOT_YET or rel.startswith("cli/"):
            continue
        hits = _literal_comparisons(path, words)
        if hits:
            found[rel] = hits
    assert found == {}, found
