"""Where the register lives, and the one way to open it: an engine and a session per command.

`--db` > `ZZ_DB` > the user data dir. A value with `://` is a database URL
(`postgresql+psycopg://…`); anything else is a path to a SQLite file.
"""

from __future__ import annotations

import errno
import os
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ENV_DB = "ZZ_DB"
ENV_BUSY = "ZZ_BUSY_TIMEOUT"  # seconds a writer waits for the lock before giving up
DEFAULT_BUSY_SECONDS = 30.0
PG_WRITE_LOCK = 727273  # advisory lock key held by every writing transaction on PostgreSQL


@dataclass
class Settings:
    db: str | None = None
    command: str = ""
    may_create: bool = False
    warnings: list = field(default_factory=list)  # the domain's warnings of the committed sessions, for stderr  # `zz init` and `zz demo` create a missing SQLite file; every other command refuses it
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


def register_url(settings: Settings) -> str:
    """The register's URL for a command that opens it: never an in-memory database, whose
    writes would be reported as done and vanish when the command ends."""
    from .errors import UsageProblem

    url, where = resolve(settings.db)
    raw = settings.db or os.environ.get(ENV_DB) or ""
    tail = url.split("?", 1)[0]
    if (raw.strip() == ":memory:" or tail in ("sqlite:", "sqlite://", "sqlite:///") or tail.endswith(":memory:")
            or (url.startswith("sqlite") and "mode=memory" in url)) and not url.startswith("postgresql"):
        raise UsageProblem(f"不能用内存数据库作登记簿（{where}：{raw or url}）：写入的内容在命令结束时就会丢失。"
                           f"请用 --db 或 {ENV_DB} 指定一个文件，如 --db 台账/zz.db", field="db")
    return url


def check_place(path: Path) -> None:
    """A register path that can never be a file: refused in Chinese, before SQLite is asked."""
    from .errors import Invalid

    if path.is_dir():
        raise Invalid(f"登记簿路径“{path}”是一个目录，不是文件。请用 --db 指定目录里的文件，如 --db {path / 'zz.db'}", field="db")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise Invalid(f"登记簿路径“{path}”无法使用：“{parent}”是一个文件，不是目录。请换一个位置", field="db")
            break


def read_only_reason(path: Path) -> str | None:
    """Why this zz may only read the register file (None when it may write)."""
    if not path.is_file():
        return None
    if not os.access(path, os.W_OK):
        return "文件只读"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "所在目录不可写"
    return None


def read_only_uri(path: Path) -> str:
    """The URI that opens a SQLite file read-only. Where the directory is not writable SQLite
    cannot make the WAL index (-shm) either: a file with no pending WAL is then opened immutable."""
    from urllib.parse import quote

    uri = f"file:{quote(str(path))}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    if not os.access(path.parent, os.W_OK) and not shm.exists() and (not wal.exists() or wal.stat().st_size == 0):
        uri += "&immutable=1"
    return uri


def _read_only_connect(path: Path, timeout: float):
    import sqlite3

    uri = read_only_uri(path)

    def connect():
        return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)

    return connect


def busy_seconds() -> float:
    try:
        return float(os.environ.get(ENV_BUSY, DEFAULT_BUSY_SECONDS))
    except ValueError:
        return DEFAULT_BUSY_SECONDS


# The last few engines of this process, kept across commands: a command disposes its pool when it
# ends (every connection closed), but the engine's compiled-SQL cache stays, so a process that runs
# many commands on one register (the tests, a script driving CliRunner) compiles each statement once.
_KEPT: OrderedDict[tuple, object] = OrderedDict()
_KEEP = 4


def make_engine(url: str):
    path = sqlite_path(url) if url.startswith("sqlite") else None
    read_only = None
    if path is not None:
        check_place(path)
        read_only = read_only_reason(path)
        if not read_only:
            _make_parent(path)
    key = (url, busy_seconds())
    if read_only:  # its URI depends on the file's state at this moment: never kept
        return _new_engine(url, path, read_only)
    if key not in _KEPT:
        _KEPT[key] = _new_engine(url, path, None)
        while len(_KEPT) > _KEEP:
            _KEPT.popitem(last=False)
    _KEPT.move_to_end(key)
    return _KEPT[key]


