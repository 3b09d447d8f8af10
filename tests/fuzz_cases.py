"""Fuzz inputs for fazhi: the bundled sample reports written in every format, then mutated.

A case is (family, name, suffix, bytes). `make_case(seed, i)` builds case number i of a seeded run
deterministically (the same seed and index give the same bytes, so any failure can be rebuilt);
families are drawn by weight. Writers here need nothing outside Python: txt in many encodings, a
minimal .docx (zip + WordprocessingML, with Word automatic numbering for the heading markers), a
government web page, and a PDF with a real text layer (Type0 font, Identity-H, a ToUnicode map;
no font embedded: text extraction needs only the map). The mutators are in fuzz_mutators.py.

Used by tests/test_fuzz.py (a bounded sample in CI) and bench/fuzz.py (100,000 cases).
"""
from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "fazhi" / "samples"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                  "big5", "gb2312")


@dataclass(frozen=True)
class Case:
    family: str
    name: str  # what was done, enough to rebuild it by hand
    suffix: str  # .txt .docx .html .pdf (sometimes a wrong one on purpose)
    data: bytes


@cache
def sample_texts() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")))


def base_text(rng: random.Random, max_lines: int | None = None) -> str:
    """One sample report, whole or cut to its first lines (cheap cases for CI)."""
    text = rng.choice(sample_texts())
    if max_lines:
        text = "\n".join(text.splitlines()[:max_lines])
    return text


def encode_text(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


# ---------------------------------------------------------------- .docx


HEADING_FORMATS = (("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."))
_HEADING = (re.compile(r"^[一二三四五六七八九十]+、"), re.compile(r"^[（(][一二三四五六七八九十]+[）)]"),
            re.compile(r"^\d+[.．、](?!\d)"))


def numbering_xml(levels=HEADING_FORMATS, start: str = "1", extra: str = "", override: str = "") -> str:
    lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
                   f'<w:lvlText w:val="{escape(text, {chr(34): "&quot;"})}"/><w:lvlJc w:val="left"/></w:lvl>'
                   for i, (fmt, text) in enumerate(levels))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{W_NS}">'
            f'<w:abstractNum w:abstractNumId="0">{lvls}</w:abstractNum>{extra}'
            f'<w:num w:numId="1"><w:abstractNumId w:val="0"/>{override}</w:num></w:numbering>')


def paragraph_xml(text: str, level: int | None = None, style: str | None = None) -> str:
    ppr = ""
    if level is not None or style:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "")
        if level is not None:
            ppr += f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="1"/></w:numPr>'
        ppr += "</w:pPr>"
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(_xml_safe(text))}</w:t></w:r></w:p>'


def _xml_safe(text: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


def document_xml(body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
            f"<w:body>{body}<w:sectPr/></w:body></w:document>")


def docx_body(text: str, numbered: bool) -> str:
    """One w:p per line; with `numbered`, heading markers (一、（一）1.) become Word numbering."""
    out = []
    for line in text.splitlines():
        level = None
        if numbered:
            for k, pat in enumerate(_HEADING):
                m = pat.match(line.strip())
                if m:
                    level, line = k, line.strip()[m.end():]
                    break
        out.append(paragraph_xml(line, level))
    return "".join(out)


STYLES_XML = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W_NS}">'
              '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
              "</w:styles>")


