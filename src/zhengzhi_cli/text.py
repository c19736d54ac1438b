"""One set of rules for text, whichever way it comes in (typed, prompted, imported) and goes out.

In: `clean` (for the domain: normalised value or errors.Invalid naming the field) and `problem`
(for an importer, one cell at a time: the reason in Chinese, or None). Both apply the same rules:
no NUL or other C0/C1 control character except a tab, and a line break only in free text
(备注, 问题描述, …); `\\r\\n` becomes `\\n`; a short field (names, persons, codes) at most its
column's length, free text at most FREE_TEXT_MAX characters. db.py checks every value again
before each flush with the same function, so no write can slip past.

Out: `display` makes any text safe for a terminal (every control character but `\\n` and a tab,
and the bidi overrides, shown as a visible escape such as `\\x1b`); `json_safe` does the same
for JSON text that is already serialised. Rich markup is never applied to data: cli/output.py
hands rich `Text` objects, never markup strings.
"""

from __future__ import annotations

import re

FREE_TEXT_MAX = 10_000
PERSON_MAX = 100

# field → (Chinese label, max length, multiline). Short fields take their column's length
# (models/); free text (a Text column) FREE_TEXT_MAX and may hold line breaks.
_SHORT = {
    "name": ("名称", 200), "code": ("代码", 64), "kind": ("类型", 32), "leader": ("责任领导", PERSON_MAX),
    "owner": ("责任人", PERSON_MAX), "contact": ("联系人", PERSON_MAX), "phone": ("电话", 64), "source": ("问题来源", 32),
    "status": ("状态", 16), "verified_by": ("销号人", PERSON_MAX), "actor": ("经办人", PERSON_MAX),
    "approver": ("批准人", PERSON_MAX), "doc_no": ("文号", 200), "ref": ("文号", 300), "person": ("姓名", PERSON_MAX),
    "position": ("职务", 200), "decided_by": ("决定机关", 200), "measure": ("问责方式", 16), "channel": ("渠道", 16),
    "from_group": ("意见来源", 16), "topic": ("主题", 200), "published_where": ("发布渠道", 200), "period": ("期间", 32),
    "action": ("立改废", 4), "parent": ("上级单位", 200), "unit": ("单位", 200),
}
_FREE = {
    "description": "问题描述", "task": "整改任务及措施", "progress": "整改进展", "evidence": "整改成效", "note": "备注",
    "text": "说明", "title": "标题", "result": "结果", "reason": "理由", "referral": "移交情况", "outcome": "处理结果",
    "inspectors": "督查人员", "findings": "发现问题", "content": "意见内容", "what": "事迹或问题", "file": "文件",
}
FIELDS: dict[str, tuple[str, int, bool]] = {
    **{k: (label, n, False) for k, (label, n) in _SHORT.items()},
    **{k: (label, FREE_TEXT_MAX, True) for k, label in _FREE.items()},
}

_OTHER_LABELS = {"seq": "序号", "no": "期号", "people": "人数", "item": "事项", "area": "整治重点"}


def label(field: str) -> str:
    """The Chinese name of a field (a model attribute), as messages name it."""
    known = FIELDS.get(field)
    return known[0] if known else _OTHER_LABELS.get(field, field)


_NAMES = {0x00: "空字符", 0x07: "响铃", 0x08: "退格", 0x0B: "垂直制表符", 0x0C: "换页符", 0x0D: "回车符", 0x1B: "ESC",
          0x7F: "DEL", 0x9B: "CSI", 0x9D: "OSC"}


# Unicode Cc (C0, DEL, C1) but a tab, and a line break where one is allowed; Cs (a lone surrogate is no
# character at all). A regex, not a loop: an importer asks this of every cell of a 100,000-row workbook.
# Patterns are compiled on first use: every command imports this module (cli/output.py), few need them.
_PATTERNS = {
    "multiline": "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]",
    "one_line": "[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]",
    # what a terminal would act on: C0 but \n and a tab, DEL, C1, the bidi marks and overrides, lone surrogates
    "unsafe": "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
    # in JSON from json.dumps (C0 already escaped) these can only stand inside strings, where \uXXXX is the same text
    "json_unsafe": "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
}


