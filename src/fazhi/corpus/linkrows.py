"""What a links pass computes (fazhi.corpus.links): every verified copy match of a corpus, seen from
the later report, as one numpy array per column.

Worker processes send these back and fazhi.corpus.linkstore writes them, so the process that stores
a build's links never imports pandas (~1 CPU s, taken from the workers on a machine whose cores they
keep busy). `to_frame()` gives the pandas DataFrame a researcher or a test wants."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

ROW_COLUMNS = ("report_id", "unit_seq", "start", "end", "other_id", "o_seq", "o_start", "o_end", "similarity")
_DTYPES = {c: np.dtype(np.float64 if c == "similarity" else np.int64) for c in ROW_COLUMNS}


@dataclass(frozen=True)
class LinkRows:
    """Match rows as columns of equal length (ROW_COLUMNS; similarity float64, the rest int64)."""

    columns: dict[str, np.ndarray]

    @classmethod
    def of(cls, rows: Sequence[tuple]) -> "LinkRows":
        """From tuples in ROW_COLUMNS order (what linkverify.verify_pairs gives)."""
        if not rows:
            return cls({c: np.zeros(0, _DTYPES[c]) for c in ROW_COLUMNS})
        return cls({c: np.asarray(col, dtype=_DTYPES[c]) for c, col in zip(ROW_COLUMNS, zip(*rows))})

    @classmethod
    def concat(cls, parts: Iterable["LinkRows"]) -> "LinkRows":
        parts = list(parts)
        if not parts:
            return cls.of([])
        return cls({c: np.concatenate([p.columns[c] for p in parts]) for c in ROW_COLUMNS})

    @classmethod
    def from_frame(cls, frame) -> "LinkRows":
        """From a pandas DataFrame with ROW_COLUMNS (a Dask DataFrame's computed result)."""
        return cls({c: frame[c].to_numpy(dtype=_DTYPES[c]) for c in ROW_COLUMNS})

    def __len__(self) -> int:
        return len(self.columns["report_id"])

    def __getitem__(self, column: str) -> np.ndarray:
        return self.columns[column]

    def take(self, index: np.ndarray) -> "LinkRows":
        """The rows picked by a boolean mask or by positions, in that order."""
        return LinkRows({c: v[index] for c, v in self.columns.items()})

    def tuples(self, columns: Sequence[str], index: np.ndarray | slice = slice(None)) -> list[tuple]:
        """Rows `index` as Python tuples of `columns` (what a database driver binds)."""
        return list(zip(*(self.columns[c][index].tolist() for c in columns)))

    def to_frame(self):
        """A pandas DataFrame of the rows (ROW_COLUMNS)."""
        import pandas as pd

        return pd.DataFrame({c: self.columns[c] for c in ROW_COLUMNS})
