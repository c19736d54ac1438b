"""The 督办函 as a 公文: one unit, the fixes behind it, the reply deadline, and for a 红牌 the proposal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .gongwen import Gongwen, Paragraph


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def letter(row: dict, *, docs, number: str, as_of: dt.date) -> Gongwen:
    reply_by = dt.date.fromisoformat(row["reply_by"])
    body = [Paragraph(f"经查，截至{_date_text(as_of)}，你单位以下 {len(row['items'])} 项整改事项已过整改时限仍未完成：")]
    for n, item in enumerate(row["items"], start=1):
        body.append(Paragraph(f"{n}．{item['issue']}——{item['task']}（整改时限{_date_text(dt.date.fromisoformat(item['deadline']))}，"
                              f"已逾期 {item['days_late']} 天）。"))
    body.append(Paragraph(f"请你单位高度重视，立即组织整改，并于{_date_text(reply_by)}前将整改情况书面回复{docs.issuer}，"
                          "同时附整改佐证材料。逾期不回复或整改不到位的，将按有关规定予以通报、问责。"))
    if row["rule"] == "红牌":
        body.append(Paragraph(f"鉴于你单位{row['why']}，建议约谈你单位主要负责同志。", heading="红牌警示。"))
    return Gongwen(issuer_mark=docs.issuer_mark, number=number, title=f"关于督促{row['unit']}加快整改进度的督办函",
                   addressee=f"{row['unit']}：", body=body, issuer=docs.issuer, date_text=_date_text(as_of), cc=docs.cc,
                   printer=docs.printer or docs.issuer)


def write_letter(session, path: Path, row: dict, *, number: str, as_of: dt.date) -> None:
    from ..register import plan_of
    from .gongwen import write

    write(path, letter(row, docs=plan_of(session).documents, number=number, as_of=as_of))
