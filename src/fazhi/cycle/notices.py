"""报送通知、催报与通报稿 (issue 14 item 1) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

from typing import Any


class NoticesMixin:
    engine: Any
