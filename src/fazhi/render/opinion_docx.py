"""The review opinion as a Word file with the look of an official document (GB/T 9704-2012).

A4 paper, margins 3.7 (top) / 3.5 (bottom) / 2.8 (left) / 2.6 cm (right); title in
方正小标宋简体 二号 (22 pt); level-1 headings 黑体, level-2 headings 楷体_GB2312, body
仿宋_GB2312, all 三号 (16 pt); fixed 28 pt line pitch; page number "— 1 —" in the footer.
The Chinese fonts are set on rPr/rFonts w:eastAsia (python-docx only sets w:ascii), and each
one is declared in fontTable.xml with a w:altName fallback (宋体, 黑体, 楷体, 仿宋) that Word
uses when the official font is not installed.
"""
from __future__ import annotations

import io

from fazhi.render.opinion import FindingItem, Opinion, Para, Table, numbered

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TITLE_FONT, HEADING1_FONT, HEADING2_FONT, BODY_FONT = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
# font -> (altName fallback, panose family); source: GB/T 9704-2012 7.1 and common practice
FALLBACKS = {TITLE_FONT: ("宋体", "roman"), HEADING1_FONT: ("SimHei", "modern"),
             HEADING2_FONT: ("楷体", "modern"), BODY_FONT: ("仿宋", "modern")}
TITLE_PT, BODY_PT, TABLE_PT, LINE_PT = 22, 16, 12, 28
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
SEVERITY_COLOR = {"error": "B00000", "warning": "A05A00", "info": "1F4E99"}


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts on an rPr element: w:eastAsia for Chinese, ascii/hAnsi for Latin;
    theme font attributes (which would win over the names) are removed."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    rfonts.set(_w("ascii"), latin)
    rfonts.set(_w("hAnsi"), latin)
    rfonts.set(_w("cs"), latin)
    rfonts.set(_w("eastAsia"), east_asia)
    rfonts.set(_w("hint"), "eastAsia")


def _run_font(run, east_asia: str, size: float | None = None, bold: bool | None = None,
              color: str | None = None) -> None:
    from docx.shared import Pt, RGBColor

    set_fonts(run._r.get_or_add_rPr(), east_asia)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def declare_fallbacks(document) -> None:
    """Add the official fonts to fontTable.xml, each with its w:altName fallback."""
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable") and not rel.is_external:
            part = rel.target_part
            root = etree.fromstring(part.blob)
            have = {f.get(_w("name")) for f in root.findall(_w("font"))}
            for name, (alt, family) in FALLBACKS.items():
                if name in have:
                    continue
                font = etree.SubElement(root, _w("font"))
                font.set(_w("name"), name)
                for tag, val in (("altName", alt), ("charset", "86"), ("family", family), ("pitch", "variable")):
                    etree.SubElement(font, _w(tag)).set(_w("val"), val)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            return


def _setup(document) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Cm, Pt, RGBColor

    sec = document.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    sec.left_margin, sec.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    normal = document.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = Pt(BODY_PT)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)
    for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT)):
        st = document.styles[name]
        set_fonts(st.element.get_or_add_rPr(), font)
        st.font.size = Pt(BODY_PT)
        st.font.bold = False
        st.font.italic = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        hf = st.paragraph_format
        hf.space_before = hf.space_after = Pt(0)
        hf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hf.line_spacing = Pt(LINE_PT)
        hf.first_line_indent = Pt(2 * BODY_PT)
        hf.keep_with_next = True
    declare_fallbacks(document)
    _page_number(sec.footer.paragraphs[0])


