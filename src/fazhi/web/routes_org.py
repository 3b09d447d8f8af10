"""Pages and JSON API: 单位管理与角色 (issue 14)."""
from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """What this module shows on the report page (templates/panel_org.j2), or None."""
    return None
