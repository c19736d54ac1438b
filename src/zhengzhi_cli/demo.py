"""`zz demo`: the sample district (zhengzhi_cli/sample_data/, shipped as package data) built into a register, then the main job run
on it: phase status, and whatever reports exist, as of a day in the campaign."""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
from importlib.resources import files
from pathlib import Path

from .db import Settings, engine_for, open_session, resolve, sqlite_path
from .errors import Conflict, NotFound
from .vocab import MilestoneState, OverdueTier, RuleStatus

DEFAULT_AS_OF = dt.date(2017, 7, 15)  # 自查自纠 just ended, 督查问责 under way
ENV_SAMPLE = "ZZ_SAMPLE_DATA"


def sample_dir() -> Path:
    candidates = [Path(os.environ[ENV_SAMPLE])] if os.environ.get(ENV_SAMPLE) else []
    candidates.append(Path(str(files("zhengzhi_cli").joinpath("sample_data"))))  # package data: installed or not
    for path in candidates:
        if (path / "units.csv").is_file():
            return path
    raise NotFound(f"找不到样例数据目录 sample_data/（可用 {ENV_SAMPLE} 指定）", field="sample_data")


def _rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _d(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _prepare(settings: Settings) -> str:
    """A fresh register at the demo's place; an earlier demo register there is replaced,
    anything else is refused (never wipe a real register)."""
    url, _ = resolve(settings.db)
    path = sqlite_path(url)
    if path is not None and path.exists():
        import sqlite3

        conn = sqlite3.connect(path)
        try:
            is_demo = conn.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone() is not None
        except sqlite3.Error:
            is_demo = False
        finally:
            conn.close()
        if not is_demo:
            raise Conflict(f"{path} 已是一个登记簿（不是样例），为防覆盖真实数据已拒绝。请用 --db 指定新文件", field="db")
        from . import migrations

        for engine in settings._engines.values():
            engine.dispose()
        settings._engines.clear()
        migrations.forget(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif path is None:
        raise Conflict("样例只建在 SQLite 文件里，请用 --db 指定一个新文件路径", field="db")
    return str(path)


def load_sample(session, folder: Path) -> dict:
    from sqlalchemy import text

    from . import checks, fixes, issues, milestones, rules
    from .audit import set_summary
    from .excel.units import import_units
    from .models import Fix, Issue, Rule

    session.connection().execute(text("INSERT INTO meta (key, value) VALUES ('demo', '1')"))
    import_units(session, folder / "units.csv")
    for r in _rows(folder / "checks.csv"):
        checks.add(session, unit=r["单位"], item=r["四查四看"], on=r["日期"], result=r["结果"])
    issue_ids: dict[tuple[str, int], int] = {}
    for r in _rows(folder / "issues.csv"):
        issue = issues.add(session, unit=r["单位"], text=r["问题描述"], area=r["整治重点"], source=r["问题来源"],
                           check=r["四查四看"] or None, found=r["发现日期"], leader=r["责任领导"] or None,
                           owner=r["责任人"] or None, seq=int(r["序号"]), extra={"created_on": _d(r["登记日期"])})
        issue_ids[(r["单位"], int(r["序号"]))] = issue.id
    for r in _rows(folder / "fixes.csv"):
        fix = fixes.add(session, issue_id=issue_ids[(r["单位"], int(r["问题序号"]))], task=r["整改任务及措施"],
                        deadline=r["整改时限"], owner=r["责任人"] or None, leader=r["责任领导"] or None, seq=int(r["序号"]))
        fix.created_on = _d(r["登记日期"])
        session.add(fix)
        if r["进展"]:
            fixes.progress(session, fix.id, text=r["进展"], on=r["登记日期"])
        if r["延期至"]:
            fixes.extend(session, fix.id, to=r["延期至"], approver=r["延期批准人"], reason=r["延期理由"], on="2017-07-10")
        if r["完成日期"]:
            fixes.done(session, fix.id, on=r["完成日期"], evidence="整改材料已归档")
        if r["销号人"]:
            fixes.verify(session, fix.id, by=r["销号人"], on=r["销号日期"])
    for r in _rows(folder / "rules.csv"):
        rule = rules.add(session, unit=r["单位"], title=r["制度名称"], action=r["立改废"], due=r["计划完成时间"] or None,
                         issue_ids=[issue_ids[(r["单位"], int(r["问题序号"]))]] if r["问题序号"] else [], seq=int(r["序号"]))
        rule.created_on = _d(r["登记日期"])
        session.add(rule)
        if r["状态"] == RuleStatus.DONE:
            rules.done(session, rule.id, on=r["完成日期"], doc_no=r["文号"] or None)
    for r in _rows(folder / "milestones.csv"):
        milestones.mark_done(session, unit=r["单位"], milestone=r["节点"], on=r["完成日期"], ref=r["文号"] or None)
    session.flush()
    from sqlmodel import func, select

    counts = {name: session.exec(select(func.count()).select_from(model)).one() for name, model in
              (("issues", Issue), ("fixes", Fix), ("rules", Rule))}
    set_summary(session, f"建立样例区登记簿：问题 {counts['issues']}，整改 {counts['fixes']}，制度 {counts['rules']}")
    return counts


def load_supervision(session, folder: Path) -> None:
    """Phase 3 of the sample: inspections (findings become 督查 issues), accountability,
    opinions collected in phase 2, typical cases."""
    from . import accountability, cases, inspections, opinions

    for r in _rows(folder / "inspections.csv"):
        inspections.add(session, kind=r["督查形式"], on=r["日期"], unit_names=[r["被督查单位"]], by=r["督查人员"],
                        findings=[r["发现问题"]], as_issues=True, area=r["整治重点"], owner=r["责任人"] or None)
    for r in _rows(folder / "accountability.csv"):
        accountability.add(session, person=r["姓名"], unit=r["单位"], measure=r["问责方式"], on=r["日期"],
                           position=r["职务"] or None, decided_by=r["决定机关"] or None, reason=r["事由"] or None,
                           referral=r["移交情况"] or None)
    for r in _rows(folder / "opinions.csv"):
        area = r["转为问题（整治重点）"]
        opinions.add(session, text=r["意见内容"], unit=r["单位"], channel=r["征求方式"], from_group=r["意见来源"],
                     people=int(r["人数"]), on=r["日期"], topic=r["主题"] or None, as_issue=bool(area), area=area or None)
    for r in _rows(folder / "cases.csv"):
        cases.add(session, title=r["标题"], kind=r["类型"], unit=r["单位"], person=r["人员"] or None, what=r["事迹"],
                  on=r["日期"], published=r["发布日期"] or None, where=r["发布渠道"] or None)


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def run_demo(settings: Settings, *, as_of: dt.date | None = None, out_dir: Path | None = None) -> dict:
    from . import migrations
    from .milestones import phase_status

    as_of = as_of or DEFAULT_AS_OF
    folder = sample_dir()
    db_file = _prepare(settings)
    migrations.ensure(engine_for(settings))
    out = Path(out_dir) if out_dir else Path(db_file).parent
    out.mkdir(parents=True, exist_ok=True)
    _say(f"样例区：{folder}")
    with open_session(settings) as session:
        counts = load_sample(session, folder)
    _say(f"已建立登记簿 {db_file}：{len(_rows(folder / 'units.csv'))} 个单位，问题 {counts['issues']} 条，"
         f"整改 {counts['fixes']} 项，制度 {counts['rules']} 项")
    results: dict = {"db": db_file, "as_of": as_of.isoformat(), **counts, "files": []}
    _workbooks(settings, folder=folder, out=out, as_of=as_of)  # phase 2: the lists units sent
    with open_session(settings) as session:  # phase 3: inspections, accountability, opinions, cases
        load_supervision(session, folder)
    for step in _extra_steps():
        produced = step(settings, folder=folder, out=out, as_of=as_of)
        results["files"].extend(produced or [])
    with open_session(settings, write=False) as session:
        status = phase_status(session, as_of=as_of)
    late: dict[str, int] = {}
    for u in status["units"]:
        for m in u["milestones"]:
            if m["state"] == MilestoneState.LATE:
                late[m["name"]] = late.get(m["name"], 0) + 1
    cur = status["current_phase"]
    _say(f"截至 {as_of}，当前阶段：{cur['name'] if cur else '不在专项整治期间'}；已逾期节点：" +
         ("、".join(f"{k} {v} 个单位" for k, v in late.items()) or "无"))
    from .cli import output
    from .fixes import list_fixes

    with open_session(settings, write=False) as session:
        overdue = list_fixes(session, overdue=True, as_of=as_of)
    tiers = {t: sum(1 for f in overdue if f["tier"] == t) for t in OverdueTier}
    _say(f"逾期整改 {len(overdue)} 项（蓝 {tiers['蓝']}、黄 {tiers['黄']}、红 {tiers['红']}）")
    for path in results["files"]:
        output.line(f"已生成：{path}")
    output.line(f"样例登记簿：{db_file}（可用 zz --db {db_file} phase --as-of {as_of} 查看）")
    return results


def _workbooks(settings: Settings, *, folder: Path, out: Path, as_of: dt.date) -> None:
    """Import the workbooks units sent (a tidy template, a messy combined ledger, one saved by
    LibreOffice), each file its own transaction, as `zz import` does."""
    from . import workbook_import

    paths = sorted((folder / "workbooks").glob("*.xlsx"))
    for r in workbook_import.import_files(settings, paths):
        name = Path(r["file"]).name
        if r["status"] != "imported":
            _say(f"导入 {name}：被拒绝（{len(r.get('problems') or [])} 处错误）")
            continue
        new = sum(s.get("new", 0) for s in r["sheets"].values()) if isinstance(r.get("sheets"), dict) else r.get("new")
        _say(f"导入 {name}：新增 {new} 行")


def _bulletin(settings: Settings, *, folder: Path, out: Path, as_of: dt.date) -> list[str]:
    from . import bulletins

    month = f"{as_of.year}-{as_of.month:02d}"
    path = out / f"通报-{month}.md"
    with open_session(settings) as session:
        result = bulletins.issue(session, period=month, path=path, on=as_of, today=as_of)
    return [str(path)] if result.get("written") else []


def _public(settings: Settings, *, folder: Path, out: Path, as_of: dt.date) -> list[str]:
    from . import public

    path = out / f"整改情况公示-{as_of.isoformat()}.xlsx"
    with open_session(settings, write=False) as session:
        public.write_report(session, path=path, as_of=as_of)
    return [str(path)]


def _monthly(settings: Settings, *, folder: Path, out: Path, as_of: dt.date) -> list[str]:
    from . import reports

    month = f"{as_of.year}-{as_of.month:02d}"
    path = out / f"月报-{month}.xlsx"
    with open_session(settings, write=False) as session:
        reports.write_monthly(session, month=month, path=path, as_of=as_of)
    return [str(path)]


def _issue_documents(settings: Settings, *, folder: Path, out: Path, as_of: dt.date) -> list[str]:
    """Phase 3's 公文, each its own transaction as the commands are: the month's 通报 as .docx with its
    文号 (the same 期 as the .md: its number and content are kept), the 督办函 of the month's last day
    (zz duban issue --as-of …-31 -o 督办函/), and the 公示 (zz report public -o 整改情况公示.docx)."""
    import calendar

    from . import bulletins, duban, public
    from .documents.reports import write as write_public

    month = f"{as_of.year}-{as_of.month:02d}"
    made: list[str] = []
    path = out / f"通报-{month}.docx"
    with open_session(settings) as session:
        sent = bulletins.issue(session, period=month, path=path, on=as_of, today=as_of)
    if sent.get("written"):
        made.append(str(path))
        _say(f"通报第{sent['no']}期（公文）：{sent['doc_no']}")
    day = dt.date(as_of.year, as_of.month, calendar.monthrange(as_of.year, as_of.month)[1])
    letters = out / "督办函"
    letters.mkdir(exist_ok=True)
    with open_session(settings) as session:
        sent = duban.issue(session, as_of=day, folder=letters)
    made += [r["file"] for r in sent]
    _say(f"{day.isoformat()} 督办：发督办函 {len(sent)} 份（{sum(r['rule'] == duban.RED for r in sent)} 份红牌，建议约谈）")
    path = out / "整改情况公示.docx"
    with open_session(settings) as session:
        data = public.compose(session, as_of=as_of, items=False).as_dict()
        no = write_public(session, path, kind="公示", data=data, ref=f"public:{as_of.isoformat()}")
    made.append(str(path))
    _say(f"整改情况公示：{no}")
    return made


def _extra_steps():
    """The main job after the register is built: each step writes what the office sends out."""
    return [_bulletin, _public, _monthly, _issue_documents, _evidence_and_recheck]


RECHECK_SEED, RECHECK_ON = "20171016", dt.date(2017, 10, 16)  # the 回头看 of 总结提高, in October
RECHECK_AGAIN_BY = dt.date(2017, 11, 30)  # the 反弹's new deadline


def _evidence_and_recheck(settings: Settings, *, folder: Path, out: Path, as_of: dt.date) -> list[str]:
    """佐证材料, 回头看 and 整改档案: the sampled verified fixes get a photo and a report (small files
    made here, one per fix: the store keeps different bytes), the 回头看 of October finds one of
    them 反弹 (reopened with a new deadline, 约谈 proposed; the one with the latest deadline, so the July
    figures stay as they were),
    and that unit's 整改档案 is written, in full and as the public version (the photos are cleared for it, the
    reports are not). Runs after the July outputs, which it leaves alone."""
    import tempfile

    from . import archive, evidence, recheck
    from .audit import set_summary
    from .db import register_url
    from .models import Fix, Unit

    store = evidence.store_dir(register_url(settings))
    with tempfile.TemporaryDirectory(prefix="zz-demo-") as scratch, open_session(settings) as session:
        sample = [session.get(Fix, p["fix_id"]) for p in recheck.plan(session, seed=RECHECK_SEED, rate=0.1, min_per_unit=1,
                                                                       closed_before=RECHECK_ON)]
        for fix in sample:
            photo = Path(scratch) / f"整改{fix.id}-整改后现场.png"
            photo.write_bytes(_png(fix.id))
            report = Path(scratch) / f"整改{fix.id}-整改情况报告.pdf"
            report.write_bytes(_pdf(f"整改情况报告（整改 {fix.id}）", fix.task, f"zz demo - fix {fix.id} - 2017"))
            evidence.add(session, store=store, fix_id=fix.id, files=[photo], kind="整改后", note="整改后现场照片",
                         public=True)  # the office clears on-site photos for the public archive; the report stays internal
            evidence.add(session, store=store, fix_id=fix.id, files=[report], kind="其他", note="单位整改情况报告")
        rebound = max(sample, key=lambda f: (bool(f.ongoing), f.deadline or dt.date.min, -f.id))
        for fix in sample:
            by = "刘洋" if (fix.owner or "").strip() != "刘洋" else "陈静"
            if fix is rebound:
                recheck.record(session, fix_id=fix.id, result=recheck.REBOUND, by=by, on=RECHECK_ON,
                               reason="回头看发现整改后问题再次出现", deadline=RECHECK_AGAIN_BY, propose="约谈")
            else:
                recheck.record(session, fix_id=fix.id, result=recheck.HELD, by=by, on=RECHECK_ON)
        unit = session.get(Unit, rebound.unit_id).name
        set_summary(session, f"样例：佐证材料 {2 * len(sample)} 份，回头看 {len(sample)} 项（反弹 1 项：整改 #{rebound.id}）")
    _say(f"回头看（{RECHECK_ON}，种子 {RECHECK_SEED}）：抽查 {len(sample)} 项，反弹 1 项（整改 #{rebound.id}，{unit}，"
         f"已重新打开，新时限 {RECHECK_AGAIN_BY}，建议约谈）")
    path, public = out / f"整改档案-{unit}.zip", out / f"整改档案-{unit}-公开版.zip"
    with open_session(settings, write=False) as session:
        archive.build(session, path, store=store, unit=unit)
        archive.build(session, public, store=store, unit=unit, public=True)
    return [str(path), str(public)]


def _png(n: int) -> bytes:
    """A small photo-like PNG (160×120, a gradient that differs with n), made here, not kept in git."""
    import struct
    import zlib

    w, h = 160, 120
    raw = b"".join(b"\x00" + bytes(v for x in range(w) for v in ((x + 7 * n) % 256, (y * 2 + 13 * n) % 256, 180))
                   for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _pdf(title: str, body: str, tag: str) -> bytes:
    """A one-page A4 PDF: the Chinese text in the reader's own 宋体 (Adobe's STSong-Light, nothing
    embedded, as iText-made government PDFs do) and an ASCII line in Helvetica, which every reader has."""
    def line(y: int, size: int, text: str) -> str:
        return f"BT /F1 {size} Tf 72 {y} Td <{text.encode('utf-16-be').hex()}> Tj ET"

    body_lines = [body[i:i + 26] for i in range(0, len(body), 26)] or [""]
    content = "\n".join([line(770, 18, title)] + [line(730 - 24 * i, 12, t) for i, t in enumerate(body_lines[:20])]
                        + [f"BT /F2 9 Tf 72 60 Td ({tag}) Tj ET"])
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R /F2 8 0 R >> >> "
         "/Contents 4 0 R >>"),
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        ("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
         "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>"),
        ("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
         "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return out
