"""Finding the passages of one report that stand in other reports, with work and memory bounded
linearly in the report's length whatever its content (fazhi.corpus.copies classifies them).

A report made of one paragraph pasted 10,000 times, or of 10,000 near-identical lines, must not
make the matcher compare every unit with every other one. So:
- repeated units are collapsed: a unit standing several times in its report is indexed and
  matched once; the result is reported at each of its places when it stands at most MAX_REPEATS
  times, else at its first place only (the other places are skipped: they prove nothing more);
- a band key is indexed (and looked up) for at most MAX_BAND_UNITS units of one report;
- at most MAX_BAND_ROWS stored rows are read per band key (the newest reports first), and at most
  MAX_CANDIDATES other units (those sharing the most band keys) are verified per unit;
- a unit longer than MAX_UNIT_CHARS normalised characters (a run-on "sentence" without stops) is
  neither indexed nor verified;
- verification is cached per pair of distinct normalised texts.
The same `index_plan` decides what `Corpus.add` indexes and what a query looks up.
"""
from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from functools import lru_cache
from typing import TYPE_CHECKING

from fazhi.corpus.fingerprint import Unit, normalize

if TYPE_CHECKING:
    from fazhi.corpus.copies import Match, Subject

MAX_REPEATS = 3
MAX_BAND_UNITS = 4
MAX_BAND_ROWS = 200  # rows read per band key, the newest first
MAX_CANDIDATES = 30
MAX_UNIT_CHARS = 4000
_CHUNK = 500

Plan = list[tuple[tuple[int, int], ...]]  # per unit: the (band index, band key) pairs it is indexed by


def chunks(seq: list, n: int = _CHUNK):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def index_plan(units: list[Unit]) -> Plan:
    """The (band, key) pairs each unit is indexed and looked up by; () for a unit left out (see
    the module docstring): too long, a repeat of an earlier identical unit, or past
    MAX_BAND_UNITS units on every one of its keys."""
    seen: set[int] = set()
    indexed = []
    for u in units:
        indexed.append(len(u.norm) <= MAX_UNIT_CHARS and u.text_hash not in seen)
        seen.add(u.text_hash)
    uses = Counter(key for u, ok in zip(units, indexed) if ok for key in u.bands)
    if max(uses.values(), default=0) <= MAX_BAND_UNITS:  # the usual case: no key reaches the cap
        return [tuple(enumerate(u.bands)) if ok else () for u, ok in zip(units, indexed)]
    seen.clear()
    per_key: dict[int, int] = {}
    plan: Plan = []
    for u in units:
        if len(u.norm) > MAX_UNIT_CHARS or u.text_hash in seen:
            plan.append(())
            continue
        seen.add(u.text_hash)
        keys = []
        for band, key in enumerate(u.bands):  # (band, key) pairs of a unit are distinct: the band is one
            n = per_key.get(key, 0)
            if n < MAX_BAND_UNITS:
                per_key[key] = n + 1
                keys.append((band, key))
        plan.append(tuple(keys))
    return plan


