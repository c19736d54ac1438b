"""`zz evidence add` of 1,000 distinct files of 1 MB each: the wall time a clerk waits.

    python benchmarks/bench_evidence.py [--files 1000] [--mb 1] [--batch 1000]

A fresh SQLite register with one fix; the files (a PDF header and random bytes, so no two are
alike) are written first, untimed, then added by `zz evidence add FIX FILE…`, --batch files per
command, each command its own process. Every stored file is written to a temporary file, hashed,
fsynced and renamed. Then `zz evidence verify --all` (re-hashing everything) is timed too. The
code measured is whatever `zz` imports: set PYTHONPATH=…/src to pick a tree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZZ = [sys.executable, "-c", "from zhengzhi_cli.cli import main; main()"]


def run(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    out = subprocess.run(ZZ + args, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"failed: zz {' '.join(args[:4])} …\n{out.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--batch", type=int, default=1000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="zz-bench-evidence-") as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "ZZ_DB": str(tmp / "zz.db"), "ZZ_NO_PROMPT": "1", "ZZ_OPERATOR": "bench"}
        run(["init"], env)
        run(["unit", "add", "杨村街道", "--kind", "街道"], env)
        run(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--found", "2017-04-12"], env)
        run(["fix", "add", "1", "推行首问负责制", "--deadline", "2017-06-30"], env)
        size = int(a.mb * (1 << 20))
        files = []
        for i in range(a.files):
            p = tmp / "in" / f"佐证{i:04d}.pdf"
            p.parent.mkdir(exist_ok=True)
            p.write_bytes(b"%PDF-1.4\n" + os.urandom(size - 9))
            files.append(str(p))
        add = sum(run(["evidence", "add", "1", *files[i:i + a.batch], "--kind", "整改后"], env)
                  for i in range(0, len(files), a.batch))
        verify = run(["evidence", "verify", "--all"], env)
        stored = sum(1 for _ in (tmp / "zz.db.evidence").glob("*/*"))
        print(json.dumps({"files": a.files, "mb_each": a.mb, "batch": a.batch, "add_seconds": round(add, 1),
                          "mb_per_second": round(a.files * a.mb / add, 1), "verify_seconds": round(verify, 1),
                          "stored_files": stored}, ensure_ascii=False))


if __name__ == "__main__":
    main()
