"""整改档案: one unit's ledger and its 佐证材料 in one zip.

The zip holds 整改台账.xlsx (the ledger export, the template's layout), 佐证材料/ (each file as
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
            z.writestr("清单.json", json.dumps({
                "unit": the_unit.name, "public": public, "made_at": dt.datetime.now().replace(microsecond=0).isoformat(),
                "issues": counts["issues"], "fixes": counts["fixes"], "rules": counts["rules"], "evidence": manifest,
            }, ensure_ascii=False, indent=2))
        os.replace(tmp, out)
    finally:
        for p in (Path(tmp), ledger):
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
