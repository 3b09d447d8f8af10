"""Building a corpus from many files: workers prepare (fazhi.corpus.batch.prepare_file, run by a
fazhi.corpus.parallel.Runner), one writer stores batches of BATCH reports, one transaction each.

Copy matching, two ways (`match_mode`): "each" matches every report as it is stored (workers
against what is stored, the writer against what was stored since); "end", for large builds,
stores the reports unmatched (copies_at NULL) and matches them all at the end in one
`corpus links` pass (a band-key group-by, several times cheaper per report than a query each),
or report by report when they are a small part of the corpus (`link_unmatched`).

Resumable: a report is stored with its paragraphs, band keys (and, matching each, its copy
matches) in its batch's transaction, and a file whose bytes are stored is skipped, so after a kill
(even -9) running the same build again goes on where it stopped; reports left unmatched are
matched at the end of that run. A bad file is reported and the build goes on; a
failure of the store itself (disk full, read-only, unreachable) stops it after the last good batch.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fazhi.corpus.batch import PrepareOptions, Prepared, add_prepared, prepare_file
from fazhi.corpus.mergebeside import MergeBeside

if TYPE_CHECKING:
    from fazhi.corpus.parallel import Runner
    from fazhi.corpus.store import Corpus

BATCH = 50
DEFER_FILES = 1000  # match="auto": from this many files on, match at the end
LINKS_SHARE = 7  # link the whole corpus at once when the unmatched are >= 1/7 of it (the measured
#                  cost of `corpus links` per report against a query per report, bench/RESULTS.md)


@dataclass
class BuildStats:
    added: int = 0
    skipped: int = 0
    failed: int = 0
    stopped: str | None = None  # why the store stopped taking reports (Chinese), None when it did not
    analyse_cpu: float = 0.0  # CPU seconds the workers spent preparing files
    linked: int = 0  # reports matched at the end (match "end")
    link_s: float = 0.0  # seconds that took
    merge_s: float = 0.0  # seconds spent moving the build's band keys into the index (fazhi.corpus.keyspill)
    merged_beside: bool = False  # ... while the links pass ran (MergeBeside), done
    link_failed: str | None = None  # why matching at the end failed (Chinese); the reports are stored


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


def match_mode(mode: str, n_files: int) -> str:
    """"each" or "end" for a build of n_files ("auto": "end" from DEFER_FILES files on)."""
    if mode == "auto":
        return "end" if n_files >= DEFER_FILES else "each"
    return mode


def build(corpus: "Corpus", paths: Iterable[str | Path], runner: "Runner", opts: PrepareOptions, *,
          batch: int = BATCH, on_file: OnFile | None = None, match: str = "each",
          on_link: Callable[[], None] | None = None) -> BuildStats:
    """Store the files' reports; match="end": match them after the last batch (on_link() is
    called when that starts)."""
    import time
    from dataclasses import replace

    from fazhi.corpus.recent import RecentIndex

    stats = BuildStats()
    note = on_file or (lambda *_: None)
    pending: list[Prepared] = []
    at_end = match == "end"
    recent = None if at_end else RecentIndex(limit=max(1000, 4 * batch + 8 * runner.workers))
    spill = None
    if at_end:
        opts = replace(opts, prematch=False, deferred=True)
        spill = _open_spill(corpus)

    def flush() -> None:
        if pending and stats.stopped is None:
            _store(corpus, pending, stats, note, recent, not at_end, spill)
        pending.clear()

    beside = None
    warming: list = []
    try:
        _run(paths, runner, opts, batch, stats, note, pending, flush,
             meanwhile=_import_for_links(corpus, runner) if at_end else None)
        if at_end and stats.stopped is None:
            warming = _warm_workers(corpus, runner)  # before the pass' tasks; held to the end
        if spill is not None and stats.stopped is None:
            beside = MergeBeside.start(corpus, spill)
        if spill is not None and beside is None:
            _merge_spill(corpus, spill, stats)
            spill.close()  # its lock released before the links pass, as it was
        if at_end and stats.stopped is None:
            if on_link is not None:
                on_link()
            t0 = time.perf_counter()
            try:
                stats.linked = link_unmatched(corpus, runner, beside, on_computed=lambda: _let_go(runner, warming))
            except Exception as e:  # noqa: BLE001 - the reports are stored; matching them can be done again
                stats.link_failed = stats.link_failed or _link_failure(e)
            stats.link_s = time.perf_counter() - t0
        warming.clear()  # released once the pass is done
    except BaseException:  # an interrupt: the merge stops, the side file stays for the next open
        if beside is not None:
            beside.stop()
            beside.finish(stats)
            beside = None
        raise
    finally:
        if beside is not None and not beside.finish(stats):  # a slice could not be written
            _merge_spill(corpus, spill, stats)
        if spill is not None:
            spill.close()
    return stats


def _open_spill(corpus: "Corpus"):
    """The side file for the band keys of a build matched at the end (SQLite file stores)."""
    from fazhi.corpus.database import sqlite_path
    from fazhi.corpus.keyspill import open_for_build

    if corpus.engine.dialect.name != "sqlite":
        return None
    return open_for_build(corpus.engine, sqlite_path(corpus.engine.url.render_as_string(hide_password=False)),
                          corpus.params.key_bits)


def _merge_spill(corpus: "Corpus", spill, stats: BuildStats) -> None:
    """Move the build's band keys into the index; when that fails (disk full ...) the side file
    stays, and the next open of the corpus merges it."""
    import time

    from fazhi.corpus.database import failure_line

    t0 = time.perf_counter()
    try:
        spill.merge_into(corpus.engine)
    except Exception as e:  # noqa: BLE001 - one line, the reports are stored
        stats.stopped = stats.stopped or f"写入查重索引失败（{failure_line(e)}）"
    stats.merge_s = time.perf_counter() - t0


def _run(paths, runner: "Runner", opts: PrepareOptions, batch: int, stats: BuildStats, note: OnFile,
         pending: list[Prepared], flush: Callable[[], None], meanwhile: Callable[[], None] | None = None) -> None:
    """Prepare the files on the runner, storing them in batches (flush) as they come; `meanwhile`:
    see Runner.map."""

    for p in runner.map(prepare_file, [str(x) for x in paths], opts, ahead=2 * batch, meanwhile=meanwhile):
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


def _let_go(runner: "Runner", warming: list) -> None:
    """The workers' part of a build done (its links computed): their handles dropped and the
    workers closed in the background while this process stores the links."""
    warming.clear()
    runner.let_go()


def link_unmatched(corpus: "Corpus", runner: "Runner | None" = None, beside: MergeBeside | None = None,
                   on_computed: Callable[[], None] | None = None) -> int:
    """Match the reports stored without copy matches: the whole corpus at once (`corpus links`)
    when they are at least 1/LINKS_SHARE of it, else one by one (Corpus.ensure_copies). The pass
    runs in the runner's workers: with bucket files on this machine's disk when they share it (a
    pool, `--dask local`: links_local), as a Dask DataFrame on a cluster of other machines that
    can read the store (links_dask), else here. Returns how many were matched. `beside`: the
    build's keys, merged as the pass reads them from the side file (MergeBeside; the matches are
    stored once the merge is done). `on_computed()`: called once the pass no longer needs the
    runner."""
    from fazhi.corpus.linkdask import links_dask
    from fazhi.corpus.links import links_local
    from fazhi.corpus.linkstore import store_links

    total, todo, hi = _unmatched(corpus)
    if not todo:
        return 0
    if todo * LINKS_SHARE < total:
        if beside is not None:
            beside.join()
        return corpus.ensure_copies()
    url = corpus.engine.url.render_as_string(hide_password=False)
    if runner is not None and _dask_frames(corpus, runner):
        if beside is not None:
            beside.export_rest()  # its slices' files, read by the Dask DataFrame
        rows = links_dask(corpus, url, key_files=beside.files if beside is not None else None)
    else:
        rows = links_local(corpus, runner=runner, beside=beside)
    if on_computed is not None:
        on_computed()
    if beside is not None:
        beside.join()  # the index complete before the reports are marked matched
    store_links(corpus, rows, upto=hi)
    return todo + corpus.ensure_copies()  # reports another writer stored meanwhile


def _unmatched(corpus: "Corpus") -> tuple[int, int, int]:
    """(reports stored, those without copy matches, highest report id)."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import ReportRow as R

    with corpus.engine.connect() as conn:
        total, hi = conn.execute(select(func.count(), func.max(R.id)).select_from(R)).one()
        todo = conn.execute(select(func.count()).where(R.copies_at.is_(None))).scalar_one()
    return total, todo, hi or 0


