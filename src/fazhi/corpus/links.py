"""Every copy pair of a whole corpus at once (`fazhi corpus links`), as a group-by on band keys
— the way text-dedup runs MinHash-LSH on Spark — on numpy here or on a Dask DataFrame on a
cluster (fazhi.corpus.linkdask); then verified exactly as the per-report path does.

It computes what adding the reports one by one computes (fazhi.corpus.matchstore): each unit of
a report is a candidate match for the units of EARLIER reports (lower paragraph ids: a corpus is
written in report order) that share band keys with it, the MAX_BAND_ROWS newest rows per key,
the MAX_CANDIDATES sharing the most keys per unit (then the newest); those passing
`copies.verify` are the matches, stored both ways. Steps, each a pure function of arrays:

1. `key_pairs`: per hash-range partition of band_keys (hash, paragraph_id), sorted: for each row,
   the rows of its key that came before its report (at most MAX_BAND_ROWS) → (new, old) pairs;
2. `best_pairs`: per partition of pairs by `new` (after a shuffle on it: Dask's, or bucket files
   on disk in links_local): shared keys counted, the best MAX_CANDIDATES per new paragraph kept;
3. `verify_pairs` (fazhi.corpus.linkverify): the chosen pairs verified on the paragraphs'
   normalised text (read from the store), spans mapped back, repeats of a unit in its report
   expanded as the per-report path does.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from fazhi.corpus.candidates import MAX_BAND_ROWS, MAX_CANDIDATES, MAX_REPEATS
from fazhi.corpus import keyslices
from fazhi.corpus.linkrows import LinkRows
from fazhi.corpus.linkverify import RunMemo, memo_for, verify_pairs

if TYPE_CHECKING:
    from fazhi.corpus.mergebeside import MergeBeside

HASH_PARTS = 16  # hash ranges read one at a time (links_local) or as Dask partitions
NEW_PARTS = 16  # partitions of the (new, old) pairs, by new paragraph
DENSE_SPAN = 4  # see Paragraphs.dense
# a hash range of band_keys, a file of its keys, sorted (.npy), or a slice of a build's side file
KeySource = tuple[int, int] | str | keyslices.Slice


@dataclass(frozen=True)
class Paragraphs:
    """Paragraph id → report id and the first paragraph id of that report (numpy lookups), and
    where the units standing more than once in their report are (`repeat_places`)."""

    ids: np.ndarray  # sorted paragraph ids
    report: np.ndarray  # report id of ids[i]
    first: np.ndarray  # first paragraph id of that report
    repeats: dict[tuple[int, int], list[int]]  # (report id, seq of a unit's first occurrence) → seqs
    # position in ids of id ids[0] + k (-1: none), when ids span at most DENSE_SPAN times their
    # number (a corpus' ids are nearly contiguous): one array read a pid instead of a binary search
    # in millions of ids (that search was 14 % of a links pass at 100,000 reports)
    dense: np.ndarray | None = None

    @classmethod
    def of(cls, ids: np.ndarray, report: np.ndarray, first: np.ndarray,
           repeats: dict[tuple[int, int], list[int]]) -> "Paragraphs":
        dense = None
        if len(ids) and ids[-1] - ids[0] < DENSE_SPAN * len(ids):
            dense = np.full(int(ids[-1] - ids[0]) + 1, -1, dtype=np.int64)
            dense[ids - ids[0]] = np.arange(len(ids))
        return cls(ids, report, first, repeats, dense)

    def lookup(self, pids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Report id and first paragraph id of each of `pids` (stored paragraphs)."""
        at = self.dense[pids - self.ids[0]] if self.dense is not None else np.searchsorted(self.ids, pids)
        return self.report[at], self.first[at]


