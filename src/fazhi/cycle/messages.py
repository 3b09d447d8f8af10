"""站内消息与邮件 (issue 14 item 1) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

from typing import Any


class MessagesMixin:
    engine: Any

    def unread_count(self, user: dict | None) -> int:
        """Unread in-app messages of `user` (a unit account: its unit's; the page header shows it)."""
        return 0


def on_event(cycle: Any, conn: Any, event: dict) -> None:
    """Listener of fazhi.cycle.events (runs inside the event's transaction)."""
