"""Ingestion: a file's bytes -> a `Document` (plain text + where the report itself lies).

    load(path, max_bytes=50 MiB) -> Document
    with read_options(ocr=False): load(path)      # refuse scans instead of OCR (batch-wide)

Formats: .txt in any Chinese encoding (textcodec), .docx, .pdf (text layer; scanned pages by
OCR, see ocr.py), saved web pages, .ofd (ofd_reader), and .doc/.wps/.rtf/.odt through
LibreOffice (office.py). The format is decided by content (magic bytes, sniffing), the
suffix is only a hint. Every bad input raises `fazhi.errors.InputError(path, reason)` with
a one-line Chinese reason (never a library class name); no library exception escapes.
What reading had to do (bytes replaced, pages OCR'd) is in `Document.source.notes`.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from fazhi.errors import InputError, ReadError
from fazhi.ingest.document import Document, ReadOptions, current_options, read_options
from fazhi.report import Source

__all__ = ["Document", "ReadOptions", "load", "load_bytes", "read_options"]

MAX_BYTES = 50 * 1024 * 1024
_OFFICE_SUFFIXES = (".doc", ".wps", ".wpt", ".dot", ".rtf", ".odt")


def load(path: str | Path, *, max_bytes: int = MAX_BYTES, ocr: bool | None = None) -> Document:
    """Read one report file into a Document. `ocr`: None follows `read_options` (default on)."""
    p = Path(path)
    try:
        if not p.exists():
            raise InputError(p, "文件不存在")
        if not p.is_file():
            raise InputError(p, "不是普通文件（可能是文件夹）")
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(p, f"文件过大（{_mb(size)}，上限 {_mb(max_bytes)}）")
        data = p.read_bytes()
    except PermissionError:
        raise InputError(p, "没有读取该文件的权限") from None
    except OSError as exc:
        raise InputError(p, f"无法读取文件（{exc.strerror or '系统错误'}）") from None
    return load_bytes(data, p, max_bytes=max_bytes, ocr=ocr)


def load_bytes(data: bytes, path: str | Path, *, max_bytes: int = MAX_BYTES, ocr: bool | None = None) -> Document:
    """Same as `load` for bytes already in memory; `path` names the file (its suffix is a hint)."""
    p = Path(path)
    if len(data) > max_bytes:
        raise InputError(p, f"文件过大（{_mb(len(data))}，上限 {_mb(max_bytes)}）")
    if not data.strip():
        raise InputError(p, "文件为空")
    options = current_options()
    if ocr is not None:
        options = ReadOptions(ocr=ocr, progress=options.progress)
    try:
        return _load(data, p, options)
    except InputError:
        raise
    except ReadError as exc:  # a reader's own Chinese reason (html_reader: nesting, size)
        raise InputError(p, exc.reason) from None
    except (MemoryError, RecursionError):
        raise InputError(p, "文件结构过于复杂，无法处理") from None
    except Exception as exc:  # noqa: BLE001 - a library error must never escape as a traceback
        raise InputError(p, f"无法读取文件（{damage_reason(exc)}）") from None


def damage_reason(exc: BaseException) -> str:
    """A Chinese name for what a library exception says is wrong with the file."""
    import zipfile
    import zlib

    name = exc.__class__.__name__
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError)):
        return "压缩包结构损坏"
    if isinstance(exc, UnicodeError):
        return "文字编码错误"
    if "XML" in name or "ParseError" in name or "Syntax" in name:
        return "XML 结构损坏"
    if "PDF" in name.upper() or "PSException" in name or "PSEOF" in name:
        return "PDF 结构损坏"
    if isinstance(exc, KeyError):
        return "文档缺少必需的组成部分"
    if isinstance(exc, (ValueError, TypeError, IndexError, AttributeError, AssertionError)):
        return "文件结构不符合格式规范"
    if isinstance(exc, OSError):
        return exc.strerror or "系统错误"
    return "文件结构损坏"


def _mb(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} 字节"


def _load(data: bytes, p: Path, options: ReadOptions) -> Document:
    from fazhi.ingest import sniff

    suffix = p.suffix.lower()
    kind = sniff.sniff(data, suffix)
    sha = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        lines, notes = _pdf_lines(data, p, options)
        return _document(p, "pdf", None, sha, lines, notes)
    if kind == "zip":
        return _zip_document(data, p, sha)
    if kind == "ole":
        if sniff.ole_is_encrypted_ooxml(data):
            raise InputError(p, "Word 文档已加密，需要密码才能打开，请去除密码后再试")
        fmt = "wps" if suffix in (".wps", ".wpt") else "doc"
        return _document(p, fmt, None, sha, _office_lines(data, p, f".{fmt}"))
    if kind == "other:RTF 文档":
        return _document(p, "rtf", None, sha, _office_lines(data, p, ".rtf"))
    if kind.startswith("other:"):
        raise InputError(p, f"不支持的文件类型（{kind[6:]}）")
    if suffix == ".docx":
        raise InputError(p, "Word 文档已损坏（不是有效的 .docx 压缩包）")
    if suffix == ".pdf":
        raise InputError(p, "PDF 文件已损坏（缺少 %PDF 文件头）")
    if suffix == ".ofd":
        raise InputError(p, "OFD 文件已损坏（不是有效的 OFD 压缩包）")
    if suffix in _OFFICE_SUFFIXES:
        raise InputError(p, f"{suffix} 文件已损坏（文件头不符合该格式）")
    if suffix in (".xls", ".xlsx", ".ppt", ".pptx"):
        raise InputError(p, f"不支持的文件类型（{suffix}），请另存为 .docx、.pdf 或 .txt")
    if kind == "html":
        return _html_document(data, p, sha)
    return _text_document(data, p, sha)


def _document(p: Path, fmt: str, encoding: str | None, sha: str, lines: list[str],
              notes: list[str] | None = None) -> Document:
    from fazhi.ingest.chrome import find_body

    text = "\n".join(ln.rstrip() for ln in lines).strip("\n")
    if not text.strip():
        raise InputError(p, "文件中没有可提取的文字")
    body, meta = find_body(text)
    return Document(Source(str(p), fmt, encoding, sha, list(notes or [])), text, body, meta)


def _text_document(data: bytes, p: Path, sha: str) -> Document:
    from fazhi.ingest.chrome import find_body
    from fazhi.ingest.textcodec import DecodeError, decode

    try:
        decoded = decode(data)
    except DecodeError as exc:
        raise InputError(p, str(exc)) from None
    text = decoded.text
    if not text.strip():
        raise InputError(p, "文件为空（只有空白字符）")
    body, meta = find_body(text)
    return Document(Source(str(p), "txt", decoded.encoding, sha, decoded.notes), text, body, meta)


def _html_document(data: bytes, p: Path, sha: str) -> Document:
    from fazhi.ingest.html_reader import decode_html, read_html
    from fazhi.ingest.textcodec import DecodeError

    try:
        html, encoding = decode_html(data)
    except DecodeError as exc:
        raise InputError(p, str(exc)) from None
    lines, page_meta = read_html(html)
    if not any(ln.strip() for ln in lines):
        raise InputError(p, "网页中没有找到正文文字")
    doc = _document(p, "html", encoding, sha, lines)
    for key, value in page_meta.items():
        doc.page_meta.setdefault(key, value)
    return doc


def _zip_document(data: bytes, p: Path, sha: str) -> Document:
    from fazhi.ingest import sniff
    from fazhi.ingest.ofd_reader import OfdError, is_ofd, read_ofd

    try:
        zf = sniff.check_zip(data)
    except ValueError as exc:
        raise InputError(p, str(exc)) from None
    if is_ofd(zf):
        try:
            lines = read_ofd(zf)
        except OfdError as exc:
            raise InputError(p, str(exc)) from None
        except Exception as exc:  # noqa: BLE001
            raise InputError(p, f"OFD 文件已损坏，无法读取（{damage_reason(exc)}）") from None
        return _document(p, "ofd", None, sha, lines)
    if sniff.is_docx(zf):
        return _document(p, "docx", None, sha, _docx_lines(data, p))
    if sniff.zip_kind(zf).startswith("OpenDocument"):
        return _document(p, "odt", None, sha, _office_lines(data, p, ".odt"))
    raise InputError(p, f"不支持的文件类型（{sniff.zip_kind(zf)}），请提供 .docx、.pdf、.ofd、.txt 或网页")


def _docx_lines(data: bytes, p: Path) -> list[str]:
    from fazhi.ingest.docx_reader import read_docx

    try:
        return read_docx(data)
    except (MemoryError, RecursionError):
        raise InputError(p, "Word 文档结构过于复杂，无法处理") from None
    except Exception as exc:  # noqa: BLE001
        raise InputError(p, f"Word 文档已损坏，无法读取（{damage_reason(exc)}）") from None


def _office_lines(data: bytes, p: Path, suffix: str) -> list[str]:
    """A .doc/.wps/.rtf/.odt converted to .docx by LibreOffice, then read as .docx."""
    from fazhi.ingest import sniff
    from fazhi.ingest.office import OfficeError, to_docx

    try:
        docx = to_docx(data, suffix)
        sniff.check_zip(docx)
    except (OfficeError, ValueError) as exc:
        raise InputError(p, str(exc)) from None
    return _docx_lines(docx, p)


def _pdf_lines(data: bytes, p: Path, options: ReadOptions) -> tuple[list[str], list[str]]:
    from fazhi.ingest.pdf_reader import read_pdf

    try:
        got = read_pdf(data, ocr=options.ocr, progress=options.progress)
        return got.lines, got.notes
    except (MemoryError, RecursionError):
        raise InputError(p, "PDF 结构过于复杂，无法处理") from None
    except Exception as exc:  # noqa: BLE001
        if _is_password_error(exc):
            raise InputError(p, "PDF 已加密，需要密码才能打开，请去除密码后再试") from None
        if isinstance(exc, ValueError) and any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)):
            raise InputError(p, str(exc)) from None
        raise InputError(p, f"PDF 文件已损坏，无法解析（{damage_reason(exc)}）") from None


def _is_password_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        name = seen.__class__.__name__ + " " + str(seen)
        if "Password" in name or "Encrypt" in name or "password" in name:
            return True
        seen = seen.__cause__ or seen.__context__
        if seen is exc:
            break
    return False
