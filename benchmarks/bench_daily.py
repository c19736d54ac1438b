"""The clerk's daily path, timed (run by hand, not in tests):

    python benchmarks/bench_daily.py [--issues 100000] [--runs 15] [--entries 30]

Builds a register of N issues (raw SQL for speed), then reports medians of repeated,
interleaved runs:
  * `zz issue add` on it vs `python -c "import typer, sqlmodel"`   target ≤ 1.3×
  * `zz --help` and a Tab completion vs `python -c "import typer"`  target ≤ 2.5×
  * the interactive entry loop, per entry after the first            target < 50 ms
and lists what `zz issue add` imports beyond typer + sqlmodel (nothing heavy allowed).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import select
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
ZZ = str(Path(PY).with_name("zz"))
FORBIDDEN = ("openpyxl", "xlsxwriter", "python_calamine", "rich", "markdown_it", "zhengzhi_cli.reports",
             "zhengzhi_cli.excel", "zhengzhi_cli.transfer", "zhengzhi_cli.workbook_import")


def build(db: Path, n: int) -> None:
    env = {**os.environ, "ZZ_DB": str(db)}
    subprocess.run([ZZ, "init"], env=env, check=True, capture_output=True)
    units = [("杨村街道", "街道", "120114001"), ("下朱庄街道", "街道", "120114002"), ("梅厂镇", "镇", "120114101"),
             ("大良镇", "镇", "120114102"), ("区行政审批局", "部门", "D13")]
    for name, kind, code in units:
        subprocess.run([ZZ, "unit", "add", name, "--kind", kind, "--code", code], env=env, check=True, capture_output=True)
    conn = sqlite3.connect(db)
    unit_ids = [r[0] for r in conn.execute("SELECT id FROM unit")]
    rnd = random.Random(7)
    statuses = ["未整改", "整改中", "已整改", "已销号"]
    fix_status = {"未整改": "未开始", "整改中": "整改中", "已整改": "已完成", "已销号": "已销号"}
    seq = {u: 0 for u in unit_ids}
    issues, fixes = [], []
    for i in range(1, n + 1):
        u = rnd.choice(unit_ids)
        seq[u] += 1
        st = rnd.choice(statuses)
        found = f"2017-{rnd.randint(4, 6):02d}-{rnd.randint(1, 28):02d}"
        issues.append((i, u, seq[u], rnd.randint(1, 10), "自查", f"问题描述{i}：办事拖沓，群众反映强烈", found, "李强", "王明", st, found))
        fixes.append((i, i, u, seq[u], f"整改措施{i}", f"2017-{rnd.randint(6, 9):02d}-30", 0, 0, "王明", "李强", fix_status[st], found))
    conn.executemany("INSERT INTO issue (id, unit_id, seq, area, source, description, found_on, leader, owner, status, created_on)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?)", issues)
    conn.executemany("INSERT INTO fix (id, issue_id, unit_id, seq, task, deadline, ongoing, on_the_spot, owner, leader, status, created_on)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", fixes)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def measure(db: Path, runs: int) -> dict[str, list[float]]:
    env = {**os.environ, "ZZ_DB": str(db), "ZZ_OPERATOR": "bench"}
    complete_env = {**env, "_ZZ_COMPLETE": "complete_bash", "COMP_WORDS": "zz issue add --unit 杨", "COMP_CWORD": "4"}
    cases = {
        "import typer, sqlmodel": ([PY, "-c", "import typer, sqlmodel"], env),
        "zz issue add": ([ZZ, "issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "效能意识"], env),
        "import typer": ([PY, "-c", "import typer"], env),
        "zz --help": ([ZZ, "--help"], env),
        "Tab completion (--unit 杨)": ([ZZ], complete_env),
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    for cmd, e in cases.values():  # warm the OS cache once
        timed(cmd, e)
    for _ in range(runs):
        for name, (cmd, e) in cases.items():  # interleaved, so load changes hit all alike
            times[name].append(timed(cmd, e))
    return times


def entry_loop(db: Path, entries: int) -> list[float]:
    """Seconds from the last answer of an entry to its confirmation, per entry."""
    env = {k: v for k, v in os.environ.items() if k != "ZZ_NO_PROMPT"}
    env.update(ZZ_DB=str(db), ZZ_OPERATOR="bench")
    master, slave = os.openpty()
    proc = subprocess.Popen([ZZ, "issue", "add"], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    buf = b""

    def expect(token: bytes) -> None:
        nonlocal buf
        while token not in buf:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                raise RuntimeError(f"timeout waiting for {token!r}: {buf[-300:]!r}")
            buf += os.read(master, 65536)
        buf = buf.split(token, 1)[1]

    out = []
    for i in range(entries):
        expect("单位".encode())
        os.write(master, "杨村街道\n".encode())
        expect("问题描述:".encode())
        os.write(master, f"录入测试问题{i}\n".encode())
        expect("整治重点:".encode())
        os.write(master, "6\n".encode())
        expect("问题来源".encode())
        os.write(master, b"\n")
        expect("责任人:".encode())
        t = time.perf_counter()
        os.write(master, "王明\n".encode())
        expect("已登记问题".encode())
        out.append(time.perf_counter() - t)
    os.write(master, b"\x04")
    proc.wait(timeout=30)
    os.close(master)
    return out


def imports_of_issue_add(db: Path) -> tuple[list[str], list[str]]:
    env = {**os.environ, "ZZ_DB": str(db)}

    def modules(cmd):
        err = subprocess.run([PY, "-X", "importtime", *cmd], env=env, capture_output=True, text=True).stderr
        return [m.group(1).strip() for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s+(.+)$", err, re.M)]

    base = set(modules(["-c", "import typer, sqlmodel"]))
    ours = modules([ZZ, "issue", "add", "导入检查", "--unit", "杨村", "--area", "6"])
    extra = [m for m in ours if m not in base]
    bad = [m for m in ours if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    return extra, bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--issues", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--entries", type=int, default=30)
    ap.add_argument("--db", help="reuse this register instead of building one")
    args = ap.parse_args()
    # Measure as a clerk's install runs: with compiled bytecode. A shell with
    # PYTHONDONTWRITEBYTECODE set recompiles zz's own modules on every run (~20 ms) while
    # the baseline's site-packages ship compiled, which would not compare like with like.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import compileall
    import zhengzhi_cli

    compileall.compile_dir(os.path.dirname(zhengzhi_cli.__file__), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if not args.db:
            t = time.perf_counter()
            build(db, args.issues)
            print(f"register of {args.issues:,} issues + fixes built in {time.perf_counter() - t:.1f} s ({db.stat().st_size // 2**20} MB)")
        times = measure(db, args.runs)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"\nmedians of {args.runs} interleaved runs:")
        for name, m in med.items():
            print(f"  {name:30s} {m * 1000:7.0f} ms   (min {min(times[name]) * 1000:.0f}, max {max(times[name]) * 1000:.0f})")
        r1 = med["zz issue add"] / med["import typer, sqlmodel"]
        r2 = med["zz --help"] / med["import typer"]
        r3 = med["Tab completion (--unit 杨)"] / med["import typer"]
        print(f"\n  zz issue add / import typer,sqlmodel = {r1:.2f}×  (target ≤ 1.3×) {'OK' if r1 <= 1.3 else 'MISSED'}")
        print(f"  zz --help / import typer            = {r2:.2f}×  (target ≤ 2.5×) {'OK' if r2 <= 2.5 else 'MISSED'}")
        print(f"  Tab completion / import typer       = {r3:.2f}×  (target ≤ 2.5×) {'OK' if r3 <= 2.5 else 'MISSED'}")
        loop = entry_loop(db, args.entries)
        later = statistics.median(loop[1:])
        print(f"\n  entry loop: first entry {loop[0] * 1000:.0f} ms, later entries median {later * 1000:.1f} ms "
              f"(max {max(loop[1:]) * 1000:.1f})  (target < 50 ms) {'OK' if later < 0.05 else 'MISSED'}")
        extra, bad = imports_of_issue_add(db)
        print(f"\n  `zz issue add` imports {len(extra)} modules beyond typer + sqlmodel; forbidden among them: {bad or 'none'}")
        tops = sorted({m.split('.')[0] for m in extra})
        print(f"  their packages: {', '.join(tops)}")


if __name__ == "__main__":
    main()
