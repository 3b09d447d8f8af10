"""Real input files for the ingestion tests, written with real writers (python-docx,
LibreOffice, Pillow) into a test's tmp_path. Nothing here is mocked."""
from __future__ import annotations

import copy
import shutil
import subprocess
import zipfile
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "src" / "fazhi" / "samples"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def seed_text(prefix: str) -> str:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def seed_paragraphs(prefix: str) -> list[str]:
    return [ln.strip() for ln in seed_text(prefix).splitlines() if ln.strip()]


# ---------------------------------------------------------------- docx with Word numbering


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _el(tag: str, **attrs: str):
    from lxml import etree

    el = etree.Element(_w(tag))
    for k, v in attrs.items():
        el.set(_w(k), v)
    return el


def _level(ilvl: int, fmt: str, text: str, start: int = 1):
    lvl = _el("lvl", ilvl=str(ilvl))
    lvl.append(_el("start", val=str(start)))
    lvl.append(_el("numFmt", val=fmt))
    lvl.append(_el("lvlText", val=text))
    lvl.append(_el("lvlJc", val="left"))
    return lvl


def add_numbering(document, abstract_id: int, levels: list[tuple[str, str]], num_ids: list[int],
                  restart_num: int | None = None) -> None:
    """Define an abstractNum with the given (numFmt, lvlText) levels and num instances."""
    numbering = document.part.numbering_part.element
    absn = _el("abstractNum", abstractNumId=str(abstract_id))
    absn.append(_el("multiLevelType", val="multilevel"))
    for i, (fmt, text) in enumerate(levels):
        absn.append(_level(i, fmt, text))
    first_num = numbering.find(_w("num"))
    if first_num is not None:
        first_num.addprevious(absn)
    else:
        numbering.append(absn)
    for nid in num_ids:
        num = _el("num", numId=str(nid))
        num.append(_el("abstractNumId", val=str(abstract_id)))
        if nid == restart_num:
            over = _el("lvlOverride", ilvl="0")
            over.append(_el("startOverride", val="1"))
            num.append(over)
        numbering.append(num)


