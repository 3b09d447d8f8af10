"""Headings inside a line: text flattened with its line breaks lost.

Text copied from a PDF or a document site often comes as one long line
("…法治保障。一、以思想引领为先导(一)强化理论武装…"). Inside a long line, a marker
starts a heading only when it stands after a sentence end or a colon (。！？；：), after
whitespace where the line breaks became spaces, or (a bracketed marker only) right after
the title of a heading found so: "二、主要做法(一)加强…". The title runs to the first
sentence end, the next such marker, or an obvious start of prose (a list item 一是, an
opening "2023年，"); a title that would be longer than a heading is cut at a space or its
first clause, or the marker is no heading. Numbering must also follow on from the headings
before it (checked by the outline over the whole text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fazhi.report import Span
from fazhi.structure.markers import CN, LIST_ITEM, Line, cn_number, title_start

INLINE_MIN_LINE = 80  # shorter lines are not flattened text
_MARK = re.compile(rf"[（(](?P<n2>[{CN}]{{1,3}})[）)]|(?P<n1>[{CN}]{{1,3}})(?:、|[，,．.](?!\d{{1,2}}[.．、]))(?:[、，,．.])?")
_AFTER = "。！？!?；;：:"
_SPACE = " \t"
_TITLE_END = "。！？!?；;"
_PROSE_START = re.compile(rf"[{CN}]是|(?:19|20)\d{{2}}\s*年[，,]|[*＊]{{4}}年[，,]|下一步[，,]")
_WORD_BREAK = re.compile(r"(?<=[\u3400-\u9fff])[ \t]+(?=[\u3400-\u9fff])")
_TITLE_MAX = 40


@dataclass
class _Cand:
    pos: int
    level: int
    number: int
    marker_end: int
    glued: bool  # right after a word, not after punctuation or a space


def _candidates(view: str, span: Span) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _MARK.finditer(view, span.start + 1, span.end):
        p = m.start()
        if m.group("n1") and (view[p - 1] in CN or LIST_ITEM.match(view, p)):
            continue
        q = p
        while q > span.start and view[q - 1] in _SPACE:
            q -= 1
        after_punct = view[q - 1] in _AFTER
        spaced = q < p
        if not (after_punct or spaced) and m.group("n1"):
            continue  # 统一、规范: an unbracketed marker glued to a word is a word
        if title_start(view, m.end(), span.end) is None:
            continue
        level = 2 if m.group("n2") else 1
        number = cn_number(m.group("n2") or m.group("n1"))
        out.append(_Cand(p, level, number, m.end(), not (after_punct or spaced)))
    return out


def inline_title(view: str, start: int, limit: int) -> tuple[Span, bool] | None:
    """The title of an inline heading in view[start:limit] and whether it ended at a
    semicolon (an enumeration item, not a heading); None when nothing heading-like."""
    seg = view[start:limit]
    cut = next((i for i, ch in enumerate(seg) if ch in _TITLE_END
                or (ch in "：:" and i >= 2)), len(seg))
    m = _PROSE_START.search(seg, 2, cut)
    if m:
        cut = m.start()
    m = _WORD_BREAK.search(seg, 4, cut)  # a line break turned into a space, between words
    if m:
        cut = m.start()
    if cut > _TITLE_MAX:  # runs on into its paragraph: its first clause, or a heading's length
        comma = next((i for i in range(4, _TITLE_MAX) if seg[i] in "，,、"), -1)
        cut = comma if comma > 0 else _TITLE_MAX
    semicolon = cut < len(seg) and seg[cut] in "；;"
    while cut > 0 and seg[cut - 1] in " \t，,：:":
        cut -= 1
    if cut < 2:
        return None
    return Span(start, start + cut), semicolon


def inline_headings(view: str, span: Span, levels: set[int]) -> list[Line]:
    """Headings of `levels` that start inside the line `span` (not at its start)."""
    if len(span) < INLINE_MIN_LINE:
        return []
    cands = [c for c in _candidates(view, span) if c.level in levels]
    heads: list[Line] = []
    reached = -1  # where the last heading's title was cut by a following marker
    for i, c in enumerate(cands):
        if c.glued and c.pos != reached:
            continue
        limit = cands[i + 1].pos if i + 1 < len(cands) else span.end
        t0 = title_start(view, c.marker_end, span.end)
        found = inline_title(view, t0, limit) if t0 is not None else None
        if not found or found[1]:
            continue
        title = found[0]
        reached = limit if view[title.end:limit].strip(" \t，,：:") == "" else -1
        heads.append(Line(span, level=c.level, marker=view[c.pos:c.marker_end].strip(), number=c.number,
                          title=title, start=c.pos, end=title.end))
    return heads
