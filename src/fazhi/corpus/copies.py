"""Copy detection: which passages of a report also stand in other reports of a corpus.

For each unit (paragraph / sentence, see fingerprint.py) of the report, the units of other
reports sharing an LSH band key are fetched from the database, then verified on the
normalised strings with rapidfuzz: `fuzz.ratio` for whole units, else
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
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fazhi.corpus.fingerprint import Unit, normalize

MIN_SIMILARITY = 0.8
TEMPLATE_MIN_UNITS = 3
TEMPLATE_MIN_SHARE = 0.2
TEMPLATE_MANY_UNITS = 10
_CHUNK = 500
SAME_ISSUER_MIN_CHARS = 6  # a bare "司法局" names no unit; "东莞市司法局桥头分局" does
_REPORT_COLS = ("id", "sha256", "path", "issuer", "unit_key", "report_year", "sign_date", "publish_date")


@dataclass(frozen=True)
class Subject:
    """What the matcher needs to know of the report being checked."""

    unit_key: str
    year: int | None
    date: str | None  # publish_date or sign_date, YYYY-MM-DD
    sha256: str | None = None
    report_id: int | None = None  # when the report itself is stored
    issuer: str | None = None  # as signed; a same-named issuer is the same unit whatever its key

    def same_unit(self, other: dict) -> bool:
        """Whether a stored report (row with unit_key, issuer) is this unit's own: the same unit key,
        or the same full issuer name (a unit whose level was read differently one year gets another
        key, and its earlier text must still count as recycling, not copying)."""
        from fazhi.corpus.store import issuer_key

        if other.get("unit_key") == self.unit_key:
            return True
        mine = issuer_key(self.issuer)
        return len(mine) >= SAME_ISSUER_MIN_CHARS and issuer_key(other.get("issuer")) == mine


@dataclass
class Match:
    qi: int  # index of the query unit
    q: tuple[int, int]  # span in the query report text
    o: tuple[int, int]  # span in the other report text
    similarity: float
    report_id: int


def verify(q: str, o: str, min_similarity: float = MIN_SIMILARITY, min_chars: int = 12):
    """(similarity, q_from, q_to, o_from, o_to) on normalised strings, or None below the bar."""
    from rapidfuzz.fuzz import partial_ratio_alignment, ratio

    if min(len(q), len(o)) < min_chars:
        return None
    cutoff = min_similarity * 100
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


def _chunks(seq: list, n: int = _CHUNK):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def candidates(conn, units: list[Unit], exclude_id: int | None) -> set[tuple[int, int, int]]:
    """(query unit index, paragraph id, report id) sharing at least one band key."""
    from sqlalchemy import select

    from fazhi.corpus.models import BandRow

    by_hash: dict[int, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        for h in u.bands:
            by_hash[h].append(i)
    out: set[tuple[int, int, int]] = set()
    for chunk in _chunks(list(by_hash)):
        q = select(BandRow.hash, BandRow.paragraph_id, BandRow.report_id).where(BandRow.hash.in_(chunk))
        for h, pid, rid in conn.execute(q):
            if rid != exclude_id:
                out.update((i, pid, rid) for i in by_hash[h])
    return out


def _paragraphs(conn, pids: list[int]) -> dict[int, tuple[str, list[int], list[int]]]:
    """Normalised text and offsets (in the other report) of the given paragraph ids."""
    from sqlalchemy import select

    from fazhi.corpus.models import ParagraphRow

    out = {}
    for chunk in _chunks(pids):
        q = select(ParagraphRow.id, ParagraphRow.start, ParagraphRow.content).where(ParagraphRow.id.in_(chunk))
        for pid, start, content in conn.execute(q):
            out[pid] = normalize(content, start)
    return out


def _reports(conn, rids: list[int]) -> dict[int, dict]:
    from sqlalchemy import select

    from fazhi.corpus.models import ReportRow

    out = {}
    for chunk in _chunks(rids):
        q = select(*(getattr(ReportRow, c) for c in _REPORT_COLS)).where(ReportRow.id.in_(chunk))
        out.update({r.id: dict(r._mapping) for r in conn.execute(q)})
    return out


def match_units(corpus, units: list[Unit], subject: Subject,
                min_similarity: float = MIN_SIMILARITY) -> list[dict[str, Any]]:
    """Every verified passage of `units` found in other reports of `corpus`, classified."""
    matches, reports, n_reports = verified_matches(corpus, units, subject, min_similarity)
    return classify(matches, reports, subject, n_reports)


def verified_matches(corpus, units: list[Unit], subject: Subject, min_similarity: float = MIN_SIMILARITY
                     ) -> tuple[list[Match], dict[int, dict], int]:
    """Verified unit matches (not yet classified), the other reports' rows, and the corpus size."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import ReportRow

    with corpus.engine.connect() as conn:
        cands = candidates(conn, units, subject.report_id)
        paras = _paragraphs(conn, sorted({pid for _, pid, _ in cands}))
        reports = _reports(conn, sorted({rid for _, _, rid in cands}))
        n_reports = conn.execute(select(func.count()).select_from(ReportRow)).scalar_one()
    if subject.sha256:
        reports = {k: v for k, v in reports.items() if v["sha256"] != subject.sha256}
    if subject.report_id is None:
        n_reports += 1  # the subject itself
    matches: list[Match] = []
    for qi, pid, rid in sorted(cands):
        if pid not in paras or rid not in reports:
            continue
        u = units[qi]
        onorm, ostarts, oends = paras[pid]
        v = verify(u.norm, onorm, min_similarity, corpus.params.min_chars)
        if v:
            sim, qa, qb, oa, ob = v
            matches.append(Match(qi, u.span_of(qa, qb), (ostarts[oa], oends[ob - 1]), sim, rid))
    return matches, reports, n_reports


