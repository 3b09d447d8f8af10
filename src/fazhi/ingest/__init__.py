"""Ingestion: a file's bytes -> a `Document` (plain text + where the report itself lies).

    load(path, max_bytes=50 MiB) -> Document

The format is decided by content (magic bytes, sniffing), the suffix is only a hint.
Every bad input raises `fazhi.errors.InputError(path, reason)` with a one-line Chinese
reason; no library exception escapes.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from fazhi.errors import InputError
from fazhi.ingest.document import Document
from fazhi.report import Source

__all__ = ["Document", "load", "load_bytes"]

MAX_BYTES = 50 * 1024 * 1024


def load(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read one report file (.txt/.docx/.pdf/.html) into a Document."""
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
        raise InputError(p, f"无法读取文件（{exc.strerror or exc.__class__.__name__}）") from None
    return load_bytes(data, p, max_bytes=max_bytes)


def load_bytes(data: bytes, path: str | Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Same as `load` for bytes already in memory; `path` names the file (its suffix is a hint)."""
    p = Path(path)
    if len(data) > max_bytes:
        raise InputError(p, f"文件过大（{_mb(len(data))}，上限 {_mb(max_bytes)}）")
    if not data.strip():
        raise InputError(p, "文件为空")
    try:
        return _load(data, p)
    except InputError:
        raise
    except (MemoryError, RecursionError):
        raise InputError(p, "文件结构过于复杂，无法处理") from None
    except Exception as exc:  # noqa: BLE001 - a library error must never escape as a traceback
        raise InputError(p, f"无法读取文件（{exc.__class__.__name__}）") from None


def _mb(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} 字节"


def _load(data: bytes, p: Path) -> Document:
    from fazhi.ingest import sniff

    suffix = p.suffix.lower()
    kind = sniff.sniff(data, suffix)
    sha = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return _document(p, "pdf", None, sha, _pdf_lines(data, p))
    if kind == "zip":
        return _document(p, "docx", None, sha, _docx_lines(data, p))
    if kind == "ole":
        if sniff.ole_is_encrypted_ooxml(data):
            raise InputError(p, "Word 文档已加密，需要密码才能打开，请去除密码后再试")
        raise InputError(p, "旧版 Office 格式（.doc/.wps 等）暂不支持，请另存为 .docx 后再试")
    if kind.startswith("other:"):
        raise InputError(p, f"不支持的文件类型（{kind[6:]}）")
    if suffix == ".docx":
        raise InputError(p, "Word 文档已损坏（不是有效的 .docx 压缩包）")
    if suffix == ".pdf":
        raise InputError(p, "PDF 文件已损坏（缺少 %PDF 文件头）")
    if suffix in (".doc", ".wps", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".rtf"):
        raise InputError(p, f"不支持的文件类型（{suffix}），请另存为 .docx、.pdf 或 .txt")
    if kind == "html":
        return _html_document(data, p, sha)
    return _text_document(data, p, sha)


def _document(p: Path, fmt: str, encoding: str | None, sha: str, lines: list[str]) -> Document:
    from fazhi.ingest.chrome import find_body

    text = "\n".join(ln.rstrip() for ln in lines).strip("\n")
    if not text.strip():
        raise InputError(p, "文件中没有可提取的文字")
    body, meta = find_body(text)
    return Document(Source(str(p), fmt, encoding, sha), text, body, meta)


def _text_document(data: bytes, p: Path, sha: str) -> Document:
    from fazhi.ingest.chrome import find_body
    from fazhi.ingest.textcodec import DecodeError, decode_text

    try:
        text, encoding = decode_text(data)
    except DecodeError as exc:
        raise InputError(p, str(exc)) from None
    if not text.strip():
        raise InputError(p, "文件为空（只有空白字符）")
    body, meta = find_body(text)
    return Document(Source(str(p), "txt", encoding, sha), text, body, meta)


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


def _docx_lines(data: bytes, p: Path) -> list[str]:
    from fazhi.ingest import sniff
    from fazhi.ingest.docx_reader import read_docx

    try:
        zf = sniff.check_zip(data)
    except ValueError as exc:
        raise InputError(p, str(exc)) from None
    if not sniff.is_docx(zf):
        raise InputError(p, f"不支持的文件类型（{sniff.zip_kind(zf)}），请提供 .docx、.pdf、.txt 或网页")
    try:
        return read_docx(data)
    except Exception as exc:  # noqa: BLE001
        raise InputError(p, f"Word 文档已损坏，无法读取（{exc.__class__.__name__}）") from None


def _pdf_lines(data: bytes, p: Path) -> list[str]:
    from fazhi.ingest.pdf_reader import read_pdf

    try:
        return read_pdf(data)
    except ValueError as exc:
        if _is_password_error(exc):
            raise InputError(p, "PDF 已加密，需要密码才能打开，请去除密码后再试") from None
        if any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)):
            raise InputError(p, str(exc)) from None
        raise InputError(p, f"PDF 文件已损坏，无法解析（{exc.__class__.__name__}）") from None
    except Exception as exc:  # noqa: BLE001
        if _is_password_error(exc):
            raise InputError(p, "PDF 已加密，需要密码才能打开，请去除密码后再试") from None
        raise InputError(p, f"PDF 文件已损坏，无法解析（{exc.__class__.__name__}）") from None


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
