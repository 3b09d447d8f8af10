"""The JSON API under /api, mirroring the pages (documented at /docs).

Reads: session cookie or HTTP Basic. Writes (POST): the session plus an `X-CSRF-Token` header
(value from GET /api/me), or HTTP Basic. Reports the caller may not read answer 404.
"""
from __future__ import annotations

from typing import Any

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from fazhi.web import views
from fazhi.web.auth import (MAX_ID, api_write_user, csrf_token, current_user, cycle_call, cycle_of, require_reviewer,
                            require_user)
from fazhi.web.routes_pages import corpus_of, readable_report, visible_submission

router = APIRouter(prefix="/api", tags=["api"])
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]
Year = Annotated[int | None, Query(ge=1900, le=2100, description="报告年度")]


class CommentIn(BaseModel):
    start: int = Field(ge=0, description="批注起点（报告 text 的字符偏移）")
    end: int = Field(gt=0, description="批注终点（不含）")
    body: str = Field(min_length=1, max_length=2000, description="审查意见")


class ReturnIn(BaseModel):
    comments: list[CommentIn] = Field(default_factory=list)
    note: str | None = Field(None, max_length=2000, description="总体意见")


def _submission_out(sub: dict, user: dict | None, cycle) -> dict:
    """A submission as the caller may see it (comments and old versions only for reviewers and owners)."""
    owner = user is not None and (cycle.can_review(user) or user.get("unit_id") == sub["unit_id"])
    if owner:
        return sub
    return {**sub, "comments": [], "versions": [v for v in sub.get("versions") or []
                                               if v["report_id"] == sub.get("report_id")]}


@router.get("/me", summary="当前用户与 CSRF 令牌")
def me(request: Request) -> dict[str, Any]:
    user = require_user(request)
    return {"user": user, "csrf_token": csrf_token(request)}


@router.get("/reports", summary="报告列表（可按年度、层级、地区、状态、得分、逾期、沿用比例、待整改问题筛选和排序）")
def list_reports(request: Request, year: Year = None, level: str | None = None,
                 place: str | None = None, status: str | None = None,
                 min_score: Annotated[float | None, Query(ge=0, le=100, description="得分不低于")] = None,
                 max_score: Annotated[float | None, Query(ge=0, le=100, description="得分不高于")] = None,
                 late: Annotated[bool | None, Query(description="true：仅逾期报送；false：仅按时")] = None,
                 min_recycled: Annotated[float | None, Query(ge=0, le=100, description="沿用比例不低于（%）")] = None,
                 issues: Annotated[bool | None, Query(description="true：仅有待整改问题的单位")] = None,
                 sort: Annotated[str | None, Query(description="排序列：score、late、recycled、issues、year")] = None,
                 order: Annotated[str | None, Query(description="asc 或 desc（默认 desc）")] = None) -> list[dict[str, Any]]:
    flt = views.Filters(year=year, level=level or None, place=place or None, status=status or None,
                        min_score=min_score, max_score=max_score, late=late, min_recycled=min_recycled, issues=issues,
                        sort=sort if sort in views.SORT_KEYS else None, order=order if order in ("asc", "desc") else None)
    return views.corpus_rows(corpus_of(request), cycle_of(request), current_user(request), flt)


@router.get("/reports/{report_id}", summary="一份报告的分析结果（JSON 约定）与报送状态")
def get_report(request: Request, report_id: Id) -> dict[str, Any]:
    data = readable_report(request, report_id)
    cycle = cycle_of(request)
    user = current_user(request)
    sub = cycle.submission_of_report(report_id)
    return {"id": report_id, "report": data,
            "submission": _submission_out(sub, user, cycle) if sub else None}


@router.get("/reports/{report_id}/copies", summary="与其他可见报告雷同的段落")
def report_copies(request: Request, report_id: Id) -> dict[str, Any]:
    readable_report(request, report_id)
    shown, hidden = views.readable_copies(corpus_of(request), cycle_of(request), current_user(request), report_id)
    return {"copies": shown, "hidden": hidden}


@router.get("/reports/{report_id}/diff", summary="与上一版本相比已解决、新增、仍存在的问题")
def report_diff(request: Request, report_id: Id) -> dict[str, Any]:
    readable_report(request, report_id)
    cycle = cycle_of(request)
    user = current_user(request)
    sub = cycle.submission_of_report(report_id)
    if sub and not (user and (cycle.can_review(user) or user.get("unit_id") == sub["unit_id"])):
        sub = None
    return {"diff": views.findings_diff_for(cycle, sub, report_id)}


