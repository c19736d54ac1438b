"""Every command the app has, every option of it, fed hostile values (issue #10).

The command tree is walked from the Typer app itself (typer.main.get_command), so a command
another issue adds is fuzzed as soon as it exists. For each leaf command two passes run against
one small register that has a record of every kind:

- a sweep: each argument and option in turn gets the next hostile value while the others keep a
  valid one, so every option of every command meets hostile input on every run;
- hypothesis (derandomized, a few examples per command): any mix of omitted, valid and hostile
  values, and of flags.

Whatever comes in: exit 0, 1 or 2, never a traceback or an 内部错误, a refusal says why in
Chinese on stderr and leaves the register exactly as it was. The regression tests at the end
are the internal errors and hangs this fuzzer found, each pinned on its own.

ZZ_FUZZ_TRACE=FILE appends one line per command run (exit status, time, argv, stderr) to FILE;
ZZ_FUZZ_ALL_EXAMPLES sets the hypothesis examples per command (default 3).
"""

from __future__ import annotations

import os
import resource
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.zzcheck import CJK, Register, clean
from zhengzhi_cli.cli import app

D = "2017-06-20"
GBK = "张三街道".encode("gbk").decode("utf-8", "surrogateescape")  # what a GBK terminal puts in argv
DIGITS = "9" * 5000
# What each kind of slot is fed in the sweep, every value of its kind; text slots, which are most of
# them, take two of theirs in turn (the hypothesis pass mixes all of them everywhere).
HOSTILE = {
    "path": ["", "/", ".", "..", "/dev/null", "/dev/zero", "{tmp}", GBK, "[/]", "-"],
    "number": [DIGITS, "-" + DIGITS, "-1", "-2147483649", "1e999", "９"],
    "date": ["9999-12-31", "0001-01-01", DIGITS, "２０１７年６月３０日", "2017-02-29", GBK],
    "text": ["", "[/]", "[bold red]标记[/]", "\x1b]0;标题\x07\x1b[31m红", "\x01\x02\x08\x0b\x0c\x1f\x7f", "\t\r\n", GBK,
             DIGITS, "文" * 3000, "=HYPERLINK(\"x\")", "--json", "-1", "9999-12-31", "/dev/zero", " ", "１"],
}
EVERYTHING = sorted({v for values in HOSTILE.values() for v in values})
DATE_SLOTS = {"--date", "--as-of", "--found", "--due", "--published", "--since", "--filled-on", "--to", "--deadline",
              "--month"}

# A value each slot accepts, so that the other slots' hostile values reach past the first check.
VALID = {
    "--unit": "杨村", "--area": "6", "--source": "自查", "--check": "1", "--item": "1", "--status": "整改中",
    "--action": "立", "--measure": "批评教育",
    "--channel": "座谈会", "--from": "服务对象", "--count": "3", "--limit": "5", "--issue": "1", "--by": "张华",
    "--approver": "李", "--reason": "需协调", "--owner": "王", "--leader": "李", "--contact": "王", "--phone": "022-1234",
    "--note": "备注", "--text": "文字", "--task": "整改任务", "--title": "题目", "--person": "王某", "--position": "科员",
    "--top": "5", "--referral": None, "--what": "事迹", "--where": "区政府网站", "--topic": "办事慢", "--evidence": "照片",
    "--doc-no": "武政办〔2017〕1号", "--ref": "文件", "--result": "合格", "--code": "X9", "--parent": "杨村",
    "--name": "新名", "--map": "问题=问题描述", "--seed": "1", "--share": "0.5", "--year": "2017", "--finding": "窗口无人",
    "--duplicate-of": "1", "--kind": "镇", "--month": "2017-06", "--deadline": "2017-06-30", "--to": "2017-09-30", "--level": "销号核验", "--subject": "通报", "--set": "5",
}
PER_COMMAND = {  # (command, slot) → valid value where the slot's meaning depends on the command
    ("issue void", "--reason"): "重复", ("inspect add", "--kind"): "明察暗访", ("inspect edit", "--kind"): "明察暗访",
    ("inspect list", "--kind"): "明察暗访", ("case add", "--kind"): "正面", ("case edit", "--kind"): "正面",
    ("case list", "--kind"): "正面", ("unit list", "--kind"): "街道", ("recheck record", "--result"): "通过",
    ("unit show", "unit"): "杨村", ("unit edit", "unit"): "梅厂", ("milestone done", "unit"): "杨村",
    ("milestone done", "milestone"): "实施方案", ("doc vars", "kind"): "通报", ("docno", "--kind"): "通报",
    ("evidence open", "n"): "1", ("unit add", "name"): "新单位", ("evidence add", "--kind"): "整改后",
    ("rule edit", "--date"): None, ("unit edit", "--code"): None, ("bulletin", "--reason"): None,
    ("import", "files"): "{tmp}/台账.xlsx", ("opinion import", "file"): "{tmp}/意见.csv", ("restore", "file"): "{tmp}/备份.db",
    ("duban reply", "letter_id"): "1", ("issue void", "issue_id"): "2", ("evidence add", "files"): "{tmp}/照片.png",
    ("duban reply", "--date"): "2017-08-20",
}
OUTPUT = {"backup": ".db", "archive": ".zip", "bulletin": ".xlsx", "duban issue": "/"}
SKIPPED = {("restore", "--yes"), ("undo", "--yes")}  # never say yes to replacing or reverting for real


