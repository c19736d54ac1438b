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
ENV_PAUSE = "ZZ_TEST_PAUSE_AT"  # test hook "POINT:MARKER_FILE": stop at POINT so a test can kill -9 there
PG_WRITE_LOCK = 727273  # advisory lock key held by every writing transaction on PostgreSQL


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


def pause_point(name: str) -> None:
    """Crash tests: at the named point, write MARKER_FILE and wait to be killed."""
    spec = os.environ.get(ENV_PAUSE)
    if not spec or spec.partition(":")[0] != name:
        return
    import time

    Path(spec.partition(":")[2]).write_text(str(os.getpid()))
    time.sleep(300)


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
            cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal" and _ours_to_change(cur):
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
    if url.startswith("postgresql"):
        engine = create_engine(url, connect_args={"options": f"-c lock_timeout={int(busy_seconds() * 1000)}"})

        @event.listens_for(engine, "begin")
        def _pg_begin(conn):
            # The same rule as SQLite's BEGIN IMMEDIATE: one writing command at a time, the
            # others queue (bounded by lock_timeout). Numbering (序号 = max + 1), imports and
            # undo then see a stable register; readers are never blocked.
            if conn.get_execution_options().get("zz_begin", "IMMEDIATE") == "IMMEDIATE":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")

        return engine
    return create_engine(url)


def _ours_to_change(cur) -> bool:
    """Switch a file to WAL only when it is new or a register this zz may write: a foreign
    database, or a register from a newer zz, is refused later and must stay byte for byte."""
    from .migrations import SCHEMA_VERSION

    try:
        tables = {r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return True
        if "meta" not in tables:
            return False
        row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return row is not None and int(row[0]) <= SCHEMA_VERSION
    except Exception:
        return False


def engine_for(settings: Settings):
    url, _ = resolve(settings.db)
    engine = settings._engines.get(url)
    if engine is None:
        engine = settings._engines[url] = make_engine(url)
    return engine


@contextmanager
def open_session(settings: Settings, *, write: bool = True, migrate: bool = True, commit: bool = True) -> Iterator:
    """One transaction for one command: commit at the end (roll back for a dry run), roll back on any error."""
    from sqlalchemy import event
    from sqlmodel import Session

    from . import audit, migrations
    from .errors import Busy, Invalid

    engine = engine_for(settings)
    try:
        if migrate:
            migrations.ensure(engine)
    except Exception as exc:
        if _is_lock_timeout(exc):
            raise Busy(_busy_message()) from exc
        raise
    bind = engine if write else engine.execution_options(zz_begin="DEFERRED")
    session = Session(bind, expire_on_commit=False, autoflush=True)
    audit.attach(session, command=settings.command)
    event.listen(session, "before_flush", _check_values)
    try:
        yield session
        if commit:
            session.flush()
            audit.write(session)
            session.flush()
            pause_point("commit")
            session.commit()
        else:
            session.rollback()
    except Exception as exc:
        session.rollback()
        if _is_lock_timeout(exc):
            raise Busy(_busy_message()) from exc
        refused = _refused_by_server(exc)
        if refused:
            raise Invalid(refused) from exc
        raise
    finally:
        session.close()


def _busy_message() -> str:
    return f"登记簿正被其他人写入，等待 {busy_seconds():.0f} 秒后仍未轮到，请稍后重试（可用 {ENV_BUSY} 调整等待秒数）"


# What a column may hold, checked before every flush so that both backends refuse the same
# values with the same message (SQLite would store a 500-character 责任人 or a NUL byte that
# PostgreSQL rejects with a driver error). The rules are text.py's, the same that `clean` applies
# in the domain and an importer applies per cell. Only new rows and changed values are judged,
# so a record stored before these rules can still be edited (and so corrected).
ZZ_OWN_TABLES = ("meta", "change", "change_row")  # zz's own text (the command line, JSON of rows), never shown raw
INT32 = 2**31 - 1


def _check_values(session, _ctx, _instances) -> None:
    import sqlalchemy as sa
    from sqlalchemy import inspect

    from . import text
    from .errors import Invalid

    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if not state.pending and not state.attrs[attr.key].history.has_changes():
                continue
            value = getattr(obj, attr.key, None)
            if value is None:
                continue
            col = attr.columns[0]
            label = text.label(attr.key)
            if isinstance(value, str):
                length = getattr(col.type, "length", None)
                if col.table.name in ZZ_OWN_TABLES:
                    why = _why_not_own(value, length)
                else:
                    fixed = text.normalise(value)
                    if fixed != value:
                        setattr(obj, attr.key, fixed)
                    why = text.why_not(fixed, max_len=length or text.FREE_TEXT_MAX, multiline=length is None)
                if why:
                    raise Invalid(f"{label}：{why}", field=attr.key)
            elif isinstance(value, int) and not isinstance(value, bool) and isinstance(col.type, sa.Integer) \
                    and not isinstance(col.type, sa.BigInteger) and not -INT32 - 1 <= value <= INT32:
                raise Invalid(f"{label}：数值 {value} 超出范围", field=attr.key)


def _why_not_own(value: str, length: int | None) -> str | None:
    if "\x00" in value:
        return "含有不可见的空字符（\\x00），请删去后重试"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "含有无法识别的字符（编码错误），请检查输入"
    if length and len(value) > length:
        return f"太长（{len(value)} 个字符，最多 {length} 个）"
    return None


def _refused_by_server(exc: Exception) -> str | None:
    """Values PostgreSQL refuses even in a lookup (SQLite takes them): the same refusal on both."""
    text = str(exc)
    if "NUL (0x00)" in text:
        return "输入含有不可见的空字符（\\x00），请删去后重试"
    if isinstance(exc, OverflowError) or "NumericValueOutOfRange" in text or "integer out of range" in text:
        return "输入的数值超出范围（编号、序号、人数等须在 ±2147483647 之内）"
    return None


def _is_lock_timeout(exc: Exception) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "lock timeout" in text or "locknotavailable" in text
