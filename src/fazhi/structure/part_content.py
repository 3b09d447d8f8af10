"""What the text says about a mandated part, wherever it stands (cue words: data/parts.yaml).

Units of text are passages: paragraphs, split further at list items (…。二是…). A clause is
a stretch between ，。；：！？. A passage is about a part when its opening clause names the part
with a strong cue and another clause carries a cue, or when enough of its clauses (at least
`min_clauses`, and `passage_share` of them) carry cues, one of them strong; a passage in
which the principal leader is the subject of the duty or of personal actions reports the
first-responsible duty. A section is about a part when its opening passage is, or when its
cue clauses (title included) make up `section_share` of its clauses, several times the
part's density in the whole text, and clearly more than any other part's.

The text is read once (`PartText`): its passages, clauses and each clause's cues; every
question after that is a count over a range, so the whole stage stays linear in the text.
All matching is done on the simplified view; spans point into the text unchanged.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from fazhi.report import Heading, Span
from fazhi.structure.markers import CN
from fazhi.text.lines import iter_lines

CONTENT_PARTS = ("first_responsible", "shortcomings", "next_year")
_CLAUSE = re.compile(r"[^，,。；;：:！？!?]+")
_SENTENCE = re.compile(r"[^。；;！？!?]+")
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
    """Alternation of a part's cue words ('strong', 'cues', 'leaders' or 'sub_phrases');
    {next_year} is the year after `year` (left out when the year is unknown)."""
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


@cache
def _past() -> re.Pattern[str]:
    return re.compile(_rules()["content_rules"]["past"])


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


def _leader_reports(view: str, span: Span, conf: dict) -> bool:
    """A sentence whose subject is the principal leader, going on with the duty (a strong
    cue) or with two personal actions (data/parts.yaml first_responsible.content)."""
    strong = cue_pattern("first_responsible", "strong", None)
    leaders = cue_pattern("first_responsible", "leaders", None)
    for sent in _SENTENCE.finditer(view, span.start, span.end):
        for cl in clauses(view, Span(sent.start(), sent.end())):
            m = leaders.search(view, cl.start, cl.end) if leaders else None
            k = m.start() - cl.start if m else -1
            if k < 0 or k > int(conf["subject_prefix_max"]) or any(w in view[cl.start:m.start()]
                                                                   for w in conf["not_subject"]):
                continue
            rest = view[m.start():sent.end()]
            if (strong is not None and strong.search(rest)) or sum(a in rest for a in conf["actions"]) >= 2:
                return True
    return False


def _prefix(flags: list[bool]) -> list[int]:
    return list(accumulate(flags, initial=0))


@dataclass
class PartText:
    """Passages and clauses of view[start:end], read once, with each clause's cues."""
    view: str
    year: int | None
    passages: list[Span] = field(default_factory=list)
    first_clause: list[int] = field(default_factory=list)  # per passage (and one past the end)
    passage_starts: list[int] = field(default_factory=list)
    clause_starts: list[int] = field(default_factory=list)
    cues: dict[str, list[int]] = field(default_factory=dict)  # key -> prefix sums of cue clauses
    strong: dict[str, list[bool]] = field(default_factory=dict)  # key -> clause has a strong cue
    past: list[int] = field(default_factory=list)  # prefix sums of clauses reporting done work
    leader: list[int] = field(default_factory=list)  # prefix sums of clauses naming a principal leader
    _about: dict[tuple[int, str], bool] = field(default_factory=dict)

    @classmethod
    def read(cls, view: str, start: int, end: int, year: int | None) -> PartText:
        t = cls(view, year)
        spans: list[Span] = []
        for p in passages(view, start, end):
            t.passages.append(p)
            t.first_clause.append(len(spans))
            spans += clauses(view, p)
        t.first_clause.append(len(spans))
        t.passage_starts = [p.start for p in t.passages]
        t.clause_starts = [c.start for c in spans]
        ends = [c.end for c in spans]

        def flags(pat: re.Pattern[str] | None) -> list[bool]:
            out = [False] * len(spans)
            for m in pat.finditer(view, start, end) if pat is not None else ():
                i = bisect_right(t.clause_starts, m.start()) - 1
                if i >= 0 and m.end() <= ends[i]:
                    out[i] = True
            return out

        for key in CONTENT_PARTS:
            t.cues[key] = _prefix(flags(cue_pattern(key, "cues", year)))
            t.strong[key] = flags(cue_pattern(key, "strong", year))
        t.past = _prefix(flags(_past()))
        t.leader = _prefix(flags(cue_pattern("first_responsible", "leaders", None)))
        return t

    def _range(self, start: int, end: int) -> tuple[int, int]:
        return bisect_left(self.clause_starts, start), bisect_left(self.clause_starts, end)

    def hits(self, key: str, start: int, end: int) -> tuple[int, int]:
        """(cue clauses, clauses) of the clauses starting in [start, end)."""
        a, b = self._range(start, end)
        return self.cues[key][b] - self.cues[key][a], b - a

    def density(self, key: str, start: int, end: int) -> float:
        n, total = self.hits(key, start, end)
        return n / total if total else 0.0

    def about(self, i: int, key: str) -> bool:
        """Is passage i about part `key`?"""
        if (i, key) not in self._about:
            self._about[(i, key)] = self._is_about(i, key)
        return self._about[(i, key)]

    def _is_about(self, i: int, key: str) -> bool:
        conf = _rules()["parts"][key]["content"]
        a, b = self.first_clause[i], self.first_clause[i + 1]
        if "leaders" in conf and self.leader[b] > self.leader[a] and _leader_reports(self.view, self.passages[i], conf):
            return True
        if a == b or not any(self.strong[key][a:b]):
            return False
        hits, need = self.cues[key][b] - self.cues[key][a], int(conf["min_clauses"])
        if self.strong[key][a] and hits >= need - 1:
            return True  # its opening names the part: 下一步，… / 但也存在一些不足：…
        share = float(_rules()["content_rules"]["passage_share"])
        return hits >= need and hits >= share * (b - a)

    def passage_at(self, pos: int) -> int | None:
        """The passage going on at pos (a heading line running on into its text), else the
        first one after it."""
        i = bisect_right(self.passage_starts, pos) - 1
        if i < 0 or self.passages[i].end <= pos + 1:
            i += 1
        return i if i < len(self.passages) else None

    def forward_looking(self, head: Heading) -> bool:
        """A section that reports nothing done: long enough, and (almost) no clause with a
        past-tense marker or a counted result (data/parts.yaml content_rules.past)."""
        conf = _rules()["content_rules"]
        a, b = self._range(head.title_end, head.section_end)
        if b - a < int(conf["forward_min_clauses"]):
            return False
        return self.past[b] - self.past[a] <= float(conf["forward_max_past"]) * (b - a)

    def section_part(self, head: Heading, keys: tuple[str, ...], doc_density: dict[str, float]) -> str | None:
        """The part (of `keys`) a section is about by its words, if one clearly is: its
        opening passage names the part, or the part's cues are dense in it (title included)
        — `section_share` of its clauses and `_SECTION_LIFT` times as dense as in the whole
        text (`doc_density`)."""
        i = self.passage_at(head.title_end)
        if i is not None and self.passages[i].start < head.section_end:
            opened = [k for k in keys if self.about(i, k)]
            if len(opened) == 1:
                return opened[0]
        scores = sorted(((*self.hits(k, head.start, head.section_end), k) for k in keys), reverse=True)
        best, total, key = scores[0]
        if not total:
            return None
        runner = scores[1][0] if len(scores) > 1 else 0
        share = float(_rules()["content_rules"]["section_share"])
        lifted = best / total >= _SECTION_LIFT * doc_density[key]
        if best >= _MIN_SECTION_CLAUSES and best >= share * total and lifted and best >= _WINNER_MARGIN * runner:
            return key
        return None

    def first_about(self, key: str, start: int) -> Span | None:
        i = self.passage_at(start)
        for j in range(len(self.passages) if i is None else i, len(self.passages)):
            if self.about(j, key):
                return self.passages[j]
        return None


