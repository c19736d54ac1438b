"""zz report public: rectification status for 政务公开, with every personal name, position, phone and
accountability detail removed — proven by searching every part of the written workbook."""

import zipfile

import openpyxl
from conftest import PUBLIC_NAMES, public_register


def test_no_personal_data_anywhere_in_the_file(district, tmp_path):
    zz = district
    public_register(zz)
    out = tmp_path / "整改情况公示.xlsx"
    r = zz.ok(f"report public -o {out} --as-of 2017-09-30")
    assert "已写入" in r.stdout
    with zipfile.ZipFile(out) as z:
        parts = {n: z.read(n).decode("utf-8", errors="replace") for n in z.namelist()}
    for name in PUBLIC_NAMES:
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
    public_register(zz)
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
