"""An office's own .docx template, filled with a document's content.

Placeholders are written {{名称}} (the names `zz doc vars` lists). Filled by plain text
replacement with python-docx rather than docxtpl: a template may come from any office, and
docxtpl runs it as a Jinja2 program; replacement can do nothing but put text in place, needs no
further dependency, and keeps the template's own fonts and page setup. Word often splits a
placeholder over several runs; such a paragraph is joined into its first run (that run's
formatting). {{正文}} on a paragraph of its own becomes one paragraph per 自然段, each a copy of it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from ..errors import FileRefused, Invalid

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
MULTI = "正文"


def _open(template: Path):

    import docx

    if not template.is_file():
        raise Invalid(f"模板（--template）：找不到文件“{template}”；请写出 .docx 模板的路径", field="template")
    if template.suffix.lower() != ".docx":
        raise Invalid(f"模板（--template）：“{template.name}”应为 .docx 文件（Word 2007 及以后的格式）", field="template")
    try:
        return docx.Document(str(template))
    except Exception as exc:  # python-docx raises many kinds (BadZipFile, KeyError, ValueError, lxml errors)
        raise FileRefused(f"模板（--template）：“{template.name}”不是可读的 .docx 文件（{type(exc).__name__}）；"
                          "请在 Word 或 WPS 中另存为 .docx 后再试", field="template") from None


def _paragraphs(doc):
    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(doc)
    for section in doc.sections:
        for part in (section.header, section.footer, section.even_page_header, section.even_page_footer,
                     section.first_page_header, section.first_page_footer):
            yield from walk(part)


def fill(template: Path, out: Path, values: dict[str, str]) -> None:
    """Fill `template` with `values`; an unknown placeholder is refused by name, nothing written."""
    from ..outputs import atomic

    doc = _open(Path(template))
    unknown = sorted({m.group(1) for p in _paragraphs(doc) for m in PLACEHOLDER.finditer(p.text)} - set(values))
    if unknown:
        raise Invalid(f"模板（--template）：“{Path(template).name}”中的占位符 {'、'.join('{{' + u + '}}' for u in unknown)} "
                      f"不认识；可用的占位符见 zz doc vars", field="template")
    for p in list(_paragraphs(doc)):
        if "{{" not in p.text:
            continue
        if PLACEHOLDER.fullmatch(p.text.strip()) and PLACEHOLDER.fullmatch(p.text.strip()).group(1) == MULTI:
            _expand(p, values[MULTI].split("\n"))
            continue
        text = PLACEHOLDER.sub(lambda m: values[m.group(1)], p.text)
        runs = p.runs
        if runs:
            runs[0].text = text
            for r in runs[1:]:
                r._r.getparent().remove(r._r)
    with atomic(out) as tmp:
        doc.save(str(tmp))


def _expand(paragraph, texts: list[str]) -> None:
    anchor = paragraph._p
    for text in texts:
        new = copy.deepcopy(paragraph._p)
        anchor.addnext(new)
        anchor = new
        from docx.text.paragraph import Paragraph

        para = Paragraph(new, paragraph._parent)
        runs = para.runs
        if runs:
            runs[0].text = text
            for r in runs[1:]:
                r._r.getparent().remove(r._r)
    paragraph._p.getparent().remove(paragraph._p)
