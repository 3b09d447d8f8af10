"""Band keys of a large SQLite build written aside and merged into `band_keys` once, in key order.

Inserting each batch's keys into the band_keys b-tree touches a random leaf per key: at 20,000
reports a batch of 50 rewrote ~30,000 pages through the WAL, and the cost grows with the corpus
(bench/RESULTS.md). A build that matches at the end (fazhi.corpus.build, match "end") looks
nothing up until its links pass, so its keys go to a side file `<db>-bandkeys` instead: a SQLite
table of blobs, one row per batch and hash range holding that batch's (hash, paragraph id) pairs
as packed int64s, so a batch of 40,000 keys costs a few row writes. Before anything looks keys
up, `merge` reads them back one hash range at a time, sorts them (numpy) and inserts them into
band_keys in key order, so each leaf page is written once, then deletes the file.

Safety:
- the side file is written and committed before the batch's transaction in the corpus, so every
  stored report has its keys somewhere; keys of a batch that never committed (a kill between
  the two) point at paragraph ids that do not exist and are dropped by the merge, which keeps
  only keys whose paragraph is stored; a batch whose transaction failed has its rows deleted
  (`drop_uncommitted`) before its paragraph ids are given to other paragraphs;
- a build holds an exclusive lock on `<db>-bandkeys.lock` (flock) for as long as it writes the
  side file, and removes that file when it lets go. Opening a corpus merges a side file left by
  a build that died (the lock is free then) and leaves alone one that a running build owns;
- merging is idempotent (INSERT OR IGNORE): a merge killed half-way is done again.
Only for SQLite files on a system with flock; elsewhere keys go straight to band_keys.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

PARTS = 64  # hash ranges, in key order: part = (hash >> (key bits - 6)) + 32
_INSERT_ROWS = 500_000  # keys handed to the driver at a time while merging


def spill_path(db: Path) -> Path:
    return db.with_name(db.name + "-bandkeys")


def _lock_path(db: Path) -> Path:
    return db.with_name(db.name + "-bandkeys.lock")


def supported() -> bool:
    try:
        import fcntl  # noqa: F401
    except ImportError:  # Windows
        return False
    return True


def _lock(db: Path, wait: bool) -> int | None:
    """An fd holding the exclusive lock, or None when another process holds it (wait=False). The
    holder removes the lock file when it lets go (`_unlock`), so a lock taken on a file no longer
    at the path is let go and taken again on the file there now."""
    import fcntl

    path = _lock_path(db)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        if _at_path(fd, path):
            return fd
        os.close(fd)  # its holder removed it while this process waited


def _at_path(fd: int, path: Path) -> bool:
    """Whether the file open at `fd` is the one at `path`."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def _unlock(fd: int, db: Path) -> None:
    """Let go of the lock, removing its file first (no lock file is left beside the database)."""
    import fcntl

    path = _lock_path(db)
    if _at_path(fd, path):
        path.unlink(missing_ok=True)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


