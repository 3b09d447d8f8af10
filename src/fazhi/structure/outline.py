"""The outline: numbered headings at three levels, with lost markers recovered.

Markers and titles on one line: structure/markers.py. Headings inside flattened lines:
structure/inline.py. Lost, moved and remnant markers: structure/recover.py. Headings are
found on the view (simplified script, ASCII digits); titles are taken from the text as
written and every span points into it unchanged.
"""
from __future__ import annotations

import re

from fazhi.report import Heading, Report, Span
from fazhi.structure.inline import inline_headings
from fazhi.structure.markers import CN_DIGITS, Line, cn_number, match_marker, split_title
from fazhi.structure.recover import attach_labels, fill_gaps, number_remnants, recover_lost_level
from fazhi.text.lines import iter_lines

__all__ = ["CN_DIGITS", "annotate", "build_outline", "cn_number", "match_marker", "sequence_problems",
           "split_title"]

_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _with_inline(view: str, lines: list[Line]) -> list[Line]:
    """Add the headings found inside flattened lines, keeping only those whose number
    follows on from the headings before them."""
    present = {ln.level for ln in lines if ln.level and not ln.inferred}
    found: dict[int, list[Line]] = {}
    for i, ln in enumerate(lines):
        levels = {lv for lv in (1, 2) if lv not in present or 0 < ln.level < lv}
        if levels and (inline := inline_headings(view, ln.span, levels)):
            found[i] = inline
    if not found:
        return lines
    merged: list[Line] = []
    last: dict[int, int] = {}

    def accept(h: Line, checked: bool) -> bool:
        if checked and h.number != last.get(h.level, 0) + 1:
            return False
        for deeper in [lv for lv in last if lv > h.level]:
            del last[deeper]
        last[h.level] = h.number
        return True

    for i, ln in enumerate(lines):
        if ln.level:
            accept(ln, False)
        merged.append(ln)
        kept = [h for h in found.get(i, []) if accept(h, True)]
        if kept and ln.level and ln.title:
            ln.title = split_title(view, ln.title.start, max(ln.title.start, kept[0].head_start))
            ln.end = ln.title.end
        merged.extend(kept)
    return merged


def _lines(view: str, body: Span) -> list[Line]:
    lines = [match_marker(view, sp) for sp in iter_lines(view, body.start, body.end)]
    lines = attach_labels(view, lines)
    lines = _with_inline(view, lines)
    number_remnants(lines)
    for level in (1, 2, 3):
        fill_gaps(view, lines, level)
    recover_lost_level(view, lines)
    return lines


def build_outline(view: str, body: Span, text: str | None = None) -> list[Heading]:
    """Headings of view[body]; titles are taken from `text` (as written) when given."""
    text = view if text is None else text
    heads = [ln for ln in _lines(view, body) if ln.level and ln.title and ln.title.end > ln.title.start]
    outline = [
        Heading(level=ln.level, marker=ln.marker, number=ln.number,
                title=_CJK_GAP.sub("", text[ln.title.start:ln.title.end]),
                start=ln.head_start, end=ln.head_end, inferred=ln.inferred,
                title_start=ln.title.start, title_end=ln.title.end)
        for ln in heads
    ]
    open_: list[Heading] = []  # headings whose section runs on; one pass, linear
    for h in outline:
        while open_ and open_[-1].level >= h.level:
            open_.pop().section_end = h.start
        open_.append(h)
    for h in open_:
        h.section_end = body.end
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