def _walk(cmd, path=()):
    if hasattr(cmd, "list_commands"):
        for name in cmd.list_commands(None):
            sub = cmd.get_command(None, name)
            if sub is not None:
                yield from _walk(sub, (*path, name))
    else:
        yield " ".join(path), cmd


# undo and restore last: they may take the register's records away from the commands after them
COMMANDS = sorted(_walk(typer.main.get_command(app)), key=lambda c: c[0] in ("undo", "restore"))


class Slot:
    """One argument or option of a command: how to give it a value, and which value is valid."""

    def __init__(self, command: str, param, tmp):
        self.flag = bool(getattr(param, "is_flag", False))
        self.option = param.param_type_name == "option"
        self.name = param.opts[0] if self.option else param.name
        self.required = bool(param.required) or not self.option
        self.many = getattr(param, "nargs", 1) == -1
        self.valid = self._valid(command, tmp)
        annotation = str(param.type_descriptor.annotation)
        self.kind = ("path" if "Path" in annotation else "number" if "int" in annotation or "float" in annotation
                     else "date" if self.name in DATE_SLOTS else "text")

    def hostile(self, n: int, tmp) -> list[str]:
        values = HOSTILE[self.kind]
        if self.kind == "text":
            values = [values[(n + i) % len(values)] for i in range(2)]
        return [str(tmp) if v == "{tmp}" else v for v in values]

    def _valid(self, command, tmp):
        key = (command, self.name)
        if key in PER_COMMAND:
            value = PER_COMMAND[key]
            return value.replace("{tmp}", str(tmp)) if value else value
        if self.flag:
            return self.name == "--force"  # an earlier run's output is there: replace it
        if self.name == "-o":
            suffix = OUTPUT.get(command, ".docx" if command in ("report summary",) else ".xlsx")
            return str(tmp) + "/" if suffix == "/" else str(tmp / f"输出{suffix}")
        if self.name in DATE_SLOTS and self.name not in VALID:
            return D
        if self.name in VALID:
            return VALID[self.name]
        if self.name.endswith("_id") or self.name.endswith("_ids"):
            return "1"
        if self.name in ("file", "files"):
            return str(tmp / "单位.csv")
        if self.name in ("--plan", "--template", "--out", "--unmap"):
            return None  # no valid value worth the time: omitted unless fuzzed
        return "文字"

    def words(self, value) -> list[str]:
        if self.flag:
            return [self.name] if value else []
        if value is None:
            return []
        return [self.name, value] if self.option else ["--", value] if value.startswith("-") else [value]


def _slots(command, cmd, tmp):
    return [s for s in (Slot(command, p, tmp) for p in cmd.params) if (command, s.name) not in SKIPPED]


def _argv(command, slots, values) -> list[str]:
    """Options first, then the positional arguments (a `--` before the first that looks like one)."""
    opts, args = [], []
    for slot, value in zip(slots, values):
        (opts if slot.option else args).append(slot.words(value))
    argv = command.split() + [w for o in opts for w in o]
    positional = [w for a in args for w in a if w != "--"]
    if any(w.startswith("-") for w in positional):
        argv.append("--")
    return argv + positional


