"""整改档案: one unit's ledger and its 佐证材料 in one zip.

The zip holds 目录.xlsx (the printable contents: every file with its number, what it is and
its SHA-256, ready to bind), 整改台账.xlsx (the ledger export, the template's layout), 佐证材料/ (each file as
整改{编号}-{序号}-{原文件名}, re-hashed while written: a missing or altered file refuses the
archive, so it never carries what `zz evidence verify` would reject) and 清单.json (what each
file is: fix, kind, size, SHA-256, who added it, when). `public` leaves out personal names and
the evidence files themselves (scans and photos may show people): the 政务公开 version.
The zip is written to a temporary file beside the target and renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

from sqlmodel import select

from .errors import Conflict


def build(session, out: Path, *, store: Path | None, unit: str, public: bool = False) -> dict:
    from . import evidence, transfer, units
    from .models import Fix
    from .models.evidence import Evidence

    the_unit = units.resolve(session, unit)
    out = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.zz{os.getpid()}-", suffix=".tmp", dir=out.parent)
    os.close(fd)
    ledger = Path(tempfile.mkdtemp(prefix="zz-archive-")) / "整改台账.xlsx"
    contents = ledger.with_name("目录.xlsx")
    try:
        counts = transfer.export_ledger(session, ledger, unit=the_unit.name, public=public)
        rows = [] if public else session.exec(
            select(Evidence).join(Fix, Fix.id == Evidence.fix_id).where(Fix.unit_id == the_unit.id)
            .order_by(Evidence.fix_id, Evidence.id)).all()
        manifest, n_of = [], {}
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.write(ledger, "整改台账.xlsx")
            for row in rows:
                n = n_of[row.fix_id] = n_of.get(row.fix_id, 0) + 1
                name = f"佐证材料/整改{row.fix_id}-{n}-{row.name}"
                _add_checked(z, evidence.path_of(store, row.sha256), name, row)
                manifest.append({"file": name, **{k: v for k, v in evidence.record(row, n, None).items() if k != "path"}})
            tasks = dict(session.exec(select(Fix.id, Fix.task).where(Fix.unit_id == the_unit.id)).all()) if rows else {}
            _contents(contents, the_unit.name, counts, manifest, tasks, public)
            z.write(contents, "目录.xlsx")
            z.writestr("清单.json", json.dumps({
                "unit": the_unit.name, "public": public, "made_at": dt.datetime.now().replace(microsecond=0).isoformat(),
                "issues": counts["issues"], "fixes": counts["fixes"], "rules": counts["rules"], "evidence": manifest,
            }, ensure_ascii=False, indent=2))
        from .outputs import mode_for

        os.chmod(tmp, mode_for(out))  # as every -o file: 0644, or the mode of the file it replaces (not mkstemp's 0600)
        os.replace(tmp, out)
    finally:
        for p in (Path(tmp), ledger, contents):
            p.unlink(missing_ok=True)
        ledger.parent.rmdir()
    return {"file": str(out), "unit": the_unit.name, "public": public, "issues": counts["issues"],
            "fixes": counts["fixes"], "evidence": len(rows)}


def _add_checked(z: zipfile.ZipFile, path: Path, name: str, row) -> None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as src, z.open(name, "w", force_zip64=True) as dst:
            while block := src.read(1 << 20):
                digest.update(block)
                dst.write(block)
    except FileNotFoundError:
        digest = None
    if digest is None or digest.hexdigest() != row.sha256:
        raise Conflict(f"整改档案：整改 #{row.fix_id} 的佐证材料“{row.name}”{'缺失' if digest is None else '已被改动'}，"
                       "档案未生成。请运行 zz evidence verify --all 查看，并从备份恢复该文件", field="evidence")


def _contents(path: Path, unit: str, counts: dict, manifest: list[dict], tasks: dict[int, str], public: bool) -> None:
    """目录.xlsx: every file of the archive numbered in the order it is bound, with what it is."""
    from .excel.bulletin import Table, write_book

    rows = [[1, "整改台账.xlsx", f"整改台账：问题 {counts['issues']} 条，整改 {counts['fixes']} 项，制度 {counts['rules']} 项",
             None, None, None, None]]
    for i, m in enumerate(manifest, start=2):
        what = f"整改 #{m['fix_id']} {tasks.get(m['fix_id'], '')}的佐证材料（{m['kind']}）" + (f"：{m['note']}" if m["note"] else "")
        rows.append([i, m["file"], what, (m["added_at"] or "")[:10] or None, f"{(m['size'] + 1023) // 1024} KB",
                     m["sha256"][:16], None])
    rows.append([len(rows) + 1, "清单.json", "文件清单（每份佐证材料的类别、大小、SHA-256，供核对）", None, None, None, None])
    title = f"{unit}整改档案目录" + ("（公开版，不含佐证材料原件）" if public else "")
    table = Table("目录", title, ["序号", "文件", "内容", "添加日期", "大小", "SHA-256（前16位）", "备注"], rows,
                  note=f"共 {len(rows)} 份文件；佐证材料的完整 SHA-256 见 清单.json，可用 zz evidence verify 核对",
                  widths={1: 30, 2: 50})
    write_book(path, tables=[table])
