"""Pages and JSON API: 整改销号与问题池 (issue 14).

Pages: /issues (问题池: reviewers every unit or their branch, a unit its own), /issues.xlsx (the
filtered list), forms posting to /issues/{id}/state, /issues/{id}/due, /issues/add (a hand-added
issue) and /issues/settings (days to fix). API: /api/rectifications ... (same
filters), /api/rectifications/counts, /api/reports/{id}/rectifications (the report page's panel).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from fazhi.web.auth import (MAX_ID, api_write_user, check_id, current_user, cycle_call, cycle_of, flash, form_with_csrf,
                            render, require_reviewer, require_user, safe_next)

router = APIRouter()
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATES = ("open", "fixed", "unfixed", "closed")
HEADERS = ["编号", "单位", "年度", "来源", "规则", "问题", "原文字", "状态", "整改期限", "逾期", "提出于报告",
           "整改于报告", "最近核查报告", "备注", "提出时间", "更新时间"]


class Filters(BaseModel):
    unit_id: int | None = None
    year: int | None = None
    state: str | None = None
    overdue: bool = False

    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: ("1" if v is True else v) for k, v in self.model_dump().items() if v not in (None, False)})


def filters_from(request: Request) -> Filters:
    """The 问题池's filters from the query string; a malformed one is a bad request (422)."""
    from fazhi.cycle.deadlines import valid_year

    q = request.query_params
    out: dict[str, Any] = {}
    for key in ("unit_id", "year"):
        raw = (q.get(key) or "").strip()
        if raw:
            if not (raw.isdigit() and len(raw) < 10) or (key == "year" and not valid_year(int(raw))):
                raise HTTPException(422, f"请求参数有误：{key}。")
            out[key] = int(raw)
    state = (q.get("state") or "").strip()
    if state and state not in (*STATES, "outstanding"):
        raise HTTPException(422, "请求参数有误：state（可用：open、fixed、unfixed、closed、outstanding）。")
    return Filters(**out, state=state or None, overdue=(q.get("overdue") or "") in ("1", "true", "on"))


def listed(request: Request, flt: Filters) -> list[dict]:
    user = require_user(request)
    return cycle_of(request).rectifications(user, unit_id=flt.unit_id, year=flt.year, state=flt.state,
                                            overdue=flt.overdue or None)


def counts_for(request: Request, year: int | None) -> dict[int, dict[str, int]]:
    """Per-unit counts the caller may see."""
    cycle = cycle_of(request)
    units = cycle.visible_unit_ids(require_user(request))
    return cycle.rectification_counts(unit_ids=units, year=year)


def totals(counts: dict[int, dict[str, int]]) -> dict[str, int]:
    out = {s: 0 for s in (*STATES, "overdue")}
    for row in counts.values():
        for k in out:
            out[k] += row.get(k, 0)
    return out


# ---------------------------------------------------------------- the report page


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """What this module shows on the report page (templates/panel_rectify.j2), or None."""
    if sub is None or user is None:
        return None
    view = cycle_of(request).rectification_view(user, report_id)
    if view is None or not (view["items"] or view["done"] or reviewer):
        return None
    from fazhi.cycle.rectify import STATE_LABELS

    return {**view, "state_labels": STATE_LABELS, "back": f"/reports/{report_id}"}


# ---------------------------------------------------------------- pages


@pages.get("/issues")
def issues_page(request: Request):
    from fazhi.cycle.rectify import STATE_LABELS

    user = require_user(request)
    flt = filters_from(request)
    cycle = cycle_of(request)
    rows = listed(request, flt)
    counts = counts_for(request, flt.year)
    reviewer = cycle.can_review(user)
    visible = cycle.visible_unit_ids(user)
    units = [u for u in cycle.units() if visible is None or u["id"] in visible]
    names = {u["id"]: u["name"] for u in units}
    per_unit = sorted(((names.get(uid, str(uid)), uid, c) for uid, c in counts.items()), key=lambda t: t[0])
    years = cycle.rectification_years(user)
    return render(request, "issues.j2", rows=rows, flt=flt, per_unit=per_unit, totals=totals(counts),
                  units=units, years=years, states=STATE_LABELS, reviewer=reviewer,
                  rectify_days=cycle.setting("rectify_days", None))


