"""Pages: 报送通知 (/notices, /notices/{year}), 站内消息 (/messages), 邮件服务器 (/settings/mail);
the JSON API of the same (routes_notices_api.py, included here). The board's 催报 and 通报 buttons
post to fazhi/web/routes_admin.py (/periods/{year}/remind, /periods/{year}/circular.docx).

Every route is a plain `def` (FastAPI runs it in its thread pool) or hands the database work to
run_in_threadpool; sending mail (催报) happens in that thread, never on the event loop.
"""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fazhi.web.auth import (check_id, cycle_of, flash, form_with_csrf, render, require_admin, require_reviewer,
                            require_user)

router = APIRouter()  # pages are left out of /docs one by one; the API (included below) is in it


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """The report page shows a unit its messages about this submission (unread first)."""
    if sub is None or user is None or user.get("unit_id") != sub.get("unit_id"):
        return None
    mine = [m for m in cycle_of(request).messages(user, limit=100) if m["submission_id"] == sub["id"]]
    return {"messages": mine[:5]} if mine else None


def default_year(cycle) -> int:
    periods = cycle.periods()
    return max(p["year"] for p in periods) if periods else dt.date.today().year - 1


def check_year(year: int) -> int:
    from fazhi.cycle.deadlines import valid_year, year_range

    if not valid_year(year):
        low, high = year_range()
        raise HTTPException(404, f"没有这个年度（应在 {low}–{high} 之间）。")
    return year


def download(filename: str, content: bytes, media_type: str | None = None) -> Response:
    from fazhi.web.views import content_disposition

    return Response(content, media_type=media_type or "application/octet-stream",
                    headers={"Content-Disposition": content_disposition(filename)})


async def read_upload(file: UploadFile | None) -> tuple[str, bytes, str | None]:
    """(name, bytes, media type) of an uploaded attachment; a file over the limit is refused from its size."""
    from fazhi.cycle import CycleError
    from fazhi.cycle.notices import MAX_ATTACHMENT

    if file is None or not getattr(file, "filename", None):
        raise CycleError("请选择要上传的附件。")
    if file.size is not None and file.size > MAX_ATTACHMENT:
        raise CycleError(f"附件“{file.filename}”超过 {MAX_ATTACHMENT // 1024 // 1024} MB 上限。")
    data = await file.read(MAX_ATTACHMENT + 1)
    return file.filename, data, file.content_type


# ---------------------------------------------------------------- notices
@router.get("/notices", include_in_schema=False)
def notices_page(request: Request):
    user = require_user(request)
    cycle = cycle_of(request)
    return render(request, "notices.j2", notices=cycle.notices(), reviewer=cycle.can_review(user),
                  year=default_year(cycle))


@router.get("/notices/{year}", include_in_schema=False)
def notice_page(request: Request, year: int):
    user = require_user(request)
    cycle = cycle_of(request)
    check_year(year)
    notice = cycle.notice(year)
    reviewer = cycle.can_review(user)
    if notice is None and not reviewer:
        raise HTTPException(404, f"{year} 年度还没有报送通知。")
    if notice is not None and user.get("role") == "unit":
        cycle.mark_read(user, kind="notice", year=year)  # opened: the notice stops showing at the top
    return render(request, "notices_view.j2", notice=notice, year=year, reviewer=reviewer)


@router.post("/notices", include_in_schema=False)
async def save_notice(request: Request):
    from fazhi.cycle import CycleError

    user = await run_in_threadpool(require_reviewer, request)
    form = await form_with_csrf(request)
    raw = str(form.get("year") or "").strip()
    if not raw.isdigit() or len(raw) != 4:
        flash(request, "请填写报告年度（四位数字）。", "error")
        return RedirectResponse("/notices", status_code=303)
    year = int(raw)
    cycle = cycle_of(request)
    try:
        had = await run_in_threadpool(cycle.notice, year)
        await run_in_threadpool(cycle.set_notice, user, year, str(form.get("title") or ""),
                                str(form.get("body") or ""))
        flash(request, f"已{'更新' if had else '发布'} {year} 年度报送通知。")
    except CycleError as e:
        flash(request, str(e), "error")
        return RedirectResponse("/notices", status_code=303)
    return RedirectResponse(f"/notices/{year}", status_code=303)


