"""Queueing uploads (fazhi.web.uploads) for the page and the API, and the job state the upload
page polls: GET /api/jobs/{job_id}."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from fazhi.web.auth import check_id, client_ip, current_user

router = APIRouter(prefix="/api", tags=["api"])


def upload_source(request: Request) -> dict:
    return {"ip": client_ip(request), "ua": request.headers.get("user-agent")}


async def enqueue(request: Request, user: dict, files: list[tuple], unit_id: int | None,
                  year: int | None, new_unit: bool = False) -> list[Any]:
    """Queue every file: a Job each, or {"filename", "error"} for a file refused before analysis
    (permissions, the year, a quota: audited). A reviewer's file whose issuer is no known unit waits
    for the reviewer's choice (result "needs_unit") unless `new_unit` says to make the unit."""
    from fazhi.cycle import CycleError
    from fazhi.web.uploads import QuotaExceeded

    queue = request.app.state.uploads
    cycle = queue.cycle
    if unit_id is not None and (not isinstance(unit_id, int) or not 0 < unit_id < 2**31):
        unit_id = -1  # no such unit: refused below with the usual message
    out: list[Any] = []
    for name, data, *refused in files:
        if refused and refused[0]:
            await run_in_threadpool(cycle.refused, user, name, refused[0])
            out.append({"filename": name, "error": refused[0]})
            continue
        try:
            actor, target = await run_in_threadpool(cycle.prepare_upload, user, name, unit_id, year)
            out.append(queue.submit(actor, name, data, target, year, upload_source(request), ask_unit=not new_unit))
        except CycleError as e:
            out.append({"filename": name, "error": str(e)})
        except QuotaExceeded as e:
            await run_in_threadpool(cycle.audit, user, "rate.limited", f"file:{name}"[:255],
                                    {"filename": name, "reason": str(e)})
            out.append({"filename": name, "error": str(e), "status": 429})
    return out


async def finished(request: Request, queued: list[Any]) -> list[dict[str, Any]]:
    """Every queued file's result, in order (waiting without blocking the event loop)."""
    from fazhi.web.uploads import Job

    jobs = [q for q in queued if isinstance(q, Job)]
    done = dict(zip((j.id for j in jobs), await request.app.state.uploads.wait(jobs)))
    return [{**done[q.id], "filename": q.filename} if isinstance(q, Job) else q for q in queued]


async def read_files(files) -> list[tuple[str, bytes | None, str | None]]:
    """(name, bytes, None) per uploaded file, or (name, None, reason) for one over the size limit —
    refused from its size before it is read into memory (the upload itself waits on disk)."""
    from fazhi.pipeline import DEFAULT_MAX_BYTES

    out = []
    for f in files:
        name = f.filename or "upload.txt"
        size = getattr(f, "size", None)
        if size is not None and size > DEFAULT_MAX_BYTES:
            out.append((name, None, f"{name}：文件过大（{size / 2**20:.1f} MB，上限 {DEFAULT_MAX_BYTES / 2**20:.1f} MB）"))
        else:
            out.append((name, await f.read(), None))
    return out


def job_list(queued: list[Any]) -> list[dict[str, Any]]:
    from fazhi.web.uploads import Job

    return [{**q.public(), "url": f"/api/jobs/{q.id}"} if isinstance(q, Job) else q for q in queued]


@router.get("/jobs/{job_id}", summary="一个上传任务的进度：排队中、分析中、完成、失败（仅上传者本人可见）")
def job_state(request: Request, job_id: str) -> dict[str, Any]:
    if len(job_id) > 64:
        raise HTTPException(404, "没有这个上传任务。")
    found = request.app.state.uploads.job(job_id, current_user(request))
    if found is None:
        raise HTTPException(404, "没有这个上传任务。")
    return found


def form_ids(form, reviewer: bool) -> tuple[int | None, int | None]:
    """unit_id and year given on an upload form (only reviewers choose the unit); numbers only,
    an out-of-range unit id is an unknown unit (refused), a year is checked when filing."""
    unit = str(form.get("unit_id") or "").strip()
    year = str(form.get("year") or "").strip()
    unit_id = (int(unit) if unit.isdigit() and len(unit) < 12 else -1) if reviewer and unit else None
    if unit_id is not None and unit_id != -1:
        try:
            check_id(unit_id)
        except HTTPException:
            unit_id = -1
    return unit_id, (int(year) if year.isdigit() and len(year) < 6 else (-1 if year else None))