class Hang(BaseException):
    """A command that does not come back is a defect too (it would hang a clerk's terminal)."""


def _alarm(signum, frame):
    raise Hang()


SECONDS = 20


def _check(zz, reg, argv):
    before = reg.snapshot()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS)
    start = time.monotonic()
    try:
        result = zz(argv)
    except Hang:
        pytest.fail(f"zz {argv!r} did not finish within {SECONDS} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    shown = (argv, result.exit_code, (result.stdout + result.stderr)[-1500:])
    if os.environ.get("ZZ_FUZZ_TRACE"):
        print(f"{result.exit_code} {time.monotonic() - start:.2f}s {[a[:30] for a in argv]} {result.stderr.strip()[:150]!r}",
              file=open(os.environ["ZZ_FUZZ_TRACE"], "a"))
    assert result.exit_code in (0, 1, 2), shown
    clean(result)
    if result.exit_code != 0:
        assert CJK.search(result.stderr), shown  # said why, in Chinese
        assert reg.snapshot() == before, ("refused but wrote", *shown)
    return time.monotonic() - start


@pytest.fixture
def memory_bound():
    """A command that reads /dev/zero to the end must fail here, not take the machine's memory
    (the first run of this fuzzer did, 24 GB): the soft address-space limit is what the process
    uses now plus 4 GB; a MemoryError then shows up as an internal error, i.e. a failed test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as fh:
        vm = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    bound = vm + (4 << 30)
    if hard != resource.RLIM_INFINITY:
        bound = min(bound, hard)
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def every_kind(district, register_url, tmp_path, memory_bound):
    """A small district with one record of every kind (issue, fix, rule, check, inspection,
    accountability, opinion, case, milestone, evidence), so that id 1 names something everywhere."""
    zz = district
    for line in ("issue add 窗口办事拖沓 --unit 杨村 --area 6 --owner 王明 --found 2017-04-12",
                 "issue add 窗口办事推诿 --unit 梅厂 --area 6 --found 2017-04-13",
                 "fix add 1 推行首问负责制 --deadline 2017-06-30",
                 "fix add 1 公开办事流程 --deadline 2017-05-30",
                 "fix done 2 --date 2017-05-20",
                 "rule add 首问负责制度 --unit 杨村 --action 立 --issue 1",
                 "check add --unit 杨村 --item 1 --date 2017-04-10",
                 "inspect add --unit 杨村 --kind 明察暗访 --date 2017-05-10 --by 督查组",
                 "accountability add 王某 --unit 杨村 --measure 批评教育 --date 2017-05-12 --issue 1",
                 "opinion add 办事慢 --unit 杨村 --channel 座谈会 --from 服务对象",
                 "case add 窗口服务标兵 --kind 正面 --unit 杨村 --date 2017-05-15",
                 "milestone done 杨村 实施方案 --date 2017-04-01"):
        zz.ok(line)
    (tmp_path / "单位.csv").write_text("单位名称,单位类型\n大良镇,镇\n", encoding="utf-8")
    (tmp_path / "意见.csv").write_text("意见内容,征求方式,意见来源,日期\n办事慢,座谈会,服务对象,2017-05-02\n", encoding="utf-8")
    (tmp_path / "督办").mkdir()
    for line in (f"export ledger -o {tmp_path}/台账.xlsx", f"backup -o {tmp_path}/备份.db",
                 f"duban issue --as-of 2017-08-15 -o {tmp_path}/督办"):
        zz.ok(line)
    (tmp_path / "照片.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    zz(["evidence", "add", "1", str(tmp_path / "照片.png")], env={"ZZ_EVIDENCE_DIR": str(tmp_path / "evidence")})
    reg = Register(register_url)
    yield zz, reg, tmp_path
    reg.engine.dispose()


def test_the_walk_reaches_every_command():
    names = {c for c, _ in COMMANDS}
    assert len(names) >= 80, len(names)
    for expected in ("backup", "restore", "demo", "evidence open", "duban reply", "recheck record", "doc vars",
                     "opinion publish", "inspect finding", "db check", "undo"):
        assert expected in names


@pytest.mark.slow
def test_every_option_of_every_command_meets_hostile_values(every_kind, monkeypatch):
    """The sweep: slot by slot, each command's arguments and options get hostile values in turn."""
    zz, reg, tmp = every_kind
    monkeypatch.setenv("ZZ_EVIDENCE_DIR", str(tmp / "evidence"))
    n = 0
    for command, cmd in COMMANDS:
        slots = _slots(command, cmd, tmp)
        for k, slot in enumerate(slots):
            for bad in [not slot.valid] if slot.flag else slot.hostile(n, tmp):
                values = [s.valid for s in slots]
                values[k] = bad
                n += 1
                _check(zz, reg, _argv(command, slots, values))
    assert n > 1000, n  # about 1,300 commands: ~40 s of CPU  # every slot of every command was given something hostile


@pytest.mark.parametrize("part", [0, 1], ids=["first-half", "second-half"])
def test_any_mix_of_values_on_every_command(every_kind, monkeypatch, part):
    """Hypothesis: a few derandomized examples per command; any slot omitted, valid or hostile."""
    zz, reg, tmp = every_kind
    monkeypatch.setenv("ZZ_EVIDENCE_DIR", str(tmp / "evidence"))
    hostile = st.sampled_from(EVERYTHING).map(lambda v: str(tmp) if v == "{tmp}" else v) | st.text(max_size=12)
    commands = COMMANDS[part::2]

    for command, cmd in commands:
        slots = _slots(command, cmd, tmp)

        def value(slot):
            if slot.flag:
                return st.booleans()
            choices = [st.just(slot.valid), hostile]
            if not slot.required:
                choices.append(st.none())
            return st.one_of(*choices)

        @settings(max_examples=int(os.environ.get("ZZ_FUZZ_ALL_EXAMPLES", "3")), derandomize=True, database=None,
                  deadline=None, suppress_health_check=list(HealthCheck))
        @given(values=st.tuples(*(value(s) for s in slots)))
        def one(values):
            _check(zz, reg, _argv(command, slots, list(values)))

        one()


# ---- what the fuzzer found, each pinned on its own ----

def _bounded(register_url, *args, timeout=60):
    """`zz …` as a real process with 2 GB of address space and a time limit: a regression fails
    the test, it does not hang the suite or starve the machine."""
    from tests import procs

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([*procs.zz_argv(), *args], env=procs.env_for(register_url), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, preexec_fn=limit)


@pytest.mark.parametrize("plan", ["/dev/zero", "/dev/null", "big"])
def test_init_plan_reads_only_a_plan_sized_regular_file(zz, register_url, tmp_path, plan):
    """`zz init --plan /dev/zero` read the device to the end (24 GB before the OOM killer), and
    a 2 MB file was read whole before being found not to be a plan."""
    if plan == "big":
        plan = tmp_path / "方案.toml"
        plan.write_text("# 方案\n" + "#" * (2 << 20), encoding="utf-8")
    try:
        result = _bounded(register_url, "init", "--plan", str(plan), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"zz init --plan {plan} did not finish within 30 s")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, result.stderr
    assert "方案文件" in result.stderr and ("不是普通文件" in result.stderr or "超过 1 MB" in result.stderr), result.stderr


# ---- .xls: read before calamine builds it (error cells, real extent) ----

BOOKS = Path(__file__).parent / "fixtures" / "hostile_books"
CORPUS = Path(__file__).parent / "corpus" / "built"


def test_xls_error_cells_are_named_not_blank(district):
    """calamine reads an .xls error cell as ''; the #DIV/0! in 发现日期 was taken for a blank date
    and only the blank 问题描述 cells were reported, as “（空白）”."""
    from tests.zzcheck import refused
    from zhengzhi_cli.excel.files import CellError, read_any

    sheet = read_any(BOOKS / "错误值.xls")[0]
    assert (sheet.rows[1][3], sheet.rows[2][4], sheet.rows[3][3]) == ("#REF!", "#DIV/0!", "#N/A")
    assert all(type(sheet.rows[r][c]) is CellError for r, c in ((1, 3), (2, 4), (3, 3)))
    r = refused(district, ["import", BOOKS / "错误值.xls", "--unit", "杨村"], "错误值.xls", "#REF!", "#DIV/0!", "#N/A")
    assert "第 3 行“发现日期”列" in r.stderr and "（空白）" not in r.stderr, r.stderr


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xls")) + sorted(BOOKS.glob("*.xls")), ids=lambda p: p.name)
def test_the_biff_reader_agrees_with_calamine(path):
    """The small BIFF reader finds each worksheet's extent exactly as calamine builds it (both the
    mini-stream and the FAT-chained Workbook streams are among these files)."""
    from python_calamine import CalamineWorkbook

    from zhengzhi_cli.excel.files import xls_facts

    wb = CalamineWorkbook.from_path(str(path))
    sheets = [wb.get_sheet_by_name(n) for n in wb.sheet_names]
    assert [(f.name, f.rows, f.cols) for f in xls_facts(path)] == [
        (s.name, s.total_height + 1, s.total_width + 1) for s in sheets]


def _far_cell_xls(tmp_path: Path, row: int, col: int) -> Path:
    data = bytearray((BOOKS / "杨村街道_问题清单.xls").read_bytes())
    at = data.find(b"\xfd\x00\x0a\x00")  # the first LABELSST record, moved to (row, col)
    data[at + 4: at + 8] = struct.pack("<HH", row, col)
    path = tmp_path / f"远_{row}_{col}.xls"
    path.write_bytes(data)
    return path


def test_a_far_xls_cell_is_refused_before_calamine_builds_the_sheet(district, tmp_path, register_url):
    """A single cell at IV65536: calamine built the 65536 × 256 sheet (1.06 GB in the child) before
    its size was checked. Now refused from the BIFF records: the reader's child never starts, and
    the whole import stays under 300 MB."""
    from tests import procs

    path = _far_cell_xls(tmp_path, 65535, 255)
    # a fresh process runs zz and reports the largest resident size among its descendants
    # (this test process's own RUSAGE_CHILDREN would count every earlier test's children)
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True, stdin=subprocess.DEVNULL)\n"
             "sys.stderr.write(r.stderr)\n"
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n")
    done = subprocess.run([sys.executable, "-c", probe, *procs.zz_argv(), "import", str(path), "--unit", "杨村"],
                          env=procs.env_for(register_url), capture_output=True, text=True, timeout=120)
    status, peak_mb = map(int, done.stdout.split())
    assert status == 1 and "65536 行 × 256 列" in done.stderr, done.stderr
    assert peak_mb < 300, peak_mb  # before: 1,035 MB


