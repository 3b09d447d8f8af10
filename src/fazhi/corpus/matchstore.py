"""Copy matches kept in the database (table copy_matches), so that showing a report's shared
passages reads rows instead of matching.

Invariant: copy_matches holds, in both directions, the verified matches between every two
reports whose `copies_at` is set. Storing a report keeps it (Corpus.add):
1. before its transaction, the new report is matched against the reports matched so far
   (`prematch`: the slow part, run by several writers at once);
2. inside its transaction, after its row is written, under a lock (`lock_matches`), it is also
   matched against the reports other writers finished meanwhile, the rows are written and
   `copies_at` set (`finish`). Whatever two writers race, every pair is matched by one of them.
Reports stored before matches were kept (copies_at NULL) are matched once by `ensure_copies`.
Reading (`stored_matches`) loads at most MAX_ROWS_PER_UNIT rows per unit (the most similar), and
per unit the number of other reports sharing it, so a passage every report copies stays cheap.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from fazhi.corpus.candidates import Cands, Plan, candidates, find_matches, index_plan, merge, report_rows, verify_candidates
from fazhi.corpus.copies import REPORT_COLS, Match, Subject, stored_subject
from fazhi.corpus.fingerprint import Unit

MAX_ROWS_PER_UNIT = 60


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def matched_ids(conn) -> set[int]:
    from sqlalchemy import select

    from fazhi.corpus.models import ReportRow

    return set(conn.execute(select(ReportRow.id).where(ReportRow.copies_at.is_not(None))).scalars())


@dataclass(frozen=True)
class Snapshot:
    """The reports matched at one moment, compactly: every id up to `hi` but the `holes`."""

    hi: int
    holes: frozenset[int] = frozenset()

    def __contains__(self, report_id: object) -> bool:
        return isinstance(report_id, int) and report_id <= self.hi and report_id not in self.holes


def take_snapshot(conn) -> Snapshot:
    from sqlalchemy import func, select

    from fazhi.corpus.models import ReportRow as R

    hi = conn.execute(select(func.max(R.id)).where(R.copies_at.is_not(None))).scalar() or 0
    holes = conn.execute(select(R.id).where(R.id <= hi, R.copies_at.is_(None))).scalars()
    return Snapshot(hi, frozenset(holes))


def matched_since(conn, snapshot: Snapshot) -> set[int]:
    """Reports matched now that were not at `snapshot`."""
    from sqlalchemy import or_, select

    from fazhi.corpus.models import ReportRow as R

    late = R.id > snapshot.hi
    if snapshot.holes:
        late = or_(late, R.id.in_(sorted(snapshot.holes)))
    return set(conn.execute(select(R.id).where(R.copies_at.is_not(None), late)).scalars())


@dataclass
class Prematch:
    """Step 1's result: the reports matched at `snapshot`, the candidates found among them and
    those of the candidates that passed verification."""

    snapshot: Snapshot
    cands: Cands
    matches: list[Match]


NO_PREMATCH = Prematch(Snapshot(0), {}, [])


def prematch(conn, units: list[Unit], plan: Plan, subject: Subject, min_chars: int) -> Prematch:
    """Match against the reports matched so far: step 1, outside the transaction (in a worker
    process when reports are added in parallel)."""
    snapshot = take_snapshot(conn)
    cands = candidates(conn, plan, subject.report_id, keep=snapshot.__contains__)
    matches, _ = verify_candidates(conn, units, cands, subject, min_chars)
    return Prematch(snapshot, cands, matches)


def finish(conn, report_id: int, units: list[Unit], plan: Plan, subject: Subject, min_chars: int,
           pre: Prematch = NO_PREMATCH, recent=None, alive: set[int] | None = None) -> int:
    """Step 2, in the report's transaction: match the reports finished since the prematch's
    snapshot, keep per unit the best candidates of both steps together (so the result is the same
    as one lookup, whoever raced), write every match both ways and set copies_at. Returns the
    number of matches. `recent` (fazhi.corpus.recent.RecentIndex): the reports this writer stored
    lately, read from memory when they are all the new ones. `alive`: the reports known to be
    stored (the prematch's and the new ones), when the caller checked them for several reports."""
    from sqlalchemy import update

    from fazhi.corpus.database import lock_matches
    from fazhi.corpus.models import ReportRow

    lock_matches(conn)
    subject = replace(subject, report_id=report_id)
    new = matched_since(conn, pre.snapshot) - {report_id}
    keep = pre.matches
    if new:
        mine = recent is not None and recent.covers(new)
        late = recent.candidates(plan, report_id, new) if mine else candidates(conn, plan, report_id, only=new)
        best = merge(pre.cands, late)
        chosen, done = _pairs(best), _pairs(pre.cands)
        todo = {i: [c for c in found if (i, c[0]) not in done] for i, found in best.items()}
        more, _ = verify_candidates(conn, units, {i: c for i, c in todo.items() if c}, subject, min_chars,
                                    recent=recent)
        keep = [m for m in keep if (m.src, m.o_pid) in chosen] + more
    keep = [m for m in keep if m.report_id != report_id]
    keep = _existing(conn, keep) if alive is None else [m for m in keep if m.report_id in alive or m.report_id in new]
    insert_matches(conn, report_id, keep)
    conn.execute(update(ReportRow).where(ReportRow.id == report_id).values(copies_at=_now()))
    return len(keep)


def _pairs(cands: Cands) -> set[tuple[int, int]]:
    return {(i, pid) for i, found in cands.items() for pid, _, _ in found}


def _existing(conn, matches: list[Match]) -> list[Match]:
    """Matches whose other report is still stored (one may have been removed since the snapshot)."""
    found = alive(conn, {m.report_id for m in matches})
    return [m for m in matches if m.report_id in found]


def alive(conn, report_ids: set[int]) -> set[int]:
    """Those of the reports still stored."""
    return set(report_rows(conn, sorted(report_ids), ("id",))) if report_ids else set()


def insert_matches(conn, report_id: int, matches: list[Match]) -> None:
    from sqlalchemy import insert

    from fazhi.corpus.models import CopyMatchRow

    rows = []
    for m in matches:
        sim = round(float(m.similarity), 4)
        rows.append({"report_id": report_id, "unit_seq": m.qi, "start": m.q[0], "end": m.q[1],
                     "other_id": m.report_id, "o_start": m.o[0], "o_end": m.o[1], "similarity": sim})
        rows.append({"report_id": m.report_id, "unit_seq": m.o_seq, "start": m.o[0], "end": m.o[1],
                     "other_id": report_id, "o_start": m.q[0], "o_end": m.q[1], "similarity": sim})
    for i in range(0, len(rows), 5000):
        conn.execute(insert(CopyMatchRow), rows[i:i + 5000])


def delete_matches(conn, report_id: int) -> None:
    from sqlalchemy import delete, or_

    from fazhi.corpus.models import CopyMatchRow

    conn.execute(delete(CopyMatchRow).where(or_(CopyMatchRow.report_id == report_id,
                                                CopyMatchRow.other_id == report_id)))


def match_in_transaction(conn, report_id: int, units: list[Unit], subject: Subject, min_chars: int,
                         below: int | None = None) -> int:
    """Match a report whose units are written in this transaction against every matched report
    (or those with a smaller id: reindex), write the matches and set copies_at."""
    from sqlalchemy import update

    from fazhi.corpus.database import lock_matches
    from fazhi.corpus.models import ReportRow

    lock_matches(conn)
    subject = replace(subject, report_id=report_id)
    done = matched_ids(conn) - {report_id}
    matches, _ = find_matches(conn, units, subject, min_chars, plan=index_plan(units), below=below)
    matches = [m for m in matches if m.report_id in done]
    insert_matches(conn, report_id, matches)
    conn.execute(update(ReportRow).where(ReportRow.id == report_id).values(copies_at=_now()))
    return len(matches)


def stored_matches(conn, report_id: int):
    """(the report's row, its stored matches, the other reports' rows, the corpus size, per unit
    the number of other reports sharing it), or None when the report is not stored."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import CopyMatchRow, ReportRow

    rows = report_rows(conn, [report_id], (*REPORT_COLS, "copies_at"))
    if report_id not in rows:
        return None
    if rows[report_id]["copies_at"] is None:
        return rows[report_id], [], {}, 0, {}
    c = CopyMatchRow
    rn = func.row_number().over(partition_by=c.unit_seq, order_by=(c.similarity.desc(), c.other_id.desc())
                                ).label("rn")
    inner = select(c.unit_seq, c.start, c.end, c.other_id, c.o_start, c.o_end, c.similarity, rn).where(
        c.report_id == report_id).subquery()
    q = select(inner).where(inner.c.rn <= MAX_ROWS_PER_UNIT).order_by(inner.c.unit_seq, inner.c.rn)
    matches = [Match(r.unit_seq, (r.start, r.end), (r.o_start, r.o_end), r.similarity, r.other_id)
               for r in conn.execute(q)]
    counts = dict(conn.execute(select(c.unit_seq, func.count(func.distinct(c.other_id)))
                               .where(c.report_id == report_id).group_by(c.unit_seq)).all())
    others = report_rows(conn, sorted({m.report_id for m in matches}), REPORT_COLS)
    n_reports = conn.execute(select(func.count()).select_from(ReportRow)).scalar_one()
    matches = [m for m in matches if m.report_id in others]
    return rows[report_id], matches, others, n_reports, counts


def ensure_copies(corpus, progress=None) -> int:
    """Match every report stored before copy matches were kept (copies_at NULL), one transaction
    each, oldest first; safe alongside other writers. Returns how many were matched."""
    from sqlalchemy import select, update

    from fazhi.corpus.fingerprint import dict_units
    from fazhi.corpus.models import ReportRow

    with corpus.engine.connect() as conn:
        todo = conn.execute(select(ReportRow.id).where(ReportRow.copies_at.is_(None))
                            .order_by(ReportRow.id)).scalars().all()
    done = 0
    for rid in todo:
        row = corpus.get(rid)
        if row is None or row["copies_at"] is not None:
            continue
        units = dict_units({**row["analysis"], "text": row["text"]}, corpus.params)
        plan = index_plan(units)
        subject = stored_subject(row)
        with corpus.engine.connect() as conn:
            pre = prematch(conn, units, plan, subject, corpus.params.min_chars)
        with corpus.engine.begin() as conn:
            claim = update(ReportRow).where(ReportRow.id == rid, ReportRow.copies_at.is_(None)).values(
                copies_at=_now())
            if conn.execute(claim).rowcount == 0:
                continue  # another process matched it meanwhile
            finish(conn, rid, units, plan, subject, corpus.params.min_chars, pre)
        done += 1
        if progress is not None:
            progress(1)
    return done


def reindex(corpus, params, progress=None) -> int:
    """Corpus.reindex: every report's units, index and matches rebuilt in one transaction."""
    from sqlalchemy import delete, select, update

    from fazhi.corpus.fingerprint import dict_units
    from fazhi.corpus.models import BandKeyRow, CopyMatchRow, MetaRow, ParagraphRow, ReportRow

    cols = [getattr(ReportRow, c) for c in REPORT_COLS]
    with corpus.engine.begin() as conn:
        conn.execute(delete(CopyMatchRow))
        conn.execute(delete(BandKeyRow))
        conn.execute(delete(ParagraphRow))
        conn.execute(update(ReportRow).values(copies_at=None))
        ids = conn.execute(select(ReportRow.id).order_by(ReportRow.id)).scalars().all()
        for i in range(0, len(ids), 200):
            q = select(*cols, ReportRow.text, ReportRow.analysis).where(ReportRow.id.in_(ids[i:i + 200]))
            for r in conn.execute(q.order_by(ReportRow.id)).all():
                row = dict(r._mapping)
                units = dict_units({**row["analysis"], "text": row["text"]}, params)
                corpus._insert_units(conn, row["id"], units)
                match_in_transaction(conn, row["id"], units, stored_subject(row), params.min_chars, below=row["id"])
            if progress is not None:
                progress(len(ids[i:i + 200]))
        conn.execute(update(MetaRow).where(MetaRow.key == "fingerprint").values(value=params.to_dict()))
    return len(ids)
