"""Copy detection: which passages of a report also stand in other reports of a corpus.

For each unit (paragraph / sentence, see fingerprint.py) of the report, the units of other
reports sharing an LSH band key are fetched from the database (bounded whatever the report's
content: fazhi.corpus.candidates), then verified on the normalised strings with rapidfuzz: `fuzz.ratio` for whole units, else
`fuzz.partial_ratio_alignment` (the shorter unit against the best window of the longer one),
which also gives the aligned sub-span on both sides. A verified match has similarity >=
MIN_SIMILARITY and covers >= Params.min_chars normalised characters.

Each match is one of three kinds:
- "template": the passage stands in reports of many units, i.e. (counting this report)
  at least TEMPLATE_MIN_UNITS distinct units AND either at least TEMPLATE_MIN_SHARE of the
  corpus' reports or at least TEMPLATE_MANY_UNITS distinct units. Stock formulations and
  texts handed down by a higher level; reported once per passage with counts, and left out
  of the copying and recycling ratios.
- "recycling": the same unit's report (same administrative division or issuer, any year;
  `direction` says whether the other report covers an earlier or later year).
- "copying": another unit's report; `first` says which was published first when known.
  A report submitted through the yearly cycle belongs to the unit that submitted it, whatever
  issuer its text names (Subject.same_unit).

A stored report's verified matches are computed once, when it is stored, and kept in the
database in both directions (fazhi.corpus.matchstore); `match_stored` only reads and classifies
them, so a page view never matches anything.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fazhi.corpus.fingerprint import Unit

MIN_SIMILARITY = 0.8
TEMPLATE_MIN_UNITS = 3
TEMPLATE_MIN_SHARE = 0.2
TEMPLATE_MANY_UNITS = 10
SAME_ISSUER_MIN_CHARS = 6  # a bare "司法局" names no unit; "东莞市司法局桥头分局" does
REPORT_COLS = ("id", "sha256", "path", "issuer", "unit_key", "report_year", "sign_date", "publish_date",
               "unit_id")


@dataclass(frozen=True)
class Subject:
    """What the matcher needs to know of the report being checked."""

    unit_key: str
    year: int | None
    date: str | None  # publish_date or sign_date, YYYY-MM-DD
    sha256: str | None = None
    report_id: int | None = None  # when the report itself is stored
    issuer: str | None = None  # as signed; a same-named issuer is the same unit whatever its key

    owner: int | None = None  # the unit that submitted it (fazhi.cycle), when it was submitted

    def same_unit(self, other: dict) -> bool:
        """Whether a stored report (row with unit_key, issuer, unit_id) is this unit's own: the same
        submitting unit, the same unit key, or — when neither was submitted through the cycle — the
        same full issuer name (a unit whose level was read differently one year gets another key,
        and its earlier text must still count as recycling, not copying). A submitted report's
        issuer is only what its text claims, so it never decides."""
        from fazhi.corpus.store import issuer_key

        if self.owner is not None and self.owner == other.get("unit_id"):
            return True
        if other.get("unit_key") == self.unit_key:
            return True
        if self.owner is not None or other.get("unit_id") is not None:
            return False
        mine = issuer_key(self.issuer)
        return len(mine) >= SAME_ISSUER_MIN_CHARS and issuer_key(other.get("issuer")) == mine


@dataclass
class Match:
    qi: int  # index of the query unit
    q: tuple[int, int]  # span in the query report text
    o: tuple[int, int]  # span in the other report text
    similarity: float
    report_id: int
    o_seq: int = -1  # the other report's unit (paragraphs.seq)
    o_pid: int = -1  # ... its paragraphs.id
    src: int = -1  # the query unit that was matched (qi is this one or a repeat of it)


def verify(q: str, o: str, min_similarity: float = MIN_SIMILARITY, min_chars: int = 12):
    """(similarity, q_from, q_to, o_from, o_to) on normalised strings, or None below the bar.

    Most candidates fail (of 578,658 text pairs a links run on 10,000 synthetic reports verified,
    17,257 passed), and the partial alignment is the dear part; their longest common subsequence
    (bit-parallel, ~1.4 µs) rules out most of them first and exactly: with c common chars and n
    the shorter length, both the ratio, 200c / (len q + len o), and the partial ratio against any
    window w, 200 LCS(shorter, w) / (n + len w) with LCS(shorter, w) <= min(c, len w), are at
    most 200c / (n + c)."""
    from rapidfuzz.distance.LCSseq import similarity as common_chars
    from rapidfuzz.fuzz import partial_ratio_alignment, ratio

    n = min(len(q), len(o))
    if n < min_chars:
        return None
    cutoff = min_similarity * 100
    c = common_chars(q, o)
    if 200 * c < cutoff * (n + c) - 1e-6:
        return None
    r = ratio(q, o, score_cutoff=cutoff)
    if r:
        return r / 100, 0, len(q), 0, len(o)
    if len(q) <= len(o):
        al = partial_ratio_alignment(q, o, score_cutoff=cutoff)
        if al and al.src_end - al.src_start >= min_chars:
            return al.score / 100, al.src_start, al.src_end, al.dest_start, al.dest_end
    else:
        al = partial_ratio_alignment(o, q, score_cutoff=cutoff)
        if al and al.src_end - al.src_start >= min_chars:
            return al.score / 100, al.dest_start, al.dest_end, al.src_start, al.src_end
    return None


def match_units(corpus, units: list[Unit], subject: Subject,
                min_similarity: float = MIN_SIMILARITY) -> list[dict[str, Any]]:
    """Every verified passage of `units` found in other reports of `corpus`, classified."""
    matches, reports, n_reports = verified_matches(corpus, units, subject, min_similarity)
    return classify(matches, reports, subject, n_reports)


def verified_matches(corpus, units: list[Unit], subject: Subject, min_similarity: float = MIN_SIMILARITY
                     ) -> tuple[list[Match], dict[int, dict], int]:
    """Verified unit matches (not yet classified, bounded: fazhi.corpus.candidates), the other
    reports' rows, and the corpus size (counting the subject)."""
    from sqlalchemy import func, select

    from fazhi.corpus.candidates import find_matches
    from fazhi.corpus.models import ReportRow

    with corpus.engine.connect() as conn:
        matches, reports = find_matches(conn, units, subject, corpus.params.min_chars,
                                        min_similarity=min_similarity)
        n_reports = conn.execute(select(func.count()).select_from(ReportRow)).scalar_one()
    if subject.report_id is None:
        n_reports += 1  # the subject itself
    return matches, reports, n_reports


