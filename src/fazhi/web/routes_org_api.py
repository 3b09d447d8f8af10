"""JSON API of 单位管理与角色 (issue 14 item 9), mirroring /units, /filings and the role form on /users.
Writes: session + X-CSRF-Token header, or HTTP Basic; refusals 403 (role) or 409 (with the Chinese reason)."""
from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from fazhi.web.auth import MAX_ID, cycle_call, api_write_user, cycle_of, require_admin, require_reviewer

api = APIRouter(prefix="/api", tags=["api"])
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]


class UnitIn(BaseModel):
    name: str | None = Field(None, max_length=255, description="单位名称（与报告落款一致）")
    level: str | None = Field(None, description="层级：省 地市 区县 乡镇街道 部门")
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, description="上级单位编号")
    is_office: bool | None = Field(None, description="是否为审查机构（法治办，审查其下级单位）")
    email: str | None = Field(None, max_length=255, description="电子邮箱（催报、通知）")
    clear: list[str] = Field(default_factory=list, description="要清空的字段：level、parent_id、email")


class ActiveIn(BaseModel):
    active: bool = Field(description="true 启用，false 停用")


class MergeIn(BaseModel):
    from_id: int = Field(ge=1, le=MAX_ID, description="被合并的单位")
    into_id: int = Field(ge=1, le=MAX_ID, description="合并到的单位")


class FilingIn(BaseModel):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="归入的已有单位编号")
    new_unit: bool = Field(False, description="true：新建单位（名称缺省取报告落款）")
    name: str | None = Field(None, max_length=255, description="新单位名称")
    year: int | None = Field(None, ge=2000, le=2100, description="报告年度（缺省取上传时所填或报告所述年度）")


class RoleIn(BaseModel):
    role: str = Field(description="admin、reviewer 或 unit")
    unit_id: int | None = Field(None, ge=1, le=MAX_ID,
                                description="报送单位账号的单位；审查人员可挂在审查机构下（只审查其下级单位）")


def _write(request: Request, fn: Callable[[dict, Any], Any]) -> Any:
    return cycle_call(fn, api_write_user(request), cycle_of(request))


@api.get("/units", summary="全部单位（层级树顺序）：层级、上级、审查机构、启用、邮箱、账号数、报送数")
def units(request: Request) -> list[dict[str, Any]]:
    require_reviewer(request)
    return cycle_of(request).unit_table()


class UnitNewIn(UnitIn):
    name: str = Field(min_length=1, max_length=255, description="单位名称（与报告落款一致）")


@api.post("/units", summary="新建报送单位（仅管理员）：名称、层级、上级单位、审查机构、邮箱")
def add(request: Request, body: UnitNewIn) -> dict[str, Any]:
    def make(user: dict, cycle) -> dict:
        return cycle.create_unit(user, body.name, level=body.level, parent_id=body.parent_id,
                                 is_office=bool(body.is_office), email=body.email)

    unit = _write(request, make)
    return {**unit, "summary": f"已新建单位“{unit['name']}”。"}


@api.post("/units/merge", summary="合并单位：报送记录、报告和账号转入目标单位，原单位停用")
def merge(request: Request, body: MergeIn) -> dict[str, Any]:
    done = _write(request, lambda u, c: c.merge_units(u, body.from_id, body.into_id))
    return {**done, "summary": f"已将“{done['from']}”并入“{done['into']}”。"}


@api.post("/units/{unit_id}", summary="修改单位：名称、层级、上级单位、审查机构、邮箱（仅管理员）")
def edit(request: Request, unit_id: Id, body: UnitIn) -> dict[str, Any]:
    unit = _write(request, lambda u, c: c.edit_unit(u, unit_id, name=body.name, level=body.level,
                                                    parent_id=body.parent_id, is_office=body.is_office,
                                                    email=body.email, clear=tuple(body.clear)))
    return {**unit, "summary": f"已保存单位“{unit['name']}”。"}


@api.post("/units/{unit_id}/active", summary="停用或启用单位（停用后不进入报送看板、催报和排名，报告保留）")
def active(request: Request, unit_id: Id, body: ActiveIn) -> dict[str, Any]:
    unit = _write(request, lambda u, c: c.set_unit_active(u, unit_id, body.active))
    return {**unit, "summary": f"已{'启用' if unit['active'] else '停用'}单位“{unit['name']}”。"}


@api.get("/filings", summary="待归档的上传：落款单位未能对应已有单位，等待审查人员选择（附候选单位）")
def filings(request: Request) -> list[dict[str, Any]]:
    user = require_reviewer(request)
    return cycle_of(request).pending_filings(user)


@api.post("/filings/{report_id}", summary="把待归档的报告归入已有单位（unit_id）或新建单位（new_unit）",
          openapi_extra={"requestBody": {"required": True, "content": {
              "application/json": {"schema": FilingIn.model_json_schema()}}}})
async def file_report(request: Request, report_id: Id) -> dict[str, Any]:
    """The body is read after the role check: whoever may not know of the report gets 404, whatever they send."""
    from pydantic import ValidationError
    from starlette.concurrency import run_in_threadpool

    from fazhi.web.routes_org import reviewer_or_404

    await run_in_threadpool(reviewer_or_404, request)
    try:
        body = FilingIn.model_validate_json((await request.body()) or b"{}")
    except ValidationError:
        raise HTTPException(422, "请求内容有误：应为 JSON，如 {\"unit_id\": 3} 或 {\"new_unit\": true}。") from None
    done = await run_in_threadpool(_write, request, lambda u, c: c.file_pending(
        u, report_id, unit_id=body.unit_id, new_unit=body.new_unit, name=body.name, year=body.year))
    return {**done, "summary": f"已归入“{done['unit_name']}”{done['year']} 年度（第 {done['version']} 版）。"}


@api.post("/filings/{report_id}/discard", summary="删除待归档的报告（报告从报告库中移除）")
def discard(request: Request, report_id: Id) -> dict[str, Any]:
    from fazhi.web.routes_org import reviewer_or_404

    reviewer_or_404(request)
    _write(request, lambda u, c: c.discard_pending(u, report_id))
    return {"report_id": report_id, "summary": f"已删除待归档的报告 {report_id}。"}


@api.get("/users", summary="全部账号：角色、所属单位、状态（仅管理员）")
def users(request: Request) -> list[dict[str, Any]]:
    require_admin(request)
    return cycle_of(request).users()


@api.post("/users/{username}/role", summary="修改账号角色（仅管理员；立即生效；最后一个管理员不能取消）")
def role(request: Request, username: Annotated[str, Path(max_length=64)], body: RoleIn) -> dict[str, Any]:
    user = _write(request, lambda u, c: c.set_role(u, username, body.role, body.unit_id))
    return {**user, "summary": f"已将“{username}”的角色改为{_label(user['role'])}。"}


def _label(role: str) -> str:
    from fazhi.cycle.status import ROLES

    return ROLES.get(role, role)
