"""公开、保密审查、撤回、自查草稿、分配与两级审核 (issue 14 items 7, 8, 10) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

from typing import Any


class LifecycleMixin:
    engine: Any
