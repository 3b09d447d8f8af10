"""Who is asking: sessions, CSRF tokens, login and logout, role checks.

The session (a signed cookie) holds only the user id and the CSRF token. Pages check the
token in a hidden form field `csrf_token`; the API in the `X-CSRF-Token` header. Scripts may
instead send HTTP Basic credentials on /api requests (no cookie, so no CSRF token needed).
"""
from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

router = APIRouter(include_in_schema=False)


class LoginRequired(Exception):
    """Raised by a route that needs a logged-in user: pages → 303 to /login, API → 401."""


def cycle_of(request: Request):
    return request.app.state.cycle


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


def _basic_user(request: Request) -> dict | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic ") or not request.url.path.startswith("/api/"):
        return None
    try:
        name, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user = cycle_of(request).authenticate(name, password)
    if user is not None:
        request.state.basic_auth = True
    return user


def current_user(request: Request) -> dict | None:
    """The logged-in user (session, or HTTP Basic on /api), or None. Cached per request."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    uid = request.session.get("uid") if "session" in request.scope else None
    if uid is not None:
        user = cycle_of(request).user(int(uid))
        if user is None or user.get("active") is False:
            request.session.clear()
            user = None
    if user is None:
        user = _basic_user(request)
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
        raise HTTPException(403, "只有审查人员可以进行此操作。")
    return user


def require_admin(request: Request) -> dict:
    user = require_user(request)
    if user.get("role") != "admin":
        raise HTTPException(403, "只有管理员可以进行此操作。")
    return user


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse a write whose token does not match the session's (Basic-auth API calls pass)."""
    if getattr(request.state, "basic_auth", False):
        return
    expected = request.session.get("csrf")
    if not expected or not token or not hmac.compare_digest(str(expected), str(token)):
        raise HTTPException(403, "安全校验失败（CSRF 令牌无效），请刷新页面后重试。")


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
    ctx = {"user": current_user(request), "csrf_token": csrf_token(request), "flashes": pop_flash(request),
           "path": request.url.path, **context}
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)


# ---------------------------------------------------------------- login / logout


@router.get("/login")
def login_page(request: Request, next: str = "/reports"):
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.j2", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request):
    form = await form_with_csrf(request)
    name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    target = safe_next(str(form.get("next") or "/reports"))
    cycle = cycle_of(request)
    user = cycle.authenticate(name, password) if name and password else None
    if user is None:
        cycle.audit(None, "login.failed", f"user:{name}"[:200], {"username": name[:100]})
        return render(request, "login.j2", status_code=401, next=target, error="用户名或密码错误。")
    request.session.clear()
    request.session["uid"] = user["id"]
    request.state.user = user
    csrf_token(request)
    cycle.audit(user, "login", f"user:{user['id']}")
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request):
    await form_with_csrf(request)
    user = current_user(request)
    if user is not None:
        cycle_of(request).audit(user, "logout", f"user:{user['id']}")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
