"""Helpers the feature tests share (tests never import each other): assertions — a refusal exits with its status, says why in Chinese,
shows no traceback, and writes nothing (the audit trail and the row counts are unchanged)."""

from __future__ import annotations

import os
import re
import select
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from tests import procs
from zhengzhi_cli.excel.files import CellError

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


ZZ = Path(sys.executable).with_name("zz")


class Terminal:
    """The real `zz` in a pty, as a clerk types at it: `expect` what it prints, `send` a line."""

    def __init__(self, args, env):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen([str(ZZ), *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 20) -> str:
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited for “{text}”, got:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"zz ended before “{text}”:\n{self.seen}")
                self.seen += chunk.decode("utf-8", "replace")
        before, _, self.seen = self.seen.partition(text)
        return before

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode("utf-8"))

    def close(self) -> int:
        try:
            return self.proc.wait(timeout=20)
        finally:
            os.close(self.master)


# ---- workbooks written with openpyxl (zz import's tests) ----

ISSUE_HEADERS = ["序号", "整治重点", "问题来源", "四查四看", "问题描述", "发现日期", "责任领导", "责任人", "备注"]

FIX_HEADERS = ["序号", "问题序号", "整改任务及措施", "责任领导", "责任人", "整改时限", "整改状态", "完成日期", "整改成效", "备注"]

RULE_HEADERS = ["序号", "制度名称", "立改废", "问题序号", "计划完成时间", "状态", "文号", "备注"]


def book(path: Path, sheets: dict, *, top: list[list] | None = None) -> Path:
    """A workbook written with openpyxl: lines above the header, then the header and rows."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (headers, rows) in sheets.items():
        ws = wb.create_sheet(name)
        for line in top if top is not None else [["作风纪律专项整治"], ["填报单位：杨村街道", None, None, "填报日期：2017年5月10日"]]:
            ws.append(line)
        ws.append(headers)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def issues_of(zz, unit=None):
    return zz.json(["issue", "list"] + (["--unit", unit] if unit else []))


# ---- hand-written .xlsx parts (hostile workbooks) ----

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

HEADER = ["序号", "整治重点", "问题来源", "四查四看", "问题描述", "发现日期", "责任领导", "责任人", "备注"]


def _cell(ref: str, value) -> str:
    if isinstance(value, CellError):
        return f'<c r="{ref}" t="e"><f>1/0</f><v>{value}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _col(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_xml(rows: list[list] | None = None, *, cells: str = "", extra: str = "", dimension: str | None = None,
              prolog: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>') -> str:
    body = "".join(f'<row r="{r}">' + "".join(_cell(f"{_col(c)}{r}", v) for c, v in enumerate(row, 1) if v is not None)
                   + "</row>" for r, row in enumerate(rows or [], 1))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{prolog}<worksheet xmlns="{MAIN}">{dim}<sheetData>{body}{cells}</sheetData>{extra}</worksheet>'


def xlsx(path: Path, sheet: str, *, parts: dict | None = None, target: str = "worksheets/sheet1.xml") -> Path:
    """A minimal but complete .xlsx with one sheet 问题清单 whose XML is `sheet` (at `target`,
    relative to xl/ as the workbook's relationships give it)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                    '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
                    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
        zf.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                    f'2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                    '</Relationships>')
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                    '<sheet name="问题清单" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                    f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" '
                    f'Target="{target}"/></Relationships>')
        zf.writestr(target[1:] if target.startswith("/") else f"xl/{target}", sheet)
        for name, data in (parts or {}).items():
            zf.writestr(name, data)
    return path


def issues(*rows: list) -> list[list]:
    return [["填报单位：杨村街道"], HEADER, *rows]


# ---- property tests: hypothesis settings and the register's every row ----

EXAMPLES = int(os.environ.get("ZZ_FUZZ_EXAMPLES", "40"))

FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class Register:
    """The register's every row, read cheaply through the models' tables."""

    def __init__(self, url: str):
        from sqlmodel import SQLModel

        from zhengzhi_cli import models

        models.load_all()
        self.engine = sa.create_engine(procs.sa_url(url))
        self.tables = sorted(SQLModel.metadata.tables.values(), key=lambda t: t.name)

    def snapshot(self) -> dict:
        with self.engine.connect() as conn:
            return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr) for t in self.tables}

    def changes(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM change")).scalar_one()


def verified_fixes(zz, n_per_unit: int):
    """杨村 and 梅厂, each with n verified fixes (owner 王明, done 2017-06-20, verified by 张华 on
    2017-06-21, deadline 2017-06-30): the closed items a 回头看 or an archive starts from."""
    zz.ok("unit add 杨村街道 --kind 街道")
    zz.ok("unit add 梅厂镇 --kind 镇")
    for unit in ("杨村", "梅厂"):
        for i in range(n_per_unit):
            issue = zz.json(["issue", "add", f"问题{i}", "--unit", unit, "--area", "6", "--owner", "王明", "--found", "2017-04-12"])
            f = zz.json(["fix", "add", str(issue["id"]), f"整改{i}", "--deadline", "2017-06-30"])
            zz.ok(["fix", "done", str(f["id"]), "--date", "2017-06-20"])
            zz.ok(["fix", "verify", str(f["id"]), "--by", "张华", "--date", "2017-06-21"])
    return zz
