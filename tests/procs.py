"""Helpers for tests that run `zz` as real processes (concurrency, crashes, upgrades, backups)
and compare whole registers, on either backend."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa


def zz_argv() -> list[str]:
    exe = Path(sys.executable).with_name("zz")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("zz")
    return [found] if found else [sys.executable, "-c", "from zhengzhi_cli.cli import main; main()"]


def env_for(register_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update({"ZZ_DB": register_url, "ZZ_OPERATOR": "测试员", "ZZ_NO_PROMPT": "1", "PYTHONWARNINGS": "ignore"})
    env.pop("ZZ_DEBUG", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(register_url: str, *args, timeout: float = 120, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([*zz_argv(), *map(str, args)], env=env_for(register_url, **extra), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def start(register_url: str, *args, **extra) -> subprocess.Popen:
    return subprocess.Popen([*zz_argv(), *map(str, args)], env=env_for(register_url, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


def sa_url(register_url: str) -> str:
    return register_url if "://" in register_url else f"sqlite:///{Path(register_url).resolve()}"


def snapshot(register_url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: equal snapshots mean an unchanged register."""
    engine = sa.create_engine(sa_url(register_url))
    try:
        with engine.connect() as conn:
            md = _reflected(conn)
            return {name: sorted((tuple(r) for r in conn.execute(sa.select(*table.columns))), key=repr)
                    for name, table in sorted(md.tables.items())}
    finally:
        engine.dispose()


_REFLECTED: dict[tuple, sa.MetaData] = {}


def _reflected(conn) -> sa.MetaData:
    """The tables with their column types (so a SQLite date reads back as on PostgreSQL), reflected once
    per exact schema: reflection cost ~0.2 s a snapshot, and most registers of a test run share one."""
    if conn.dialect.name == "sqlite":
        shape = tuple(conn.execute(sa.text("SELECT type, name, sql FROM sqlite_master ORDER BY name")).all())
    else:
        shape = tuple(conn.execute(sa.text(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")).all())
    key = (conn.dialect.name, shape)
    if key not in _REFLECTED:
        md = sa.MetaData()
        md.reflect(conn)
        _REFLECTED[key] = md
    return _REFLECTED[key]


def count(register_url: str, table: str) -> int:
    engine = sa.create_engine(sa_url(register_url))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
    finally:
        engine.dispose()


def sqlite_integrity(path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def kill_at(register_url: str, point: str, *args, tmp: Path, timeout: float = 60, **extra) -> subprocess.Popen:
    """Run zz until it reaches the named point (tests/paused_zz.py), then SIGKILL it."""
    marker = tmp / f"pause-{point}-{time.monotonic_ns()}"
    launcher = [sys.executable, str(Path(__file__).with_name("paused_zz.py")), point, str(marker)]
    proc = subprocess.Popen([*launcher, *map(str, args)], env=env_for(register_url, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"zz {args} ended ({proc.returncode}) before reaching {point}: {err[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"zz {args} did not reach {point} in {timeout}s")
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()
    return proc
