"""公文 (GB/T 9704-2012): 文号 sequences (zz docno), the 通报 as .docx (zz bulletin -o …docx), an
office's own template (zz doc vars, --template). Each .docx is rendered through LibreOffice
headless to PDF and measured: A4 portrait, page numbers "— N —", 22 lines on a full page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import procs
from tests.zzcheck import clean, refused
from zhengzhi_cli.plan import default_plan_text

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOOLS = shutil.which("pdftotext") and shutil.which("pdfinfo")
needs_render = pytest.mark.skipif(not (SOFFICE and PDFTOOLS),
                                  reason="needs LibreOffice (soffice) and poppler-utils (pdftotext, pdfinfo) to render .docx to PDF")


def _pdf(docx: Path) -> Path:
    out = docx.parent / "pdf"
    profile = docx.parent / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx)], check=True, capture_output=True, timeout=180)
    return out / (docx.stem + ".pdf")


def _pages(pdf: Path) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [[ln for ln in page.splitlines() if ln.strip()] for page in text.split("\f") if page.strip()]


def _lagging_district(zz, units: int = 12) -> None:
    """`units` 街道, each with three fixes overdue on 2017-07-31 (蓝, 黄, 红), and one 问责."""
    for i in range(1, units + 1):
        zz.ok(["unit", "add", f"测试{i}号街道", "--kind", "街道"])
        issue = zz.json(["issue", "add", f"窗口办事拖沓问题{i}", "--unit", f"测试{i}号街道", "--area", "6", "--found", "2017-05-01"])
        for deadline in ("2017-06-15", "2017-07-10", "2017-07-28"):
            zz.ok(["fix", "add", str(issue["id"]), "推行首问负责", "--deadline", deadline])
    zz.ok(["accountability", "add", "王明", "--unit", "测试1号街道", "--measure", "通报批评", "--date", "2017-07-21",
           "--position", "科长", "--reason", "窗口办事拖沓"])


# ------------------------------------------------------------------ 文号

def test_docno_one_sequence_per_kind_per_year(zz):
    zz.ok("init")
    assert zz.ok("docno --kind 通报 --take --date 2017-08-01").stdout.strip() == "武清整治办〔2017〕1号"
    assert zz.ok("docno --kind 通报 --take --date 2017-08-02").stdout.strip() == "武清整治办〔2017〕2号"
    assert zz.ok("docno --kind 督办函 --take --date 2017-08-02").stdout.strip() == "武清整治督〔2017〕1号"
    assert zz.ok("docno --kind 通报 --take --date 2018-01-03").stdout.strip() == "武清整治办〔2018〕1号"
    rows = {r["kind"]: r for r in zz.json("docno --year 2017 --json")}
    assert rows["通报"]["last"] == 2 and rows["通报"]["next_text"] == "武清整治办〔2017〕3号"
    assert rows["公示"]["last"] == 0
    assert [d["text"] for d in zz.json("docno --list --year 2017 --kind 通报 --json")] == ["武清整治办〔2017〕1号", "武清整治办〔2017〕2号"]


def test_docno_set_continues_a_sequence_but_never_onto_a_given_number(zz):
    zz.ok("init")
    zz.ok("docno --kind 通报 --take --date 2017-03-01")
    zz.ok("docno --kind 通报 --take --date 2017-03-02")
    refused(zz, "docno --kind 通报 --set 2 --year 2017", "不能小于 3", "重复")
    refused(zz, "docno --kind 通报 --set 0 --year 2017", "--set")
    assert "〔2017〕10号" in zz.ok("docno --kind 通报 --set 10 --year 2017").stdout
    assert zz.ok("docno --kind 通报 --take --date 2017-04-01").stdout.strip() == "武清整治办〔2017〕10号"


def test_docno_refuses_unknown_kind_and_incomplete_use(zz):
    zz.ok("init")
    refused(zz, "docno --kind 公函 --take", "公函", "通报、督办函")
    refused(zz, "docno --take", "--kind", status=2)
    refused(zz, "docno --kind 通报 --take --set 3", "--set", status=2)


def test_docno_eight_concurrent_clerks_never_get_the_same_number(district, register_url):
    clerks = [procs.start(register_url, "docno", "--kind", "通报", "--take", "--date", "2017-08-01", "--subject", f"第{i}份",
                          ZZ_BUSY_TIMEOUT=60) for i in range(8)]
    outs = [c.communicate(timeout=180) for c in clerks]
    assert all(c.returncode == 0 for c in clerks), [o[1] for o in outs]
    numbers = sorted(o[0].strip() for o in outs)
    assert len(set(numbers)) == 8
    assert sorted(int(re.search(r"〕(\d+)号", n).group(1)) for n in numbers) == list(range(1, 9))
    assert procs.count(register_url, "doc_number") == 8


def test_plan_documents_section_checked_naming_the_line(zz, tmp_path):
    text = default_plan_text().replace('number_format = "{office}〔{year}〕{no}号"', 'number_format = "{office}〔{year}〕"')
    plan_file = tmp_path / "bad.toml"
    plan_file.write_text(text, encoding="utf-8")
    r = zz(["--db", str(tmp_path / "bad.db"), "init", "--plan", str(plan_file)])
    assert r.exit_code == 1, r.stdout + r.stderr
    clean(r)
    line = int(re.search(r"第 (\d+) 行", r.stderr).group(1))
    assert text.splitlines()[line - 1].startswith("number_format"), r.stderr


# ------------------------------------------------------------------ 通报 as 公文

def test_bulletin_docx_carries_the_gongwen_parts(district, tmp_path):
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm

    _lagging_district(district, units=3)
    out = tmp_path / "通报.docx"
    r = district.ok(f"bulletin --month 2017-07 -o {out} --date 2017-08-03")
    assert "第1期" in r.stdout and "武清整治办〔2017〕1号" in r.stdout
    d = docx.Document(str(out))
    s = d.sections[0]
    assert abs(s.page_width - Mm(210)) < Mm(0.1) and abs(s.page_height - Mm(297)) < Mm(0.1)  # A4 portrait (twips round)
    assert abs(s.top_margin - Mm(37)) < Mm(0.1) and abs(s.left_margin - Mm(28)) < Mm(0.1)
    assert abs(s.page_width - s.left_margin - s.right_margin - Mm(156)) < Mm(0.2)
    assert abs(s.page_height - s.top_margin - s.bottom_margin - Mm(225)) < Mm(0.2)
    text = "\n".join("".join(t.text or "" for t in p._p.iter(qn("w:t"))) for p in d.paragraphs)  # with the 版记's text box
    for needle in ("武清区作风纪律专项整治工作领导小组办公室文件", "武清整治办〔2017〕1号", "（第1期）", "测试1号街道科长王明",
                   "予以点名", "2017年8月13日前", "抄送：", "2017年8月3日印发"):
        assert needle in text, needle
    xml = out.read_bytes()
    import zipfile

    with zipfile.ZipFile(out) as z:
        body = z.read("word/document.xml").decode("utf-8")
        footers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer"))
    assert 'w:eastAsia="仿宋_GB2312"' in body and 'w:eastAsia="方正小标宋简体"' in body and 'w:eastAsia="黑体"' in body
    assert 'w:color w:val="FF0000"' in body and 'w:color="FF0000"' in body  # red 发文机关标志 and red line
    assert "PAGE" in footers and "— " in footers
    assert xml  # written whole

    # written again: the same 期号 and the same 文号, no new number taken
    district.ok(f"bulletin --month 2017-07 -o {out} --date 2017-08-03 --force")
    assert [n["text"] for n in district.json("docno --list --year 2017 --json")] == ["武清整治办〔2017〕1号"]


@needs_render
def test_bulletin_docx_renders_a4_with_page_numbers_and_22_lines_a_page(district, tmp_path):
    _lagging_district(district, units=12)
    out = tmp_path / "通报.docx"
    district.ok(f"bulletin --month 2017-07 -o {out} --date 2017-08-03")
    pdf = _pdf(out)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(w - 595.3) < 1 and abs(h - 841.9) < 1  # A4 portrait
    pages = _pages(pdf)
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        assert re.sub(r"\s", "", page[-1]) == f"—{n}—", page[-1]  # the page number, last line of the page
    body = pages[1][:-1]  # page 2 is body text only
    assert len(body) == 22, body
    assert max(len(re.sub(r"\s", "", ln)) for ln in body) <= 30  # 28 characters a line (digits are narrower)


def test_bulletin_docx_refusals_write_nothing(district, tmp_path):
    _lagging_district(district, units=1)
    refused(district, ["bulletin", "--month", "2017-07", "-o", str(tmp_path / "通报.xlsx"), "--template", str(tmp_path / "t.docx")],
            "--template", status=2)
    refused(district, ["bulletin", "--month", "2017-07", "-o", str(tmp_path / "通报.docx"), "--template", str(tmp_path / "无.docx")],
            "找不到")
    junk = tmp_path / "坏模板.docx"
    junk.write_bytes(b"PK\x03\x04 not really a zip" * 10)
    refused(district, ["bulletin", "--month", "2017-07", "-o", str(tmp_path / "通报.docx"), "--template", str(junk)], "不是可读的 .docx")
    assert not (tmp_path / "通报.docx").exists()
    assert district.json("bulletin --list --json") == [] and district.json("docno --list --year 2017 --json") == []


# ------------------------------------------------------------------ templates

def test_doc_vars_lists_the_placeholders(zz):
    r = zz.ok("doc vars 通报")
    for name in ("{{发文字号}}", "{{正文}}", "{{期号}}", "{{点名单位}}", "{{报送期限}}"):
        assert name in r.stdout
    names = [v["name"] for v in zz.json("doc vars 通报 --json")]
    assert "发文字号" in names and "正文" in names
    refused(zz, "doc vars 请示", "请示", "通报")


def _template(path: Path, *, extra: str = "") -> Path:
    import docx

    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("本办文号：{{发")  # a placeholder split over runs, as Word writes it
    p.add_run("文字号}}")
    d.add_paragraph("{{标题}}")
    d.add_paragraph("{{正文}}")
    d.add_paragraph(f"点名：{{{{点名单位}}}}，限{{{{报送期限}}}}前报送。{extra}")
    d.save(str(path))
    return path


def test_bulletin_fills_an_office_template(district, tmp_path):
    import docx

    _lagging_district(district, units=3)
    out = tmp_path / "通报.docx"
    district.ok(["bulletin", "--month", "2017-07", "-o", str(out), "--date", "2017-08-03", "--template", str(_template(tmp_path / "模板.docx"))])
    paras = [p.text for p in docx.Document(str(out)).paragraphs]
    assert paras[0] == "本办文号：武清整治办〔2017〕1号"
    assert paras[1].startswith("关于2017年7月作风纪律专项整治进展情况的通报（第1期）")
    assert any(p.startswith("现将2017年7月") for p in paras) and any(p.startswith("一、整改进展滞后单位") for p in paras)
    assert paras[-1] == "点名：测试1号街道、测试2号街道、测试3号街道，限2017年8月13日前报送。"
    assert not any("{{" in p for p in paras)


def test_template_with_an_unknown_placeholder_is_refused_by_name(district, tmp_path):
    _lagging_district(district, units=1)
    tpl = _template(tmp_path / "模板.docx", extra="{{签发人}}")
    refused(district, ["bulletin", "--month", "2017-07", "-o", str(tmp_path / "通报.docx"), "--template", str(tpl)],
            "{{签发人}}", "zz doc vars")
    assert not (tmp_path / "通报.docx").exists()


# ------------------------------------------------------------------ 督办: working days and escalation

def test_working_days_across_a_holiday_and_a_tiaoxiu_saturday():
    import datetime as dt

    from zhengzhi_cli.plan import load

    cal = load().calendar
    d = dt.date
    assert cal.is_workday(d(2017, 9, 30)) and not cal.is_workday(d(2017, 10, 2)) and not cal.is_workday(d(2017, 9, 24))
    assert cal.add(d(2017, 9, 29), 1) == d(2017, 9, 30)  # 调休 Saturday is worked
    assert cal.add(d(2017, 9, 30), 1) == d(2017, 10, 9)  # 国庆中秋 1–8 October off
    assert cal.add(d(2017, 9, 28), 3) == d(2017, 10, 9)
    assert cal.between(d(2017, 9, 28), d(2017, 10, 9)) == 3
    assert cal.add(d(2017, 5, 26), 1) == d(2017, 5, 27) and cal.add(d(2017, 5, 27), 1) == d(2017, 5, 31)  # 端午


def _unit_with_fix(zz, name: str, deadline: str) -> None:
    zz.ok(["unit", "add", name, "--kind", "街道"])
    issue = zz.json(["issue", "add", f"{name}窗口办事拖沓", "--unit", name, "--area", "6", "--found", "2017-05-01"])
    zz.ok(["fix", "add", str(issue["id"]), "推行首问负责", "--deadline", deadline])


def _rule(zz, as_of: str, unit: str):
    rows = zz.json(f"duban plan --as-of {as_of} --json")["units"]
    return next((r for r in rows if r["unit"] == unit), None)


def test_duban_remind_counts_working_days_to_the_boundary(zz):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-09-29")  # a Friday
    _unit_with_fix(zz, "乙街道", "2017-10-09")  # the first working day after 国庆
    assert _rule(zz, "2017-09-25", "甲街道") is None  # 4 working days before: not yet
    assert _rule(zz, "2017-09-26", "甲街道")["rule"] == "提醒"  # the 3rd working day after is the deadline
    assert _rule(zz, "2017-09-29", "甲街道")["rule"] == "提醒"  # due today is not late
    assert _rule(zz, "2017-09-27", "乙街道") is None
    r = _rule(zz, "2017-09-28", "乙街道")  # 09-29, 09-30 (调休), 10-09: 3 working days across the holiday
    assert r["rule"] == "提醒" and r["items"][0]["workdays_left"] == 3


def test_duban_letter_when_overdue_with_reply_in_working_days(zz):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-09-29")
    r = _rule(zz, "2017-09-30", "甲街道")
    assert r["rule"] == "督办函" and r["items"][0]["days_late"] == 1
    assert r["reply_by"] == "2017-10-13"  # 5 working days: 10-09 … 10-13


def test_duban_red_card_over_30_days_late_proposes_a_talk_only(zz):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-08-01")
    assert _rule(zz, "2017-08-31", "甲街道")["rule"] == "督办函"  # 30 days late
    r = _rule(zz, "2017-09-01", "甲街道")  # 31 days
    assert r["rule"] == "红牌" and r["proposal"] == "约谈"
    assert zz.json("accountability list --json") == []


def test_duban_red_card_after_two_letters_in_a_quarter(zz, tmp_path):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-07-20")
    zz.ok(["duban", "issue", "--as-of", "2017-07-25", "-o", str(tmp_path)])
    assert _rule(zz, "2017-08-01", "甲街道")["rule"] == "督办函"  # one letter so far
    zz.ok(["duban", "issue", "--as-of", "2017-08-01", "-o", str(tmp_path)])
    r = _rule(zz, "2017-08-02", "甲街道")
    assert r["rule"] == "红牌" and r["letters_this_quarter"] == 2 and r["proposal"] == "约谈"
    assert _rule(zz, "2017-07-25", "甲街道")["letters_this_quarter"] == 0  # counted before the day only
    assert zz.json("accountability list --json") == []


def test_duban_issue_numbers_letters_and_keeps_them_when_written_again(zz, tmp_path):
    import docx

    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-09-01")
    _unit_with_fix(zz, "乙街道", "2017-09-10")
    _unit_with_fix(zz, "丙街道", "2017-12-01")  # not due: no letter
    sent = zz.json(["duban", "issue", "--as-of", "2017-09-15", "-o", str(tmp_path), "--json"])["letters"]
    assert sorted(s["doc_no"] for s in sent) == ["武清整治督〔2017〕1号", "武清整治督〔2017〕2号"]
    again = zz.json(["duban", "issue", "--as-of", "2017-09-15", "-o", str(tmp_path), "--json"])["letters"]
    assert sorted(s["doc_no"] for s in again) == sorted(s["doc_no"] for s in sent) and all(s["reused"] for s in again)
    text = "\n".join(p.text for p in docx.Document(sent[0]["file"]).paragraphs)
    assert sent[0]["doc_no"] in text and "督办函" in text and "2017年9月22日前" in text  # 5 working days after 09-15
    refused(zz, ["duban", "issue", "--as-of", "2017-09-15", "-o", str(tmp_path / "无此目录")], "文件夹")


@needs_render
def test_duban_letter_renders_a4_with_page_numbers(zz, tmp_path):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-09-01")
    sent = zz.json(["duban", "issue", "--as-of", "2017-09-15", "-o", str(tmp_path), "--json"])["letters"]
    pdf = _pdf(Path(sent[0]["file"]))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(w - 595.3) < 1 and abs(h - 841.9) < 1
    pages = _pages(pdf)
    assert re.sub(r"\s", "", pages[0][-1]) == "—1—"


def test_plan_shows_the_duban_rules_and_calendar(zz):
    zz.ok("init")
    out = zz.ok("plan").stdout
    assert "督办规则" in out and "红牌" in out and "法定节假日 26 天" in out and "调休上班 5 天" in out
    data = zz.json("plan --json")
    assert data["duban"] == {"remind_workdays": 3, "reply_workdays": 5, "red_card_letters": 2, "red_card_days_late": 30}
    assert "2017-09-30" in data["calendar"]["workdays"] and "2017-10-02" in data["calendar"]["holidays"]


def test_plan_calendar_day_both_holiday_and_workday_refused_naming_the_line(zz, tmp_path):
    text = default_plan_text().replace("workdays = [2017-01-22,", "workdays = [2017-10-02, 2017-01-22,")
    plan_file = tmp_path / "bad.toml"
    plan_file.write_text(text, encoding="utf-8")
    r = zz(["--db", str(tmp_path / "bad.db"), "init", "--plan", str(plan_file)])
    assert r.exit_code == 1 and "2017-10-02" in r.stderr, r.stdout + r.stderr
    clean(r)
    line = int(re.search(r"第 (\d+) 行", r.stderr).group(1))
    assert text.splitlines()[line - 1].startswith("workdays"), r.stderr


def test_duban_reply_and_unreplied_list(zz, tmp_path):
    zz.ok("init")
    _unit_with_fix(zz, "甲街道", "2017-09-01")
    _unit_with_fix(zz, "乙街道", "2017-09-01")
    sent = zz.json(["duban", "issue", "--as-of", "2017-09-15", "-o", str(tmp_path), "--json"])["letters"]
    assert len(zz.json("duban list --unreplied --json")) == 2
    first = sent[0]
    refused(zz, ["duban", "reply", str(first["id"]), "--date", "2017-09-14"], "早于")
    refused(zz, ["duban", "reply", "999", "--date", "2017-09-20"], "999")
    zz.ok(["duban", "reply", str(first["id"]), "--date", "2017-09-20", "--ref", "甲街〔2017〕5号"])
    refused(zz, ["duban", "reply", str(first["id"]), "--date", "2017-09-21"], "已于 2017-09-20 回复")
    left = zz.json("duban list --unreplied --as-of 2017-09-25 --json")
    assert [r["unit"] for r in left] == [sent[1]["unit"]] and left[0]["reply_overdue"] and left[0]["reply_by"] == "2017-09-22"
    every = zz.json("duban list --json")
    assert {r["doc_no"] for r in every} == {s["doc_no"] for s in sent} and all(r["fix_ids"] for r in every)
    # written again the same day: the same letters, not new ones
    zz.ok(["duban", "issue", "--as-of", "2017-09-15", "-o", str(tmp_path)])
    assert len(zz.json("duban list --json")) == 2


# ------------------------------------------------------------------ 公示 and 总结报告

def test_report_public_and_summary_as_gongwen(district, tmp_path):
    import docx

    _lagging_district(district, units=2)
    pub = tmp_path / "公示.docx"
    district.ok(["report", "public", "-o", str(pub), "--as-of", "2017-09-30"])
    text = "\n".join(p.text for p in docx.Document(str(pub)).paragraphs)
    assert "武清整治公〔2017〕1号" in text and "整改情况的公示" in text and "测试1号街道" in text
    assert "王明" not in text  # no personal name in a 政务公开 notice
    summ = tmp_path / "总结报告.docx"
    district.ok(["report", "summary", "-o", str(summ), "--as-of", "2017-12-10"])
    text = "\n".join(p.text for p in docx.Document(str(summ)).paragraphs)
    assert "武清整治总〔2017〕1号" in text and "总结报告" in text and "问责 1 人次" in text
    district.ok(["report", "summary", "-o", str(summ), "--as-of", "2017-12-10", "--force"])  # again: same 文号
    assert [d["text"] for d in district.json("docno --list --year 2017 --kind 总结报告 --json")] == ["武清整治总〔2017〕1号"]
    xlsx = tmp_path / "公示.xlsx"
    district.ok(["report", "public", "-o", str(xlsx), "--as-of", "2017-09-30"])  # the workbook as before
    assert xlsx.exists()


@needs_render
def test_summary_report_renders_a4_with_page_numbers(district, tmp_path):
    _lagging_district(district, units=2)
    summ = tmp_path / "总结报告.docx"
    district.ok(["report", "summary", "-o", str(summ), "--as-of", "2017-12-10"])
    pages = _pages(_pdf(summ))
    assert all(re.sub(r"\s", "", p[-1]) == f"—{n}—" for n, p in enumerate(pages, start=1))