def passage_about(view: str, span: Span, key: str, year: int | None) -> bool:
    """Is view[span] (one passage) about part `key`?"""
    t = PartText.read(view, span.start, span.end, year)
    return any(t.about(i, key) for i in range(len(t.passages)))


@dataclass(frozen=True)
class ContentPlace:
    start: int
    end: int
    heading: int | None  # outline index when a sub-heading names the part
    where: str  # in Chinese: “一、…”下的“（三）…” / …中的一段（“…”）


def _label(h: Heading) -> str:
    title = h.title if len(h.title) <= 30 else h.title[:30] + "……"
    return f"“{h.marker}{title}”"


def _path(outline: list[Heading], pos: int, upto: int | None = None) -> list[Heading]:
    """The headings (level 1 down) whose sections hold `pos`."""
    path: list[Heading] = []
    for i, h in enumerate(outline):
        if upto is not None and i >= upto:
            break
        if h.start <= pos < max(h.section_end, h.end) and (not path or h.level > path[-1].level):
            path.append(h)
    return path


def where_heading(outline: list[Heading], idx: int) -> str:
    path = _path(outline, outline[idx].start, idx) + [outline[idx]]
    return "下的".join(_label(h) for h in path)


def where_passage(text: str, outline: list[Heading], span: Span) -> str:
    path = _path(outline, span.start)
    quote = re.sub(r"\s+", "", text[span.start:span.end])
    quote = quote if len(quote) <= _QUOTE else quote[:_QUOTE] + "……"
    inside = "下的".join(_label(h) for h in path) if path else "开头部分"
    return f"{inside}中的一段（“{quote}”）"


def locate(t: PartText, text: str, outline: list[Heading], key: str) -> ContentPlace | None:
    """The first passage about part `key`, if any (for a part no heading names). The
    opening before the first level-1 heading only summarises the report (本报告包括…),
    so the search starts after that heading when there is one."""
    first = next((h for h in outline if h.level == 1), None)
    p = t.first_about(key, first.title_end if first else 0)
    return ContentPlace(p.start, p.end, None, where_passage(text, outline, p)) if p else None
