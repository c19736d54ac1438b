"""Issue #10: one record must never deny service. Whatever text a clerk types or a workbook
brings prints as itself (never as rich markup), never reaches the terminal as a control
sequence, and the same text rules (text.py) refuse NUL, control characters and over-long
values on every way in — while a record stored before the rules can still be listed and edited."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from conftest import sqlite_only
from tests import procs
from tests.zzcheck import FUZZ, Register

MARKUP = ["[/]", "[bold]粗[/bold]", "[link=x]y[/link]", "测试[/]文字", "[red", "\\[b]"]
WIDE = {"COLUMNS": "400"}  # one table row per line, so a text is found whole
CJK = re.compile(r"[\u4e00-\u9fff]")
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # what a terminal would act on


def _said(result) -> str:
    return result.stdout + result.stderr


def _shown_ok(zz, args: list[str], *texts: str) -> str:
    result = zz(args, env=WIDE)
    said = _said(result)
    assert result.exit_code == 0, (args, said)
    assert "内部错误" not in said and "Traceback" not in said, (args, said)
    for t in texts:
        assert t in result.stdout, (args, t, result.stdout)
    assert not RAW.search(said), (args, said)
    return result.stdout


def _refused(zz, args: list[str], register_url: str, *, field: str) -> str:
    before = procs.snapshot(register_url)
    result = zz(args, env=WIDE)
    assert result.exit_code == 1, (args, _said(result))
    assert result.stderr.startswith("zz: 错误："), result.stderr
    assert field in result.stderr, (field, result.stderr)
    assert "内部错误" not in _said(result) and "Traceback" not in _said(result)
    assert not RAW.search(_said(result)), result.stderr
    assert procs.snapshot(register_url) == before
    return result.stderr


# ---- markup prints as text ----

@pytest.mark.parametrize("m", MARKUP)
def test_markup_in_every_issue_fix_and_rule_field_prints_literally(district, m):
    zz = district
    zz.ok(["issue", "add", f"描述{m}", "--unit", "杨村", "--area", "6", "--leader", f"领导{m}", "--owner", f"人{m}",
           "--note", f"备注{m}"])
    zz.ok(["fix", "add", "1", f"任务{m}", "--deadline", "2017-06-30", "--owner", f"改{m}", "--leader", f"导{m}",
           "--note", f"注{m}"])
    zz.ok(["fix", "progress", "1", f"进展{m}", "--date", "2017-06-01"])
    zz.ok(["rule", "add", f"制度{m}", "--unit", "杨村", "--action", "立", "--issue", "1", "--note", f"规{m}"])
    zz.ok(["rule", "done", "1", "--doc-no", f"文{m}"])
    _shown_ok(zz, ["issue", "list"], f"描述{m}", f"人{m}")
    _shown_ok(zz, ["issue", "show", "1"], f"描述{m}", f"领导{m}", f"人{m}", f"备注{m}", f"任务{m}", f"制度{m}")
    _shown_ok(zz, ["fix", "list"], f"任务{m}")
    _shown_ok(zz, ["fix", "show", "1"], f"任务{m}", f"进展{m}")
    _shown_ok(zz, ["rule", "list"], f"制度{m}")
    _shown_ok(zz, ["log"], f"描述{m}")


@pytest.mark.parametrize("m", MARKUP[:3])
def test_markup_in_units_opinions_and_cases_prints_literally(zz, m):
    zz.ok(["unit", "add", f"单位{m}", "--kind", "街道", "--code", "U1", "--leader", f"长{m}", "--contact", f"联{m}",
           "--phone", f"电{m}"])
    zz.ok(["opinion", "add", f"意见{m}", "--unit", "U1", "--channel", "座谈会", "--from", "服务对象", "--date", "2017-05-02",
           "--topic", f"类{m}", "--note", f"注{m}"])
    zz.ok(["case", "add", f"案例{m}", "--kind", "正面", "--unit", "U1", "--person", f"人{m}", "--what", f"事{m}",
           "--date", "2017-05-02", "--published", "2017-05-03", "--where", f"网{m}", "--note", f"注{m}"])
    _shown_ok(zz, ["unit", "list"], f"单位{m}")
    _shown_ok(zz, ["unit", "show", "U1"], f"单位{m}", f"长{m}", f"联{m}", f"电{m}")
    _shown_ok(zz, ["opinion", "list"], f"意见{m}")
    _shown_ok(zz, ["case", "list"], f"案例{m}")
    _shown_ok(zz, ["log"], f"单位{m}")


def test_markup_in_an_error_message_prints_literally(district):
    result = district(["issue", "list", "--unit", "[bold]无此单位[/]"])
    assert result.exit_code == 1 and "[bold]无此单位[/]" in result.stderr, result.stderr
    assert "内部错误" not in result.stderr


# ---- control sequences never reach the terminal raw ----

ESC_TEXTS = ["\x1b[2J\x1b[H清屏", "\x1b]0;改标题\x07", "\x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\", "\x9b31m红", "\u202e反向",
             "回车\r覆盖"]


def _store_raw(register_url: str, **columns) -> None:
    """What an import before these rules left behind: the text stored as it came."""
    engine = sa.create_engine(procs.sa_url(register_url))
    with engine.begin() as conn:
        for key, value in columns.items():
            table, column = key.split("__")
            conn.execute(sa.text(f"UPDATE {table} SET {column} = :v"), {"v": value})
    engine.dispose()


@pytest.mark.parametrize("bad", ESC_TEXTS)
def test_stored_control_sequences_are_shown_as_visible_escapes(district, register_url, bad):
    zz = district
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6")
    zz.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")
    _store_raw(register_url, issue__description=f"描述{bad}", issue__owner=f"人{bad}", fix__task=f"任务{bad}")
    for args in (["issue", "list"], ["issue", "show", "1"], ["fix", "list"], ["fix", "show", "1"]):
        _shown_ok(zz, args, "描述" if args[0] == "issue" else "任务")
    out = _shown_ok(zz, ["issue", "show", "1"])
    assert "\\x1b" in out or "\\x9b" in out or "\\u202e" in out or "\\x0d" in out
    # JSON keeps the data, escaped
    result = zz(["issue", "show", "1", "--json"])
    assert result.exit_code == 0 and not RAW.search(result.stdout), result.stdout
    assert json.loads(result.stdout)["description"] == f"描述{bad}"


def test_a_typed_bidi_override_is_kept_but_shown_escaped(district):
    """U+202E is no control character (Unicode Cf): stored, but it never reorders what a terminal shows."""
    district.ok(["issue", "add", "描述\u202e反向", "--unit", "杨村", "--area", "6"])
    assert "描述\\u202e反向" in _shown_ok(district, ["issue", "show", "1"])
    assert district.json(["issue", "show", "1"])["description"] == "描述\u202e反向"


@pytest.mark.parametrize("bad", [t for t in ESC_TEXTS if "\u202e" not in t])
def test_control_sequences_typed_are_refused_and_not_echoed(district, register_url, bad):
    _refused(district, ["issue", "add", f"描述{bad}", "--unit", "杨村", "--area", "6"], register_url, field="问题描述")
    result = district(["issue", "list", "--unit", f"杨村{bad}"])
    assert result.exit_code == 1 and not RAW.search(_said(result)), result.stderr
    assert "杨村" in result.stderr and CJK.search(result.stderr)


def test_a_unit_named_with_escapes_is_shown_escaped_in_errors(district, register_url):
    _store_raw(register_url, unit__leader="\x1b[31m红")
    result = district(["unit", "show", "杨村"], env=WIDE)
    assert result.exit_code == 0 and "\\x1b[31m红" in result.stdout and not RAW.search(result.stdout)


# ---- one set of rules on every way in ----

NUL, LONG_NAME, LONG_TEXT = "\x00", "长" * 32767, "长" * 10001


@pytest.mark.parametrize("args, field", [
    (["issue", "add", f"描述{NUL}", "--unit", "杨村", "--area", "6"], "问题描述"),
    (["issue", "add", "描述\x07", "--unit", "杨村", "--area", "6"], "问题描述"),
    (["issue", "add", "描述", "--unit", "杨村", "--area", "6", "--owner", LONG_NAME], "责任人"),
    (["issue", "add", "描述", "--unit", "杨村", "--area", "6", "--owner", "张三\n李四"], "责任人"),
    (["issue", "add", "描述", "--unit", "杨村", "--area", "6", "--leader", "李\x1b"], "责任领导"),
    (["issue", "add", "描述", "--unit", "杨村", "--area", "6", "--note", LONG_TEXT], "备注"),
    (["issue", "add", LONG_TEXT, "--unit", "杨村", "--area", "6"], "问题描述"),
    (["fix", "add", "1", "任务\x1b[2J", "--deadline", "2017-06-30"], "整改任务及措施"),
    (["fix", "add", "1", "任务", "--deadline", "2017-06-30", "--owner", "王\x85明"], "责任人"),
    (["fix", "progress", "1", "进展\x00"], "进展情况"),
    (["rule", "add", "制度\x1b", "--unit", "杨村", "--action", "立"], "制度名称"),
    (["unit", "add", "新单位\x1b", "--kind", "镇"], "单位名称"),
    (["unit", "add", "新单位", "--kind", "镇", "--contact", LONG_NAME], "联系人"),
    (["unit", "edit", "杨村", "--leader", "李\x9b"], "负责人"),
    (["opinion", "add", "意见\x1b", "--unit", "杨村", "--channel", "座谈会", "--from", "服务对象"], "意见内容"),
    (["case", "add", "案例\x1b", "--kind", "正面", "--unit", "杨村"], "案例标题"),
    (["case", "add", "案例", "--kind", "正面", "--unit", "杨村", "--person", "张\x1b"], "姓名"),
    (["accountability", "add", "王某\x1b", "--unit", "杨村", "--measure", "批评教育", "--date", "2017-06-20"], "被问责人"),
    (["check", "add", "--unit", "杨村", "--item", "1", "--date", "2017-04-01", "--result", "好\x1b"], "结果"),
    (["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-05", "--by", "组\x1b"], "督查人员"),
])
def test_control_characters_and_overlong_text_are_refused_on_add(district, register_url, args, field):
    district.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --found 2017-04-12")
    district.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")
    _refused(district, args, register_url, field=field)


def test_windows_line_ends_are_stored_as_one_line_break(district):
    added = district.json(["issue", "add", "第一行\r\n第二行", "--unit", "杨村", "--area", "6", "--owner", "  王明 "])
    assert added["description"] == "第一行\n第二行" and added["owner"] == "王明"
    assert district.json(["issue", "show", "1"])["description"] == "第一行\n第二行"


def test_text_rules_for_an_importer():
    from zhengzhi_cli import text

    assert text.problem("王明", "owner") is None and text.problem(None, "owner") is None
    assert text.problem("第一行\r\n第二行", "description") is None
    assert "不可见" in text.problem("王\x1b明", "owner")
    assert "\\x00" in text.problem("a\x00", "note")
    assert "换行" in text.problem("张三\n李四", "owner")
    assert "最多 100 个" in text.problem("长" * 32767, "owner")
    assert "最多 10000 个" in text.problem("长" * 10001, "description")
    assert text.display("\x1b]0;x\x07\u202e\n\t") == "\\x1b]0;x\\x07\\u202e\n\t"


def test_the_text_rules_follow_the_models():
    """text.FIELDS (what an importer is told) and the columns (what the flush check uses) agree."""
    from sqlmodel import SQLModel

    from zhengzhi_cli import models, text

    models.load_all()
    for table in SQLModel.metadata.tables.values():
        if table.name in ("meta", "change", "change_row"):
            continue
        for col in table.columns:
            if col.name in text.FIELDS and isinstance(col.type, sa.String):
                _, max_len, multiline = text.FIELDS[col.name]
                length = getattr(col.type, "length", None)
                assert (max_len, multiline) == ((length, False) if length else (text.FREE_TEXT_MAX, True)), (table.name, col.name)


def _units_csv(tmp_path, row: str):
    path = tmp_path / "units.csv"
    path.write_text(f"单位名称,单位类型,单位代码,主要负责人,联系人\n梅厂镇,镇,120114101,李,王\n{row}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("row, column", [
    ("新单位\x1b[2J,镇,X1,李,王", "单位名称"),
    ("新单位,镇,X1,李\x08,王", "负责人"),  # (a NUL makes the whole file binary: refused before any row)
    (f"新单位,镇,X1,李,{'王' * 32767}", "联系人"),
    ("新单位,镇,X1,\"李\n张\",王", "负责人"),
])
def test_unit_import_refuses_what_unit_add_refuses(district, register_url, tmp_path, row, column):
    stderr = _refused(district, ["unit", "import", str(_units_csv(tmp_path, row))], register_url, field=column)
    assert "第 3 行" in stderr


def test_unit_import_still_takes_plain_text(zz, tmp_path):
    zz.ok(["unit", "import", str(_units_csv(tmp_path, "新单位,镇,X1,李[/]明,王"))])
    _shown_ok(zz, ["unit", "show", "新单位"], "李[/]明")


@sqlite_only()
def test_a_record_stored_before_the_rules_can_still_be_shown_and_corrected(district, register_url):
    """An owner of 32,767 characters (and a control character) left by an old import."""
    zz = district
    zz.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6")
    _store_raw(register_url, issue__owner="王\x1b" * 16383 + "王", issue__note="旧\x07备注")
    _shown_ok(zz, ["issue", "list"])
    _shown_ok(zz, ["issue", "show", "1"])
    zz.ok(["issue", "edit", "1", "--area", "5"])  # a change elsewhere in the record is not refused
    zz.ok(["issue", "edit", "1", "--owner", "李强", "--note", "已核实"])
    shown = zz.json(["issue", "show", "1"])
    assert (shown["owner"], shown["note"], shown["area_no"]) == ("李强", "已核实", 5)


# ---- random text: never an internal error, a refusal changes nothing ----

MARKUPISH = st.text(alphabet=st.sampled_from(list("[]/=\\:bold链接测试ab \x00\x07\x08\x1b\x7f\x85\x9b\x9d\r\n\t\u202e")),
                    min_size=1, max_size=30)
RANDOM_TEXT = st.one_of(MARKUPISH, st.text(min_size=1, max_size=30),
                        st.builds(lambda a, b: a + b, st.sampled_from(MARKUP + ESC_TEXTS), st.text(max_size=10)))


@FUZZ
@given(text=RANDOM_TEXT, owner=st.one_of(st.none(), RANDOM_TEXT))
def test_random_text_never_breaks_list_show_or_log(seeded, text, owner):
    zz, reg = seeded
    before = reg.snapshot()
    argv = ["issue", "add", "--unit", "杨村", "--area", "6", *([f"--owner={owner}"] if owner is not None else []), "--", text]
    result = zz(argv, env=WIDE)
    said = _said(result)
    assert result.exit_code in (0, 1), (argv, said)
    assert "内部错误" not in said and "Traceback" not in said, (argv, said)
    assert not RAW.search(said), (argv, said)
    if result.exit_code == 1:
        assert result.stderr.startswith("zz: 错误：") and CJK.search(result.stderr), result.stderr
        assert reg.snapshot() == before
        return
    new_id = str(max(r[0] for r in reg.snapshot()["issue"]))
    for args in (["issue", "list"], ["issue", "show", new_id], ["log", "--limit", "3"]):
        shown = zz(args, env=WIDE)
        assert shown.exit_code == 0, (args, _said(shown))
        assert "内部错误" not in _said(shown) and not RAW.search(_said(shown)), (args, _said(shown))


@pytest.fixture
def seeded(district, register_url):
    district.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    reg = Register(register_url)
    yield district, reg
    reg.engine.dispose()


def test_the_import_progress_bar_shows_a_file_name_as_text(monkeypatch, capsys):
    import sys
    from pathlib import Path

    from zhengzhi_cli.cli.transfer import _Bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with _Bar() as bar:
        bar(Path("测试[/]文字\x1b]0;x\x07.xlsx"), "读取", 10, 6000)
        bar.progress.refresh()
    err = capsys.readouterr().err  # the bar's own colours are escape sequences; the name's are not
    assert "\x1b]0;x\x07" not in err and "\\x1b]0;x\\x07.xlsx" in err, err
