"""Property-based tests (hypothesis): random strings, dates and numbers at every daily
command's arguments and options. Whatever comes in: exit 0, 1 or 2 only, never a traceback
or an 内部错误, and a refused command leaves the register exactly as it was.

Example counts are bounded (ZZ_FUZZ_EXAMPLES, default 40 per test) so that the suite stays
fast on both backends; CI runs them derandomized (the same examples every run)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.zzcheck import EXAMPLES, FUZZ, Register
from zhengzhi_cli.text import clean


D, T, N = "2017-06-20", "文字", "1"  # a valid date, text and id, used where a slot is not fuzzed

# (command, positional arguments, options): every value may be replaced by a random one
DAILY = [
    ("issue add", ["窗口办事拖沓"], {"--unit": "杨村", "--area": "6", "--source": "自查", "--check": "1", "--found": D,
                                   "--leader": "李", "--owner": "王", "--note": T}),
    ("issue edit", [N], {"--text": T, "--unit": "梅厂", "--area": "效能意识", "--source": "督查", "--check": "2",
                         "--found": D, "--leader": "李", "--owner": "王", "--note": T}),
    ("issue list", [], {"--unit": "杨村", "--area": "六", "--source": "自查", "--status": "整改中", "--as-of": D, "--limit": "5"}),
    ("issue show", [N], {}),
    ("fix add", [N, "推行首问负责制"], {"--deadline": "2017-06-30", "--owner": "王", "--leader": "李", "--note": T}),
    ("fix progress", [N, "已制定方案"], {"--date": D}),
    ("fix done", [N], {"--date": D, "--evidence": T}),
    ("fix verify", [N], {"--by": "张华", "--date": D, "--evidence": T}),
    ("fix return", [N], {"--by": "张华", "--reason": "整改不彻底", "--date": D}),
    ("fix extend", [N], {"--to": "2017-09-30", "--approver": "李", "--reason": "需协调"}),
    ("fix list", [], {"--unit": "杨村", "--status": "整改中", "--as-of": D, "--limit": "5"}),
    ("rule add", ["窗口服务规范"], {"--unit": "杨村", "--action": "立", "--due": D, "--issue": N, "--note": T}),
    ("rule done", [N], {"--date": D, "--doc-no": "武政办〔2017〕1号"}),
    ("rule list", [], {"--unit": "杨村", "--action": "改"}),
    ("check add", [], {"--unit": "杨村", "--item": "1", "--date": D, "--result": T, "--note": T}),
    ("check list", [], {"--unit": "杨村"}),
    ("milestone done", ["杨村", "实施方案"], {"--date": D, "--ref": T, "--note": T}),
    ("phase", [], {"--as-of": D, "--unit": "杨村"}),
    ("plan", [], {"--as-of": D}),
    ("unit add", ["新单位"], {"--kind": "镇", "--code": "X1", "--parent": "杨村", "--leader": "李", "--contact": "王",
                             "--phone": "022-1234"}),
    ("unit edit", ["梅厂镇"], {"--leader": "李", "--contact": "王", "--phone": "022-1234"}),
    ("unit show", ["杨村"], {}),
    ("unit list", [], {"--kind": "街道"}),
    ("log", [], {"--since": D, "--limit": "3"}),
]
SUPERVISION = [
    ("inspect add", [], {"--unit": "杨村", "--kind": "明察暗访", "--date": D, "--by": "督查组", "--note": T}),
    ("accountability add", ["王某"], {"--unit": "杨村", "--measure": "批评教育", "--date": D, "--issue": N, "--reason": T}),
    ("opinion add", ["办事慢"], {"--unit": "杨村", "--channel": "座谈会", "--from": "服务对象", "--count": "3", "--issue": N}),
    ("case add", ["窗口服务标兵"], {"--kind": "正面", "--unit": "杨村", "--date": D, "--published": D}),
]

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
DATE_FORMATS = ["{:%Y-%m-%d}", "{:%Y/%m/%d}", "{d.year}.{d.month}.{d.day}", "{d.year}年{d.month}月{d.day}日"]


def _date_text(d: dt.date, fmt: str) -> str:
    return fmt.format(d, d=d) if "{:" in fmt else fmt.format(d=d)


values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=CJK, min_size=1, max_size=300),
    st.builds(_date_text, st.dates(), st.sampled_from(DATE_FORMATS)),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30, -(2**31) - 1]).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "-", "-1", "0", "--json", "杨", "街道", "一", "十一", "十", "%", "_", "\\", "'", '"',
                     "长期坚持", "立行立改", "6月底前", "年底前", "2017-02-29", "2017-13-01", "2017年6月底", "９", "１２",
                     "=1+1", "@SUM(A1)", "NULL", "None", "1e9", "0x10", "2147483648", "杨村街道 ", "\t", "\n"]),
)


@pytest.fixture
def seeded(district, register_url):
    district.ok("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12")
    district.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")
    district.ok("rule add 首问负责制度 --unit 杨村 --action 立 --issue 1")
    reg = Register(register_url)
    yield district, reg
    reg.engine.dispose()


def _argv(data, commands):
    name, args, options = data.draw(st.sampled_from(commands), label="command")
    argv = name.split()
    for a in args:
        argv.append(data.draw(values, label="arg") if data.draw(st.booleans()) else a)
    fuzzed = data.draw(st.sets(st.sampled_from(sorted(options)), max_size=len(options)) if options else st.just(set()))
    for opt, valid in options.items():
        if data.draw(st.booleans(), label=f"give {opt}") or opt in fuzzed:
            argv += [opt, data.draw(values, label=opt) if opt in fuzzed else valid]
    if data.draw(st.booleans(), label="--json"):
        argv.append("--json")
    return argv


def _check(zz, reg, argv):
    before = reg.snapshot()
    changes = len(before["change"])
    result = zz(argv)
    said = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (argv, result.exit_code, said[-2000:])
    assert "Traceback" not in said and "内部错误" not in said, (argv, said[-2000:])
    if result.exit_code != 0:
        assert reg.snapshot() == before, argv  # refused: not a row changed
        assert result.stderr.strip(), argv  # and said why
    else:
        assert reg.changes() in (changes, changes + 1), argv  # one command, at most one recorded change


@FUZZ
@given(data=st.data())
def test_daily_commands_never_crash_nor_half_write(seeded, data):
    zz, reg = seeded
    _check(zz, reg, _argv(data, DAILY))


@FUZZ
@given(data=st.data())
def test_supervision_commands_never_crash_nor_half_write(seeded, data):
    zz, reg = seeded
    _check(zz, reg, _argv(data, SUPERVISION))


@settings(FUZZ, max_examples=max(10, EXAMPLES // 2))
@given(text=st.text(min_size=1, max_size=60), owner=st.text(max_size=30))
def test_what_is_stored_is_what_comes_back(seeded, text, owner):
    zz, reg = seeded
    result = zz(["issue", "add", "--unit", "杨村", "--area", "6", "--owner", owner, "--json", "--", text])
    assert result.exit_code in (0, 1, 2), result.stderr
    if result.exit_code == 0:
        import json

        added = json.loads(result.stdout)
        shown = zz.json(["issue", "show", str(added["id"])])
        assert shown["description"] == text.replace("\r\n", "\n").strip()  # Windows line ends stored as \n (text.py)
        assert shown["owner"] == clean(owner, field="owner")  # the one set of text rules, nothing dropped silently


# ---- the importer: random cells, headers and bytes; and the round trip ----

cell_values = st.one_of(
    st.none(), values, st.integers(min_value=-(2**40), max_value=2**40), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.booleans(),
)
IMPORT = settings(FUZZ, max_examples=max(10, EXAMPLES // 2))


def _import_and_check(zz, reg, path, *extra):
    before = reg.snapshot()
    result = zz(["import", str(path), *extra])
    said = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), said[-2000:]
    assert "Traceback" not in said and "内部错误" not in said, said[-2000:]
    if result.exit_code != 0:
        assert reg.snapshot() == before  # a refused file imports nothing
        assert result.stderr.strip()
    return result


@IMPORT
@given(rows=st.lists(st.lists(cell_values, min_size=9, max_size=9), min_size=1, max_size=6))
def test_random_cells_are_imported_or_refused(seeded, tmp_path_factory, rows):
    from tests.workbooks import ISSUE_HEADERS, write_book

    zz, reg = seeded
    path = write_book(tmp_path_factory.mktemp("fuzz") / "cells.xlsx", unit="杨村街道",
                      sheets={"问题清单": (ISSUE_HEADERS, rows)})
    _import_and_check(zz, reg, path)


@IMPORT
@given(headers=st.lists(st.one_of(values, st.sampled_from(["序号", "问题描述", "存在问题", "整改措施", "整改时限", "单位", "责任人"])),
                        min_size=1, max_size=10),
       row=st.lists(cell_values, min_size=10, max_size=10))
def test_random_headers_are_imported_or_refused(seeded, tmp_path_factory, headers, row):
    from tests.workbooks import write_book

    zz, reg = seeded
    path = write_book(tmp_path_factory.mktemp("fuzz") / "headers.xlsx", unit="杨村街道",
                      sheets={"问题清单": (headers, [row[: len(headers)]])})
    _import_and_check(zz, reg, path, "--unit", "杨村")


@IMPORT
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".xlsx", ".csv", ".xls", ""]),
       prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", "序号,问题描述\n".encode("gbk")]))
def test_random_bytes_are_refused_cleanly(seeded, tmp_path_factory, data, suffix, prefix):
    zz, reg = seeded
    path = tmp_path_factory.mktemp("fuzz") / f"随机{suffix}"
    path.write_bytes(prefix + data)
    _import_and_check(zz, reg, path, "--unit", "杨村")


safe_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40)


@IMPORT
@given(rows=st.lists(st.tuples(safe_text, st.integers(1, 10), st.sampled_from(["自查", "征求意见", "督查", "上级反馈", "群众投诉"]),
                               st.dates(min_value=dt.date(2017, 1, 1), max_value=dt.date(2017, 12, 31)),
                               st.one_of(st.none(), safe_text), st.one_of(st.none(), st.dates(min_value=dt.date(2017, 1, 1),
                                                                                              max_value=dt.date(2018, 12, 31)),
                                                                          st.just("长期坚持"))),
                     min_size=1, max_size=8))
def test_imported_then_exported_reimports_equal(seeded, tmp_path_factory, rows):
    import json

    from tests.workbooks import AREAS, FIX_HEADERS, ISSUE_HEADERS, write_book

    zz, reg = seeded
    tmp = tmp_path_factory.mktemp("roundtrip")
    unit = f"往返测试单位{tmp.name}"  # a unit of its own per example: the register is shared between examples
    zz.ok(["unit", "add", unit, "--kind", "镇"])
    issues = [[i, AREAS[area - 1], source, None, text, found, None, owner, None]
              for i, (text, area, source, found, owner, _) in enumerate(rows, start=1)]
    fixes = [[i, i, f"整改{text}", None, owner, deadline, "整改中", None, None, None]
             for i, (text, _, _, _, owner, deadline) in enumerate(rows, start=1) if deadline is not None]
    sheets = {"问题清单": (ISSUE_HEADERS, issues)}
    if fixes:
        sheets["整改清单"] = (FIX_HEADERS, fixes)
    book = write_book(tmp / "book.xlsx", unit=unit, sheets=sheets)
    first = _import_and_check(zz, reg, book)
    if first.exit_code != 0:
        return  # refused with a reason (e.g. a description that is only spaces): nothing to round-trip
    listed = zz.json(["issue", "list", "--unit", unit])
    ledger = tmp / "ledger.xlsx"
    zz.ok(["export", "ledger", "-o", str(ledger), "--unit", unit])
    again = json.loads(zz.ok(["import", str(ledger), "--dry-run", "--json"]).stdout)
    assert again["new"] == 0 and again["updated"] == 0, again
    zz.ok(["import", str(ledger)])
    assert zz.json(["issue", "list", "--unit", unit]) == listed