def _readable(corpus: "Corpus", runner: "Runner") -> bool:
    return corpus.engine.dialect.name != "sqlite" or runner.shared_disk


def _dask_frames(corpus: "Corpus", runner: "Runner") -> bool:
    """Whether a links pass on this runner is links_dask: a Dask cluster whose workers do not share
    this machine's disk (on one machine, 2,000 reports, 2 workers: links_local's bucket files took
    1.4 s and 0.3 s of this process' CPU, Dask's DataFrame 2.1 s and 0.4 s, and ~1 s to import it,
    bench/RESULTS.md session 13) and can read the store."""
    return runner.kind == "dask" and not runner.shared_disk and _readable(corpus, runner)


def _links_in_workers(corpus: "Corpus", runner: "Runner") -> bool:
    """Whether a links pass of the whole corpus runs on the runner's workers (links_dask, or
    links_local's worker processes)."""
    from fazhi.corpus.links import buckets_in_workers

    return _dask_frames(corpus, runner) or buckets_in_workers(runner, corpus.engine.url.render_as_string(
        hide_password=False))


def _import_for_links(corpus: "Corpus", runner: "Runner") -> Callable[[], None]:
    """What this process imports for a links pass at the end, done while the workers start instead
    of while they wait for the pass' first tasks: Dask's DataFrame (~0.9 s) for links_dask, pandas
    when the pass runs here, nothing when links_local's steps run on the workers (they send back
    numpy columns: fazhi.corpus.linkrows)."""
    if _dask_frames(corpus, runner):
        name = "dask.dataframe"
    elif _links_in_workers(corpus, runner):
        name = None
    else:
        name = "pandas"

    def imports() -> None:
        import importlib

        if name is not None:
            importlib.import_module(name)

    return imports


