"""整改档案: one unit's ledger, one folder per issue and its 佐证材料, in one zip.

The zip holds 目录.xlsx (the printable contents: every file with its running number and 档号,
what it is and its SHA-256, ready to bind), 整改台账.xlsx (the ledger export, the template's
layout), a folder per issue in the unit's order (`001_问题描述前若干字/`) holding 问题卡.xlsx (the
issue, its fixes, the timeline of events, the verifications and levels, the rechecks:
excel/archive.py) and that issue's evidence files (整改{编号}-{序号}-{原文件名}, re-hashed while
written: a missing or altered file refuses the archive, so it never carries what `zz evidence
verify` would reject), and 清单.json (what each file is: fix, kind, size, SHA-256, who added it,
when). `public` leaves out personal names (and passes free text through redact.py) and every
evidence file the office has not cleared for publication (`zz evidence add --public`, `zz evidence edit
--public`: scans and photos may show people, so a file is internal until cleared); a cleared file goes in
under a neutral name (整改{编号}-{序号}-{类别}.{扩展名}: the clerk's own file name may hold a name), with
no 添加人: the 政务公开 version. The zip is written to a temporary file beside the target and renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

from sqlmodel import select

from .errors import Conflict

CARD = "问题卡.xlsx"
FOLDER_CHARS = 12  # the issue's first characters in its folder's name
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')
NAMES = ("owner", "leader", "verified_by")


def build(session, out: Path, *, store: Path | None, unit: str, public: bool = False) -> dict:
    from . import transfer, units

    the_unit = units.resolve(session, unit)
    out = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.zz{os.getpid()}-", suffix=".tmp", dir=out.parent)
    os.close(fd)
    scratch = Path(tempfile.mkdtemp(prefix="zz-archive-"))
    prefix = the_unit.code or f"U{the_unit.id}"
    try:
        ledger = scratch / "整改台账.xlsx"
        counts = transfer.export_ledger(session, ledger, unit=the_unit.name, public=public)
        files = [{"file": "整改台账.xlsx", "what": f"整改台账：问题 {counts['issues']} 条，整改 {counts['fixes']} 项，"
                                                    f"制度 {counts['rules']} 项"}]
        manifest: list[dict] = []
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.write(ledger, "整改台账.xlsx")
            for i, folder in enumerate(_issues(session, the_unit, public), start=1):
                files += _write_folder(z, scratch, session, store, the_unit.name, folder, i, prefix, len(files), manifest)
            files.append({"file": "清单.json", "what": "文件清单（每份佐证材料的类别、大小、SHA-256，供核对）"})
            contents = scratch / "目录.xlsx"
            _contents(contents, the_unit.name, prefix, files, public)
            z.write(contents, "目录.xlsx")
            z.writestr("清单.json", json.dumps({
                "unit": the_unit.name, "public": public, "made_at": dt.datetime.now().replace(microsecond=0).isoformat(),
                "issues": counts["issues"], "fixes": counts["fixes"], "rules": counts["rules"], "evidence": manifest,
            }, ensure_ascii=False, indent=2))
        from .outputs import mode_for

        os.chmod(tmp, mode_for(out))  # as every -o file: 0644, or the mode of the file it replaces (not mkstemp's 0600)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
        for p in scratch.iterdir():
            p.unlink()
        scratch.rmdir()
    return {"file": str(out), "unit": the_unit.name, "public": public, "issues": counts["issues"],
            "fixes": counts["fixes"], "evidence": len(manifest)}


def _issues(session, the_unit, public: bool):
    """Each issue of the unit (in its order), with its fixes as `fix show` gives them and its evidence rows."""
    from . import fixes as fixes_mod
    from .models import Fix, Issue
    from .models.evidence import Evidence
    from .register import plan_of

    scrub = None
    if public:
        from .redact import for_register

        scrub = for_register(session)
    areas = {a.no: a.name for a in plan_of(session).areas}
    for issue in session.exec(select(Issue).where(Issue.unit_id == the_unit.id).order_by(Issue.seq, Issue.id)).all():
        fix_ids = list(session.exec(select(Fix.id).where(Fix.issue_id == issue.id).order_by(Fix.seq, Fix.id)).all())
        fixes = [fixes_mod.show(session, i) for i in fix_ids]
        rows = [] if not fix_ids else session.exec(
            select(Evidence).where(Evidence.fix_id.in_(fix_ids)).order_by(Evidence.fix_id, Evidence.id)).all()
        numbered, n_of = [], {}
        for row in rows:  # numbered as `zz evidence list` numbers them, before the internal ones are left out
            n_of[row.fix_id] = n_of.get(row.fix_id, 0) + 1
            if row.public or not public:
                numbered.append((n_of[row.fix_id], row))
        card = {"seq": issue.seq, "description": issue.description, "area": areas.get(issue.area, issue.area),
                "source": issue.source, "found_on": issue.found_on.isoformat(), "leader": issue.leader,
                "owner": issue.owner, "status": issue.status, "note": issue.note, "void": issue.void_reason}
        if scrub is not None:
            card, fixes = _public(card, fixes, scrub)
        yield {"issue": card, "fixes": fixes, "evidence": numbered, "scrub": scrub}


def _public(card: dict, fixes: list[dict], scrub) -> tuple[dict, list[dict]]:
    """The card without names: name fields blank, free text through the register's redactor."""
    card = {**card, "leader": None, "owner": None, "description": scrub(card["description"]),
            "note": scrub(card["note"]) if card["note"] else None}
    out = []
    for f in fixes:
        f = {**f, **dict.fromkeys(NAMES), "task": scrub(f["task"])}
        f["events"] = [{**e, "by": None, "approver": None, "text": scrub(e["text"]) if e["text"] else None}
                       for e in f["events"]]
        out.append(f)
    return card, out


