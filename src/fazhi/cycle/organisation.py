"""单位编辑、合并、停用、层级与角色 (issue 14 item 9) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

from typing import Any


class OrganisationMixin:
    engine: Any
