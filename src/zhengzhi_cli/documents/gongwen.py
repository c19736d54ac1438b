"""A 公文 as .docx, laid out per GB/T 9704-2012 (党政机关公文格式).

A4 portrait; 天头 (top margin) 37 mm, 订口 (left margin) 28 mm, 版心 156 × 225 mm, so the
bottom margin is 35 mm and the right 26 mm. Body in 仿宋_GB2312 三号 (16 pt) on a grid of
22 lines × 28 characters (line pitch 225 mm / 22 = 28.95 pt, exact; characters condensed by 0.25 pt so that 28 fit
in 156 mm). 版头: 发文机关标志 in red
小标宋, 发文字号, a red line as wide as the 版心. Title in 小标宋 二号; 一级标题 in 黑体. 版记:
抄送 and 印发机关和印发日期 between lines, at the foot of the last page. Page numbers "— 1 —" in 宋体 四号, odd pages on the
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
    # 署名 and 成文日期 never start a page of their own: they keep with the last lines of the body
    last_body = doc.paragraphs[-1]
    last_body.paragraph_format.keep_with_next = True
    for _ in range(2):
        _para(doc).paragraph_format.keep_with_next = True
    sign = _para(doc, doc_.issuer, align=A.RIGHT)
    sign.paragraph_format.right_indent = _pt(BODY_PT * 2)
    sign.paragraph_format.keep_with_next = True
    date = _para(doc, doc_.date_text, align=A.RIGHT)
    date.paragraph_format.right_indent = _pt(BODY_PT * 4)
    _imprint(doc, doc_)
    return doc


def _pt(value: float):
    from docx.shared import Pt

    return Pt(value)


def _imprint(doc, doc_: Gongwen) -> None:
    """版记: 抄送, then 印发机关 and 印发日期, between a thick first line, thin inner lines and a thick last line,
    at the foot of the last page (GB/T 9704 7.4): a text box anchored to the page's 版心 bottom, held by a
    one-point paragraph after the 成文日期. Where the last page has no room left above the box, that
    paragraph (and the box with it) goes to a page of its own, as the standard allows; the body is not
    re-spaced for it. (LibreOffice ignores w:framePr positions and floating tables at the page foot; a
    DrawingML text box, the form Word itself writes, it places at the foot; not checked in Word or WPS here.)"""
    from docx.enum.text import WD_LINE_SPACING, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    start = len(doc.paragraphs)
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
    inside = doc.paragraphs[start:]
    lines = sum(_note_lines(p.text) for p in inside)
    anchor = _para(doc)
    anchor.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    anchor.paragraph_format.line_spacing = Pt(1)
    anchor._p.append(_bottom_box([p._p for p in inside], height=Pt(lines * LINE_PITCH_TWIPS / 20 + 16)))


def _note_lines(text: str) -> int:
    """Lines a 版记 paragraph of 四号 takes in the 版心 less a character each side (an estimate for the
    box's first height; the box grows to its text)."""
    per_line = int(156 / 25.4 * 72 / NOTE_PT) - 2
    width = sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)
    return max(1, -int(-width // per_line))


_BOX = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:drawing>'
    '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0"'
    ' layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
    '<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/>'
    '<wp:docPr id="{id}" name="版记"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
    '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
    '<wps:txbx><w:txbxContent/></wps:txbx><wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0"'
    ' bIns="0" anchor="b"><a:spAutoFit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>'
)


def _bottom_box(paragraphs: list, *, height) -> object:
    """A run holding a text box as wide as the 版心, at the bottom of the 版心 of the page its paragraph is
    on, text kept above it (wrapTopAndBottom); `paragraphs` are moved into it."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Mm

    run = parse_xml(_BOX.format(cx=int(Mm(156)), cy=int(height), id=9704))
    content = run.find(".//" + qn("w:txbxContent"))
    for p in paragraphs:
        content.append(p)  # lxml moves the element out of the body
    return run


def write(path: Path, doc_: Gongwen) -> None:
    """Write a 公文 to `path` atomically (a reader never sees half a file)."""
    from ..outputs import atomic

    document = build(doc_)
    with atomic(path) as tmp:
        document.save(str(tmp))
