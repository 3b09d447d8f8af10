"""JSON API of 报送通知、站内消息、催报、通报稿 and the status board (issue 14 item 1), at /docs.

Reads: session or HTTP Basic. Writes: POST with the session and X-CSRF-Token, or HTTP Basic.
Bad input answers 422 with one Chinese line (`detail`); others' data 403/404 as elsewhere.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field

from fazhi.web.auth import MAX_ID, cycle_call, api_write_user, cycle_of, require_admin, require_reviewer, require_user

router = APIRouter(prefix="/api", tags=["通知、消息与催报"])
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]
YearP = Annotated[int, Path(ge=1900, le=2100, description="报告年度")]


class NoticeIn(BaseModel):
    title: str = Field(min_length=1, max_length=255, description="通知标题")
    body: str = Field(min_length=1, max_length=50_000, description="通知正文（纯文本，空行分段）")


class ReadIn(BaseModel):
    ids: list[int] | None = Field(None, description="要标为已读的消息编号；省略则全部标为已读")


class MailIn(BaseModel):
    host: str = Field("", max_length=255, description="SMTP 服务器地址；留空则关闭邮件发送")
    port: int = Field(25, ge=1, le=65535)
    sender: str = Field("", max_length=255, description="发件地址")
    username: str | None = Field(None, max_length=255)
    password: str | None = Field(None, max_length=255, description="留空则保留已保存的密码")
    starttls: bool = False


_checked = cycle_call


def _year(year: int) -> int:
    from fazhi.web.routes_notices import check_year

    return check_year(year)


@router.get("/notices", summary="各年度报送通知列表")
def list_notices(request: Request) -> list[dict[str, Any]]:
    require_user(request)
    return cycle_of(request).notices()


@router.get("/notices/{year}", summary="一个年度的报送通知：正文、附件、各层级报送与公开期限")
def get_notice(request: Request, year: YearP) -> dict[str, Any]:
    require_user(request)
    found = cycle_of(request).notice(_year(year))
    if found is None:
        raise HTTPException(404, f"{year} 年度还没有报送通知。")
    return found


@router.post("/notices/{year}", summary="发布或修改报送通知（首次发布时向各单位发站内消息）")
def save_notice(request: Request, year: YearP, body: NoticeIn) -> dict[str, Any]:
    user = api_write_user(request)
    require_reviewer(request)
    cycle = cycle_of(request)
    had = cycle.notice(_year(year)) is not None
    notice = _checked(cycle.set_notice, user, year, body.title, body.body)
    return {"summary": f"已{'更新' if had else '发布'} {year} 年度报送通知。", "notice": notice}


@router.post("/notices/{year}/attachments", summary="为报送通知添加附件（multipart，字段 file，≤ 20 MB）")
async def add_attachment(request: Request, year: YearP, file: UploadFile = File(..., description="附件")):
    from starlette.concurrency import run_in_threadpool

    from fazhi.cycle import CycleError
    from fazhi.web.routes_notices import read_upload

    user = await run_in_threadpool(api_write_user, request)
    await run_in_threadpool(require_reviewer, request)
    try:
        name, data, media = await read_upload(file)
    except CycleError as e:
        raise HTTPException(422, str(e)) from None
    added = await run_in_threadpool(_checked, cycle_of(request).add_notice_attachment, user, _year(year), name,
                                    data, media)
    return {"summary": f"已添加附件“{added['filename']}”。", "attachment": added}


@router.post("/notices/{year}/attachments/{attachment_id}/delete", summary="删除报送通知的一个附件")
def delete_attachment(request: Request, year: YearP, attachment_id: Id) -> dict[str, Any]:
    user = api_write_user(request)
    require_reviewer(request)
    name = _checked(cycle_of(request).remove_notice_attachment, user, _year(year), attachment_id)
    return {"summary": f"已删除附件“{name}”。"}


@router.get("/notices/{year}/attachments/{attachment_id}", summary="下载报送通知的附件")
def get_attachment(request: Request, year: YearP, attachment_id: Id):
    from fazhi.web.routes_notices import get_attachment as page

    return page(request, year, attachment_id)


@router.get("/messages", summary="我的站内消息（未读在前）与未读数")
def list_messages(request: Request, unread: bool = Query(False, description="只看未读")) -> dict[str, Any]:
    user = require_user(request)
    cycle = cycle_of(request)
    return {"unread": cycle.unread_count(user), "messages": cycle.messages(user, unread_only=unread)}


@router.get("/messages/notice", summary="尚未阅读的报送通知（报送单位登录后页面顶部显示）")
def unread_notice(request: Request) -> dict[str, Any]:
    user = require_user(request)
    found = cycle_of(request).unread_notice(user)
    if found is None:
        return {"notice": None}
    return {"notice": {k: found[k] for k in ("year", "title", "paragraphs", "deadlines")}}


@router.post("/messages/read", summary="将消息标为已读（ids 省略则全部）")
def read_messages(request: Request, body: ReadIn) -> dict[str, Any]:
    user = api_write_user(request)
    cycle = cycle_of(request)
    n = _checked(cycle.mark_read, user, body.ids)
    return {"summary": f"已将 {n} 条消息标为已读。", "marked": n, "unread": cycle.unread_count(user)}


@router.get("/units/{unit_id}/messages", summary="发给某单位的站内消息及邮件发送情况（审查人员）")
def unit_messages(request: Request, unit_id: Id) -> list[dict[str, Any]]:
    require_reviewer(request)
    cycle = cycle_of(request)
    if cycle.unit(unit_id) is None:
        raise HTTPException(404, "单位不存在。")
    return cycle.unit_messages(unit_id)


@router.get("/board/{year}", summary="年度报送状态看板：各层级、各状态计数与每个单位的催报、未读情况（审查人员）")
def board(request: Request, year: YearP) -> dict[str, Any]:
    user = require_reviewer(request)
    return _checked(cycle_of(request).board, user, _year(year))


@router.post("/board/{year}/remind", summary="催报所有逾期单位（站内消息；设置了邮件服务器时同时发邮件）")
def remind(request: Request, year: YearP) -> dict[str, Any]:
    user = api_write_user(request)
    require_reviewer(request)
    return _checked(cycle_of(request).remind_late, user, _year(year))


@router.get("/board/{year}/circular.docx", summary="下载报送情况通报（草稿，.docx）")
def circular(request: Request, year: YearP):
    from fazhi.web.routes_admin import circular_docx

    return circular_docx(request, year)


@router.get("/settings/mail", summary="邮件服务器设置（不返回密码；管理员）")
def get_mail(request: Request) -> dict[str, Any]:
    require_admin(request)
    return {"smtp": cycle_of(request).mail_settings()}


@router.post("/settings/mail", summary="设置邮件服务器（host 留空则关闭邮件发送；管理员）")
def set_mail(request: Request, body: MailIn) -> dict[str, Any]:
    user = api_write_user(request)
    require_admin(request)
    saved = _checked(cycle_of(request).set_mail_settings, user, body.model_dump())
    return {"summary": "已保存邮件服务器设置。" if saved else "已关闭邮件发送（仅站内消息）。", "smtp": saved}
