"""`norm_text` on many strings at once, in numpy (what a links pass does to every paragraph it
reads: ~18 million at 100,000 reports, where one `norm_text` call, a `str.translate` through a
dict, cost 4 µs for 60 characters).

The strings are joined and read as code points (UTF-32 for str; the stored UTF-16-LE bytes as they
are, by `norm_utf16`); one table look-up maps every BMP code point to what `norm_text` writes for it
(fazhi.corpus.fingerprint: the kept char, the number symbol, nothing for a space or '.', a break for
other punctuation); the number runs are folded, the breaks dropped, and the result cut back into
strings. A string with a code point the table cannot map to one char (outside the BMP or a surrogate
half, or lower-cased to several chars) goes through `norm_text` itself, so the output is always
`[norm_text(s) for s in texts]`.
"""
from __future__ import annotations

from functools import cache

import numpy as np

from fazhi.corpus.fingerprint import _BREAK, NUMBER, _NormTable

_DEL = np.uint32(0xFFFFFFFF)  # written as nothing (a space, '.')
_OTHER = np.uint32(0xFFFFFFFE)  # not one char: the string goes through norm_text
_NUM, _BRK = np.uint32(ord(NUMBER)), np.uint32(ord(_BREAK))


@cache
def _table() -> np.ndarray:
    """Code point (BMP) → the code point norm_text writes for it, _DEL or _OTHER (~0.1 s, once)."""
    norm = _NormTable()
    out = np.empty(0x10000, dtype=np.uint32)
    for o in range(0x10000):
        v = norm[o]
        out[o] = _DEL if v == "" else ord(v) if len(v) == 1 else _OTHER
    out[0xD800:0xE000] = _OTHER  # lone surrogates
    return out


def warm() -> None:
    """Build the code point table now (a worker waiting for a links pass), not at the first read."""
    _table()


def norm_texts(texts: list[str]) -> list[str]:
    """[norm_text(s) for s in texts], computed a whole list at a time."""
    if not texts:
        return []
    try:
        codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    except UnicodeError:
        return _one_by_one(texts)
    return _norms_of(codes, np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), texts)


def norm_utf16(blobs: list[bytes]) -> list[str]:
    """norm_text of each of `blobs`, texts as UTF-16-LE bytes (how the paragraphs table stores
    them: fazhi.corpus.packing.Utf16Text), without decoding them: a surrogate pair's halves go
    through norm_text."""
    if not blobs:
        return []
    whole = b"".join(blobs)
    lens = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // 2
    return _norms_of(np.frombuffer(whole, dtype="<u2"), lens, blobs)


def _one_by_one(texts: list) -> list[str]:
    from fazhi.corpus.fingerprint import norm_text

    return [norm_text(as_text(s)) for s in texts]


def as_text(s) -> str:  # noqa: ANN001 - str, or UTF-16-LE bytes (a memoryview from PostgreSQL)
    """A stored paragraph's content as a str."""
    return s if isinstance(s, str) else bytes(s).decode("utf-16-le", "surrogatepass")


def _norms_of(codes: np.ndarray, lens: np.ndarray, texts: list) -> list[str]:
    """The norms of texts given as their code points (`codes`, `lens` a text), one table look-up
    for all; a text with a code point the table does not map to one char is redone by norm_text."""
    owner = np.repeat(np.arange(len(lens)), lens)
    wide = codes > 0xFFFF
    mapped = _table()[np.where(wide, 0, codes)]
    mapped[wide] = _OTHER
    odd = np.unique(owner[mapped == _OTHER]).tolist()
    keep = mapped != _DEL
    mapped, owner = mapped[keep], owner[keep]
    num = mapped == _NUM
    same = np.r_[False, owner[1:] == owner[:-1]]
    keep = ~((num & np.r_[False, num[:-1]] & same) | (mapped == _BRK))  # a run's later numerals; breaks
    mapped, owner = mapped[keep], owner[keep]
    mapped[mapped == _OTHER] = ord("?")  # those texts are redone below
    ends = np.cumsum(np.bincount(owner, minlength=len(lens))).tolist()
    joined = mapped.tobytes().decode("utf-32-le")
    out = [joined[a:b] for a, b in zip([0] + ends[:-1], ends)]
    for i, norm in zip(odd, _one_by_one([texts[i] for i in odd])):
        out[i] = norm
    return out