def _write_folder(z: zipfile.ZipFile, scratch: Path, session, store, unit: str, folder: dict, i: int, prefix: str,
                  numbered: int, manifest: list[dict]) -> list[dict]:
    """One issue's folder: its evidence files (checked), then its card; the 目录 rows of both."""
    from . import evidence

    issue = folder["issue"]
    name = f"{i:03d}_{_UNSAFE.sub('', issue['description'])[:FOLDER_CHARS] or '问题'}"
    card_no = f"{prefix}-{numbered + 1:04d}"
    rows = [{"file": f"{name}/{CARD}", "number": card_no,
             "what": f"问题卡：问题 {issue['seq']} {issue['description'][:40]}（整改 {len(folder['fixes'])} 项）"}]
    listed = []
    tasks = {f["id"]: f["task"] for f in folder["fixes"]}
    scrub = folder["scrub"]
    for n, row in folder["evidence"]:
        rec = {k: v for k, v in evidence.record(row, n, None).items() if k != "path"}
        if scrub is not None:  # the public version: a neutral file name, no 添加人, the 说明 without names
            rec.update(name=f"{rec['kind']}{Path(row.name).suffix.lower()}", added_by=None,
                       note=scrub(rec["note"]) if rec["note"] else None)
        path = f"{name}/整改{row.fix_id}-{n}-{rec['name']}"
        _add_checked(z, evidence.path_of(store, row.sha256), path, row)
        manifest.append({"file": path, **rec})
        listed.append({"file": path.split("/", 1)[1], **rec})
        rows.append({"file": path, "date": (rec["added_at"] or "")[:10] or None, "size": rec["size"], "sha256": rec["sha256"],
                     "what": f"整改 #{row.fix_id} {tasks.get(row.fix_id, '')}的佐证材料（{rec['kind']}）"
                             + (f"：{rec['note']}" if rec["note"] else "")})
    from .excel.archive import write_issue_card

    card = scratch / CARD
    write_issue_card(card, unit=unit, number=card_no, issue=issue, fixes=folder["fixes"], evidence=listed)
    z.write(card, f"{name}/{CARD}")
    card.unlink()
    for k, r in enumerate(rows):
        r.setdefault("number", f"{prefix}-{numbered + 1 + k:04d}")
    return rows


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


def _contents(path: Path, unit: str, prefix: str, files: list[dict], public: bool) -> None:
    """目录.xlsx: every file of the archive numbered in the order it is bound (档号: the unit's code and
    a running number), with what it is."""
    from .excel.bulletin import Table, write_book

    rows = [[i, f.get("number") or f"{prefix}-{i:04d}", f["file"], f["what"], f.get("date"),
             f"{(f['size'] + 1023) // 1024} KB" if f.get("size") is not None else None,
             f["sha256"][:16] if f.get("sha256") else None, None] for i, f in enumerate(files, start=1)]
    title = f"{unit}整改档案目录" + ("（公开版：不含姓名，佐证材料只收已核定可公开的）" if public else "")
    table = Table("目录", title, ["序号", "档号", "文件", "内容", "添加日期", "大小", "SHA-256（前16位）", "备注"], rows,
                  note=f"共 {len(rows)} 份文件，每个问题一个文件夹（问题卡 + 佐证材料）；佐证材料的完整 SHA-256 见 清单.json，"
                       "可用 zz evidence verify 核对", widths={2: 36, 3: 50})
    write_book(path, tables=[table])
