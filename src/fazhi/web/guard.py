"""The outermost layer of the web app (pure ASGI middleware), for every request:

- the request's address and browser go into the audit context (fazhi.cycle.audit), so every audit
  row written while serving it names them;
- HTTP Basic credentials on /api are checked here, off the event loop (argon2 runs in a small
  thread pool, see fazhi.web.hashing), through the login throttle: wrong ones get 401 with an audit
  row, a locked account or address 429 — never an anonymous answer;
- security headers on every response: Content-Security-Policy (no inline script anywhere but the
  swagger page), X-Frame-Options DENY, nosniff, a same-origin referrer policy, and HSTS when the
  cookies are Secure (HTTPS deployment).
"""
from __future__ import annotations

import base64
import binascii
import json

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
BASE_HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"same-origin"), (b"cross-origin-opener-policy", b"same-origin"),
                (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
HSTS = (b"strict-transport-security", b"max-age=31536000")


def client_ip(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def header(scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k == name:
            return v.decode("latin-1")
    return None


def basic_credentials(value: str | None) -> tuple[str, str] | None:
    """(user name, password) of an `Authorization: Basic` header; ("", "") when malformed; None
    when the header is absent or another scheme."""
    if not value or not value.lower().startswith("basic "):
        return None
    try:
        name, sep, password = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    return (name, password) if sep else ("", "")


class Guard:
    def __init__(self, app, secure: bool = False):
        self.app = app
        self.secure = secure

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from fazhi.cycle.accounts import ACTOR_MEMO
        from fazhi.cycle.audit import AUDIT_CONTEXT, set_request_source

        token = set_request_source(client_ip(scope), header(scope, b"user-agent"))
        memo = ACTOR_MEMO.set({})
        try:
            send = self._with_headers(scope, send)
            if scope["path"].startswith("/api/"):
                creds = basic_credentials(header(scope, b"authorization"))
                if creds is not None and not await self._basic(scope, creds, send):
                    return
            await self.app(scope, receive, send)
        finally:
            AUDIT_CONTEXT.reset(token)
            ACTOR_MEMO.reset(memo)

    def _with_headers(self, scope, send):
        csp = (CSP_DOCS if scope["path"] == "/docs" else CSP).encode()
        extra = [(b"content-security-policy", csp), *BASE_HEADERS, *([HSTS] if self.secure else [])]

        async def wrapped(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers") or []}
                message = {**message, "headers": [*(message.get("headers") or []),
                                                  *(h for h in extra if h[0] not in names)]}
            await send(message)

        return wrapped

    async def _basic(self, scope, creds: tuple[str, str], send) -> bool:
        """Check Basic credentials; True (user in scope state) or False (the answer was sent)."""
        from fazhi.web.hashing import basic_login

        outcome = await basic_login(scope["app"].state.cycle, creds[0], creds[1], client_ip(scope))
        if outcome.user is not None:
            state = scope.setdefault("state", {})
            state["user"] = outcome.user
            state["basic_auth"] = True
            return True
        status = 429 if outcome.locked else 401
        body = json.dumps({"detail": outcome.message}, ensure_ascii=False).encode("utf-8")
        headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b'Basic realm="fazhi", charset="UTF-8"'))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return False