def int_rows(conn, query, width: int) -> np.ndarray:
    """The rows of a query of integer columns as an int64 array (n, width), read through the
    driver's cursor in blocks: millions of rows, without a Python object per row and value.
    The query's parameters must be integers (they are written into the SQL)."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cur = conn.connection.dbapi_connection.cursor()
    blocks = []
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(100_000):
            blocks.append(np.array(rows, dtype=np.int64).reshape(-1, width))
    finally:
        cur.close()
    return np.concatenate(blocks) if blocks else np.zeros((0, width), np.int64)


def load_paragraphs(conn, upto: int | None = None) -> Paragraphs:
    """The paragraphs (with ids up to `upto`, default all)."""
    from sqlalchemy import select

    from fazhi.corpus.models import ParagraphRow as P

    q = select(P.id, P.report_id, P.text_hash, P.seq).order_by(P.id)
    rows = int_rows(conn, q if upto is None else q.where(P.id <= upto), 4)
    ids, rep = rows[:, 0].copy(), rows[:, 1].copy()  # columns of their own: the rows go after this
    first = np.empty_like(ids)
    if len(ids):
        start = np.r_[True, rep[1:] != rep[:-1]]  # a report's paragraphs are contiguous ids
        first = ids[start][np.cumsum(start) - 1]
    return Paragraphs.of(ids, rep, first, repeat_places(rep, rows[:, 2], rows[:, 3]))


def repeat_places(report: np.ndarray, text_hash: np.ndarray, seq: np.ndarray) -> dict[tuple[int, int], list[int]]:
    """(report id, seq of a unit's first occurrence) → the seqs its matches are reported at, for
    units standing more than once in their report (candidates.repeats): one sort of all units."""
    if len(report) == 0:
        return {}
    order = np.lexsort((seq, text_hash, report))
    r, h, q = report[order], text_hash[order], seq[order]
    new = np.r_[True, (r[1:] != r[:-1]) | (h[1:] != h[:-1])]
    group = np.cumsum(new) - 1
    size = np.bincount(group)
    keep = size[group] > 1
    out: dict[tuple[int, int], list[int]] = {}
    for rid, g, s in zip(r[keep].tolist(), group[keep].tolist(), q[keep].tolist()):
        out.setdefault((rid, g), []).append(s)
    return {(rid, idx[0]): (idx if len(idx) <= MAX_REPEATS else idx[:1]) for (rid, _g), idx in out.items()}


def hash_ranges(parts: int = HASH_PARTS, bits: int = 64) -> list[tuple[int, int]]:
    """[lo, hi] ranges (inclusive) covering every signed key of `bits` bits (Params.key_bits),
    the first and last open-ended: together they cover every signed 64-bit integer."""
    edges = [-(1 << (bits - 1)) + (i << bits) // parts for i in range(parts)] + [1 << (bits - 1)]
    edges[0], edges[-1] = -(1 << 63), 1 << 63
    return [(lo, hi - 1) for lo, hi in zip(edges[:-1], edges[1:])]


def read_key_rows(conn, lo: int, hi: int, upto: int | None = None) -> np.ndarray:
    """The band_keys rows with lo <= hash <= hi (of paragraphs with ids up to `upto`, default all)
    as an (n, 2) int64 array (hash, pid)."""
    from sqlalchemy import select

    from fazhi.corpus.models import BandKeyRow as B

    q = select(B.hash, B.paragraph_id).where(B.hash >= lo, B.hash <= hi)
    return int_rows(conn, q if upto is None else q.where(B.paragraph_id <= upto), 2)


Pairs = tuple[np.ndarray, np.ndarray]  # (new, old) paragraph ids, int64, one pair per shared key


def key_pairs(keys: np.ndarray, paras: Paragraphs, cap: int = MAX_BAND_ROWS) -> Pairs:
    """Step 1 on one hash partition, rows (hash, pid): (new, old) paragraph pairs sharing a key, old
    among the `cap` newest rows of that key stored before new's report. One pair per shared key."""
    chunks = list(key_pair_chunks(keys[:, 0], keys[:, 1], paras, cap))
    if not chunks:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks])


PAIR_CHUNK = 1_000_000  # pairs made at a time: a hash range of stock sentences gives tens of millions


