"""zz report public: rectification status for 政务公开, with every personal name, position, phone and
accountability detail removed — proven by searching every part of the written workbook."""

import zipfile

import openpyxl

NAMES = ["赵大海", "钱小红", "王明", "李书记", "周八", "吴核验", "郑批准", "孙副镇长", "督查员冯九", "陈十一",
         "13912345678", "022-29341234", "窗口科科长", "副镇长"]


def _register(zz):
    zz.ok(["unit", "edit", "杨村", "--leader", "赵大海", "--contact", "钱小红", "--phone", "022-29341234"])
    i1 = zz.json(["issue", "add", "科员王明上班时间炒股，群众举报电话13912345678", "--unit", "杨村", "--area", "规矩意识",
                  "--owner", "王明", "--leader", "李书记", "--found", "2017-05-02"])["id"]
    i2 = zz.json(["issue", "add", "审批超时", "--unit", "D13", "--area", "效能意识", "--owner", "周八", "--found", "2017-05-03"])["id"]
    i3 = zz.json(["issue", "add", "值班表未公示", "--unit", "梅厂", "--area", "规矩意识", "--found", "2017-05-04"])["id"]
    f1 = zz.json(["fix", "add", str(i1), "王明作出书面检查，由李书记约谈", "--deadline", "2017-06-30"])["id"]
    zz.ok(f"fix done {f1} --date 2017-06-10")
    zz.ok(f"fix verify {f1} --by 吴核验 --date 2017-06-20")
    f2 = zz.json(["fix", "add", str(i2), "压缩审批时限", "--deadline", "2017-06-30", "--owner", "周八"])["id"]
    zz.ok(f"fix progress {f2} 已起草办法 --date 2017-06-12")  # dated: a report as of D counts what stood on D
    zz.ok(["fix", "extend", str(f2), "--to", "2017-09-30", "--approver", "郑批准", "--reason", "涉及流程再造",
           "--date", "2017-06-25"])
    f3 = zz.json(["fix", "add", str(i3), "公示值班表", "--deadline", "2017-06-30"])["id"]
    zz.ok(f"fix progress {f3} 已排班 --date 2017-08-01")
    zz.ok(f"fix done {f3} --date 2017-09-15")
    zz.ok(["accountability", "add", "孙副镇长", "--unit", "梅厂", "--measure", "移交纪检", "--date", "2017-08-01",
           "--position", "副镇长", "--reason", "失职"])
    zz.ok(["accountability", "add", "王明", "--unit", "杨村", "--measure", "诫勉谈话", "--date", "2017-08-01", "--position", "窗口科科长"])
    zz.ok(["case", "add", "上班炒股被查处", "--kind", "反面", "--unit", "杨村", "--person", "陈十一"])
    zz.ok(["inspect", "add", "--unit", "杨村", "--kind", "明察暗访", "--date", "2017-07-12", "--by", "督查员冯九"])
    return i1, i2, i3


def test_no_personal_data_anywhere_in_the_file(district, tmp_path):
    zz = district
    _register(zz)
    out = tmp_path / "整改情况公示.xlsx"
    r = zz.ok(f"report public -o {out} --as-of 2017-09-30")
    assert "已写入" in r.stdout
    with zipfile.ZipFile(out) as z:
        parts = {n: z.read(n).decode("utf-8", errors="replace") for n in z.namelist()}
    for name in NAMES:
        for part, text in parts.items():
            assert name not in text, f"{name} in {part}"
    everything = "".join(parts.values())
    assert "杨村街道" in everything and "区行政审批局" in everything and "规矩意识" in everything
    assert "××上班时间炒股" in everything and "压缩审批时限" in everything  # the item is kept, the name is not
    assert "诫勉" not in everything and "移交纪检" not in everything  # no accountability detail


def units_of(data):
    return {u["unit"]: u for u in data["units"]}


def test_figures_by_unit_and_area_as_of_a_date(district, tmp_path):
    zz = district
    _register(zz)
    sep = zz.json("report public --as-of 2017-09-01")
    assert "items" not in sep
    # 梅厂's fix is only done on 09-15: on 09-01 it counts as in progress
    assert sep["totals"]["issues"] == 3 and sep["totals"]["closed"] == 1 and sep["totals"]["fixing"] == 2
    assert sep["totals"]["not_fixed"] == 0 and units_of(sep)["梅厂镇"]["fixing"] == 1
    units = {u["unit"]: u for u in sep["units"]}
    assert units["杨村街道"]["closed"] == 1 and units["杨村街道"]["rate"] == 1.0
    assert units["区行政审批局"]["fixing"] == 1 and units["下朱庄街道"]["issues"] == 0
    areas = {a["area"]: a for a in sep["areas"]}
    assert areas["规矩意识"]["issues"] == 2 and areas["效能意识"]["fixing"] == 1
    oct_ = zz.json("report public --as-of 2017-10-01")
    assert oct_["totals"]["fixed"] == 1 and oct_["totals"]["closed"] == 1
    out = tmp_path / "公示.xlsx"
    zz.ok(f"report public -o {out} --as-of 2017-10-01")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["说明", "按单位", "按整治重点", "整改事项"]
    items = list(wb["整改事项"].iter_rows(min_row=3, values_only=True))
    assert [(row[1], row[6]) for row in items] == [("杨村街道", "已完成"), ("梅厂镇", "已完成"), ("区行政审批局", "整改中")]
    ws = wb["整改事项"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"


def test_refusals(district, tmp_path):
    zz = district
    r = zz(f"report public -o {tmp_path / '公示.csv'}")
    assert r.exit_code == 1 and ".xlsx" in r.stderr and not (tmp_path / "公示.csv").exists()
    assert zz("report public").exit_code == 0  # no -o: the figures at the terminal
    r = zz(f"report public -o {tmp_path / 'x.xlsx'} --as-of 明天")
    assert r.exit_code == 1 and "--as-of" in r.stderr
