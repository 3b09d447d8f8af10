"""The copy index: LSH band keys (signed integers: 48 or 64 bits, fazhi.corpus.minhash) pointing at the paragraphs that carry
them, in the table `band_keys` (hash, paragraph_id), keyed for lookup.

- written in bulk, sorted by key (SQLite: one executemany on the driver's cursor; PostgreSQL:
  COPY), so a batch of reports costs one pass over the b-tree instead of a statement per row;
- read key by key, newest paragraphs first, at most `limit` rows per key: a passage that half the
  corpus carries (a stock sentence) costs `limit` rows, not half the corpus. SQLite runs one
  prepared statement per key on the driver's cursor (a range read of the primary key);
  PostgreSQL one statement for all keys (`unnest` + LATERAL);
- deleted by recomputing a report's keys from its stored paragraphs (`report_keys`), so no
  index on paragraph_id is needed.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from fazhi.corpus.fingerprint import Params, normalize
from fazhi.corpus.minhash import band_keys, signatures

MAX_BAND_ROWS = 200
_PG_CHUNK = 1000


def _driver(conn):
    """The DB-API connection under a SQLAlchemy Connection (sqlite3 / psycopg)."""
    return conn.connection.driver_connection


def insert_keys(conn, rows: Iterable[tuple[int, int]]) -> int:
    """Add (hash, paragraph_id) rows; returns how many."""
    rows = sorted(set(rows))
    if not rows:
        return 0
    dialect = conn.dialect.name
    if dialect == "sqlite":
        _driver(conn).executemany("INSERT OR IGNORE INTO band_keys (hash, paragraph_id) VALUES (?, ?)", rows)
    elif dialect == "postgresql":
        cur = _driver(conn).cursor()
        with cur.copy("COPY band_keys (hash, paragraph_id) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        from sqlalchemy import insert

        from fazhi.corpus.models import BandKeyRow

        conn.execute(insert(BandKeyRow), [{"hash": h, "paragraph_id": p} for h, p in rows])
    return len(rows)


def delete_keys(conn, rows: Iterable[tuple[int, int]]) -> None:
    rows = sorted(set(rows))
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        _driver(conn).executemany("DELETE FROM band_keys WHERE hash = ? AND paragraph_id = ?", rows)
        return
    from sqlalchemy import bindparam, delete

    from fazhi.corpus.models import BandKeyRow as B

    q = delete(B).where(B.hash == bindparam("h"), B.paragraph_id == bindparam("p"))
    conn.execute(q, [{"h": h, "p": p} for h, p in rows])


def lookup(conn, keys: Iterable[int], *, min_pid: int | None = None, max_pid: int | None = None,
           limit: int = MAX_BAND_ROWS) -> Iterator[tuple[int, int]]:
    """(key, paragraph id) of the stored rows of each key, the `limit` newest (highest paragraph
    id) per key, restricted to min_pid <= id < max_pid when given."""
    keys = sorted(set(keys))
    lo = -1 if min_pid is None else min_pid
    hi = 2**62 if max_pid is None else max_pid
    dialect = conn.dialect.name
    if dialect == "sqlite":
        cur = _driver(conn).cursor()
        q = ("SELECT paragraph_id FROM band_keys WHERE hash = ? AND paragraph_id >= ? AND paragraph_id < ? "
             "ORDER BY paragraph_id DESC LIMIT ?")
        for k in keys:
            for (pid,) in cur.execute(q, (k, lo, hi, limit)):
                yield k, pid
        cur.close()
    elif dialect == "postgresql":
        from sqlalchemy import text

        q = text("SELECT k.h, b.paragraph_id FROM unnest(CAST(:keys AS bigint[])) AS k(h) CROSS JOIN LATERAL "
                 "(SELECT paragraph_id FROM band_keys WHERE hash = k.h AND paragraph_id >= :lo AND paragraph_id < :hi "
                 "ORDER BY paragraph_id DESC LIMIT :lim) b")
        for i in range(0, len(keys), _PG_CHUNK):
            yield from conn.execute(q, {"keys": keys[i:i + _PG_CHUNK], "lo": lo, "hi": hi, "lim": limit}).all()
    else:
        from sqlalchemy import select

        from fazhi.corpus.models import BandKeyRow as B

        for k in keys:
            q = (select(B.paragraph_id).where(B.hash == k, B.paragraph_id >= lo, B.paragraph_id < hi)
                 .order_by(B.paragraph_id.desc()).limit(limit))
            for pid in conn.execute(q).scalars():
                yield k, pid


def paragraph_keys(paras: list[tuple[int, int, str]], params: Params) -> list[tuple[int, int]]:
    """Every band key of stored paragraphs given as (id, start, content): (hash, paragraph id)."""
    norms = [normalize(content, start)[0] for _pid, start, content in paras]
    keys = band_keys(signatures(norms, params), params).tolist()
    return [(h, pid) for (pid, _s, _c), row in zip(paras, keys) for h in row]


def report_paragraphs(conn, report_ids: list[int]) -> list[tuple[int, int, str]]:
    from sqlalchemy import select

    from fazhi.corpus.models import ParagraphRow as P

    out: list[tuple[int, int, str]] = []
    for i in range(0, len(report_ids), 500):
        q = select(P.id, P.start, P.content).where(P.report_id.in_(report_ids[i:i + 500]))
        out.extend((tuple(r) for r in conn.execute(q)))
    return out


def delete_reports(conn, report_ids: list[int], params: Params) -> None:
    """Remove the band keys of these reports' paragraphs (before the paragraphs themselves go)."""
    delete_keys(conn, paragraph_keys(report_paragraphs(conn, report_ids), params))


def first_paragraph_ids(conn, report_ids: Iterable[int]) -> dict[int, int]:
    """Report id → its lowest paragraph id (reports without paragraphs left out)."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import ParagraphRow as P

    ids = sorted(set(report_ids))
    out: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        q = select(P.report_id, func.min(P.id)).where(P.report_id.in_(ids[i:i + 500])).group_by(P.report_id)
        out.update(dict((tuple(r) for r in conn.execute(q))))
    return out


def report_of(conn, pids: Iterable[int]) -> dict[int, int]:
    """Paragraph id → report id."""
    from sqlalchemy import select

    from fazhi.corpus.models import ParagraphRow as P

    ids = sorted(set(pids))
    out: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        out.update(dict(tuple(r) for r in conn.execute(select(P.id, P.report_id).where(P.id.in_(ids[i:i + 500])))))
    return out
