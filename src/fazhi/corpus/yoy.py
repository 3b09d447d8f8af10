"""Year-over-year diff: a stored report against the same unit's previous report.

    diff = year_over_year(corpus, report_id)          # None when the unit has no earlier report
    diff.ratio, diff.counts(), diff.number_changes()

The previous report is the stored report with the same `unit_key` (store.py) and the nearest
earlier `report_year` (ties: the one stored last). Both texts come from the database (text,
body span, outline, fingerprinted paragraphs); nothing is analysed again.

Rows are the non-empty lines of each body. Each line is normalised as for fingerprints
(fingerprint.normalize: punctuation and spaces dropped, full-width folded, every number one
symbol), so a line whose only change is a number or a comma is `same`. Lines are paired
one-to-one, best normalised similarity first (rapidfuzz ratio >= PAIR_MIN; short lines such
as headings need SHORT_PAIR_MIN); a pair is `same` when the normalised lines are equal, else
`changed`; an unpaired line of this year is `new`, one of last year `removed`. The
character-level changes of a pair come from difflib over tokens (a whole number is one token,
so 2023 -> 2024 is one change, flagged `number`), with spans into both original texts.

The recycling ratio follows copies.copy_ratios 'recycling': every stored unit (paragraph, and
sentence of a long paragraph) of this year is verified against last year's units with
copies.verify (rapidfuzz, >= copies.MIN_SIMILARITY, whole unit or aligned sub-span); the
union of the verified spans, minus template passages when `copies` are given, over the
body's characters.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

PAIR_MIN = 0.6  # normalised similarity for two lines to be shown as one changed paragraph
SHORT_PAIR_MIN = 0.8  # the same for short lines (headings ...), where ratios are noisy
PREFILTER = 0.5  # share of a unit's n-grams found in a previous unit before verifying it
PREFILTER_NGRAM = 3  # ... counted in character trigrams (bigrams are shared by chance too often)


@dataclass(frozen=True)
class Change:
    """One difference inside a paired paragraph; spans into the previous / this report's text."""

    op: str  # replace | insert | delete
    old_start: int
    old_end: int  # == old_start for an insertion
    new_start: int
    new_end: int  # == new_start for a deletion
    old_text: str
    new_text: str
    number: bool  # a number (or run of numbers) replaced by another


@dataclass
class ParagraphDiff:
    """A row of the diff: this year's paragraph (start/end) and its counterpart (prev_*)."""

    status: str  # same | changed | new | removed
    start: int | None
    end: int | None
    prev_start: int | None
    prev_end: int | None
    similarity: float  # normalised similarity of the pair (0 for new / removed)
    heading: bool = False
    moved: bool = False  # paired out of order (moved to another place)
    changes: list[Change] = field(default_factory=list)
    recycled: list[tuple[int, int]] = field(default_factory=list)  # spans counted as repeated


@dataclass(frozen=True)
class Side:
    """One of the two reports."""

    id: int
    unit_key: str
    issuer: str | None
    title: str | None
    year: int | None
    path: str
    body_start: int
    body_end: int
    text: str = field(repr=False)


@dataclass
class YoyDiff:
    this: Side
    previous: Side
    rows: list[ParagraphDiff]  # this year's order; removed rows stand after their predecessor
    ratio: float  # share of this year's body characters repeated from the previous report
    recycled_chars: int
    same_unit: bool
    template: list[tuple[int, int]] = field(default_factory=list)  # left out of the ratio

    def counts(self) -> dict[str, int]:
        c = Counter(r.status for r in self.rows)
        return {k: c.get(k, 0) for k in ("same", "changed", "new", "removed")}

    def paragraphs(self) -> list[ParagraphDiff]:
        """This year's rows (every status but removed), in text order."""
        return [r for r in self.rows if r.status != "removed"]

    def number_changes(self) -> list[Change]:
        return [c for r in self.rows for c in r.changes if c.number]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("this", "previous"):
            d[k].pop("text")
        d["counts"] = self.counts()
        return d


