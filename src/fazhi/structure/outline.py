"""The outline: numbered headings at three levels, with lost markers recovered.

Markers (GB/T 9704 7.3.3 and common practice):
  level 1  一、  (also the misused 一. 一，and 第一部分)
  level 2  （一） / (一)
  level 3  1.  1、  （1） / (1)
A heading line may run on into its first sentence ("（一）法治意识有待提高。个别…"):
the title is cut at the first sentence end. Inline enumerations (一是…二是…) are
not headings.

Publishing sometimes loses a marker. Two general signs recover it:
  * a remnant bracket at the start of a line (")健全完善…": the "（二" was lost);
  * a gap in a numbered sequence ((六) then (八)): the lines between the two siblings
    are searched for a line shaped like a heading.
Recovered headings carry `inferred=True`; the structure rules report them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fazhi.report import Heading, Report, Span
from fazhi.text.lines import iter_lines

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十"

# (level, pattern); group "n" is the number. Order matters: bracketed forms first.
_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (2, re.compile(rf"[（(]\s*(?P<n>[{_CN}]{{1,3}})\s*[）)]\s*[、，,．.]?")),
    (3, re.compile(r"[（(]\s*(?P<n>\d{1,2})\s*[）)]\s*[、，,．.]?")),
    (1, re.compile(rf"第(?P<n>[{_CN}]{{1,3}})部分\s*[、，,：:．.]?")),
    (1, re.compile(rf"(?P<n>[{_CN}]{{1,3}})\s*(?:、|[，,．.](?!\d))")),
    (3, re.compile(r"(?P<n>\d{1,2})\s*[.．、](?![\d])")),
]
_REMNANT = re.compile(r"[)）]\s*(?=[\u4e00-\u9fff“\"《])")
_SENTENCE_END = "。！？!?；;"
_RUN_ON_CUES = re.compile(r"(?<=.{4})(主要是|主要表现为|主要表现在|具体表现为|表现在)")
_LIST_ITEM = re.compile(rf"^[{_CN}]是")
_SHORT_HEADING_MAX = 40  # a standalone heading line longer than this is a paragraph
_RUN_ON_TITLE_MAX = 20  # first sentence of a paragraph that may be a lost heading


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
class _Line:
    span: Span
    level: int = 0  # 0: not a heading
    marker: str = ""
    number: int = 0
    title: Span | None = None
    inferred: bool = False


def split_title(view: str, start: int, end: int) -> Span:
    """The heading's title within view[start:end]: cut at the first sentence end, then
    at a run-on cue, then (for a long run-on sentence) at its first clause."""
    seg = view[start:end]
    cut = len(seg)
    for i, ch in enumerate(seg):
        if ch in _SENTENCE_END:
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
    while cut > 0 and seg[cut - 1] in " ，,：:":
        cut -= 1
    return Span(start, start + cut)


def match_marker(view: str, span: Span) -> _Line:
    line = _Line(span)
    for level, pat in _MARKERS:
        m = pat.match(view, span.start, span.end)
        if not m or m.end() >= span.end:
            continue
        rest = view[m.end():span.end]
        if level == 1 and _LIST_ITEM.match(view, span.start):
            continue
        if not re.match(r"[\u4e00-\u9fff“\"《0-9A-Za-z]", rest):
            continue
        line.level, line.marker = level, view[span.start:m.end()].strip()
        line.number = cn_number(m.group("n"))
        line.title = split_title(view, m.end(), span.end)
        return line
    m = _REMNANT.match(view, span.start, span.end)
    if m:
        line.level, line.marker, line.inferred = 2, "", True
        line.title = split_title(view, m.end(), span.end)
    return line


def _standalone_heading(view: str, span: Span) -> Span | None:
    """A short line with no sentence punctuation at its end: a heading that lost its marker."""
    s = view[span.start:span.end]
    if len(s) > _SHORT_HEADING_MAX or s[-1] in "。；;：:，,、" or _LIST_ITEM.match(s):
        return None
    if sum(ch.isdigit() for ch in s) > 4:
        return None
    return Span(span.start, span.end)


def _run_on_heading(view: str, span: Span) -> Span | None:
    """A paragraph opening with a short sentence, shaped like '（一）法治意识有待提高。个别…'."""
    s = view[span.start:span.end]
    if _LIST_ITEM.match(s):
        return None
    cut = next((i for i, ch in enumerate(s) if ch in "。；;"), -1)
    if 4 <= cut <= _RUN_ON_TITLE_MAX and cut < len(s) - 1 and "，" not in s[:cut]:
        return Span(span.start, span.start + cut)
    return None


def _siblings_run_on(view: str, lines: list[_Line]) -> bool:
    return any(ln.title and ln.title.end < ln.span.end - 1 for ln in lines)


def _fill_gaps(view: str, lines: list[_Line], level: int) -> None:
    """Recover lost headings of `level` where the numbering of siblings jumps."""
    lo = 0  # index of the first line after the previous sibling (or parent)
    prev_no = 0
    siblings: list[_Line] = []
    for i, ln in enumerate(lines):
        if 0 < ln.level < level:
            lo, prev_no, siblings = i + 1, 0, []
            continue
        if ln.level != level:
            continue
        missing = ln.number - prev_no - 1
        if 0 < missing <= 3 and not ln.inferred:
            _recover(view, lines[lo:i], level, prev_no + 1, missing, siblings + [ln])
        lo, prev_no = i + 1, ln.number
        siblings.append(ln)


def _recover(view: str, between: list[_Line], level: int, first_no: int, missing: int,
             siblings: list[_Line]) -> None:
    run_on = _siblings_run_on(view, siblings)
    cands: list[tuple[int, _Line, Span]] = []
    for ln in between:
        if ln.level:
            continue
        if t := _standalone_heading(view, ln.span):
            cands.append((0, ln, t))
        elif run_on and (t := _run_on_heading(view, ln.span)):
            cands.append((1, ln, t))
    chosen = sorted(sorted(cands, key=lambda c: c[0])[:missing], key=lambda c: c[1].span.start)
    for k, (_, ln, title) in enumerate(chosen):
        ln.level, ln.inferred, ln.number, ln.marker, ln.title = level, True, first_no + k, "", title


def _number_remnants(lines: list[_Line]) -> None:
    """Give remnant-bracket headings the number after their previous sibling."""
    last: dict[int, int] = {}
    for ln in lines:
        if not ln.level:
            continue
        for deeper in [lv for lv in last if lv > ln.level]:
            del last[deeper]
        if ln.inferred and ln.number == 0:
            ln.number = last.get(ln.level, 0) + 1
        last[ln.level] = ln.number


def build_outline(view: str, body: Span, text: str | None = None) -> list[Heading]:
    """Headings of view[body]; titles are taken from `text` (as written) when given."""
    text = view if text is None else text
    lines = [match_marker(view, sp) for sp in iter_lines(view, body.start, body.end)]
    _number_remnants(lines)
    for level in (1, 2, 3):
        _fill_gaps(view, lines, level)
    heads = [ln for ln in lines if ln.level and ln.title and ln.title.end > ln.title.start]
    outline = [
        Heading(level=ln.level, marker=ln.marker, number=ln.number,
                title=re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "",
                             text[ln.title.start:ln.title.end]),
                start=ln.span.start, end=ln.span.end, inferred=ln.inferred,
                title_start=ln.title.start, title_end=ln.title.end)
        for ln in heads
    ]
    for i, h in enumerate(outline):
        nxt = next((o.start for o in outline[i + 1:] if o.level <= h.level), body.end)
        h.section_end = nxt
    return outline


def sequence_problems(outline: list[Heading]) -> list[tuple[Heading, int]]:
    """Headings whose number is not the one expected after their previous sibling:
    (heading, expected number)."""
    problems: list[tuple[Heading, int]] = []
    last: dict[int, int] = {}
    for h in outline:
        for deeper in [lv for lv in last if lv > h.level]:
            del last[deeper]
        expected = last.get(h.level, 0) + 1
        if h.number != expected:
            problems.append((h, expected))
        last[h.level] = h.number
    return problems


def annotate(report: Report) -> None:
    report.outline = build_outline(report.view, report.body, report.text)
