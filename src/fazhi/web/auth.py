"""Who is asking: sessions, CSRF tokens, login and logout, role checks.

Sessions are server-side (fazhi.cycle.sessions): the signed cookie holds a random session token,
the CSRF token and pending messages, never the user. Logout, a password reset or deactivation
deletes the session rows, so a saved cookie replayed afterwards is a logged-out visitor (401 on
/api); a session idle for 30 minutes ends too. Pages check the CSRF token in a hidden form field
`csrf_token`; the API in the `X-CSRF-Token` header. Scripts may instead send HTTP Basic
credentials on /api requests (checked by fazhi.web.guard; no cookie, so no CSRF token needed).
Logins go through fazhi.web.hashing: off the event loop, throttled, audited.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


class LoginRequired(Exception):
    """Raised by a route that needs a logged-in user: pages → 303 to /login, API → 401."""


class Refusal(HTTPException):
    """An HTTP refusal that is written to the audit log (as `action`) when answered."""

    def __init__(self, status_code: int, detail: str, action: str = "denied"):
        super().__init__(status_code, detail)
        self.audit_action = action


def cycle_of(request: Request):
    return request.app.state.cycle


def cycle_call(fn, *args, **kwargs):
    """fn(*args, **kwargs) of the cycle, a refusal answered over HTTP with its Chinese reason:
    AccessDenied → 403 (audited), any other CycleError (a refused change, bad input) → 409."""
    from fazhi.cycle import AccessDenied, CycleError

    try:
        return fn(*args, **kwargs)
    except AccessDenied as e:
        raise Refusal(403, str(e)) from None
    except CycleError as e:
        raise HTTPException(409, str(e)) from None


def check_id(value: int) -> int:
    """A database id from a URL: 1 .. 2**31-1, else 404 (never a database overflow)."""
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise HTTPException(404, "未找到该页面或报告，或您无权查看。")
    return value


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def safe_next(path: str | None) -> str:
    """A local path to go back to after login (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/reports"
    return quote(path, safe="/?=&")


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def current_user(request: Request) -> dict | None:
    """The logged-in user (live server-side session, or HTTP Basic on /api), or None. Cached per request."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    sid = request.session.get("sid") if "session" in request.scope else None
    if sid:
        cycle = cycle_of(request)
        uid, expired = cycle.session_user_id(str(sid))
        user = cycle.user(uid) if uid is not None else None
        if user is None or user.get("active") is False:
            user = None
            request.session.pop("sid", None)
            if expired:
                flash(request, "长时间未操作，已自动退出登录，请重新登录。", "error")
    request.state.user = user
    return user


def require_user(request: Request) -> dict:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def require_reviewer(request: Request) -> dict:
    user = require_user(request)
    if not cycle_of(request).can_review(user):
        raise Refusal(403, "只有审查人员可以进行此操作。")
    return user


def require_admin(request: Request) -> dict:
    user = require_user(request)
    if user.get("role") != "admin":
        raise Refusal(403, "只有管理员可以进行此操作。")
    return user


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse a write whose token does not match the session's (Basic-auth API calls pass)."""
    if getattr(request.state, "basic_auth", False):
        return
    expected = request.session.get("csrf")
    if not expected or not token or not hmac.compare_digest(str(expected), str(token)):
        raise Refusal(403, "安全校验失败（CSRF 令牌无效），请刷新页面后重试。", "csrf.failed")


async def form_with_csrf(request: Request):
    """The posted form, after checking its `csrf_token` field."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    return form


def api_write_user(request: Request) -> dict:
    """The user of an API write: logged in, and the X-CSRF-Token header matches (or Basic auth)."""
    user = require_user(request)
    check_csrf(request, request.headers.get("x-csrf-token"))
    return user


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"], [kind, message]][-5:]


def pop_flash(request: Request) -> list:
    return request.session.pop("flash", []) or []


def render(request: Request, template: str, status_code: int = 200, **context):
    """A page: the template with the user, the CSRF token and pending messages."""
    user = current_user(request)
    cycle = cycle_of(request)
    unread = cycle.unread_count(user) if user else 0
    path = request.url.path
    banner = (cycle.unread_notice(user) if unread and user and user.get("role") == "unit"
              and not path.startswith("/notices/") else None)  # a unit's unread 报送通知, on every page
    ctx = {"user": user, "csrf_token": csrf_token(request), "flashes": pop_flash(request), "path": path,
           "unread_messages": unread, "notice_banner": banner, **context}
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)


# ---------------------------------------------------------------- login / logout


@router.get("/login")
def login_page(request: Request, next: str = "/reports"):
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.j2", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request):
    from fazhi.web.hashing import form_login

    form = await form_with_csrf(request)
    name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    target = safe_next(str(form.get("next") or "/reports"))
    cycle = cycle_of(request)
    outcome = await form_login(cycle, name, password, client_ip(request))
    if outcome.user is None:
        request.state.user = None
        return render(request, "login.j2", status_code=429 if outcome.locked else 401, next=target,
                      error=outcome.message)
    user = outcome.user
    old = request.session.get("sid")
    token = await run_in_threadpool(_begin, cycle, user, old, client_ip(request), request.headers.get("user-agent"))
    request.session.clear()
    request.session["sid"] = token
    request.state.user = user
    csrf_token(request)
    return RedirectResponse(target, status_code=303)


def _begin(cycle, user: dict, old: str | None, ip: str | None, agent: str | None) -> str:
    """A new session for `user` (an earlier one in this browser ended), audited."""
    if old:
        cycle.end_session(str(old))
    token = cycle.start_session(user, ip, agent)
    cycle.audit(user, "login", f"user:{user['id']}")
    return token


@router.post("/logout")
async def logout(request: Request):
    await form_with_csrf(request)
    user = await run_in_threadpool(current_user, request)
    sid = request.session.get("sid")
    cycle = cycle_of(request)

    def end() -> None:
        cycle.end_session(str(sid) if sid else None)
        if user is not None:
            cycle.audit(user, "logout", f"user:{user['id']}")

    await run_in_threadpool(end)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