@dataclass
class _Line:
    start: int
    end: int
    norm: str
    keys: list[str]
    starts: list[int]
    ends: list[int]
    heading: bool


@dataclass
class _Unit:
    start: int
    norm: str
    starts: list[int]
    ends: list[int]


# ---------------------------------------------------------------- entry points
def previous_report(corpus, report_id: int) -> int | None:
    """The id of the same unit's report for the nearest earlier year, or None."""
    from fazhi.corpus.copies import Subject

    found = corpus.rows(("id", "unit_key", "issuer", "report_year"), id=report_id)
    if not found or found[0]["report_year"] is None:
        return None
    me = found[0]
    mine = Subject(me["unit_key"], me["report_year"], None, issuer=me["issuer"])
    candidates = corpus.rows(("id", "unit_key", "issuer", "report_year"), unit_key=me["unit_key"])
    if me["issuer"]:  # the same full issuer name under a drifted key (see Subject.same_unit)
        candidates += [r for r in corpus.rows(("id", "unit_key", "issuer", "report_year"), issuer=me["issuer"])
                       if r["unit_key"] != me["unit_key"] and mine.same_unit(r)]
    earlier = [r for r in candidates if r["report_year"] is not None and r["report_year"] < me["report_year"]]
    return max(earlier, key=lambda r: (r["report_year"], r["id"]))["id"] if earlier else None


def year_over_year(corpus, report_id: int, previous_id: int | None = None, *,
                   copies: list[dict] | None = None) -> YoyDiff | None:
    """The diff of a stored report against the same unit's previous report (or `previous_id`).

    None when no previous report is found. KeyError for an id not in the corpus. `copies`
    (copies.match_stored for this report) only serve to leave template passages out of the
    ratio, as copy_ratios does."""
    if previous_id is None:
        previous_id = previous_report(corpus, report_id)
        if previous_id is None:
            if corpus.get(report_id) is None:
                raise KeyError(report_id)
            return None
    if previous_id == report_id:
        raise ValueError("不能与报告自身对比")
    this, prev = corpus.get(report_id), corpus.get(previous_id)
    for rid, row in ((report_id, this), (previous_id, prev)):
        if row is None:
            raise KeyError(rid)
    template = [(c["start"], c["end"]) for c in copies or () if c.get("kind") == "template"]
    return diff_rows(this, prev, stored_units(corpus, report_id), stored_units(corpus, previous_id),
                     corpus.params, template)


def stored_units(corpus, report_id: int) -> list[_Unit]:
    """The fingerprinted units (paragraphs and sentences) stored for a report, normalised."""
    from sqlalchemy import select

    from fazhi.corpus.fingerprint import normalize
    from fazhi.corpus.models import ParagraphRow

    q = (select(ParagraphRow.start, ParagraphRow.content).where(ParagraphRow.report_id == report_id)
         .order_by(ParagraphRow.level, ParagraphRow.seq))
    with corpus.engine.connect() as conn:
        return [_Unit(s, *normalize(content, s)) for s, content in conn.execute(q)]


def diff_rows(this: dict, prev: dict, this_units: list[_Unit], prev_units: list[_Unit],
              params, template: list[tuple[int, int]] = ()) -> YoyDiff:
    """The diff of two stored report rows (Corpus.get) and their stored units."""
    from fazhi.corpus.copies import _covered, _length, _minus

    a, b = side_of(prev), side_of(this)
    old, new = _lines(prev), _lines(this)
    pairs = _pair(new, old, params.min_chars)
    covered = _covered(_recycled(this_units, prev_units, new, old, pairs, params))
    body_chars = this.get("body_chars") or (b.body_end - b.body_start)
    kept = _minus(covered, _covered(list(template)))
    recycled_chars = _length(kept)
    rows = _layout(new, old, pairs, a.text, b.text, covered)
    ratio = round(recycled_chars / body_chars, 4) if body_chars > 0 else 0.0
    return YoyDiff(b, a, rows, ratio, recycled_chars, this["unit_key"] == prev["unit_key"],
                   _covered(list(template)))


