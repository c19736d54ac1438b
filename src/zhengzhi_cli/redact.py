"""One redactor for every public output (`zz report public`, `zz export ledger --public`).

A clerk writes people into free text ("联系人王明13812345678", "对张三同志进行约谈"), so
dropping the 责任人 columns is not enough: every published text goes through `Redactor`,
which hides

- every person the register knows (`register_names`), as a whole string of ≥2 characters,
  in any spacing ("王 明", "王　明"): a name is never matched by a part of it;
- names it does not know, when a cue says a name is there: after 联系人/负责人/责任人/经办人…
  ("联系人：李四") or before 同志/先生/女士 ("张三同志"), a common surname and one or two
  characters;
- phone numbers: mobiles in any grouping (138-1234-5678, +86 139 1234 5678), landlines with
  an area code, in brackets or not ((022)29341234, 022-2934xxxx), digits after 电话/手机;
- 18-digit ID-card numbers and e-mail addresses.

Full-width digits and signs (１３８…, （０２２）) are read as their ASCII twins, through a
one-for-one translation, so that what is not personal is published exactly as written.

Known false positives: a registered name inside a longer word is still hidden (a person
called 王明 hides the 王明 of "王明确表示"); that is the price of never publishing a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME_MASK = "××"
PHONE_MASK = "[电话已隐去]"
ID_MASK = "[身份证号已隐去]"
EMAIL_MASK = "[邮箱已隐去]"

# Full-width forms (and dashes) read as ASCII, one character for one, so spans found in the
# translated text are spans of the original.
_FOLD = {**{0xFF10 + i: ord("0") + i for i in range(10)},
         **{0xFF21 + i: ord("A") + i for i in range(26)}, **{0xFF41 + i: ord("a") + i for i in range(26)},
         0xFF0B: "+", 0xFF0D: "-", 0xFF08: "(", 0xFF09: ")", 0xFF20: "@", 0xFF0E: ".", 0xFF3F: "_", 0xFF0A: "*",
         0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2212: "-", 0x3000: " "}

_WIDE = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")

_SEP = r"[ \t\-.]*"  # between digit groups: 138-1234-5678, 138 1234 5678, 138.1234.5678
_HIDDEN_DIGIT = r"[0-9xX*×]"  # 022-2934xxxx: a number half hidden is still a number
_MOBILE = rf"(?:(?:\+|00)?86{_SEP}|\(\+?86\){_SEP})?1[3-9][0-9](?:{_SEP}{_HIDDEN_DIGIT}){{8}}"
_LANDLINE = rf"(?:\(0[1-9][0-9]{{1,2}}\)|0[1-9][0-9]{{1,2}}){_SEP}[2-9][0-9]{{2,3}}(?:{_SEP}{_HIDDEN_DIGIT}){{4}}"
_PHONE_WORD = re.compile(rf"{_MOBILE}|{_LANDLINE}")
_PHONE_CUE = r"(?:联系电话|电话|手机号码|手机号|手机|座机|传真|Tel|TEL|tel)[：:\s]*"
_CUED_NUMBER = rf"[0-9](?:[ \-]?{_HIDDEN_DIGIT}){{6,}}"
_ID_CARD = r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"

# Common surnames, leaving out those that are also everyday words after a cue (于 何 任 安 文 常 向
# 全 单 申 万 武 明 时 和 …): a cue-found name must start with one of these.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅邱秦侯邵孟龙段雷钱汤尹黎贺赖龚庞樊殷施陶洪翟颜倪严牛温季俞"
             "章鲁葛伍尤毕聂焦霍柴郝阎高邹熊戴郁")
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "夏侯", "尉迟", "公孙", "长孙", "宇文")
# A third character that more likely starts the next word than ends a name ("李四电话", "王明科长").
_STOP = "电手负同等的和及与在对已于为是说称表联主科局书镇长任副处股室队所站办组委会部门班院校厅街村社区县市省党代报反映向将把被让由从自到了要应须需均都也又还即仍就才再先后共并或但而且以因系今昨上下午晚每月日年号次人员们工作签审核查管"
# Words that start with a surname and may follow a cue: never taken for a name.
_NOT_NAMES = frozenset(
    "高度 高效 高速 高位 高标 马上 周末 周边 周内 方面 方案 黄牌 严格 严肃 严重 严厉 陆续 余下 许多 许可 曾经 程序 范围 "
    "夏季 温度 季度 章程 毕竟 焦点 柴油 宋体 谢谢 罗列 林业 陈述 陈旧 陈列 张贴 张榜 王牌 钱款 董事 杜绝 丁点 钟点 "
    "段落 付款 付费 付出 贺信 殷切 施工 施行 洪水 颜色 尤其 尤为 金额 石材 龙头 雷同 黎明 汤水 倪端 牛奶 鲁莽 郁闷".split())
# A surname before a title is no name to hide ("负责人李局长" stays): the second character is no title's.
_TITLE_START = "局科主书镇县处股队所站部院校厅总经"
_PERSON = (rf"(?:{'|'.join(_COMPOUND)}|[{_SURNAMES}])[^{_TITLE_START}\W0-9A-Za-z_](?:[^{_STOP}\W0-9A-Za-z_])?")
_CUES = ("联系人", "负责人", "责任人", "经办人", "举报人", "当事人", "承办人", "报告人", "投诉人", "记录人", "审核人", "核验人", "验收人",
         "填报人", "填表人", "签收人", "接待人", "督查人")
_NAME_CUE = rf"(?:{'|'.join(_CUES)})[：:\s]*"
_TITLES = ("同志", "先生", "女士", "师傅")
_AFTER_NAME = rf"(?=\s*(?:{'|'.join(_TITLES)}))"
# A registered 督查室张华, 退回人韩梅梅 or 王明科长 is also 张华 / 韩梅梅 / 王明 in free text: the office
# or role before a name (up to its last office character) and the title after it.
_OFFICE = re.compile(r"^.*[室组办委局科股队所站处部人员]")
_TITLE = re.compile(r"(?:书记|主任|科长|局长|镇长|所长|站长|股长|队长|处长|组长|同志)$")
_SPLIT = re.compile(r"[、,，;；/|\n]+")


def _trie(words: Iterable[str]) -> str:
    """One regex for many names, as a trie (fast in Python's re), longest first, any spacing
    between the characters of a name."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def rest(node: dict) -> str:
        kids = [(ch, child) for ch, child in sorted(node.items()) if ch]
        if not kids:
            return ""
        alts = [re.escape(ch) + rest(child) for ch, child in kids]
        body = r"\s*" + (alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")")
        return f"(?:{body})?" if "" in node else body

    alts = [re.escape(ch) + rest(child) for ch, child in sorted(root.items()) if ch]
    return "(?:" + "|".join(alts) + ")" if alts else ""


def _chars(chars: Iterable[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


def _with_lead(parts: list[str], lead: set[str]) -> re.Pattern:
    return re.compile(rf"(?=[{_chars(lead)}0-9A-Za-z])(?:{'|'.join(parts)})")


def name_variants(value: str) -> set[str]:
    """The names a register field holds: '张三、李四' is two; '督查室张华' is also 张华; spaces dropped."""
    out = set()
    for part in _SPLIT.split(value):
        part = re.sub(r"\s+", "", part.translate(_FOLD))
        if len(part) >= 2:
            out.add(part)
        bare = _TITLE.sub("", part)
        person = _OFFICE.sub("", bare)
        for word in {bare, person} - {part}:
            if 2 <= len(word) <= 4 and (word[0] in _SURNAMES or word[:2] in _COMPOUND):  # 窗口科科长 is not 窗口科
                out.add(word)
    return out


class Redactor:
    """`Redactor(names)(text)` → the text with every person and contact detail hidden.

    `names` are the register's own people (and positions or phones it holds); each is
    matched as a whole string of at least two characters, in any spacing."""

    def __init__(self, names: Iterable[str]):
        words: set[str] = set()
        for name in names:
            if name:
                words |= name_variants(str(name))
        # a registered phone the phone patterns hide anyway need not lengthen the name pattern
        self.names = sorted(w for w in words if not _PHONE_WORD.fullmatch(w))
        parts = [rf"(?P<id>(?<![0-9A-Za-z]){_ID_CARD}(?![0-9A-Za-z]))",
                 rf"(?P<email>{_EMAIL})",
                 rf"(?P<phone>(?<![0-9]){_MOBILE}(?![0-9])|(?<![0-9]){_LANDLINE}(?![0-9]))",
                 rf"(?P<pcue>{_PHONE_CUE})(?P<cued>{_CUED_NUMBER})(?![0-9])"]
        if self.names:
            parts.append(f"(?P<known>{_trie(self.names)})")
        cued = [rf"(?P<ncue>{_NAME_CUE})(?P<cuename>{_PERSON})", rf"(?P<before>{_PERSON}){_AFTER_NAME}"]
        # Speed (most published text holds nobody). `quick` finds what any match must contain (seven
        # digits, @, a cue, a registered name) and lets a text without it through untouched. A
        # lookahead of the characters a match can start with spares the branches everywhere else,
        # and the surname branches, which start almost anywhere, are tried only after a cue.
        lead = {"+", "(", "电", "手", "座", "传", "T", "t"} | {name[0] for name in self.names}
        self._patterns = {False: (parts, lead), True: (parts + cued, lead | set(_SURNAMES) | {c[0] for c in _COMPOUND}
                                                        | {c[0] for c in _CUES})}
        self.cue = re.compile("|".join(_CUES + _TITLES))
        words = [*_CUES, *_TITLES]
        known = f"|{_trie(self.names)}" if self.names else ""
        number = r"[0-9０-９](?:[\s\-－.．()（）]*[0-9０-９xX*×ｘＸ]){6}"  # a phone or ID has 7 digits at least
        self.quick = re.compile(rf"(?=[0-9０-９@＠Ａ-Ｚａ-ｚ{_chars({w[0] for w in words + self.names})}])"
                                rf"(?:{number}|[@＠Ａ-Ｚａ-ｚ]|{'|'.join(words)}{known})")

    def _pattern(self, cued: bool) -> re.Pattern:
        """Compiled on first use (a large register's names take ~50 ms a pattern)."""
        found = self._patterns[cued]
        if isinstance(found, tuple):
            found = self._patterns[cued] = _with_lead(*found)
        return found

    @staticmethod
    def _replace(m: re.Match, original: str) -> str:
        kind = m.lastgroup  # the last group closed: which branch matched
        if kind in ("id", "email", "phone"):
            return {"id": ID_MASK, "email": EMAIL_MASK, "phone": PHONE_MASK}[kind]
        if kind == "cued":  # 电话：…: the cue stays
            return original[m.start("pcue"):m.end("pcue")] + PHONE_MASK
        if kind == "cuename":  # 联系人：…
            name = original[m.start("cuename"):m.end("cuename")]
            return original[m.start("ncue"):m.end("ncue")] + (name if name[:2] in _NOT_NAMES else NAME_MASK)
        if kind == "before" and m.group("before")[:2] in _NOT_NAMES:
            return original[m.start():m.end()]
        return NAME_MASK

    def __call__(self, text: str | None) -> str | None:
        if not text or not isinstance(text, str):
            return text
        if not self.quick.search(text):
            return text
        folded = text.translate(_FOLD) if _WIDE.search(text) else text
        pattern = self._pattern(bool(self.cue.search(folded)))
        out, at = [], 0
        for m in pattern.finditer(folded):
            out.append(text[at:m.start()])
            out.append(self._replace(m, text))
            at = m.end()
        if not out:
            return text
        out.append(text[at:])
        return "".join(out)


# Every column that holds a person (or a position or phone that points at one), by table.
PERSON_COLUMNS = {"unit": ("leader", "contact", "phone"), "issue": ("leader", "owner"),
                  "fix": ("owner", "leader", "verified_by"), "fix_event": ("actor", "approver"),
                  "accountability": ("person", "position"), "typical_case": ("person",), "inspection": ("inspectors",)}


def register_names(session) -> set[str]:
    """Every person the register holds, in one query (by table name, so that the supervision
    models need not be built for it)."""
    from sqlalchemy import column, table, union

    parts = [_present(table(t), column(c)) for t, cols in PERSON_COLUMNS.items() for c in cols]
    names: set[str] = set()
    for (value,) in session.connection().execute(union(*parts)):
        names |= name_variants(str(value))
    return names


def _present(tbl, col):
    from sqlalchemy import select

    return select(col.label("name")).select_from(tbl).where(col.is_not(None))


def for_register(session) -> Redactor:
    """The redactor for a public output of this register."""
    return Redactor(register_names(session))
