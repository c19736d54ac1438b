"""Makes the sample unit workbooks in this folder (run once; the produced files are committed).

- 杨村街道_模板填报.xlsx: `zz template --unit 杨村街道` filled in tidily (openpyxl).
- 梅厂镇_整改台账.xlsx: a messy combined 整改台账 as a town really sends it: title rows, a
  填报单位/填报日期 line, header cells with line breaks and synonyms, merged cells (one issue
  with two measures), free-text dates, full-width digits, status words, footnotes.
- 下朱庄街道_问题清单_LibreOffice.xlsx: saved by LibreOffice Calc (soffice --headless
  --convert-to xlsx) from a workbook written here; needs `soffice` on PATH.

    ZZ_DB=/tmp/samples.db python src/zhengzhi_cli/sample_data/workbooks/make_samples.py
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parents[3] / "tests" / "fixtures" / "workbooks"


def zz(*args: str) -> None:
    zz_bin = Path(sys.executable).with_name("zz")
    subprocess.run([str(zz_bin), *args], check=True, stdout=subprocess.DEVNULL)


def tidy() -> Path:
    import openpyxl

    out = HERE / "杨村街道_模板填报.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZZ_DB"] = str(Path(tmp) / "t.db")
        zz("unit", "add", "杨村街道", "--kind", "街道", "--code", "120114001")
        zz("template", "-o", str(out), "--unit", "杨村街道")
    wb = openpyxl.load_workbook(out)
    wb["问题清单"]["E2"] = "填报日期：2017年5月10日"
    issues = [
        (1, "效能意识", "自查", "查政府机关建设情况", "便民服务大厅窗口办事拖沓，部分事项群众需多次往返", dt.date(2017, 4, 12), "刘建国", "王明", None),
        (2, "服务意识", "征求意见", "查政务服务开展情况", "个别工作人员对待群众态度生硬，解释政策不耐心", dt.date(2017, 4, 18), "刘建国", "李静", "座谈会反映"),
        (3, "纪律意识", "自查", "查政治纪律遵守情况", "考勤制度执行不严，存在迟到早退现象", dt.date(2017, 4, 20), "张华", "赵敏", None),
        (4, "担当意识", "上级反馈", "查政令政策执行情况", "老旧小区改造进度滞后，确定的目标任务未按要求完成", dt.date(2017, 5, 3), "张华", "孙伟", "巡察反馈"),
    ]
    fixes = [
        (1, 1, "推行首问负责制和限时办结制，公开办事流程", "刘建国", "王明", "2017年6月底前", "已完成", dt.date(2017, 6, 20), "办结时限平均缩短2天", None),
        (2, 1, "开展窗口人员业务培训", "刘建国", "王明", "长期坚持", "整改中", None, None, None),
        (3, 2, "开展文明服务教育，设立群众评议台", "刘建国", "李静", dt.date(2017, 5, 31), "已销号", dt.date(2017, 5, 28), "群众满意率提升", None),
        (4, 3, "实行指纹考勤，每周通报", "张华", "赵敏", "立行立改", "已完成", dt.date(2017, 4, 21), None, None),
        (5, 4, "制定改造推进计划，挂图作战", "张华", "孙伟", "年底前", "正在整改", None, None, None),
    ]
    rules = [
        (1, "首问负责制度", "立", "1", dt.date(2017, 6, 30), "已完成", "杨街发〔2017〕12号", None),
        (2, "机关考勤管理办法", "改", "3", "2017年6月底前", "起草中", None, None),
    ]
    for name, rows in (("问题清单", issues), ("整改清单", fixes), ("制度清单", rules)):
        ws = wb[name]
        for r, row in enumerate(rows, start=4):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(r, c, v)
                    if isinstance(v, dt.date):
                        ws.cell(r, c).number_format = "yyyy-mm-dd"
    wb.save(out)
    return out


def messy() -> Path:
    import xlsxwriter

    out = HERE / "梅厂镇_整改台账.xlsx"
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet("Sheet1")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    date = wb.add_format({"border": 1, "num_format": "yyyy年m月d日", "valign": "vcenter"})
    ws.merge_range("A1:K1", "梅厂镇作风纪律专项整治问题整改台账", title)
    ws.merge_range("A2:F2", "填报单位（盖章）：梅厂镇    联系人：周丽  电话：022-29531234", None)
    ws.merge_range("G2:K2", "填报日期：2017年5月12日", None)
    headers = ["序 号", "问题\n类别", "问题来源", "存在问题\n（具体表现）", "整改措施", "责任\n领导", "责任人", "完成\n时限", "整改\n情况",
               "完成\n时间", "备注"]
    for c, h in enumerate(headers):
        ws.write(2, c, h, head)
    # issue 1 has two measures: 序号, 类别, 来源, 问题 merged over two rows
    ws.merge_range("A4:A5", "１", cell)
    ws.merge_range("B4:B5", "（六）效能意识", cell)
    ws.merge_range("C4:C5", "群众投诉", cell)
    ws.merge_range("D4:D5", "  农村土地确权办理时限长，群众多次往返  ", cell)
    ws.write("E4", "简化确权办理流程，实行一次性告知", cell)
    ws.write("E5", "每月公示办理进度", cell)
    ws.merge_range("F4:F5", "马 骏", cell)
    ws.merge_range("G4:G5", "高 洋", cell)
    ws.write("H4", "2017年6月底前", cell)
    ws.write("H5", "长期坚持", cell)
    ws.write("I4", "已整改", cell)
    ws.write("I5", "正在整改", cell)
    ws.write_datetime("J4", dt.datetime(2017, 6, 15), date)
    ws.write("K4", "", cell)
    rows = [
        ("２", "服务意识", "自查自纠", "镇便民服务中心午休时间无人值守", "实行午间轮岗值班制度", "马骏", "林芳", "立行立改", "已办结", "2017.4.28", ""),
        (3, "纪律意识", "四查四看", "公车使用登记不规范", "完善公车使用审批登记", "胡刚", "何敏", "2017.5.31", "部分整改", "", "正在修订制度"),
        ("4", "为民意识", "代表建议", "村级惠民资金公示不及时", "", "胡刚", "郭静", "", "", "", "尚未制定措施"),
        (5, "规矩意识", "上级反馈", "重大事项请示报告不及时", "建立重大事项报告台账", "马骏", "罗杰", "年底前", "未整改", "", ""),
    ]
    for r, row in enumerate(rows, start=5):
        for c, v in enumerate(row):
            ws.write(r, c, v, cell) if not isinstance(v, str) else ws.write_string(r, c, v, cell)
    ws.merge_range("A11:K11", "注：1.“问题类别”按十个整治重点填写；2.整改情况填写已整改、正在整改或未整改。", None)
    ws.write("A12", "填表人：周丽                审核人：马骏")
    ws.set_column("A:A", 5)
    ws.set_column("D:E", 30)
    wb.close()
    return out


def libreoffice() -> Path:
    import openpyxl

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("soffice not found: apt-get install -y libreoffice-calc-nogui")
    out = HERE / "下朱庄街道_问题清单_LibreOffice.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "下朱庄街道_问题清单_LibreOffice.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "问题清单"
        ws.append(["下朱庄街道作风纪律专项整治问题清单"])
        ws.append(["填报单位：", "下朱庄街道", None, None, "填报日期：", "2017/5/8"])
        ws.append(["序号", "整治重点", "问题来源", "四查四看", "问题表现", "发现时间", "分管领导", "具体责任人", "备注"])
        ws.append([1, "责任意识", "自查", 1, "部门间协调配合不到位，存在推诿扯皮", "2017/4/10", "陈东", "吴霞", None])
        ws.append([2, "6", "督查", "4", "会议多、发文多，以文件落实文件", "2017年4月25日", "陈东", "徐平", None])
        ws.append([3, "亲商意识", "征求意见", None, "对企业诉求回应不及时", 42855, "朱刚", "林涛", "企业座谈会"])
        ws.merge_cells("A1:I1")
        fx = wb.create_sheet("整改")
        fx.append(["序号", "对应问题序号", "整改举措", "责任领导", "责任人", "时限要求", "整改进度", "完成日期", "整改成效", "备注"])
        fx.append([1, 1, "建立部门协调联席会议制度", "陈东", "吴霞", "2017年6月底", "正在办理", None, None, None])
        fx.append([2, 2, "精简会议文件，推行无纸化会议", "陈东", "徐平", "6月底前", "已完成", "2017-06-10", "会议数量减少三成", None])
        fx.append([3, 3, "建立企业诉求快速响应机制", "朱刚", "林涛", "2017年12月31日", "未开始", None, None, None])
        wb.save(src)
        outdir = Path(tmp) / "lo"
        subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(src)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "HOME": tmp})
        shutil.copy(outdir / src.name, out)
    return out


if __name__ == "__main__":
    made = [tidy(), messy(), libreoffice()]
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for path in made[1:]:
        shutil.copy(path, FIXTURES / path.name)
    for path in made:
        print(path)
