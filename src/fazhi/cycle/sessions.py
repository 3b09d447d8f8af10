"""Server-side login sessions (mixed into fazhi.cycle.service.Cycle).

The browser's cookie carries a random token; the database keeps only its sha256 (table
web_sessions), the user, when it was made and last used, and from where. A session ends at
logout, when the user's password is reset or the account deactivated (fazhi.cycle.accounts), and
after IDLE of inactivity; a saved cookie replayed after any of these is worth nothing.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from fazhi.cycle.accounts import now
from fazhi.cycle.models import SessionRow

IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)  # last_seen is written at most this often per session


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class SessionsMixin:
    engine: Any

    def start_session(self, user: dict, ip: str | None = None, user_agent: str | None = None) -> str:
        """A new session of `user`: the token to put in the cookie."""
        token = secrets.token_urlsafe(32)
        at = now()
        with self.engine.begin() as conn:
            conn.execute(delete(SessionRow).where(SessionRow.last_seen < at - MAX_AGE))  # old ones swept
            conn.execute(insert(SessionRow), {"id": _digest(token), "user_id": user["id"], "created_at": at,
                                              "last_seen": at, "ip": (ip or None) and ip[:64],
                                              "user_agent": (user_agent or None) and user_agent[:255]})
        return token

    def session_user_id(self, token: str | None, idle: timedelta = IDLE) -> tuple[int | None, bool]:
        """(user id, expired): the user of a live session, or None; `expired` when the session
        existed but timed out (it is deleted then)."""
        if not token or len(token) > 200:
            return None, False
        key = _digest(token)
        at = now()
        with self.engine.connect() as conn:
            row = conn.execute(select(SessionRow.user_id, SessionRow.created_at, SessionRow.last_seen)
                               .where(SessionRow.id == key)).first()
        if row is None:
            return None, False
        if at - row.last_seen > idle or at - row.created_at > MAX_AGE:
            self.end_session(token)
            return None, True
        if at - row.last_seen > TOUCH_EVERY:  # written aside: a request never waits for another writer
            threading.Thread(target=self._touch, args=(key, at), daemon=True, name="fazhi-session").start()
        return row.user_id, False

    def _touch(self, key: str, at) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(update(SessionRow).where(SessionRow.id == key).values(last_seen=at))
        except Exception:  # noqa: BLE001 - a missed touch only shortens the idle window once
            pass

    def end_session(self, token: str | None) -> None:
        if token:
            with self.engine.begin() as conn:
                conn.execute(delete(SessionRow).where(SessionRow.id == _digest(token)))

    def end_user_sessions(self, user_id: int) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(SessionRow).where(SessionRow.user_id == user_id)).rowcount

    def session_count(self, user_id: int) -> int:
        from sqlalchemy import func

        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(SessionRow)
                                .where(SessionRow.user_id == user_id)).scalar_one()
