"""Issue #10 (personal data): one redactor for every public output.

The redactor is run over a corpus of what clerks really write (tests/redaction_corpus.py),
and then end to end: people are registered, their names and phones are typed into every
free-text field, and every cell of every sheet of `zz export ledger --public` and
`zz report public`, and every part of the file (docProps, comments, defined names, hidden
sheets), is searched for them.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile

import openpyxl
import pytest

from tests.redaction_corpus import HIDDEN, KEPT, KNOWN_FALSE_POSITIVES, REGISTERED
from tests.workbooks import write_book
from zhengzhi_cli.redact import NAME_MASK, PHONE_MASK, Redactor


@pytest.fixture(scope="module")
def redactor():
    return Redactor(REGISTERED)


def test_corpus_is_large_enough():
    assert len(HIDDEN) + len(KEPT) >= 50


@pytest.mark.parametrize(("text", "expected"), HIDDEN)
def test_hides(redactor, text, expected):
    assert redactor(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_keeps_what_is_not_personal(redactor, text):
    assert redactor(text) == text


@pytest.mark.parametrize(("text", "expected"), KNOWN_FALSE_POSITIVES)
def test_known_false_positives(redactor, text, expected):
    assert redactor(text) == expected


def test_names_match_only_whole_and_of_two_characters():
    r = Redactor(["王", "李四", "王 五"])
    assert r("王局长和李局长") == "王局长和李局长"  # a one-character "name" would hide every 王
    assert r("李四、王五、王 五") == f"{NAME_MASK}、{NAME_MASK}、{NAME_MASK}"
    assert r("四川") == "四川"
    assert r(None) is None and r("") == ""


def test_no_register_still_hides_phones_and_cued_names():
    r = Redactor([])
    assert r("联系人：李四，13812345678") == f"联系人：{NAME_MASK}，{PHONE_MASK}"


# ---------------------------------------------------------------- end to end

PEOPLE = ["钟小平", "韩梅梅", "王明", "赵大海", "钱小红", "李书记", "冯九", "欧阳娜娜", "孙剑楠", "张华", "刘建国", "周八", "郑批准", "陈十一",
          "李四", "张三", "马小军", "吴核验"]
NUMBERS = ["13812345678", "13912345678", "29341234", "2934xxxx", "120222198505051234", "wangming@163.com", "82121234"]


def _register(zz, tmp_path):
    """People in every person column, and their names and numbers in every free-text field."""
    zz.ok(["unit", "edit", "杨村", "--leader", "赵大海", "--contact", "钱小红", "--phone", "022-29341234"])
    i1 = zz.json(["issue", "add", "科员王 明上班时间炒股，群众举报电话１３８１２３４５６７８", "--unit", "杨村", "--area", "规矩意识",
                  "--owner", "王明", "--leader", "李书记", "--found", "2017-05-02",
                  "--note", "联系人：李四，电话（０２２）２９３４１２３４"])["id"]
    i2 = zz.json(["issue", "add", "审批超时，当事人周八拒不改正（身份证120222198505051234）", "--unit", "D13",
                  "--area", "效能意识", "--owner", "周八", "--found", "2017-05-03"])["id"]
    f1 = zz.json(["fix", "add", str(i1), "王明作出书面检查，由李书记约谈，电话138-1234-5678", "--deadline", "2017-06-30"])["id"]
    zz.ok(["fix", "progress", str(f1), "已约谈王　明，联系+86 139 1234 5678", "--date", "2017-06-01"])
    zz.ok(["fix", "done", str(f1), "--date", "2017-06-10", "--evidence", "经办人欧阳娜娜签字确认，邮箱 wangming@163.com"])
    zz.ok(["fix", "verify", str(f1), "--by", "吴核验", "--date", "2017-06-20"])
    f2 = zz.json(["fix", "add", str(i2), "压缩审批时限，张三同志牵头，座机(022)29341234，钟小平督办", "--deadline", "2017-06-30",
                  "--owner", "周八", "--leader", "钟小平"])["id"]
    zz.ok(["fix", "done", str(f2), "--date", "2017-06-20"])
    zz.ok(["fix", "return", str(f2), "--by", "退回人韩梅梅", "--reason", "佐证不足"])
    zz.ok(["fix", "progress", str(f2), "已起草办法，吴核验、郑批准、韩梅梅已审阅，联系人：马小军，电话：（022）8212xxxx"])
    zz.ok(["fix", "extend", str(f2), "--to", "2017-09-30", "--approver", "郑批准", "--reason", "涉及流程再造"])
    r1 = zz.json(["rule", "add", "关于孙剑楠同志分工的规定", "--unit", "杨村", "--action", "立", "--due", "2017-09-30",
                  "--issue", str(i1)])["id"]
    zz.ok(["rule", "done", str(r1), "--date", "2017-07-01", "--doc-no", "武清政办〔2017〕12号（经办人刘建国，电话82121234）"])
    zz.ok(["accountability", "add", "孙 剑楠", "--unit", "梅厂", "--measure", "诫勉谈话", "--date", "2017-08-01",
           "--position", "副镇长"])
    zz.ok(["case", "add", "上班炒股被查处", "--kind", "反面", "--unit", "杨村", "--person", "陈十一"])
    zz.ok(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-12", "--by", "督查员冯九、张华"])
    # the notes of fixes and rules come from a unit's workbook
    book = write_book(tmp_path / "梅厂镇.xlsx", unit="梅厂镇", sheets={
        "问题清单": (["序号", "整治重点", "问题来源", "四查四看", "问题描述", "发现日期", "责任领导", "责任人", "备注"],
                 [[1, "效能意识", "自查", None, "值班表未公示，值班人陈十一", "2017-05-04", None, None, "联系人王明13812345678"]]),
        "整改清单": (["序号", "问题序号", "整改任务及措施", "责任领导", "责任人", "整改时限", "整改状态", "完成日期", "整改成效", "备注"],
                 [[1, 1, "公示值班表，张华负责", None, None, "2017-06-30", "已完成", "2017-06-15", "冯九检查通过 13912345678",
                   "经办人：刘建国，022-2934xxxx"]]),
        "制度清单": (["序号", "制度名称", "立改废", "问题序号", "计划完成时间", "状态", "文号", "备注"],
                 [[1, "值班制度（起草人钱小红）", "立", "1", "2017-09-30", "未完成", "梅政发〔2017〕3号 赵大海", "负责人：赵 大 海"]]),
    })
    zz.ok(["import", book])


def _parts(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8", errors="replace") for n in z.namelist()}


def _plain(text: str) -> str:
    """What a reader sees, whatever the spacing or width: 王　明 → 王明, １３８ → 138."""
    return re.sub(r"[\s\-()（）+]", "", unicodedata.normalize("NFKC", text))


def _assert_nothing_personal(path, issuer: str):
    wb = openpyxl.load_workbook(path)
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    seen = _plain("\n".join(cells) + "\n".join(_parts(path).values()))
    for word in PEOPLE + NUMBERS:
        assert word not in seen, word
    _assert_file_names_no_one(path, issuer)
    return cells


def _assert_file_names_no_one(path, issuer: str):
    """No comments, no hidden sheet, no defined name but Excel's own, the office as author."""
    wb = openpyxl.load_workbook(path)
    parts = _parts(path)
    assert not [n for n in parts if "comments" in n or "vmlDrawing" in n]
    assert all(ws.sheet_state == "visible" for ws in wb)
    assert all(name.startswith("_xlnm.") for ws in wb for name in ws.defined_names) and not list(wb.defined_names)
    core = parts["docProps/core.xml"]
    for tag in ("dc:creator", "cp:lastModifiedBy"):
        assert re.search(rf"<{tag}>([^<]*)</{tag}>", core).group(1) in (issuer, "zz"), tag
    assert "测试员" not in core + parts["docProps/app.xml"]  # the operator is a person too


