"""The 通报 as a 公文: the same content and 期号 as the .xlsx/.md bulletin (bulletins.compose and
bulletins._lines), with a 文号 from the 通报 sequence, and the units named for report-back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .gongwen import Gongwen, Paragraph

HEADING = re.compile(r"^([一二三四五六七八九十]+、[^。：]*[。：])(.*)$")
REF = "bulletin:{no}"


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def named_units(data: dict, threshold: int) -> list[str]:
    """Units whose overdue fixes reach the plan's threshold: named, with a report-back deadline."""
    return [u["unit"] for u in data["lagging_units"] if u["overdue"] >= threshold]


def variables(data: dict, *, docs, number: str) -> dict[str, str]:
    """Every placeholder an office template may use ({{名称}}), with its value for this 通报."""
    issued = dt.date.fromisoformat(data["issued_on"])
    y, m = int(data["period"][:4]), int(data["period"][5:])
    named = named_units(data, docs.name_threshold)
    deadline = issued + dt.timedelta(days=docs.report_back_days)
    t = data["totals"]
    body = _body(data, named=named, deadline=deadline, docs=docs)
    return {
        "发文机关标志": docs.issuer_mark, "发文字号": number, "期号": f"第{data['no']}期",
        "标题": f"关于{y}年{m}月作风纪律专项整治进展情况的通报（第{data['no']}期）",
        "主送机关": docs.addressee, "正文": "\n".join((p.heading + p.text) for p in body),
        "发文机关": docs.issuer, "成文日期": _date_text(issued), "抄送": docs.cc, "印发机关": docs.printer or docs.issuer,
        "印发日期": _date_text(issued), "通报月份": f"{y}年{m}月", "截至日期": _date_text(dt.date.fromisoformat(data["as_of"])),
        "滞后单位数": str(t["lagging_units"]), "逾期整改数": str(t["overdue_fixes"]), "问责人次": str(t["accountability"]),
        "完成整改数": str(t["fixes_completed"]), "点名单位": "、".join(named), "报送期限": _date_text(deadline),
    }


VARIABLE_HELP = {
    "发文机关标志": "版头红字，如 武清区作风纪律专项整治工作领导小组办公室文件", "发文字号": "如 武清整治办〔2017〕3号",
    "期号": "第N期，与 .xlsx/.md 通报相同", "标题": "公文标题", "主送机关": "如 各镇人民政府，…：",
    "正文": "通报正文（独占一段：每个自然段成为一段，沿用该段格式）", "发文机关": "署名", "成文日期": "如 2017年8月31日",
    "抄送": "版记抄送机关", "印发机关": "版记印发机关", "印发日期": "版记印发日期", "通报月份": "如 2017年8月",
    "截至日期": "统计截至日期", "滞后单位数": "进展滞后单位个数", "逾期整改数": "逾期未完成整改项数", "问责人次": "本期问责人次",
    "完成整改数": "本期完成整改项数", "点名单位": "逾期整改达到点名标准的单位，顿号分隔", "报送期限": "点名单位报送整改情况的期限",
}


def _body(data: dict, *, named: list[str], deadline: dt.date, docs) -> list[Paragraph]:
    out: list[Paragraph] = []
    for line in data["lines"][1:]:  # the first line is the issuer and date, which the 版头 and 署名 carry
        m = HEADING.match(line)
        if m and line.startswith("二、") and named:  # the named units close the section on lagging units
            out.append(Paragraph(f"对逾期整改达到 {docs.name_threshold} 项的{'、'.join(named)}予以点名。请上述单位于"
                                 f"{_date_text(deadline)}前将整改情况书面报送{docs.issuer}。"))
        out.append(Paragraph(m.group(2), heading=m.group(1)) if m else Paragraph(line.lstrip("　")))
    return out


def gongwen(data: dict, *, docs, number: str) -> Gongwen:
    v = variables(data, docs=docs, number=number)
    named = named_units(data, docs.name_threshold)
    deadline = dt.date.fromisoformat(data["issued_on"]) + dt.timedelta(days=docs.report_back_days)
    return Gongwen(issuer_mark=v["发文机关标志"], number=number, title=v["标题"], addressee=v["主送机关"],
                   body=_body(data, named=named, deadline=deadline, docs=docs), issuer=v["发文机关"],
                   date_text=v["成文日期"], cc=v["抄送"], printer=v["印发机关"])


def write(session, path: Path, data: dict, *, template: Path | None = None) -> str:
    """Number (a 通报 written again keeps its 文号) and write the 通报 .docx; returns the 文号."""
    from .. import docno
    from ..register import plan_of

    docs = plan_of(session).documents
    kind = "通报" if "通报" in docs.kinds else next(iter(docs.kinds))
    got = docno.take(session, kind=kind, on=dt.date.fromisoformat(data["issued_on"]), ref=REF.format(no=data["no"]),
                     subject=data["title"])
    if template is not None:
        from .template import fill

        fill(template, path, variables(data, docs=docs, number=got.text))
    else:
        from .gongwen import write as write_docx

        write_docx(path, gongwen(data, docs=docs, number=got.text))
    return got.text
