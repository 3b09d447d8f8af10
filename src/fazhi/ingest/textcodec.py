"""Decode the bytes of a plain-text file, never guessing silently wrong.

Order: a BOM; strict UTF-8; UTF-16 without BOM (NUL bytes present, and one byte order
decodes to everyday Chinese); GB18030 when it decodes cleanly and reads as Chinese;
charset-normalizer (Big5 ...) when its result reads as Chinese too; finally UTF-8 or GB18030
with a few undecodable bytes replaced by U+FFFD, when the rest clearly is that encoding
(the lines are named in a note). Anything else is refused (InputError upstream).
GBK/GB2312 are always decoded as gb18030, their superset (ecosystem.md trap 7).
A lone CR (old Mac line end, or mixed line ends) becomes LF: same length, so offsets hold.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_GB_ALIASES = {"gbk", "gb2312", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "ms936", "euc-cn", "hz", "gb18030"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


# a file with a few broken bytes is still read when they are at most this many places
MAX_BAD_SPOTS = 20
_LONE_CR = re.compile(r"\r(?!\n)")
_LINE_END = re.compile(r"\r\n|\r|\n")


class DecodeError(ValueError):
    """The bytes are not text this tool can read; the message is the Chinese reason."""


@dataclass
class Decoded:
    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)  # Chinese, one line each, for the user


def normalise_codec(name: str | None) -> str | None:
    """Map a declared or detected charset name to the codec to use (gbk -> gb18030)."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower().replace("_", "-")
    if key in _GB_ALIASES or key.replace("-", "_") in _GB_ALIASES:
        return "gb18030"
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def bom_codec(data: bytes) -> tuple[str, str, int] | None:
    """(codec, reported name, BOM length) when data starts with a byte-order mark."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name, len(bom)
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for the bytes of a .txt file; raises DecodeError."""
    d = decode(data)
    return d.text, d.encoding


def decode(data: bytes) -> Decoded:
    """The text of a .txt file, its encoding and notes (undecodable bytes replaced); raises DecodeError."""
    d = _decode(data)
    d.text = _LONE_CR.sub("\n", d.text)
    return d


def _decode(data: bytes) -> Decoded:
    bom = bom_codec(data)
    if bom:
        codec, name, n = bom
        try:
            return Decoded(data[n:].decode(codec), name)
        except UnicodeDecodeError as exc:
            patched = _with_replacement(data[n:], codec)
            if patched:
                return Decoded(patched[0], name, patched[1])
            raise DecodeError(f"文件以 {name} 字节序标记开头，但内容无法按该编码解码") from exc
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    utf16 = utf16_without_bom(data)
    if utf16:
        return Decoded(*utf16)
    if data.count(b"\x00") > MAX_BAD_SPOTS:
        for codec in ("utf-16-le", "utf-16-be"):
            patched = _with_replacement(data, codec) if len(data) % 2 == 0 else None
            if patched:
                return Decoded(patched[0], codec, patched[1])
        raise DecodeError("文件含有二进制数据，不是文本文件")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and looks_chinese(text):
        return Decoded(text, "gb18030")
    guess = _charset_normalizer(data)
    if guess:
        return Decoded(*guess)
    for codec in ("utf-8", "gb18030"):
        patched = _with_replacement(data, codec)
        if patched:
            return Decoded(patched[0], codec, patched[1])
    raise DecodeError("无法确定文本编码（不是 UTF-8、UTF-16 或 GBK/GB18030 的中文文本），请另存为 UTF-8 后再试")


def _with_replacement(data: bytes, codec: str) -> tuple[str, list[str]] | None:
    """Decode with U+FFFD for the bytes that do not fit, when they are few and the rest reads
    as Chinese: (text, [note naming the lines])."""
    text = data.decode(codec, errors="replace")
    spots = [m.start() for m in re.finditer("\ufffd+", text)]
    if not spots or len(spots) > MAX_BAD_SPOTS or not looks_chinese(text.replace("\ufffd", "")):
        return None
    return text, [bad_bytes_note(text, spots)]


def bad_bytes_note(text: str, spots: list[int]) -> str:
    """'第3、17行有无法解码的字节，已用�代替' for the given offsets in text."""
    lines: list[int] = []
    line, pos = 1, 0
    for at in spots:
        line += len(_LINE_END.findall(text, pos, at))
        pos = at
        if not lines or lines[-1] != line:
            lines.append(line)
    shown = "、".join(str(n) for n in lines[:5]) + ("等" if len(lines) > 5 else "")
    return f"第{shown}行有无法解码的字节，已用\ufffd代替"


def utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without BOM: ASCII characters (digits, newlines) leave NUL bytes; the byte
    order whose text is everyday Chinese (the other gives rare or non-CJK characters) wins."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:65536]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if even + odd < 2:
        return None
    order = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
    for codec in order:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _clean(text) and (looks_chinese(text) or (text.isascii() and codec == order[0])):
            return text, codec
    return None


def _charset_normalizer(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    codec = normalise_codec(best.encoding)
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    if looks_chinese(text, common=_big5_common if codec in ("big5", "cp950", "big5hkscs") else _gb2312):
        return text, codec
    return None


def _clean(text: str) -> bool:
    bad = len(_CONTROL.findall(text))
    return bad <= len(text) // 1000


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _big5_common(ch: str) -> bool:
    try:
        b = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return 0xA4 <= b[0] <= 0xC6  # Big5 frequently used characters block


def looks_chinese(text: str, common=_gb2312) -> bool:
    """Enough CJK, and nearly all of it everyday characters (a wrong codec gives rare ones)."""
    if not _clean(text):
        return False
    visible = re.sub(r"\s", "", text)
    if not visible:
        return False
    cjk = _CJK.findall(visible)
    if len(cjk) < max(2, len(visible) * 0.2):
        return False
    usual = sum(1 for ch in cjk if common(ch))
    return usual >= 0.9 * len(cjk)