def _issuer(zz) -> str:
    return zz.json("plan")["issuer"]


def test_public_ledger_hides_people_in_every_free_text(district, tmp_path):
    zz = district
    _register(zz, tmp_path)
    out = tmp_path / "公开台账.xlsx"
    zz.ok(["export", "ledger", "-o", out, "--public"])
    cells = _assert_nothing_personal(out, _issuer(zz))
    text = "\n".join(cells)
    # the work is still told, only the people are not
    for kept in ("科员××上班时间炒股", "群众举报电话[电话已隐去]", "联系人：××，电话[电话已隐去]", "××作出书面检查，由××约谈",
                 "压缩审批时限，××同志牵头", "武清政办〔2017〕12号（经办人××，电话[电话已隐去]）", "值班制度（起草人××）",
                 "公示值班表，××负责", "（身份证[身份证号已隐去]）", "[邮箱已隐去]", "负责人：××", "梅政发〔2017〕3号 ××"):
        assert kept in text, kept


def test_office_ledger_keeps_every_name(district, tmp_path):
    zz = district
    _register(zz, tmp_path)
    out = tmp_path / "台账.xlsx"
    zz.ok(["export", "ledger", "-o", out])
    text = "\n".join(str(c.value) for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for c in row if c.value)
    assert "联系人王明13812345678" in text and "吴核验" in text and "负责人：赵 大 海" in text


def test_public_report_hides_every_phone_form_and_unregistered_name(district, tmp_path):
    zz = district
    _register(zz, tmp_path)
    out = tmp_path / "整改情况公示.xlsx"
    zz.ok(f"report public -o {out} --as-of 2017-09-30")
    cells = _assert_nothing_personal(out, _issuer(zz))
    text = "\n".join(cells)
    assert "压缩审批时限，××同志牵头，座机[电话已隐去]" in text and "科员××上班时间炒股" in text


@pytest.mark.parametrize("command", [["export", "ledger", "--public"], ["report", "public"]])
def test_public_file_properties_name_the_office(district, tmp_path, command):
    zz = district
    zz.ok(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--found", "2017-05-02", "--owner", "王明"])
    out = tmp_path / "公开.xlsx"
    zz.ok([*command, "-o", out])
    _assert_file_names_no_one(out, _issuer(zz))
