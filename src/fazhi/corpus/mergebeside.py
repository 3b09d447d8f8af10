"""A fresh build's band keys merged into band_keys beside its links pass (fazhi.corpus.build):
the side file (fazhi.corpus.keyspill) exported as sorted files, merged by a thread of the
build's process while the pass reads the same files."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fazhi.corpus.build import BuildStats
    from fazhi.corpus.store import Corpus

_STOP = object()  # MergeBeside: the export failed


class _Stopped(Exception):
    pass


class MergeBeside:
    """A fresh build's band keys merged into band_keys while its links pass runs: the side file's
    keys are written sorted, in files of consecutive hash ranges, to a temporary folder
    (keyspill.export_sorted); the links pass reads them there (links_local's key_files) and a
    thread of this process inserts them into band_keys meanwhile (keyspill.merge_files; SQLite
    does the inserts with the GIL released), starting on each file as soon as it is written. The
    merge (118 s at 100,000 reports) no longer waits for the links pass nor the links pass for
    it. Only when band_keys is empty (every key of the corpus is in the side file). The folder
    is made beside the database: a Dask cluster that reads a SQLite corpus sees its folder
    (Runner.shared_disk)."""

    def __init__(self, corpus: "Corpus", spill, folder: str):
        import queue
        import threading

        self.corpus, self.spill, self.folder = corpus, spill, folder
        self.files: list[Path] = []  # all of them once the export is done
        self.error: BaseException | None = None
        self.t0 = 0.0
        self._exported: queue.SimpleQueue = queue.SimpleQueue()  # files, then None (all) or _STOP
        self._thread = threading.Thread(target=self._merge, name="fazhi-merge-keys", daemon=True)

    @classmethod
    def start(cls, corpus: "Corpus", spill) -> "MergeBeside | None":
        import shutil
        import tempfile
        import time

        from sqlalchemy import select

        from fazhi.corpus.keyspill import export_sorted
        from fazhi.corpus.models import BandKeyRow

        if not spill.path.exists():
            return None
        t0 = time.perf_counter()
        try:
            with corpus.engine.connect() as conn:
                if conn.execute(select(BandKeyRow.hash).limit(1)).first() is not None:
                    return None
            spill.close_file()
            folder = tempfile.mkdtemp(prefix=".fazhi-keys-", dir=spill.path.parent)
        except Exception:  # noqa: BLE001 - merged the usual way (which says why)
            return None
        merging = cls(corpus, spill, folder)
        merging.t0 = t0
        merging._thread.start()
        try:
            merging.files = export_sorted(corpus.engine, spill.path, Path(folder), on_file=merging._exported.put)
        except BaseException as e:  # disk full ...: merged the usual way (which says why)
            merging._exported.put(_STOP)  # what it merged is merged again (INSERT OR IGNORE)
            merging._thread.join()
            shutil.rmtree(folder, ignore_errors=True)
            if not isinstance(e, Exception):  # an interrupt: the thread stopped, then it goes on
                raise
            return None
        merging._exported.put(None)
        return merging

    def _files(self) -> Iterable[Path]:
        """The exported files as they come; _Stopped when the export failed (the side file stays)."""
        while (f := self._exported.get()) is not None:
            if f is _STOP:
                raise _Stopped
            yield f

    def _merge(self) -> None:
        from fazhi.corpus.keyspill import merge_files

        try:
            merge_files(self.corpus.engine, self._files(), self.spill.path)
        except _Stopped:
            pass
        except BaseException as e:  # noqa: BLE001 - reported by join
            self.error = e

    def join(self) -> None:
        """Wait for the merge; raise what stopped it."""
        self._thread.join()
        if self.error is not None:
            raise self.error

    def finish(self, stats: BuildStats) -> None:
        """Wait for the merge, note its time (from the export on) and any failure, remove the folder."""
        import shutil
        import time

        from fazhi.corpus.database import failure_line

        self._thread.join()
        stats.merge_s = time.perf_counter() - self.t0
        if self.error is not None:
            stats.stopped = stats.stopped or f"写入查重索引失败（{failure_line(self.error)}）"
        stats.merged_beside = self.error is None
        shutil.rmtree(self.folder, ignore_errors=True)
