"""Pages of the yearly cycle and administration: 年度报送 (periods, overview, units), 用户, 审计日志."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from fazhi.web.auth import cycle_of, flash, form_with_csrf, render, require_admin, require_reviewer, require_user

router = APIRouter(include_in_schema=False)


async def _admin_action(request: Request, action, back: str) -> RedirectResponse:
    """An admin form post: check role and CSRF, run `action(admin, form, cycle) -> message`, show the
    message (or the CycleError's) on the next page, go back to `back`."""
    from fazhi.cycle import CycleError

    admin = require_admin(request)
    form = await form_with_csrf(request)
    try:
        flash(request, action(admin, form, cycle_of(request)))
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse(back, status_code=303)


def _default_year(periods: list[dict]) -> int:
    if periods:
        return max(p["year"] for p in periods)
    return dt.date.today().year - 1


@router.get("/periods")
def periods_page(request: Request, year: int | None = None):
    """Reviewers: the status board of a year (counts per level and status, each unit's row with its
    last 催报 and unread messages, the 催报 and 通报 buttons). Units: their own submissions."""
    from fazhi.cycle import STATUS_LABELS
    from fazhi.cycle.deadlines import valid_year, year_range
    from fazhi.cycle.notices_board import COUNT_LABELS

    user = require_user(request)
    if year is not None and not valid_year(year):
        low, high = year_range()
        raise HTTPException(422, f"请求参数有误：year（应为 {low}–{high} 之间的年度）。")
    cycle = cycle_of(request)
    periods = cycle.periods()
    year = year or _default_year(periods)
    if cycle.can_review(user):
        board = cycle.board(user, year)
        return render(request, "periods.j2", periods=periods, year=year, rows=board["rows"], board=board,
                      units=cycle.units(), statuses=STATUS_LABELS, count_labels=COUNT_LABELS, mine=None,
                      notice=cycle.notice(year), smtp=cycle.mail_settings())
    mine = cycle.submissions(unit_id=user["unit_id"]) if user.get("unit_id") is not None else []
    return render(request, "periods.j2", periods=periods, year=year, rows=None, units=[],
                  statuses=STATUS_LABELS, mine=mine, notice=cycle.notice(year))


@router.post("/periods/{year}/remind")
async def remind_late(request: Request, year: int):
    """催报所有逾期单位: in-app messages, and e-mail when a server is set (sent in a worker thread)."""
    from starlette.concurrency import run_in_threadpool

    from fazhi.cycle import CycleError
    from fazhi.cycle.deadlines import valid_year

    user = await run_in_threadpool(require_reviewer, request)
    await form_with_csrf(request)
    if not valid_year(year):
        raise HTTPException(404, "没有这个年度。")
    try:
        done = await run_in_threadpool(cycle_of(request).remind_late, user, year)
        flash(request, done["summary"])
        for u in done["units"]:
            if u["email_to"] and u["email_error"]:
                flash(request, f"{u['unit_name']}：邮件未发出，{u['email_error']}", "error")
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse(f"/periods?year={year}", status_code=303)


@router.get("/periods/{year}/circular.docx")
def circular_docx(request: Request, year: int):
    """The 通报 draft of `year` (.docx): units late, never submitted, approved but unpublished."""
    from fazhi.cycle.deadlines import valid_year
    from fazhi.render.circular_docx import circular_title, render_circular
    from fazhi.web.views import content_disposition

    user = require_reviewer(request)
    if not valid_year(year):
        raise HTTPException(404, "没有这个年度。")
    cycle = cycle_of(request)
    data = cycle.circular_data(user, year)
    cycle.audit(user, "circular.download", f"period:{year}", {"late": data["late"], "missing": data["missing"],
                                                              "unpublished": data["unpublished"]})
    name = circular_title(year) + ".docx"
    return Response(render_circular(data), headers={"Content-Disposition": content_disposition(name)},
                    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@router.post("/periods")
async def add_period(request: Request):
    from fazhi.cycle import CycleError

    user = require_admin(request)
    form = await form_with_csrf(request)
    year = str(form.get("year") or "").strip()
    if not year.isdigit() or len(year) != 4:
        flash(request, "请填写报告年度（四位数字）。", "error")
        return RedirectResponse("/periods", status_code=303)
    deadlines = {}
    for key, value in form.items():
        if key.startswith("deadline_") and str(value).strip():
            deadlines[key[len("deadline_"):]] = str(value).strip()
    try:
        cycle_of(request).add_period(int(year), deadlines or None, by=user)
        flash(request, f"已添加报送年度 {year}。")
    except CycleError as e:
        flash(request, str(e), "error")
    return RedirectResponse(f"/periods?year={year}", status_code=303)


@router.post("/units")
async def add_unit(request: Request):
    from fazhi.cycle import CycleError

    def action(admin: dict, form, cycle) -> str:
        name = str(form.get("name") or "").strip()
        if not name:
            raise CycleError("请填写单位名称。")
        cycle.add_unit(name, level=str(form.get("level") or "").strip() or None, by=admin)
        return f"已添加报送单位“{name}”。"

    return await _admin_action(request, action, "/units" if request.query_params.get("back") == "units" else "/periods")


@router.get("/users")
def users_page(request: Request):
    require_admin(request)
    cycle = cycle_of(request)
    return render(request, "users.j2", users=cycle.users(), units=cycle.units())


@router.post("/users")
async def add_user(request: Request):
    from fazhi.cycle import CycleError

    def action(admin: dict, form, cycle) -> str:
        role = str(form.get("role") or "")
        unit_name = str(form.get("unit_name") or "").strip() or None
        if role not in ("admin", "reviewer", "unit"):
            raise CycleError("请选择角色。")
        created = cycle.add_user(str(form.get("username") or "").strip(), str(form.get("password") or ""), role,
                                 unit_name=unit_name if role == "unit" else None,
                                 display_name=str(form.get("display_name") or "").strip() or None, by=admin)
        return f"已添加用户“{created['username']}”。"

    return await _admin_action(request, action, "/users")


@router.post("/users/{username}/active")
async def set_user_active(request: Request, username: str):
    """停用 / 启用 an account (a disabled account cannot log in; its sessions end at the next request)."""
    from fazhi.cycle import CycleError

    def action(admin: dict, form, cycle) -> str:
        active = form.get("active") == "1"
        if not active and username == admin["username"]:
            raise CycleError("不能停用自己的账号。")
        cycle.set_active(username, active, by=admin)
        return f"已{'启用' if active else '停用'}用户“{username}”。"

    return await _admin_action(request, action, "/users")


@router.post("/users/{username}/role")
async def set_user_role(request: Request, username: str):
    """角色: admin, reviewer (optionally attached to a reviewing office: it sees that branch), unit (its unit)."""
    from fazhi.cycle import CycleError

    def action(admin: dict, form, cycle) -> str:
        raw = str(form.get("unit_id") or "").strip()
        if raw and not (raw.isdigit() and len(raw) < 10):
            raise CycleError("单位编号无效。")
        done = cycle.set_role(admin, username, str(form.get("role") or ""), int(raw) if raw else None)
        where = f"（{done['unit_name']}）" if done["unit_name"] else ""
        return f"已将“{username}”的角色改为{ROLE_NAMES.get(done['role'], done['role'])}{where}。"

    return await _admin_action(request, action, "/users")


ROLE_NAMES = {"admin": "管理员", "reviewer": "审查人员", "unit": "报送单位"}


@router.post("/users/{username}/password")
async def reset_password(request: Request, username: str):
    def action(admin: dict, form, cycle) -> str:
        cycle.set_password(username, str(form.get("password") or ""), by=admin)
        return f"已重置用户“{username}”的密码。"

    return await _admin_action(request, action, "/users")


@router.get("/audit")
def audit_page(request: Request):
    """The audit log (newest first, Beijing time), filtered by user, action and date."""
    from fazhi.cycle.audit import ACTION_LABELS, detail_text

    require_admin(request)
    cycle = cycle_of(request)
    query = audit_query(request)
    entries = [{**e, "label": ACTION_LABELS.get(e["action"], e["action"]), "detail_text": detail_text(e["detail"])}
               for e in cycle.audit_log(query=query)]
    actions = [(a, ACTION_LABELS.get(a, a)) for a in cycle.audit_actions()]
    return render(request, "audit.j2", entries=entries, q=query, actions=actions,
                  query_string=request.url.query)


@router.get("/audit.{fmt}")
def audit_export(request: Request, fmt: str):
    """The filtered audit log as .csv (UTF-8 with BOM, opens in Excel) or .xlsx (up to EXPORT_ROWS rows)."""
    from fazhi.cycle.audit import EXPORT_HEADERS, audit_rows
    from fazhi.web.views import content_disposition

    admin = require_admin(request)
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(404, "没有这种导出格式。")
    cycle = cycle_of(request)
    query = audit_query(request, limit=EXPORT_ROWS)
    rows = audit_rows(cycle.audit_log(query=query))
    cycle.audit(admin, "audit.export", f"audit:{fmt}", {"format": fmt, "rows": len(rows)})
    name = f"审计日志-{dt.date.today().isoformat()}.{fmt}"
    data, media = (_csv(EXPORT_HEADERS, rows), "text/csv; charset=utf-8") if fmt == "csv" else \
        (_xlsx(EXPORT_HEADERS, rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(data, media_type=media, headers={"Content-Disposition": content_disposition(name)})


EXPORT_ROWS = 100_000


def audit_query(request: Request, limit: int = 500):
    """The page's filters: ?user=&action=&since=YYYY-MM-DD&until=YYYY-MM-DD (bad dates: 422)."""
    from fazhi.cycle.audit import AuditQuery

    q = request.query_params
    dates = {}
    for key in ("since", "until"):
        raw = (q.get(key) or "").strip()
        try:
            dates[key] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise HTTPException(422, f"请求参数有误：{key}（日期应写作 YYYY-MM-DD）。") from None
    return AuditQuery(username=(q.get("user") or "").strip()[:64] or None, action=(q.get("action") or "").strip()[:32]
                      or None, since=dates["since"], until=dates["until"], limit=limit)


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows([[_cell(v) for v in r] for r in rows])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _cell(v: str) -> str:
    """A spreadsheet cell that cannot be read as a formula."""
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def _xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.append(headers)
    for r in rows:
        ws.append([_cell(v) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
