"""整改销号与问题池 (issue 14 item 2) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

from typing import Any


class RectifyMixin:
    engine: Any


def on_event(cycle: Any, conn: Any, event: dict) -> None:
    """Listener of fazhi.cycle.events (runs inside the event's transaction)."""
