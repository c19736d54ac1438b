"""`zz export ledger` of N issues (each with one fix) against a plain xlsxwriter
constant_memory script writing the same rows (values read from the same register).

    python benchmarks/bench_export.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))
from bench_import import fresh_register, timed  # noqa: E402

BASELINE = r'''
import sqlite3, sys, datetime as dt
import xlsxwriter
conn = sqlite3.connect(sys.argv[1])
wb = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
date = wb.add_format({"num_format": "yyyy-mm-dd", "border": 1})
cell = wb.add_format({"border": 1, "text_wrap": True})
for sheet, sql in (("问题清单", "SELECT u.name, i.seq, i.area, i.source, i.check_item, i.description, i.found_on, i.leader, i.owner, i.note"
                                 " FROM issue i JOIN unit u ON u.id = i.unit_id ORDER BY i.seq"),
                   ("整改清单", "SELECT u.name, f.seq, i.seq, f.task, f.leader, f.owner, f.deadline, f.status, f.done_on, f.evidence, f.note,"
                                 " f.progress, f.verified_on, f.verified_by FROM fix f JOIN issue i ON i.id = f.issue_id"
                                 " JOIN unit u ON u.id = f.unit_id ORDER BY f.seq")):
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(conn.execute(sql), start=3):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[:4].isdigit():
                ws.write_datetime(r, c, dt.datetime.fromisoformat(v), date)
            elif isinstance(v, str):
                ws.write_string(r, c, v, cell)
            else:
                ws.write_number(r, c, v, cell)
wb.close()
'''


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()) / "zzbench")
    args = ap.parse_args()
    args.tmp.mkdir(parents=True, exist_ok=True)
    from make_workbooks import UNITS, write_issues

    # A register of N issues, each with one fix: import an issue list, then a matching 整改清单 CSV.
    env = fresh_register(args.tmp, "export", UNITS[:1])
    issues = args.tmp / f"issues_{args.rows}.xlsx"
    if not issues.exists():
        write_issues(issues, args.rows, unit=UNITS[0][0])
    fixes = args.tmp / f"fixes_{args.rows}.csv"
    with open(fixes, "w", encoding="utf-8") as fh:
        fh.write("填报单位：杨村街道\n序号,问题序号,整改任务及措施,责任领导,责任人,整改时限,整改状态,完成日期\n")
        for i in range(1, args.rows + 1):
            status = ("未开始", "整改中", "已完成")[i % 3]
            fh.write(f"{i},{i},推行首问负责制并公开办事流程（第{i}项）,刘建国,王明,2017-06-30,{status},{'2017-06-20' if status == '已完成' else ''}\n")
    for path in (issues, fixes):
        subprocess.run([str(BIN / "zz"), "import", str(path)], env=env, check=True, stdout=subprocess.DEVNULL)
    base, zz = [], []
    for _ in range(args.repeat):
        base.append(timed([sys.executable, "-c", BASELINE, env["ZZ_DB"], str(args.tmp / "base.xlsx")], env))
        zz.append(timed([str(BIN / "zz"), "export", "ledger", "--force", "-o", str(args.tmp / "ledger.xlsx")], env))
    med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
    print(json.dumps({"issues": args.rows, "fixes": args.rows, "baseline_s": med(base, 0), "baseline_mb": med(base, 1),
                      "zz_export_s": med(zz, 0), "zz_export_mb": med(zz, 1), "ratio": round(med(zz, 0) / med(base, 0), 2),
                      "runs": {"baseline": base, "zz": zz}}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
