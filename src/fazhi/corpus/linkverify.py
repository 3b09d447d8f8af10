"""Step 3 of `corpus links` (fazhi.corpus.links): the chosen (new, old) paragraph pairs verified
exactly as the per-report path verifies them (`copies.verify` on the normalised strings), their
spans mapped back to the reports' text, repeats of a unit in its report expanded.

A links run verifies its pairs bucket by bucket (a worker process takes many buckets), and the
same paragraphs come back in bucket after bucket: a stock sentence is a candidate everywhere.
A `RunMemo` keeps, for one run, the paragraphs read (normalised string, content, place), the text
pairs verified and the spans of matches, bounded (~100 MB): on a 20,000-report corpus 61 % of the
paragraph reads of twelve buckets were repeats. It is keyed by the run (a token the run passes to
its tasks), never reused by another: ids of paragraphs deleted and written again (reindex) could
point at other text.
A match's span is mapped back to the text by `norm_span`, which walks the paragraph's runs and
builds no per-char offsets (building them for every matched paragraph was half of verifying).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fazhi.corpus.candidates import MAX_UNIT_CHARS

if TYPE_CHECKING:
    import numpy as np

# norm, content (str, or UTF-16-LE bytes as the store gives them), start, seq, text hash, report id
Para = tuple[str, Any, int, int, int, int]


class RunMemo:
    """What one links run has read and worked out, at most `limit` paragraphs, verified pairs of
    texts and spans of matches (the newest half kept when full)."""

    def __init__(self, limit: int = 100_000):
        self.limit = limit
        self._paras: dict[int, Para] = {}
        self.verified: dict[tuple[int, int], Any] = {}  # (text hash, text hash) → copies.verify's answer
        self._spans: dict[tuple[int, int, int], tuple[int, int]] = {}  # (paragraph id, i, j) → span
        self._norms: dict[int, str] = {}  # text hash → normalised string (stock paragraphs: one per text)

    def paragraphs(self, conn, pids: list[int]) -> dict[int, Para]:
        """Paragraph id → Para for those of `pids` that are stored."""
        known = self._paras
        out = {p: known[p] for p in pids if p in known}
        got = read_paragraphs(conn, [p for p in pids if p not in known], self._norms)
        out.update(got)
        known.update(got)
        _trim(known, self.limit)
        _trim(self._norms, self.limit)
        return out

    def span(self, pid: int, para: Para, i: int, j: int) -> tuple[int, int]:
        """Where norm[i:j] of paragraph `pid` lies in its report's text (a stock sentence matches
        the same way in bucket after bucket: remembered)."""
        key = (pid, i, j)
        v = self._spans.get(key)
        if v is None:
            from fazhi.corpus.fingerprint import norm_span
            from fazhi.corpus.norms import as_text

            v = self._spans[key] = norm_span(as_text(para[1]), para[2], i, j)
            _trim(self._spans, self.limit)
        return v


def _trim(d: dict, limit: int) -> None:
    """Keep the newest `limit` // 2 entries of `d` (insertion order) when it holds more than `limit`."""
    if len(d) > limit:
        for k in list(d)[:len(d) - limit // 2]:
            del d[k]


_MEMOS: dict[str, RunMemo] = {}


def memo_for(run: str | None) -> RunMemo:
    """The memo of run `run` in this process (a new one when the run changes); a fresh one for None."""
    if run is None:
        return RunMemo()
    if run not in _MEMOS:
        _MEMOS.clear()
        _MEMOS[run] = RunMemo()
    return _MEMOS[run]


def read_paragraphs(conn, pids: list[int], norms: dict[int, str] | None = None) -> dict[int, Para]:
    """Paragraph id → (norm, content, start, seq, text hash, report id), read through the driver's
    cursor (the ids are integers, written into the SQL), the content as stored (UTF-16-LE bytes,
    decoded only for the few paragraphs a match is mapped back to). `norms`: normalised strings
    by text hash (the hash of the normalised string) already made, added to; the others are made
    from the stored bytes 500 paragraphs at a time (fazhi.corpus.norms)."""
    from fazhi.corpus.norms import norm_texts, norm_utf16

    out: dict[int, Para] = {}
    norms = {} if norms is None else norms
    cur = conn.connection.dbapi_connection.cursor()
    try:
        for i in range(0, len(pids), 500):
            ids = ",".join(str(int(p)) for p in pids[i:i + 500])
            cur.execute(f'SELECT id, start, content, seq, text_hash, report_id FROM paragraphs WHERE id IN ({ids})')
            rows = cur.fetchall()
            todo = {row[4]: row[2] for row in rows if row[4] not in norms}
            if todo:
                raw = list(todo.values())
                norms.update(zip(todo, norm_texts(raw) if isinstance(raw[0], str) else norm_utf16(raw)))
            for pid, start, content, seq, th, rid in rows:
                out[pid] = (norms[th], content, start, seq, th, rid)
    finally:
        cur.close()
    return out


def verify_pairs(conn, best: tuple[np.ndarray, np.ndarray], min_chars: int,
                 places: dict[tuple[int, int], list[int]], min_similarity: float | None = None,
                 memo: RunMemo | None = None) -> list[tuple]:
    """The verified matches of the chosen (new, old) pairs (links.best_pairs), seen from the new
    report: (report_id, unit_seq, start, end, other_id, other's unit_seq, o_start, o_end,
    similarity). `places`: links.Paragraphs.repeats."""
    from fazhi.corpus.copies import MIN_SIMILARITY, verify

    if len(best[0]) == 0:
        return []
    memo = memo or RunMemo()
    min_similarity = MIN_SIMILARITY if min_similarity is None else min_similarity
    new, old = best[0].tolist(), best[1].tolist()
    paras = memo.paragraphs(conn, sorted(set(new) | set(old)))
    verified = memo.verified
    out = []
    for a, b in zip(new, old):
        if a not in paras or b not in paras:
            continue
        q, o = paras[a], paras[b]
        qn, _qc, _qstart, qseq, qh, qrid = q
        on, _oc, _ostart, oseq, oh, orid = o
        key = (qh, oh)
        v = verified.get(key, verified)
        if v is verified:
            v = verified[key] = verify(qn, on, min_similarity, min_chars) if len(on) <= MAX_UNIT_CHARS else None
            if len(verified) > memo.limit:
                _trim(verified, memo.limit)
        if v is None:
            continue
        sim, qa, qb, oa, ob = v
        os_, oe = memo.span(b, o, oa, ob)
        for seq in places.get((qrid, qseq), (qseq,)):
            if seq == qseq:
                start, end = memo.span(a, q, qa, qb)
            else:  # a repeat: the same words at its own place
                start, end = _repeat_span(conn, qrid, seq, qa, qb)
            out.append((qrid, seq, start, end, orid, oseq, os_, oe, round(float(sim), 4)))
    return out


def _repeat_span(conn, rid: int, seq: int, qa: int, qb: int) -> tuple[int, int]:
    from sqlalchemy import select

    from fazhi.corpus.fingerprint import norm_span
    from fazhi.corpus.models import ParagraphRow as P

    start, content = conn.execute(select(P.start, P.content).where(P.report_id == rid, P.seq == seq)).one()
    return norm_span(content, start, qa, qb)
