"""佐证材料: files that prove a fix was done, kept in a content-addressed store.

The store is a folder: each file's bytes sit at `ab/cdef…` (its SHA-256, split after two hex
digits), so the same bytes are kept once however often they are added. The folder is
`ZZ_EVIDENCE_DIR` if set, else beside a SQLite register: `zz.db` → `zz.db.evidence/`. A
PostgreSQL register has no file beside it, so there `ZZ_EVIDENCE_DIR` is required (a folder all
clerks' machines reach, e.g. a share) and its absence is refused with that advice.

Bytes are written to a temporary file in the store, fsynced, then renamed into place: a killed
zz leaves at worst a temporary file (removed by `zz evidence gc`), never a half file under a
hash. The register's row is written in the command's transaction; bytes whose row was never
committed, or was undone (`zz undo`), stay until `zz evidence gc` removes every file no row
names. Accepted: PDF, images, Office documents — told by their first bytes, not only their
name; anything executable is refused (ELF, PE/MZ, Mach-O, `#!` scripts, and by name .exe,
.bat, .sh, .js, …). Sizes: `ZZ_EVIDENCE_MAX_MB` per file (default 50), `ZZ_EVIDENCE_TOTAL_MB`
for the whole store (default 20480).

This module reads and writes the store's files (that is its job); it never prints or exits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from . import text as text_rules
from .errors import Conflict, FileRefused, Invalid, NotFound

ENV_DIR = "ZZ_EVIDENCE_DIR"
ENV_MAX_MB = "ZZ_EVIDENCE_MAX_MB"
ENV_TOTAL_MB = "ZZ_EVIDENCE_TOTAL_MB"
KINDS = ("整改前", "整改后", "制度文件", "会议记录", "其他")
CHUNK = 1 << 20
_HASH_PATH = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{62}$")
_TEMP_PREFIX = ".incoming-"

# Refused by name whatever the bytes say: programs, scripts, shortcuts, installers.
EXECUTABLE_SUFFIXES = {
    ".exe", ".com", ".bat", ".cmd", ".msi", ".scr", ".pif", ".cpl", ".dll", ".sys", ".ps1", ".psm1", ".vbs", ".vbe",
    ".js", ".jse", ".mjs", ".wsf", ".wsh", ".hta", ".lnk", ".jar", ".sh", ".bash", ".zsh", ".csh", ".ksh", ".py",
    ".pyc", ".pl", ".rb", ".php", ".app", ".apk", ".deb", ".rpm", ".bin", ".run", ".elf", ".so", ".dylib", ".reg",
    ".docm", ".xlsm", ".pptm", ".dotm", ".xltm",
}
_EXEC_MAGIC = ((b"\x7fELF", "ELF 程序"), (b"MZ", "Windows 程序（PE/MZ）"), (b"#!", "脚本（#!）"),
               (b"\xfe\xed\xfa\xce", "Mach-O 程序"), (b"\xfe\xed\xfa\xcf", "Mach-O 程序"),
               (b"\xce\xfa\xed\xfe", "Mach-O 程序"), (b"\xcf\xfa\xed\xfe", "Mach-O 程序"),
               (b"\xca\xfe\xba\xbe", "Mach-O/Java 程序"))
_OOXML = {".docx": "docx", ".xlsx": "xlsx", ".pptx": "pptx"}
_OLE = {".doc": "doc", ".xls": "xls", ".ppt": "ppt", ".wps": "wps", ".et": "et", ".dps": "dps"}
ACCEPTED = "PDF、图片（JPG、PNG、GIF、BMP、TIFF、WebP）、Office/WPS 文档（doc、docx、xls、xlsx、ppt、pptx）"


# ---------------------------------------------------------------- where the store is

def store_dir(register_url: str) -> Path:
    """The store of the register at `register_url` (see the module docstring)."""
    given = os.environ.get(ENV_DIR, "").strip()
    if given:
        return Path(given).expanduser().resolve()
    if register_url.startswith("sqlite:///"):
        db = Path(register_url[len("sqlite:///"):].split("?", 1)[0])
        return db.with_name(db.name + ".evidence").resolve()
    raise Invalid(f"佐证材料：PostgreSQL 登记簿旁没有可存放文件的位置，请用环境变量 {ENV_DIR} 指定一个各台电脑都能访问的"
                  f"文件夹（如共享盘上的 zz-佐证材料），例如 export {ENV_DIR}=/mnt/共享/zz-佐证材料", field="evidence_dir")


def path_of(store: Path, sha256: str) -> Path:
    return store / sha256[:2] / sha256[2:]


def _env_mb(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default * CHUNK
    try:
        value = float(raw)
    except ValueError:
        raise Invalid(f"环境变量 {name}：应为兆字节数（如 50），而不是“{raw}”", field=name) from None
    if value <= 0:
        raise Invalid(f"环境变量 {name}：应大于 0，而不是“{raw}”", field=name)
    return int(value * CHUNK)


def max_file_bytes() -> int:
    return _env_mb(ENV_MAX_MB, 50)


def max_total_bytes() -> int:
    return _env_mb(ENV_TOTAL_MB, 20480)


def _mb(n: int) -> str:
    return f"{n / CHUNK:.1f} MB"


# ---------------------------------------------------------------- what a file is

def _media(path: Path, head: bytes) -> str:
    """The file's type by its first bytes; refuses executables and anything not accepted."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix in EXECUTABLE_SUFFIXES:
        raise FileRefused(f"佐证材料“{name}”：{suffix} 文件可能是程序或带宏的文档，不能作佐证材料。请改交 {ACCEPTED}",
                          field="file")
    for magic, what in _EXEC_MAGIC:
        if head.startswith(magic):
            raise FileRefused(f"佐证材料“{name}”：内容是{what}，不能作佐证材料（不论文件名）。请改交 {ACCEPTED}",
                              field="file")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM") and suffix == ".bmp":
        return "bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04") and suffix in _OOXML and _is_ooxml(path):
        return _OOXML[suffix]
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and suffix in _OLE:
        return _OLE[suffix]
    raise FileRefused(f"佐证材料“{name}”：不是认可的文件类型（按文件内容判断，不只看扩展名）。请交 {ACCEPTED}", field="file")


