"""The JSON API of 公开登记、撤回公开、撤回报送、分配审核人员、两级审核、待我审核 and 自查草稿
(issue 14 items 7, 8, 10), mirroring fazhi/web/routes_lifecycle.py. Writes: session + X-CSRF-Token,
or HTTP Basic. Publishing itself (with its 保密审查 confirmation) is POST /api/submissions/{id}/publish."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from fazhi.web.auth import MAX_ID, Refusal, cycle_call, api_write_user, cycle_of, require_admin, require_reviewer

router = APIRouter(prefix="/api", tags=["公开、撤回、自查草稿与两级审核"])
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]


class PublicationIn(BaseModel):
    url: str = Field(max_length=1000, description="公开网址（http:// 或 https://）", examples=["https://www.example.gov.cn/2025.html"])
    date: str = Field(max_length=10, description="公开日期 YYYY-MM-DD", examples=["2026-03-20"])


class UnpublishIn(BaseModel):
    reason: str = Field(max_length=2000, description="撤回公开的原因（必填）")


class AssignIn(BaseModel):
    reviewer_id: int | None = Field(None, ge=1, le=MAX_ID, description="初审人员的用户编号（空：不指定）")
    second_reviewer_id: int | None = Field(None, ge=1, le=MAX_ID, description="复审人员的用户编号（空：不指定）")


class TwoStepIn(BaseModel):
    two_step_review: bool = Field(description="true：开启两级审核（初审 → 复审）")


_call = cycle_call


def visible(request: Request, submission_id: Id) -> dict:
    """The submission, when this user may see it (404 otherwise) — a dependency, so the refusal comes
    before the body is read or validated."""
    from fazhi.web.routes_pages import visible_submission

    return visible_submission(request, submission_id)


Visible = Annotated[dict, Depends(visible)]


@router.get("/submissions/{submission_id}/lifecycle", summary="公开网址与日期（是否逾期公开）、保密审查、审核分配、初审情况")
def get_lifecycle(request: Request, submission_id: Id, sub: Visible) -> dict[str, Any]:
    cycle = cycle_of(request)
    from fazhi.web.auth import current_user

    user = current_user(request)
    if not (user and (cycle.can_review(user) or user.get("unit_id") == sub["unit_id"])):
        raise Refusal(404, "未找到该报送记录，或您无权查看。")
    return cycle.lifecycle(submission_id)


@router.post("/submissions/{submission_id}/withdraw", summary="撤回报送（报送单位，仅在审核作出决定前；可重新报送）")
def withdraw(request: Request, submission_id: Id, _: Visible) -> dict[str, Any]:
    user = api_write_user(request)
    return _call(cycle_of(request).withdraw, user, submission_id)


@router.post("/submissions/{submission_id}/publication", summary="登记公开网址和公开日期（对照公开期限判断是否逾期）")
def publication(request: Request, submission_id: Id, _: Visible, body: PublicationIn) -> dict[str, Any]:
    user = api_write_user(request)
    return _call(cycle_of(request).record_publication, user, submission_id, body.url, body.date)


@router.post("/submissions/{submission_id}/unpublish", summary="撤回公开（须写明原因；已公开 → 已通过）")
def unpublish(request: Request, submission_id: Id, _: Visible, body: UnpublishIn) -> dict[str, Any]:
    user = api_write_user(request)
    require_reviewer(request)
    return _call(cycle_of(request).unpublish, user, submission_id, body.reason)


@router.post("/submissions/{submission_id}/assign", summary="分配初审、复审人员（管理员或任一审核人员）")
def assign(request: Request, submission_id: Id, _: Visible, body: AssignIn) -> dict[str, Any]:
    user = api_write_user(request)
    require_reviewer(request)
    return _call(cycle_of(request).assign, user, submission_id, body.reviewer_id, body.second_reviewer_id)


@router.post("/submissions/{submission_id}/claim", summary="领取：把这份报告的下一审核环节（初审或复审）分配给自己")
def claim(request: Request, submission_id: Id, _: Visible) -> dict[str, Any]:
    user = api_write_user(request)
    require_reviewer(request)
    return _call(cycle_of(request).claim, user, submission_id)


@router.get("/reviewers", summary="可分配的审核人员（在用的管理员和审核人员）")
def reviewers(request: Request) -> list[dict[str, Any]]:
    require_reviewer(request)
    return [{"id": u["id"], "username": u["username"], "display_name": u["display_name"], "role": u["role"]}
            for u in cycle_of(request).reviewers()]


@router.get("/queue", summary="待我审核：分配给我的（mine）和尚未分配的（open），最早的在前，含逾期情况")
def queue(request: Request) -> dict[str, Any]:
    user = require_reviewer(request)
    cycle = cycle_of(request)
    return {"two_step_review": cycle.two_step(), **cycle.review_queue(user)}


@router.get("/settings/review", summary="两级审核是否开启")
def review_settings(request: Request) -> dict[str, Any]:
    require_reviewer(request)
    return {"two_step_review": cycle_of(request).two_step()}


@router.post("/settings/review", summary="开启或关闭两级审核（管理员）")
def set_review_settings(request: Request, body: TwoStepIn) -> dict[str, Any]:
    user = api_write_user(request)
    require_admin(request)
    return {"two_step_review": _call(cycle_of(request).set_two_step, user, body.two_step_review)}


# ---------------------------------------------------------------- 自查草稿


@router.get("/drafts", summary="本单位的自查草稿（仅报送单位；审查人员不可见）")
def list_drafts(request: Request) -> list[dict[str, Any]]:
    from fazhi.web.routes_lifecycle import unit_user

    return cycle_of(request).drafts(unit_user(request))


@router.post("/drafts", summary="上传草稿自查（multipart，字段 file）：与报告相同的分析，不报送、不入库")
async def upload_draft(request: Request, file: UploadFile = File(..., description="草稿文件")):
    from starlette.concurrency import run_in_threadpool

    from fazhi.web.routes_jobs import read_files
    from fazhi.web.routes_lifecycle import analyse_draft, unit_user

    await run_in_threadpool(api_write_user, request)
    user = await run_in_threadpool(unit_user, request)
    name, data, refused = (await read_files([file]))[0]
    done = {"error": refused} if refused else await analyse_draft(request, user, name, data)
    if "error" in done:
        return JSONResponse({"detail": done["error"]}, status_code=done.get("status", 422))
    return {**done, "url": f"/drafts/{done['id']}"}


@router.get("/drafts/{draft_id}", summary="一份自查草稿：正文与分析结果（JSON 约定）")
def get_draft(request: Request, draft_id: Id) -> dict[str, Any]:
    from fazhi.web.routes_lifecycle import readable_draft

    return readable_draft(request, draft_id)


@router.post("/drafts/{draft_id}/delete", summary="删除一份自查草稿")
def delete_draft(request: Request, draft_id: Id) -> dict[str, Any]:
    from fazhi.web.routes_lifecycle import unit_user

    api_write_user(request)
    _call(cycle_of(request).delete_draft, unit_user(request), draft_id)
    return {"deleted": draft_id}
