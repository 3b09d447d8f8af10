"""A fresh build's band keys merged into band_keys beside its links pass (fazhi.corpus.build): the
pass reads the side file (fazhi.corpus.keyspill) in slices (fazhi.corpus.keyslices), writing each
slice's keys sorted to a file of its own, and a thread of the build's process inserts each file
as soon as its slice is read."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fazhi.corpus.build import BuildStats
    from fazhi.corpus.keyslices import Slice
    from fazhi.corpus.store import Corpus

_STOP = object()  # MergeBeside: a slice could not be written; the side file is merged the usual way


class _Stopped(Exception):
    pass


class MergeBeside:
    """A fresh build's band keys merged while its links pass runs. The pass' first step reads the
    side file in `sources` (slices of consecutive hash ranges, keyslices.slices), in the worker
    processes that run it; each writes its slice's keys, sorted, to a file in a temporary folder
    and the pass hands the slice over (`exported`) once that is done; a thread of this process
    inserts the file into band_keys meanwhile (keyspill.merge_files; SQLite does the inserts with
    the GIL released). The merge (118 s at 100,000 reports) no longer waits for the links pass
    nor the links pass for it, and no process reads the whole side file alone before the pass can
    start. Slices the pass did not read (it failed, or it is not the pass that reads slices) are
    read here (`export_rest`). Only when band_keys is empty (every key of the corpus is in the
    side file). The folder is made beside the database: the workers of a Dask cluster that reads
    a SQLite corpus see it (Runner.shared_disk)."""

    def __init__(self, corpus: "Corpus", spill, folder: str, sources: "list[Slice]", n_keys: int):
        import queue
        import threading

        self.corpus, self.spill, self.folder = corpus, spill, folder
        self.sources, self.n_keys = sources, n_keys
        self.error: BaseException | None = None
        self.t0 = 0.0
        self._handed: set = set()  # slices whose file the merge has been given
        self._lock = threading.Lock()
        self._stopped = False  # a slice could not be written: the side file is merged the usual way
        self._exported: queue.SimpleQueue = queue.SimpleQueue()  # files, then None (all) or _STOP
        self._thread = threading.Thread(target=self._merge, name="fazhi-merge-keys", daemon=True)

    @classmethod
    def start(cls, corpus: "Corpus", spill) -> "MergeBeside | None":
        """Started on the side file of `spill` (merging nothing until the first slice is handed
        over); None when band_keys has rows, or the side file cannot be sliced (it is merged the
        usual way, which says why)."""
        import shutil
        import tempfile
        import time

        from sqlalchemy import select

        from fazhi.corpus.keyslices import slices
        from fazhi.corpus.models import BandKeyRow

        if not spill.path.exists():
            return None
        t0 = time.perf_counter()
        folder = None
        try:
            with corpus.engine.connect() as conn:
                if conn.execute(select(BandKeyRow.hash).limit(1)).first() is not None:
                    return None
            spill.close_file()
            folder = tempfile.mkdtemp(prefix=".fazhi-keys-", dir=spill.path.parent)
            sources, n_keys = slices(spill.path, Path(folder))
        except Exception:  # noqa: BLE001 - merged the usual way (which says why)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            return None
        if not sources:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        merging = cls(corpus, spill, folder, sources, n_keys)
        merging.t0 = t0
        merging._thread.start()
        return merging

    @property
    def files(self) -> list[Path]:
        """Every slice's file, in key order (all written once `export_rest` has returned)."""
        return [Path(s.out) for s in self.sources]

    def exported(self, s: "Slice") -> None:
        """The slice's file is written (keyslices.slice_keys): the merge takes it."""
        with self._lock:
            if s in self._handed or self._stopped:
                return
            self._handed.add(s)
            self._exported.put(Path(s.out))
            if len(self._handed) == len(self.sources):
                self._exported.put(None)

    def export_rest(self) -> None:
        """The slices not handed over yet read here and handed over; when one cannot be written
        (disk full ...) the merge stops and the error is raised (finish: the usual merge)."""
        from fazhi.corpus.keyslices import slice_keys, stored_ids

        rest = [s for s in self.sources if s not in self._handed]
        if not rest or self._stopped:
            return
        try:
            stored = stored_ids(self.corpus.engine)
            for s in rest:
                slice_keys(s, stored)
                self.exported(s)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the merge where it is (what it merged stays merged; the side file stays)."""
        with self._lock:
            if not self._stopped and len(self._handed) < len(self.sources):
                self._stopped = True
                self._exported.put(_STOP)

    def _files(self) -> Iterable[Path]:
        """The slices' files as they come; _Stopped when the merge was stopped (the side file stays)."""
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
        """The rest of the slices read, the merge waited for; raise what stopped it."""
        self.export_rest()
        self._thread.join()
        if self.error is not None:
            raise self.error

    def finish(self, stats: BuildStats) -> bool:
        """The rest of the slices read and the merge waited for; its time (from `start` on) and any
        failure noted, the folder removed. False when a slice could not be written (the side file
        is to be merged the usual way)."""
        import shutil
        import time

        from fazhi.corpus.database import failure_line

        try:
            self.export_rest()
        except Exception:  # noqa: BLE001 - the usual merge says why, if it fails too
            pass
        self._thread.join()
        stats.merge_s = time.perf_counter() - self.t0
        if self.error is not None:
            stats.stopped = stats.stopped or f"写入查重索引失败（{failure_line(self.error)}）"
        stats.merged_beside = self.error is None and not self._stopped
        shutil.rmtree(self.folder, ignore_errors=True)
        return not self._stopped
