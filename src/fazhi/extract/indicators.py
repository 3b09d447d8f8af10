"""Quantitative indicators: who did how much of what (受理调处各类矛盾纠纷237件).

`extract_indicators(view, start, end)` returns one `Indicator` per quantitative claim in
view[start:end]; spans are offsets into `view` (and so into the original text).

How a claim is read:
1. `numerals.find_quantities` finds numeral + qualifier + unit and drops non-quantities
   (years, dates, document numbers, hotlines, plan periods, slogans, see numerals.py).
2. The subject (what is counted) is read AFTER the unit when a noun phrase follows it
   (组织开展4次普法队伍培训 -> 普法队伍培训; 协调4名法律顾问在... -> 法律顾问), otherwise BACK
   to the clause start (受理调处各类矛盾纠纷237件). A list sharing one verb splits at 、
   (开展行政执法人员培训4次、行政处罚1次 -> two subjects) unless it ends in a total
   (A、B和C共52场 -> one subject A、B和C). Leading time words, actors, adverbs and light
   verbs, and the trailing 共计/为/达 between noun and number, are trimmed (units.yaml).
3. Two measures sharing one value (参与率和通过率均为100%) give two indicators.
4. A number glued to the previous one (来访533批1067人次) shares its subject.
5. `measure` is a normalised id from data/measures.yaml, so counts compare across reports.

Value convention: the value is kept AS WRITTEN and a scale stays in the unit
(51.05万元 -> value 51.05, unit 万元; 2万余份 -> 2, 万份). Unit slips are repaired
(300人\\次, 600余人(次) -> 人次). Qualifiers: 余 多 近 约 超过 达 以上 左右 (joined with
"…" when two occur: 超过1200多万元 -> 超过…多); 共/累计/合计 are not qualifiers.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache

from fazhi.extract.numerals import DATA, Quantity, find_quantities, find_unitless, lexicon
from fazhi.report import Indicator

MAX_FORWARD = 16  # a subject read after the unit is a short noun phrase
LONG_SUBJECT = 14  # a longer subject read backwards is cut at its last 等 / 的
TOTALS = ("共计", "合计", "总计", "累计", "共")
_PAREN_OPEN, _PAREN_CLOSE = "(（", ")）"
_SENTENCE_END = "。；;！？!?\n"
MODALS = "可将均已能"


@dataclass(frozen=True)
class _Rules:
    leading: re.Pattern[str]
    trailing: tuple[str, ...]
    stops: tuple[str, ...]
    multi_stops: re.Pattern[str]  # matches where a stop word of two characters or more starts
    single_stops: frozenset[str]
    breaks: frozenset[str]


@dataclass(frozen=True)
class _Measure:
    id: str
    family: tuple[str | None, ...]
    any: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...]


@cache
def _rules() -> _Rules:
    raw = lexicon().raw
    leading = re.compile("(?:" + "|".join(f"(?:{p})" for p in raw["leading_trim"]) + ")")
    return _Rules(
        leading=leading,
        trailing=tuple(sorted(raw["trailing_trim"], key=len, reverse=True)),
        stops=tuple(sorted(raw["forward_stops"], key=len, reverse=True)),
        multi_stops=re.compile("|".join(re.escape(w) for w in raw["forward_stops"] if len(w) > 1) or "(?!)"),
        single_stops=frozenset(w for w in raw["forward_stops"] if len(w) == 1),
        breaks=frozenset(raw["clause_breaks"]),
    )


@cache
def _measures() -> tuple[_Measure, ...]:
    import yaml

    raw = yaml.load((DATA / "measures.yaml").read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    return tuple(
        _Measure(m["id"], tuple(m["family"]), tuple(re.compile(p) for p in m["any"]),
                 tuple(re.compile(p) for p in m.get("none", ())))
        for m in raw["measures"]
    )


def measure_of(subject: str, family: str | None, context: str = "") -> str | None:
    """The normalised measure id for a subject counted in a unit family, or None."""
    # the context is read only for rates (see _measure_of): leave it out of the cache key otherwise
    return _measure_of(subject, family, context if family == "percent" else "")


@lru_cache(maxsize=1 << 14)
def _measure_of(subject: str, family: str | None, context: str) -> str | None:
    for m in _measures():
        if family not in m.family or any(p.search(subject) for p in m.none):
            continue
        # a pattern spanning words (热线.*办结率) may read the sentence before a rate
        if any(p.search(context + subject if ".*" in p.pattern and family == "percent" else subject) for p in m.any):
            return m.id
    return None


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _forward(view: str, pos: int, hi: int, rules: _Rules) -> tuple[int, int] | None:
    """A noun phrase right after the unit: 4次[普法队伍培训]工作, 4名[法律顾问]在..."""
    while pos < hi and view[pos] in MODALS:  # 324项可在线申办 -> 在线申办
        pos += 1
    if pos >= hi or not (_is_cjk(view[pos]) or view[pos] in "《“"):
        return None
    j = pos
    while j < hi and j - pos < MAX_FORWARD:  # the window: up to a clause break or another number
        ch = view[j]
        if ch in rules.breaks or ch.isdigit() or ch in " \t":
            break
        if ch in _PAREN_OPEN:
            close = min((k for c in _PAREN_CLOSE if (k := view.find(c, j, j + 8)) > 0), default=-1)
            if close < 0:
                break
            j = close + 1
            continue
        if j > pos and rules.multi_stops.match(view, j):
            break
        j += 1
    s = pos
    k = view.rfind("的", pos, j)
    if k >= 0 and k + 1 < j:
        s = k + 1  # 17场有针对性的[法律知识授课]
    for i in range(s + 1, j):
        if view[i] in rules.single_stops:
            j = i
            break
    e = _rstrip_word(view, s, j, ("工作",))
    if e > s and (_is_cjk(view[e - 1]) or view[e - 1] in _PAREN_CLOSE):
        return s, e
    return None


def _rstrip_word(view: str, s: int, e: int, words: tuple[str, ...]) -> int:
    for w in words:
        if e - s > len(w) + 1 and view.startswith(w, e - len(w)):
            return e - len(w)
    return e


def _backward_start(view: str, pos: int, floor: int, rules: _Rules) -> int:
    """Start of the clause ending at pos (never before floor); 、 ends it unless a total follows."""
    j, depth = pos, 0
    while j > floor:
        ch = view[j - 1]
        if ch in rules.breaks:
            if ch == "、" and _ends_with_total(view, j, pos):
                j -= 1
                continue
            break
        if ch in _PAREN_CLOSE:
            depth += 1
        elif ch in _PAREN_OPEN:
            if depth == 0:
                break
            depth -= 1
        j -= 1
    return j


def _ends_with_total(view: str, s: int, pos: int) -> bool:
    tail = view[s:pos].rstrip(" ")
    return any(tail.endswith(t) for t in TOTALS)


def _trim(view: str, s: int, e: int, rules: _Rules) -> tuple[int, int]:
    """Trim time words, actors, adverbs and light verbs in front, 共计/为/达 behind."""
    changed = True
    while changed and s < e:
        changed = False
        while s < e and view[s] in " \t\u3000，,":
            s, changed = s + 1, True
        while e > s and view[e - 1] in " \t\u3000":
            e, changed = e - 1, True
        m = rules.leading.match(view, s, e)
        if m and m.end() > s and e - m.end() >= 1:
            s, changed = m.end(), True
        for w in rules.trailing:
            if e - s > len(w) and view.startswith(w, e - len(w)):
                e, changed = e - len(w), True
                break
        k = view.rfind("进行", s, e)
        if k >= 0 and e - (k + 2) >= 2:
            s, changed = k + 2, True
        if e - s > LONG_SUBJECT or view[e - 1:e] in ("率", "度"):
            for mark in ("的", "等"):
                k = view.rfind(mark, s, e)
                if k >= 0 and e - (k + 1) >= 2:
                    s, changed = k + 1, True
                    break
    return s, e


def _split_shared(view: str, s: int, e: int) -> list[tuple[int, int]]:
    """参与率和通过率 (均为100%) -> two subjects; other subjects stay whole."""
    parts, k = [], s
    for m in re.finditer(r"和|及|、", view[s:e]):
        parts.append((k, s + m.start()))
        k = s + m.end()
    parts.append((k, e))
    if len(parts) > 1 and all(b - a >= 2 and view[b - 1] in "率度" for a, b in parts):
        return parts
    return [(s, e)]


def _sentence_context(view: str, pos: int, lo: int) -> str:
    """The sentence before pos, at most 80 characters (the search is bounded the same way, so a
    text without some stop character is not scanned back to its start for every indicator)."""
    k = max(view.rfind(c, max(lo, pos - 81), pos) for c in _SENTENCE_END)
    return view[max(k + 1, lo, pos - 80):pos]


def _make(view: str, q: Quantity, subj: tuple[int, int], span: tuple[int, int], lo: int) -> Indicator:
    subject = view[subj[0]:subj[1]].strip()
    if any(ch.isdigit() for ch in view[span[0]:q.num_start]) or any(ch.isdigit() for ch in view[q.end:span[1]]):
        span = (q.start, q.end)  # never stretch a span over another number (12345市长热线交办件25件)
    ctx = _sentence_context(view, subj[0], lo)
    return Indicator(subject=subject, value=q.value, unit=q.unit, qualifier=q.qualifier,
                     start=span[0], end=span[1], measure=measure_of(subject, q.family, ctx), raw=q.raw)


def _shares_noun(view: str, pq: Quantity, q: Quantity, p: Indicator) -> bool:
    """`A 3850项、B 3680项 X`: the noun after the last number belongs to every item of the list."""
    between = view[pq.end:q.start]
    return (pq.unit == q.unit and p.end == pq.end and between.startswith("、") and len(between) <= 8
            and not any(ch in between for ch in "，,。；;"))


def _for_quantity(view: str, q: Quantity, lo: int, hi: int, prev: tuple[Quantity, list[Indicator]] | None,
                  rules: _Rules) -> list[Indicator]:
    fwd = _forward(view, q.end, hi, rules)
    if fwd:
        ind = _make(view, q, fwd, (q.start, fwd[1]), lo)
        if prev and len(prev[1]) == 1 and _shares_noun(view, prev[0], q, prev[1][0]):
            prev[1][0].subject += ind.subject  # 区本级3850项、乡(街道)3680项政务服务事项
            prev[1][0].measure = measure_of(prev[1][0].subject, prev[0].family)
        return [ind]
    floor = max(lo, prev[0].end) if prev else lo
    b0 = _backward_start(view, q.start, floor, rules)
    s, e = _trim(view, b0, q.start, rules)
    if e - s < 2 or not any(_is_cjk(c) for c in view[s:e]):  # 破76起: a bare verb names nothing
        if prev and prev[1] and not view[prev[0].end:q.start].strip():
            p = prev[1][-1]  # 来访533批1067人次: the second number shares the subject
            return [Indicator(subject=p.subject, value=q.value, unit=q.unit, qualifier=q.qualifier,
                              start=q.start, end=q.end, measure=measure_of(p.subject, q.family), raw=q.raw)]
        return []
    return [_make(view, q, (a, b), (a, q.end), lo) for a, b in _split_shared(view, s, e)]


class _Spans:
    """Does [a, b) overlap one of the given spans? (sorted starts + prefix maximum of ends: log n)"""

    def __init__(self, items: list[Indicator]):
        spans = sorted((i.start, i.end) for i in items)
        self.starts = [a for a, _ in spans]
        self.max_end: list[int] = []
        for _, e in spans:
            self.max_end.append(max(e, self.max_end[-1]) if self.max_end else e)

    def overlaps(self, a: int, b: int) -> bool:
        k = bisect_left(self.starts, b)  # spans starting before b
        return k > 0 and self.max_end[k - 1] > a


def extract_indicators(view: str, start: int = 0, end: int | None = None) -> list[Indicator]:
    """Every quantitative claim in view[start:end], in text order."""
    end = len(view) if end is None else end
    rules = _rules()
    out: list[Indicator] = []
    prev: tuple[Quantity, list[Indicator]] | None = None
    for q in find_quantities(view, start, end):
        inds = _for_quantity(view, q, start, end, prev, rules)
        out.extend(inds)
        prev = (q, inds)
    taken = _Spans(out)  # frames never overlap each other, only the indicators found above
    for n_s, n_e, noun in find_unitless(view, start, end):
        if not taken.overlaps(n_s, n_e):
            value = int(view[n_s:n_e])
            out.append(Indicator(subject=noun, value=value, unit=None, qualifier=None, start=n_s,
                                 end=n_e + len(noun), measure=measure_of(noun, None), raw=view[n_s:n_e]))
    out.sort(key=lambda i: (i.start, i.end))
    return out