def _page_number(paragraph) -> None:
    """Footer "— N —" with a PAGE field (GB/T 9704 7.5), 4号 (14 pt) 宋体."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(paragraph.add_run("— "), "宋体", 14)
    fld = OxmlElement("w:fldSimple")
    fld.set(_w("instr"), " PAGE ")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)
    _run_font(paragraph.add_run(" —"), "宋体", 14)


def _body_para(document, indent: bool = True):
    from docx.shared import Pt

    p = document.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    return p


def _add_para(document, block: Para) -> None:
    p = _body_para(document)
    if block.label:
        _run_font(p.add_run(block.label), HEADING1_FONT)
    p.add_run(block.text)


def _add_finding(document, item: FindingItem, n: int) -> None:
    from fazhi.render.opinion_text import finding_sentence

    p = _body_para(document)
    for role, text in finding_sentence(item, n):
        run = p.add_run(text)
        if role == "sev":
            _run_font(run, HEADING1_FONT, color=SEVERITY_COLOR.get(item.severity))
        elif role == "quote":
            _run_font(run, HEADING2_FONT)


def _add_table(document, table: Table) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Cm, Pt

    widths = _column_widths(table)
    t = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    t.style = document.styles["Table Grid"]
    t.autofit = False
    for r, values in enumerate([table.header, *table.rows]):
        row = t.rows[r]
        for c, value in enumerate(values):
            cell = row.cells[c]
            cell.width = Cm(widths[c])
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.paragraph_format.first_line_indent = Pt(0)
            run = p.add_run(value)
            _run_font(run, HEADING1_FONT if r == 0 else BODY_FONT, TABLE_PT)
    for c, w in enumerate(widths):
        t.columns[c].width = Cm(w)
    _body_para(document, indent=False)  # a blank line after the table


def _column_widths(table: Table) -> list[float]:
    """Widths in cm over the 15.6 cm text block, by the longest text of each column."""
    total = 21 - MARGINS_CM["left"] - MARGINS_CM["right"]
    longest = [max([len(h)] + [len(r[i]) for r in table.rows if i < len(r)]) for i, h in enumerate(table.header)]
    weights = [min(max(n, 2), 30) for n in longest]
    s = sum(weights)
    return [round(total * w / s, 2) for w in weights]


def render_docx(op: Opinion) -> bytes:
    """The opinion as .docx bytes."""
    document = new_document(op.title)
    if op.addressee:
        _body_para(document, indent=False).add_run(f"{op.addressee}：")
    _body_para(document).add_run(op.opening)
    for level, marker, sec in numbered(op):
        document.add_heading(marker + sec.title, level=level)
        n = 0
        for block in sec.blocks:
            if isinstance(block, Para):
                _add_para(document, block)
            elif isinstance(block, FindingItem):
                n += 1
                _add_finding(document, block, n)
            elif isinstance(block, Table):
                _add_table(document, block)
    _body_para(document).add_run(op.closing)
    sign_off(document, op.signer, op.date)
    if op.note:
        p = _body_para(document, indent=False)
        _run_font(p.add_run(op.note), BODY_FONT, TABLE_PT)
    return to_bytes(document)


def new_document(title: str):
    """A new python-docx document in the opinion's look (GB/T 9704 page and fonts) with its centred title."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    document = docx.Document()
    _setup(document)
    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    head.paragraph_format.line_spacing = Pt(36)
    head.paragraph_format.space_after = Pt(LINE_PT)
    _run_font(head.add_run(title), TITLE_FONT, TITLE_PT)
    return document


def sign_off(document, signer: str, date_text: str) -> None:
    """The signing organ and the date, right-aligned under one empty line (落款)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    _body_para(document, indent=False)
    for text in (signer, date_text):
        p = _body_para(document, indent=False)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(4 * BODY_PT)
        p.add_run(text)


def captioned_table(document, table: Table) -> None:
    """A table under its caption with its row count (“逾期报送的单位（3个）”)."""
    p = _body_para(document, indent=False)
    _run_font(p.add_run(f"{table.caption}（{len(table.rows)}个）"), HEADING1_FONT, BODY_PT)
    _add_table(document, table)


CN_NUM = "一二三四五六七八九十"


def cn_date(iso: str) -> str:
    """2026-03-01 → 2026年3月1日."""
    from datetime import date

    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def to_bytes(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
