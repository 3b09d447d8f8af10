"""Text of a PDF (pdfplumber; never PyMuPDF, which is AGPL); scanned pages through OCR.

Before parsing, pdf_limits checks the page count, the page tree and the inflated size of
the content streams. Pages without a text layer that carry an image are read by OCR
(fazhi.ingest.ocr, tesseract) unless the caller said `ocr=False`; their lines, with boxes,
then go through the same steps as text-layer lines:

Running headers and footers (lines repeated at the top or bottom of most pages) and page
numbers ("- 3 -", "第 3 页", "3/10") are dropped; lines broken inside a paragraph are joined
back (Chinese has no spaces), using the page geometry (a full line, the next line not
indented) and punctuation (a line ending in 。！？；： or a closing bracket ends a
paragraph; a line starting with a heading marker 一、（一）1. starts one); the spaces
extractors put between CJK and digits/Latin ("2023 年") are removed.
"""
from __future__ import annotations

import io
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

_PAGE_NO = re.compile(
    r"^(?:[-—–－_·•\s]*\d{1,4}[-—–－_·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)$"
)
_END_PUNCT = tuple("。！？；：!?;:）)」』”》】")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、](?!\d)|第[一二三四五六七八九十]+[章节部分条])")
_CJK = r"\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
_SPACE_CJK_LATIN = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[0-9A-Za-z%.])|(?<=[0-9A-Za-z%.])[ \t]+(?=[{_CJK}])")


@dataclass
class PLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


MAX_OCR_PAGES = 100


class ScannedPDF(ValueError):
    pass


@dataclass
class PdfText:
    lines: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass
class PageLines:
    lines: list[PLine]  # top to bottom
    width: float
    height: float
    images: int  # images on the page (a page with images and no text is a scan)


def read_pdf(data: bytes, *, ocr: bool = True, progress: bool | None = None) -> PdfText:
    """Paragraph lines of a PDF; raises ValueError (Chinese reason) on scans / bad files.
    `progress`: a per-page OCR progress bar on stderr (None: when stderr is a TTY)."""
    from fazhi.ingest.pdf_limits import check_pdf

    check_pdf(data)
    pages = _extract(data)
    if not pages:
        raise ValueError("PDF 中没有页面（页面树缺失或损坏）")
    notes: list[str] = []
    scans = [i for i, pg in enumerate(pages) if not pg.lines and pg.images]
    if scans and ocr:
        _ocr(data, pages, scans, progress)
        notes.append(f"第{page_ranges(scans)}页是扫描图像，已用文字识别（OCR）读出，可能有个别错字")
    elif scans and len(scans) < len(pages) and any(pg.lines for pg in pages):
        notes.append(f"第{page_ranges(scans)}页是扫描图像，未做文字识别（OCR），其中的文字未读入")
    if not any(pg.lines for pg in pages):
        if scans:
            raise ScannedPDF("这是扫描件（PDF 没有文字层），未启用文字识别（OCR）")
        raise ValueError("PDF 中没有文字（页面为空白，也没有扫描图像）")
    return PdfText(reflow_pages(pages), notes)


def page_ranges(pages: list[int]) -> str:
    """0-based page indexes as '1–3、5'."""
    runs: list[list[int]] = []
    for n in sorted(pages):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return "、".join(f"{a + 1}" if a == b else f"{a + 1}–{b + 1}" for a, b in runs)


def _ocr(data: bytes, pages: list[PageLines], scans: list[int], progress: bool | None) -> None:
    import pypdfium2 as pdfium

    from fazhi.ingest import ocr as engine

    if len(scans) > MAX_OCR_PAGES:
        raise ScannedPDF(f"这是扫描件，需要文字识别（OCR）的页数过多（{len(scans)} 页，上限 {MAX_OCR_PAGES} 页）")
    try:
        exe = engine.engine()
    except engine.OcrUnavailable as exc:
        raise ScannedPDF(f"这是扫描件（PDF 没有文字层），无法做文字识别（OCR）：{exc}") from None
    pdf = pdfium.PdfDocument(data)
    bar = _progress_bar(len(scans), progress)
    try:
        task = bar.add_task("文字识别（OCR）", total=len(scans)) if bar else None
        for i in scans:
            try:
                found = engine.ocr_page(pdf[i], exe=exe)
            except engine.OcrUnavailable as exc:
                raise ScannedPDF(f"第{i + 1}页文字识别失败：{exc}") from None
            pages[i].lines = [PLine(ln.text, ln.x0, ln.x1, ln.top, ln.bottom, ln.bottom - ln.top, i)
                              for ln in found]
            if bar:
                bar.advance(task)
    finally:
        if bar:
            bar.stop()
        pdf.close()


def _progress_bar(total: int, wanted: bool | None):
    if wanted is False or (wanted is None and not sys.stderr.isatty()):
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    try:
        bar.start()
    except Exception:  # noqa: BLE001 - another live display (a batch bar) is showing: go without
        return None
    return bar


