"""问题卡.xlsx of the 整改档案 (archive.py): one issue on printable sheets — the issue, its fixes,
the timeline of their events, the verifications (levels, 销号, 退回) and rechecks (回头看), and the
佐证材料 filed beside it. Plain values in (dicts as fixes.show gives them), a workbook out; the house
style and page setup are excel/bulletin.py's (A4, headers repeated, page numbers)."""

from __future__ import annotations

from pathlib import Path

from .bulletin import Table, write_book

REVIEW_EVENTS = ("核验", "销号", "退回", "回头看")


def write_issue_card(path: Path, *, unit: str, number: str, issue: dict, fixes: list[dict], evidence: list[dict]) -> None:
    """The card of one issue. `issue`: seq, description, area, source, found_on, leader, owner,
    status, note, void; `fixes`: fixes.show records; `evidence`: file, kind, note, added_at, sha256."""
    facts = [["档号", number], ["单位", unit], ["问题序号", issue["seq"]], ["问题描述", issue["description"]],
             ["整治重点", issue["area"]], ["问题来源", issue["source"]], ["发现日期", issue["found_on"]],
             ["责任领导", issue["leader"]], ["责任人", issue["owner"]], ["状态", issue["status"]],
             ["作废", issue["void"]], ["备注", issue["note"]]]
    tables = [Table("问题", f"{unit} 问题 {issue['seq']}（档号 {number}）", ["项目", "内容"], facts, widths={1: 70})]
    tables.append(Table("整改", "整改事项", ["整改", "整改任务及措施", "时限", "原时限", "责任人", "状态", "完成日期", "销号",
                                         "核验", "回头看未通过"],
                        [[f["id"], f["task"], f["deadline"], f["original_deadline"], f["owner"], f["status"], f["done_on"],
                          " ".join(x for x in (f["verified_on"], f["verified_by"]) if x) or None, f["verification"]["label"],
                          "是" if f.get("recheck_failed") else None] for f in fixes],
                        widths={1: 40}))
    events = sorted(((e, f["id"]) for f in fixes for e in f["events"]), key=lambda x: (x[0]["date"], x[1]))
    tables.append(Table("经过", "整改经过（时间顺序）", ["日期", "整改", "事项", "内容", "经办人", "批准人", "原时限", "新时限"],
                        [[e["date"], fid, e["kind"], e["text"], e["by"], e["approver"], e["old_deadline"], e["new_deadline"]]
                         for e, fid in events], widths={3: 40}))
    tables.append(Table("核验与回头看", "核验、销号、退回与回头看", ["日期", "整改", "事项", "结果或意见", "核验/核查人"],
                        [[e["date"], fid, e["kind"], e["text"], e["by"]] for e, fid in events if e["kind"] in REVIEW_EVENTS],
                        note="核验层级：" + "；".join(f"整改 {f['id']} {f['verification']['label']}" for f in fixes)
                        if fixes else None, widths={3: 40}))
    tables.append(Table("佐证材料", "佐证材料（与本卡同一文件夹）", ["文件", "整改", "类别", "说明", "添加时间", "SHA-256"],
                        [[e["file"], e["fix_id"], e["kind"], e["note"], e["added_at"], e["sha256"]] for e in evidence],
                        widths={0: 36, 5: 20}))
    write_book(Path(path), tables=tables)