def is_template(n_units: int, n_reports: int, corpus_size: int) -> bool:
    """The template threshold (see the module docstring); counts include the subject."""
    if n_units < TEMPLATE_MIN_UNITS:
        return False
    return n_reports >= TEMPLATE_MIN_SHARE * corpus_size or n_units >= TEMPLATE_MANY_UNITS


def classify(matches: list[Match], reports: dict[int, dict], subject: Subject,
             corpus_size: int) -> list[dict[str, Any]]:
    """Contract `copies` entries from verified matches: template / recycling / copying."""
    by_unit: dict[int, list[Match]] = defaultdict(list)
    for m in matches:
        by_unit[m.qi].append(m)
    out: list[dict[str, Any]] = []
    for qi, ms in by_unit.items():
        units = {reports[m.report_id]["unit_key"] for m in ms} | {subject.unit_key}
        rids = {m.report_id for m in ms}
        if is_template(len(units), len(rids) + 1, corpus_size):
            best = max(ms, key=lambda m: (m.q[1] - m.q[0], m.similarity))
            first = min(ms, key=lambda m: (_date(reports[m.report_id]) or "9999", m.report_id))
            e = _entry(best, reports[first.report_id], subject, "template")
            e["other"]["start"], e["other"]["end"] = first.o
            e.update(reports=len(rids) + 1, units=len(units))
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


def match_report(corpus, report) -> list[dict[str, Any]]:
    """Copies of an analysed Report against a corpus (the report itself, if stored, is skipped)."""
    from fazhi.corpus.fingerprint import report_units

    rid = corpus.find_report(report)  # stored as these bytes, or in another format (same text key)
    return match_units(corpus, report_units(report, corpus.params), subject_of(report, rid))


def match_stored(corpus, report_id: int) -> list[dict[str, Any]]:
    """Copies of a stored report against the rest of its corpus (from its stored analysis)."""
    from fazhi.corpus.fingerprint import dict_units

    row = corpus.get(report_id)
    if row is None:
        raise KeyError(report_id)
    units = dict_units({**row["analysis"], "text": row["text"]}, corpus.params)
    subject = Subject(row["unit_key"], row["report_year"], row["publish_date"] or row["sign_date"],
                      row["sha256"], report_id, row["issuer"])
    return match_units(corpus, units, subject)