def reflow_pages(pages: list[PageLines]) -> list[str]:
    """Paragraph lines of laid-out pages (PDF, OCR'd scans, OFD): running lines dropped, lines rejoined."""
    text_chars = sum(len(ln.text) for pg in pages for ln in pg.lines)
    if text_chars and sum(ln.text.count("(cid:") for pg in pages for ln in pg.lines) * 6 > text_chars / 2:
        raise ValueError("PDF 的文字层无法解码（字体缺少字符映射），暂不支持")
    return _reflow(_drop_running(pages))


def _extract(data: bytes) -> list[PageLines]:
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages):
            lines = []
            for raw in page.extract_text_lines(strip=True, return_chars=True):
                text = raw["text"].strip()
                if not text:
                    continue
                sizes = sorted(c.get("size", 0) for c in raw.get("chars", [])) or [10.0]
                lines.append(PLine(text, raw["x0"], raw["x1"], raw["top"], raw["bottom"],
                                   sizes[len(sizes) // 2], n))
            out.append(PageLines(lines, float(page.width), float(page.height), len(page.images)))
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running(pages: list[PageLines]) -> list[list[PLine]]:
    """Drop page numbers and lines repeated at the top/bottom of most pages."""
    edge = 3
    top, bottom = Counter(), Counter()
    for pg in pages:
        lines = pg.lines
        top.update({_shape(ln.text) for ln in lines[:edge]})
        bottom.update({_shape(ln.text) for ln in lines[-edge:]})
    n = len(pages)
    need = max(2, (n + 1) // 2)
    kept = []
    for pg in pages:
        lines, height = pg.lines, pg.height
        out = []
        for i, ln in enumerate(lines):
            at_top = i < edge and ln.bottom < height * 0.2
            at_bottom = i >= len(lines) - edge and ln.top > height * 0.8
            shape = _shape(ln.text)
            if (at_top or at_bottom) and _PAGE_NO.match(ln.text.strip()):
                continue
            if n >= 2 and ((at_top and top[shape] >= need) or (at_bottom and bottom[shape] >= need)):
                continue
            out.append(ln)
        kept.append(out)
    return kept


def _reflow(kept: list[list[PLine]]) -> list[str]:
    body = [ln for lines in kept for ln in lines]
    if not body:
        return []
    size = sorted(ln.size for ln in body)[len(body) // 2] or 10.0
    left = Counter(round(ln.x0) for ln in body).most_common(1)[0][0]
    right = sorted(ln.x1 for ln in body)[int(len(body) * 0.9)]
    indented = sum(1 for ln in body if left + 1.5 * size <= ln.x0 <= left + 2.6 * size)
    uses_indent = indented >= max(2, len(body) * 0.05)
    paras: list[str] = []
    cur = ""
    for i, ln in enumerate(body):
        cur += ln.text if not cur else _join(cur, ln.text)
        nxt = body[i + 1] if i + 1 < len(body) else None
        if nxt is None or _breaks(ln, nxt, size, left, right, uses_indent):
            paras.append(_tidy(cur))
            cur = ""
    return [p for p in paras if p]


def _join(cur: str, nxt: str) -> str:
    # Latin words broken across lines keep one space; Chinese joins directly
    if cur[-1:].isascii() and cur[-1:].isalpha() and nxt[:1].isascii() and nxt[:1].isalpha():
        return " " + nxt
    return nxt


def _breaks(ln: PLine, nxt: PLine, size: float, left: float, right: float, uses_indent: bool) -> bool:
    """Does the paragraph end after ln?"""
    text = ln.text.rstrip()
    if _HEADING.match(nxt.text):
        return True
    full = ln.x1 >= right - 1.5 * size
    nxt_indented = nxt.x0 >= left + 1.2 * size
    same_page = nxt.page == ln.page
    gap = nxt.top - ln.bottom if same_page else 0.0
    if same_page and gap > 1.2 * max(size, ln.bottom - ln.top):
        return True
    centered = ln.x0 > left + 2 * size and abs((ln.x0 + ln.x1) / 2 - (left + right) / 2) < 2 * size
    nxt_centered = nxt.x0 > left + 2 * size and abs((nxt.x0 + nxt.x1) / 2 - (left + right) / 2) < 2 * size
    wide = ln.x1 - ln.x0 >= 0.6 * (right - left)
    if centered and nxt_centered and wide and not text.endswith(_END_PUNCT):
        return False  # a headline wrapped over two centred lines
    ends = text.endswith(_END_PUNCT)
    # a line cut short by line-breaking rules (〔2023〕1号 kept together) still runs on
    long_enough = left - size <= ln.x0 <= left + 2.6 * size and ln.x1 - ln.x0 >= 0.7 * (right - left)
    if uses_indent:
        if nxt_indented or (ends and not full):
            return True
        return not (full or long_enough)
    return ends or not (full or long_enough)


def _tidy(s: str) -> str:
    return _SPACE_CJK_LATIN.sub("", s).strip()