@router.post("/upload", summary="上传一份或多份报告（multipart，字段 files）；wait=false 时立即返回任务编号")
async def upload(request: Request, files: list[UploadFile] = File(..., description="报告文件"),
                 unit_id: int | None = Form(None, description="报送单位编号（仅审查人员）"),
                 year: int | None = Form(None, description="报告年度（缺省取报告所述年度）"),
                 new_unit: bool = Form(False, description="落款单位不是已有单位时新建单位（缺省：不新建，"
                                                          "结果为 needs_unit 和候选单位，用 POST /api/filings/{report_id} 归档）"),
                 wait: bool = Query(True, description="等分析完成再返回（false：立即返回任务，"
                                                      "用 GET /api/jobs/{job_id} 查询进度）")):
    """Each file is analysed in a worker process (the server keeps answering meanwhile): with
    wait=true the answer is every file's result, else the queued jobs (202)."""
    from starlette.concurrency import run_in_threadpool

    from fazhi.web.routes_jobs import enqueue, finished, job_list, read_files

    user = await run_in_threadpool(api_write_user, request)
    if not await run_in_threadpool(cycle_of(request).can_review, user):
        unit_id = None
    batch = await read_files(files)
    queued = await enqueue(request, user, batch, unit_id, year, new_unit)
    if not wait:
        return JSONResponse(job_list(queued), status_code=202)
    results = await finished(request, queued)
    if results and all(r.get("status") == 429 for r in results):
        return JSONResponse(results, status_code=429)
    return results


@router.get("/submissions", summary="报送记录（按年度、状态筛选；报送单位只见本单位）")
def list_submissions(request: Request, year: Year = None, status: str | None = None) -> list[dict[str, Any]]:
    user = require_user(request)
    cycle = cycle_of(request)
    if cycle.can_review(user):
        return cycle.submissions(year=year, status=status, unit_ids=cycle.branch_unit_ids(user))
    if user.get("unit_id") is None:
        return []
    return cycle.submissions(year=year, status=status, unit_id=user["unit_id"])


@router.get("/submissions/{submission_id}", summary="一条报送记录：状态、版本、审查意见")
def get_submission(request: Request, submission_id: Id) -> dict[str, Any]:
    sub = visible_submission(request, submission_id)
    return _submission_out(sub, current_user(request), cycle_of(request))


def _act(request: Request, submission_id: int, fn) -> dict[str, Any]:
    visible_submission(request, submission_id)
    user = api_write_user(request)
    require_reviewer(request)
    return cycle_call(fn, user)


@router.post("/submissions/{submission_id}/return", summary="退回修改（附带批注在原文上的审查意见）")
def return_submission(request: Request, submission_id: Id, body: ReturnIn) -> dict[str, Any]:
    comments = [c.model_dump() for c in body.comments]
    return _act(request, submission_id,
                lambda user: cycle_of(request).return_(user, submission_id, comments, note=body.note))


@router.post("/submissions/{submission_id}/approve", summary="审查通过")
def approve_submission(request: Request, submission_id: Id) -> dict[str, Any]:
    return _act(request, submission_id, lambda user: cycle_of(request).approve(user, submission_id))


@router.post("/submissions/{submission_id}/publish", summary="公开（须确认已完成保密审查：?secrecy_checked=true；公开后任何人可查看）")
def publish_submission(request: Request, submission_id: Id, secrecy_checked: bool = Query(
        False, description="已完成保密审查（必须为 true 才能公开）")) -> dict[str, Any]:
    return _act(request, submission_id,
                lambda user: cycle_of(request).publish(user, submission_id, secrecy_checked=secrecy_checked))


@router.get("/periods", summary="报送年度及各层级报送期限")
def periods(request: Request) -> list[dict[str, Any]]:
    require_user(request)
    return cycle_of(request).periods()


@router.get("/overview/{year}", summary="年度报送总览：谁已提交、谁逾期（审查人员）")
def overview(request: Request, year: Annotated[int, Path(ge=1900, le=2100)]) -> list[dict[str, Any]]:
    user = require_reviewer(request)
    return cycle_of(request).overview(year, unit_ids=cycle_of(request).branch_unit_ids(user))