def _pattern(name: str):
    return re.compile(_PATTERNS[name])  # re keeps its own cache of compiled patterns


def normalise(value: str) -> str:
    """Windows line ends (a CSV from Excel, a pasted paragraph) as plain `\\n`."""
    return value.replace("\r\n", "\n") if "\r" in value else value


def rule_of(field: str, *, label: str | None = None, max_len: int | None = None,
            multiline: bool | None = None) -> tuple[str, int | None, bool]:
    known = FIELDS.get(field)
    return (label or (known[0] if known else field),
            max_len if max_len is not None else (known[1] if known else None),
            multiline if multiline is not None else (known[2] if known else False))


def why_not(value: str, *, max_len: int | None, multiline: bool) -> str | None:
    """The reason (Chinese, without the field's name) this text may not be stored, or None."""
    found = None if value.isprintable() else _pattern("multiline" if multiline else "one_line").search(value)
    if found:
        ch, at = found.group(), found.start() + 1
        code = ord(ch)
        if ch == "\n":
            return "不能换行，请写在一行内（多个人名可用“、”分隔）"
        if 0xD800 <= code <= 0xDFFF:
            return f"含有无法识别的字符（编码错误，第 {at} 个字符），请检查输入或文件编码"
        name = f"（{_NAMES[code]}）" if code in _NAMES else ""
        return f"第 {at} 个字符是不可见的控制字符 {escape_of(code)}{name}，不能保存，请删去后重试"
    if max_len is not None and len(value) > max_len:
        return f"太长（{len(value)} 个字符，最多 {max_len} 个）"
    return None


def problem(value, field: str) -> str | None:
    """For an importer, one cell: why `value` may not go into `field` (a model attribute name,
    e.g. "owner", "description"), in Chinese and without the field's name — or None if it may.
    The value is judged as `clean` would store it (surrounding blanks dropped, `\\r\\n` → `\\n`)."""
    if value is None:
        return None
    _, max_len, multiline = rule_of(field)
    return why_not(normalise(str(value)).strip(), max_len=max_len, multiline=multiline)


def clean(value, *, field: str, label: str | None = None, max_len: int | None = None, multiline: bool | None = None,
          required: bool = False) -> str | None:
    """Text for `field` as it is to be stored: `\\r\\n` → `\\n`, surrounding blanks dropped, None when empty
    (errors.Invalid if `required`); errors.Invalid naming the field for control characters or too long a text.
    `label`, `max_len` and `multiline` default to FIELDS[field]."""
    from .errors import Invalid

    label, max_len, multiline = rule_of(field, label=label, max_len=max_len, multiline=multiline)
    text = normalise(str(value)).strip() if value is not None else ""
    if not text:
        if required:
            raise Invalid(f"{label}：不能为空", field=field)
        return None
    why = why_not(text, max_len=max_len, multiline=multiline)
    if why:
        raise Invalid(f"{label}：{why}", field=field)
    return text


# ---- out: what a terminal shows ----

def escape_of(code: int) -> str:
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def display(value) -> str:
    """Any text, safe to print on a terminal: control characters (ESC, OSC, CSI, C1, `\\r`, …) and bidi
    overrides as visible escapes (`\\x1b`); line breaks and tabs kept."""
    text = str(value)
    if text.isprintable():  # the common case, at C speed
        return text
    return _pattern("unsafe").sub(lambda m: escape_of(ord(m.group())), text)


def json_safe(serialised: str) -> str:
    """JSON text from json.dumps(ensure_ascii=False), with DEL, C1 controls, bidi overrides and lone
    surrogates written as \\u escapes: the same data, nothing a terminal would act on."""
    return _pattern("json_unsafe").sub(lambda m: f"\\u{ord(m.group()):04x}", serialised)


def text_or_none(value: str | None) -> str | None:
    """A clerk's optional text, stripped; blank is none."""
    text = (value or "").strip()
    return text or None
