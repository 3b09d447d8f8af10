"""What the text says about a mandated part, wherever it stands (cue words: data/parts.yaml).

Units of text are passages: paragraphs, split further at list items (…。二是…). A clause is
a stretch between ，。；：！？. A passage is about a part when its opening clause names the part
with a strong cue and another clause carries a cue, or when enough of its clauses (at least
`min_clauses`, and `passage_share` of them) carry cues, one of them strong. A section is
about a part when its opening passage is, or when its cue clauses (title included) make up
`section_share` of its clauses, several times the part's density in the whole text, and
clearly more than any other part's. All matching is done on the simplified view; spans point into the
text unchanged.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from fazhi.report import Heading, Span
from fazhi.structure.markers import CN
from fazhi.text.lines import iter_lines

CONTENT_PARTS = ("first_responsible", "shortcomings", "next_year")
_CLAUSE = re.compile(r"[^，,。；;：:！？!?]+")
_ITEM = re.compile(rf"(?<=[。；;：:])\s*(?=[{CN}]是)")
_MIN_SECTION_CLAUSES = 2
_SECTION_LIFT = 3.0
_WINNER_MARGIN = 1.5
_QUOTE = 16


def _rules() -> dict:
    from fazhi.structure.parts import part_rules

    return part_rules()


@cache
def cue_pattern(key: str, which: str, year: int | None) -> re.Pattern[str] | None:
    """Alternation of a part's cue words ('strong', 'cues' or 'sub_phrases'); {next_year}
    is the year after `year` (left out when the year is unknown)."""
    conf = _rules()["parts"][key]
    words = conf.get(which) if which == "sub_phrases" else conf.get("content", {}).get(which)
    out = []
    for w in words or []:
        if w == "{next_year}":
            if year:
                out.append(f"{year + 1}年(?!\\s*\\d{{1,2}}\\s*月)")  # not a date (2024年1月28日)
        else:
            out.append(re.escape(w))
    out.sort(key=len, reverse=True)
    return re.compile("|".join(out)) if out else None


def passages(view: str, start: int, end: int) -> Iterator[Span]:
    """Paragraphs of view[start:end], each split at its list items (一是…二是…)."""
    for sp in iter_lines(view, start, end):
        cut = sp.start
        for m in _ITEM.finditer(view, sp.start, sp.end):
            if m.end() > cut:
                yield Span(cut, m.start())
                cut = m.end()
        yield Span(cut, sp.end)


def clauses(view: str, span: Span) -> list[Span]:
    return [Span(m.start(), m.end()) for m in _CLAUSE.finditer(view, span.start, span.end)
            if view[m.start():m.end()].strip()]


def _hits(view: str, spans: list[Span], pat: re.Pattern[str] | None) -> int:
    return 0 if pat is None else sum(1 for c in spans if pat.search(view, c.start, c.end))


def passage_about(view: str, span: Span, key: str, year: int | None) -> bool:
    strong, cues = cue_pattern(key, "strong", year), cue_pattern(key, "cues", year)
    if strong is None or not strong.search(view, span.start, span.end):
        return False
    cls = clauses(view, span)
    hits = _hits(view, cls, cues)
    need = int(_rules()["parts"][key]["content"]["min_clauses"])
    if cls and strong.search(view, cls[0].start, cls[0].end) and hits >= need - 1:
        return True  # its opening names the part: 下一步，… / 但也存在一些不足：…
    share = float(_rules()["content_rules"]["passage_share"])
    return hits >= need and hits >= share * len(cls)


def density(view: str, start: int, end: int, key: str, year: int | None) -> float:
    """Share of the clauses of view[start:end] that carry a cue of part `key`."""
    cls = [c for p in passages(view, start, end) for c in clauses(view, p)]
    return _hits(view, cls, cue_pattern(key, "cues", year)) / len(cls) if cls else 0.0


def section_part(view: str, head: Heading, year: int | None, keys: tuple[str, ...],
                 doc_density: dict[str, float]) -> str | None:
    """The part (of `keys`) a section is about by its words, if one clearly is: its
    opening passage names the part, or the part's cues are dense in it (title included)
    — `section_share` of its clauses and `_SECTION_LIFT` times as dense as in the whole
    text (`doc_density`: part -> `density` over the text)."""
    first = next(passages(view, head.title_end, head.section_end), None)
    opened = [k for k in keys if first is not None and passage_about(view, first, k, year)]
    if len(opened) == 1:
        return opened[0]
    cls = clauses(view, Span(head.title_start, head.title_end)) + \
        [c for p in passages(view, head.title_end, head.section_end) for c in clauses(view, p)]
    if not cls:
        return None
    scores = sorted(((_hits(view, cls, cue_pattern(k, "cues", year)), k) for k in keys), reverse=True)
    best, key = scores[0]
    runner = scores[1][0] if len(scores) > 1 else 0
    share = float(_rules()["content_rules"]["section_share"])
    lifted = best / len(cls) >= _SECTION_LIFT * doc_density[key]
    if best >= _MIN_SECTION_CLAUSES and best >= share * len(cls) and lifted and best >= _WINNER_MARGIN * runner:
        return key
    return None


def forward_looking(view: str, head: Heading) -> bool:
    """A section that reports nothing done: long enough, and (almost) no clause with a
    past-tense marker or a counted result (data/parts.yaml content_rules.past)."""
    conf = _rules()["content_rules"]
    cls = [c for p in passages(view, head.title_end, head.section_end) for c in clauses(view, p)]
    if len(cls) < int(conf["forward_min_clauses"]):
        return False
    return _hits(view, cls, _past()) <= float(conf["forward_max_past"]) * len(cls)


@cache
def _past() -> re.Pattern[str]:
    return re.compile(_rules()["content_rules"]["past"])


@dataclass(frozen=True)
class ContentPlace:
    start: int
    end: int
    heading: int | None  # outline index when a sub-heading names the part
    where: str  # in Chinese: “一、…”下的“（三）…” / …中的一段（“…”）


def _label(text: str, h: Heading) -> str:
    title = h.title if len(h.title) <= 30 else h.title[:30] + "……"
    return f"“{h.marker}{title}”"


def _path(text: str, outline: list[Heading], pos: int, upto: int | None = None) -> list[Heading]:
    """The headings (level 1 down) whose sections hold `pos`."""
    path: list[Heading] = []
    for i, h in enumerate(outline):
        if upto is not None and i >= upto:
            break
        if h.start <= pos < max(h.section_end, h.end) and (not path or h.level > path[-1].level):
            path.append(h)
    return path


def where_heading(text: str, outline: list[Heading], idx: int) -> str:
    path = _path(text, outline, outline[idx].start, idx) + [outline[idx]]
    return "下的".join(_label(text, h) for h in path)


def where_passage(text: str, outline: list[Heading], span: Span) -> str:
    path = _path(text, outline, span.start)
    quote = re.sub(r"\s+", "", text[span.start:span.end])
    quote = quote if len(quote) <= _QUOTE else quote[:_QUOTE] + "……"
    inside = "下的".join(_label(text, h) for h in path) if path else "开头部分"
    return f"{inside}中的一段（“{quote}”）"


def locate(view: str, text: str, outline: list[Heading], body: Span, key: str,
           year: int | None) -> ContentPlace | None:
    """The first passage about part `key`, if any (for a part no heading names). The
    opening before the first level-1 heading only summarises the report (本报告包括…),
    so the search starts after that heading when there is one."""
    first = next((h for h in outline if h.level == 1), None)
    start = first.title_end if first else body.start
    for p in passages(view, start, body.end):
        if passage_about(view, p, key, year):
            return ContentPlace(p.start, p.end, None, where_passage(text, outline, p))
    return None