def _new_engine(url: str, path: Path | None, read_only: str | None):
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        timeout = busy_seconds()
        if read_only:
            engine = create_engine(url, creator=_read_only_connect(path, timeout))
        else:
            engine = create_engine(url, connect_args={"timeout": timeout, "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            if not read_only and cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal" and _ours_to_change(cur):
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Writers take the lock up front, so two clerks queue instead of failing
            # with SQLITE_BUSY when a read lock cannot be upgraded.
            mode = "DEFERRED" if read_only else conn.get_execution_options().get("zz_begin", "IMMEDIATE")
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


def refuse_missing(settings: Settings, url: str) -> None:
    """A SQLite register that does not exist is a typing slip (a wrong --db or ZZ_DB), unless the
    command is one that creates it: never a new, empty register that silently takes the entries."""
    from .errors import Invalid

    path = sqlite_path(url)
    if path is None or settings.may_create or path.exists():
        return
    check_place(path)  # a path below a file, or a directory, is said as such first
    _, where = resolve(settings.db)
    raise Invalid(f"登记簿“{path}”不存在（来自{where}）。若路径写错了，请改正 --db 或 {ENV_DB}；"
                  f"若要新建登记簿，请先运行 zz init --db {path}", field="db")


def _make_parent(path: Path) -> None:
    from .errors import Invalid

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Invalid(f"无法创建登记簿所在目录“{path.parent}”（{_os_reason(exc)}）。请检查权限或用 --db 换一个位置",
                      field="db") from None


_OS_REASONS = {errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EROFS: "文件系统只读", errno.ENOSPC: "磁盘已满",
               errno.ENOTDIR: "路径中有文件挡住了目录", errno.EISDIR: "这是一个目录", errno.EDQUOT: "磁盘配额已满"}


def _os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno, "系统错误")


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
    url = register_url(settings)
    engine = settings._engines.get(url)
    if engine is None:
        refuse_missing(settings, url)
        engine = settings._engines[url] = make_engine(url)
    return engine


WARNINGS = "zz_warnings"  # session.info key: the domain's warnings for the clerk


def warn(session, text: str) -> None:
    """A warning for the clerk (a date to check, …): the domain never prints, so it is kept on the
    session and shown on stderr when the command ends (open_session hands it to the settings)."""
    session.info.setdefault(WARNINGS, []).append(text)


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
            session.commit()
        else:
            session.rollback()
        settings.warnings.extend(session.info.pop(WARNINGS, []))  # shown by the CLI when the command ends
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
# zz's own text in a column of a domain table: an issued 通报's content (JSON of what it said)
ZZ_OWN_COLUMNS = {("bulletin", "content")}
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
                if col.table.name in ZZ_OWN_TABLES or (col.table.name, col.name) in ZZ_OWN_COLUMNS:
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


# ---- faults of the storage, said in Chinese (run() asks here before calling anything a defect) ----

def storage_problem(exc: BaseException, settings: Settings | None = None):
    """The ZzError for a fault of the register's storage (disk full, read-only, corrupt, not a
    database), or None. Only the driver's message is looked at, and never shown: it may quote
    SQL and its parameters, which hold names."""
    from .errors import Invalid

    if isinstance(exc, OSError) and exc.errno in _OS_REASONS and not type(exc).__module__.startswith("sqlite"):
        name = f"“{exc.filename}”" if exc.filename else ""
        return Invalid(f"无法写入或读取文件{name}（{_os_reason(exc)}），本次命令未完成。请检查位置与权限后重试", field="file")
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    code = getattr(orig, "sqlstate", None) or ""
    place = _place(settings)
    if "database or disk is full" in text or code == "53100" or "no space left" in text:
        return Invalid(f"磁盘已满，登记簿{place}无法写入。本次命令未写入任何数据，登记簿完好；请腾出磁盘空间后重试", field="db")
    if "readonly database" in text or "read-only" in text and "transaction" in text or code == "25006":
        return Invalid(f"登记簿{place}只读（{_why_read_only(settings)}），只能查看，不能写入。"
                       "请让管理员开放写权限，或用 --db 指定一个可写的副本", field="db")
    if "file is not a database" in text:
        return Invalid(f"登记簿{place}不是可用的数据库文件（文件头已损坏，或不是 zz 登记簿）。"
                       "请用 zz restore 备份文件 --yes 从备份恢复，或用 --db 指定正确的登记簿", field="db")
    if "malformed" in text or "database corruption" in text:
        return Invalid(f"登记簿{place}已损坏，本次命令未完成。请运行 zz db check 查看，并用 zz restore 备份文件 --yes 从备份恢复",
                       field="db")
    if "unable to open database" in text:
        return Invalid(f"无法打开登记簿{place}：文件或所在目录不存在、不可访问。请检查路径和权限，或用 --db 指定登记簿",
                       field="db")
    if "disk i/o error" in text and _disk_nearly_full(settings):
        return Invalid(f"磁盘已满，登记簿{place}无法写入。本次命令未完成，请腾出磁盘空间后重试，再运行 zz db check 确认登记簿完好",
                       field="db")
    if "disk i/o error" in text:
        return Invalid(f"读写登记簿{place}时磁盘出错，本次命令未完成。请检查磁盘后运行 zz db check", field="db")
    return None


def _place(settings: Settings | None) -> str:
    try:
        url, _ = resolve(settings.db if settings else None)
    except Exception:
        return ""
    path = sqlite_path(url)
    return f"“{path}”" if path else ""


def _why_read_only(settings: Settings | None) -> str:
    try:
        path = sqlite_path(resolve(settings.db if settings else None)[0])
    except Exception:
        path = None
    return (read_only_reason(path) if path else None) or "文件或所在位置不可写"


def _disk_nearly_full(settings: Settings | None) -> bool:
    """SQLite reports some writes that ran out of space (the WAL index) as an I/O error."""
    import shutil

    try:
        path = sqlite_path(resolve(settings.db if settings else None)[0])
        return path is not None and shutil.disk_usage(path.parent).free < 256 * 1024
    except Exception:
        return False
