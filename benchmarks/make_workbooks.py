"""Big realistic unit workbooks for the benchmarks: a 问题清单 of N rows in the template's
layout (title row, 填报单位 / 填报日期 line, header), written with xlsxwriter constant_memory.

    python benchmarks/make_workbooks.py --rows 100000 --out /tmp/zzbench/issues_100k.xlsx [--unit 杨村街道]
    python benchmarks/make_workbooks.py --rows 100000 --files 10 --out /tmp/zzbench/batch   # ten files, ten units
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

AREAS = ["政治意识", "纪律意识", "责任意识", "服务意识", "担当意识", "效能意识", "规矩意识", "为民意识", "亲商意识", "宣传意识"]
SOURCES = ["自查", "征求意见", "督查", "上级反馈", "群众投诉"]
CHECKS = ["查政治纪律遵守情况", "查政令政策执行情况", "查政务服务开展情况", "查政府机关建设情况", ""]
WHAT = ["窗口工作人员", "审批科室", "执法队伍", "村居干部", "机关干部", "服务中心", "业务股室", "值班人员"]
HOW = ["办事拖沓，群众反映多次跑腿", "对待群众态度生硬，门难进、脸难看", "落实首问负责制不到位", "会议多、文件多，以文件落实文件",
       "限时办结制度执行不严", "调查研究不深入，情况不清", "工作推诿扯皮，矛盾上缴", "对上级部署学习传达不及时",
       "安全生产监管履职不到位", "向服务对象乱摊派、乱检查"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "明华强伟芳敏静丽军杰涛磊洋勇艳娟霞平刚"
UNITS = [("杨村街道", "120114001"), ("下朱庄街道", "120114002"), ("东蒲洼街道", "120114003"), ("黄庄街道", "120114004"),
         ("徐官屯街道", "120114005"), ("运河西街道", "120114006"), ("梅厂镇", "120114101"), ("大碱厂镇", "120114102"),
         ("崔黄口镇", "120114103"), ("大良镇", "120114104"), ("下伍旗镇", "120114105"), ("南蔡村镇", "120114106")]

HEADERS = ["序号", "整治重点", "问题来源", "四查四看", "问题描述", "发现日期", "责任领导", "责任人", "备注"]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def issue_rows(n: int, seed: int = 1):
    rng = random.Random(seed)
    start = dt.date(2017, 4, 1)
    for i in range(1, n + 1):
        yield [i, rng.choice(AREAS), rng.choice(SOURCES), rng.choice(CHECKS),
               f"{rng.choice(WHAT)}{rng.choice(HOW)}（第{i}项）", start + dt.timedelta(days=rng.randrange(90)),
               person(rng), person(rng), "" if rng.random() < 0.8 else "已约谈"]


def write_issues(path: Path, n: int, *, unit: str, seed: int = 1) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("问题清单")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, f"{unit}作风纪律专项整治问题清单")
    ws.write_string(1, 0, f"填报单位：{unit}")
    ws.write_string(1, 5, "填报日期：2017年5月10日")
    for c, h in enumerate(HEADERS):
        ws.write_string(2, c, h)
    for r, row in enumerate(issue_rows(n, seed), start=3):
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, int):
                ws.write_number(r, c, v)
            elif v:
                ws.write_string(r, c, v)
    wb.close()
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--unit", default=None)
    args = ap.parse_args()
    if args.files == 1:
        write_issues(args.out, args.rows, unit=args.unit or UNITS[0][0])
        print(args.out)
        return
    for k in range(args.files):
        unit = UNITS[k % len(UNITS)][0]
        print(write_issues(args.out / f"{k + 1:02d}_{unit}.xlsx", args.rows, unit=unit, seed=k + 1))


if __name__ == "__main__":
    main()
