"""沿用比例、排名、单位画像 (issue 14 items 4 and 6) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

from typing import Any


class RankingMixin:
    engine: Any
