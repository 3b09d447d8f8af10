"""Headings whose markers publishing lost or moved.

  * a remnant bracket at the start of a line (")健全完善…": the "（二" was lost);
  * a gap in a numbered sequence ((六) then (八)): the lines between the two siblings
    are searched for a line shaped like a heading;
  * a label on a line of its own (PDF of Word's automatic numbering): "…主要举措和成效\n一、"
    or "一、\n…主要举措和成效" — the label joins the short line it belongs to;
  * a whole level without markers (bold or <strong> headings without numbers, a repost
    that dropped them): short lines without end punctuation standing between prose
    paragraphs (two in a row: a level-1 heading and its first level-2 heading). A heading whose first half was glued to the end of the paragraph before
    it ("…取得成效。全面贯彻落实…\n统筹推进…") takes that half back.
Recovered headings carry `inferred=True`; the structure rules report them.
"""
from __future__ import annotations

from fazhi.report import Span
from fazhi.structure.markers import LIST_ITEM, Line, marker_only

SHORT_HEADING_MAX = 40  # a standalone heading line longer than this is a paragraph
_RUN_ON_TITLE_MAX = 20  # first sentence of a paragraph that may be a lost heading
_PROSE_MIN = 50  # a line this long (or ending a sentence) is prose
_GLUED_MAX = 25  # the tail of a paragraph that may be the first half of a heading
_NOT_HEADING_END = "。；;：:，,、"


def standalone_heading(view: str, span: Span) -> Span | None:
    """A short line with no sentence punctuation at its end: a heading that lost its marker."""
    s = view[span.start:span.end]
    if len(s) > SHORT_HEADING_MAX or s[-1] in _NOT_HEADING_END or LIST_ITEM.match(s):
        return None
    if sum(ch.isdigit() for ch in s) > 4 or "。" in s or "|" in s:
        return None
    return Span(span.start, span.end)


def _run_on_heading(view: str, span: Span) -> Span | None:
    """A paragraph opening with a short sentence, shaped like '（一）法治意识有待提高。个别…'."""
    s = view[span.start:span.end]
    if LIST_ITEM.match(s):
        return None
    cut = next((i for i, ch in enumerate(s) if ch in "。；;"), -1)
    if 4 <= cut <= _RUN_ON_TITLE_MAX and cut < len(s) - 1 and "，" not in s[:cut]:
        return Span(span.start, span.start + cut)
    return None


def _siblings_run_on(lines: list[Line]) -> bool:
    return any(ln.title and ln.title.end < ln.span.end - 1 for ln in lines)


def fill_gaps(view: str, lines: list[Line], level: int) -> None:
    """Recover lost headings of `level` where the numbering of siblings jumps."""
    lo = 0  # index of the first line after the previous sibling (or parent)
    prev_no = 0
    siblings: list[Line] = []
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


def _recover(view: str, between: list[Line], level: int, first_no: int, missing: int,
             siblings: list[Line]) -> None:
    run_on = _siblings_run_on(siblings)
    cands: list[tuple[int, Line, Span]] = []
    for ln in between:
        if ln.level:
            continue
        if t := standalone_heading(view, ln.span):
            cands.append((0, ln, t))
        elif run_on and (t := _run_on_heading(view, ln.span)):
            cands.append((1, ln, t))
    chosen = sorted(sorted(cands, key=lambda c: c[0])[:missing], key=lambda c: c[1].span.start)
    for k, (_, ln, title) in enumerate(chosen):
        ln.level, ln.inferred, ln.number, ln.marker, ln.title = level, True, first_no + k, "", title


def number_remnants(lines: list[Line]) -> None:
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


def _heading_like(view: str, ln: Line | None) -> bool:
    return ln is not None and not ln.level and standalone_heading(view, ln.span) is not None


