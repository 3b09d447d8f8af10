"""Map report paragraphs to the areas of the 法治政府建设实施纲要.

Taxonomy and keywords are data (`data/areas.yaml`, sources in rules.md C1/C2). A report on
2021 or later is read against the ten parts of the 2021–2025 纲要; one on 2020 or earlier
against the seven task areas of the 2015–2020 纲要; an undated one against the 2021 scheme.

How a paragraph (a non-empty body line that is not a heading) gets its areas:
  * keyword signals in its own words (longest match first, non-overlapping, weighted,
    repeats count less and less), mapped into the scheme (e.g. 普法 -> leadership in 2021);
  * plus the context of its enclosing headings: level-2/3 titles weigh twice as much as the
    level-1 title, so a vague paragraph under "（四）规范行政执法行为" is enforcement;
  * the main area is the best total; other areas are added when the paragraph's own words
    give them a real score (>= MIN_OWN and >= SECONDARY_SHARE of the best).

Coverage is about work reported as done: paragraphs inside the shortcomings (存在的不足) and
next-year (下一年度安排) parts, and the preamble before the first heading (addressee and the
"在…领导下，坚持以…为指导" opening), are tagged like every other paragraph, but flagged
`"counted": false` (with `"excluded": "shortcomings" | "next_year" | "preamble"`) and kept out
of `coverage` and `uncovered`. A report without any heading has no preamble: all of it counts.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fazhi.data import load_yaml
from fazhi.report import Heading, Report
from fazhi.text.matcher import WordMatcher

SCHEME_2021, SCHEME_2015 = "2021-2025", "2015-2020"
EXCLUDED_PARTS = ("shortcomings", "next_year")
HEADING_FACTOR = {1: 1.0, 2: 2.0, 3: 2.0}  # weight of an enclosing heading's signals, by level
HEADING_CAP = 4.0  # one heading title gives at most this (before its factor) to one area
MIN_OWN = 3.0  # a secondary area needs this much from the paragraph's own words
SECONDARY_SHARE = 0.4  # ... and at least this share of the paragraph's best own score
PROSE_MIN = 20  # shorter lines without sentence punctuation are not prose (signatures, dates)
MIN_TAG = 3.0  # an extra tag (publicity) needs this much
_TRIM = " \t\u3000\u00a0\ufeff"
_LEAD_PUNCT = " \t\u3000\u00a0。，,.:：;；、"


@dataclass(frozen=True)
class Taxonomy:
    schemes: dict[str, dict[str, Any]]
    tags: dict[str, dict[str, Any]]
    pattern: re.Pattern[str]  # the keywords, longest first (what `matcher` finds, for reference)
    matcher: WordMatcher  # the same matches, one automaton pass
    weights: dict[str, tuple[tuple[str, float], ...]]  # keyword -> ((signal, weight), ...)


@cache
def taxonomy() -> Taxonomy:
    raw = load_yaml("areas.yaml")
    weights: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for signal, spec in raw["signals"].items():
        for word, w in spec["keywords"].items():
            weights[str(word)].append((signal, float(w)))
    for word in raw.get("neutral") or []:
        weights.setdefault(str(word), [])
    words = sorted(weights, key=len, reverse=True)  # longest first: 行政执法监督 before 监督
    pattern = re.compile("|".join(map(re.escape, words)))
    return Taxonomy(raw["schemes"], raw.get("tags") or {}, pattern, WordMatcher(words),
                    {k: tuple(v) for k, v in weights.items()})


def scheme_for_year(year: int | None) -> str:
    """2021-2025 for reports on 2021 and later (and undated ones), 2015-2020 before."""
    return SCHEME_2015 if year is not None and year <= 2020 else SCHEME_2021


def scheme_areas(scheme: str) -> list[dict[str, Any]]:
    return list(taxonomy().schemes[scheme]["areas"])


def signal_scores(view: str, start: int, end: int) -> dict[str, float]:
    """Keyword signal scores of view[start:end]; the n-th repeat of a word adds 1/(n+1) of its weight."""
    tax = taxonomy()
    counts: dict[str, int] = defaultdict(int)
    for word in tax.matcher.words_in(view, start, end):
        counts[word] += 1
    scores: dict[str, float] = defaultdict(float)
    for word, n in counts.items():
        damp = sum(1.0 / k for k in range(1, min(n, 6) + 1))  # 1, 1.5, 1.83, ...
        for signal, w in tax.weights[word]:
            scores[signal] += w * damp
    return dict(scores)


def to_scheme(scores: dict[str, float], scheme: str) -> dict[str, float]:
    """Signal scores -> scores of the scheme's official areas (via the scheme's `map`)."""
    spec = taxonomy().schemes[scheme]
    ids = {a["id"] for a in spec["areas"]}
    mapping = spec.get("map") or {}
    out: dict[str, float] = defaultdict(float)
    for signal, s in scores.items():
        area = mapping.get(signal, signal)
        if area in ids:
            out[area] += s
    return dict(out)


def classify_paragraph(own: dict[str, float], context: dict[str, float], order: list[str],
                       prose: bool = True) -> list[str]:
    """Areas of one paragraph, main first, from its own and its headings' scheme scores.

    `prose`: the paragraph reads like a sentence (long enough, with punctuation); a line with
    no signal of its own that is not prose (a signature, a date) takes nothing from its headings.
    """
    if not prose and not any(s > 0 for s in own.values()):
        return []
    total = {a: own.get(a, 0.0) + context.get(a, 0.0) for a in set(own) | set(context)}
    total = {a: s for a, s in total.items() if s > 0}
    if not total:
        return []
    rank = {a: i for i, a in enumerate(order)}
    ranked = sorted(total, key=lambda a: (-total[a], -context.get(a, 0.0), rank.get(a, 99)))
    main = ranked[0]
    if own.get(main, 0.0) < 2.0 and context.get(main, 0.0) == 0.0:
        return []  # one weak word and no heading: not enough to say what the paragraph is about
    top_own = max(own.values(), default=0.0)
    extra = [a for a in ranked[1:] if own.get(a, 0.0) >= max(MIN_OWN, SECONDARY_SHARE * top_own)]
    return [main, *extra]


def _is_prose(view: str, start: int, end: int) -> bool:
    return end - start >= PROSE_MIN and any(ch in "，,。；;" for ch in view[start:end])


def _section_ends(outline: list[Heading], body_end: int) -> list[int]:
    """Where each heading's section ends: its `section_end` when set, else the start of the next
    heading of the same or a higher level (one pass with a stack of still-open headings)."""
    ends = [body_end] * len(outline)
    open_: list[int] = []  # levels strictly increasing from bottom to top
    for i, h in enumerate(outline):
        while open_ and outline[open_[-1]].level >= h.level:
            ends[open_.pop()] = h.start
        open_.append(i)
    return [h.section_end if h.section_end > h.start else ends[i] for i, h in enumerate(outline)]


_LINE = re.compile(r"[^\n\r]+")


def paragraphs(view: str, start: int, end: int, outline: list[Heading]) -> list[tuple[int, int]]:
    """Non-empty lines of view[start:end], minus heading lines; an inline heading
    ("（一）加强行政执法。全年…") leaves the rest of its line as a paragraph.
    One sweep over the lines and the headings sorted by start (linear, not lines x headings)."""
    heads = sorted(outline, key=lambda h: h.start)
    out: list[tuple[int, int]] = []
    nxt = 0  # the next heading not yet met
    live: list[Heading] = []  # headings met (start before the line's end) and not ended before it
    for m in _LINE.finditer(view, start, end):
        a, b = m.start(), m.end()
        while a < b and view[a] in _TRIM:
            a += 1
        while b > a and view[b - 1] in _TRIM:
            b -= 1
        if a >= b:
            continue
        while nxt < len(heads) and heads[nxt].start < b:
            live.append(heads[nxt])
            nxt += 1
        live = [h for h in live if h.end > a]  # later lines start further on: ended headings go
        for h in live:
            if h.end <= a or h.start >= b:
                continue
            split = h.title_end if h.title_end > h.start else h.end
            a = max(a, min(split, b))
            while a < b and view[a] in _LEAD_PUNCT:
                a += 1
        if b - a >= 2:
            out.append((a, b))
    return out


class _Enclosing:
    """The indexes i with starts[i] <= pos < ends[i], for positions asked in ascending order
    (a sweep: linear over all queries; a position before the previous one restarts it).
    `starts` must be ascending."""

    def __init__(self, starts: list[int], ends: list[int]):
        self.starts, self.ends = starts, ends
        self._restart()

    def _restart(self) -> None:
        self.nxt, self.live, self.last = 0, [], -1

    def __call__(self, pos: int) -> tuple[int, ...]:
        if pos < self.last:
            self._restart()
        self.last = pos
        while self.nxt < len(self.starts) and self.starts[self.nxt] <= pos:
            self.live.append(self.nxt)
            self.nxt += 1
        self.live = [i for i in self.live if pos < self.ends[i]]
        return tuple(self.live)


def _heading_context(view: str, heads: list[Heading], scheme: str) -> dict[str, float]:
    ctx: dict[str, float] = defaultdict(float)
    for h in heads:
        a, b = (h.title_start, h.title_end) if h.title_end > h.title_start else (h.start, h.end)
        for area, s in to_scheme(signal_scores(view, a, b), scheme).items():
            ctx[area] += HEADING_FACTOR.get(h.level, 1.0) * min(s, HEADING_CAP)
    return dict(ctx)


def _excluded_ranges(report: Report, ends: list[int]) -> list[tuple[str, int, int]]:
    out = []
    for key in EXCLUDED_PARTS:
        idx = report.parts.get(key)
        if isinstance(idx, int) and 0 <= idx < len(report.outline):
            out.append((key, report.outline[idx].start, ends[idx]))
    if report.outline:
        out.append(("preamble", report.body.start, min(h.start for h in report.outline)))
    return out


def annotate_areas(report: Report) -> None:
    """Tag body paragraphs with 纲要 areas; set indicator areas and report.areas (see module doc)."""
    view = report.view or report.text
    scheme = scheme_for_year(report.metadata.report_year)
    areas = scheme_areas(scheme)
    order = [a["id"] for a in areas]
    outline = sorted(report.outline, key=lambda h: h.start)
    ends = _section_ends(outline, report.body.end)
    # report.parts indexes report.outline as given (document order), so compute its ends apart
    excluded = _excluded_ranges(report, _section_ends(report.outline, report.body.end))
    cache_: dict[tuple[int, ...], dict[str, float]] = {}
    enclosing_at = _Enclosing([h.start for h in outline], ends)

    def context(pos: int) -> dict[str, float]:
        enclosing = enclosing_at(pos)
        if enclosing not in cache_:
            cache_[enclosing] = _heading_context(view, [outline[i] for i in enclosing], scheme)
        return cache_[enclosing]

    def excluded_as(pos: int) -> str | None:
        return next((key for key, s, e in excluded if s <= pos < e), None)

    paras: list[dict[str, Any]] = []
    for a, b in paragraphs(view, report.body.start, report.body.end, outline):
        raw = signal_scores(view, a, b)
        tags = [t for t in taxonomy().tags if raw.get(t, 0.0) >= MIN_TAG]
        ids = classify_paragraph(to_scheme(raw, scheme), context(a), order, _is_prose(view, a, b))
        why = excluded_as(a)
        paras.append({"start": a, "end": b, "areas": ids, "tags": tags, "counted": why is None, "excluded": why})
    counted_indicators = _set_indicator_areas(report, paras, context, order, excluded_as)
    report.areas = {"scheme": scheme, "paragraphs": paras, **_coverage(paras, counted_indicators, areas)}


def _set_indicator_areas(report: Report, paras: list[dict[str, Any]],
                         context: Callable[[int], dict[str, float]], order: list[str],
                         excluded_as: Callable[[int], str | None]) -> list[str]:
    """Each indicator takes the main area of its paragraph (or, inside a heading line, of the
    heading's context). Returns the areas of the indicators that count for coverage."""
    starts = [p["start"] for p in paras]
    counted: list[str] = []
    for ind in report.indicators:
        i = bisect_right(starts, ind.start) - 1
        p = paras[i] if i >= 0 and ind.start < paras[i]["end"] else None
        if p is not None:
            ind.area = p["areas"][0] if p["areas"] else None
        else:  # e.g. "（五）强化社会矛盾防范和化解工作，2021年办结信访件19件" is a heading line
            ids = classify_paragraph({}, context(ind.start), order)
            ind.area = ids[0] if ids else None
        if ind.area and excluded_as(ind.start) is None:
            counted.append(ind.area)
    return counted


def _coverage(paras: list[dict[str, Any]], indicator_areas: list[str], areas: list[dict[str, Any]]) -> dict[str, Any]:
    cov = {a["id"]: {"name": a["name"], "short": a.get("short"), "chars": 0, "paragraphs": 0,
                     "indicators": 0, "main_paragraphs": 0, "main_chars": 0} for a in areas}
    counted = [p for p in paras if p["counted"]]
    for p in counted:
        n = p["end"] - p["start"]
        for k, area in enumerate(p["areas"]):
            c = cov[area]
            c["chars"] += n
            c["paragraphs"] += 1
            if k == 0:
                c["main_paragraphs"] += 1
                c["main_chars"] += n
    for area in indicator_areas:
        if area in cov:
            cov[area]["indicators"] += 1
    return {
        "coverage": cov,
        "uncovered": [a for a in cov if cov[a]["paragraphs"] == 0],
        "totals": {"paragraphs": len(paras), "counted_paragraphs": len(counted),
                   "counted_chars": sum(p["end"] - p["start"] for p in counted),
                   "untagged_paragraphs": sum(1 for p in counted if not p["areas"]),
                   "counted_indicators": len(indicator_areas)},
    }
