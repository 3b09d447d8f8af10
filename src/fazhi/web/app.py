"""The reviewing office's web app: `create_app(db)` → a FastAPI application.

Pages (server-rendered Jinja2, Chinese) and a JSON API under /api over one corpus database
and its yearly cycle (`fazhi.cycle.Cycle`). Every asset is served from the package
(fazhi/web/static, ECharts from fazhi/assets); /docs is swagger-ui from the package too.

Access: server-side sessions behind a signed cookie (key from `Cycle.secret_key()`; Secure with
`secure_cookies`), a CSRF token per session on every POST; every route showing a report asks
`Cycle.can_read` and answers 404 when not. fazhi.web.guard wraps everything: audit source,
HTTP Basic, security headers. Uploads are analysed in child processes (fazhi.web.uploads), the
dashboard too (fazhi.web.charts); no route does heavy work on the event loop.
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


def create_app(db: str | None = None, *, secure_cookies: bool = False, upload_limits=None):
    """The app over the corpus at `db` (URL or path; default $FAZHI_DB or ./fazhi.db).
    `secure_cookies`: the session cookie is only sent over HTTPS (deployment behind TLS).
    `upload_limits`: fazhi.web.uploads.UploadLimits (workers, queue, quotas, per-file limits)."""
    from fastapi import FastAPI
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles
    from starlette.middleware.sessions import SessionMiddleware

    from fazhi.corpus.store import open_corpus
    from fazhi.cycle import Cycle
    from fazhi.web import (auth, routes_admin, routes_api, routes_jobs, routes_lifecycle, routes_notices,
                           routes_opinion, routes_org, routes_outputs, routes_pages, routes_rectify)
    from fazhi.web.guard import Guard

    corpus = open_corpus(db)
    cycle = Cycle(corpus)
    app = FastAPI(title="法治政府建设年度报告审查系统", description=API_DESCRIPTION, version=_version(),
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.corpus = corpus
    app.state.cycle = cycle
    app.state.templates = templates_env()
    app.state.secure_cookies = secure_cookies
    _background(app, corpus, cycle, upload_limits)
    app.add_middleware(SessionMiddleware, secret_key=cycle.secret_key(), session_cookie="fazhi_session",
                       same_site="lax", https_only=secure_cookies, max_age=12 * 3600)
    app.add_middleware(Guard, secure=secure_cookies)
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

    from fazhi.web.errors import install_handlers

    install_handlers(app)
    app.include_router(auth.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_api.router)
    app.include_router(routes_jobs.router)
    for module in (routes_notices, routes_rectify, routes_opinion, routes_outputs, routes_lifecycle, routes_org):
        app.include_router(module.router)  # the office's year (issue 14)
    return app


def _background(app, corpus, cycle, upload_limits) -> None:
    """The upload queue and the chart cache, both working in child processes on the database URL."""
    from fazhi.web.charts import ChartCache
    from fazhi.web.uploads import UploadLimits, UploadQueue
    from fazhi.web.worker import TaskLimits, run

    url = corpus.engine.url.render_as_string(hide_password=False)
    limits = upload_limits or UploadLimits()
    app.state.uploads = UploadQueue(cycle, url, limits)
    chart_limits = TaskLimits(seconds=600.0, memory_mb=max(limits.task.memory_mb, 2048))
    app.state.charts = ChartCache(lambda ids, reviewer: run(url, corpus, "charts", (ids, reviewer), chart_limits))


def _version() -> str:
    from fazhi import __version__

    return __version__
