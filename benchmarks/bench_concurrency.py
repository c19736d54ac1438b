"""24 clerks × 50 entries each, at once, on SQLite and on PostgreSQL: records per second sustained.

    python benchmarks/bench_concurrency.py [--clerks 24] [--entries 50] [--runs 3] [--mode session|cli]
    ZZ_PG_DURABLE=1 bash .ci/with-postgres python benchmarks/bench_concurrency.py   # both backends

PostgreSQL is measured when ZZ_TEST_PG_URL names a server whose user may create databases
(`.ci/with-postgres` starts one on loopback); otherwise SQLite only.

Modes:
  session  each clerk is one process making its entries one transaction at a time through the
           same path a command takes (db.open_session → issues.add → audit → commit); the
           clock starts when every clerk has imported zz and is ready, so it measures the register.
  cli      each entry is a real `zz issue add` process (Python start-up included), as clerks type them.

Every run checks that nothing was lost: clerks × entries issues, 序号 1..n per unit, one audited change each.
Prints one line per run and the median per backend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNITS = ["杨村街道", "下朱庄街道", "梅厂镇", "区行政审批局"]


def worker(url: str, clerk: int, entries: int, ready: str, go: str) -> None:
    from zhengzhi_cli import issues
    from zhengzhi_cli.db import Settings, open_session

    settings = Settings(db=url, command=f"zz issue add (bench clerk {clerk})")
    with open_session(settings, write=False) as session:  # connect and check the schema before the clock
        session.connection()
    Path(ready).write_text("1")
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(entries):
        with open_session(settings) as session:
            issues.add(session, unit=UNITS[clerk % len(UNITS)], text=f"办事员{clerk}第{i}条：窗口办事拖沓", area=(i % 10) + 1,
                       owner=f"办事员{clerk}")
    for engine in settings._engines.values():
        engine.dispose()


def zz(url: str, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, ZZ_DB=url, ZZ_OPERATOR="压测", ZZ_NO_PROMPT="1")
    exe = Path(sys.executable).with_name("zz")
    argv = [str(exe)] if exe.exists() else [sys.executable, "-c", "from zhengzhi_cli.cli import main; main()"]
    return subprocess.run([*argv, *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def prepare(url: str) -> None:
    r = zz(url, "init")
    assert r.returncode == 0, r.stderr
    for name, kind in zip(UNITS, ["街道", "街道", "镇", "部门"]):
        r = zz(url, "unit", "add", name, "--kind", kind)
        assert r.returncode == 0, r.stderr


def run_session(url: str, clerks: int, entries: int, tmp: Path) -> float:
    go = tmp / "go"
    procs, readies = [], []
    for c in range(clerks):
        ready = tmp / f"ready{c}"
        readies.append(ready)
        procs.append(subprocess.Popen([sys.executable, __file__, "--worker", url, str(c), str(entries), str(ready), str(go)],
                                      env=dict(os.environ, ZZ_OPERATOR=f"办事员{c}")))
    while not all(r.exists() for r in readies):
        if any(p.poll() not in (None, 0) for p in procs):
            raise SystemExit("a clerk failed before the start")
        time.sleep(0.02)
    start = time.perf_counter()
    go.write_text("go")
    codes = [p.wait() for p in procs]
    elapsed = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"clerks failed: {codes}")
    return elapsed


def run_cli(url: str, clerks: int, entries: int, tmp: Path) -> float:
    script = (
        "import subprocess,sys\n"
        "for i in range(int(sys.argv[3])):\n"
        "    r = subprocess.run(sys.argv[4:] + ['issue','add',f'办事员{sys.argv[2]}第{i}条','--unit',sys.argv[1],'--area',str(i%10+1)])\n"
        "    if r.returncode: sys.exit(r.returncode)\n"
    )
    exe = Path(sys.executable).with_name("zz")
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", script, UNITS[c % len(UNITS)], str(c), str(entries), str(exe)],
                              env=dict(os.environ, ZZ_DB=url, ZZ_OPERATOR=f"办事员{c}", ZZ_NO_PROMPT="1"),
                              stdin=subprocess.DEVNULL)
             for c in range(clerks)]
    codes = [p.wait() for p in procs]
    elapsed = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"clerks failed: {codes}")
    return elapsed


def verify(url: str, clerks: int, entries: int) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT COUNT(*) FROM issue")).scalar_one()
        dup = conn.execute(sa.text("SELECT COUNT(*) FROM (SELECT unit_id, seq FROM issue GROUP BY unit_id, seq HAVING COUNT(*) > 1) d")).scalar_one()
        gaps = conn.execute(sa.text("SELECT COUNT(*) FROM (SELECT unit_id FROM issue GROUP BY unit_id HAVING MAX(seq) <> COUNT(*)) g")).scalar_one()
        changes = conn.execute(sa.text("SELECT COUNT(*) FROM change WHERE command LIKE '%issue add%'")).scalar_one()
    engine.dispose()
    assert n == clerks * entries, f"lost entries: {n} of {clerks * entries}"
    assert dup == 0 and gaps == 0, "序号 repeated or missing"
    assert changes == clerks * entries, f"audit trail: {changes}"


def backends() -> list[str]:
    out = ["sqlite"]
    if os.environ.get("ZZ_TEST_PG_URL"):
        out.append("postgresql")
    return out


def new_register(backend: str, tmp: Path, n: int) -> tuple[str, callable]:
    if backend == "sqlite":
        return str(tmp / f"bench{n}.db"), lambda: None
    sys.path.insert(0, str(ROOT))
    from tests import pg

    url = pg.empty_database(f"bench{n}")
    return url, lambda: pg.drop_database(url)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clerks", type=int, default=24)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mode", choices=["session", "cli"], default="session")
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = ap.parse_args()
    total = args.clerks * args.entries
    results = {}
    for backend in args.backend or backends():
        times = []
        for n in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="zz-bench-") as tmp:
                url, drop = new_register(backend, Path(tmp), n)
                try:
                    prepare(url)
                    runner = run_session if args.mode == "session" else run_cli
                    elapsed = runner(url, args.clerks, args.entries, Path(tmp))
                    verify(url, args.clerks, args.entries)
                finally:
                    drop()
            times.append(elapsed)
            print(f"{backend:10} run {n + 1}: {total} records by {args.clerks} clerks in {elapsed:.2f} s = {total / elapsed:.0f} records/s",
                  flush=True)
        med = statistics.median(times)
        results[backend] = total / med
        print(f"{backend:10} median: {med:.2f} s, {total / med:.0f} records/s (mode {args.mode}, nothing lost)", flush=True)
    print("summary: " + ", ".join(f"{b} {r:.0f} records/s" for b, r in results.items()))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        main()
