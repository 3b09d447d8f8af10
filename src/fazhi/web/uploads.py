"""The upload queue: every uploaded file becomes a job, analysed in a child process (fazhi.web.worker)
by one of `workers` dispatcher threads, then filed into its unit's submission (Cycle.file_upload).
The event loop never analyses: a route only queues jobs and waits for them asynchronously, or
returns their ids for the page to poll (GET /api/jobs/{id}: 排队中 → 分析中 → 完成 / 失败).

Bounds, per `UploadLimits`: the number of jobs waiting or running (all accounts, and per account)
and the bytes they hold, uploads per account per hour and bytes per account per day; beyond them an upload is refused
with 429 and an audit row. Per file: the child's time and memory limits (TaskLimits). Jobs are
kept in memory for JOB_TTL after they finish.
"""
from __future__ import annotations

import asyncio
import queue
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fazhi.web.worker import TaskLimits, run

JOB_TTL = 3600.0
STATE_LABELS = {"queued": "排队中", "running": "分析中", "done": "完成", "failed": "失败"}


@dataclass(frozen=True)
class UploadLimits:
    workers: int = 1
    queue: int = 60  # jobs waiting or running, all accounts
    queue_bytes: int = 512 * 1024**2  # bytes of the files waiting or running, all accounts
    per_account: int = 20  # jobs waiting or running per account
    per_hour: int = 200  # uploads per account per hour
    bytes_per_day: int = 2 * 1024**3  # per account
    task: TaskLimits = field(default_factory=TaskLimits)


class QuotaExceeded(Exception):
    """An upload refused by a limit (the message is Chinese)."""


@dataclass
class Job:
    id: str
    user: dict
    filename: str
    data: bytes
    unit_id: int | None
    year: int | None
    source: dict  # the request's audit source (address, browser)
    state: str = "queued"
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    ask_unit: bool = False  # an issuer that is no known unit waits for the reviewer's choice (fazhi.cycle.org_filing)

    def public(self, position: int | None = None) -> dict[str, Any]:
        """What the owner may see of the job (no bytes)."""
        out: dict[str, Any] = {"job_id": self.id, "filename": self.filename, "state": self.state,
                               "state_label": STATE_LABELS[self.state]}
        if self.state == "queued" and position is not None:
            out["ahead"] = position
        if self.started is not None:
            out["seconds"] = round((self.finished or time.monotonic()) - self.started, 1)
        if self.result is not None:
            out.update(self.result)
        return out


class UploadQueue:
    def __init__(self, cycle, db_url: str, limits: UploadLimits | None = None):
        self.cycle = cycle
        self.db_url = db_url
        self.limits = limits or UploadLimits()
        self._jobs: dict[str, Job] = {}
        self._waiting: queue.Queue[Job] = queue.Queue()
        self._order: deque[str] = deque()
        self._history: dict[int, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ submitting
    def submit(self, user: dict, filename: str, data: bytes, unit_id: int | None, year: int | None,
               source: dict, ask_unit: bool = False) -> Job:
        """Queue one file; QuotaExceeded when a limit refuses it. `ask_unit`: see Cycle.file_upload."""
        with self._lock:
            self._sweep()
            self._check(user, len(data))
            job = Job(secrets.token_urlsafe(12), user, filename, data, unit_id, year, source, ask_unit=ask_unit)
            self._jobs[job.id] = job
            self._order.append(job.id)
            self._history.setdefault(user["id"], deque()).append((time.time(), len(data)))
        self._start_threads()
        self._waiting.put(job)
        return job

    def _check(self, user: dict, size: int) -> None:
        active = [j for j in self._jobs.values() if j.state in ("queued", "running")]
        if len(active) >= self.limits.queue:
            raise QuotaExceeded(f"服务器正在分析的文件已达上限（{self.limits.queue} 份），请稍后再上传。")
        if sum(len(j.data) for j in active) + size > self.limits.queue_bytes:
            raise QuotaExceeded("服务器待分析的文件总量已达上限，请稍后再上传。")
        if sum(1 for j in active if j.user["id"] == user["id"]) >= self.limits.per_account:
            raise QuotaExceeded(f"您已有 {self.limits.per_account} 份文件在排队或分析中，请等其完成后再上传。")
        now = time.time()
        past = self._history.get(user["id"], deque())
        while past and past[0][0] < now - 86400:
            past.popleft()
        if sum(1 for t, _ in past if t > now - 3600) >= self.limits.per_hour:
            raise QuotaExceeded(f"一小时内上传已达上限（{self.limits.per_hour} 份），请稍后再试。")
        if sum(b for _, b in past) + size > self.limits.bytes_per_day:
            raise QuotaExceeded(f"今日上传总量已达上限（{self.limits.bytes_per_day // 1024**2} MB），请明天再试。")

    def _sweep(self) -> None:
        cutoff = time.monotonic() - JOB_TTL
        for jid in [j.id for j in self._jobs.values() if j.finished and j.finished < cutoff]:
            del self._jobs[jid]

    # ------------------------------------------------------------ reading
    def job(self, job_id: str, user: dict | None) -> dict[str, Any] | None:
        """The job as its owner sees it (None for anyone else or an unknown id)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or user is None or job.user["id"] != user["id"]:
                return None
            ahead = None
            if job.state == "queued":
                ahead = sum(1 for jid in self._order if jid != job.id and self._jobs.get(jid) is not None
                            and self._jobs[jid].state == "queued" and self._jobs[jid].created < job.created)
            return job.public(ahead)

    async def wait(self, jobs: list[Job]) -> list[dict[str, Any]]:
        """The results of jobs once all finished, waiting without blocking the event loop."""
        delay = 0.02
        while any(j.finished is None for j in jobs):
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.5)
        return [j.public() for j in jobs]

    # ------------------------------------------------------------ working
    def _start_threads(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self.limits.workers:
                t = threading.Thread(target=self._work, name="fazhi-upload", daemon=True)
                t.start()
                self._threads.append(t)

    def _work(self) -> None:
        while True:
            job = self._waiting.get()
            try:
                self._process(job)
            except Exception as e:  # noqa: BLE001 - a job never takes its thread down
                from fazhi.web.worker import failure

                self._finish(job, {"error": f"{job.filename}：{failure(e)}"})

    def _process(self, job: Job) -> None:
        from fazhi.cycle.audit import set_request_source
        from fazhi.cycle.errors import CycleError

        set_request_source(job.source.get("ip"), job.source.get("ua"))
        with self._lock:
            job.state, job.started = "running", time.monotonic()
        out = run(self.db_url, self.cycle.corpus, "upload", (job.filename, job.data), self.limits.task)
        if "error" in out:
            self.cycle.refused(job.user, job.filename, out["error"])
            self._finish(job, {"error": out["error"]})
            return
        try:
            filed = self.cycle.file_upload(job.user, job.filename, job.data, out["report_id"], out["added"],
                                           job.unit_id, job.year, ask_unit=job.ask_unit)
        except CycleError as e:
            self._finish(job, {"error": str(e)})
            return
        self._finish(job, {**filed, "url": f"/reports/{filed['report_id']}"})

    def _finish(self, job: Job, result: dict[str, Any]) -> None:
        with self._lock:
            job.result = result
            job.state = "failed" if "error" in result else "done"
            job.finished = time.monotonic()
            job.data = b""
            try:
                self._order.remove(job.id)
            except ValueError:
                pass