def is_template(n_units: int, n_reports: int, corpus_size: int) -> bool:
    """The template threshold (see the module docstring); counts include the subject."""
    if n_units < TEMPLATE_MIN_UNITS:
        return False
    return n_reports >= TEMPLATE_MIN_SHARE * corpus_size or n_units >= TEMPLATE_MANY_UNITS


def classify(matches: list[Match], reports: dict[int, dict], subject: Subject,
             corpus_size: int, report_counts: dict[int, int] | None = None) -> list[dict[str, Any]]:
    """Contract `copies` entries from verified matches: template / recycling / copying.
    `report_counts` (unit → other reports sharing it) when more matched than were loaded."""
    by_unit: dict[int, list[Match]] = defaultdict(list)
    for m in matches:
        by_unit[m.qi].append(m)
    out: list[dict[str, Any]] = []
    for qi, ms in by_unit.items():
        units = {reports[m.report_id]["unit_key"] for m in ms} | {subject.unit_key}
        rids = {m.report_id for m in ms}
        n_other = max(len(rids), (report_counts or {}).get(qi, 0))
        if is_template(len(units), n_other + 1, corpus_size):
            best = max(ms, key=lambda m: (m.q[1] - m.q[0], m.similarity))
            first = min(ms, key=lambda m: (_date(reports[m.report_id]) or "9999", m.report_id))
            e = _entry(best, reports[first.report_id], subject, "template")
            e["other"]["start"], e["other"]["end"] = first.o
            e.update(reports=n_other + 1, units=len(units))
            out.append(e)
            continue
        best_per_report: dict[int, Match] = {}
        for m in ms:
            b = best_per_report.get(m.report_id)
            if b is None or (m.similarity, m.q[1] - m.q[0]) > (b.similarity, b.q[1] - b.q[0]):
                best_per_report[m.report_id] = m
        for m in best_per_report.values():
            other = reports[m.report_id]
            kind = "recycling" if subject.same_unit(other) else "copying"
            out.append(_entry(m, other, subject, kind))
    return _dedupe(out)


def _entry(m: Match, other: dict, subject: Subject, kind: str) -> dict[str, Any]:
    oy = other.get("report_year")
    return {
        "start": m.q[0], "end": m.q[1], "similarity": round(m.similarity, 3), "kind": kind,
        "other": {"id": other["id"], "path": other["path"], "start": m.o[0], "end": m.o[1],
                  "issuer": other.get("issuer"), "year": oy, "unit": other.get("unit_key")},
        "direction": _direction(subject.year, oy),
        "first": _first(subject, other),
    }