def key_pair_chunks(h: np.ndarray, p: np.ndarray, paras: Paragraphs, cap: int = MAX_BAND_ROWS,
                    chunk: int = PAIR_CHUNK):
    """key_pairs on the rows (hash h, paragraph p) of one partition, as (new, old) arrays of about
    `chunk` pairs at a time, so memory holds a chunk's pairs, not the partition's."""
    if len(h) == 0:
        return
    if np.any((h[1:] < h[:-1]) | ((h[1:] == h[:-1]) & (p[1:] < p[:-1]))):
        order = np.lexsort((p, h))
        h, p = h[order], p[order]
    _rid, first = paras.lookup(p)
    group = np.cumsum(np.r_[True, h[1:] != h[:-1]]) - 1
    combo = (group << 32) | p  # sorted, since rows are sorted by (hash, pid) and pids < 2**32
    before = np.searchsorted(combo, (group << 32) | first)  # rows of the key before new's report
    lo = np.maximum(np.searchsorted(group, group), before - cap)
    n = before - lo
    keep = np.flatnonzero(n > 0)
    new_p, lo, n = p[keep], lo[keep], n[keep]
    ends = np.cumsum(n)
    i = 0
    while i < len(n):
        j = max(i + 1, int(np.searchsorted(ends, (ends[i - 1] if i else 0) + chunk, side="right")))
        nn = n[i:j]
        offs = np.repeat(lo[i:j] - (np.cumsum(nn) - nn), nn)  # row of the old paragraph of each pair
        offs += np.arange(len(offs))
        yield np.repeat(new_p[i:j], nn), p[offs]
        i = j


_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


def best_pairs(new: np.ndarray, old: np.ndarray, cap: int = MAX_CANDIDATES) -> Pairs:
    """Step 2 on pairs partitioned by new: shared keys counted, the best `cap` old per new (most
    shared keys, then the newest), in order of new, then rank. Paragraph ids are below 2**32, so
    a pair is one uint64 (new, complement of old): np.unique orders by new, then newest old, and
    counts; one stable sort on (new, complement of the count) ranks each new's candidates."""
    if len(new) == 0:
        return new.astype(np.int64), old.astype(np.int64)
    both, n = np.unique((new.astype(np.uint64) << _SHIFT) | (_LOW - old.astype(np.uint64)), return_counts=True)
    order = np.argsort((both & ~_LOW) | (_LOW - n.astype(np.uint64)), kind="stable")
    both = both[order]
    new_u, old_u = (both >> _SHIFT).astype(np.int64), (_LOW - (both & _LOW)).astype(np.int64)
    at = np.arange(len(new_u))
    rank = at - np.maximum.accumulate(np.where(np.r_[True, new_u[1:] != new_u[:-1]], at, 0))
    keep = rank < cap
    return new_u[keep], old_u[keep]


# ---------------------------------------------------------------- running it
_PARAS: dict[str, tuple[tuple, Paragraphs]] = {}


Stamp = tuple[int, int]  # (highest paragraph id, number of paragraphs) when a links run started


def paragraphs_stamp(conn) -> Stamp:
    """What a links run reads: the paragraphs up to the highest id now (counting 5 million rows
    takes a fraction of a second: done once a run, its tasks are given it)."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import ParagraphRow as P

    top, n = conn.execute(select(func.max(P.id), func.count())).one()
    return (top or 0, n)


def _paragraphs_for(conn, url: str, stamp: Stamp | None = None) -> Paragraphs:
    """Paragraphs of the store up to the run's stamp, loaded once per process and stamp."""
    stamp = stamp or paragraphs_stamp(conn)
    if url not in _PARAS or _PARAS[url][0] != stamp:
        _PARAS.pop(url, None)  # not two tables in memory at once
        _PARAS[url] = (stamp, load_paragraphs(conn, upto=stamp[0]))
    return _PARAS[url][1]


def pairs_of_range(rng: KeySource, url: str, stamp: Stamp | None = None):
    """Step 1 on one hash range, reading the store at `url` (run where the partition lives), as a
    pandas DataFrame (new, old): a partition of linkdask's Dask DataFrame."""
    import pandas as pd

    from fazhi.corpus.batch import _engine

    with _engine(url).connect() as conn:
        stamp = stamp or paragraphs_stamp(conn)
        new, old = key_pairs(key_rows(conn, rng, stamp[0]), _paragraphs_for(conn, url, stamp))
        return pd.DataFrame({"new": new, "old": old})


def key_rows(conn, src: KeySource, upto: int, stored: np.ndarray | None = None) -> np.ndarray:
    """The (hash, pid) rows of one hash range of band_keys, or of a file of sorted keys (a slice's,
    links_dask), of paragraphs with ids up to `upto`; or those of a slice of a build's side file
    whose paragraph id is in `stored` (sorted ids, all up to `upto`; keyslices.slice_keys, which
    also writes them to the slice's file)."""
    if isinstance(src, keyslices.Slice):
        return keyslices.slice_keys(src, stored if stored is not None else np.zeros(0, np.int64))
    if isinstance(src, str):
        keys = np.load(src)
        return keys[keys[:, 1] <= upto]
    return read_key_rows(conn, *src, upto)