def numbered(paragraph, num_id: int, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = _el("numPr")
    numpr.append(_el("ilvl", val=str(ilvl)))
    numpr.append(_el("numId", val=str(num_id)))
    ppr.append(numpr)


def make_numbered_docx(path: Path) -> Path:
    """A report whose heading markers are Word automatic numbering, with a table,
    a header and a footer."""
    import docx

    d = docx.Document()
    add_numbering(d, 90, [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")], [91])
    add_numbering(d, 80, [("decimal", "%1.")], [81, 82], restart_num=82)
    d.sections[0].header.paragraphs[0].text = "某某县司法局文件（页眉）"
    d.sections[0].footer.paragraphs[0].text = "第 1 页（页脚）"
    d.add_paragraph("某某县司法局2023年度法治政府建设情况报告")
    d.add_paragraph("2023年,在县委、县政府的正确领导下,我局坚持以习近平新时代中国特色社会主义思想为指导。")
    numbered(d.add_paragraph("主要举措和成效"), 91, 0)
    numbered(d.add_paragraph("深化行政执法改革"), 91, 1)
    d.add_paragraph("全年办理行政执法案件120件。")
    numbered(d.add_paragraph("加强法治宣传教育"), 91, 1)
    numbered(d.add_paragraph("开展送法下乡活动"), 91, 2)
    numbered(d.add_paragraph("开展宪法宣传周活动"), 91, 2)
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("指标", "2022年", "2023年"), ("行政复议案件", "12件", "15件"), ("普法活动", "30场", "42场")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    numbered(d.add_paragraph("存在的不足和原因"), 91, 0)
    numbered(d.add_paragraph("执法队伍专业化水平不高"), 91, 1)
    numbered(d.add_paragraph("下一年度主要安排"), 91, 0)
    numbered(d.add_paragraph("完善权责清单"), 81, 0)
    numbered(d.add_paragraph("推进综合执法"), 81, 0)
    numbered(d.add_paragraph("重新编号的第一项"), 82, 0)
    d.add_paragraph("某某县司法局")
    d.add_paragraph("2024年1月19日")
    d.save(path)
    return path


NUMBERED_DOCX_LINES = [
    "某某县司法局2023年度法治政府建设情况报告",
    "2023年,在县委、县政府的正确领导下,我局坚持以习近平新时代中国特色社会主义思想为指导。",
    "一、主要举措和成效",
    "（一）深化行政执法改革",
    "全年办理行政执法案件120件。",
    "（二）加强法治宣传教育",
    "1.开展送法下乡活动",
    "2.开展宪法宣传周活动",
    "指标\t2022年\t2023年",
    "行政复议案件\t12件\t15件",
    "普法活动\t30场\t42场",
    "二、存在的不足和原因",
    "（一）执法队伍专业化水平不高",
    "三、下一年度主要安排",
    "1.完善权责清单",
    "2.推进综合执法",
    "1.重新编号的第一项",
    "某某县司法局",
    "2024年1月19日",
]


# ---------------------------------------------------------------- PDF through LibreOffice


def make_paged_docx(path: Path, paragraphs: list[str]) -> Path:
    """A docx with a running header and a footer carrying the page number field."""
    import docx
    from docx.shared import Pt

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.size = Pt(14)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(_w("eastAsia"), "Noto Serif CJK SC")
    section = d.sections[0]
    section.header.paragraphs[0].text = "某某镇人民政府文件"
    footer = section.footer.paragraphs[0]
    footer.add_run("- ")
    fld = _el("fldSimple", instr=" PAGE ")
    run = _el("r")
    t = _el("t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    footer._p.append(fld)
    footer.add_run(" -")
    for text in paragraphs:
        p = d.add_paragraph(text)
        p.paragraph_format.first_line_indent = Pt(28)
    d.save(path)
    return path


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise RuntimeError("LibreOffice (soffice) is required for the PDF tests: "
                           "apt-get install -y libreoffice-writer-nogui fonts-noto-cjk poppler-utils")
    return exe


def to_pdf(src: Path, outdir: Path, profile: Path, export: str = "pdf") -> Path:
    cmd = [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", export, "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    out = outdir / (src.stem + ".pdf")
    if not out.exists():
        raise RuntimeError(f"soffice did not write {out}")
    return out


ENCRYPTED_PDF_EXPORT = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
                        '"DocumentOpenPassword":{"type":"string","value":"secret"}}')


# ---------------------------------------------------------------- other fixtures


def make_scanned_pdf(path: Path, lines: list[str]) -> Path:
    """An image-only PDF: text drawn on a bitmap, saved as PDF by Pillow (no text layer)."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = next(iter(sorted(Path("/usr/share/fonts").rglob("NotoSansCJK-Regular.ttc"))), None)
    font = ImageFont.truetype(str(font_path), 28) if font_path else ImageFont.load_default()
    img = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((100, 120 + i * 48), line, fill="black", font=font)
    img.save(path, "PDF", resolution=150)
    return path


def make_zip_bomb(path: Path, size: int = 64 * 1024 * 1024) -> Path:
    """A .docx-shaped zip whose document.xml inflates ~1000-fold."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return path


def make_encrypted_docx(plain: Path, path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as src, open(path, "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    return path


def corrupt_docx(good: Path, path: Path) -> Path:
    """A real docx whose document.xml is cut in half (malformed XML)."""
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            zout.writestr(copy.copy(item), data)
    return path


# ---------------------------------------------------------------- page shapes of ../shared/tools/score.py


def write_minimal_docx(path: Path, text: str) -> Path:
    """The docx that score.py --formats writes: no styles.xml, no numbering.xml."""
    paras = "".join(
        '<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>'.format(
            line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        for line in text.split("\n"))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           f'<w:document xmlns:w="{W_NS}"><w:body>{paras}</w:body></w:document>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   "</Types>")
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   "</Relationships>")
        z.writestr("word/document.xml", doc)
    return path


def write_scorer_html(path: Path, text: str) -> Path:
    """The page score.py --formats writes: nav bar, 当前位置, <p> per line, footer."""
    body = "".join(f"<p>{line}</p>\n" for line in text.split("\n") if line.strip())
    html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title></head><body>'
            '<div class="nav"><a href="/">首页</a> | <a href="/xxgk">政府信息公开</a> | <a href="/zwdt">政务动态</a> | '
            '<a href="/hdjl">互动交流</a> | <a href="/bsfw">办事服务</a></div>'
            '<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 法治政府建设</div>'
            f'<div class="article">{body}</div>'
            '<div class="foot">主办单位：某某人民政府办公室 | 网站标识码 1234567890 | 备案号：某ICP备12345678号</div>'
            "</body></html>")
    path.write_text(html, encoding="utf-8")
    return path


GOV_PAGE_ARTICLE = [
    "2023年，某某区司法局在区委、区政府的坚强领导下，深入学习贯彻习近平法治思想，扎实推进法治政府建设，现将有关情况报告如下。",
    "一、开展的工作",
    "（一）深化行政执法改革",
    "全年办理行政执法案件120件，开展执法培训6次，参训人员300余人次。",
    "二、存在的不足",
    "执法队伍专业化水平有待提高，部分执法人员对新法规的学习不够深入。",
    "三、下一步工作安排",
    "持续推进严格规范公正文明执法，全面提升依法行政能力和水平。",
    "某某区司法局",
    "2024年3月20日",
]
GOV_PAGE_TITLE = "某某区司法局2023年度法治政府建设情况报告"


def gov_page_html(charset: str = "gb2312") -> str:
    """A realistic article page of a district government site."""
    paras = "\n".join(f'<p style="text-indent:2em">&nbsp;&nbsp;{t}</p>' for t in GOV_PAGE_ARTICLE[:-2])
    sign = "".join(f'<p style="text-align:right">{t}</p>' for t in GOV_PAGE_ARTICLE[-2:])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{GOV_PAGE_TITLE}_某某区人民政府</title>
<meta name="SiteName" content="某某区人民政府"><meta name="ColumnName" content="法治政府建设">
<script>var _hmt = _hmt || []; document.write("统计代码");</script>
<style>.nav li {{ float: left }}</style></head>
<body><div class="top"><div class="logo"><img src="logo.png" alt="某某区人民政府"></div>
<div class="tools"><a href="#">无障碍</a> | <a href="#">长者模式</a> | <a href="#">繁体版</a></div>
<div class="search"><input type="text" value="请输入关键字"><button>搜索</button></div></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/zwfw">政务服务</a></li>
<li><a href="/hdjl">互动交流</a></li><li><a href="/zjmq">走进某某</a></li></ul>
<div class="main"><div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/fzzf">法治政府建设</a></div>
<div class="content"><h1 class="title">{GOV_PAGE_TITLE}</h1>
<div class="info">发布时间：2024-03-28 10:30 &nbsp;&nbsp; 来源：某某区司法局 &nbsp;&nbsp; 浏览次数：1024 &nbsp; 【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
<div class="article" id="zoom">
{paras}
{sign}
</div>
<div class="share">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>
<div class="print">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="/1">某某区2022年度法治政府建设情况报告</a></li>
<li><a href="/2">某某区召开法治政府建设推进会</a></li></ul></div></div>
<div class="sidebar"><h3>热点专题</h3><ul><li><a href="/t">学习贯彻党的二十大精神</a></li></ul></div></div>
<div class="footer"><p><a href="#">网站地图</a> | <a href="#">联系我们</a></p>
<p>主办单位：某某区人民政府办公室 &nbsp; 承办单位：某某区大数据中心</p>
<p>网站标识码：1234000001 &nbsp; <a href="https://beian.miit.gov.cn">某ICP备05001234号</a> &nbsp; 某公网安备 12345602000123号</p></div>
</body></html>
"""


# ---------------------------------------------------------------- scans, old Office formats, OFD, hostile PDFs


def make_scanned_report_pdf(path: Path, paragraphs: list[str], work: Path, dpi: int = 300) -> Path:
    """A report as a scanner gives it: laid out by LibreOffice, each page rendered to a
    grayscale bitmap, the bitmaps saved as an image-only PDF (no text layer)."""
    import pypdfium2 as pdfium

    work.mkdir(parents=True, exist_ok=True)
    pdf = to_pdf(make_paged_docx(work / "scan-src.docx", paragraphs), work, work / "profile")
    doc = pdfium.PdfDocument(pdf)
    images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    doc.close()
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def to_office(src: Path, outdir: Path, profile: Path, fmt: str = "doc") -> Path:
    """`src` (.docx) saved by LibreOffice as a Word 97 .doc (fmt "doc") or as .rtf / .odt."""
    cmd = [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", fmt, "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    out = outdir / f"{src.stem}.{fmt}"
    if not out.exists():
        raise RuntimeError(f"soffice did not write {out}")
    return out


OFD_NS = "http://www.ofdspec.org/2016"


def write_ofd(path: Path, paragraphs: list[str], size: float = 4.2, width: float = 210.0,
              height: float = 297.0, margin: float = 25.0, header: str | None = "某某镇人民政府文件") -> Path:
    """An OFD laid out as a fixed-layout writer does: A4 pages, one TextObject per line
    (Boundary in mm, one TextCode with DeltaX per glyph), paragraphs wrapped at the right margin
    with a two-character first-line indent, a running header and a page number on every page."""
    from xml.sax.saxutils import escape

    lines_per_page = int((height - 2 * margin) // (size * 1.6))
    pages: list[list[tuple[float, float, str]]] = [[]]
    for para in paragraphs:
        for i, (x, text) in enumerate(_wrap(para, size, width - 2 * margin)):
            if len(pages[-1]) >= lines_per_page:
                pages.append([])
            pages[-1].append((margin + x, margin + len(pages[-1]) * size * 1.6, text))
    for n, page in enumerate(pages, 1):
        if header:
            page.insert(0, (width / 2 - len(header) * size / 2, margin - 12, header))
        num = f"- {n} -"
        page.append((width / 2 - len(num) * size / 4, height - margin + 8, num))

    def text_object(oid: int, x: float, y: float, text: str) -> str:
        adv = [size * (0.5 if ch.isascii() else 1.0) for ch in text]
        deltas = " ".join(f"{a:g}" for a in adv[:-1])
        return (f'<ofd:TextObject ID="{oid}" Boundary="{x:.2f} {y:.2f} {sum(adv):.2f} {size * 1.2:.2f}" Font="1" '
                f'Size="{size}"><ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="{size:g}" '
                f'DeltaX="{deltas}">{escape(text)}</ofd:TextCode></ofd:TextObject>')

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" '
                   'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>0C1D4F7159954EEEDE517F7285E84DC4</ofd:DocID>'
                   '<ofd:Creator>fazhi tests</ofd:Creator></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                   '</ofd:DocBody></ofd:OFD>')
        page_refs = "".join(f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{OFD_NS}">'
                   f'<ofd:CommonData><ofd:MaxUnitID>99999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {width:g} '
                   f'{height:g}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>'
                   f'</ofd:CommonData><ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>')
        z.writestr("Doc_0/PublicRes.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{OFD_NS}" '
                   'BaseLoc="Res"><ofd:Fonts><ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
        for i, page in enumerate(pages):
            objs = "".join(text_object(1000 * (i + 1) + k, x, y, t) for k, (x, y, t) in enumerate(page))
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                       f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content>'
                       f'<ofd:Layer ID="{10 + i}">{objs}</ofd:Layer></ofd:Content></ofd:Page>')
    return path


def _wrap(para: str, size: float, width: float) -> list[tuple[float, str]]:
    """(x offset, text) lines of one paragraph: first line indented two characters."""
    out, line, x0, used = [], "", 2 * size, 2 * size
    for ch in para:
        adv = size * (0.5 if ch.isascii() else 1.0)
        if used + adv > width + 0.01:
            out.append((x0, line))
            line, x0, used = "", 0.0, 0.0
        line += ch
        used += adv
    out.append((x0, line))
    return out


def write_pdf(path: Path, objects: list[bytes], root: int = 1) -> Path:
    """A PDF from raw object bodies (object n is objects[n-1]) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    path.write_bytes(bytes(out))
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    """`pages` empty A4 pages."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    return write_pdf(path, objects)


def flate_bomb_pdf(path: Path, inflated: int) -> Path:
    """One page whose content stream is `inflated` bytes of spaces, Flate-compressed."""
    import zlib

    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = b"".join(z.compress(chunk) for _ in range(inflated // len(chunk))) + z.flush()
    return write_pdf(path, [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
                            + b"\nendstream"])


def broken_tree_pdf(path: Path) -> Path:
    """The catalog's page tree points at an object that is not a page tree."""
    return write_pdf(path, [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Font /Subtype /Type1 >>"])


def reading_of(report) -> dict:
    """What must not depend on the file format: outline titles, parts found, metadata (no offsets)."""
    from dataclasses import asdict

    meta = asdict(report.metadata)
    meta.pop("spans", None)
    return {"outline": [(h.level, h.title) for h in report.outline],
            "parts": {k: v is not None for k, v in report.parts.items()}, "metadata": meta}


# ---------------------------------------------------------------- headings as units publish them


def make_autonumbered_report(path: Path, paragraphs: list[tuple[int, str]], label_half_points: int = 24) -> Path:
    """A report whose heading labels are Word automatic numbering: level 1 "%1、", level 2
    "（%2）" (numFmt chineseCounting, tab suffix), the label in a smaller type than the heading
    text as unit templates often set it. `paragraphs`: (level, text), level 0 = body text."""
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.styles["Normal"].font.size = Pt(16)
    d.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts().set(_w("eastAsia"), "Noto Serif CJK SC")
    numbering = d.part.numbering_part.element
    absn = _el("abstractNum", abstractNumId="60")
    absn.append(_el("multiLevelType", val="multilevel"))
    for ilvl, text in enumerate(("%1、", "（%2）")):
        lvl = _level(ilvl, "chineseCounting", text)
        lvl.insert(2, _el("suff", val="tab"))
        rpr = _el("rPr")
        rpr.append(_el("rFonts", ascii="Noto Sans CJK SC", hAnsi="Noto Sans CJK SC", eastAsia="Noto Sans CJK SC"))
        rpr.append(_el("sz", val=str(label_half_points)))
        lvl.append(rpr)
        absn.append(lvl)
    first_num = numbering.find(_w("num"))
    first_num.addprevious(absn) if first_num is not None else numbering.append(absn)
    num = _el("num", numId="61")
    num.append(_el("abstractNumId", val="60"))
    numbering.append(num)
    for level, text in paragraphs:
        p = d.add_paragraph(text)
        if level:
            numbered(p, 61, level - 1)
    d.save(path)
    return path


def write_bold_headings_html(path: Path, paragraphs: list[tuple[int, str]], title: str) -> Path:
    """An article page whose headings are <strong> paragraphs without numbers (level > 0)."""
    body = "\n".join(f"<p><strong>{t}</strong></p>" if level else f'<p style="text-indent:2em">{t}</p>'
                     for level, t in paragraphs)
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>'
            f'<div class="article"><h1>{title}</h1>\n{body}\n</div>'
            '<div class="foot">主办单位：某某人民政府办公室 | 备案号：某ICP备12345678号</div></body></html>')
    path.write_text(html, encoding="utf-8")
    return path