@pages.get("/issues.xlsx")
def issues_xlsx(request: Request):
    flt = filters_from(request)
    rows = listed(request, flt)
    cycle_of(request).audit(current_user(request), "download", "rectifications:xlsx",
                            {"filters": flt.model_dump(), "issues": len(rows)})
    from fazhi.web.views import content_disposition

    return Response(xlsx(rows), media_type=XLSX, headers={"Content-Disposition": content_disposition("问题池.xlsx")})


def xlsx_row(r: dict) -> list[Any]:
    return [r["id"], r["unit_name"], r["year"], r["source_label"], r["rule"] or "", r["body"], r["quote"] or "",
            r["state_label"], r["due"] or "", "是" if r["overdue"] else "", r["report_id"],
            r["fixed_report_id"] or "", r["checked_report_id"] or "", r["note"] or "",
            r["created_at"].strftime("%Y-%m-%d %H:%M") if r["created_at"] else "",
            r["updated_at"].strftime("%Y-%m-%d %H:%M") if r["updated_at"] else ""]


def xlsx(rows: list[dict]) -> bytes:
    """The issues as one sheet (text cells that could read as formulas are quoted)."""
    import io

    from openpyxl import Workbook

    from fazhi.web.routes_admin import _cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题池")
    ws.append(HEADERS)
    for r in rows:
        ws.append([_cell(v) if isinstance(v, str) else v for v in xlsx_row(r)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _form_action(request: Request, form, fn) -> RedirectResponse:
    """Run a reviewer's form action; its message (or the CycleError's) shown on the page gone back to."""
    from fazhi.cycle import CycleError

    try:
        flash(request, fn())
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse(safe_next(str(form.get("back") or "/issues")), status_code=303)


@pages.post("/issues/{issue_id:int}/state")
async def state_form(request: Request, issue_id: int):
    from starlette.concurrency import run_in_threadpool

    check_id(issue_id)
    user = await run_in_threadpool(require_reviewer, request)
    form = await form_with_csrf(request)
    report = str(form.get("report_id") or "").strip()

    def act() -> str:
        done = cycle_of(request).set_rectification_state(
            user, issue_id, str(form.get("state") or ""), note=str(form.get("note") or ""),
            report_id=int(report) if report.isdigit() and len(report) < 10 else None)
        return f"问题 {issue_id} 已改为“{done['state_label']}”。"

    return await run_in_threadpool(_form_action, request, form, act)


@pages.post("/issues/{issue_id:int}/due")
async def due_form(request: Request, issue_id: int):
    from starlette.concurrency import run_in_threadpool

    check_id(issue_id)
    user = await run_in_threadpool(require_reviewer, request)
    form = await form_with_csrf(request)

    def act() -> str:
        done = cycle_of(request).set_rectification_due(user, issue_id, str(form.get("due") or ""))
        return f"问题 {issue_id} 的整改期限已改为 {done['due']}。"

    return await run_in_threadpool(_form_action, request, form, act)


@pages.post("/issues/add")
async def add_form(request: Request):
    """A hand-added issue on a submission's current report (form field submission_id)."""
    from starlette.concurrency import run_in_threadpool

    from fazhi.cycle import CycleError

    user = await run_in_threadpool(require_reviewer, request)
    form = await form_with_csrf(request)
    raw = str(form.get("submission_id") or "").strip()

    def act() -> str:
        if not (raw.isdigit() and 0 < int(raw) <= MAX_ID):
            raise CycleError("请指定报送记录。")
        submission_id = int(raw)
        done = cycle_of(request).add_rectification(user, submission_id, str(form.get("body") or ""),
                                                   quote=str(form.get("quote") or ""),
                                                   due=str(form.get("due") or "") or None)
        return f"已添加整改问题 {done['id']}（期限 {done['due']}）。"

    return await run_in_threadpool(_form_action, request, form, act)


@pages.post("/issues/settings")
async def settings_form(request: Request):
    from starlette.concurrency import run_in_threadpool

    user = await run_in_threadpool(require_reviewer, request)
    form = await form_with_csrf(request)
    raw = str(form.get("rectify_days") or "").strip()

    def act() -> str:
        from fazhi.cycle import CycleError

        if not (raw.isdigit() and len(raw) < 4):
            raise CycleError("整改期限天数应为 1–366 之间的整数。")
        days = cycle_of(request).set_rectify_days(user, int(raw))
        return f"今后退回时提出的问题，整改期限为退回之日起 {days} 天。"

    return await run_in_threadpool(_form_action, request, form, act)


# ---------------------------------------------------------------- JSON API


class StateIn(BaseModel):
    state: str = Field(description="open 待整改 / fixed 已整改 / unfixed 未整改 / closed 销号")
    note: str | None = Field(None, max_length=1000, description="说明")
    report_id: int | None = Field(None, ge=1, le=MAX_ID, description="核查所依据的报告版本（缺省：当前版本）")


class DueIn(BaseModel):
    due: date = Field(description="整改期限（YYYY-MM-DD）")


class IssueIn(BaseModel):
    submission_id: int = Field(ge=1, le=MAX_ID, description="报送记录编号（问题提在其当前版本上）")
    body: str = Field(min_length=1, max_length=2000, description="问题内容")
    quote: str | None = Field(None, max_length=2000, description="原文字（可选，在当前版本中查找位置）")
    start: int | None = Field(None, ge=0, description="原文起点（可选）")
    end: int | None = Field(None, gt=0, description="原文终点（不含）")
    due: date | None = Field(None, description="整改期限（缺省：今天 + 设定天数）")


class DaysIn(BaseModel):
    days: int = Field(ge=1, le=366, description="退回后整改期限天数")


def _write(request: Request, fn) -> Any:
    user = api_write_user(request)
    require_reviewer(request)
    return cycle_call(fn, user)


@api.get("/rectifications", summary="问题池：整改问题列表（可按单位、年度、状态、逾期筛选；报送单位只见本单位）")
def api_list(request: Request, unit_id: int | None = Query(None, ge=1, le=MAX_ID),
             year: int | None = Query(None, ge=1900, le=2100),
             state: str | None = Query(None, description="open fixed unfixed closed outstanding"),
             overdue: bool = Query(False, description="只看逾期未整改")) -> list[dict[str, Any]]:
    if state and state not in (*STATES, "outstanding"):
        raise HTTPException(422, "请求参数有误：state（可用：open、fixed、unfixed、closed、outstanding）。")
    return listed(request, Filters(unit_id=unit_id, year=year, state=state or None, overdue=overdue))


@api.get("/rectifications/counts", summary="问题池：各单位各状态问题数（含逾期数）")
def api_counts(request: Request, year: int | None = Query(None, ge=1900, le=2100)) -> dict[str, Any]:
    counts = counts_for(request, year)
    return {"units": {str(k): v for k, v in counts.items()}, "totals": totals(counts)}


@api.get("/rectifications/{issue_id}", summary="一个整改问题")
def api_one(request: Request, issue_id: Id) -> dict[str, Any]:
    found = cycle_of(request).rectification(require_user(request), issue_id)
    if found is None:
        raise HTTPException(404, "未找到该整改问题，或您无权查看。")
    return found


@api.post("/rectifications", summary="手工添加整改问题（审查人员）")
def api_add(request: Request, body: IssueIn) -> dict[str, Any]:
    return _write(request, lambda user: cycle_of(request).add_rectification(
        user, body.submission_id, body.body, quote=body.quote, start=body.start, end=body.end, due=body.due))


@api.post("/rectifications/{issue_id}/state", summary="设定整改状态：已整改 / 未整改 / 销号 / 待整改（审查人员）")
def api_state(request: Request, issue_id: Id, body: StateIn) -> dict[str, Any]:
    return _write(request, lambda user: cycle_of(request).set_rectification_state(
        user, issue_id, body.state, note=body.note, report_id=body.report_id))


@api.post("/rectifications/{issue_id}/due", summary="修改整改期限（审查人员）")
def api_due(request: Request, issue_id: Id, body: DueIn) -> dict[str, Any]:
    return _write(request, lambda user: cycle_of(request).set_rectification_due(user, issue_id, body.due))


@api.post("/rectifications/settings", summary="设定退回后的整改期限天数（审查人员）")
def api_days(request: Request, body: DaysIn) -> dict[str, Any]:
    return {"rectify_days": _write(request, lambda user: cycle_of(request).set_rectify_days(user, body.days))}


@api.get("/reports/{report_id}/rectifications",
         summary="报告页的整改情况：本单位未销号问题在本版本中的对应文字与建议状态")
def api_panel(request: Request, report_id: Id) -> dict[str, Any]:
    from fazhi.web.routes_pages import readable_report

    readable_report(request, report_id)
    view = cycle_of(request).rectification_view(require_user(request), report_id)
    if view is None:
        raise HTTPException(404, "该报告没有可查看的整改问题。")
    return view


router.include_router(pages)
router.include_router(api)