def verified_pairs(pairs: Pairs, url: str, min_chars: int, run: str | None = None,
                   stamp: Stamp | None = None) -> LinkRows:
    """Steps 2 and 3 on one partition of pairs by new paragraph. `run`: the links run it belongs to
    (what this process read for the run's other partitions is reused)."""
    from fazhi.corpus.batch import _engine

    with _engine(url).connect() as conn:
        return LinkRows.of(verify_pairs(conn, best_pairs(*pairs), min_chars, _paragraphs_for(conn, url, stamp).repeats,
                                        memo=memo_for(run)))


def matches_of_pairs(pairs, url: str, min_chars: int, run: str | None = None, stamp: Stamp | None = None):
    """verified_pairs on a partition of linkdask's Dask DataFrame (new, old), as a pandas DataFrame."""
    return verified_pairs((pairs["new"].to_numpy(), pairs["old"].to_numpy()), url, min_chars, run, stamp).to_frame()


def match_frame(rows: list[tuple]):
    """Match rows (linkrows.ROW_COLUMNS) as a pandas DataFrame (the Dask DataFrame's meta)."""
    return LinkRows.of(rows).to_frame()


def key_count(conn) -> int:
    """Rows of band_keys."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import BandKeyRow

    return conn.execute(select(func.count()).select_from(BandKeyRow)).scalar_one()


def parts_for(n_keys: int, least: int = HASH_PARTS) -> int:
    """Hash partitions for n_keys band rows: about 500,000 rows each, at least `least`."""
    return max(least, n_keys // 500_000 + 1)


def key_sources(conn, key_bits: int, key_files: list[Path] | None = None) -> tuple[list[KeySource], int]:
    """The partitions step 1 reads, and how many keys they hold: the hash ranges of band_keys, or
    `key_files` (every key of the corpus, sorted, in files of consecutive hash ranges)."""
    if key_files is not None:
        return [str(f) for f in key_files], sum(len(np.load(f, mmap_mode="r")) for f in key_files)
    n_keys = key_count(conn)
    return hash_ranges(parts_for(n_keys), key_bits), n_keys


def links_local(corpus, workdir: str | None = None, runner=None, beside: "MergeBeside | None" = None):
    """Every verified match of the corpus (rows seen from the later report), on numpy, one
    partition at a time: the pairs of each hash range are spilled to bucket files by new paragraph
    (in a temporary folder under `workdir`), then each bucket is counted and verified, so memory
    holds one partition, not the corpus' pairs. With a `runner` whose workers share this machine's
    disk (fazhi.corpus.parallel: local worker processes, or a Dask LocalCluster's) both steps run
    in those processes, one partition a task, each writing its own bucket files: on one machine the
    pairs are shuffled through the disk instead of through Dask's scheduler (linkdask).
    `beside`: a fresh build's keys, read from its side file in slices (keyslices) instead of from
    band_keys, each slice handed to the merge into band_keys (MergeBeside) once read.
    Returns LinkRows: workers send them back as numpy columns, so this process imports no pandas."""
    import tempfile

    url = corpus.engine.url.render_as_string(hide_password=False)
    in_workers = runner is not None and buckets_in_workers(runner, url)
    with corpus.engine.connect() as conn, tempfile.TemporaryDirectory(dir=workdir, prefix="fazhi-links-") as tmp:
        ranges, n_keys = ((beside.sources, beside.n_keys) if beside is not None
                          else key_sources(conn, corpus.params.key_bits))
        buckets = max(NEW_PARTS, 2 * parts_for(n_keys))
        stamp = paragraphs_stamp(conn)
        read = beside.exported if beside is not None else (lambda _src: None)
        if in_workers:
            for r, _n in zip(ranges, runner.map(pairs_to_buckets, ranges, url, tmp, buckets, stamp, per_task=1)):
                read(r)
            parts = list(runner.map(matches_of_bucket, [(tmp, i) for i in range(buckets)], url,
                                     corpus.params.min_chars, stamp, per_task=1))
        else:
            paras, memo = _paragraphs_for(conn, url, stamp), RunMemo()
            for r in ranges:
                spill_range(conn, r, paras, _bucket_files(tmp, buckets, "main"), stamp[0])
                read(r)
            parts = [LinkRows.of(verify_pairs(conn, best_pairs(*unspill(tmp, i)), corpus.params.min_chars,
                                              paras.repeats, memo=memo)) for i in range(buckets)]
    return LinkRows.concat(parts)


def pool_can_read(url: str) -> bool:
    """Whether worker processes on this machine can open the store at `url` (not an in-memory one)."""
    return ":memory:" not in url and url != "sqlite://"


def buckets_in_workers(runner, url: str) -> bool:
    """Whether links_local runs its steps on `runner`'s workers: processes on this machine (a pool,
    or a Dask LocalCluster: Runner.shared_disk) that can open the store at `url`."""
    return runner.kind in ("local", "dask") and runner.shared_disk and pool_can_read(url)


def _bucket_files(folder: str, buckets: int, writer: str) -> list[Path]:
    """The bucket files one process appends to: `<writer>-<bucket>.bin` (never two writers to a file)."""
    return [Path(folder) / f"{writer}-{i}.bin" for i in range(buckets)]


def pairs_to_buckets(rng: KeySource, url: str, folder: str, buckets: int, stamp: Stamp) -> int:
    """Step 1 on one hash range in a worker process, its pairs appended to this process' bucket files."""
    import os

    from fazhi.corpus.batch import _engine

    with _engine(url).connect() as conn:
        return spill_range(conn, rng, _paragraphs_for(conn, url, stamp),
                           _bucket_files(folder, buckets, f"w{os.getpid()}"), stamp[0])