def docx_parts(document: str, numbering: str | None = None, styles: str = STYLES_XML) -> dict[str, str | bytes]:
    rels = ('<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/>')
    overrides = ('<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>')
    parts: dict[str, str | bytes] = {"word/document.xml": document, "word/styles.xml": styles}
    if numbering is not None:
        rels += ('<Relationship Id="rIdN" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/numbering" Target="numbering.xml"/>')
        overrides += ('<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-'
                      'officedocument.wordprocessingml.numbering+xml"/>')
        parts["word/numbering.xml"] = numbering
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>")
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>")
    parts["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
    return parts


def zip_parts(parts: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, content in parts.items():
            z.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buf.getvalue()


def make_docx(text: str, numbered: bool = True) -> bytes:
    return zip_parts(docx_parts(document_xml(docx_body(text, numbered)), numbering_xml() if numbered else None))


# ---------------------------------------------------------------- web page


def page_html(text: str, charset: str = "utf-8", body_lines: list[str] | None = None) -> str:
    """A government article page: navigation, breadcrumb, headline, info line, the report, footer."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = lines[0] if lines else "报告"
    paras = body_lines if body_lines is not None else [f"<p>{escape(ln)}</p>" for ln in lines[1:]]
    return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f'<title>{escape(title)}_某某县人民政府</title><meta name="ArticleTitle" content="{escape(title)}">'
            '</head><body><div class="nav">首页 | 政务公开 | 政策文件 | 办事服务 | 互动交流</div>'
            '<div class="position">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>'
            f'<div class="article"><h1 class="title">{escape(title)}</h1>'
            '<div class="info">来源：某某县司法局 发布时间：2024-03-15 10:00</div>'
            f'<div class="content">{"".join(paras)}</div>'
            '<div class="share">分享到：微信 微博</div><div>【打印本页】【关闭窗口】</div></div>'
            '<div class="footer">主办单位：某某县人民政府办公室 网站标识码：1234567890</div></body></html>')


def make_html(text: str, charset: str = "utf-8") -> bytes:
    return page_html(text, charset).encode("gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else "utf-8",
                                           errors="replace")


# ---------------------------------------------------------------- PDF with a text layer


def _to_unicode_cmap() -> bytes:
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    blocks = []
    for k in range(0, len(ranges), 100):
        chunk = ranges[k:k + 100]
        blocks.append(f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange")
    return ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) "
            "/Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def "
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + "\n".join(blocks) +
            "\nendcmap CMapName currentdict /CMap defineresource pop end end").encode("ascii")


def _wrap(line: str, width: int) -> list[str]:
    return [line[k:k + width] for k in range(0, len(line), width)] or [""]


def make_pdf(text: str, chars_per_line: int = 38, lines_per_page: int = 40) -> bytes:
    """A PDF whose text layer is `text`: paragraphs wrapped at chars_per_line, the first line of
    each indented two characters, 12 pt, A4 pages."""
    rows: list[tuple[float, str]] = []
    for para in text.splitlines():
        para = para.strip()
        if not para:
            continue
        for k, piece in enumerate(_wrap("\u3000\u3000" + para if len(para) > 20 else para, chars_per_line)):
            rows.append((72.0, piece))
    pages = [rows[k:k + lines_per_page] for k in range(0, len(rows), lines_per_page)] or [[]]
    return pdf_document([_content_stream(page) for page in pages])


def _hex(s: str) -> str:
    return "".join(f"{ord(c):04X}" if ord(c) <= 0xFFFF and not 0xD800 <= ord(c) <= 0xDFFF else "FFFD" for c in s)


def _content_stream(rows: list[tuple[float, str]]) -> bytes:
    out = ["BT /F1 12 Tf"]
    y = 770.0
    for x, s in rows:
        out.append(f"1 0 0 1 {x:.1f} {y:.1f} Tm <{_hex(s)}> Tj")
        y -= 18
    out.append("ET")
    return "\n".join(out).encode("ascii")


def pdf_document(contents: list[bytes]) -> bytes:
    """Objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 ToUnicode, then page + content per page."""
    objs: dict[int, bytes] = {
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
           b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        4: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
           b"/Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        5: _stream(_to_unicode_cmap()),
    }
    kids = []
    for k, content in enumerate(contents):
        page, cont = 6 + 2 * k, 7 + 2 * k
        kids.append(f"{page} 0 R")
        objs[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                      f"/Contents {cont} 0 R >>").encode("ascii")
        objs[cont] = _stream(content)
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode("ascii")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode("ascii") + objs[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode("ascii")
    for num in range(1, size):
        out += f"{offsets.get(num, 0):010d} 00000 n \n".encode("ascii")
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return f"<< /Length {len(data)} >>\nstream\n".encode("ascii") + data + b"\nendstream"


# ---------------------------------------------------------------- writers by format


def write(text: str, fmt: str, rng: random.Random) -> tuple[str, bytes, str]:
    """(suffix, bytes, how) of `text` in format fmt: txt (a random encoding), docx, html, pdf."""
    if fmt == "txt":
        enc = rng.choice(TEXT_ENCODINGS)
        return ".txt", encode_text(text, enc), enc
    if fmt == "docx":
        numbered = rng.random() < 0.7
        return ".docx", make_docx(text, numbered), "numbered" if numbered else "plain"
    if fmt == "html":
        cs = rng.choice(("utf-8", "utf-8", "gb2312"))
        return ".html", make_html(text, cs), cs
    return ".pdf", make_pdf(text), "pdf"
