"""Login throttling with lockout (等保 2.0 登录失败处理), mixed into fazhi.cycle.service.Cycle.

Failed logins are counted per account and per address over WINDOW; at ACCOUNT_LIMIT failures
for one account, or IP_LIMIT from one address, that account or address is locked for LOCK: every
login is refused without checking the password (so a locked account costs no hashing either),
and the lockout is written to the audit log. A correct login resets the account's count; an
admin's password reset unlocks the account (fazhi.cycle.accounts). Counts live in the database
(table login_throttle), so a restart does not reset them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from fazhi.cycle.accounts import now
from fazhi.cycle.models import ThrottleRow


@dataclass(frozen=True)
class Limits:
    account: int = 5
    address: int = 20
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)


LIMITS = Limits()


def _keys(username: str | None, ip: str | None) -> list[tuple[str, str]]:
    """(key, what) for the account and the address."""
    out = []
    if username:
        out.append((f"user:{username}"[:160], "account"))
    if ip:
        out.append((f"ip:{ip}"[:160], "address"))
    return out


class ThrottleMixin:
    engine: Any
    limits: Limits = LIMITS

    def login_locked_until(self, username: str | None, ip: str | None) -> datetime | None:
        """When the lock on this account or address ends (naive UTC), or None when not locked."""
        keys = [k for k, _ in _keys(username, ip)]
        if not keys:
            return None
        with self.engine.connect() as conn:
            ends = conn.execute(select(ThrottleRow.locked_until).where(
                ThrottleRow.key.in_(keys), ThrottleRow.locked_until > now())).scalars().all()
        return max(ends) if ends else None

    def login_failed(self, username: str | None, ip: str | None) -> datetime | None:
        """Count one failed login; returns when the lock ends if this failure locked something."""
        locked = None
        for key, what in _keys(username, ip):
            limit = self.limits.account if what == "account" else self.limits.address
            until = self._count(key, limit)
            if until is not None:
                locked = until
                detail = {"username": username} if what == "account" else {"address": ip}
                self.audit(None, "login.locked", key, {**detail, "failures": limit,
                                                       "until": _beijing(until)})
        return locked

    def login_succeeded(self, username: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(ThrottleRow).where(ThrottleRow.key == f"user:{username}"[:160]))

    def _count(self, key: str, limit: int) -> datetime | None:
        for _attempt in range(3):
            try:
                return self._count_once(key, limit)
            except IntegrityError:  # the first failure of this key, counted meanwhile by another request
                continue
        return None

    def _count_once(self, key: str, limit: int) -> datetime | None:
        at = now()
        with self.engine.begin() as conn:
            conn.execute(delete(ThrottleRow).where(ThrottleRow.first_at < at - timedelta(days=1),
                                                   (ThrottleRow.locked_until.is_(None))
                                                   | (ThrottleRow.locked_until < at)))
            row = conn.execute(select(ThrottleRow).where(ThrottleRow.key == key).with_for_update()).first()
            if row is None:
                conn.execute(insert(ThrottleRow), {"key": key, "failures": 1, "first_at": at, "locked_until": None})
                failures = 1
            elif row.first_at < at - self.limits.window and not (row.locked_until and row.locked_until > at):
                conn.execute(update(ThrottleRow).where(ThrottleRow.key == key).values(
                    failures=1, first_at=at, locked_until=None))
                failures = 1
            else:
                failures = row.failures + 1
                conn.execute(update(ThrottleRow).where(ThrottleRow.key == key).values(failures=failures))
            if failures >= limit:
                until = at + self.limits.lock
                conn.execute(update(ThrottleRow).where(ThrottleRow.key == key).values(
                    failures=0, first_at=at, locked_until=until))
                return until
        return None


def _beijing(value: datetime) -> str:
    from fazhi.cycle.audit import beijing

    return beijing(value)
