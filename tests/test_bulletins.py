"""zz bulletin: the 通报 第N期 — lagging units, named accountability, typical cases, completed rectification;
numbered in sequence, recorded, a reissue keeps its number, an empty month gets none."""

import zipfile

import openpyxl


def _month_of_july(zz):
    """Overdue fixes in every tier on 2017-07-31, a completed fix, named accountability, both kinds of case."""
    i1 = zz.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--found", "2017-05-01"])["id"]
    i2 = zz.json(["issue", "add", "=1+2 台账不全", "--unit", "梅厂", "--area", "7", "--found", "2017-05-01"])["id"]
    zz.ok(f"fix add {i1} 推行首问负责 --deadline 2017-07-28")  # 3 days late: 蓝
    zz.ok(f"fix add {i1} 限时办结 --deadline 2017-07-10")  # 21 days: 黄
    zz.ok(f"fix add {i1} 公开办事指南 --deadline 2017-06-15")  # 46 days: 红
    zz.ok(f"fix add {i1} 作风建设 --deadline 长期坚持")  # never overdue
    done = zz.json(f"fix add {i2} 补齐台账 --deadline 2017-07-30")
    zz.ok(f"fix done {done['id']} --date 2017-07-20")
    zz.ok(["accountability", "add", "王明", "--unit", "杨村", "--measure", "通报批评", "--date", "2017-07-21",
           "--position", "窗口科科长", "--reason", "窗口办事拖沓", "--issue", str(i1)])
    zz.ok(["case", "add", "延时服务暖民心", "--kind", "正面", "--unit", "梅厂", "--published", "2017-07-15", "--where", "区政府网站"])
    zz.ok(["case", "add", "上班时间网购", "--kind", "反面", "--unit", "杨村", "--person", "李强", "--date", "2017-07-03"])


def test_bulletin_contents(district, tmp_path):
    zz = district
    _month_of_july(zz)
    data = zz.json("bulletin --month 2017-07")
    yc = next(u for u in data["lagging_units"] if u["unit"] == "杨村街道")
    assert yc["overdue"] == 3 and yc["tiers"] == {"蓝": 1, "黄": 1, "红": 1} and yc["max_days_late"] == 46
    assert data["lagging_units"][0]["unit"] == "杨村街道"  # worst first
    assert "实施方案" in yc["missed_milestones"]
    assert [a["person"] for a in data["accountability"]] == ["王明"]
    assert [c["title"] for c in data["cases"]["positive"]] == ["延时服务暖民心"]
    assert [c["person"] for c in data["cases"]["negative"]] == ["李强"]
    assert [f["task"] for f in data["completed"]] == ["补齐台账"]
    assert data["no"] is None and zz.json("bulletin --list") == []  # --json shows, never numbers

    md = tmp_path / "通报.md"
    r = zz.ok(f"bulletin --month 2017-07 -o {md} --date 2017-08-03")
    assert "第1期" in r.stdout
    text = md.read_text(encoding="utf-8")
    for needle in ("第1期", "2017年8月3日", "杨村街道", "窗口科科长王明", "通报批评", "红色预警 1 项", "延时服务暖民心",
                   "上班时间网购", "李强", "补齐台账", "实施方案"):
        assert needle in text, needle

    xlsx = tmp_path / "通报.xlsx"
    zz.ok(f"bulletin --month 2017-07 -o {xlsx}")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["通报", "滞后单位", "问责情况", "典型案例", "整改完成"]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert wb["问责情况"].print_title_rows == "$1:$2"
    assert wb["问责情况"].column_dimensions["B"].width >= 10  # wide enough for 杨村街道
    values = [c.value for row in wb["整改完成"].iter_rows() for c in row]
    assert "=1+2 台账不全" in values
    with zipfile.ZipFile(xlsx) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_numbering_and_reissue(district, tmp_path):
    zz = district
    _month_of_july(zz)
    zz.ok("accountability add 赵六 --unit 梅厂 --measure 批评教育 --date 2017-08-05")
    zz.ok(f"bulletin --month 2017-07 -o {tmp_path / 'a.md'} --date 2017-08-03")
    r = zz.ok(f"bulletin --month 2017-07 -o {tmp_path / 'b.xlsx'}")
    assert "沿用期号" in r.stdout and "第1期" in r.stdout
    zz.ok(f"bulletin --month 2017-08 -o {tmp_path / 'c.md'} --date 2017-09-04")
    r = zz.ok(f"bulletin --month 2017-07 -o {tmp_path / 'd.md'} --new-number")
    assert "第3期" in r.stdout
    recs = zz.json("bulletin --list")
    assert [(b["no"], b["period"]) for b in recs] == [(1, "2017-07"), (2, "2017-08"), (3, "2017-07")]
    assert recs[0]["issued_on"] == "2017-08-03" and recs[0]["file"].endswith("b.xlsx")
    assert "第2期" in (tmp_path / "c.md").read_text(encoding="utf-8")


def test_empty_month_writes_nothing(district, tmp_path):
    zz = district
    out = tmp_path / "通报.xlsx"
    r = zz.ok(f"bulletin --month 2017-02 -o {out}")
    assert "没有可通报的内容" in r.stdout and not out.exists()
    assert zz.json("bulletin --list") == []
    assert zz.json("bulletin --month 2017-02")["empty"] is True


def test_refusals_write_nothing(district, tmp_path):
    zz = district
    _month_of_july(zz)
    before = len(zz.json("log --limit 10000"))
    r = zz(f"bulletin --month 2017-07 -o {tmp_path / '通报.pdf'}")
    assert r.exit_code == 1 and "-o" in r.stderr and ".md" in r.stderr
    r = zz(f"bulletin --month 2017年13月 -o {tmp_path / 'x.md'}")
    assert r.exit_code == 1 and "月份" in r.stderr
    r = zz(f"bulletin --month 2017-07 -o {tmp_path / 'no-such-dir' / 'x.md'}")
    assert r.exit_code == 1 and "文件夹" in r.stderr
    assert zz("bulletin --month 2017-07").exit_code == 2  # -o missing
    assert len(zz.json("log --limit 10000")) == before and zz.json("bulletin --list") == []
    assert list(tmp_path.iterdir()) == [tmp_path / "zz.db"] or all(p.name.startswith("zz.db") for p in tmp_path.iterdir())