def _is_ooxml(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    # a macro project inside a document runs code when opened: refused like .docm
    return "[Content_Types].xml" in names and not any(n.lower().endswith("vbaproject.bin") for n in names)


def inspect_file(path: Path) -> tuple[int, str]:
    """(size, media) of a file a clerk gave, or a refusal: missing, a symlink, a device, a folder,
    empty, too big, executable, or of a kind not accepted."""
    name = str(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise NotFound(f"佐证材料“{name}”：文件不存在，请检查路径", field="file") from None
    except OSError as exc:
        raise FileRefused(f"佐证材料“{name}”：无法读取（{exc.strerror}）", field="file") from None
    if stat.S_ISLNK(st.st_mode):
        raise FileRefused(f"佐证材料“{name}”：是符号链接，为防误取他处文件已拒绝；请给出文件本身的路径", field="file")
    if stat.S_ISDIR(st.st_mode):
        raise FileRefused(f"佐证材料“{name}”：是文件夹，请逐个给出其中的文件", field="file")
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(f"佐证材料“{name}”：不是普通文件（设备、管道等），已拒绝；请给出一个 PDF、图片或 Office 文档", field="file")
    if st.st_size == 0:
        raise FileRefused(f"佐证材料“{name}”：是空文件，请检查是否保存完整", field="file")
    limit = max_file_bytes()
    if st.st_size > limit:
        raise FileRefused(f"佐证材料“{name}”：{_mb(st.st_size)}，超过单个文件上限 {_mb(limit)}。请压缩或拆分后再添加"
                          f"（上限可用环境变量 {ENV_MAX_MB} 调整）", field="file")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise FileRefused(f"佐证材料“{name}”：无法读取（{exc.strerror}）", field="file") from None
    return st.st_size, _media(path, head)


# ---------------------------------------------------------------- the store

def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def store_bytes(store: Path, source: Path, *, expected_size: int) -> tuple[str, bool]:
    """Copy `source` into the store: temp file, hash while copying, fsync, rename. Returns
    (sha256, stored_now); stored_now is False when the same bytes were already there."""
    store.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-", dir=store)
    try:
        size = 0
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        src = os.open(source, flags)
        try:
            if not stat.S_ISREG(os.fstat(src).st_mode):
                raise FileRefused(f"佐证材料“{source}”：不是普通文件，已拒绝", field="file")
            with os.fdopen(fd, "wb", closefd=True) as out:
                fd = -1
                while True:
                    block = os.read(src, CHUNK)
                    if not block:
                        break
                    size += len(block)
                    if size > expected_size:
                        raise FileRefused(f"佐证材料“{source}”：读取时文件在变大，请等文件保存完再添加", field="file")
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
        finally:
            os.close(src)
        sha = digest.hexdigest()
        final = path_of(store, sha)
        if final.exists():
            return sha, False
        final.parent.mkdir(exist_ok=True)
        os.chmod(tmp, 0o444)  # a stored file is never changed in place
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return sha, True
    except OSError as exc:
        raise FileRefused(f"佐证材料“{source}”：未能存入佐证材料库 {store}（{exc.strerror}），登记簿未改动；"
                          "请检查该文件夹是否可写、磁盘是否已满", field="file") from None
    finally:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def stored_files(store: Path) -> list[str]:
    """Every hash the store holds a file for."""
    out = []
    if not store.is_dir():
        return out
    for sub in store.iterdir():
        if len(sub.name) != 2 or not sub.is_dir():
            continue
        for f in sub.iterdir():
            rel = f"{sub.name}/{f.name}"
            if _HASH_PATH.match(rel):
                out.append(sub.name + f.name)
    return out


# ---------------------------------------------------------------- the register's side

def _model():
    from .models.evidence import Evidence

    return Evidence


def _kind(kind: str) -> str:
    """One of KINDS (add and edit take the same words), or the refusal naming them."""
    if kind not in KINDS:
        raise Invalid(f"材料类别（--kind）：应为 {'、'.join(KINDS)} 之一，而不是“{kind}”", field="kind")
    return kind


def add(session, *, store: Path, fix_id: int, files: list[Path], kind: str | None = None,
        note: str | None = None, public: bool = False) -> list[dict]:
    """Add files to a fix: every file is checked first, then stored, then recorded (one row each).
    `public`: the office has cleared them for the 政务公开 archive (`zz archive --public`)."""
    from . import audit
    from . import fixes as fixes_mod

    Evidence = _model()
    fix = fixes_mod.get(session, fix_id)
    kind = _kind(kind or "其他")
    note = text_rules.clean(note, field="note", label="说明（--note）")
    if not files:
        raise Invalid("佐证材料：至少给出一个文件", field="file")
    checked = [(Path(f), *inspect_file(Path(f))) for f in files]
    names = [text_rules.clean(p.name, field="file", label=f"佐证材料文件名“{p.name!r}”", max_len=255, multiline=False,
                              required=True) for p, _size, _media in checked]
    used = session.exec(select(func.coalesce(func.sum(Evidence.size), 0)).where(
        Evidence.id.in_(select(func.min(Evidence.id)).group_by(Evidence.sha256)))).one()
    new_total = int(used) + sum(size for _p, size, _m in checked)
    if new_total > max_total_bytes():
        raise FileRefused(f"佐证材料库将达 {_mb(new_total)}，超过总量上限 {_mb(max_total_bytes())}。请先运行 zz evidence gc "
                          f"清理，或用环境变量 {ENV_TOTAL_MB} 调高上限", field="file")
    who, now = audit.operator(), dt.datetime.now().replace(microsecond=0)
    rows = []
    for (p, size, media), name in zip(checked, names):
        sha, _new = store_bytes(store, p, expected_size=size)
        row = Evidence(fix_id=fix.id, sha256=sha, size=size, name=name, kind=kind, media=media, note=note,
                       added_by=who, added_at=now, public=public)
        session.add(row)
        rows.append(row)
    session.flush()
    return [record(r, n, store) for n, r in _numbered(session, fix.id) if r.id in {x.id for x in rows}]


def _numbered(session, fix_id: int):
    Evidence = _model()
    rows = session.exec(select(Evidence).where(Evidence.fix_id == fix_id).order_by(Evidence.id)).all()
    return list(enumerate(rows, start=1))


def record(row, n: int, store: Path | None) -> dict:
    return {"n": n, "id": row.id, "fix_id": row.fix_id, "name": row.name, "kind": row.kind, "media": row.media,
            "size": row.size, "sha256": row.sha256, "note": row.note, "added_by": row.added_by,
            "added_at": row.added_at.isoformat(sep=" ") if row.added_at else None, "public": bool(row.public),
            "path": str(path_of(store, row.sha256)) if store else None}


def list_for(session, *, store: Path | None, fix_id: int) -> list[dict]:
    from . import fixes as fixes_mod

    fixes_mod.get(session, fix_id)
    return [record(r, n, store) for n, r in _numbered(session, fix_id)]


def count_for(session, fix_id: int) -> int:
    Evidence = _model()
    return session.exec(select(func.count()).select_from(Evidence).where(Evidence.fix_id == fix_id)).one()


def _nth(session, fix_id: int, n: int):
    """The n-th evidence row of a fix (as `zz evidence list` numbers them)."""
    from . import fixes as fixes_mod

    fixes_mod.get(session, fix_id)
    rows = _numbered(session, fix_id)
    if not 1 <= n <= len(rows):
        raise NotFound(f"佐证材料序号：整改 {fix_id} 有 {len(rows)} 份佐证材料，没有第 {n} 份（zz evidence list {fix_id} 可查看）",
                       field="n")
    return rows[n - 1][1]


def show(session, fix_id: int, n: int, *, store: Path | None = None) -> dict:
    return record(_nth(session, fix_id, n), n, store)


def edit(session, fix_id: int, n: int, *, public: bool | None = None, kind: str | None = None,
         note: str | None = None) -> list[dict]:
    """Correct one evidence file's record (its bytes never change): whether it is cleared for the public
    archive, its 类别, its 说明 ("" clears); returns the changes (old → new)."""
    from . import edits

    row = _nth(session, fix_id, n)
    ch = edits.Changes("evidence edit")
    if public is not None:
        ch.set(row, "public", "可公开", public)
    if kind is not None:
        ch.set(row, "kind", "材料类别", _kind(kind))
    if note is not None:
        ch.set(row, "note", "说明", text_rules.clean(note, field="note", label="说明（--note）") or None)
    return ch.done(session, f"整改 #{fix_id} 第 {n} 份佐证材料“{row.name}”")


def open_path(session, *, store: Path, fix_id: int, n: int) -> Path:
    row = _nth(session, fix_id, n)
    path = path_of(store, row.sha256)
    if not path.is_file():
        raise Conflict(f"佐证材料：整改 {fix_id} 第 {n} 份“{row.name}”的文件不在佐证材料库中（{path}）。"
                       "请运行 zz evidence verify --all 查看，并从备份恢复", field="n")
    return path


def verify(session, *, store: Path, fix_id: int | None = None) -> dict:
    """Re-hash every stored file the register names (or one fix's): which are missing, which altered."""
    Evidence = _model()
    q = select(Evidence)
    if fix_id is not None:
        from . import fixes as fixes_mod

        fixes_mod.get(session, fix_id)
        q = q.where(Evidence.fix_id == fix_id)
    rows = session.exec(q.order_by(Evidence.id)).all()
    state: dict[str, str] = {}
    for sha in {r.sha256 for r in rows}:
        p = path_of(store, sha)
        try:
            state[sha] = "ok" if file_sha256(p) == sha else "altered"
        except FileNotFoundError:
            state[sha] = "missing"
        except OSError:
            state[sha] = "unreadable"
    problems = [{"id": r.id, "fix_id": r.fix_id, "name": r.name, "sha256": r.sha256, "problem": state[r.sha256],
                 "path": str(path_of(store, r.sha256))} for r in rows if state[r.sha256] != "ok"]
    return {"checked": len(rows), "files": len(state), "problems": problems}


def gc(session, *, store: Path) -> dict:
    """Remove stored files no row names, and temporary files a killed zz left. The caller holds
    the register's write lock, so no `evidence add` is between storing bytes and committing."""
    Evidence = _model()
    named = set(session.exec(select(Evidence.sha256).distinct()).all())
    removed, freed = [], 0
    for sha in stored_files(store):
        if sha not in named:
            p = path_of(store, sha)
            try:
                freed += p.stat().st_size
                p.unlink()
                removed.append(sha)
            except OSError:
                continue
    if store.is_dir():
        for f in store.iterdir():
            if f.name.startswith(_TEMP_PREFIX) and f.is_file():
                pid = f.name[len(_TEMP_PREFIX):].split("-", 1)[0]
                if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                    f.unlink(missing_ok=True)
    return {"removed": len(removed), "bytes": freed, "kept": len(named)}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# ---------------------------------------------------------------- backup and restore

def copy_store(source: Path, target: Path) -> int:
    """Copy every stored file from one store to another (a backup's `FILE.evidence/`, or back):
    each file is re-hashed on the way, so a damaged one is never carried; files already present
    are kept. Returns the number of files copied."""
    copied = 0
    for sha in stored_files(source):
        if path_of(target, sha).exists():
            continue
        src = path_of(source, sha)
        try:
            if file_sha256(src) != sha:
                continue  # altered in the source: `zz evidence verify` reports it
            store_bytes(target, src, expected_size=src.stat().st_size)
        except OSError:
            continue
        copied += 1
    return copied
