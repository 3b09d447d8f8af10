"""A fresh build's side file of band keys (fazhi.corpus.keyspill) read in slices by its links pass.

A build matched at the end links its reports from the keys in its side file while a thread of
its process merges them into band_keys (fazhi.corpus.mergebeside). The side file's hash ranges
are grouped in slices of consecutive ranges (`slices`); each slice is one partition of the
links pass' first step, read by whichever process runs that step (`slice_keys`: a worker, on
this machine's disk), which keeps only the keys of stored paragraphs, sorts them and also
writes them to the slice's own .npy file, for the merge to insert. The side file used to be
exported to such files by this process alone before the pass could start (27 s at 100,000
reports, with the workers idle).
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np

from fazhi.corpus.keyspill import PARTS, stored_sorted

SLICE_ROWS = 500_000  # keys a slice holds, about (a partition of band_keys holds as many) ...
LEAST_SLICES = 16  # ... unless that makes fewer slices than this (a small build: work for every worker)


@dataclass(frozen=True)
class Slice:
    """The side file's hash ranges `first` to `last` (keyspill.PARTS of them, in key order): one
    partition of a links pass, whose keys are written to `out` for the merge."""

    path: str  # the side file
    first: int
    last: int
    out: str  # the .npy file its keys go to, (n, 2) int64 (hash, paragraph id) sorted


def slices(path: Path, folder: Path, rows: int = SLICE_ROWS, least: int = LEAST_SLICES) -> tuple[list[Slice], int]:
    """The side file at `path` in up to max(least, its keys / rows) slices of consecutive hash
    ranges (at most one a range), cut where the keys before reach the next share of them, their
    files in `folder`; and how many keys it holds (some may be of paragraphs never stored)."""
    with closing(_open(path)) as conn:
        counts = dict(conn.execute("SELECT part, sum(length(keys)) / 16 FROM batches GROUP BY part"))
    total = sum(counts.values())
    n = max(1, min(PARTS, max(least, total // rows)))
    out: list[Slice] = []
    first, before = 0, 0
    for part in range(PARTS):
        before += counts.get(part, 0)
        if part == PARTS - 1 or (before * n >= total * (len(out) + 1) and before > 0):
            out.append(Slice(str(path), first, part, str(folder / f"keys-{len(out):03d}.npy")))
            first = part + 1
    return out, total


def slice_keys(s: Slice, stored: np.ndarray) -> np.ndarray:
    """The slice's keys whose paragraph id is in `stored` (sorted ids), sorted by (hash, paragraph
    id), as an (n, 2) int64 array, also written to the slice's file."""
    with closing(_open(Path(s.path))) as conn:
        blobs = [b for (b,) in conn.execute("SELECT keys FROM batches WHERE part BETWEEN ? AND ?", (s.first, s.last))]
    arr = stored_sorted(blobs, stored)
    np.save(s.out, arr)
    return arr


def stored_ids(engine) -> np.ndarray:
    """The ids of the corpus' paragraphs, sorted (what `slice_keys` keeps keys of, in this process)."""
    from sqlalchemy import select

    from fazhi.corpus.links import int_rows
    from fazhi.corpus.models import ParagraphRow as P

    with engine.connect() as conn:
        return int_rows(conn, select(P.id).order_by(P.id), 1).reshape(-1)


def _open(path: Path) -> sqlite3.Connection:
    """The side file, read only where it is (never made empty: a slice read after the merge removed it
    fails instead)."""
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=rw", uri=True)
