"""`zz undo` of a 100k-row import: the time a clerk waits, and the time every other writer waits
(undo holds the write lock throughout).

    python benchmarks/bench_undo.py [--rows 100000] [--repeat 3]

Each run: a fresh register, one unit, `zz import` of the workbook make_workbooks.py writes
(untimed), then `zz undo --yes` timed as its own process with /usr/bin/time; the median is
reported. The code measured is whatever `zz` imports: set PYTHONPATH=…/src to pick a tree.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from bench_import import fresh_register  # noqa: E402


def timed(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds user + system, peak MB): on a shared machine the CPU time is the
    steadier figure; the wall time is what the other clerks wait."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *cmd], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    wall, user, system, kb = out.stderr.strip().splitlines()[-1].split()
    return float(wall), round(float(user) + float(system), 2), int(kb) / 1024


def bench(rows: int, repeat: int, tmp: Path) -> dict:
    from make_workbooks import UNITS, write_issues

    path = tmp / f"issues_{rows}.xlsx"
    if not path.exists():
        write_issues(path, rows, unit=UNITS[0][0])
    runs = []
    for _ in range(repeat):
        env = fresh_register(tmp, "undo", UNITS[:1])
        env["ZZ_NO_PROMPT"] = "1"
        subprocess.run([str(BIN / "zz"), "import", str(path)], env=env, check=True, stdout=subprocess.DEVNULL)
        runs.append(timed([str(BIN / "zz"), "undo", "--yes"], env))
        left = subprocess.run([str(BIN / "zz"), "issue", "list", "--json"], env=env, capture_output=True, text=True)
        if json.loads(left.stdout):
            raise SystemExit("undo left rows behind")
    return {"rows": rows, "undo_s": statistics.median(r[0] for r in runs), "undo_cpu_s": statistics.median(r[1] for r in runs),
            "undo_mb": statistics.median(r[2] for r in runs), "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()) / "zzbench-undo")
    args = ap.parse_args()
    args.tmp.mkdir(parents=True, exist_ok=True)
    print(json.dumps({"undo": bench(args.rows, args.repeat, args.tmp)}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
