"""回头看核查清单.xlsx: written by `zz recheck plan|expand -o`, filled in by the checkers (结果,
核查人, 核查日期, 说明), read back by `zz recheck import`. The file knows no database: rows in,
rows out (新时限 and 处理建议 optional, for a failed recheck); a row whose 结果, 核查人 and 核查日期 are all blank is one not yet checked."""

from __future__ import annotations

from pathlib import Path

from ..errors import FileRefused
from .bulletin import Table, write_book

HEAD = ["整改编号", "单位", "存在问题", "整改任务及措施", "责任人", "销号日期", "销号人", "结果", "核查人", "核查日期", "说明", "新时限", "处理建议"]
# the columns read back, with the names a checker might put in their place
WANTED = {"fix_id": ("整改编号", "编号"), "result": ("结果", "回头看结果", "核查结果"), "by": ("核查人", "回头看核查人"),
          "on": ("核查日期", "回头看日期", "日期"), "reason": ("说明", "理由", "备注", "未通过理由"),
          "deadline": ("新时限", "整改新时限", "重新整改时限"), "propose": ("处理建议", "建议")}
NEEDED = ("fix_id", "result", "by", "on")
HOW = ("结果填“巩固”“反弹”或“虚假整改”（后两者该项整改即重新打开，“新时限”可填重新整改的时限，不填按方案默认天数；"
       "“处理建议”可填“约谈”等，写入月报综述）；核查人不能是该项整改的责任人；填好后运行 zz recheck import 本文件")


def write_checklist(path: Path, title: str, rows: list[dict]) -> None:
    table = Table("回头看核查清单", title, HEAD,
                  [[r["fix_id"], r["unit"], r["issue"], r["task"], r["owner"], r["verified_on"], r["verified_by"],
                    None, None, None, None, None, None] for r in rows], note=HOW,
                  widths={2: 30, 3: 30, 7: 10, 8: 10, 9: 12, 10: 20, 11: 12, 12: 10})
    write_book(Path(path), tables=[table])


def read_results(path: Path) -> list[dict]:
    """The filled-in rows: {sheet, row (as Excel numbers it), fix_id, result, by, on, reason}."""
    from .files import cell_text, find_header, read_any

    path = Path(path)
    rows, problems, found = [], [], False
    for sheet in read_any(path):
        head = find_header(sheet.rows, WANTED, lambda cols: all(k in cols for k in NEEDED))
        if head is None:
            continue
        found = True
        r0, cols = head
        for r in range(r0 + 1, len(sheet.rows)):
            line = sheet.rows[r]
            values = {k: cell_text(line[c]) if c < len(line) else "" for k, c in cols.items()}
            if not any(values[k] for k in ("result", "by", "on")):
                continue  # not checked yet (or the note under the table)
            where = {"sheet": sheet.name, "row": r + 1}
            missing = [WANTED[k][0] for k in ("result", "by", "on") if not values[k]]
            fix_text = values["fix_id"]
            if not fix_text.isdigit() or int(fix_text) <= 0:
                problems.append({**where, "column": "整改编号", "value": fix_text,
                                 "why": "应为整改编号（正整数，即清单第一列）"})
            elif missing:
                problems.append({**where, "column": missing[0], "value": "",
                                 "why": f"已填写部分结果，但“{'”“'.join(missing)}”未填；三项须一并填写"})
            else:
                rows.append({**where, "fix_id": int(fix_text), "result": values["result"], "by": values["by"],
                             "on": values["on"], "reason": values.get("reason") or None,
                             "deadline": values.get("deadline") or None, "propose": values.get("propose") or None})
    if not found:
        raise FileRefused(f"文件“{path.name}”：没有找到回头看结果表的表头（需要“整改编号”“结果”“核查人”“核查日期”列，"
                          "可用 zz recheck plan -o 生成核查清单）", field="file")
    if problems:
        lines = [f"文件“{path.name}”有 {len(problems)} 处错误，未登记任何回头看结果："]
        lines += [f"  工作表“{p['sheet']}”第 {p['row']} 行“{p['column']}”列（{p['value']}）：{p['why']}" for p in problems[:50]]
        lines.append("请改正后重新导入")
        raise FileRefused("\n".join(lines), field="file", problems=problems)
    if not rows:
        raise FileRefused(f"文件“{path.name}”：没有填写任何回头看结果（结果、核查人、核查日期）", field="file")
    return rows
