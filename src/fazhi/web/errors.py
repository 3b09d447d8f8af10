"""How the web app answers a refusal or a bad request: the Chinese error page (pages) or a JSON
{"detail"} (API), never a 500 for a bad number. Refusals marked for it (403s, access denials,
CSRF failures) are written to the audit log with the request's path."""
from __future__ import annotations

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException

MESSAGES = {404: "未找到该页面或报告，或您无权查看。", 403: "您无权进行此操作。", 400: "请求无效。",
            422: "请求参数有误。", 429: "请求过多，请稍后再试。"}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/openapi")


def message_of(exc) -> str:
    detail = exc.detail if isinstance(exc.detail, str) else None
    if detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail):
        return detail
    return MESSAGES.get(exc.status_code, "出错了。")


def answer(request: Request, status: int, message: str, headers: dict | None = None, **extra):
    from fazhi.web import auth

    if is_api(request):
        return JSONResponse({"detail": message, **extra}, status_code=status, headers=headers)
    return auth.render(request, "error.j2", status_code=status, status=status, message=message)


def audit_refusal(request: Request, action: str, status: int, message: str) -> None:
    from fazhi.web import auth

    try:
        user = auth.current_user(request)
        auth.cycle_of(request).audit(user, action, f"path:{request.url.path}"[:255],
                                     {"method": request.method, "status": status, "reason": message[:200]})
    except Exception:  # noqa: BLE001 - a failing audit write must not turn a refusal into a 500
        pass


def install_handlers(app) -> None:
    from sqlalchemy.exc import DataError

    from fazhi.web import auth

    @app.exception_handler(auth.LoginRequired)
    def _login_required(request: Request, exc: auth.LoginRequired):
        if is_api(request):
            return JSONResponse({"detail": "请先登录"}, status_code=401)
        return RedirectResponse(f"/login?next={auth.safe_next(request.url.path)}", status_code=303)

    @app.exception_handler(HTTPException)
    def _http_error(request: Request, exc: HTTPException):
        message = message_of(exc)
        action = getattr(exc, "audit_action", None) or ("denied" if exc.status_code == 403 else None)
        if action:
            audit_refusal(request, action, exc.status_code, message)
        return answer(request, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def _bad_request(request: Request, exc: RequestValidationError):
        """A malformed or out-of-range parameter (?year=abc, an id past 2**31): 422, with the API
        keeping FastAPI's field list under a Chinese message."""
        names = "、".join(str(e.get("loc", ["", "?"])[-1]) for e in exc.errors())
        message = f"请求参数有误：{names}。"
        if is_api(request):
            return JSONResponse({"detail": message, "errors": jsonable_encoder(exc.errors())}, status_code=422)
        return answer(request, 422, message)

    @app.exception_handler(OverflowError)
    def _overflow(request: Request, exc: OverflowError):
        return answer(request, 404, MESSAGES[404])

    @app.exception_handler(DataError)
    def _data_error(request: Request, exc: DataError):
        return answer(request, 404, MESSAGES[404])
