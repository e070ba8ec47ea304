"""The briefing as a Word document staff can edit: real headings, paragraphs and tables.

Built with python-docx from the same `Document` the print view renders:
the title in Word's Title style, section headings as Heading 1 (so Word's
navigation pane and a table of contents find them), body paragraphs with
the two-character first-line indent of Chinese reports, each table a real
Word table with a header row that repeats across pages. Chinese text is set
in 宋体 / 黑体 (Word's East Asian font slots), Latin text in Calibri; A4
with page numbers in the footer.
"""
from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboard.briefing.model import Cell, Document, Heading, Paragraph, Table
from dashboard.clock import utc_of_china
from dashboard.text import t

BLUE = RGBColor(0x1F, 0x4E, 0x8C)
INK = RGBColor(0x1D, 0x27, 0x33)
MUTED = RGBColor(0x55, 0x60, 0x6E)
TONES = {"red": RGBColor(0xB8, 0x32, 0x27), "amber": RGBColor(0xA6, 0x6F, 0x00),
         "green": RGBColor(0x2E, 0x7D, 0x4F), "muted": MUTED}
BODY_FONT, HEAD_FONT, LATIN_FONT = "宋体", "黑体", "Calibri"
BODY_PT = 12


def _fonts(style_or_run, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian fonts (python-docx's `font.name` sets only the Latin ones)."""
    style_or_run.font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    # A theme font (Word's heading styles name +标题 / majorEastAsia) wins over a named one: drop them.
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)


def _styles(doc, lang: str) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, BODY_FONT)
    normal.font.size = Pt(BODY_PT)
    normal.font.color.rgb = INK
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    lang_el = normal.element.get_or_add_rPr()
    lang_tag = OxmlElement("w:lang")
    lang_tag.set(qn("w:val"), "en-GB" if lang == "en" else "zh-CN")
    lang_tag.set(qn("w:eastAsia"), "zh-CN")
    lang_el.append(lang_tag)
    title = styles["Title"]
    _fonts(title, HEAD_FONT)
    title.font.size = Pt(20)
    title.font.bold = True
    title.font.color.rgb = BLUE
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(4)
    # Word's Title style draws its own rule under the text; the subtitle carries ours.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    for level, size in ((1, 14), (2, 12)):
        h = styles[f"Heading {level}"]
        _fonts(h, HEAD_FONT)
        h.font.size = Pt(size)
        h.font.bold = True
        h.font.italic = False
        h.font.color.rgb = INK if level == 1 else MUTED
        h.paragraph_format.space_before = Pt(12 if level == 1 else 10)
        h.paragraph_format.space_after = Pt(4)
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.line_spacing = 1.2
    caption = styles["Caption"]
    _fonts(caption, HEAD_FONT)
    caption.font.size = Pt(10.5)
    caption.font.bold = True
    caption.font.italic = False
    caption.font.color.rgb = INK
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(3)
    caption.paragraph_format.keep_with_next = True


def _page(doc, lang: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, after = ("第 ", " 页") if lang != "en" else ("Page ", "")
    _small(footer.add_run(before), 9, MUTED)
    run = footer.add_run()
    _small(run, 9, MUTED)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text.strip() == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    _small(footer.add_run(after), 9, MUTED)


def _small(run, size: float, color: RGBColor | None = None, bold: bool = False) -> None:
    run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    run.font.bold = bold


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)


def _cell_text(cell, c: Cell | str, header: bool = False) -> None:
    para = cell.paragraphs[0]
    para.paragraph_format.line_spacing = 1.15
    para.paragraph_format.first_line_indent = None
    text = c if isinstance(c, str) else c.text
    run = para.add_run(text)
    _small(run, 9.5, INK, bold=header)
    if header:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(run, HEAD_FONT)
        return
    if isinstance(c, Cell):
        if c.numeric:
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if c.tone in TONES:
            run.font.color.rgb = TONES[c.tone]
        if c.tone in ("red", "amber", "notable"):
            run.font.bold = True


