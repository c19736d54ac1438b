"""PostgreSQL against SQLite for the two bulk paths of issue 6:

* `zz import` of a 100k-row 问题清单 (fresh register each run, units added first);
* `zz report monthly` (last month, `-o xlsx` and `--json`) on a 1M-issue register.

Run under a PostgreSQL server (ZZ_TEST_PG_URL names a user that may create databases):

    ZZ_PG_DURABLE=1 bash .ci/with-postgres python benchmarks/bench_postgres.py [--runs 3] [--issues 1000000]

The SQLite side uses the same workbook and the same generated register (make_register.py,
same seed). Medians of --runs, whole commands as a clerk runs them. Targets: import on
PostgreSQL within 3× its SQLite time; the 1M monthly report within 2×.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
BIN = Path(sys.executable).parent


def pg_admin():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["ZZ_TEST_PG_URL"])
    conn = psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                           dbname=url.database or "postgres", autocommit=True)
    return conn, url


def fresh_pg(conn, url, name: str) -> str:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' LC_COLLATE \'C\' LC_CTYPE \'C\' TEMPLATE template0')
    return url.set(database=name).render_as_string(hide_password=False)


def run(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    return time.perf_counter() - t


def zz(db: str, *args: str) -> list[str]:
    return [str(BIN / "zz"), "--db", db, *args]


def bench_import(conn, url, work: Path, runs: int) -> dict:
    book = work / "import-100k.xlsx"
    if not book.exists():
        subprocess.run([sys.executable, str(HERE / "make_workbooks.py"), "--rows", "100000", "--out", str(book)], check=True,
                       stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    for i in range(runs):
        for backend in ("sqlite", "postgresql"):
            if backend == "sqlite":
                db = str(work / f"import-{i}.db")
                for suffix in ("", "-wal", "-shm"):
                    Path(db + suffix).unlink(missing_ok=True)
            else:
                db = fresh_pg(conn, url, f"zz_bench_import_{i}")
            subprocess.run(zz(db, "init"), check=True, stdout=subprocess.DEVNULL)
            subprocess.run(zz(db, "unit", "add", "杨村街道", "--kind", "街道", "--code", "120114001"), check=True,
                           stdout=subprocess.DEVNULL)
            times[backend].append(run(zz(db, "import", str(book))))
    return {k: statistics.median(v) for k, v in times.items()}


def bench_report(conn, url, work: Path, runs: int, issues: int) -> dict:
    from make_register import build

    sqlite_db = work / f"report-{issues}.db"
    if not sqlite_db.exists():
        print(f"生成 SQLite 登记簿（{issues:,} 条问题）…", file=sys.stderr)
        build(f"sqlite:///{sqlite_db}", issues=issues, quiet=True)
    name = f"zz_bench_report_{issues}"
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    pg_db = url.set(database=name).render_as_string(hide_password=False)
    if not exists:
        print(f"生成 PostgreSQL 登记簿（{issues:,} 条问题）…", file=sys.stderr)
        fresh_pg(conn, url, name)
        build(pg_db, issues=issues, quiet=True)
        with __import__("psycopg").connect(pg_db.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
            c.execute("VACUUM ANALYZE")
    out = {}
    for backend, db in (("sqlite", str(sqlite_db)), ("postgresql", pg_db)):
        base = zz(db, "report", "monthly", "--month", "2017-10")
        subprocess.run(base + ["--json"], check=True, stdout=subprocess.DEVNULL)  # warm caches
        out[backend] = {
            "xlsx": statistics.median(run(base + ["-o", str(work / f"monthly-{backend}.xlsx")]) for _ in range(runs)),
            "json": statistics.median(run(base + ["--json"]) for _ in range(runs)),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="PostgreSQL 与 SQLite 对比测速")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--issues", type=int, default=1_000_000)
    ap.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "zz-bench-pg"))
    ap.add_argument("--skip-report", action="store_true")
    args = ap.parse_args()
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    conn, url = pg_admin()
    imp = bench_import(conn, url, work, args.runs)
    print(f"导入 10 万行：SQLite {imp['sqlite']:.2f} 秒，PostgreSQL {imp['postgresql']:.2f} 秒，"
          f"倍数 {imp['postgresql'] / imp['sqlite']:.2f}×（目标 ≤ 3×）")
    if not args.skip_report:
        rep = bench_report(conn, url, work, args.runs, args.issues)
        for kind in ("xlsx", "json"):
            s, p = rep["sqlite"][kind], rep["postgresql"][kind]
            print(f"月报（{args.issues:,} 条问题，{kind}）：SQLite {s:.2f} 秒，PostgreSQL {p:.2f} 秒，倍数 {p / s:.2f}×（目标 ≤ 2×）")


if __name__ == "__main__":
    main()
