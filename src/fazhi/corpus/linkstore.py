"""Storing what `corpus links` computed (fazhi.corpus.links): every copy match of the corpus replaced
in one transaction, seen from both reports, and the reports marked matched."""
from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fazhi.corpus.linkrows import LinkRows


def highest_id(corpus) -> int:
    """The highest report id stored now (0: none): what `store_links(upto=...)` is given."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import ReportRow

    with corpus.engine.connect() as conn:
        return conn.execute(select(func.max(ReportRow.id))).scalar() or 0


_MATCH_COLS = ("report_id", "unit_seq", "start", "end", "other_id", "o_start", "o_end", "similarity")
_FORWARD = _MATCH_COLS  # the columns of a links row that fill _MATCH_COLS, seen from the new report
_BACKWARD = ("other_id", "o_seq", "o_start", "o_end", "report_id", "start", "end", "similarity")  # ... the old
_STORE_CHUNK = 20_000
_REINDEX_ROWS = 50_000  # from this many matches on, the indexes are built after the rows


def _insert_matches(conn, recs: list[tuple]) -> None:
    """copy_matches rows given as tuples in _MATCH_COLS order (SQLite: the driver's executemany)."""
    if not recs:
        return
    if conn.dialect.name == "sqlite":
        names = ", ".join(f'"{c}"' for c in _MATCH_COLS)
        conn.connection.driver_connection.executemany(
            f"INSERT INTO copy_matches ({names}) VALUES ({', '.join('?' * len(_MATCH_COLS))})", recs)
        return
    from sqlalchemy import insert

    from fazhi.corpus.models import CopyMatchRow

    conn.execute(insert(CopyMatchRow), [dict(zip(_MATCH_COLS, r)) for r in recs])


@contextmanager
def _indexes_set_aside(conn, n: int):
    """SQLite, many rows: copy_matches' indexes dropped while they are written and built again after
    (one sort each) in the same transaction: millions of inserts at random places of two b-trees
    larger than the page cache took most of the time (3.4 million pairs at 100,000 reports)."""
    from fazhi.corpus.models import CopyMatchRow

    if conn.dialect.name != "sqlite" or n < _REINDEX_ROWS:
        yield
        return
    indexes = sorted(CopyMatchRow.__table__.indexes, key=lambda ix: ix.name)
    for ix in indexes:
        ix.drop(conn)
    yield
    for ix in indexes:
        ix.create(conn)


def store_links(corpus, rows: "LinkRows", upto: int | None = None) -> int:
    """Replace the stored copy matches among the reports with ids <= `upto` (default: all stored
    now; pass the highest id seen when the links were computed) by `rows` (fazhi.corpus.linkrows;
    stored both ways) and mark those reports matched, in one transaction. A report stored after
    (by another writer) loses its matches and is left to match again (copies_at NULL,
    matchstore.ensure_copies), so the invariant of matchstore holds. Returns the number of matches
    stored."""
    from sqlalchemy import delete, func, select, update

    from fazhi.corpus.database import lock_matches
    from fazhi.corpus.matchstore import _now
    from fazhi.corpus.models import CopyMatchRow as C, ReportRow

    with corpus.engine.begin() as conn:
        lock_matches(conn)
        hi = (conn.execute(select(func.max(ReportRow.id))).scalar() or 0) if upto is None else upto
        keep = (rows["report_id"] <= hi) & (rows["other_id"] <= hi)
        if not keep.all():  # else not copied (at 100,000 reports: 3.4 million rows, ~250 MB)
            rows = rows.take(keep)
        conn.execute(delete(C))  # every match touches a report <= hi (both sides) or a later one
        with _indexes_set_aside(conn, len(rows)):
            for cols in (_FORWARD, _BACKWARD):  # each match seen from both reports
                order = rows[cols[0]].argsort(kind="stable")  # the table in report order
                for i in range(0, len(rows), _STORE_CHUNK):  # a chunk of Python rows at a time, not millions
                    _insert_matches(conn, rows.tuples(cols, order[i:i + _STORE_CHUNK]))
        conn.execute(update(ReportRow).where(ReportRow.id <= hi).values(copies_at=_now()))
        conn.execute(update(ReportRow).where(ReportRow.id > hi).values(copies_at=None))
    return len(rows)
