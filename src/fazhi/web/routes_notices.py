"""Pages and JSON API: 报送通知、站内消息、催报与通报稿 (issue 14)."""
from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """What this module shows on the report page (templates/panel_notices.j2), or None."""
    return None
