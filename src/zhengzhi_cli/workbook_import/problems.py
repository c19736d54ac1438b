"""A refused file: every bad cell in one message (sheet, row, column, value, why, what is accepted)."""

from __future__ import annotations

from pathlib import Path

from ..errors import FileRefused
from ..excel import columns as C

def refusal(path: Path, problems: list[dict]) -> FileRefused:
    lines = [f"文件“{path.name}”有 {len(problems)} 处错误，本文件未导入任何内容："]
    for p in problems:
        where = f"工作表“{p['sheet']}”第 {p['row']} 行“{p['column']}”列" if p.get("sheet") else f"“{p['column']}”"
        value = f"（填的是“{p['value']}”）" if p.get("value") else "（空白）"
        accepted = f"。可填：{p['accepted']}" if p.get("accepted") else ""
        lines.append(f"  {where}{value}：{p['why']}{accepted}")
    return FileRefused("\n".join(lines), field="file", problems=problems)


def _no_table(path: Path, book) -> FileRefused:
    if book.near_miss:
        why = f"没有认出表头：{book.near_miss}。可改表头，或用 --map 表头=字段 告诉 zz 这一列是什么（如 --map 类别=立改废）"
    else:
        why = "没有找到问题清单、整改清单、制度清单或整改台账的表头（如“序号、整治重点、问题描述……”），请用 zz template 生成的模板填报"
    return FileRefused(f"文件“{path.name}”：{why}", field="file",
                       problems=[{"file": str(path), "sheet": None, "row": None, "column": "表头", "value": "", "why": why,
                                  "accepted": "、".join(c.header for c in C.ISSUE_SHEET.template_columns())}])
