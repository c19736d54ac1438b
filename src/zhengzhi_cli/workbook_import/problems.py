"""A refused file: every bad cell in one message (sheet, row, column, value, why, what is accepted).

One shape for every importer (`zz import`, `zz unit import`, `zz opinion import`): each bad cell is a
`CellProblem`, which renders its own Chinese line and its JSON; `refusal` turns them into the one
`FileRefused` the CLI shows (and writes as `problems` under --json).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import FileRefused


@dataclass(frozen=True, kw_only=True, slots=True)
class CellProblem:
    """One refused cell. `sheet`/`row` are None for a fault of the whole file (no header, no unit)."""

    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str = ""
    why: str
    accepted: str = ""

    @classmethod
    def of(cls, problem: CellProblem | dict) -> CellProblem:
        return problem if isinstance(problem, CellProblem) else cls(**problem)

    def line(self) -> str:
        """工作表“整改清单”第 5 行“完成时限”列（填的是“六月底前”）：…。可填：…"""
        if self.sheet:
            where = f"工作表“{self.sheet}”第 {self.row} 行“{self.column}”列"
        else:
            where = f"“{self.column}”"
        value = f"（填的是“{self.value}”）" if self.value else "（空白）"
        accepted = f"。可填：{self.accepted}" if self.accepted else ""
        return f"{where}{value}：{self.why}{accepted}"

    def as_json(self) -> dict:
        return asdict(self)


def refusal(path: Path, problems: list, *, nothing: str = "内容", shown: int | None = None) -> FileRefused:
    """The file refused for these cells (CellProblems, or dicts with their fields); `nothing` names
    what was not imported (内容, 单位, 意见); at most `shown` lines, then how many more."""
    path = Path(path)
    cells = [CellProblem.of(p) for p in problems]
    lines = [f"文件“{path.name}”有 {len(cells)} 处错误，本文件未导入任何{nothing}："]
    lines += [f"  {p.line()}" for p in (cells if shown is None else cells[:shown])]
    if shown is not None and len(cells) > shown:
        lines.append(f"  ……另有 {len(cells) - shown} 处")
    return FileRefused("\n".join(lines), field="file", problems=[p.as_json() for p in cells])


def no_header(path: Path, why: str, *, column: str = "表头", value: str = "", accepted: str = "") -> FileRefused:
    """A file with no table zz recognises: one problem for the whole file."""
    path = Path(path)
    problem = CellProblem(file=str(path), column=column, value=value, why=why, accepted=accepted)
    return FileRefused(f"文件“{path.name}”：{why}", field="file", problems=[problem.as_json()])


def _no_table(path: Path, book) -> FileRefused:
    from ..excel import columns as C

    if book.near_miss:
        why = f"没有认出表头：{book.near_miss}。可改表头，或用 --map 表头=字段 告诉 zz 这一列是什么（如 --map 类别=立改废）"
    else:
        why = "没有找到问题清单、整改清单、制度清单或整改台账的表头（如“序号、整治重点、问题描述……”），请用 zz template 生成的模板填报"
    return no_header(path, why, accepted="、".join(c.header for c in C.ISSUE_SHEET.template_columns()))
