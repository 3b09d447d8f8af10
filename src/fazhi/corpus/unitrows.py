"""Writing a report's fingerprinted units: its paragraph rows, then their band keys in one bulk
write (fazhi.corpus.bandindex). Used by every path that stores units (Corpus.add, a batch of a
parallel build, reindex)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fazhi.corpus.fingerprint import Unit

if TYPE_CHECKING:
    import numpy as np

    from fazhi.corpus.keyspill import KeySpill


def insert_units(conn, items: list[tuple[int, list[Unit], Any]], spill: "KeySpill | None" = None) -> list[int]:
    """Paragraph rows of several reports (report id, units, index plan or None) in one statement,
    then all their band keys in one bulk write (fazhi.corpus.bandindex), or to a build's side file
    (fazhi.corpus.keyspill, committed here, before the caller commits). Returns the paragraph ids,
    in the order of the items' units."""
    from sqlalchemy import insert

    from fazhi.corpus.bandindex import insert_keys
    from fazhi.corpus.candidates import index_plan
    from fazhi.corpus.models import ParagraphRow

    rows, plans = [], []
    for report_id, units, plan in items:
        rows.extend({"report_id": report_id, "seq": i, "level": u.level, "start": u.start, "end": u.end,
                     "nchars": len(u.norm), "text_hash": u.text_hash, "content": u.content}
                    for i, u in enumerate(units))
        plans.extend(index_plan(units) if plan is None else plan)
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        ids = _insert_paragraphs_sqlite(conn, rows)
    else:
        q = insert(ParagraphRow).returning(ParagraphRow.id, sort_by_parameter_order=True)
        ids = conn.execute(q, rows).scalars().all()
    if spill is None:
        insert_keys(conn, ((h, pid) for pid, keys in zip(ids, plans) for _b, h in keys))
    else:
        spill.add(_key_array(ids, plans))
        spill.commit()
    return list(ids)


def _key_array(ids: list[int], plans: list) -> "np.ndarray":
    """(hash, paragraph id) of every planned key, as an (n, 2) int64 array."""
    import numpy as np

    hashes = np.array([h for keys in plans for _b, h in keys], dtype=np.int64)
    pids = np.repeat(np.array(ids, dtype=np.int64), [len(keys) for keys in plans])
    return np.column_stack((hashes, pids))


_PARAGRAPH_COLS = ("report_id", "seq", "level", "start", "end", "nchars", "text_hash")


def _insert_paragraphs_sqlite(conn, rows: list[dict]) -> list[int]:
    """The rows in one executemany of the driver, with the ids SQLite would give them (the next
    after the highest; the writer holds the database's write lock, its reports row is written)."""
    from fazhi.corpus.packing import pack_utf16

    first = (conn.exec_driver_sql("SELECT max(id) FROM paragraphs").scalar() or 0) + 1
    ids = list(range(first, first + len(rows)))
    cols = ", ".join(f'"{c}"' for c in ("id", *_PARAGRAPH_COLS, "content"))
    sql = f"INSERT INTO paragraphs ({cols}) VALUES ({', '.join('?' * (len(_PARAGRAPH_COLS) + 2))})"
    conn.connection.driver_connection.executemany(
        sql, [(pid, *(r[c] for c in _PARAGRAPH_COLS), pack_utf16(r["content"])) for pid, r in zip(ids, rows)])
    return ids
