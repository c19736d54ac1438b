"""The 公示 notice and the 总结报告 draft as 公文, from the figures of zz report public / summary
(public.compose, reports.summary): no personal name reaches either."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .gongwen import Gongwen, Paragraph


def _d(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def public_body(data: dict) -> list[Paragraph]:
    t = data["totals"]
    out = [Paragraph(f"按照政务公开要求，现将截至{_d(data['as_of'])}作风纪律专项整治整改情况公示如下："),
           Paragraph(f"全区共查摆问题 {t['issues']} 个，已整改 {t['fixed'] + t['closed']} 个（其中已销号 {t['closed']} 个），"
                     f"整改中 {t['fixing']} 个，未整改 {t['not_fixed']} 个；整改事项 {t['fixes']} 项，已完成 {t['fixes_done']} 项，"
                     f"完成率 {_pct(t['rate'])}。", heading="一、总体情况。")]
    out.append(Paragraph("", heading="二、各单位整改情况。"))
    for u in data["units"]:
        out.append(Paragraph(f"{u['unit']}：问题 {u['issues']} 个，已整改 {u['fixed'] + u['closed']} 个，整改中 {u['fixing']} 个，"
                             f"未整改 {u['not_fixed']} 个；整改事项完成率 {_pct(u['rate'])}。"))
    out.append(Paragraph("", heading="三、分整治重点整改情况。"))
    for a in data["areas"]:
        if a["issues"]:
            out.append(Paragraph(f"{a['area']}：问题 {a['issues']} 个，已整改 {a['fixed'] + a['closed']} 个，整改中 {a['fixing']} 个，"
                                 f"未整改 {a['not_fixed']} 个。"))
    out.append(Paragraph("欢迎社会各界和广大群众监督。"))
    return out


def summary_body(data: dict) -> list[Paragraph]:
    ov, sup = data["overview"], data["supervision"]
    rules = {k: sum(u["rules"][k]["total"] for u in sup["units"]) for k in ("立", "改", "废")}
    rules_done = sum(u["rules_done"] for u in sup["units"])
    return [
        Paragraph(f"按照《{data['plan']}》部署，现将截至{_d(data['as_of'])}专项整治工作情况报告如下："),
        Paragraph(f"参加专项整治单位 {ov['units']} 个，其中 {ov['units_with_issues']} 个单位查摆问题共 {ov['issues']} 个，"
                  f"制定整改事项 {ov['fixes']} 项（长期坚持 {ov['ongoing']} 项）；已完成 {ov['completed']} 项，其中已销号 "
                  f"{ov['verified']} 项，时限已到事项完成率 {_pct(ov['completion_rate'])}；逾期未完成 {ov['overdue']} 项。",
                  heading="一、问题查摆和整改情况。"),
        Paragraph(f"建立制度 {rules['立']} 项、修改 {rules['改']} 项、废止 {rules['废']} 项，已完成 {rules_done} 项。",
                  heading="二、制度建设情况。"),
        Paragraph(f"开展督查 {sum(u['inspections'] for u in sup['units'])} 次，问责 {sum(u['accountability'] for u in sup['units'])} 人次，"
                  f"征求意见 {sum(u['opinions'] for u in sup['units'])} 条，"
                  f"树立正面典型 {sum(u['cases'].get('正面', 0) for u in sup['units'])} 个、"
                  f"曝光反面典型 {sum(u['cases'].get('反面', 0) for u in sup['units'])} 个。", heading="三、督查问责情况。"),
        Paragraph(f"对尚未完成的 {ov['fixes'] - ov['completed']} 项整改事项，继续跟踪督办，确保件件有着落；"
                  "对长期坚持事项，建立长效机制，巩固专项整治成果。", heading="四、下一步工作。"),
    ]


def write(session, path: Path, *, kind: str, data: dict, ref: str) -> str:
    """Number (kept when written again for the same day) and write a 公示 or 总结报告; returns the 文号."""
    from .. import docno
    from ..register import plan_of
    from .gongwen import write as write_docx

    docs = plan_of(session).documents
    as_of = dt.date.fromisoformat(data["as_of"])
    if kind == "公示":
        title, body, addressee = f"关于{as_of.year}年作风纪律专项整治整改情况的公示", public_body(data), "社会各界："
    else:
        title, body, addressee = "关于作风纪律专项整治工作的总结报告", summary_body(data), "区政府："
    got = docno.take(session, kind=kind if kind in docs.kinds else next(iter(docs.kinds)), on=as_of, ref=ref, subject=title)
    write_docx(path, Gongwen(issuer_mark=docs.issuer_mark, number=got.text, title=title, addressee=addressee, body=body,
                             issuer=docs.issuer, date_text=_d(data["as_of"]), cc=docs.cc, printer=docs.printer or docs.issuer))
    return got.text
