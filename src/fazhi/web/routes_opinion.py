"""Pages and JSON API: 审查意见：误报、意见条目、调分、在线编辑 (issue 14)."""
from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """What this module shows on the report page (templates/panel_opinion.j2), or None."""
    return None
