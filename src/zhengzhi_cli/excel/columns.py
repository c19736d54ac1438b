"""One column spec per sheet of the unit workbook, shared by `zz template`, `zz import`
and `zz export ledger`, so the three can never disagree (SPEC §5).

A column has the header the template writes, the other headers units really use
(synonyms, matched after removing spaces, line breaks, full-width forms and notes in
brackets), a width that fits Chinese, the closed list it takes (for dropdowns and for
the accepted-values text of an error), and whether it is in the template or only in
the ledger export (`ledger_only`: figures the office keeps, such as 销号人).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dates import normalize as norm  # the importer's short name for the one normaliser
from ..vocab import FixStatus

ISSUES, FIXES, RULES, COMBINED = "问题清单", "整改清单", "制度清单", "整改台账"
GUIDE = "说明"
OPTIONS = "选项"
MARKER = "zz-template"
UNIT_HEADER = "单位"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    synonyms: tuple[str, ...] = ()
    width: float = 12
    kind: str = "text"  # text | int | date | deadline | list | longtext
    choices: str | None = None  # name of the closed list (plan list name, or "areas"/"checks")
    required: bool = False
    ledger_only: bool = False
    personal: bool = False  # a person's name: dropped by --public
    help: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


@dataclass(frozen=True)
class SheetSpec:
    kind: str
    columns: tuple[Column, ...]
    title: str
    help: str = ""

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def template_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.ledger_only]

    def ledger_columns(self, *, public: bool = False) -> list[Column]:
        return [UNIT] + [c for c in self.columns if not (public and c.personal)]


UNIT = Column("unit", UNIT_HEADER, ("单位名称", "填报单位名称"), width=18, help="单位全称或单位代码（全区台账用；单位自己填报的表不需要这一列）")

SEQ = Column("seq", "序号", ("编号", "顺序号", "No", "NO", "No.", "序列号"), width=6, kind="int", required=True,
             help="本单位本表内的序号（正整数），不能重复；再次导入时按序号更新，不会重复登记")
LEADER = Column("leader", "责任领导", ("分管领导", "主管领导", "牵头领导", "责任领导（分管）"), width=10, personal=True, help="姓名")
OWNER = Column("owner", "责任人", ("具体责任人", "直接责任人", "经办人", "责任人员"), width=10, personal=True, help="姓名")
NOTE = Column("note", "备注", ("说明",), width=16, kind="longtext")

ISSUE_SHEET = SheetSpec(
    ISSUES,
    (
        SEQ,
        Column("area", "整治重点", ("问题类别", "问题类型", "问题分类", "类别", "所属整治重点", "整治重点类别", "整治重点（十个方面）"),
               width=12, kind="list", choices="areas", required=True, help="十个整治重点之一：可写名称（效能意识）、序号 1–10 或一…十"),
        Column("source", "问题来源", ("来源", "发现途径", "发现方式", "问题来源渠道"), width=10, kind="list", choices="sources",
               help="自查、征求意见、督查、上级反馈、群众投诉；不填视为自查"),
        Column("check", "四查四看", ("四查四看事项", "查摆事项", "自查事项", "对应四查四看"), width=18, kind="list", choices="checks",
               help="通过哪一项“四查四看”查出：可写 1–4 或事项名称；可不填"),
        Column("description", "问题描述", ("存在问题", "问题表现", "问题内容", "具体问题", "主要问题", "存在的问题", "问题", "问题描述及表现",
                                         "存在问题及表现", "查摆问题", "问题清单"),
               width=44, kind="longtext", required=True, help="具体写明问题表现，不能为空"),
        Column("found_on", "发现日期", ("发现时间", "查摆时间", "查找时间", "查摆日期"), width=12, kind="date",
               help="日期，如 2017-04-12；不填按填报日期"),
        LEADER, OWNER, NOTE,
    ),
    title="作风纪律专项整治问题清单",
    help="每行一个问题。",
)

FIX_SHEET = SheetSpec(
    FIXES,
    (
        SEQ,
        Column("issue_seq", "问题序号", ("对应问题序号", "问题编号", "对应问题编号", "对应问题"), width=8, kind="int", required=True,
               help="对应“问题清单”中的序号"),
        Column("task", "整改任务及措施", ("整改措施", "整改举措", "整改任务", "整改内容", "整改任务和措施", "整改方案", "整改措施及任务",
                                         "整改目标及措施", "具体整改措施"),
               width=44, kind="longtext", required=True, help="明确整改的任务和措施，不能为空"),
        LEADER, OWNER,
        Column("deadline", "整改时限", ("完成时限", "时限要求", "整改期限", "整改时间", "整改完成时限", "计划完成时限", "计划完成时间"), width=12,
               kind="deadline", required=True, help="日期（2017-06-30），或“6月底前”“年底前”“长期坚持”“立行立改”"),
        Column("status", "整改状态", ("整改情况", "整改进度", "完成情况", "办理情况", "状态", "整改进展", "是否完成", "整改结果",
                                      "整改完成情况", "完成状态"),
               width=10, kind="list", choices="fix_statuses", help="未开始、整改中、已完成；不填按是否有完成日期判断。销号由区里核验后办理，单位不填“已销号”"),
        Column("done_on", "完成日期", ("实际完成日期", "实际完成时间", "办结日期", "办结时间", "整改完成日期", "完成时间"), width=12, kind="date",
               help="已完成的整改填写实际完成日期"),
        Column("evidence", "整改成效", ("整改效果", "成效", "整改成果", "佐证材料"), width=30, kind="longtext"),
        NOTE,
        Column("progress", "进展情况", ("整改进展情况", "进展", "工作进展", "推进情况"), width=30, kind="longtext", ledger_only=True),
        Column("verified_on", "销号日期", ("销号时间",), width=12, kind="date", ledger_only=True),
        Column("verified_by", "销号人", ("核验人", "验收人"), width=10, ledger_only=True, personal=True),
        Column("claimed", "单位自报销号", (), width=8, kind="flag", ledger_only=True,
               help="是：单位报表写了“已销号”，待区里核验"),
        Column("done_reported", "完成日期为填报日期", (), width=10, kind="flag", ledger_only=True,
               help="是：单位没写完成日期，按报表的填报日期记"),
        # derived from the 回头看 events: shown for the office, ignored when the ledger is imported back
        Column("recheck_failed", "回头看未通过", (), width=8, kind="flag", ledger_only=True,
               help="是：回头看发现反弹或虚假整改，已重新打开整改"),
    ),
    title="作风纪律专项整治整改清单",
    help="每行一项整改，一个问题可有多项整改。",
)

RULE_SHEET = SheetSpec(
    RULES,
    (
        SEQ,
        Column("title", "制度名称", ("制度", "制度建设内容", "制度建设项目", "制度名称及内容", "建章立制内容"), width=36, kind="longtext",
               required=True, help="不能为空"),
        Column("action", "立改废", ("立/改/废", "立、改、废", "类型", "立改废类型", "制度类型", "类别", "立改废类别", "建制类型"), width=8, kind="list", choices="rule_actions",
               required=True, help="立（新建）、改（修订）、废（废止）"),
        Column("issue_seq", "问题序号", ("对应问题序号", "针对问题序号", "对应问题", "针对问题", "针对的问题"), width=10, kind="seqs",
               help="这项制度针对“问题清单”中哪些问题，多个用顿号分开，如 1、3"),
        Column("due_on", "计划完成时间", ("完成时限", "计划时间", "计划完成日期", "时限要求"), width=14, kind="date",
               help="日期，或“6月底前”“年底前”"),
        Column("status", "状态", ("完成情况", "进展情况", "制度状态", "办理情况", "进展"), width=10, kind="list", choices="rule_statuses",
               help="未完成、已完成；不填为未完成"),
        Column("doc_no", "文号", ("发文字号", "制度文号", "文件编号"), width=18),
        NOTE,
        Column("done_on", "完成日期", ("印发日期", "出台日期"), width=12, kind="date", ledger_only=True),
    ),
    title="作风纪律专项整治制度清单",
    help="每行一项制度。",
)

SHEETS = (ISSUE_SHEET, FIX_SHEET, RULE_SHEET)
BY_KIND = {s.kind: s for s in SHEETS}

# The combined 整改台账: one row per issue with its measures. Issue columns and fix columns
# side by side; 责任领导/责任人 belong to both.
COMBINED_SHEET = SheetSpec(
    COMBINED,
    tuple(list(ISSUE_SHEET.columns)
          + [c for c in FIX_SHEET.columns if c.key not in ("seq", "issue_seq", "leader", "owner", "note")]),
    title="作风纪律专项整治整改台账",
)

# Status words units write (SPEC §5), normalised (no spaces, NFKC).
FIX_STATUS_WORDS = {
    "未开始": "未开始", "未整改": "未开始", "尚未整改": "未开始", "未启动": "未开始", "待整改": "未开始", "尚未开始": "未开始",
    "整改中": "整改中", "正在整改": "整改中", "正在办理": "整改中", "部分整改": "整改中", "推进中": "整改中",
    "持续整改": "整改中", "正在推进": "整改中", "基本完成": "整改中", "进行中": "整改中", "办理中": "整改中",
    "已部分整改": "整改中", "整改推进中": "整改中", "持续推进": "整改中", "正在落实": "整改中",
    "已完成": "已完成", "已整改": "已完成", "已办结": "已完成", "完成": "已完成", "整改完成": "已完成", "已整改完成": "已完成",
    "已整改到位": "已完成", "办结": "已完成", "已完成整改": "已完成", "整改到位": "已完成", "已落实": "已完成", "已解决": "已完成",
    "已销号": "已销号", "销号": "已销号", "已验收销号": "已销号",
}
# Words that read two ways (未完成: not started, or started and not finished): refused with their cell named.
FIX_STATUS_AMBIGUOUS = {"未完成": "可能是“未开始”，也可能是“整改中”", "否": "可能是“未开始”，也可能是“整改中”",
                        "长期坚持": "是整改时限，不是整改状态", "正常": "看不出是否完成"}
_PERCENT = re.compile(r"^(?:已?完成|整改完成|已整改|完成进度|进度)?(\d{1,3}(?:\.\d+)?)[%％]$")


def fix_status_word(text: str) -> str | None:
    """A unit's status word by meaning (SPEC §5): the whole word, never a prefix. 完成80% is
    整改中, 完成100% is 已完成. None when the word is not a status word."""
    word = norm(text).strip("。.；;")
    if word in FIX_STATUS_WORDS:
        return FIX_STATUS_WORDS[word]
    m = _PERCENT.match(word)
    if m:
        share = float(m.group(1))
        return FixStatus.DONE if share >= 100 else (FixStatus.NOT_STARTED if share == 0 else FixStatus.IN_PROGRESS)
    return None
RULE_STATUS_WORDS = {
    "未完成": "未完成", "未开始": "未完成", "起草中": "未完成", "制定中": "未完成", "正在制定": "未完成", "修订中": "未完成",
    "正在修订": "未完成", "拟制定": "未完成", "推进中": "未完成", "正在起草": "未完成", "征求意见中": "未完成", "待印发": "未完成",
    "审议中": "未完成", "待审议": "未完成", "拟修订": "未完成", "拟废止": "未完成", "正在废止": "未完成",
    "已完成": "已完成", "完成": "已完成", "已出台": "已完成", "已印发": "已完成", "已制定": "已完成", "已修订": "已完成",
    "已废止": "已完成", "已建立": "已完成", "已实施": "已完成",
}
ACTION_WORDS = {"立": "立", "新立": "立", "新建": "立", "建立": "立", "制定": "立", "新制定": "立", "新增": "立",
                "改": "改", "修订": "改", "修改": "改", "完善": "改", "修订完善": "改",
                "废": "废", "废止": "废", "废除": "废", "取消": "废"}
SOURCE_WORDS = {
    "自查": "自查", "自查自纠": "自查", "四查四看": "自查", "自查自纠查摆": "自查", "自我查摆": "自查", "查摆": "自查",
    "征求意见": "征求意见", "座谈会": "征求意见", "征求意见表": "征求意见", "服务评价评议": "征求意见", "意见建议": "征求意见",
    "督查": "督查", "明察暗访": "督查", "抽查检查": "督查", "集中督查": "督查", "检查": "督查", "督导": "督查",
    "上级反馈": "上级反馈", "巡视反馈": "上级反馈", "巡视": "上级反馈", "巡察": "上级反馈", "巡视回头看": "上级反馈",
    "上级督查反馈": "上级反馈", "审计": "上级反馈",
    "群众投诉": "群众投诉", "投诉": "群众投诉", "信访": "群众投诉", "群众信访": "群众投诉", "代表建议": "群众投诉",
    "政协提案": "群众投诉", "提案": "群众投诉", "人大代表建议": "群众投诉", "12345": "群众投诉", "便民专线": "群众投诉",
}

_NOTE_IN_BRACKETS = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")
_STARS = re.compile(r"[*＊※★]")


def header_key(text) -> str:
    """A header cell as compared with the spec: normalised, stars and bracketed notes dropped."""
    raw = norm(text)
    raw = _STARS.sub("", raw)
    stripped = _NOTE_IN_BRACKETS.sub("", raw)
    return stripped or raw


def _index() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for spec in (*SHEETS, COMBINED_SHEET):
        names: dict[str, str] = {}
        for col in (UNIT, *spec.columns):
            for name in col.names:
                names.setdefault(header_key(name), col.key)
        out[spec.kind] = names
    return out


HEADER_INDEX = _index()
