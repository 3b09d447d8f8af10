"""Shared parts of the browser tests: a real `fazhi serve` process on a real SQLite file, Debian's
chromium driven by Playwright, logging in through the login page, screenshots to $FAZHI_SCREENSHOTS
(default: the test's tmp folder; `FAZHI_SCREENSHOTS=docs/screenshots make test` refreshes docs/).

    from browser_kit import browser, fazhi, login, server, shots  # noqa: F401 (fixtures)
    pytestmark = pytest.mark.needs("chromium")

`server` is module-scoped: an admin `admin` and a reviewer `rev` exist, every password is PASSWORD.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser-test-1"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fazhi(*args: str, db: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The `fazhi` command line on database `db` (passwords from $FAZHI_PASSWORD = PASSWORD)."""
    env = {**os.environ, "FAZHI_PASSWORD": PASSWORD, **(env or {})}
    return subprocess.run([sys.executable, "-m", "fazhi", *args, "--db", db], env=env,
                          capture_output=True, text=True, timeout=120)


@contextlib.contextmanager
def serve(db: str, env: dict | None = None) -> Iterator[str]:
    """`fazhi serve` on `db` in its own process until the block ends; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fazhi", "serve", "--db", db, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"fazhi serve did not start: {proc.stdout.read()}")
            time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def new_db(tmp_path_factory, name: str = "cycle") -> str:
    """A new SQLite database with an admin `admin` and a reviewer `rev` made by `fazhi user add`."""
    db = f"sqlite:///{tmp_path_factory.mktemp(name) / 'cycle.db'}"
    for args in (("user", "add", "admin", "--admin"), ("user", "add", "rev", "--reviewer")):
        done = fazhi(*args, db=db)
        assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`fazhi serve` in its own process, with an admin and a reviewer made by `fazhi user add`."""
    with serve(new_db(tmp_path_factory, "browser")) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = Path(os.environ.get("FAZHI_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def login(browser, base: str, username: str, password: str = PASSWORD):
    """A new browser context logged in as `username`; page.js_errors collects page errors."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
    page.js_errors = errors  # checked at the end of each walk
    return page
