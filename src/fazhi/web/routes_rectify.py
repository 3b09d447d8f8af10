"""Pages and JSON API: 整改销号与问题池 (issue 14)."""
from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """What this module shows on the report page (templates/panel_rectify.j2), or None."""
    return None
