"""Checking passwords off the event loop, through the login throttle.

argon2 costs tens of milliseconds of CPU and 64 MB per check by design; run on the event loop, ten
wrong logins stall every other request. Here every check runs in a pool of HASH_THREADS threads
(so concurrent logins queue there instead of taking the server's worker threads), a locked account
or address is refused before any hashing (fazhi.cycle.throttle), and every failure is audited.
A script's HTTP Basic credentials, once verified, are remembered for CACHE_SECONDS (keyed by a
keyed hash of name and password, and only while the account is active with the same password
hash), so a script calling the API in a loop does not pay argon2 on every request.
"""
from __future__ import annotations

import asyncio
import contextvars
import hashlib
import hmac
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

HASH_THREADS = 2
CACHE_SECONDS = 300.0
CACHE_SIZE = 1000
_EXECUTOR = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="fazhi-hash")
_CACHE_KEY = secrets.token_bytes(32)
_cache: dict[bytes, tuple[int, str, float]] = {}
_cache_lock = threading.Lock()


@dataclass
class LoginOutcome:
    user: dict | None
    locked: bool = False
    message: str = ""


async def off_loop(fn, *args):
    """Run `fn(*args)` in the hashing pool (with this request's context: its audit source)."""
    ctx = contextvars.copy_context()
    return await asyncio.wrap_future(_EXECUTOR.submit(ctx.run, fn, *args))


def locked_message(until) -> str:
    from fazhi.cycle.audit import beijing

    return f"登录失败次数过多，该账号或地址已被锁定，请于 {beijing(until)[:16]}（北京时间）后再试。"


def check_login(cycle, username: str, password: str, ip: str | None, via: str) -> LoginOutcome:
    """Verify a login (blocking: run it with `off_loop`). via: "form" or "basic"."""
    from fazhi.cycle.audit import beijing

    name = (username or "").strip()[:64]
    until = cycle.login_locked_until(name, ip)
    if until is not None:
        cycle.audit(None, "login.refused", f"user:{name}", {"username": name, "via": via, "until": beijing(until)})
        return LoginOutcome(None, True, locked_message(until))
    user = cycle.authenticate(name, password) if name and password else None
    if user is None:
        cycle.audit(None, "login.failed" if via == "form" else "basic.failed", f"user:{name}",
                    {"username": name, "via": via})
        now_locked = cycle.login_failed(name or None, ip)
        message = "用户名或密码错误。" if now_locked is None else "用户名或密码错误。" + locked_message(now_locked)
        return LoginOutcome(None, False, message)
    cycle.login_succeeded(name)
    return LoginOutcome(user)


def _cache_key(username: str, password: str) -> bytes:
    return hmac.new(_CACHE_KEY, f"{username}\0{password}".encode("utf-8", "replace"), hashlib.sha256).digest()


def _cached_user(cycle, key: bytes) -> dict | None:
    from sqlalchemy import select

    from fazhi.cycle.models import UserRow

    with _cache_lock:
        hit = _cache.get(key)
    if hit is None or hit[2] < time.monotonic():
        return None
    with cycle.engine.connect() as conn:
        row = conn.execute(select(UserRow.password_hash, UserRow.active).where(UserRow.id == hit[0])).first()
    if row is None or not row.active or row.password_hash != hit[1]:
        with _cache_lock:
            _cache.pop(key, None)
        return None
    return cycle.user(hit[0])


def _remember(cycle, key: bytes, user: dict) -> None:
    from sqlalchemy import select

    from fazhi.cycle.models import UserRow

    with cycle.engine.connect() as conn:
        digest = conn.execute(select(UserRow.password_hash).where(UserRow.id == user["id"])).scalar()
    with _cache_lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[key] = (user["id"], digest, time.monotonic() + CACHE_SECONDS)


def _basic_blocking(cycle, username: str, password: str, ip: str | None) -> LoginOutcome:
    key = _cache_key(username, password)
    user = _cached_user(cycle, key)
    if user is not None:
        return LoginOutcome(user)
    outcome = check_login(cycle, username, password, ip, "basic")
    if outcome.user is not None:
        _remember(cycle, key, outcome.user)
    elif not outcome.locked:
        outcome.message = "用户名或密码错误（HTTP Basic 认证失败）。" + outcome.message.removeprefix("用户名或密码错误。")
    return outcome


async def basic_login(cycle, username: str, password: str, ip: str | None) -> LoginOutcome:
    return await off_loop(_basic_blocking, cycle, username, password, ip)


async def form_login(cycle, username: str, password: str, ip: str | None) -> LoginOutcome:
    return await off_loop(check_login, cycle, username, password, ip, "form")
