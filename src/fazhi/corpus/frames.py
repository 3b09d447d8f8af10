"""pandas and Dask views of a corpus for researchers (filled in by issue 15, item 5)."""
from __future__ import annotations


class CorpusFrames:
    """Mixin of `fazhi.corpus.store.Corpus`: tables as pandas / Dask DataFrames, Parquet export."""