TEXT_WIDTH_CM = 21.0 - 2 * 2.2
KEEP_TOGETHER_ROWS = 25


def _display_width(text: str) -> int:
    """How wide text prints: a CJK character takes two Latin ones' room."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def column_widths(b: Table, total_cm: float = TEXT_WIDTH_CM) -> list[float]:
    """Widths in cm that fit each column's longest cell, filling the line. A header may wrap:
    Chinese anywhere (it needs half its width), English between words (its longest word)."""
    wants = []
    for i, head in enumerate(b.columns):
        body = max((_display_width(row[i].text) for row in b.rows), default=0)
        words = head.split()
        head_need = max(map(_display_width, words)) if len(words) > 1 else (_display_width(head) + 1) // 2
        wants.append(max(body, head_need, 4) + 3)
    scale = total_cm / sum(wants)
    return [w * scale for w in wants]


def _table(doc, b: Table) -> None:
    if b.caption:
        doc.add_paragraph(b.caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(b.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, b.columns):
        _cell_text(cell, text, header=True)
        _shade(cell, "E8EEF6")
    for row in b.rows:
        cells = table.add_row().cells
        for cell, c in zip(cells, row):
            _cell_text(cell, c)
    if len(b.rows) <= KEEP_TOGETHER_ROWS:
        # Word keeps a short table (and its note) on one page when every row keeps with the next.
        for row in table.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True
    for column, width in zip(table.columns, column_widths(b)):
        column.width = Cm(width)            # the grid (LibreOffice reads this)
        for cell in column.cells:           # and each cell (Word reads this)
            cell.width = Cm(width)
    if b.note:
        note = doc.add_paragraph()
        note.paragraph_format.space_before = Pt(2)
        note.paragraph_format.space_after = Pt(6)
        note.paragraph_format.line_spacing = 1.2
        _small(note.add_run(b.note), 9, MUTED)


def docx_bytes(d: Document) -> bytes:
    doc = new_docx()
    _styles(doc, d.lang)
    _page(doc, d.lang)
    props = doc.core_properties
    props.title = d.title
    props.subject = d.subtitle
    props.author = d.author or t("app.title", d.lang)
    props.last_modified_by = props.author
    if d.created:
        props.created = props.modified = utc_of_china(d.created)     # stored in UTC; Word shows local time
    props.revision = 1
    props.language = "en-GB" if d.lang == "en" else "zh-CN"
    props.keywords = "旅游警务, 周报" if d.lang != "en" else "tourism policing, briefing"
    if d.demo_notice:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _small(p.add_run(d.demo_notice), 9.5, RGBColor(0x6D, 0x4C, 0x00), bold=True)
    doc.add_paragraph(d.title, style="Title")
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _small(sub.add_run(d.subtitle), 12, INK)
    _rule(sub)
    for line in d.meta:
        p = doc.add_paragraph()
        p.paragraph_format.line_spacing = 1.2
        _small(p.add_run(line), 9, MUTED)
    for b in d.blocks:
        if isinstance(b, Heading):
            doc.add_heading(b.text, level=b.level)
        elif isinstance(b, Paragraph):
            p = doc.add_paragraph()
            if b.style == "note":
                p.paragraph_format.line_spacing = 1.2
                _small(p.add_run(b.text), 9, MUTED)
            else:
                if d.lang != "en":
                    p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if d.lang != "en" else WD_ALIGN_PARAGRAPH.LEFT
                p.paragraph_format.space_after = Pt(4)
                p.add_run(b.text)
        elif isinstance(b, Table):
            _table(doc, b)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
               "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _rule(paragraph) -> None:
    """A blue rule under the subtitle, like the print view's."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "double"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "1F4E8C")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    # pPr children have a fixed order in OOXML; Word refuses a pBdr after spacing or jc.
    ppr.insert_element_before(bdr, *_AFTER_PBDR)
    paragraph.paragraph_format.space_after = Pt(6)
