"""`fazhi serve [--db URL] [--host 127.0.0.1] [--port 8000] [--demo] [--secure-cookies]
[--proxy-headers] [--ssl-certfile F --ssl-keyfile F] [--analysis-workers N]`: the web app.

Secure cookies are on with --secure-cookies, and by default with --proxy-headers (behind a TLS
proxy such as nginx or Caddy, which sends X-Forwarded-Proto/For) or with a certificate given
(uvicorn serves HTTPS itself); --no-secure-cookies turns them off for a plain-HTTP LAN test.
Reports stored before copy matches were kept are matched once, in the background, at start.

--demo loads the bundled sample reports through the yearly cycle (as a demo reviewer), sets up
the period of their years, a demo admin, a demo reviewer and one account per sample unit, and
prints the accounts. Running it again changes nothing that is already there.
"""
from __future__ import annotations

import argparse
import sys

DEMO_ADMIN = "demo-admin"
DEMO_REVIEWER = "demo-reviewer"
DEMO_PASSWORD = "fazhi-demo-2024"


def add_serve_command(subparsers) -> argparse.ArgumentParser:
    s = subparsers.add_parser("serve", help="启动网页版（上传、审查、退回、公开）",
                              description="启动网页版审查系统；浏览器打开 http://HOST:PORT/ 。")
    s.add_argument("--db", metavar="URL", help="数据库（.db 文件或 URL；默认 $FAZHI_DB 或 ./fazhi.db）")
    s.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    s.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    s.add_argument("--demo", action="store_true", help="载入内置样例报告并创建演示账号")
    s.add_argument("--secure-cookies", action=argparse.BooleanOptionalAction, default=None,
                   help="会话 Cookie 仅经 HTTPS 发送（使用 --proxy-headers 或证书时默认开启）")
    s.add_argument("--proxy-headers", action="store_true",
                   help="部署在反向代理（nginx、Caddy）之后：采用代理传来的 X-Forwarded-For/Proto")
    s.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                   help="信任其 X-Forwarded-* 头的代理地址（默认 127.0.0.1）")
    s.add_argument("--ssl-certfile", help="直接提供 HTTPS：证书文件（PEM）")
    s.add_argument("--ssl-keyfile", help="直接提供 HTTPS：私钥文件（PEM）")
    s.add_argument("--analysis-workers", type=int, default=None,
                   help="同时分析上传文件的进程数（默认 CPU 核数减一，至少 1）")
    s.set_defaults(func=run_serve)
    return s


def demo_accounts(cycle, password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Load the bundled samples and make the demo accounts (idempotent): [(username, password, role)]."""
    from importlib import resources
    from pathlib import Path

    from fazhi.cycle import CycleError

    _ensure_user(cycle, DEMO_ADMIN, password, "admin", display_name="演示管理员")
    reviewer = _ensure_user(cycle, DEMO_REVIEWER, password, "reviewer", display_name="演示审查员")
    accounts = [(DEMO_ADMIN, password, "管理员（用户、审计日志）"), (DEMO_REVIEWER, password, "审查人员")]
    root = Path(str(resources.files("fazhi") / "samples"))
    years: set[int] = set()
    for i, path in enumerate(sorted(root.glob("*.txt")), 1):
        up = _stored_sample(cycle, path.read_bytes())
        try:
            up = up or cycle.upload(reviewer, path.name, path.read_bytes())
        except CycleError as e:
            print(f"样例 {path.name}：{e}", file=sys.stderr)
            continue
        years.add(up["year"])
        name = f"demo-unit{i}"
        _ensure_user(cycle, name, password, "unit", unit_name=up["unit_name"], display_name=up["unit_name"])
        accounts.append((name, password, f"报送单位 · {up['unit_name']}"))
    for year in sorted(years):
        cycle.add_period(year, by=reviewer)
    return accounts


def _stored_sample(cycle, data: bytes) -> dict | None:
    """The submission a sample already went into (an earlier --demo run), so it is not resubmitted."""
    import hashlib

    rid = cycle.corpus.find_sha(hashlib.sha256(data).hexdigest())
    sub = cycle.submission_of_report(rid) if rid is not None else None
    return {"year": sub["year"], "unit_name": sub["unit_name"]} if sub else None


def _ensure_user(cycle, username: str, password: str, role: str, **kw) -> dict:
    for u in cycle.users():
        if u["username"] == username:
            return u
    return cycle.add_user(username, password, role, **kw)


def backfill_copies(app) -> int:
    """Reports stored before copy matches were kept: matched once, in a worker process in the
    background (their pages say so meanwhile). Returns how many wait."""
    import threading

    from sqlalchemy import func, select

    from fazhi.corpus.models import ReportRow
    from fazhi.web.worker import TaskLimits, run

    corpus = app.state.corpus
    with corpus.engine.connect() as conn:
        waiting = conn.execute(select(func.count()).select_from(ReportRow).where(ReportRow.copies_at.is_(None))).scalar()
    if waiting:
        url = corpus.engine.url.render_as_string(hide_password=False)
        limits = TaskLimits(seconds=7 * 86400.0, memory_mb=4096)
        threading.Thread(target=run, args=(url, corpus, "copies", (), limits), daemon=True,
                         name="fazhi-copies").start()
        print(f"正在后台为 {waiting} 份此前入库的报告计算雷同段落（完成前其报告页暂不显示雷同段落）", file=sys.stderr)
    return waiting


def secure_cookies(args: argparse.Namespace) -> bool:
    """--secure-cookies given, else on behind a proxy or with a certificate."""
    if args.secure_cookies is not None:
        return bool(args.secure_cookies)
    return bool(args.proxy_headers or args.ssl_certfile)


def run_serve(args: argparse.Namespace) -> int:
    import os

    from fazhi.errors import FazhiError

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        print("错误：--ssl-certfile 与 --ssl-keyfile 须同时给出", file=sys.stderr)
        return 2
    try:
        from fazhi.web.app import create_app
        from fazhi.web.uploads import UploadLimits

        workers = args.analysis_workers or max(1, min(4, (os.cpu_count() or 2) - 1))
        app = create_app(args.db, secure_cookies=secure_cookies(args), upload_limits=UploadLimits(workers=workers))
        backfill_copies(app)
        if args.demo:
            accounts = demo_accounts(app.state.cycle)
            print("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
            for name, _pw, role in accounts:
                print(f"  {name:<16} {role}")
    except FazhiError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    import uvicorn

    scheme = "https" if args.ssl_certfile else "http"
    print(f"网页版已启动：{scheme}://{args.host}:{args.port}/  （Ctrl-C 退出）")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=args.proxy_headers,
                forwarded_allow_ips=args.forwarded_allow_ips if args.proxy_headers else None,
                ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
    return 0
