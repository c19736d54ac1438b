"""Times `zz report monthly` (the whole command, as a clerk runs it) on a 100k- and a 1M-issue
register, and prints medians and their ratio. Registers are built with make_register.py
when missing (the 1M one takes about two minutes and ~700 MB).

    python benchmarks/bench_report.py                  # 100k and 1M in /tmp/zz-bench
    python benchmarks/bench_report.py --sizes 100000 --runs 3

Goal (issue 4): at most 3 s on 1M issues, and at most 3× the 100k time.
The register's "today" is 2017-11-05; the report is October's (the usual case: last month's
report a few days into the next), and June's (a report for an old month) for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def timed(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description="报表测速")
    ap.add_argument("--dir", default="/tmp/zz-bench")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--zz", default=str(Path(sys.executable).with_name("zz")))
    args = ap.parse_args()
    from make_register import build

    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in (int(x) for x in args.sizes.split(",")):
        db = out / f"register-{n}.db"
        if not db.exists():
            print(f"生成 {n:,} 条问题的登记簿 …", file=sys.stderr)
            build(f"sqlite:///{db}", issues=n, quiet=True)
        base = [args.zz, "--db", str(db), "report", "monthly"]
        subprocess.run(base + ["--month", "2017-10", "--json"], check=True, stdout=subprocess.DEVNULL)  # warm the cache
        # --force: every run after the first replaces the workbook the one before wrote (-o never overwrites otherwise)
        row = {
            "10月 -o xlsx": timed(base + ["--month", "2017-10", "-o", str(out / f"monthly-{n}.xlsx"), "--force"], args.runs),
            "10月 --json": timed(base + ["--month", "2017-10", "--json"], args.runs),
            "6月 -o xlsx": timed(base + ["--month", "2017-06", "-o", str(out / f"monthly-06-{n}.xlsx"), "--force"], args.runs),
        }
        results[n] = row
        print(f"{n:>9,} 条问题：" + "，".join(f"{k} {v:.2f} 秒" for k, v in row.items()))
    sizes = sorted(results)
    if len(sizes) >= 2:
        small, big = results[sizes[0]], results[sizes[-1]]
        print("倍数（大/小）：" + "，".join(f"{k} {big[k] / small[k]:.2f}×" for k in small))


if __name__ == "__main__":
    main()
