"""The reviewing office's web app: `create_app(db)` → a FastAPI application.

Pages (server-rendered Jinja2, Chinese) and a JSON API under /api over one corpus database
and its yearly cycle (`fazhi.cycle.Cycle`). Every asset is served from the package
(fazhi/web/static, ECharts from fazhi/assets); /docs is swagger-ui from the package too.

Access: signed-cookie sessions (key from `Cycle.secret_key()`), a CSRF token per session on
every POST; every route showing a report asks `Cycle.can_read` and answers 404 when not.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

STATIC = Path(str(resources.files("fazhi.web") / "static"))
TEMPLATES = Path(str(resources.files("fazhi.web") / "templates"))
ECHARTS = Path(str(resources.files("fazhi") / "assets" / "echarts.min.js"))

API_DESCRIPTION = """法治政府建设年度报告审查系统的 JSON 接口，与网页功能一一对应。

**认证**：两种方式任选其一。
1. 浏览器会话：先在 /login 登录；读取接口直接可用，写入接口（POST）须带请求头
   `X-CSRF-Token`，其值见 `GET /api/me` 的 `csrf_token`。
2. 脚本：每个请求带 HTTP Basic 认证（`curl -u 用户名:密码 ...`），无需 CSRF 令牌。

无权查看的报告一律返回 404（不泄露编号是否存在）；未登录访问需登录的接口返回 401。
"""


def templates_env():
    """The Jinja2 templates object (autoescape on for every .j2 file)."""
    from fastapi.templating import Jinja2Templates
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(enabled_extensions=("j2", "html"), default=True))
    from fazhi.web import views

    env.filters["cn_dt"] = views.cn_datetime
    env.filters["num"] = views.fmt_number
    env.globals.update(SEVERITY_LABEL=views.SEVERITY_LABEL, CATEGORY_LABEL=views.CATEGORY_LABEL,
                       ROLE_LABEL=views.ROLE_LABEL, LEVELS=views.LEVELS)
    return Jinja2Templates(env=env)


def create_app(db: str | None = None):
    """The app over the corpus at `db` (URL or path; default $FAZHI_DB or ./fazhi.db)."""
    from fastapi import FastAPI, Request
    from starlette.exceptions import HTTPException
    from fastapi.encoders import jsonable_encoder
    from fastapi.exceptions import RequestValidationError
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
    from fastapi.staticfiles import StaticFiles
    from starlette.middleware.sessions import SessionMiddleware

    from fazhi.corpus.store import open_corpus
    from fazhi.cycle import Cycle
    from fazhi.web import auth, routes_admin, routes_api, routes_pages

    corpus = open_corpus(db)
    cycle = Cycle(corpus)
    app = FastAPI(title="法治政府建设年度报告审查系统", description=API_DESCRIPTION, version=_version(),
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.corpus = corpus
    app.state.cycle = cycle
    app.state.templates = templates_env()
    app.add_middleware(SessionMiddleware, secret_key=cycle.secret_key(), session_cookie="fazhi_session",
                       same_site="lax", https_only=False, max_age=12 * 3600)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/assets/echarts.min.js", include_in_schema=False)
    def echarts():
        return FileResponse(ECHARTS, media_type="text/javascript")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="接口文档 · fazhi",
                                   swagger_js_url="/static/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg",
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.exception_handler(auth.LoginRequired)
    def _login_required(request: Request, exc: auth.LoginRequired):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "请先登录"}, status_code=401)
        return RedirectResponse(f"/login?next={auth.safe_next(request.url.path)}", status_code=303)

    @app.exception_handler(HTTPException)
    def _http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/openapi"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return auth.render(request, "error.j2", status_code=exc.status_code, status=exc.status_code,
                           message=views_message(exc))

    @app.exception_handler(RequestValidationError)
    def _bad_request(request: Request, exc: RequestValidationError):
        """A malformed parameter (?year=abc): the API keeps FastAPI's field list under a Chinese
        message; a page gets the Chinese error page."""
        names = "、".join(str(e.get("loc", ["", "?"])[-1]) for e in exc.errors())
        message = f"请求参数有误：{names}。"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message, "errors": jsonable_encoder(exc.errors())}, status_code=422)
        return auth.render(request, "error.j2", status_code=400, status=400, message=message)

    app.include_router(auth.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_api.router)
    return app


def views_message(exc) -> str:
    messages = {404: "未找到该页面或报告，或您无权查看。", 403: "您无权进行此操作。", 400: "请求无效。"}
    detail = exc.detail if isinstance(exc.detail, str) else None
    if detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail):
        return detail
    return messages.get(exc.status_code, "出错了。")


def _version() -> str:
    from fazhi import __version__

    return __version__