class KeySpill:
    """The side file of one build: `add` a batch's (hash, paragraph id) rows, `commit` before the
    corpus commits the batch, `merge_into` the corpus at the end. A context manager: on leaving,
    the file is closed and the lock released (the keys stay until merged)."""

    def __init__(self, db: Path, fd: int, key_bits: int = 64):
        self.db = db
        self._shift = key_bits - 6  # keys of `key_bits` bits (minhash.key_bits) spread over PARTS
        self.path = spill_path(db)
        self._fd: int | None = fd
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> "KeySpill":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("CREATE TABLE IF NOT EXISTS batches (part INTEGER NOT NULL, "
                               "first_pid INTEGER NOT NULL, keys BLOB NOT NULL)")
            # the merge reads one range at a time: without it, 64 scans of a file of 1.4 GB of blobs
            self._conn.execute("CREATE INDEX IF NOT EXISTS batches_part ON batches (part)")
        return self._conn

    def add(self, rows) -> int:
        """Write (hash, paragraph id) rows of one batch (an (n, 2) int64 array or pairs; committed
        by `commit`); returns how many."""
        arr = rows if isinstance(rows, np.ndarray) else np.array(list(rows), dtype=np.int64)
        arr = arr.astype(np.int64, copy=False).reshape(-1, 2)
        if not len(arr):
            return 0
        part = np.clip((arr[:, 0] >> self._shift) + PARTS // 2, 0, PARTS - 1)
        order = np.argsort(part, kind="stable")
        arr, part = arr[order], part[order]
        cuts = np.searchsorted(part, np.arange(PARTS + 1))
        first = int(arr[:, 1].min())
        conn = self._open()
        if not conn.in_transaction:
            conn.execute("BEGIN")
        conn.executemany("INSERT INTO batches (part, first_pid, keys) VALUES (?, ?, ?)",
                         [(p, first, arr[cuts[p]:cuts[p + 1]].tobytes()) for p in range(PARTS) if cuts[p + 1] > cuts[p]])
        return len(arr)

    def commit(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def drop_uncommitted(self, engine) -> None:
        """Forget the keys of paragraphs the corpus does not have (a batch whose transaction failed
        after its keys were committed here), before their ids are given to other paragraphs."""
        from sqlalchemy import func, select

        from fazhi.corpus.models import ParagraphRow

        if self._conn is None:
            return
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        with engine.connect() as conn:
            top = conn.execute(select(func.max(ParagraphRow.id))).scalar() or 0
        self._conn.execute("DELETE FROM batches WHERE first_pid > ?", (top,))

    def merge_into(self, engine) -> int:
        """Move every key into the corpus' band_keys (see `merge`); the file is deleted."""
        self.close_file()
        return merge(engine, self.path) if self.path.exists() else 0

    def close_file(self) -> None:
        if self._conn is not None:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        self.close_file()
        if self._fd is not None:
            _unlock(self._fd, self.db)
            self._fd = None


def merge(engine, path: Path) -> int:
    """Insert the side file's keys whose paragraph is stored into band_keys, one hash range per
    transaction, in key order; then delete the file. Returns the rows inserted."""
    done = 0
    with _attached(engine, path) as raw, _rolled_back_on_error(raw):
        for arr in _sorted_parts(raw):
            done += _insert_sorted(raw, arr)
        if raw.execute("SELECT 1 FROM spill.sqlite_master WHERE name = 'pending'").fetchone():
            done += _merge_rows(raw)
    _delete(path)
    return done


@contextmanager
def _rolled_back_on_error(raw: sqlite3.Connection) -> Iterator[None]:
    """A transaction left open by a failure rolled back (the connection goes back to the pool)."""
    try:
        yield
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise


@contextmanager
def _attached(engine, path: Path) -> Iterator[sqlite3.Connection]:
    """The corpus' driver connection with the side file at `path` attached as `spill`."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        conn.commit()  # no transaction open: ATTACH needs none
        raw.execute("ATTACH DATABASE ? AS spill", (str(path),))
        try:
            yield raw
        finally:
            raw.execute("DETACH DATABASE spill")


def _sorted_parts(raw: sqlite3.Connection) -> Iterator[np.ndarray]:
    """The attached side file's keys of stored paragraphs, one hash range at a time in key order,
    each sorted by (hash, paragraph id); ranges without such keys left out."""
    if not raw.execute("SELECT 1 FROM spill.sqlite_master WHERE name = 'batches'").fetchone():
        return
    stored = _stored_pids(raw)
    for part in range(PARTS):
        arr = _sorted_part(raw, part, stored)
        if arr is not None and len(arr):
            yield arr


def _delete(path: Path) -> None:
    """The side file and its WAL files, once merged."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


def _stored_pids(raw: sqlite3.Connection) -> np.ndarray:
    """The ids of the stored paragraphs from the side file's lowest one on (sorted)."""
    lo = raw.execute("SELECT min(first_pid) FROM spill.batches").fetchone()[0]
    if lo is None:
        return np.zeros(0, np.int64)
    cur = raw.execute("SELECT id FROM main.paragraphs WHERE id >= ? ORDER BY id", (lo,))
    blocks = []
    while rows := cur.fetchmany(200_000):
        blocks.append(np.array(rows, dtype=np.int64).reshape(-1))
    return np.concatenate(blocks) if blocks else np.zeros(0, np.int64)


def _sorted_part(raw: sqlite3.Connection, part: int, stored: np.ndarray) -> np.ndarray | None:
    """One hash range's keys of stored paragraphs, sorted by (hash, paragraph id); None: no keys."""
    blobs = [b for (b,) in raw.execute("SELECT keys FROM spill.batches WHERE part = ?", (part,))]
    if not blobs:
        return None
    return stored_sorted(blobs, stored)


def stored_sorted(blobs: list[bytes], stored: np.ndarray) -> np.ndarray:
    """The (hash, paragraph id) rows packed in a side file's blobs whose paragraph id is in `stored`
    (sorted ids), sorted by (hash, paragraph id), as an (n, 2) int64 array."""
    arr = np.frombuffer(b"".join(blobs), dtype=np.int64).reshape(-1, 2)
    if not len(stored):
        return arr[:0]
    at = np.minimum(np.searchsorted(stored, arr[:, 1]), len(stored) - 1)
    arr = arr[stored[at] == arr[:, 1]]
    return arr[np.lexsort((arr[:, 1], arr[:, 0]))]


def _insert_sorted(raw: sqlite3.Connection, arr: np.ndarray) -> int:
    """Sorted (hash, paragraph id) rows into band_keys, in one transaction: each block of rows as
    one statement reading them from one parameter (`_decimal_block`), so SQLite inserts them with
    the GIL released. 1.6 million rows: 1.0 CPU s, 0.15 of it holding the GIL, against 1.4 s
    for executemany, which holds it 70 % of the time binding two integers a row (bench/RESULTS.md,
    session 13). The row numbers come from json_each over a JSON array of zeros (its `key`), where
    SQLite has JSON: 4 million rows 0.08 CPU s against 0.77 for a recursive CTE counting them
    (the whole merge 1.8 against 2.5 s, session 15)."""
    json_rows = _has_json_each(raw)
    raw.execute("BEGIN IMMEDIATE")
    for i in range(0, len(arr), _INSERT_ROWS):
        chunk = arr[i:i + _INSERT_ROWS]  # never empty
        block, hw, pw = _decimal_block(chunk)
        rw = hw + pw
        if json_rows:
            rows, at, first = "FROM json_each(?1)", f"key * {rw}", "[" + "0," * (len(chunk) - 1) + "0]"
        else:
            rows, at, first = "FROM at", "n", (len(chunk) - 1) * rw
        raw.execute(
            ("" if json_rows else f"WITH RECURSIVE at(n) AS (SELECT 0 UNION ALL SELECT n + {rw} FROM at WHERE n < ?1) ")
            + "INSERT OR IGNORE INTO main.band_keys (hash, paragraph_id) "
            f"SELECT CAST(substr(?2, {at} + 1, {hw}) AS INTEGER), CAST(substr(?2, {at} + {hw + 1}, {pw}) AS INTEGER) "
            + rows, (first, block))
    raw.execute("COMMIT")
    return len(arr)


def _has_json_each(raw: sqlite3.Connection) -> bool:
    """Whether this SQLite has json_each (built in since 3.38, unless compiled without JSON)."""
    try:
        return raw.execute("SELECT count(*) FROM json_each('[0,0]')").fetchone()[0] == 2
    except sqlite3.Error:
        return False


def _decimal_block(rows: np.ndarray) -> tuple[bytes, int, int]:
    """(n, 2) int64 rows as one block of fixed-width ASCII decimals (sign, then digits, zero
    padded: "-00042" is -42), row after row, and the widths of the two columns. A BLOB: SQLite's
    substr of a BLOB counts bytes, so reading a row is not a scan from the start."""
    cols = [_decimal_column(rows[:, j]) for j in range(2)]
    return np.concatenate(cols, axis=1).tobytes(), cols[0].shape[1], cols[1].shape[1]


def _decimal_column(values: np.ndarray) -> np.ndarray:
    """int64 values as an (n, width) uint8 array of ASCII: a sign ("-" or "0") and the digits."""
    mag = np.abs(values).astype(np.uint64)  # abs(-2**63) wraps to -2**63, read as 2**63: right
    width = 1 + len(str(int(mag.max())))  # values: never empty (_insert_sorted's blocks)
    out = np.empty((len(values), width), np.uint8)
    out[:, 0] = np.where(values < 0, ord("-"), ord("0"))
    for i in range(width - 1, 0, -1):
        out[:, i] = (mag % 10).astype(np.uint8) + ord("0")
        mag //= 10
    return out


def merge_files(engine, files: Iterable[Path], path: Path) -> int:
    """Insert the keys of sorted .npy files (fazhi.corpus.keyslices) into band_keys (one transaction
    a file, in the order given: they may come while the links pass writes them), then delete the
    side file they came from. Returns the rows inserted."""
    done = 0
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        conn.commit()
        with _rolled_back_on_error(raw):
            for f in files:
                done += _insert_sorted(raw, np.load(f))
    _delete(path)
    return done


def _merge_rows(raw: sqlite3.Connection) -> int:
    """A side file of the first layout (one row per key, table `pending`, 16 ranges), left by a
    build of an earlier version."""
    done = 0
    for part in range(16):
        raw.execute("BEGIN IMMEDIATE")
        cur = raw.execute(
            "INSERT OR IGNORE INTO main.band_keys (hash, paragraph_id) "
            "SELECT s.hash, s.pid FROM spill.pending s JOIN main.paragraphs p ON p.id = s.pid "
            "WHERE s.part = ? ORDER BY s.hash, s.pid", (part,))
        done += max(cur.rowcount, 0)
        raw.execute("COMMIT")
    return done


def settle(engine, db: Path) -> int:
    """Merge a side file left by a build that stopped before merging it (none running: the lock is
    free). Returns the rows merged (0 when there was nothing to do or a build owns the file)."""
    if not supported() or not spill_path(db).exists():
        return 0
    fd = _lock(db, wait=False)
    if fd is None:
        return 0
    try:
        return merge(engine, spill_path(db)) if spill_path(db).exists() else 0
    finally:
        _unlock(fd, db)


def open_for_build(engine, db: Path | None, key_bits: int = 64) -> KeySpill | None:
    """The side file for a build of the corpus at `db` (band keys of `key_bits` bits), merging first
    what a stopped build left; None (keys go straight to band_keys) for another database, or while
    another build owns it."""
    if db is None or not supported():
        return None
    fd = _lock(db, wait=False)
    if fd is None:
        return None
    spill = KeySpill(db, fd, key_bits)
    try:
        if spill.path.exists():
            merge(engine, spill.path)
    except BaseException:
        spill.close()
        raise
    return spill
