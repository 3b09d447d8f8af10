"""`corpus links` on a Dask cluster (fazhi.corpus.links' steps as a Dask DataFrame): the band keys
partitioned by hash range, read by the workers from the store (or from a build's sorted key
files); the (new, old) pairs shuffled on the new paragraph; best candidates and verification per
partition. Used by `corpus links --dask` and by a build matched at the end on a cluster of other
machines (a LocalCluster's workers share this machine's disk and shuffle through bucket files:
links.links_local)."""
from __future__ import annotations

from pathlib import Path

from fazhi.corpus.linkrows import LinkRows
from fazhi.corpus.links import (key_sources, match_frame, matches_of_pairs, pairs_of_range, paragraphs_stamp,
                                parts_for)


def links_dask(corpus, url: str, key_files: list[Path] | None = None):
    """The same on a Dask cluster (the current distributed Client): a Dask DataFrame of band keys
    partitioned by hash range, read by the workers from the store (or from `key_files`, see
    links_local, in a folder the workers see); pairs shuffled on the new paragraph; best
    candidates and verification per partition. Returns LinkRows, as links_local does."""
    import uuid

    import dask
    import dask.dataframe as dd
    import pandas as pd

    with corpus.engine.connect() as conn:
        stamp = paragraphs_stamp(conn)
        sources, n_keys = key_sources(conn, corpus.params.key_bits, key_files)
    pair_meta = pd.DataFrame({"new": pd.Series([], dtype="int64"), "old": pd.Series([], dtype="int64")})
    pairs = dd.from_map(pairs_of_range, sources, url=url, stamp=stamp, meta=pair_meta, enforce_metadata=False)
    with dask.config.set({"dataframe.shuffle.method": shuffle_method(n_keys)}):
        pairs = pairs.shuffle("new", npartitions=pair_parts(n_keys))
        run = uuid.uuid4().hex
        rows = pairs.map_partitions(matches_of_pairs, url, corpus.params.min_chars, run, stamp, meta=match_frame([]))
        return LinkRows.from_frame(rows.compute())


TASKS_SHUFFLE_KEYS = 4_000_000  # up to this many band keys (~10 million pairs), Dask's in-memory shuffle


def shuffle_method(n_keys: int) -> str:
    """Dask's shuffle of the pairs: "tasks" (in memory, no start-up) for a small corpus, else "p2p"
    (spilled to disk, for pairs larger than the workers' memory). 2,000 reports, 1.6 million keys,
    2 local workers: ~0.2 s less with tasks (bench/RESULTS.md, session 12)."""
    return "tasks" if n_keys <= TASKS_SHUFFLE_KEYS else "p2p"


def pair_parts(n_keys: int) -> int:
    """Partitions of the pairs by new paragraph: two per ~500,000 band keys (as links_local's
    buckets), at least 8."""
    return max(8, 2 * parts_for(n_keys, least=1))
