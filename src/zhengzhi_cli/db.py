"""Where the register lives, and the one way to open it: an engine and a session per command.

`--db` > `ZZ_DB` > the user data dir. A value with `://` is a database URL
(`postgresql+psycopg://…`); anything else is a path to a SQLite file.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ENV_DB = "ZZ_DB"
ENV_BUSY = "ZZ_BUSY_TIMEOUT"  # seconds a writer waits for the lock before giving up
DEFAULT_BUSY_SECONDS = 30.0


@dataclass
class Settings:
    db: str | None = None
    command: str = ""
    _engines: dict = field(default_factory=dict, repr=False)


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("zz", appauthor=False)) / "zz.db"


def resolve(db: str | None) -> tuple[str, str]:
    """(url, where): the SQLAlchemy URL and how it was chosen."""
    if db:
        where = "--db"
    elif os.environ.get(ENV_DB):
        db, where = os.environ[ENV_DB], ENV_DB
    else:
        db, where = str(default_path()), "默认位置"
    if "://" in db:
        return db, where
    path = Path(db).expanduser().resolve()
    return f"sqlite:///{path}", where


def sqlite_path(url: str) -> Path | None:
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None


def busy_seconds() -> float:
    try:
        return float(os.environ.get(ENV_BUSY, DEFAULT_BUSY_SECONDS))
    except ValueError:
        return DEFAULT_BUSY_SECONDS


def make_engine(url: str):
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        timeout = busy_seconds()
        engine = create_engine(url, connect_args={"timeout": timeout, "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Writers take the lock up front, so two clerks queue instead of failing
            # with SQLITE_BUSY when a read lock cannot be upgraded.
            mode = conn.get_execution_options().get("zz_begin", "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    kwargs: dict = {}
    if url.startswith("postgresql"):
        kwargs["connect_args"] = {"options": f"-c lock_timeout={int(busy_seconds() * 1000)}"}
    return create_engine(url, **kwargs)


def engine_for(settings: Settings):
    url, _ = resolve(settings.db)
    engine = settings._engines.get(url)
    if engine is None:
        engine = settings._engines[url] = make_engine(url)
    return engine


@contextmanager
def open_session(settings: Settings, *, write: bool = True, migrate: bool = True, commit: bool = True) -> Iterator:
    """One transaction for one command: commit at the end (roll back for a dry run), roll back on any error."""
    from sqlmodel import Session

    from . import audit, migrations
    from .errors import Busy

    engine = engine_for(settings)
    if migrate:
        migrations.ensure(engine)
    bind = engine if write else engine.execution_options(zz_begin="DEFERRED")
    session = Session(bind, expire_on_commit=False, autoflush=True)
    audit.attach(session, command=settings.command)
    try:
        yield session
        if commit:
            session.flush()
            audit.write(session)
            session.commit()
        else:
            session.rollback()
    except Exception as exc:
        session.rollback()
        if _is_lock_timeout(exc):
            raise Busy(f"登记簿正被其他人写入，等待 {busy_seconds():.0f} 秒后仍未轮到，请稍后重试（可用 {ENV_BUSY} 调整等待秒数）") from exc
        raise
    finally:
        session.close()


def _is_lock_timeout(exc: Exception) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "lock timeout" in text or "locknotavailable" in text
