"""Writing a report's fingerprinted units: its paragraph rows, then their band keys in one bulk
write (fazhi.corpus.bandindex). Used by every path that stores units (Corpus.add, a batch of a
parallel build, reindex), all through `UnitRows`: the units as the store keeps them, in arrays."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fazhi.corpus.fingerprint import Unit

if TYPE_CHECKING:
    from fazhi.corpus.keyspill import KeySpill


@dataclass
class UnitRows:
    """A report's units as they are stored: the paragraph rows' columns and the band keys their
    index plan (fazhi.corpus.candidates.index_plan) keeps, unit after unit. What a worker of a build
    matched at the end sends its writer instead of the units: no normalised strings, offsets or
    bands, and arrays instead of objects (a synthetic report's pickle loads in 0.07 ms, its units'
    in 1.3 ms: the writer's process loads every report of the build)."""

    level: np.ndarray  # int8
    start: np.ndarray  # int64, offsets in the report text
    end: np.ndarray  # int64
    nchars: np.ndarray  # int32, length of the unit's normalised string
    text_hash: np.ndarray  # int64
    content: list[bytes]  # the units' text as stored (packing.pack_utf16), packed where the units are made
    counts: np.ndarray  # int32, keys planned for each unit (0: not indexed)
    keys: np.ndarray  # int64, those keys, unit after unit

    @classmethod
    def of(cls, units: list[Unit], plan: Any = None) -> "UnitRows":
        """The rows of `units` with the keys of `plan` (None: the index plan worked out here)."""
        from fazhi.corpus.candidates import index_plan
        from fazhi.corpus.packing import pack_utf16

        plan = index_plan(units) if plan is None else plan
        return cls(np.array([u.level for u in units], np.int8), np.array([u.start for u in units], np.int64),
                   np.array([u.end for u in units], np.int64), np.array([len(u.norm) for u in units], np.int32),
                   np.array([u.text_hash for u in units], np.int64), [pack_utf16(u.content) for u in units],
                   np.array([len(keys) for keys in plan], np.int32),
                   np.array([h for keys in plan for _b, h in keys], np.int64))

    def __len__(self) -> int:
        return len(self.content)


_PARAGRAPH_COLS = ("report_id", "seq", "level", "start", "end", "nchars", "text_hash")


def insert_units(conn, items: list[tuple[int, UnitRows]], spill: "KeySpill | None" = None) -> list[int]:
    """Paragraph rows of several reports (report id, its UnitRows) in one statement, then all their
    band keys in one bulk write (fazhi.corpus.bandindex), or to a build's side file
    (fazhi.corpus.keyspill, committed here, before the caller commits). Returns the paragraph ids,
    in the order of the items' units."""
    from sqlalchemy import insert

    from fazhi.corpus.bandindex import insert_keys
    from fazhi.corpus.models import ParagraphRow

    rows = [r for _rid, r in items]
    n = sum(map(len, rows))
    if not n:
        return []
    cols = (  # _PARAGRAPH_COLS + content, column by column (the driver reads them row by row)
        [rid for rid, r in items for _ in range(len(r))], [i for r in rows for i in range(len(r))],
        *(np.concatenate([getattr(r, c) for r in rows]).tolist() for c in _PARAGRAPH_COLS[2:]),
        [b for r in rows for b in r.content])
    if conn.dialect.name == "sqlite":
        ids = _insert_paragraphs_sqlite(conn, cols, n)
    else:
        q = insert(ParagraphRow).returning(ParagraphRow.id, sort_by_parameter_order=True)
        ids = conn.execute(q, [dict(zip((*_PARAGRAPH_COLS, "content"), row)) for row in zip(*cols)]).scalars().all()
    keys = _key_array(ids, rows)
    if spill is None:
        insert_keys(conn, zip(keys[:, 0].tolist(), keys[:, 1].tolist()))
    else:
        spill.add(keys)
        spill.commit()
    return list(ids)


def _key_array(ids: list[int], rows: list[UnitRows]) -> np.ndarray:
    """(hash, paragraph id) of every planned key, as an (n, 2) int64 array."""
    if not rows:
        return np.zeros((0, 2), np.int64)
    hashes = np.concatenate([r.keys for r in rows])
    pids = np.repeat(np.asarray(ids, dtype=np.int64), np.concatenate([r.counts for r in rows]))
    return np.column_stack((hashes, pids))


def _insert_paragraphs_sqlite(conn, cols: tuple[list, ...], n: int) -> list[int]:
    """The n rows (given column by column) in one executemany of the driver, with the ids SQLite
    would give them (the next after the highest; the writer holds the database's write lock, its
    reports row is written)."""
    first = (conn.exec_driver_sql("SELECT max(id) FROM paragraphs").scalar() or 0) + 1
    ids = range(first, first + n)
    names = ", ".join(f'"{c}"' for c in ("id", *_PARAGRAPH_COLS, "content"))
    sql = f"INSERT INTO paragraphs ({names}) VALUES ({', '.join('?' * (len(_PARAGRAPH_COLS) + 2))})"
    conn.connection.driver_connection.executemany(sql, zip(ids, *cols))
    return list(ids)
