"""Limits checked before a PDF is parsed, so that a small file cannot take gigabytes or minutes.

    pages = check_pdf(data)     # the page count, or PdfRefused with a Chinese reason

- every Flate-compressed stream that is not an image is inflated in 1 MiB steps, counting
  bytes and never keeping them: one over MAX_STREAM_BYTES, or all together over
  MAX_TOTAL_BYTES, is refused as a decompression bomb (work bounded by the caps);
- an image larger than MAX_IMAGE_PIXELS is refused (it would be decoded to render a scan);
- the page count comes from PDFium's page tree (pypdfium2, C, no content parsed): zero pages
  is a broken page tree, over MAX_PAGES is refused, an unreadable file is "PDF 结构损坏";
- the characters of the text layer are counted by PDFium (C, page by page, stopping at the cap):
  over MAX_TEXT_CHARS is refused, since laying text out (pdfplumber) costs ~70 µs a character
  (the fuzz run's 2 MB PDF of 400,000 characters took over 20 s).
"""
from __future__ import annotations

import re
import zlib

MAX_PAGES = 500
MAX_TEXT_CHARS = 100_000  # a long provincial report is ~50,000 characters
MAX_STREAM_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_IMAGE_PIXELS = 200_000_000
_STEP = 1024 * 1024

_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_FLATE = re.compile(rb"/Fl(?:ateDecode)?(?![A-Za-z])")
_IMAGE = re.compile(rb"/Subtype\s*/Image(?![A-Za-z])")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_WIDTH = re.compile(rb"/Width\s+(\d+)")
_HEIGHT = re.compile(rb"/Height\s+(\d+)")


class PdfRefused(ValueError):
    """A PDF refused before parsing; the message is the Chinese reason."""


def check_pdf(data: bytes) -> int:
    check_streams(data)
    return page_count(data)


def check_streams(data: bytes) -> None:
    total = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 4096):m.start()]
        obj = head.rfind(b"obj")
        header = head[obj + 3:] if obj >= 0 else head
        if _IMAGE.search(header):
            _check_image(header)
            continue
        if not _FLATE.search(header):
            continue
        size = inflated_size(_raw_stream(data, m.end(), header), min(MAX_STREAM_BYTES, MAX_TOTAL_BYTES - total))
        if size > MAX_STREAM_BYTES:
            raise PdfRefused(f"PDF 中有数据流解压后超过 {MAX_STREAM_BYTES // (1024 * 1024)} MB，疑似压缩炸弹，已拒绝")
        total += size
        if total > MAX_TOTAL_BYTES:
            raise PdfRefused(f"PDF 内容解压后超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB，疑似压缩炸弹，已拒绝")


def _check_image(header: bytes) -> None:
    w, h = _WIDTH.search(header), _HEIGHT.search(header)
    if w and h and int(w.group(1)) * int(h.group(1)) > MAX_IMAGE_PIXELS:
        raise PdfRefused(f"PDF 中的图像过大（{int(w.group(1))}×{int(h.group(1))} 像素），已拒绝")


def _raw_stream(data: bytes, start: int, header: bytes) -> bytes:
    length = _LENGTH.search(header)
    if length:
        end = start + int(length.group(1))
        if data[end:end + 32].lstrip(b"\r\n \t").startswith(b"endstream"):
            return data[start:end]
    end = data.find(b"endstream", start)
    return data[start:end if end >= 0 else len(data)]


def inflated_size(raw: bytes, cap: int) -> int:
    """Bytes `raw` inflates to, counted without keeping them; stops once over `cap`."""
    d = zlib.decompressobj()
    total, buf = 0, raw
    try:
        while buf and not d.eof:
            total += len(d.decompress(buf, _STEP))
            if total > cap:
                break
            buf = d.unconsumed_tail
    except zlib.error:
        pass  # a damaged stream: the parser reports what it can read
    return total


def page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfRefused("PDF 已加密，需要密码才能打开，请去除密码后再试") from None
        raise PdfRefused("PDF 文件已损坏，无法解析（PDF 结构损坏）") from None
    try:
        n = len(pdf)
        if n == 0:
            raise PdfRefused("PDF 中没有页面（页面树缺失或损坏）")
        if n > MAX_PAGES:
            raise PdfRefused(f"PDF 页数过多（{n} 页，上限 {MAX_PAGES} 页），请拆分后再试")
        if text_chars(pdf, MAX_TEXT_CHARS) > MAX_TEXT_CHARS:
            raise PdfRefused(f"PDF 文字过多（超过 {MAX_TEXT_CHARS // 10000} 万字），不像是一份年度报告，未读取")
    finally:
        pdf.close()
    return n


def text_chars(pdf, cap: int) -> int:
    """Characters of the text layer of an open pypdfium2 document, counted until over `cap`
    (a page PDFium cannot read counts 0: the parser reports it)."""
    import pypdfium2 as pdfium

    total = 0
    for i in range(len(pdf)):
        try:
            page = pdf[i]
            text = page.get_textpage()
            total += text.count_chars()
            text.close()
            page.close()
        except pdfium.PdfiumError:
            continue
        if total > cap:
            break
    return total
