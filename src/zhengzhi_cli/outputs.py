"""Where `-o` may write, and how (issue #10 “Nothing lost”).

`check()` runs before any work: it refuses a target that would destroy something or that the
clerk did not mean — the register in use and its -wal/-shm/-journal (symlinks and hard links
resolved), a device, FIFO or socket, a folder, '', '.', '..', a path whose folder does not exist,
a suffix that does not match what will be written, an existing file without `--force`, a
read-only file.

`atomic()` is how every writer puts its final file in place: the writer fills a file in a private
scratch folder beside the target (so xlsxwriter's own scratch files land there too), which is
fsynced and moved over the target with os.replace; on any failure the scratch folder goes, the
target is untouched, and the clerk gets a Chinese reason (磁盘空间不足 …). The new file keeps
the mode of the file it replaces, else 0644 — a report is made to be shared.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import Invalid, ZzError

XLSX = (".xlsx",)
XLSX_OR_MD = (".xlsx", ".md")
BACKUP = (".db", ".sqlite", ".sqlite3", ".bak")

NEW_FILE_MODE = 0o644
FIELD = "output"
REGISTER_PARTS = {"": "登记簿", "-wal": "登记簿的 -wal 日志", "-shm": "登记簿的 -shm 共享内存文件",
                  "-journal": "登记簿的 -journal 日志"}


def _refuse(text: str) -> Invalid:
    return Invalid(f"输出文件（-o）：{text}", field=FIELD)


def register_files(db: str | None) -> list[tuple[Path, str]]:
    """The files of the SQLite register in use (none for PostgreSQL), each with what it is."""
    from .db import resolve, sqlite_path

    path = sqlite_path(resolve(db)[0])
    if path is None:
        return []
    return [(Path(f"{path}{part}"), what) for part, what in REGISTER_PARTS.items()]


def _register_part(target: Path, register: list[tuple[Path, str]]) -> str | None:
    real = os.path.realpath(target)
    for path, what in register:
        if os.path.realpath(path) == real:
            return what
        try:
            if os.path.samefile(path, target):  # a hard link to the register
                return what
        except OSError:
            pass
    return None


def check(path: Path | str, *, suffixes: tuple[str, ...], force: bool, db: str | None = None,
          what: str = "工作簿") -> Path:
    """Refuse (exit 1) a `-o` target that must not be written; return it as a Path.
    `db` is the register setting in use (`--db`/`ZZ_DB`); `what` names what the command writes."""
    raw = str(path)
    given = Path(path)
    if raw.strip() in ("", ".", "..") or given.name in ("", ".", ".."):
        raise _refuse(f"“{raw}”不是文件名；请写出要生成的文件，如 -o 文件名{suffixes[0]}")
    part = _register_part(given, register_files(db))
    if part:
        raise _refuse(f"“{raw}”是正在使用的{part}，写入会毁掉登记簿的全部数据，未写入；请另选文件名（登记簿位置见 zz db path）")
    target = Path(os.path.realpath(given))  # what a symlink points at is what would be written
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _failed(exc, raw) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _refuse(f"“{raw}”是文件夹，不是文件；请在其后加上文件名，如 -o {given / ('文件名' + suffixes[0])}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise _refuse(f"“{raw}”是设备、管道或套接字之类的特殊文件，不能写入；请写一个普通文件名")
    parent = target.parent
    if not parent.exists():
        raise _refuse(f"文件夹“{given.parent}”不存在；请先建立该文件夹，或换一个已有的文件夹")
    if not parent.is_dir():
        raise _refuse(f"“{given.parent}”不是文件夹；请换一个已有的文件夹")
    if given.suffix.lower() not in suffixes:
        raise _refuse(f"“{given.name}”的扩展名不对：本命令写出{what}，文件名应以 {' 或 '.join(suffixes)} 结尾")
    if st is not None:
        if not st.st_mode & 0o222 or not os.access(target, os.W_OK):  # --force does not override this
            raise _refuse(f"“{raw}”是只读文件，未覆盖；确要替换请先改为可写（如 chmod u+w），或换一个文件名")
        if not force:
            raise _refuse(f"“{raw}”已存在，未覆盖；确要替换请加 --force，或换一个文件名")
    return given


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind a failure, also when a library wrapped it (xlsxwriter's FileCreateError)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError):
            return exc
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        exc = inner or exc.__cause__ or exc.__context__
        seen += 1
    return None


def _failed(exc: OSError, shown) -> Invalid:
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        why = "磁盘空间不足（或超出磁盘配额）；请清理磁盘空间后重试，或写到别的磁盘"
    elif code in (errno.EACCES, errno.EPERM):
        why = "没有写入权限；请换一个有写入权限的文件夹"
    elif code == errno.EROFS:
        why = "所在磁盘是只读的；请写到别的磁盘"
    elif code == errno.ENAMETOOLONG:
        why = "文件名太长；请换一个短些的文件名"
    else:
        why = f"系统错误 {errno.errorcode.get(code, code)}；请检查磁盘和文件夹后重试"
    return _refuse(f"未能写入“{shown}”：{why}。原有文件未改动，也未留下临时文件")


def mode_for(target: Path) -> int:
    """The mode a new output gets: that of the regular file it replaces, else 0644."""
    try:
        st = os.stat(target)
    except OSError:
        return NEW_FILE_MODE
    if not stat.S_ISREG(st.st_mode):  # check() refuses these first; never replace a device or a folder
        raise _refuse(f"“{target}”不是普通文件，不能写入；请写一个普通文件名")
    return stat.S_IMODE(st.st_mode)


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic(path: Path | str) -> Iterator[Path]:
    """`with atomic(path) as tmp:` write the whole file at `tmp`; on leaving the block it replaces
    `path` in one step (through a symlink: the link stays, its target is replaced)."""
    shown = str(path)
    target = Path(os.path.realpath(path))
    mode = mode_for(target)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except FileNotFoundError:
        raise _refuse(f"文件夹“{Path(shown).parent}”不存在；请先建立该文件夹，或换一个已有的文件夹") from None
    except OSError as exc:
        raise _failed(exc, shown) from None
    try:
        tmp = scratch / target.name
        yield tmp
        os.chmod(tmp, mode)
        _fsync(tmp)
        os.replace(tmp, target)
        try:
            _fsync(target.parent)  # the rename itself survives a power cut
        except OSError:
            pass  # some filesystems (and Windows) cannot fsync a folder
    except ZzError:
        raise
    except Exception as exc:
        cause = _os_error(exc)
        if cause is None:
            raise
        raise _failed(cause, shown) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
