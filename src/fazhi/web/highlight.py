"""The report text with its spans marked: text + spans → a list of escaped HTML segments.

Spans may overlap or nest. The text is cut at every span boundary; each piece knows every
span covering it, so a piece inside a finding and an indicator carries both. The pieces are
rendered flat (no nesting), each as `<span class="seg ..." data-start data-end data-refs>`;
the first piece of a span carries its anchor id (`hl-f3`) so the page can scroll to it.
Every piece of text goes through `markupsafe.escape`: the report text is untrusted input.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """One span to mark: `ref` is unique on the page (f3 = finding 3, i5 = indicator 5 ...)."""

    ref: str
    start: int
    end: int
    kind: str  # finding | indicator | comment | copy | heading
    css: str = ""  # extra classes, e.g. "sev-error"
    title: str = ""  # hover text


@dataclass
class Segment:
    start: int
    end: int
    text: str
    marks: list[Mark] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # refs whose first piece this is


def clamp_marks(marks: list[Mark], n: int) -> list[Mark]:
    """Marks inside [0, n] with a non-empty span (spans past the text are cut, empty ones dropped)."""
    out = []
    for m in marks:
        s, e = max(0, min(m.start, n)), max(0, min(m.end, n))
        if e > s:
            out.append(m if (s, e) == (m.start, m.end) else Mark(m.ref, s, e, m.kind, m.css, m.title))
    return out


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Cut `text` at every boundary of `marks`; each segment lists the marks covering it."""
    marks = clamp_marks(marks, len(text))
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    by_start: dict[int, list[Mark]] = {}
    for m in marks:
        by_start.setdefault(m.start, []).append(m)
    active: list[Mark] = []
    seen: set[str] = set()
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [m for m in active if m.end > a] + by_start.get(a, [])
        anchors = [m.ref for m in active if m.ref not in seen]
        seen.update(anchors)
        out.append(Segment(a, b, text[a:b], list(active), anchors))
    return out


def _attr(value: str) -> str:
    from markupsafe import escape

    return str(escape(value))


def segment_html(seg: Segment) -> str:
    """One segment as HTML (every segment carries its offsets, so a selection maps back to the text)."""
    from markupsafe import escape

    body = str(escape(seg.text))
    if not seg.marks and not seg.anchors:
        return f'<span class="seg" data-start="{seg.start}" data-end="{seg.end}">{body}</span>'
    classes = ["seg"] + sorted({f"hl-{m.kind}" for m in seg.marks}) + sorted({m.css for m in seg.marks if m.css})
    refs = " ".join(m.ref for m in seg.marks)
    titles = "\n".join(dict.fromkeys(m.title for m in seg.marks if m.title))
    attrs = [f'class="{_attr(" ".join(classes))}"', f'data-start="{seg.start}"', f'data-end="{seg.end}"',
             f'data-refs="{_attr(refs)}"']
    if seg.anchors:
        attrs.insert(0, f'id="hl-{_attr(seg.anchors[0])}"')
        if len(seg.anchors) > 1:
            attrs.append(f'data-anchors="{_attr(" ".join(seg.anchors))}"')
    if titles:
        attrs.append(f'title="{_attr(titles)}"')
    return f"<span {' '.join(attrs)}>{body}</span>"


def highlight_html(text: str, marks: list[Mark]):
    """The whole text as safe HTML (a `markupsafe.Markup`) with every mark in place."""
    from markupsafe import Markup

    return Markup("".join(segment_html(s) for s in segments(text, marks)))
