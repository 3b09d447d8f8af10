"""What a file is, by its content (magic bytes), with the suffix only as a hint."""
from __future__ import annotations

import io
import re
import zipfile

from fazhi.ingest.textcodec import bom_codec

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"}
_HTML_MARK = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s[^>]*charset", re.I)
_TAG = re.compile(rb"</?(?:p|div|br|span|table|tr|td|a|h[1-6]|meta|title|font|strong|b)\b[^>]*>", re.I)

# magic bytes of formats we recognise but do not read, with the Chinese name shown
_OTHER_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"\x7fELF", "可执行程序"),
    (b"{\\rtf", "RTF 文档"),
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# zip-bomb limits, checked in the central directory before anything is inflated
MAX_ENTRIES = 5000
MAX_TOTAL_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 200


def sniff(data: bytes, suffix: str) -> str:
    """'pdf' | 'zip' | 'ole' | 'html' | 'text' | 'other:<name>'."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    for magic, name in _OTHER_MAGIC:
        if name and data.startswith(magic):
            return f"other:{name}"
    if looks_html(data, suffix):
        return "html"
    return "text"


def looks_html(data: bytes, suffix: str) -> bool:
    bom = bom_codec(data)
    if bom and bom[0].startswith(("utf-16", "utf-32")):
        try:
            sample = data[: 16384].decode(bom[0], errors="ignore").encode("utf-8")
        except LookupError:
            return False
    else:
        sample = data[:16384]
    if _HTML_MARK.search(sample):
        return True
    tags = len(_TAG.findall(sample))
    if suffix in HTML_SUFFIXES:
        return tags >= 1
    return sample.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and tags >= 5


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip after checking its directory for bombs; raises ValueError with a Chinese reason."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ValueError("压缩包结构损坏，无法读取") from exc
    if len(infos) > MAX_ENTRIES:
        raise ValueError(f"压缩包内文件过多（{len(infos)} 个），疑似压缩炸弹，已拒绝")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ValueError("文档已加密，需要密码才能打开")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise ValueError(f"压缩包内 {info.filename} 的压缩比异常（{ratio:.0f} 倍），疑似压缩炸弹，已拒绝")
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise ValueError(f"解压后体积过大（{total // (1024 * 1024)} MB），疑似压缩炸弹，已拒绝")
    return zf


def is_docx(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    return "word/document.xml" in names or any(n.endswith("document.xml") and n.startswith("word/") for n in names)


def zip_kind(zf: zipfile.ZipFile) -> str:
    """A Chinese name for a zip that is not a Word document."""
    names = set(zf.namelist())
    if any(n.startswith("xl/") for n in names):
        return "Excel 表格（.xlsx）"
    if any(n.startswith("ppt/") for n in names):
        return "PowerPoint 演示文稿（.pptx）"
    if "content.xml" in names and "mimetype" in names:
        return "OpenDocument 文档（.odt 等）"
    return "zip 压缩包"


def ole_is_encrypted_ooxml(data: bytes) -> bool:
    """An encrypted .docx is an OLE container holding an 'EncryptedPackage' stream."""
    return "EncryptedPackage".encode("utf-16-le") in data[:1 << 20] or "EncryptionInfo".encode("utf-16-le") in data[:1 << 20]
