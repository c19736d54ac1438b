"""A 公文 as .docx, laid out per GB/T 9704-2012 (党政机关公文格式).

A4 portrait; 天头 (top margin) 37 mm, 订口 (left margin) 28 mm, 版心 156 × 225 mm, so the
bottom margin is 35 mm and the right 26 mm. Body in 仿宋_GB2312 三号 (16 pt) on a grid of
22 lines × 28 characters (line pitch 225 mm / 22 = 28.95 pt, exact; characters condensed by 0.25 pt so that 28 fit
in 156 mm). 版头: 发文机关标志 in red
小标宋, 发文字号, a red line as wide as the 版心. Title in 小标宋 二号; 一级标题 in 黑体. 版记:
抄送 and 印发机关和印发日期 between lines. Page numbers "— 1 —" in 宋体 四号, odd pages on the
right and even pages on the left, one character in from the edge.

Only font NAMES are written: the reader's machine supplies the fonts (where 仿宋_GB2312 is
missing, Word and LibreOffice substitute; here LibreOffice renders with Noto CJK).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
RED = "FF0000"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
MARK_PT = 36  # 发文机关标志: large, red, centred (GB/T 9704 leaves the size to the issuer)
NOTE_PT = 14  # 四号: 版记, page numbers
LINE_PITCH_TWIPS = 579  # 225 mm / 22 lines = 28.95 pt
CHAR_SPACING_TWIPS = -5  # 28 characters of 三号 in 156 mm: 442 pt / 28 = 15.79 pt a character, so −0.25 pt each
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28


@dataclass
class Paragraph:
    text: str
    heading: str = ""  # a 一级标题 at the start of the paragraph, in 黑体
    indent: bool = True  # first line indented two characters


@dataclass
class Gongwen:
    issuer_mark: str  # 发文机关标志, e.g. …办公室文件
    number: str  # 发文字号
    title: str
    addressee: str  # 主送机关
    body: list[Paragraph]
    issuer: str  # 发文机关署名
    date_text: str  # 成文日期, 2017年8月31日
    cc: str = ""  # 抄送
    printer: str = ""  # 印发机关
    attachments: list[str] = field(default_factory=list)


def _fonts(run, east_asia: str, size: float, *, bold: bool = False, color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = "Times New Roman"
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    if size == BODY_PT:
        from docx.oxml import OxmlElement

        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CHAR_SPACING_TWIPS))
        run._element.get_or_add_rPr().append(spacing)


def _border(paragraph, side: str, *, size_eighths: int, color: str = "000000", space: int = 1) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    for k, v in (("val", "single"), ("sz", str(size_eighths)), ("space", str(space)), ("color", color)):
        edge.set(qn(f"w:{k}"), v)
    borders.append(edge)


def _para(doc, text: str = "", *, font: str = FANGSONG, size: float = BODY_PT, align=None, indent: bool = False,
          bold: bool = False, color: str | None = None, exact: bool = True):
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False  # every page full: 22 lines (a 公文 page is never short by a line)
    if exact:
        from docx.enum.text import WD_LINE_SPACING

        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PITCH_TWIPS / 20)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        _fonts(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _page_setup(doc) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.left_margin = Mm(37), Mm(28)
    s.bottom_margin, s.right_margin = Mm(297 - 37 - 225), Mm(210 - 28 - 156)
    s.header_distance, s.footer_distance = Mm(15), Mm(28 - 7)  # 页码 7 mm below the 版心's last line
    grid = s._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        s._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(s.footer, right=True)
    _page_number(s.even_page_footer, right=False)


def _page_number(footer, *, right: bool) -> None:
    """"— 1 —" in 宋体 四号; odd pages right, even pages left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    if right:
        p.paragraph_format.right_indent = Pt(NOTE_PT)
    else:
        p.paragraph_format.left_indent = Pt(NOTE_PT)
    _fonts(p.add_run("— "), SONGTI, NOTE_PT)
    run = p.add_run()
    _fonts(run, SONGTI, NOTE_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "1":
            el = OxmlElement("w:t")
            el.text = "1"
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _fonts(p.add_run(" —"), SONGTI, NOTE_PT)


def build(doc_: Gongwen):
    """The python-docx Document for a 公文."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH as A

    doc = docx.Document()
    _page_setup(doc)
    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:
        body._p.getparent().remove(body._p)
    mark_pt = min(MARK_PT, int(156 / 25.4 * 72 / max(len(doc_.issuer_mark), 1)))  # one line, as wide as the 版心 at most
    _para(doc, doc_.issuer_mark, font=XIAOBIAOSONG, size=mark_pt, align=A.CENTER, color=RED, exact=False)
    _para(doc)
    _para(doc)
    num = _para(doc, doc_.number, align=A.CENTER)
    _border(num, "bottom", size_eighths=12, color=RED, space=8)
    _para(doc)
    _para(doc, doc_.title, font=XIAOBIAOSONG, size=TITLE_PT, align=A.CENTER)
    _para(doc)
    _para(doc, doc_.addressee)
    for item in doc_.body:
        p = _para(doc, indent=item.indent, align=A.JUSTIFY)
        if item.heading:
            _fonts(p.add_run(item.heading), HEITI, BODY_PT)
        if item.text:
            _fonts(p.add_run(item.text), FANGSONG, BODY_PT)
    if doc_.attachments:
        _para(doc)
        for i, name in enumerate(doc_.attachments, start=1):
            _para(doc, f"附件：{i}．{name}" if i == 1 else f"　　　{i}．{name}", indent=True)
    _para(doc)
    _para(doc)
    sign = _para(doc, doc_.issuer, align=A.RIGHT)
    sign.paragraph_format.right_indent = _pt(BODY_PT * 2)
    date = _para(doc, doc_.date_text, align=A.RIGHT)
    date.paragraph_format.right_indent = _pt(BODY_PT * 4)
    _para(doc)
    _imprint(doc, doc_)
    return doc


def _pt(value: float):
    from docx.shared import Pt

    return Pt(value)


def _imprint(doc, doc_: Gongwen) -> None:
    """版记: 抄送, then 印发机关 and 印发日期, between a thick first line, thin inner lines and a thick last line."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    first = True
    if doc_.cc:
        cc = _para(doc, f"抄送：{doc_.cc}", size=NOTE_PT)
        cc.paragraph_format.left_indent = cc.paragraph_format.right_indent = Pt(NOTE_PT)
        _border(cc, "top", size_eighths=8, space=4)
        _border(cc, "bottom", size_eighths=4, space=4)
        first = False
    line = _para(doc, size=NOTE_PT)
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = Pt(NOTE_PT)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(156) - Pt(NOTE_PT * 2), WD_TAB_ALIGNMENT.RIGHT)
    _fonts(line.add_run(f"{doc_.printer or doc_.issuer}\t{doc_.date_text}印发"), FANGSONG, NOTE_PT)
    if first:
        _border(line, "top", size_eighths=8, space=4)
    _border(line, "bottom", size_eighths=8, space=4)


def write(path: Path, doc_: Gongwen) -> None:
    """Write a 公文 to `path` atomically (a reader never sees half a file)."""
    from ..outputs import atomic

    document = build(doc_)
    with atomic(path) as tmp:
        document.save(str(tmp))