def test_an_undamaged_but_unusual_xls_is_left_to_calamine(tmp_path):
    """What the BIFF reader cannot follow (here: a broken sector chain) is no refusal of its own."""
    from zhengzhi_cli.excel.files import xls_facts

    data = bytearray((BOOKS / "杨村街道_问题清单.xls").read_bytes())
    data[0x30:0x34] = struct.pack("<I", 0xFFFFFF00)  # the directory's first sector: past the end
    path = tmp_path / "怪.xls"
    path.write_bytes(data)
    assert xls_facts(path) is None


def test_formatted_blank_cells_do_not_count_toward_the_extent(tmp_path):
    """LibreOffice writes a thousand BLANK records below the data of a big sheet; calamine leaves
    them out of what it builds, and so does the extent check (a sheet of 60,000 rows read as
    61,001 before this was seen)."""
    from zhengzhi_cli.excel.files import read_any, xls_facts

    data = bytearray((BOOKS / "杨村街道_问题清单.xls").read_bytes())
    at = data.find(b"\xfd\x00\x0a\x00")  # a LABELSST made a BLANK (same length) at IV65536
    data[at: at + 2] = struct.pack("<H", 0x0201)
    data[at + 4: at + 8] = struct.pack("<HH", 65535, 255)
    path = tmp_path / "空白格.xls"
    path.write_bytes(data)
    assert [(f.rows, f.cols) for f in xls_facts(path)] == [(5, 9)]
    assert len(read_any(path)[0].rows) == 5


@pytest.mark.parametrize("value", ["-1", "-2147483649"])
def test_log_limit_below_zero_is_a_usage_error(zz, value):
    """PostgreSQL refuses LIMIT -1 (DataError, an internal error here); SQLite took it as no limit.
    Found by the sweep on PostgreSQL: `--limit` of zz log takes 0 or more, as every list's does."""
    result = zz(["log", "--limit", value])
    assert result.exit_code == 2, result.stderr
    assert "内部错误" not in result.stderr and CJK.search(result.stderr), result.stderr
