"""审查人员的审查意见：误报、意见条目、调分 (issue 14 item 3) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

from typing import Any


class OpinionMixin:
    engine: Any
