"""What was left of #14 (公文, 督办): `zz demo` issues July's 通报 as .docx, the month's 督办函 and the 公示;
the 版记 sits at the foot of the last page (rendered through LibreOffice); `zz undo` never hands a 文号
back; a register started before the plan file had [calendar] / [duban] / [documents] still counts
working days over the 2017 holidays."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import OLD_VERSIONS, Zz
from tests.zzcheck import refused

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOOLS = shutil.which("pdftotext") and shutil.which("pdfinfo")
needs_render = pytest.mark.skipif(not (SOFFICE and PDFTOOLS),
                                  reason="needs LibreOffice (soffice) and poppler-utils (pdftotext) to render .docx to PDF")

A4_HEIGHT_PT = 841.89
TEXT_BOTTOM_PT = A4_HEIGHT_PT - 35 / 25.4 * 72  # the 版心 ends 35 mm above the page's foot (GB/T 9704)
LINE_PT = 28.95  # one line of the 22-line grid


def docx_text(path: Path) -> str:
    """Every run of text in the document body, text boxes included (the 版记 is one)."""
    import docx
    from docx.oxml.ns import qn

    body = docx.Document(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def _unit_with_fix(zz, name: str, deadline: str, *, found: str = "2017-05-01") -> None:
    zz.ok(["unit", "add", name, "--kind", "街道"])
    issue = zz.json(["issue", "add", f"{name}窗口办事拖沓", "--unit", name, "--area", "6", "--found", found])
    zz.ok(["fix", "add", str(issue["id"]), "推行首问负责", "--deadline", deadline])


# ------------------------------------------------------------------ 1. zz demo issues the 公文

def test_demo_issues_the_bulletin_letters_and_public_notice_as_gongwen(demo_copy):
    out, db, result = demo_copy.out, demo_copy.db, demo_copy
    demo = Zz(str(db))
    given = {(n["kind"], n["text"]) for n in demo.json("docno --list --year 2017")}

    bulletin = out / "通报-2017-07.docx"
    assert f"已生成：{bulletin}" in result.stdout
    text = docx_text(bulletin)
    assert ("通报", "武清整治办〔2017〕1号") in given and "武清整治办〔2017〕1号" in text and "（第1期）" in text
    issued = demo.json("bulletin --month 2017-07")  # the 期 as issued: the .md and the .docx say the same
    named = [u["unit"] for u in issued["lagging_units"] if u["overdue"] >= 3]
    assert named and "予以点名" in text
    for unit in named:
        assert unit in text, unit

    letters = demo.json("duban list --as-of 2017-07-31")
    assert letters and all(r["issued_on"] == "2017-07-31" for r in letters)
    files = sorted((out / "督办函").glob("*.docx"))
    assert len(files) == len(letters)
    for r in letters:
        no = re.search(r"〕(\d+)号", r["doc_no"]).group(1)
        path = out / "督办函" / f"督办函_{r['unit']}_{no}号.docx"
        assert f"已生成：{path}" in result.stdout
        text = docx_text(path)
        assert r["doc_no"] in text and f"{r['unit']}：" in text and ("督办函", r["doc_no"]) in given
    assert len({r["doc_no"] for r in letters}) == len(letters)  # one 文号 each

    public = out / "整改情况公示.docx"
    text = docx_text(public)
    assert ("公示", "武清整治公〔2017〕1号") in given and "武清整治公〔2017〕1号" in text
    for unit in ("杨村街道", "梅厂镇", "下朱庄街道"):
        assert unit in text, unit
    assert "整改情况公示：武清整治公〔2017〕1号" in result.stderr


# ------------------------------------------------------------------ 2. the 版记 at the foot of the last page

def _render(docx: Path) -> list[list[tuple[float, str]]]:
    """Each page of the rendered PDF as its words (yMax in points from the top, text)."""
    out = docx.parent / "pdf"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{docx.parent / 'lo-profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(out), str(docx)], check=True, capture_output=True, timeout=180)
    html = subprocess.run(["pdftotext", "-bbox", str(out / (docx.stem + ".pdf")), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [[(float(y), w) for y, w in re.findall(r'<word [^>]*yMax="([\d.]+)">([^<]*)</word>', page)]
            for page in html.split("<page ")[1:]]


def _words(page: list[tuple[float, str]]) -> str:
    return "".join(w for _, w in page)


def _check_foot(pages: list[list[tuple[float, str]]], *, issuer: str, date: str) -> None:
    words = _words
    where = [i for i, page in enumerate(pages) if "抄送" in words(page) or "印发" in words(page)]
    assert where == [len(pages) - 1], f"版记 on pages {where} of {len(pages)}"
    last = pages[-1]
    printed = max(y for y, w in last if w.endswith("印发"))
    assert TEXT_BOTTOM_PT - LINE_PT < printed <= TEXT_BOTTOM_PT + 1, (printed, TEXT_BOTTOM_PT)  # the 版心's last line
    # the body is whole: 署名 and 成文日期 on one page, with body text above them on that page
    signed = [i for i, page in enumerate(pages) if any(w == issuer for _, w in page)]
    assert signed, "署名 missing"
    page = pages[signed[-1]]
    assert date in words(page)
    sign_y = max(y for y, w in page if w == issuer)
    assert any(y < sign_y - 2 * LINE_PT for y, _ in page), "署名 alone at the top of a page"


@needs_render
@pytest.mark.slow
@pytest.mark.parametrize("units", [1, 3])
def test_bulletin_imprint_at_the_foot_of_its_last_page(zz, tmp_path, units):
    zz.ok("init")
    for i in range(1, units + 1):
        _unit_with_fix(zz, f"测试{i}号街道", "2017-06-15")
    out = tmp_path / "通报.docx"
    zz.ok(f"bulletin --month 2017-07 -o {out} --date 2017-08-03")
    _check_foot(_render(out), issuer="武清区作风纪律专项整治工作领导小组办公室", date="2017年8月3日")


@needs_render
@pytest.mark.slow
def test_duban_letter_imprint_at_the_foot_of_its_last_page(zz, tmp_path):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-09-20")
    folder = tmp_path / "letters"
    folder.mkdir()
    sent = zz.json(f"duban issue --as-of 2017-09-30 -o {folder}")["letters"]
    _check_foot(_render(Path(sent[0]["file"])), issuer="武清区作风纪律专项整治工作领导小组办公室", date="2017年9月30日")


def test_imprint_is_one_text_box_in_the_docx(zz, tmp_path):
    """Without LibreOffice: the 版记 is held in one box anchored to the bottom of the 版心, after the 成文日期."""
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-06-15")
    out = tmp_path / "通报.docx"
    zz.ok(f"bulletin --month 2017-07 -o {out} --date 2017-08-03")
    import zipfile

    with zipfile.ZipFile(out) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert body.count("<wp:anchor ") == 1
    box = body[body.index("<wp:anchor "):]
    assert '<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align>' in box
    assert "抄送：" in box and "2017年8月3日印发" in box
    assert body.index("2017年8月3日</w:t>") < body.index("<wp:anchor ")


# ------------------------------------------------------------------ 3. undo never hands a 文号 back

def test_undo_of_a_taken_docno_is_refused_and_the_next_number_is_new(zz):
    zz.ok("init")
    assert zz.ok("docno --kind 通报 --take --subject 测试 --date 2017-08-01").stdout.strip() == "武清整治办〔2017〕1号"
    refused(zz, "undo --yes", "无法撤销", "武清整治办〔2017〕1号", "不得收回或重复使用", "--reissue")
    assert zz.ok("docno --kind 通报 --take --date 2017-08-02").stdout.strip() == "武清整治办〔2017〕2号"
    assert [n["text"] for n in zz.json("docno --list --year 2017")] == ["武清整治办〔2017〕1号", "武清整治办〔2017〕2号"]


def test_undo_after_a_bulletin_docx_or_duban_letters_is_refused(zz, tmp_path):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-06-15")
    zz.ok(f"bulletin --month 2017-07 -o {tmp_path / '通报.docx'} --date 2017-08-03")
    refused(zz, "undo --yes", "武清整治办〔2017〕1号", "文号")
    assert [b["no"] for b in zz.json("bulletin --list")] == [1]
    folder = tmp_path / "letters"
    folder.mkdir()
    zz.ok(f"duban issue --as-of 2017-08-01 -o {folder}")
    refused(zz, "undo --yes", "武清整治督〔2017〕1号")
    again = zz.json(f"duban issue --as-of 2017-08-02 -o {folder}")["letters"]
    assert [r["doc_no"] for r in again] == ["武清整治督〔2017〕2号"]
    # a change that gave no 文号 still undoes
    zz.ok(f"bulletin --month 2017-08 -o {tmp_path / '通报8月.md'} --date 2017-08-31")
    zz.ok("undo --yes")
    assert [b["no"] for b in zz.json("bulletin --list")] == [1]


# ------------------------------------------------------------------ 4. older registers keep their stored plan

@pytest.mark.parametrize("old_register", OLD_VERSIONS, indirect=True)
def test_old_register_counts_working_days_over_the_2017_holidays(old_register):
    _version, url = old_register
    zz = Zz(url)
    plan = zz.json("plan")
    assert "2017-10-01" in plan["calendar"]["holidays"] and "2017-09-30" in plan["calendar"]["workdays"]
    assert plan["duban"]["reply_workdays"] == 5
    _unit_with_fix(zz, "升级测试街道", "2017-09-29")
    rows = zz.json("duban plan --as-of 2017-09-30")["units"]
    row = next(r for r in rows if r["unit"] == "升级测试街道")
    assert row["rule"] == "督办函" and row["reply_by"] == "2017-10-13"  # 09-30 is 调休; 10-01…10-08 国庆
    _unit_with_fix(zz, "升级测试镇", "2017-10-09")
    soon = next(r for r in zz.json("duban plan --as-of 2017-09-28")["units"] if r["unit"] == "升级测试镇")
    assert soon["rule"] == "提醒" and soon["items"][0]["workdays_left"] == 3  # 09-29, 09-30 (调休), 10-09
    folder = Path(url).parent / "letters" if "://" not in url else None
    if folder is not None:
        folder.mkdir()
        got = zz.json(f"duban issue --as-of 2017-09-30 -o {folder}")["letters"]
        mine = next(r for r in got if r["unit"] == "升级测试街道")
        assert re.fullmatch(r"武清整治督〔2017〕\d+号", mine["doc_no"])
        text = docx_text(Path(mine["file"]))
        assert "武清区作风纪律专项整治工作领导小组办公室文件" in text and "2017年10月13日前" in text


def test_a_stored_plan_of_another_campaign_gets_the_holidays_but_keeps_its_own_office(zz, tmp_path):
    from zhengzhi_cli.plan import default_plan_text, load

    text = default_plan_text()
    text = text.replace('name = "武清区政府系统开展作风纪律专项整治"', 'name = "某区作风纪律专项整治"', 1)
    text = text.replace('issuer = "武清区人民政府"', 'issuer = "某区人民政府"', 1)
    text = text[:text.index("[documents]")]  # a plan file written before [documents], [calendar], [duban]
    plan = load(text)
    assert dt_date("2017-10-02") in plan.calendar.holidays
    assert plan.documents.issuer == "某区人民政府办公室" and "武清" not in json.dumps(plan.documents.kinds, ensure_ascii=False)


def dt_date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)