def repeats(units: list[Unit]) -> dict[int, list[int]]:
    """First occurrence → the places its matches are reported at: every occurrence of a unit
    standing 2..MAX_REPEATS times, the first one only of a unit standing more often."""
    where: dict[int, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        where[u.text_hash].append(i)
    return {idx[0]: (idx if len(idx) <= MAX_REPEATS else idx[:1]) for idx in where.values() if len(idx) > 1}


Cands = dict[int, list[tuple[int, int, int]]]  # unit index → [(paragraph id, report id, shared keys)], best first


def _rank(kv: tuple[int, tuple[int, int]]) -> tuple[int, int]:
    pid, (_rid, n) = kv
    return n, pid  # most shared keys first, then the newest paragraph


def candidates(conn, plan: Plan, exclude_id: int | None, only: Collection[int] | None = None,
               below: int | None = None, keep: Callable[[int], bool] | None = None) -> Cands:
    """Unit index → up to MAX_CANDIDATES (paragraph id, report id, shared keys) of other reports
    sharing band keys with it, most shared keys first (then the newest). `only` / `below` / `keep`
    restrict the other reports, before the best are chosen.

    Each key yields its MAX_BAND_ROWS newest rows (fazhi.corpus.bandindex.lookup), read from the
    paragraphs of `only` (ids from the lowest of their first paragraph ids up) or of the reports
    stored before `below` (ids below its first paragraph id: reindex writes reports in id order)."""
    from fazhi.corpus import bandindex

    if only is not None and not only:
        return {}
    by_key: dict[int, list[int]] = defaultdict(list)
    for i, keys in enumerate(plan):
        for _band, key in keys:
            by_key[key].append(i)
    lo = hi = None
    if only is not None and len(only) <= _CHUNK:  # a few reports (finish): read only their rows
        lo = min(bandindex.first_paragraph_ids(conn, only).values(), default=None)
        if lo is None:
            return {}
    if below is not None:
        hi = bandindex.first_paragraph_ids(conn, [below]).get(below)
    found_pids: dict[int, list[int]] = defaultdict(list)
    for key, pid in bandindex.lookup(conn, list(by_key), min_pid=lo, max_pid=hi, limit=MAX_BAND_ROWS):
        found_pids[pid].append(key)
    report_of = bandindex.report_of(conn, found_pids)
    hits: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for pid, keys in found_pids.items():
        rid = report_of.get(pid)
        if rid is None or rid == exclude_id or (only is not None and rid not in only) or (
                below is not None and rid >= below) or (keep is not None and not keep(rid)):
            continue
        for key in keys:
            for i in by_key[key]:
                n = hits[i].get(pid, (rid, 0))[1]
                hits[i][pid] = (rid, n + 1)
    return {i: [(pid, rid, n) for pid, (rid, n) in heapq.nlargest(MAX_CANDIDATES, found.items(), key=_rank)]
            for i, found in hits.items()}


def merge(a: Cands, b: Cands) -> Cands:
    """The best MAX_CANDIDATES per unit of two candidate sets (as if found in one lookup)."""
    out: Cands = {}
    for i in a.keys() | b.keys():
        both = {pid: (rid, n) for pid, rid, n in (*a.get(i, ()), *b.get(i, ()))}
        out[i] = [(pid, rid, n) for pid, (rid, n) in heapq.nlargest(MAX_CANDIDATES, both.items(), key=_rank)]
    return out


def paragraphs(conn, pids: list[int]) -> dict[int, tuple[str, list[int], list[int], int, int]]:
    """Paragraph id → (normalised text, start and end offsets in its report, seq, text hash)."""
    from sqlalchemy import select

    from fazhi.corpus.models import ParagraphRow

    out = {}
    cols = (ParagraphRow.id, ParagraphRow.start, ParagraphRow.content, ParagraphRow.seq, ParagraphRow.text_hash)
    for part in chunks(pids):
        for pid, start, content, seq, th in conn.execute(select(*cols).where(ParagraphRow.id.in_(part))):
            norm, starts, ends = normalized(content)
            out[pid] = (norm, [start + i for i in starts], [start + i for i in ends], seq, th)
    return out


@lru_cache(maxsize=20_000)
def normalized(content: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """normalize(content) remembered: the same passages (stock sentences, a much-copied paragraph)
    are candidates of report after report."""
    norm, starts, ends = normalize(content)
    return norm, tuple(starts), tuple(ends)


def report_rows(conn, rids: list[int], columns: tuple[str, ...]) -> dict[int, dict]:
    from sqlalchemy import select

    from fazhi.corpus.models import ReportRow

    out = {}
    for part in chunks(rids):
        q = select(*(getattr(ReportRow, c) for c in columns)).where(ReportRow.id.in_(part))
        out.update({r.id: dict(r._mapping) for r in conn.execute(q)})
    return out


def find_matches(conn, units: list[Unit], subject: "Subject", min_chars: int, *, plan: Plan | None = None,
                 only: Collection[int] | None = None, below: int | None = None,
                 min_similarity: float | None = None) -> tuple[list["Match"], dict[int, dict]]:
    """Verified matches of `units` in other stored reports (bounded, see the module docstring) and
    the rows of the reports they are in."""
    plan = index_plan(units) if plan is None else plan
    cands = candidates(conn, plan, subject.report_id, only, below)
    return verify_candidates(conn, units, cands, subject, min_chars, min_similarity)


def verify_candidates(conn, units: list[Unit], cands: Cands, subject: "Subject", min_chars: int,
                      min_similarity: float | None = None, recent=None) -> tuple[list["Match"], dict[int, dict]]:
    """The candidates that pass the exact measure (copies.verify), as Matches at every place
    their unit stands (see `repeats`), and the rows of the reports they are in. `recent` (a
    fazhi.corpus.recent.RecentIndex) serves the paragraphs and rows it holds without SQL."""
    from fazhi.corpus.copies import MIN_SIMILARITY, REPORT_COLS, Match, verify

    min_similarity = MIN_SIMILARITY if min_similarity is None else min_similarity
    pids = {pid for found in cands.values() for pid, _, _ in found}
    rids = {rid for found in cands.values() for _, rid, _ in found}
    paras = recent.paragraphs(pids) if recent is not None else {}
    reports = recent.rows(rids) if recent is not None else {}
    paras.update(paragraphs(conn, sorted(pids - paras.keys())))
    reports.update(report_rows(conn, sorted(rids - reports.keys()), REPORT_COLS))
    if subject.sha256:
        reports = {k: v for k, v in reports.items() if v["sha256"] != subject.sha256}
    occurrences = repeats(units)
    verified: dict[tuple[int, int], tuple | None] = {}
    matches: list[Match] = []
    for qi in sorted(cands):
        u = units[qi]
        for pid, rid, _n in cands[qi]:
            if pid not in paras or rid not in reports:
                continue
            onorm, ostarts, oends, oseq, ohash = paras[pid]
            key = (u.text_hash, ohash)
            if key not in verified:
                verified[key] = (verify(u.norm, onorm, min_similarity, min_chars)
                                 if len(onorm) <= MAX_UNIT_CHARS else None)
            v = verified[key]
            if v is None:
                continue
            sim, qa, qb, oa, ob = v
            for j in occurrences.get(qi, (qi,)):
                matches.append(Match(j, units[j].span_of(qa, qb), (ostarts[oa], oends[ob - 1]), sim, rid, oseq,
                                     pid, qi))
    return matches, reports