def spill_range(conn, rng: KeySource, paras: Paragraphs, files: list[Path], upto: int) -> int:
    """Step 1 on one hash range (keys of paragraphs up to `upto`), its pairs appended to `files` a
    chunk at a time; returns how many."""
    keys = key_rows(conn, rng, upto, paras.ids)
    n = 0
    for new, old in key_pair_chunks(keys[:, 0], keys[:, 1], paras):
        spill_arrays(new, old, files)
        n += len(new)
    return n


def matches_of_bucket(bucket: tuple[str, int], url: str, min_chars: int, stamp: Stamp | None = None):
    """Steps 2 and 3 on one bucket (every process' file of it), in a worker process."""
    return verified_pairs(unspill(*bucket), url, min_chars, run=bucket[0], stamp=stamp)


def spill_arrays(new: np.ndarray, old: np.ndarray, files: list[Path]) -> None:
    """Append (new, old) pairs to the bucket file of their new paragraph (new mod len(files))."""
    which = new % len(files)
    order = np.argsort(which, kind="stable")
    arr = np.column_stack((new[order], old[order]))
    cuts = np.searchsorted(which[order], np.arange(len(files) + 1))
    for i, f in enumerate(files):
        if cuts[i + 1] > cuts[i]:
            with open(f, "ab") as out:
                out.write(arr[cuts[i]:cuts[i + 1]].tobytes())


def unspill(folder: str, bucket: int) -> Pairs:
    """The pairs of one bucket, from the files every process wrote for it."""
    files = sorted(Path(folder).glob(f"*-{bucket}.bin"))
    arr = np.concatenate([np.fromfile(f, dtype=np.int64) for f in files]) if files else np.zeros(0, np.int64)
    arr = arr.reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def warm_for_links(url: str) -> bool:
    """In a worker, before a links pass: the libraries its steps use imported, the table that
    normalises what they verify built (fazhi.corpus.norms) and the store's paragraphs loaded for
    the pass (its stamp is taken now: the build has stored its last report), each worker once,
    ahead of the pass' tasks (fazhi.corpus.build sends it as soon as its last report is stored,
    while this process slices the keys). False when that failed: the pass itself will say why."""
    import importlib

    try:
        for name in ("rapidfuzz.fuzz", "rapidfuzz.distance.LCSseq"):
            importlib.import_module(name)
        from fazhi.corpus.batch import _engine
        from fazhi.corpus.norms import warm as warm_norms

        warm_norms()  # ~0.1 s, once a process
        with _engine(url).connect() as conn:
            _paragraphs_for(conn, url, paragraphs_stamp(conn))
    except Exception:  # noqa: BLE001 - only a head start
        return False
    return True
