"""Heading markers and heading titles on one line.

Markers (GB/T 9704 7.3.3 and common practice):
  level 1  一、  (also the misused 一. 一，the garbled 一,、 and 第一部分)
  level 2  （一） / (一)
  level 3  1.  1、  （1） / (1)
As published, a marker may be followed by whitespace (Word's tab suffix, a space, U+3000,
NBSP), a title may start with masked digits (****年), and a line may start with the
remains of a lost indentation (??). A heading line may run on into its first sentence
("（一）法治意识有待提高。个别…"): the title is cut at the first sentence end.
Inline enumerations (一是…二是…) are not headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fazhi.report import Span

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN = "一二三四五六七八九十"

# (level, pattern); group "n" is the number. Order matters: bracketed forms first.
MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (2, re.compile(rf"[（(]\s*(?P<n>[{CN}]{{1,3}})\s*[）)]\s*[、，,．.]?")),
    (3, re.compile(r"[（(]\s*(?P<n>\d{1,2})\s*[）)]\s*[、，,．.]?")),
    (1, re.compile(rf"第(?P<n>[{CN}]{{1,3}})部分\s*[、，,：:．.]?")),
    (1, re.compile(rf"(?P<n>[{CN}]{{1,3}})\s*(?:、|[，,．.](?!\d{{1,2}}[.．、]))(?:\s*[、，,．.])?")),
    (3, re.compile(r"(?P<n>\d{1,2})\s*[.．、](?![\d])")),
]
_TITLE_START = re.compile(r"[\u3400-\u9fff“\"《0-9A-Za-z*＊]")
_GAP = re.compile(r"[ \t\u3000\u00a0]*")
_LEAD_JUNK = re.compile(r"[?？]{1,4}(?=\S)")  # lost indentation shown as question marks
_REMNANT = re.compile(r"[)）]\s*(?=[\u4e00-\u9fff“\"《])")
_SENTENCE_END = "。！？!?；;"
_RUN_ON_CUES = re.compile(r"(?<=.{4})(主要是|主要表现为|主要表现在|具体表现为|表现在)")
LIST_ITEM = re.compile(rf"[{CN}]是")
_COLON_RUN_ON = 20  # a colon followed by at least this much text ends the title


def cn_number(s: str) -> int:
    """一..九十九 -> int (heading numbers only)."""
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN_DIGITS.get(s[1:], 0)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return CN_DIGITS.get(tens, 0) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    return CN_DIGITS.get(s, 0)


@dataclass
class Line:
    """One line of the body and, when it is a heading, what kind."""
    span: Span
    level: int = 0  # 0: not a heading
    marker: str = ""
    number: int = 0
    title: Span | None = None
    inferred: bool = False
    start: int = -1  # where the heading starts when not at span.start (inline, glued)
    end: int = -1  # where the heading's line ends when not at span.end (a label line after it)

    @property
    def head_start(self) -> int:
        return self.span.start if self.start < 0 else self.start

    @property
    def head_end(self) -> int:
        return self.span.end if self.end < 0 else self.end


def split_title(view: str, start: int, end: int) -> Span:
    """The heading's title within view[start:end]: cut at the first sentence end (or a colon
    with a run-on after it), then at a run-on cue, then (for a long run-on sentence) at its
    first clause."""
    seg = view[start:end]
    cut = len(seg)
    for i, ch in enumerate(seg):
        if ch in _SENTENCE_END or (ch in "：:" and i >= 2 and len(seg) - i > _COLON_RUN_ON):
            cut = i
            break
    runs_on = cut < len(seg)
    m = _RUN_ON_CUES.search(seg, 0, cut)
    if m:
        cut, runs_on = m.start(), True
    if runs_on and cut > 40:
        comma = seg.find("，", 4, cut)
        if 4 <= comma <= 30:
            cut = comma
    while cut > 0 and seg[cut - 1] in " \t，,：:":
        cut -= 1
    return Span(start, start + cut)


def marker_at(view: str, pos: int, end: int) -> tuple[int, re.Match[str]] | None:
    """The heading marker starting at view[pos] (level, match), if any."""
    for level, pat in MARKERS:
        m = pat.match(view, pos, end)
        if m:
            return level, m
    return None


def title_start(view: str, pos: int, end: int) -> int | None:
    """Where a title begins after a marker ending at pos: whitespace skipped; None when what
    follows cannot start a title."""
    p = _GAP.match(view, pos, end).end()
    return p if p < end and _TITLE_START.match(view, p) else None


def line_start(view: str, span: Span) -> int:
    """The line's start past lost-indentation junk ("??一、…")."""
    m = _LEAD_JUNK.match(view, span.start, span.end)
    return m.end() if m else span.start


def match_marker(view: str, span: Span) -> Line:
    line = Line(span)
    pos = line_start(view, span)
    if LIST_ITEM.match(view, pos):
        return line
    for level, pat in MARKERS:
        m = pat.match(view, pos, span.end)
        if not m or m.end() >= span.end:
            continue
        t0 = title_start(view, m.end(), span.end)
        if t0 is None:
            continue
        line.level, line.marker = level, view[pos:m.end()].strip()
        line.number = cn_number(m.group("n"))
        line.title = split_title(view, t0, span.end)
        if pos != span.start:
            line.start = pos
        return line
    m = _REMNANT.match(view, pos, span.end)
    if m:
        line.level, line.marker, line.inferred = 2, "", True
        line.title = split_title(view, m.end(), span.end)
    return line


def marker_only(view: str, span: Span) -> tuple[int, str, int] | None:
    """A line that is nothing but a heading marker ("一、", "（一）"): (level, marker, number).
    PDF text of Word's automatic numbering puts the label on a line of its own."""
    pos = line_start(view, span)
    found = marker_at(view, pos, span.end)
    if not found:
        return None
    level, m = found
    if level == 3 or _GAP.match(view, m.end(), span.end).end() != span.end:
        return None
    return level, view[pos:m.end()].strip(), cn_number(m.group("n"))