def _date(row: dict) -> str | None:
    return row.get("publish_date") or row.get("sign_date")


def _direction(this: int | None, other: int | None) -> str | None:
    """Whether the other report covers an earlier, the same or a later year."""
    if this is None or other is None:
        return None
    return "earlier" if other < this else "later" if other > this else "same"


def _first(subject: Subject, other: dict) -> str | None:
    """Which report was published first: "this", "other", "same", or None when unknown."""
    a, b = subject.date, _date(other)
    if a and b:
        return "this" if a < b else "other" if b < a else "same"
    ya, yb = subject.year, other.get("report_year")
    if ya is not None and yb is not None and ya != yb:
        return "this" if ya < yb else "other"
    return None


def _dedupe(entries: list[dict]) -> list[dict]:
    """Drop an entry whose span lies inside another kept entry of the same kind and other report."""
    kept: list[dict] = []
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for e in sorted(entries, key=lambda e: (-(e["end"] - e["start"]), -e["similarity"], e["start"])):
        key = (e["kind"], None if e["kind"] == "template" else e["other"]["id"])
        if any(k["start"] <= e["start"] and e["end"] <= k["end"] for k in groups[key]):
            continue
        groups[key].append(e)
        kept.append(e)
    return sorted(kept, key=lambda e: (e["start"], e["end"], e["kind"], e["other"]["path"]))


def _covered(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _length(spans: list[tuple[int, int]]) -> int:
    return sum(b - a for a, b in spans)


def _minus(spans: list[tuple[int, int]], cut: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        pieces = [(a, b)]
        for c, d in cut:
            pieces = [p for x, y in pieces for p in ((x, min(y, c)), (max(x, d), y)) if p[0] < p[1]]
        out.extend(pieces)
    return out


def copy_ratios(copies: list[dict], body_chars: int) -> dict[str, float]:
    """Shares of the body's characters covered by recycled text (the same unit's earlier
    reports), copied text (other units, templates left out) and template text."""
    if body_chars <= 0:
        return {"recycling": 0.0, "copying": 0.0, "template": 0.0}
    template = _covered([(c["start"], c["end"]) for c in copies if c["kind"] == "template"])
    recyc = _covered([(c["start"], c["end"]) for c in copies
                      if c["kind"] == "recycling" and c.get("direction") == "earlier"])
    copying = _covered([(c["start"], c["end"]) for c in copies if c["kind"] == "copying"])
    return {
        "recycling": round(_length(_minus(recyc, template)) / body_chars, 4),
        "copying": round(_length(_minus(copying, template)) / body_chars, 4),
        "template": round(_length(template) / body_chars, 4),
    }


def subject_of(report, report_id: int | None = None) -> Subject:
    """The Subject for an analysed Report."""
    from fazhi.corpus.store import unit_key

    meta = report.metadata
    d = {"place": vars(meta.place), "level": meta.level, "issuer": meta.issuer}
    return Subject(unit_key(d) or f"sha:{report.source.sha256[:16]}", meta.report_year,
                   meta.publish_date or meta.sign_date, report.source.sha256, report_id, meta.issuer)


def stored_subject(row: dict) -> Subject:
    """The Subject of a stored report row (columns of REPORT_COLS)."""
    return Subject(row["unit_key"], row["report_year"], row["publish_date"] or row["sign_date"], row["sha256"],
                   row["id"], row["issuer"], row.get("unit_id"))


def match_report(corpus, report) -> list[dict[str, Any]]:
    """Copies of an analysed Report against a corpus (the report itself, if stored, is skipped)."""
    from fazhi.corpus.fingerprint import report_units

    rid = corpus.find_report(report)  # stored as these bytes, or in another format (same text key)
    return match_units(corpus, report_units(report, corpus.params), subject_of(report, rid))


def match_stored(corpus, report_id: int, *, compute_missing: bool = True) -> list[dict[str, Any]]:
    """Copies of a stored report against the rest of its corpus: read from the matches stored when
    it (or the other report) was added — nothing is matched here, except once for reports stored
    before copies were kept (Corpus.ensure_copies; with compute_missing=False such a report has
    none yet: a page view never matches)."""
    from fazhi.corpus.matchstore import stored_matches

    with corpus.engine.connect() as conn:
        got = stored_matches(conn, report_id)
    if got is not None and got[0]["copies_at"] is None and compute_missing:
        corpus.ensure_copies()
        with corpus.engine.connect() as conn:
            got = stored_matches(conn, report_id)
    if got is None:
        raise KeyError(report_id)
    row, matches, reports, n_reports, counts = got
    return classify(matches, reports, stored_subject(row), n_reports, counts)
