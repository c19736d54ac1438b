"""`zz import` of a 100k-row 问题清单 against a plain script (python-calamine + sqlite3
executemany into the same register table), and 1M rows in ten files in one process.

    python benchmarks/bench_import.py [--rows 100000] [--repeat 3] [--batch DIR]

Each run is a fresh process on a fresh register (units added before the clock starts);
wall time and peak RSS come from /usr/bin/time. Baseline and zz alternate, medians reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

BASELINE = r'''
import sqlite3, sys
from python_calamine import CalamineWorkbook
AREAS = ["政治意识", "纪律意识", "责任意识", "服务意识", "担当意识", "效能意识", "规矩意识", "为民意识", "亲商意识", "宣传意识"]
CHECKS = ["查政治纪律遵守情况", "查政令政策执行情况", "查政务服务开展情况", "查政府机关建设情况"]
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name("问题清单").to_python()
data = [(1, int(r[0]), AREAS.index(r[1]) + 1, r[2], CHECKS.index(r[3]) + 1 if r[3] else None, r[4], r[5].isoformat(),
         r[6], r[7], r[8] or None, "未整改", "2017-05-10") for r in rows[3:]]
conn = sqlite3.connect(sys.argv[2])
conn.execute("BEGIN")
conn.executemany("INSERT INTO issue (unit_id, seq, area, source, check_item, description, found_on, leader, owner, note, status, created_on)"
                 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", data)
conn.commit()
'''


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    seconds, kb = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def fresh_register(tmp: Path, name: str, units: list[tuple[str, str]]) -> dict:
    db = tmp / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    env = {**os.environ, "ZZ_DB": str(db), "ZZ_OPERATOR": "bench"}
    subprocess.run([str(BIN / "zz"), "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    for unit, code in units:
        subprocess.run([str(BIN / "zz"), "unit", "add", unit, "--kind", "镇" if unit.endswith("镇") else "街道", "--code", code],
                       env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def bench_100k(rows: int, repeat: int, tmp: Path) -> dict:
    from make_workbooks import UNITS, write_issues

    path = tmp / f"issues_{rows}.xlsx"
    if not path.exists():
        write_issues(path, rows, unit=UNITS[0][0])
    base, zz, zz_again = [], [], []
    for _ in range(repeat):
        env = fresh_register(tmp, "base", UNITS[:1])
        base.append(timed([sys.executable, "-c", BASELINE, str(path), env["ZZ_DB"]], env))
        env = fresh_register(tmp, "zz", UNITS[:1])
        zz.append(timed([str(BIN / "zz"), "import", str(path)], env))
        zz_again.append(timed([str(BIN / "zz"), "import", str(path)], env))  # every row unchanged
    med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
    return {"rows": rows, "baseline_s": med(base, 0), "baseline_mb": med(base, 1), "zz_import_s": med(zz, 0),
            "zz_import_mb": med(zz, 1), "zz_reimport_unchanged_s": med(zz_again, 0), "zz_reimport_mb": med(zz_again, 1),
            "ratio": round(med(zz, 0) / med(base, 0), 2), "runs": {"baseline": base, "zz": zz, "zz_again": zz_again}}


BATCH = r'''
import json, sys, resource
from pathlib import Path
from zhengzhi_cli.db import Settings
from zhengzhi_cli import workbook_import
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
out = []
settings = Settings(command="zz import (bench batch)")
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    r = workbook_import.import_files(settings, [path])[0]
    out.append({"file": path.name, "status": r["status"], "new": r.get("new"), "rss_mb": round(rss(), 1),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})
print(json.dumps(out))
'''


def bench_batch(batch: Path, tmp: Path) -> dict:
    from make_workbooks import UNITS

    env = fresh_register(tmp, "batch", UNITS[:10])
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-c", BATCH, str(batch)], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    seconds, kb = proc.stderr.strip().splitlines()[-1].split()
    return {"files": json.loads(proc.stdout), "seconds": float(seconds), "peak_mb": int(kb) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=Path, help="folder of ten 100k-row workbooks (make_workbooks.py --files 10)")
    ap.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()) / "zzbench")
    args = ap.parse_args()
    args.tmp.mkdir(parents=True, exist_ok=True)
    result = {"import": bench_100k(args.rows, args.repeat, args.tmp)}
    if args.batch:
        result["batch"] = bench_batch(args.batch, args.tmp)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