# ---------------------------------------------------------------- lines and pairing
def side_of(row: dict) -> Side:
    body = (row.get("analysis") or {}).get("body") or {"start": 0, "end": len(row["text"])}
    return Side(row["id"], row["unit_key"], row.get("issuer"), row.get("title"), row.get("report_year"),
                row.get("path") or "", body["start"], body["end"], row["text"])


def _lines(row: dict) -> list[_Line]:
    """The body's non-empty lines, normalised; heading-only lines flagged."""
    from fazhi.corpus.fingerprint import NUMBER, normalize
    from fazhi.corpus.fingerprint import _lines as raw_lines
    from fazhi.text.view import make_view

    text = row["text"]
    view = make_view(text)
    side = side_of(row)
    heads = {h["start"]: (h.get("title_end") or h["end"]) for h in (row.get("analysis") or {}).get("outline") or []}
    out = []
    for s, e in raw_lines(view, side.body_start, side.body_end):
        norm, starts, ends = normalize(view[s:e], s)
        if not norm:
            continue
        keys = [("#" + "".join(view[starts[i]:ends[i]].split())) if ch == NUMBER else ch
                for i, ch in enumerate(norm)]
        heading = s in heads and not normalize(view[heads[s]:e])[0]
        out.append(_Line(s, e, norm, keys, starts, ends, heading))
    return out


def _pair(new: list[_Line], old: list[_Line], min_chars: int) -> dict[int, tuple[int, float]]:
    """new line index -> (old line index, similarity): one-to-one, best first."""
    import numpy as np
    from rapidfuzz.fuzz import ratio
    from rapidfuzz.process import cdist

    if not new or not old:
        return {}
    m = cdist([ln.norm for ln in new], [ln.norm for ln in old], scorer=ratio,
              score_cutoff=PAIR_MIN * 100, dtype=np.float32)
    cand = []
    for i, j in zip(*np.nonzero(m)):
        score = float(m[i, j]) / 100
        short = min(len(new[i].norm), len(old[j].norm)) < min_chars
        if short and score < SHORT_PAIR_MIN:
            continue
        drift = abs(i / len(new) - j / len(old))
        cand.append((-score, drift, int(i), int(j)))
    cand.sort()
    out: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for neg, _d, i, j in cand:
        if i not in out and j not in used:
            out[i] = (j, -neg)
            used.add(j)
    return out


def _in_order(pairs: dict[int, tuple[int, float]]) -> set[int]:
    """New indices of the longest run of pairs whose old indices increase (the rest moved)."""
    items = sorted((i, j) for i, (j, _s) in pairs.items())
    tails: list[int] = []  # old index at the end of the best chain of each length
    tail_at: list[int] = []  # position in items of that end
    back = [-1] * len(items)
    for k, (_i, j) in enumerate(items):
        p = bisect_right(tails, j)
        if p == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[p], tail_at[p] = j, k
        back[k] = tail_at[p - 1] if p else -1
    keep: set[int] = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        keep.add(items[k][0])
        k = back[k]
    return keep


# ---------------------------------------------------------------- character-level changes
def _changes(a: _Line, b: _Line, old_text: str, new_text: str) -> list[Change]:
    from difflib import SequenceMatcher

    if a.keys == b.keys:
        return []
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a.keys, b.keys, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        os_, oe = _span(a, i1, i2)
        ns, ne = _span(b, j1, j2)
        number = tag == "replace" and all(k.startswith("#") for k in a.keys[i1:i2] + b.keys[j1:j2])
        out.append(Change(tag, os_, oe, ns, ne, old_text[os_:oe], new_text[ns:ne], number))
    return out


