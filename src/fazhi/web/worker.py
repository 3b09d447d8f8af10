"""Heavy work in child processes, so one file cannot starve the server: analysing and storing an
upload (fazhi.cycle.filing.analyse_and_store, copy matching included) and computing the
dashboard charts.

Each task runs in a fresh process forked from a `forkserver` that has the analysis modules loaded
(so a task starts in milliseconds, and no server thread is forked), with an address-space limit
(RLIMIT_AS) and a wall-clock limit: past either the process is stopped and the task fails with a
Chinese reason. The child opens its own connection to the database by URL. For an in-memory
database (no URL another process could open) tasks run in the calling thread instead, unbounded.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

PRELOAD = ["fazhi.web.worker", "fazhi.pipeline", "fazhi.ingest", "fazhi.review.checks", "fazhi.corpus.store",
           "fazhi.corpus.matchstore", "fazhi.cycle.filing", "fazhi.render.dashboard"]
_context = None
_context_lock = threading.Lock()


@dataclass(frozen=True)
class TaskLimits:
    seconds: float = 300.0
    memory_mb: int = 2048


def _mp_context():
    global _context
    with _context_lock:
        if _context is None:
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's threads reserve memory per core
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


def in_process(db_url: str) -> bool:
    """Whether tasks on this database must run in the calling thread (an in-memory database)."""
    return db_url in ("sqlite://", "sqlite:///:memory:") or ":memory:" in db_url or "mode=memory" in db_url


def run_task(db_url: str, kind: str, args: tuple, limits: TaskLimits) -> dict[str, Any]:
    """Run task `kind` ("upload", "charts", "copies", "draft") in a child process; {"error": reason} on failure."""
    ctx = _mp_context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, db_url, kind, args, limits.memory_mb), daemon=True)
    proc.start()
    sender.close()
    try:
        deadline = time.monotonic() + limits.seconds
        while True:
            if receiver.poll(0.2):
                try:
                    return receiver.recv()
                except (EOFError, OSError):
                    return {"error": _died(args, limits)}
            if not proc.is_alive() and not receiver.poll(0):
                return {"error": _died(args, limits)}
            if time.monotonic() > deadline:
                return {"error": f"{_name(args)}分析超时（超过 {limits.seconds:g} 秒），已停止。"}
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)


def _name(args: tuple) -> str:
    return f"{args[0]}：" if args and isinstance(args[0], str) else ""


def _died(args: tuple, limits: TaskLimits) -> str:
    return f"{_name(args)}分析进程异常退出（可能超过内存上限 {limits.memory_mb} MB），已停止。"


def _load_libraries() -> None:
    """Load the compiled libraries every task needs before the memory cap: the cap bounds what a
    file makes the analysis use, and a library that cannot be mapped under it would fail as an
    ImportError (an "internal error") instead of a clear memory limit."""
    import numpy  # noqa: F401
    import rapidfuzz.fuzz  # noqa: F401
    import sqlalchemy  # noqa: F401
    import xxhash  # noqa: F401


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):
        pass


def _child(sender, db_url: str, kind: str, args: tuple, memory_mb: int) -> None:
    _load_libraries()
    _limit_memory(memory_mb)
    try:
        result = TASKS[kind](db_url, *args)
    except MemoryError:
        result = {"error": f"{_name(args)}分析所需内存超过上限（{memory_mb} MB），已停止。"}
    except BaseException as e:  # noqa: BLE001 - the parent gets one clear line, never a traceback
        result = {"error": f"{_name(args)}{failure(e)}"}
    try:
        sender.send(result)
    finally:
        sender.close()


def failure(e: BaseException) -> str:
    """A Chinese reason for an exception met while analysing or storing."""
    from fazhi.corpus.database import store_error
    from fazhi.errors import FazhiError

    if isinstance(e, FazhiError):
        return str(e)
    reason = store_error(e)
    return f"无法入库：{reason}。" if reason else "分析或入库时出现内部错误，请把此文件报告给开发者。"


def upload_task(db_url: str, name: str, data: bytes) -> dict[str, Any]:
    """Analyse and store one upload: {"report_id", "added"} or {"error"} (a CycleError's line)."""
    from fazhi.corpus.store import open_corpus
    from fazhi.cycle.errors import CycleError
    from fazhi.cycle.filing import analyse_and_store

    corpus = open_corpus(db_url)
    try:
        rid, added = analyse_and_store(corpus, name, data)
        return {"report_id": rid, "added": added}
    except CycleError as e:
        return {"error": str(e)}
    finally:
        corpus.close()


def charts_task(db_url: str, ids: list[int], reviewer: bool) -> dict[str, Any]:
    """The dashboard charts of reports `ids` (fazhi.render.dashboard)."""
    from fazhi.corpus.store import open_corpus
    from fazhi.web.charts import compute_charts

    corpus = open_corpus(db_url)
    try:
        return {"charts": compute_charts(corpus, ids, reviewer)}
    finally:
        corpus.close()


def copies_task(db_url: str) -> dict[str, Any]:
    """Copy matches of the reports stored before they were kept (Corpus.ensure_copies)."""
    from fazhi.corpus.store import open_corpus

    corpus = open_corpus(db_url)
    try:
        return {"matched": corpus.ensure_copies()}
    finally:
        corpus.close()


def draft_task(db_url: str, name: str, data: bytes) -> dict[str, Any]:
    """A unit's self-check draft: analysed like an upload but never stored in the corpus (issue 14,
    fazhi.cycle.drafts): {"text", "analysis"} or {"error"}. `db_url` is not opened."""
    from fazhi import ingest
    from fazhi.errors import InputError
    from fazhi.pipeline import analyze_document

    try:
        report = analyze_document(ingest.load_bytes(bytes(data), name)).to_dict()
    except InputError as e:
        return {"error": f"{name}：{e.reason}"}
    text = report.pop("text")
    report["copies"] = []  # a draft is matched against nothing
    return {"text": text, "analysis": report}


TASKS = {"upload": upload_task, "charts": charts_task, "copies": copies_task, "draft": draft_task}


def run(db_url: str, corpus, kind: str, args: tuple, limits: TaskLimits) -> dict[str, Any]:
    """A task in a child process, or in this thread for an in-memory database (on `corpus`)."""
    if not in_process(db_url):
        return run_task(db_url, kind, args, limits)
    try:
        if kind == "upload":
            from fazhi.cycle.errors import CycleError
            from fazhi.cycle.filing import analyse_and_store

            try:
                rid, added = analyse_and_store(corpus, *args)
            except CycleError as e:
                return {"error": str(e)}
            return {"report_id": rid, "added": added}
        if kind == "copies":
            return {"matched": corpus.ensure_copies()}
        if kind == "draft":
            return draft_task(db_url, *args)
        from fazhi.web.charts import compute_charts

        return {"charts": compute_charts(corpus, *args)}
    except Exception as e:  # noqa: BLE001
        return {"error": f"{_name(args)}{failure(e)}"}