@router.post("/notices/{year}/attachments", include_in_schema=False)
async def add_attachment(request: Request, year: int):
    from fazhi.cycle import CycleError

    user = await run_in_threadpool(require_reviewer, request)
    check_year(year)
    form = await form_with_csrf(request)
    try:
        name, data, media = await read_upload(form.get("file"))
        await run_in_threadpool(cycle_of(request).add_notice_attachment, user, year, name, data, media)
        flash(request, f"已添加附件“{name}”。")
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse(f"/notices/{year}", status_code=303)


@router.post("/notices/{year}/attachments/{attachment_id}/delete", include_in_schema=False)
async def delete_attachment(request: Request, year: int, attachment_id: int):
    from fazhi.cycle import CycleError

    user = await run_in_threadpool(require_reviewer, request)
    check_year(year)
    check_id(attachment_id)
    await form_with_csrf(request)
    try:
        name = await run_in_threadpool(cycle_of(request).remove_notice_attachment, user, year, attachment_id)
        flash(request, f"已删除附件“{name}”。")
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse(f"/notices/{year}", status_code=303)


@router.get("/notices/{year}/attachments/{attachment_id}", include_in_schema=False)
def get_attachment(request: Request, year: int, attachment_id: int):
    user = require_user(request)
    check_year(year)
    check_id(attachment_id)
    cycle = cycle_of(request)
    found = cycle.notice_attachment(year, attachment_id)
    if found is None:
        raise HTTPException(404, "附件不存在。")
    cycle.audit(user, "notice.download", f"notice:{year}", {"filename": found["filename"]})
    return download(found["filename"], found["content"], found["media_type"])


# ---------------------------------------------------------------- messages
@router.get("/messages", include_in_schema=False)
def messages_page(request: Request, unit_id: int | None = None):
    """A unit's messages (unread first); a reviewer with ?unit_id= sees what was sent to that unit."""
    user = require_user(request)
    cycle = cycle_of(request)
    unit = None
    if unit_id is not None:
        require_reviewer(request)
        unit = cycle.unit(check_id(unit_id))
        if unit is None:
            raise HTTPException(404, "单位不存在。")
        items = cycle.unit_messages(unit_id)
    else:
        items = cycle.messages(user)
    return render(request, "messages.j2", items=items, unit=unit)


@router.post("/messages/read", include_in_schema=False)
async def read_messages(request: Request):
    """Mark read: the ticked ids (field `id`, repeated), or every unread message (`all=1`)."""
    user = await run_in_threadpool(require_user, request)
    form = await form_with_csrf(request)
    ids = None if form.get("all") == "1" else [int(i) for i in form.getlist("id") if str(i).isdigit()]
    n = await run_in_threadpool(cycle_of(request).mark_read, user, ids)
    flash(request, f"已将 {n} 条消息标为已读。" if n else "没有未读消息。")
    return RedirectResponse("/messages", status_code=303)


# ---------------------------------------------------------------- mail server
@router.get("/settings/mail", include_in_schema=False)
def mail_settings_page(request: Request):
    require_admin(request)
    return render(request, "settings_mail.j2", smtp=cycle_of(request).mail_settings())


@router.post("/settings/mail", include_in_schema=False)
async def save_mail_settings(request: Request):
    from fazhi.cycle import CycleError

    user = await run_in_threadpool(require_admin, request)
    form = await form_with_csrf(request)
    value = {k: str(form.get(k) or "") for k in ("host", "port", "sender", "username", "password")}
    value["starttls"] = form.get("starttls") == "1"
    value["clear_password"] = form.get("clear_password") == "1"
    try:
        saved = await run_in_threadpool(cycle_of(request).set_mail_settings, user, value)
        flash(request, "已保存邮件服务器设置。" if saved else "已关闭邮件发送（仅站内消息）。")
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse("/settings/mail", status_code=303)


from fazhi.web import routes_notices_api  # noqa: E402  (the JSON API of this module's pages)

router.include_router(routes_notices_api.router)
