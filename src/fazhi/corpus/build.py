"""Building a corpus from many files: workers prepare (fazhi.corpus.batch.prepare_file, run by a
fazhi.corpus.parallel.Runner), one writer stores batches of BATCH reports, one transaction each.

Resumable: a report is stored with its paragraphs, band keys and copy matches in its batch's
transaction, and a file whose bytes are stored is skipped, so after a kill (even -9) running the
same build again goes on where it stopped. A bad file is reported and the build goes on; a
failure of the store itself (disk full, read-only, unreachable) stops it after the last good batch.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fazhi.corpus.batch import PrepareOptions, Prepared, add_prepared, prepare_file

if TYPE_CHECKING:
    from fazhi.corpus.parallel import Runner
    from fazhi.corpus.store import Corpus

BATCH = 50


@dataclass
class BuildStats:
    added: int = 0
    skipped: int = 0
    failed: int = 0
    stopped: str | None = None  # why the store stopped taking reports (Chinese), None when it did not
    analyse_cpu: float = 0.0  # CPU seconds the workers spent preparing files


# on_file(path, outcome, reason): outcome "added" | "skipped" | "failed"
OnFile = Callable[[str, str, str | None], None]


def worker_options(corpus: "Corpus", runner: "Runner", *, max_bytes: int, ocr: bool) -> PrepareOptions:
    """What the workers get: the store's URL when they can read it (a server database, or a SQLite
    file on this machine's disk when they run here), so they match reports before the writer does."""
    from fazhi.corpus.database import sqlite_path

    url = corpus.engine.url.render_as_string(hide_password=False)
    sqlite = corpus.engine.dialect.name == "sqlite"
    readable = not sqlite or (runner.shared_disk and sqlite_path(url) is not None)
    return PrepareOptions(url if readable else None, corpus.params.to_dict(), max_bytes, ocr, prematch=readable)


def build(corpus: "Corpus", paths: Iterable[str | Path], runner: "Runner", opts: PrepareOptions, *,
          batch: int = BATCH, on_file: OnFile | None = None) -> BuildStats:
    from fazhi.corpus.recent import RecentIndex

    stats = BuildStats()
    note = on_file or (lambda *_: None)
    pending: list[Prepared] = []
    recent = RecentIndex(limit=max(1000, 4 * batch + 8 * runner.workers))

    def flush() -> None:
        if pending and stats.stopped is None:
            _store(corpus, pending, stats, note, recent)
        pending.clear()

    for p in runner.map(prepare_file, [str(x) for x in paths], opts, ahead=2 * batch):
        stats.analyse_cpu += p.cpu
        if p.stop:
            flush()
            stats.stopped = stats.stopped or p.stop
            break
        if p.error:
            stats.failed += 1
            note(p.path, "failed", p.error)
        elif p.stored_id is not None:
            stats.skipped += 1
            note(p.path, "skipped", None)
        else:
            pending.append(p)
            if len(pending) >= batch:
                flush()
        if stats.stopped:
            break
    flush()
    return stats


def _store(corpus: "Corpus", items: list[Prepared], stats: BuildStats, note: OnFile, recent) -> None:
    from fazhi.corpus.database import store_error

    try:
        results = add_prepared(corpus, items, recent)
    except Exception as e:  # noqa: BLE001 - find the one report that fails, store the others
        if (stop := store_error(e)) is not None:
            stats.stopped = stop
            return
        for it in items:
            _store_one(corpus, it, stats, note)
        return
    for it, (_rid, added) in zip(items, results):
        stats.added += added
        stats.skipped += not added
        note(it.path, "added" if added else "skipped", None)


def _store_one(corpus: "Corpus", it: Prepared, stats: BuildStats, note: OnFile) -> None:
    from fazhi.corpus.database import store_error

    if stats.stopped:
        return
    try:
        [(_rid, added)] = add_prepared(corpus, [it])
    except Exception as e:  # noqa: BLE001
        if (stop := store_error(e)) is not None:
            stats.stopped = stop
            return
        stats.failed += 1
        note(it.path, "failed", "入库失败（程序内部错误）")
        return
    stats.added += added
    stats.skipped += not added
    note(it.path, "added" if added else "skipped", None)
