"""Pages: 公开网址/日期、撤回公开、撤回报送 (/lifecycle/{submission_id}/...), 自查草稿 (/drafts),
待我审核 (/queue), 两级审核设置 (/settings/review), and the report page's lifecycle panel; the JSON
API of the same is in routes_lifecycle_api.py (included here).

The unit's and the reviewer's actions post to /lifecycle/{submission_id}/{action}, not to
/submissions/{id}/{action} (that route is for reviewers only). A draft is analysed in a worker
process (fazhi.web.worker "draft"), at most DRAFT_SLOTS at once; the page waits without blocking
the event loop. Drafts exist only for their unit: anyone else gets 404.
"""
from __future__ import annotations

import threading

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from fazhi.web.auth import (Refusal, check_id, current_user, cycle_of, flash, form_with_csrf, render, require_admin,
                            require_reviewer, require_user)

router = APIRouter()  # pages are left out of /docs one by one; the API (included below) is in it
DRAFT_SLOTS = 2


class Slots:
    """At most `limit` draft analyses at once (beyond: refused, try again later)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    def give(self) -> None:
        with self._lock:
            self.used -= 1


SLOTS = Slots(DRAFT_SLOTS)


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """Publication, withdrawal, assignment and two-step state for the submission's unit and the office."""
    if sub is None or user is None:
        return None
    own = user.get("role") == "unit" and user.get("unit_id") == sub.get("unit_id")
    if not (reviewer or own):
        return None
    cycle = cycle_of(request)
    life = cycle.lifecycle(sub["id"])
    if life is None:
        return None
    return {**life, "own": own, "is_reviewer": reviewer, "current": sub.get("report_id") == report_id,
            "reviewers": cycle.reviewers() if reviewer else [], "me": user["id"],
            "can_withdraw": own and sub["status"] == "submitted" and not sub.get("comments"),  # never returned
            "can_record": sub["status"] in ("approved", "published")}


def _back(sub: dict | None, fallback: str = "/periods") -> RedirectResponse:
    target = f"/reports/{sub['report_id']}" if sub and sub.get("report_id") else fallback
    return RedirectResponse(target, status_code=303)


