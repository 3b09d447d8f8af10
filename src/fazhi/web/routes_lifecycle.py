"""Pages and JSON API: 公开、保密审查、撤回、自查草稿、分配与两级审核 (issue 14)."""
from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """What this module shows on the report page (templates/panel_lifecycle.j2), or None."""
    return None