def _warm_workers(corpus: "Corpus", runner: "Runner") -> list:
    """Have the workers load what a links pass of the whole corpus reads (fazhi.corpus.links
    .warm_for_links) while this process slices the keys: handles to keep until the pass is done."""
    from fazhi.corpus.links import warm_for_links

    if not _links_in_workers(corpus, runner):
        return []
    total, todo, _hi = _unmatched(corpus)
    if not todo or todo * LINKS_SHARE < total:
        return []
    return runner.on_each_worker(warm_for_links, corpus.engine.url.render_as_string(hide_password=False))


def _link_failure(e: Exception) -> str:
    from fazhi.corpus.database import failure_line

    return f"统一查重失败（{failure_line(e)}）；报告已入库，运行 fazhi corpus links 可重新计算重复段落"


def _store(corpus: "Corpus", items: list[Prepared], stats: BuildStats, note: OnFile, recent,
           match: bool = True, spill=None) -> None:
    from fazhi.corpus.database import store_error

    try:
        results = add_prepared(corpus, items, recent, match, spill)
    except Exception as e:  # noqa: BLE001 - find the one report that fails, store the others
        if (stop := store_error(e)) is not None:
            stats.stopped = stop
            return
        for it in items:
            _store_one(corpus, it, stats, note, match, spill)
        return
    for it, (_rid, added) in zip(items, results):
        stats.added += added
        stats.skipped += not added
        note(it.path, "added" if added else "skipped", None)


def _store_one(corpus: "Corpus", it: Prepared, stats: BuildStats, note: OnFile, match: bool = True,
               spill=None) -> None:
    from fazhi.corpus.database import store_error

    if stats.stopped:
        return
    try:
        [(_rid, added)] = add_prepared(corpus, [it], match=match, spill=spill)
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
