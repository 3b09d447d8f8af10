"""Where the per-file work of a corpus build runs: in this process, in a pool of worker processes
on this machine, or on a Dask cluster. Results come back in the order of the files (so a build
gives the same report ids whatever runs it), with a bounded number of files in flight so that
memory stays flat however many files there are; one writer stores them in batches.

    with Runner.local(workers=4) as run:            # or Runner.dask("tcp://host:8786"), Runner.dask("local", 2)
        for prepared in run.map(prepare_file, paths, opts): ...
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any


class Runner:
    """Maps a function over items somewhere, yielding results in order (see the module docstring)."""

    def __init__(self, kind: str, workers: int, submit: Callable | None = None, result: Callable | None = None,
                 close: Callable[[], None] | None = None, shared_disk: bool = True, chunk: int = 1,
                 on_each: Callable | None = None):
        self.kind, self.workers = kind, max(1, workers)
        self.chunk = max(1, chunk)  # items sent as one task (a cluster's cost per task is milliseconds)
        self._submit, self._result, self._close = submit, result, close
        self._on_each = on_each
        self.shared_disk = shared_disk  # workers see this machine's files and SQLite databases
        self._closing: "_Closing | None" = None

    # ------------------------------------------------------------ constructors
    @classmethod
    def inline(cls) -> "Runner":
        return cls("inline", 1)

    @classmethod
    def local(cls, workers: int | None = None) -> "Runner":
        """A pool of `workers` processes (default: the number of cores); 1 works in this process."""
        workers = workers or os.cpu_count() or 1
        if workers <= 1:
            return cls.inline()
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                   initializer=_leave_with_parent, initargs=(os.getpid(),))
        return cls("local", workers, pool.submit, lambda f: f.result(), lambda: pool.shutdown(cancel_futures=True),
                   on_each=lambda fn, *a: [pool.submit(fn, *a) for _ in range(workers)])

    @classmethod
    def dask(cls, address: str, workers: int | None = None) -> "Runner":
        """An existing Dask cluster (scheduler address, e.g. tcp://10.0.0.5:8786) or, for "local", a
        LocalCluster of `workers` processes started here (one thread each) and closed at the end."""
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:
            from fazhi.errors import FazhiError

            raise FazhiError("未安装 Dask：pip install 'fazhi[dask]'") from e
        import logging

        logging.getLogger("distributed").setLevel(logging.ERROR)  # its shuffle notices are not the user's
        cluster = None
        if address == "local":
            import dask

            n = workers or os.cpu_count() or 1
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                # silence_logs: a worker's own log lines (a heartbeat lost while the cluster closes,
                # a task's error the client raises anyway) are not the user's
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.CRITICAL)
                client = Client(cluster)
        else:
            client = Client(address, timeout=30)
        n = max(1, sum(client.nthreads().values()))

        def close() -> None:
            client.close()
            if cluster is not None:
                cluster.close()

        def on_each(fn: Callable, *a: Any) -> list:
            return [client.submit(fn, *a, pure=False, workers=[w], allow_other_workers=False)
                    for w in client.scheduler_info()["workers"]]

        return cls("dask", n, lambda fn, *a: client.submit(fn, *a, pure=False), lambda f: f.result(), close,
                   shared_disk=cluster is not None, chunk=DASK_CHUNK, on_each=on_each)

    # ------------------------------------------------------------ use
    def map(self, fn: Callable, items: Iterable, *args: Any, ahead: int = 0,
            meanwhile: Callable[[], None] | None = None, per_task: int | None = None) -> Iterator:
        """fn(item, *args) for each item, in order; at most max(4 per worker, `ahead`) items in flight
        (in tasks of `per_task` items, default the runner's `chunk`: items that are each seconds of
        work, such as a links pass' partitions, go one a task). `meanwhile()` runs here once the
        first tasks are sent, before their results are awaited: work for this process while the
        workers start."""
        if self._submit is None:
            if meanwhile is not None:
                meanwhile()
            for item in items:
                yield fn(item, *args)
            return
        chunk = self.chunk if per_task is None else max(1, per_task)
        if chunk > 1:
            tasks = _chunks(items, chunk, self.workers)
            for results in self._map(_run_chunk, tasks, fn, *args, ahead=-(-ahead // chunk),
                                     meanwhile=meanwhile):
                yield from results
            return
        yield from self._map(fn, items, *args, ahead=ahead, meanwhile=meanwhile)

    def _map(self, fn: Callable, items: Iterable, *args: Any, ahead: int = 0,
             meanwhile: Callable[[], None] | None = None) -> Iterator:
        window: deque = deque()
        for item in items:
            window.append(self._submit(fn, item, *args))
            if len(window) >= max(4 * self.workers, ahead):
                if meanwhile is not None:
                    meanwhile()
                    meanwhile = None
                yield self._result(window.popleft())
        if meanwhile is not None:
            meanwhile()
        while window:
            yield self._result(window.popleft())

    def on_each_worker(self, fn: Callable, *args: Any) -> list:
        """Start fn(*args) on every worker (a Dask cluster: each worker once; a local pool: one task
        per worker, which the pool gives to whichever is idle), without waiting: handles to `result`
        or to drop. Nothing here for the inline runner."""
        return self._on_each(fn, *args) if self._on_each is not None else []

    def let_go(self) -> None:
        """Start closing the workers in the background, for a caller that sends them nothing more
        and has work of its own left (a build storing its links: a LocalCluster takes ~0.5 s to
        stop its worker processes). `close` waits for it and raises what it raised."""
        if self._close is not None and self._closing is None:
            close, self._close = self._close, None
            self._closing = _Closing(close)

    def close(self) -> None:
        if self._closing is not None:
            closing, self._closing = self._closing, None
            closing.wait()
        if self._close is not None:
            close, self._close = self._close, None
            close()

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# Files a Dask task: the scheduler, the client and the worker each spend ~10 ms a task. 2,000 reports, 1 and 2
# local workers (bench/corpus.py's dask_speedup): 8 → 1.60x (this process 16 CPU s), 16 → 1.65x (14 s),
# 32 → 1.74x and 1.75x (13 and 11 s). 64 (session 18; 2 workers, four runs each, alternately): this process
# 3.1 against 3.5 CPU s a build, all processes 38.7 against 39.9. 64 files are ~1.2 MB of results (the text
# packed as stored, UnitRows) and about a second of a worker's time; the last tasks of a build are smaller
# (_tapered), so the workers still finish together.
DASK_CHUNK = 64
# A LocalCluster (`--dask local`) shares this machine's cores with the client, the scheduler and the
# writer, so its housekeeping is turned down: the workers' statistical profiler samples every 10 ms (a
# sixth of their CPU on this work), and every process checks its event loop every 20 ms and samples the
# system every 0.5 s (idle, 2 workers: 52 ms of CPU a second in this process and 20 in each worker;
# 19 and 7 with these). The memory monitors (the nanny's, in this process, and each worker's) read the
# worker's memory every second instead of every 0.1 s: the limits are the same, checked less often (a
# file is at most --max-bytes); idle, 10.7 → 6.0 ms a second here and 6 → 2-3 in each worker. Work
# stealing is off: every task of a build is a root task, which the scheduler holds until a worker has
# room for it (distributed.scheduler.worker-saturation), so there is nothing to steal, and the balancer
# would still wake every 0.1 s. And the nanny's MALLOC_TRIM_THRESHOLD_=65536 (glibc gives freed memory
# back at once) makes this allocation-heavy work ~11 % slower (the same reports alternately: median
# 28.1 against 25.3 ms): glibc's default is kept.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


class _Closing:
    """A runner's close() running in a thread of its own; `wait` joins it and raises its error."""

    def __init__(self, close: Callable[[], None]):
        import threading

        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(close,), name="fazhi-close-workers", daemon=True)
        self._thread.start()

    def _run(self, close: Callable[[], None]) -> None:
        try:
            close()
        except BaseException as e:  # noqa: BLE001 - raised again by wait(), in the caller's thread
            self._error = e

    def wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _chunks(items: Iterable, n: int, workers: int = 1) -> Iterator[list]:
    """The items in tasks of n. When their count is known and several workers share them, the last
    tasks are smaller (_tapered) so that the workers finish together: with tasks of one size, a
    worker idles for up to a whole task at the end while another does the last one."""
    if workers > 1 and isinstance(items, Sized):
        yield from _tapered(list(items), n, workers)
        return
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _tapered(items: list, n: int, workers: int) -> Iterator[list]:
    """Tasks of n items while more than 2 tasks a worker are left; then each of 1/(2 * workers) of
    what is left, down to n // 4 items (the rest in the last task), the way guided self-scheduling
    does. 2,000 files in tasks of 32 on 2 workers end in tasks of 28, 21, 16, 12, 9, 8, 8, 10."""
    least, at = max(1, n // 4), 0
    while at < len(items):
        left = len(items) - at
        size = max(least, min(n, -(-left // (2 * workers))))
        if left - size < least:
            size = left
        yield items[at:at + size]
        at += size


def _run_chunk(chunk: list, fn: Callable, *args: Any) -> list:
    """Run in a worker: fn over the items of one task."""
    return [fn(item, *args) for item in chunk]


def _leave_with_parent(parent: int) -> None:
    """In a pool worker: exit when the process that started it is gone (killed with -9, say),
    instead of waiting for work for ever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="fazhi-parent-watch").start()
