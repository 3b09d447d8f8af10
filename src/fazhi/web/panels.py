"""The report page's panels, one per module of the office's year (each module's `panel()` returns
what its templates/panel_<name>.j2 shows, or None)."""
from __future__ import annotations

from fastapi import Request

PANELS = ("rectify", "outputs", "lifecycle", "opinion", "notices", "org")


def report_panels(request: Request, report_id: int, sub: dict | None, user: dict | None,
                  reviewer: bool) -> dict[str, dict | None]:
    from importlib import import_module

    return {name: import_module(f"fazhi.web.routes_{name}").panel(request, report_id, sub, user, reviewer)
            for name in PANELS}