def _int_or_none(raw) -> int | None:
    raw = str(raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise HTTPException(422, "审核人员编号无效。")
    return int(raw)


# ---------------------------------------------------------------- a submission's lifecycle


@router.post("/lifecycle/{submission_id:int}/{action}", include_in_schema=False)
async def lifecycle_action(request: Request, submission_id: int, action: str):
    from fazhi.web.routes_pages import visible_submission

    if action not in ("withdraw", "publication", "unpublish", "assign", "claim"):
        raise HTTPException(404, "没有这个操作。")
    sub = await run_in_threadpool(visible_submission, request, submission_id)
    user = await run_in_threadpool(require_user, request)
    form = await form_with_csrf(request)
    return await run_in_threadpool(_act, request, user, sub, action, form)


def _act(request: Request, user: dict, sub: dict, action: str, form) -> RedirectResponse:
    from fazhi.cycle import AccessDenied, CycleError

    cycle = cycle_of(request)
    sid = sub["id"]
    try:
        if action == "withdraw":
            cycle.withdraw(user, sid)
            flash(request, "已撤回。修改后可重新上传报送；逾期从重新报送之日起计算。")
        elif action == "publication":
            done = cycle.record_publication(user, sid, str(form.get("url") or ""), str(form.get("date") or ""))
            late = f"，晚于公开期限 {done['publish_deadline']}（逾期 {done['publish_days_late']} 天）" \
                if done["publish_late"] else ""
            flash(request, f"已登记公开网址和公开日期{late}。", "error" if late else "ok")
        elif action == "unpublish":
            cycle.unpublish(user, sid, str(form.get("reason") or ""))
            flash(request, "已撤回公开，报告不再对外可见。")
        elif action == "claim":
            cycle.claim(user, sid)
            flash(request, f"已领取：{sub['unit_name']} {sub['year']} 年度报告由您审核。")
            return RedirectResponse("/queue", status_code=303)
        else:
            cycle.assign(user, sid, _int_or_none(form.get("reviewer_id")), _int_or_none(form.get("second_reviewer_id")))
            flash(request, "已分配审核人员。")
    except AccessDenied as e:
        raise Refusal(403, str(e)) from None
    except CycleError as e:
        flash(request, str(e), "error")
    return _back(sub)


# ---------------------------------------------------------------- 待我审核 and the two-step setting


@router.get("/queue", include_in_schema=False)
def queue_page(request: Request):
    user = require_reviewer(request)
    cycle = cycle_of(request)
    return render(request, "queue.j2", queue=cycle.review_queue(user), two_step=cycle.two_step())


@router.get("/settings/review", include_in_schema=False)
def review_settings_page(request: Request):
    require_admin(request)
    return render(request, "settings_review.j2", two_step=cycle_of(request).two_step())


@router.post("/settings/review", include_in_schema=False)
async def save_review_settings(request: Request):
    user = await run_in_threadpool(require_admin, request)
    form = await form_with_csrf(request)
    on = str(form.get("two_step_review") or "") in ("1", "on", "true")
    await run_in_threadpool(cycle_of(request).set_two_step, user, on)
    flash(request, "已开启两级审核（初审 → 复审）。" if on else "已关闭两级审核（一人审核即可通过）。")
    return RedirectResponse("/settings/review", status_code=303)


# ---------------------------------------------------------------- 自查草稿


def unit_user(request: Request) -> dict:
    user = require_user(request)
    if user.get("role") != "unit" or user.get("unit_id") is None:
        raise Refusal(403, "自查草稿仅供报送单位账号使用。")
    return user


async def analyse_draft(request: Request, user: dict, name: str, data: bytes) -> dict:
    """Analyse one draft in a worker process and store it: the draft's summary, or {"error"}
    ({"error", "status": 429} when DRAFT_SLOTS analyses are running already)."""
    from fazhi.cycle import CycleError
    from fazhi.web.worker import run

    if not SLOTS.take():
        return {"error": "服务器正在分析的自查草稿较多，请稍后再试。", "status": 429}
    try:
        queue = request.app.state.uploads
        out = await run_in_threadpool(run, queue.db_url, cycle_of(request).corpus, "draft", (name, data),
                                      queue.limits.task)
    finally:
        SLOTS.give()
    if "error" in out:
        return {"error": out["error"]}
    try:
        return await run_in_threadpool(cycle_of(request).add_draft, user, name, out["text"], out["analysis"])
    except CycleError as e:
        return {"error": str(e)}


async def one_file(form) -> tuple[str, bytes | None, str | None]:
    from fazhi.web.routes_jobs import read_files

    files = [f for f in form.getlist("file") if getattr(f, "filename", None)]
    if len(files) != 1:
        return "", None, "请选择一个报告文件。"
    return (await read_files(files))[0]


@router.get("/drafts", include_in_schema=False)
def drafts_page(request: Request):
    user = unit_user(request)
    return render(request, "drafts.j2", drafts=cycle_of(request).drafts(user))


@router.post("/drafts", include_in_schema=False)
async def draft_upload(request: Request):
    user = await run_in_threadpool(unit_user, request)
    form = await form_with_csrf(request)
    name, data, refused = await one_file(form)
    done = {"error": refused} if refused else await analyse_draft(request, user, name, data)
    if "error" in done:
        flash(request, done["error"], "error")
        return RedirectResponse("/drafts", status_code=303)
    flash(request, f"{done['filename']} 自查完成（草稿不会报送，审查人员看不到）。")
    return RedirectResponse(f"/drafts/{done['id']}", status_code=303)


def readable_draft(request: Request, draft_id: int) -> dict:
    check_id(draft_id)
    found = cycle_of(request).draft(current_user(request), draft_id)
    if found is None:
        raise Refusal(404, "未找到该草稿，或您无权查看。")
    return found


@router.get("/drafts/{draft_id:int}", include_in_schema=False)
def draft_page(request: Request, draft_id: int):
    from fazhi.web.highlight import highlight_html
    from fazhi.web.views import build_view

    draft = readable_draft(request, draft_id)
    data = {**draft["analysis"], "text": draft["text"]}
    # report id 0 names no stored report: a draft has no stored copy matches and no submission
    v = build_view(cycle_of(request).corpus, cycle_of(request), current_user(request), 0, data, None)
    return render(request, "draft.j2", draft=draft, v=v, d=data, text_html=highlight_html(data["text"], v.marks))


@router.post("/drafts/{draft_id:int}/delete", include_in_schema=False)
async def draft_delete(request: Request, draft_id: int):
    from fazhi.cycle import CycleError

    user = await run_in_threadpool(unit_user, request)
    await form_with_csrf(request)
    check_id(draft_id)
    try:
        await run_in_threadpool(cycle_of(request).delete_draft, user, draft_id)
        flash(request, "草稿已删除。")
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse("/drafts", status_code=303)


from fazhi.web import routes_lifecycle_api  # noqa: E402  (the JSON API of the same)

router.include_router(routes_lifecycle_api.router)
