"""Lines of a text as spans, whitespace trimmed, empty lines dropped."""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from fazhi.report import Span

_LINE = re.compile(r"[^\n\r]+")
_TRIM = " \t\u3000\u00a0\ufeff"


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[Span]:
    """Non-empty lines of text[start:end], each trimmed of surrounding spaces."""
    return iter(line_spans(text, start, len(text) if end is None else end))


@lru_cache(maxsize=16)  # stages and rules ask for the lines of the same body again and again
def line_spans(text: str, start: int, end: int) -> tuple[Span, ...]:
    """The spans of iter_lines, computed once per (text, start, end)."""
    out = []
    for m in _LINE.finditer(text, start, end):
        a, b = m.start(), m.end()
        while a < b and text[a] in _TRIM:
            a += 1
        while b > a and text[b - 1] in _TRIM:
            b -= 1
        if b > a:
            out.append(Span(a, b))
    return tuple(out)


def strip_span(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return Span(start, end)
