"""The analysis view: a same-length normalised copy of a report's text.

Rules and dictionaries are written for simplified Chinese with ASCII digits. Real reports
come in traditional script (mirror sites), with full-width digits (２０２３年) and
ideographic spaces. `make_view` maps those character by character, so any offset found
in the view is the same offset in the original text. Punctuation is left alone on
purpose (no blanket NFKC): ，（）：are evidence for format checks and heading markers.
"""
from __future__ import annotations

from functools import cache

_SPACES = {"\u3000": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " "}
_SIGNS = {"％": "%", "．": "."}


@cache
def _width_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
        for cp in range(lo, hi + 1):
            table[cp] = chr(cp - 0xFEE0)
    for src, dst in {**_SPACES, **_SIGNS}.items():
        table[ord(src)] = dst
    return table


@cache
def _t2s():
    import opencc  # imported only when a text has non-ASCII letters worth converting

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified, guaranteed to keep the length (and so every offset)."""
    conv = _t2s()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # a phrase rule changed the length: fall back to single characters
    return "".join(c2 if len(c2 := conv.convert(ch)) == 1 else ch for ch in text)


def make_view(text: str) -> str:
    view = text.translate(_width_table())
    if any(ord(ch) > 0x3400 for ch in view):
        view = to_simplified(view)
    assert len(view) == len(text)
    return view
