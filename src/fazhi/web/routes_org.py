"""Pages and JSON API: 单位管理与角色 (issue 14 item 9).

Pages: /units (reviewers read; admins edit, deactivate, merge), /units/{id}/edit, /filings (uploads whose
issuer is no known unit, waiting for a reviewer to choose its unit). Roles are changed on /users
(fazhi.web.routes_admin). The JSON API is in fazhi.web.routes_org_api."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from fazhi.web.auth import (check_id, cycle_of, flash, form_with_csrf, render, require_admin, require_reviewer)

router = APIRouter()  # the pages (left out of /docs) and the JSON API (fazhi.web.routes_org_api)
pages = APIRouter(include_in_schema=False)


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """On the page of a report waiting for its unit (reviewers): the candidates and the choice."""
    if not reviewer or sub is not None:
        return None
    cycle = cycle_of(request)
    waiting = cycle.pending_filings(user, report_id=report_id)
    if not waiting:
        return None
    return {"pending": waiting[0], "units": [u for u in cycle.units() if u["active"] and u["merged_into_id"] is None]}


def _id(raw) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 10:
        from fazhi.cycle import CycleError

        raise CycleError("编号无效。")
    return check_id(int(text))


def reviewer_or_404(request: Request) -> dict:
    """A reviewer; anyone else logged in gets 404 (an upload waiting for its unit is a report they may not
    know of), a logged-out visitor the login."""
    from fazhi.web.auth import Refusal, require_user

    user = require_user(request)
    if not cycle_of(request).can_review(user):
        raise Refusal(404, "未找到该页面或报告，或您无权查看。")
    return user


async def _post(request: Request, action, back: str, admin: bool = True) -> RedirectResponse:
    """A form post: role, CSRF, `action(user, form, cycle) -> message` (or the refusal's reason), back to `back`."""
    from starlette.concurrency import run_in_threadpool

    from fazhi.cycle import AccessDenied, CycleError

    user = await run_in_threadpool(require_admin if admin else reviewer_or_404, request)
    form = await form_with_csrf(request)
    try:
        flash(request, await run_in_threadpool(action, user, form, cycle_of(request)))
    except (CycleError, AccessDenied, HTTPException) as e:
        flash(request, str(getattr(e, "detail", None) or e), "error")
    return RedirectResponse(back, status_code=303)


# ---------------------------------------------------------------- units
@pages.get("/units")
def units_page(request: Request):
    """Every unit as a tree: level, parent, office, active, e-mail, accounts, submissions."""
    user = require_reviewer(request)
    cycle = cycle_of(request)
    rows = cycle.unit_table()
    return render(request, "units.j2", rows=rows, pending=len(cycle.pending_filings(user)),
                  branch=cycle.branch_unit_ids(user))


@pages.get("/units/{unit_id}/edit")
def unit_edit_page(request: Request, unit_id: int):
    require_admin(request)
    cycle = cycle_of(request)
    unit = cycle.unit(check_id(unit_id))
    if unit is None:
        raise HTTPException(404, "没有这个单位。")
    rows = cycle.unit_table()
    below = _below(rows, unit_id)
    parents = [r for r in rows if r["id"] not in below and r["merged_into_id"] is None]
    return render(request, "unit_edit.j2", unit=unit, parents=parents,
                  others=[r for r in rows if r["id"] != unit_id and r["merged_into_id"] is None])


def _below(rows: list[dict], unit_id: int) -> set[int]:
    from fazhi.cycle.organisation import subtree

    return subtree({r["id"]: r["parent_id"] for r in rows}, unit_id)


def edit_from_form(cycle, user: dict, unit_id: int, form) -> dict:
    """Apply the edit form (empty level / parent / e-mail clear them)."""
    level = str(form.get("level") or "").strip()
    parent = _id(form.get("parent_id"))
    email = str(form.get("email") or "").strip()
    clear = tuple(k for k, v in (("level", level), ("parent_id", parent), ("email", email)) if not v)
    return cycle.edit_unit(user, unit_id, name=str(form.get("name") or "").strip() or None, level=level or None,
                           parent_id=parent, is_office=form.get("is_office") == "1", email=email or None,
                           clear=clear)


@pages.post("/units/{unit_id}/edit")
async def unit_edit(request: Request, unit_id: int):
    check_id(unit_id)

    def action(user, form, cycle) -> str:
        return f"已保存单位“{edit_from_form(cycle, user, unit_id, form)['name']}”。"

    return await _post(request, action, "/units")


@pages.post("/units/{unit_id}/active")
async def unit_active(request: Request, unit_id: int):
    check_id(unit_id)

    def action(user, form, cycle) -> str:
        unit = cycle.set_unit_active(user, unit_id, form.get("active") == "1")
        return f"已{'启用' if unit['active'] else '停用'}单位“{unit['name']}”。"

    return await _post(request, action, "/units")


@pages.post("/units/merge")
async def units_merge(request: Request):
    def action(user, form, cycle) -> str:
        a, b = _id(form.get("from_id")), _id(form.get("into_id"))
        if a is None or b is None:
            from fazhi.cycle import CycleError

            raise CycleError("请选择要合并的单位和合并到的单位。")
        done = cycle.merge_units(user, a, b)
        return (f"已将“{done['from']}”并入“{done['into']}”：转移报送记录 {len(done['moved_submissions'])} 条、"
                f"账号 {done['accounts']} 个。")

    return await _post(request, action, "/units")


# ---------------------------------------------------------------- uploads waiting for their unit
@pages.get("/filings")
def filings_page(request: Request):
    user = require_reviewer(request)
    cycle = cycle_of(request)
    return render(request, "units_filings.j2", pending=cycle.pending_filings(user),
                  units=[u for u in cycle.units() if u["active"] and u["merged_into_id"] is None])


def file_from_form(cycle, user: dict, report_id: int, form) -> dict:
    choice = str(form.get("choice") or form.get("unit_id") or "").strip()
    year = str(form.get("year") or "").strip()
    if year and not (year.isdigit() and len(year) == 4):
        from fazhi.cycle import CycleError

        raise CycleError("报告年度应为四位数字。")
    if choice == "new":
        return cycle.file_pending(user, report_id, new_unit=True, name=str(form.get("name") or "").strip() or None,
                                  year=int(year) if year else None)
    return cycle.file_pending(user, report_id, unit_id=_id(choice), year=int(year) if year else None)


@pages.post("/filings/{report_id}")
async def file_waiting(request: Request, report_id: int):
    check_id(report_id)
    back = {"url": "/filings"}

    def action(user, form, cycle) -> str:
        done = file_from_form(cycle, user, report_id, form)
        back["url"] = f"/reports/{report_id}"
        return f"已归入“{done['unit_name']}”{done['year']} 年度（第 {done['version']} 版）。"

    response = await _post(request, action, "/filings", admin=False)
    response.headers["location"] = back["url"]
    return response


@pages.post("/filings/{report_id}/discard")
async def discard_waiting(request: Request, report_id: int):
    check_id(report_id)

    def action(user, form, cycle) -> str:
        cycle.discard_pending(user, report_id)
        return f"已删除待归档的报告 {report_id}。"

    return await _post(request, action, "/filings", admin=False)


from fazhi.web.routes_org_api import api  # noqa: E402  (imports this module's form helpers)

router.include_router(pages)
router.include_router(api)