def _span(ln: _Line, i: int, j: int) -> tuple[int, int]:
    """Text span of tokens i..j of a line; an empty range is the point after token i-1."""
    if i < j:
        return ln.starts[i], ln.ends[j - 1]
    p = ln.ends[i - 1] if i > 0 else ln.starts[0]
    return p, p


# ---------------------------------------------------------------- recycled characters
def _recycled(this_units: list[_Unit], prev_units: list[_Unit], new: list[_Line], old: list[_Line],
              pairs: dict[int, tuple[int, float]], params) -> list[tuple[int, int]]:
    """Spans of this year's units verified against a unit of last year (as copies.match_units)."""
    from fazhi.corpus.copies import MIN_SIMILARITY, verify
    from fazhi.corpus.fingerprint import shingles

    new_starts = [ln.start for ln in new]
    old_by_line: dict[int, list[int]] = defaultdict(list)
    old_starts = [ln.start for ln in old]
    for k, u in enumerate(prev_units):
        old_by_line[bisect_right(old_starts, u.start) - 1].append(k)
    index: dict[str, set[int]] = defaultdict(set)
    for k, u in enumerate(prev_units):
        for g in shingles(u.norm, PREFILTER_NGRAM):
            index[g].add(k)
    spans: list[tuple[int, int]] = []

    def inside(s: int, e: int) -> bool:
        return any(a <= s and e <= b for a, b in spans)

    for u in this_units:
        if not u.norm or inside(u.starts[0], u.ends[-1]):
            continue
        li = bisect_right(new_starts, u.start) - 1
        first = old_by_line.get(pairs[li][0], []) if li in pairs else []
        grams = set(shingles(u.norm, PREFILTER_NGRAM))
        hits = Counter(k for g in grams for k in index.get(g, ()))
        rest = [k for k, n in hits.most_common(8) if n >= PREFILTER * len(grams) and k not in first]
        best = None
        for k in [*first, *rest]:
            v = verify(u.norm, prev_units[k].norm, MIN_SIMILARITY, params.min_chars)
            if v and (best is None or (v[0], v[2] - v[1]) > (best[0], best[2] - best[1])):
                best = v
                if v[0] == 1.0 and v[2] - v[1] == len(u.norm):
                    break
        if best:
            spans.append((u.starts[best[1]], u.ends[best[2] - 1]))
    return spans


# ---------------------------------------------------------------- rows
def _layout(new: list[_Line], old: list[_Line], pairs: dict[int, tuple[int, float]], old_text: str,
            new_text: str, covered: list[tuple[int, int]]) -> list[ParagraphDiff]:
    """Rows in this year's order; a removed line follows the row of the old line before it."""
    ordered = _in_order(pairs)
    partner = {j: i for i, (j, _s) in pairs.items()}
    after: dict[int, list[int]] = defaultdict(list)  # new index (-1: top) -> removed old indices
    last = -1
    for j in range(len(old)):
        if j in partner:
            last = partner[j]
        else:
            after[last].append(j)
    rows = [_removed(old[j]) for j in after[-1]]
    for i, ln in enumerate(new):
        rec = [(max(s, ln.start), min(e, ln.end)) for s, e in covered if s < ln.end and e > ln.start]
        if i in pairs:
            j, sim = pairs[i]
            o = old[j]
            status = "same" if o.norm == ln.norm else "changed"
            rows.append(ParagraphDiff(status, ln.start, ln.end, o.start, o.end, round(sim, 3),
                                      ln.heading, i not in ordered, _changes(o, ln, old_text, new_text), rec))
        else:
            rows.append(ParagraphDiff("new", ln.start, ln.end, None, None, 0.0, ln.heading, recycled=rec))
        rows.extend(_removed(old[j]) for j in after[i])
    return rows


def _removed(ln: _Line) -> ParagraphDiff:
    return ParagraphDiff("removed", None, None, ln.start, ln.end, 0.0, ln.heading)
