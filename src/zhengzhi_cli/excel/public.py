"""The 政务公开 workbook (`zz report public`): rectification status by unit and by area, and
the completed and in-progress items. It is given only what public.compose produced, which
holds no personal data; the sheets carry no 责任人 column by design, and the file's own
properties (docProps: creator, last modified by, company) name the issuing office, never a person."""

from __future__ import annotations

from pathlib import Path

from .bulletin import Book, Table, atomic_save


def _rate(value) -> str | None:
    from ..reports import pct_text

    return None if value is None else pct_text(value)  # the one 完成率, rounded as everywhere (reports.rate)


def write_public(path: Path, data: dict) -> None:
    t = data["totals"]
    lines = [
        f"截至 {data['as_of']}，共查摆问题 {t['issues']} 个，已整改 {t['fixed'] + t['closed']} 个（其中已销号 {t['closed']} 个），"
        f"正在整改 {t['fixing']} 个，尚未整改 {t['not_fixed']} 个，整改完成率 {_rate(t['rate']) or '—'}"
        f"（整改时限已到的整改措施 {t['due']} 项中已完成 {t['due_done']} 项；长期坚持的措施不计入）。",
        f"共制定整改措施 {t['fixes']} 项，已完成 {t['fixes_done']} 项，正在推进 {t['fixes_in_progress']} 项。",
        "本表按单位、按整治重点列示整改进度，并列出已完成和正在推进的整改事项；按政务公开要求，不含个人姓名、职务、联系方式及问责信息。",
    ]
    head = ["问题数", "未整改", "整改中", "已整改", "已销号", "整改措施", "已完成措施", "推进中措施", "时限已到措施",
            "其中已完成", "整改完成率"]

    def figures(r: dict) -> list:
        return [r["issues"], r["not_fixed"], r["fixing"], r["fixed"], r["closed"], r["fixes"], r["fixes_done"],
                r["fixes_in_progress"], r["due"], r["due_done"], _rate(r["rate"])]

    by_unit = Table("按单位", f"{data['title']}（按单位，截至 {data['as_of']}）", ["序号", "单位", "类型", *head],
                    [[None, "合计", None, *figures(t)]]  # 合计 first: never alone on a page
                    + [[i, u["unit"], u["kind"], *figures(u)] for i, u in enumerate(data["units"], start=1)])
    by_area = Table("按整治重点", f"{data['title']}（按整治重点，截至 {data['as_of']}）", ["序号", "整治重点", "具体内容", *head],
                    [[None, "合计", None, *figures(t)]] + [[a["area_no"], a["area"], a["title"], *figures(a)] for a in data["areas"]],
                    widths={2: 40})
    items = Table("整改事项", f"{data['title']}（整改事项，截至 {data['as_of']}）",
                  ["序号", "单位", "整治重点", "存在问题", "整改措施", "整改时限", "整改状态", "完成日期"],
                  [[i, x["unit"], x["area"], x["issue"], x["task"], x.get("deadline_text") or x["deadline"], x["status"], x["done_on"]]
                   for i, x in enumerate(data["items"], start=1)],
                  widths={3: 40, 4: 40})

    def write(tmp: Path) -> None:
        book = Book(tmp)
        book.wb.set_properties(public_properties(data["title"], data.get("issuer")))
        book.text_sheet("说明", data["title"], lines)
        for t in (by_unit, by_area, items):
            book.table(t)
        book.close()

    atomic_save(path, write)


def public_properties(title: str, issuer: str | None) -> dict:
    """Workbook properties of a public file: xlsxwriter writes `author` as both dc:creator and
    cp:lastModifiedBy; the office, or "zz", stands there instead of a clerk's name."""
    return {"title": title, "author": issuer or "zz", "company": issuer or "", "manager": "", "comments": "",
            "keywords": "", "category": "", "subject": ""}
