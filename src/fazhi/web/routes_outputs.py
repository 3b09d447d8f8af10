"""Pages and JSON API: 沿用比例、批量导出、排名与单位画像 (issue 14)."""
from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """What this module shows on the report page (templates/panel_outputs.j2), or None."""
    return None
