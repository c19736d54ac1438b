"""Opening what units send, safely: a file is checked before any parsing work.

Refused fast with a clear message: not a workbook, an old .xls, a password-protected
file, XML that declares a DOCTYPE/entities, parts that unpack past a bound (zip bombs).
CSV is read as UTF-8 (with or without BOM) or GBK.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileRefused

ENV_MAX_UNPACKED = "ZZ_MAX_UNPACKED_MB"
DEFAULT_MAX_UNPACKED_MB = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


@dataclass
class Sheet:
    name: str
    rows: list[list]  # rows[i] is Excel row i + 1; cells as python values (str, float, int, date, …)
    merged: list[tuple[int, int, int, int]]  # (first_row, first_col, last_row, last_col), 0-based


def cell_text(value) -> str:
    """A cell as text: whole numbers without `.0` (codes typed as numbers), dates as ISO."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip()


def find_header(rows: list[list], columns: dict[str, tuple[str, ...]], ready, *, scan: int = 20
                ) -> tuple[int, dict[str, int]] | None:
    """The first row (of the first `scan`) whose cells name enough of `columns` (header
    synonyms per key) for `ready(found)`; returns (row index, key → column index)."""
    from ..dates import normalize

    for r, row in enumerate(rows[:scan]):
        cols: dict[str, int] = {}
        for c, cell in enumerate(row):
            label = normalize(cell_text(cell))
            for key, names in columns.items():
                if key not in cols and label in names:
                    cols[key] = c
        if ready(cols):
            return r, cols
    return None


def max_unpacked() -> int:
    try:
        return int(float(os.environ.get(ENV_MAX_UNPACKED, DEFAULT_MAX_UNPACKED_MB)) * 1024 * 1024)
    except ValueError:
        return DEFAULT_MAX_UNPACKED_MB * 1024 * 1024


def refuse(path: Path, why: str) -> FileRefused:
    return FileRefused(f"文件“{path.name}”：{why}", field="file", problems=[{"file": str(path), "why": why}])


def check_xlsx(path: Path) -> None:
    """Everything that must be true before a parser may look at the file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if head.startswith(OLE_MAGIC):
                fh.seek(0)
                blob = fh.read(1 << 20)
                if "EncryptionInfo".encode("utf-16-le") in blob or b"EncryptedPackage" in blob or "EncryptedPackage".encode("utf-16-le") in blob:
                    raise refuse(path, "工作簿设有打开密码，无法读取。请在 Excel/WPS 中取消密码（文件→信息→保护工作簿）后另存为 .xlsx 再导入")
                raise refuse(path, "这是旧版 Excel 97-2003（.xls）文件，请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后再导入")
    except FileNotFoundError:
        raise refuse(path, "文件不存在") from None
    except IsADirectoryError:
        raise refuse(path, "这是一个文件夹，不是文件") from None
    if not head.startswith(b"PK\x03\x04"):
        raise refuse(path, "不是 Excel 工作簿（.xlsx）：文件内容无法识别，可能是改了扩展名的其他文件或已损坏")
    bound = max_unpacked()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise refuse(path, "不是 Excel 工作簿（.xlsx）：压缩包里没有 xl/workbook.xml")
            declared = sum(i.file_size for i in infos)
            if declared > bound:
                raise refuse(path, f"解压后超过 {bound // (1024 * 1024)} MB 上限（{declared // (1024 * 1024)} MB），已拒绝以防占满内存")
            total = 0
            for info in infos:
                total += _scan_part(zf, info, path, bound - total)
    except zipfile.BadZipFile:
        raise refuse(path, "不是有效的 .xlsx（压缩结构已损坏）") from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise refuse(path, f"不是有效的 .xlsx（无法解压：{exc}）") from None


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: int) -> int:
    """Decompress one part in chunks, counting real bytes (headers can lie) and, for XML,
    refusing a DOCTYPE/ENTITY declaration in its prolog."""
    is_xml = info.filename.endswith((".xml", ".rels", ".vml")) or info.filename == "[Content_Types].xml"
    seen = 0
    prolog = b""
    in_prolog = is_xml
    with zf.open(info) as part:
        while True:
            chunk = part.read(1 << 20)
            if not chunk:
                break
            seen += len(chunk)
            if seen > budget:
                raise refuse(path, f"解压后超过 {max_unpacked() // (1024 * 1024)} MB 上限，已拒绝以防占满内存")
            if in_prolog:
                prolog += chunk[: 65536]
                root = _ROOT_START.search(prolog)
                head = prolog[: root.start()] if root else prolog
                if _DOCTYPE.search(head):
                    raise refuse(path, f"部件 {info.filename} 含有 XML 实体/DOCTYPE 声明，出于安全原因拒绝读取")
                if root or len(prolog) >= 65536:
                    in_prolog = False
    return seen


def read_xlsx(path: Path) -> list[Sheet]:
    check_xlsx(path)
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in wb.sheet_names:
            ws = wb.get_sheet_by_name(name)
            rows = ws.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
            sheets.append(Sheet(name=name, rows=rows, merged=merged))
        wb.close()
    except FileRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise refuse(path, f"无法读取工作簿内容（{type(exc).__name__}：{exc}）") from None
    return sheets


def decode_csv(data: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise refuse(path, "CSV 编码无法识别，请另存为 UTF-8 或 GBK 编码")


def read_csv(path: Path) -> list[Sheet]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise refuse(path, "文件不存在") from None
    if b"\x00" in data[:4096]:
        raise refuse(path, "不是文本 CSV 文件（含二进制内容）")
    text = decode_csv(data, path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return [Sheet(name=path.stem, rows=rows, merged=[])]


def read_any(path: Path) -> list[Sheet]:
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    return read_xlsx(path)