def attach_labels(view: str, lines: list[Line]) -> list[Line]:
    """Join label-only lines ("一、", "（一）") to the short line they number; the label
    stands after its heading or before it, the same way throughout one document."""
    labels = [i for i, ln in enumerate(lines) if not ln.level and marker_only(view, ln.span)]
    if not labels:
        return lines
    before = after = 0
    for i in labels:
        prev_h = i > 0 and _heading_like(view, lines[i - 1]) and not marker_only(view, lines[i - 1].span)
        next_h = i + 1 < len(lines) and _heading_like(view, lines[i + 1]) and not marker_only(view, lines[i + 1].span)
        after += prev_h and not next_h
        before += next_h and not prev_h
    step = -1 if after > before else 1
    drop: set[int] = set()
    for i in labels:
        j = i + step
        if not 0 <= j < len(lines) or j in drop or not _heading_like(view, lines[j]) \
                or marker_only(view, lines[j].span):
            continue
        level, marker, number = marker_only(view, lines[i].span)  # type: ignore[misc]
        head, label = lines[j], lines[i]
        head.level, head.marker, head.number, head.title = level, marker, number, head.span
        head.start = min(head.span.start, label.span.start)
        head.end = max(head.span.end, label.span.end)
        drop.add(i)
    return [ln for k, ln in enumerate(lines) if k not in drop]


def _is_prose(view: str, ln: Line) -> bool:
    s = view[ln.span.start:ln.span.end]
    return not ln.level and (len(s) >= _PROSE_MIN or s[-1] in "。！？!?；;")


def _glued_start(view: str, prev: Line) -> int | None:
    """Where the first half of a heading starts at the end of the paragraph `prev`
    (a paragraph ending without punctuation, its last sentence short), if it does."""
    s = view[prev.span.start:prev.span.end]
    if s[-1] in "。！？!?；;：:，,、”）)》":
        return None
    cut = max(s.rfind(ch) for ch in "。！？!?；;")
    if cut < 0 or not 2 <= len(s) - cut - 1 <= _GLUED_MAX:
        return None
    return prev.span.start + cut + 1


def _lost_runs(view: str, lines: list[Line]) -> list[list[int]]:
    """Runs of consecutive heading-like lines standing between prose (after the opening
    prose), each followed by prose or a numbered deeper heading."""
    runs: list[list[int]] = []
    seen_prose, run = False, []
    for i, ln in enumerate(lines):
        if not run and not seen_prose:
            seen_prose = _is_prose(view, ln)
            continue
        if not ln.level and _heading_like(view, ln) and (run or _is_prose(view, lines[i - 1])):
            run.append(i)
            continue
        if run and (_is_prose(view, ln) or ln.level > 1):
            runs.append(run)
        run = []
    return runs


def recover_lost_level(view: str, lines: list[Line]) -> None:
    """Where the text has no level-1 heading at all, short heading-like lines standing
    between prose paragraphs are its headings (markers lost). In a run of two such lines
    the first is level 1 and the next level 2; where such runs show that both levels lost
    their markers, a lone line is level 1 only when it names a mandated part."""
    from fazhi.structure.parts import classify_heading

    if any(ln.level == 1 for ln in lines):
        return
    runs = _lost_runs(view, lines)
    two_levels = any(len(r) > 1 for r in runs) and not any(ln.level == 2 for ln in lines)
    l1 = l2 = 0
    for run in runs:
        for k, i in enumerate(run):
            ln = lines[i]
            top = k == 0 and (len(run) > 1 or not two_levels
                              or classify_heading(view[ln.span.start:ln.span.end], None) is not None)
            l1, l2 = (l1 + 1, 0) if top else (l1, l2 + 1)
            ln.level, ln.number = (1, l1) if top else (2, l2)
            ln.marker, ln.inferred, ln.title = "", True, ln.span
            if k == 0 and (g := _glued_start(view, lines[i - 1])) is not None:
                ln.start, ln.title = g, Span(g, ln.span.end)
