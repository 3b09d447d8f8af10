"""Events of the cycle (a report submitted, returned, approved, published, withdrawn ...), handed to
the listeners named in LISTENERS inside the transaction that made them, so what a listener writes
(an in-app message, the 问题池) commits or rolls back with the change itself.

An event is a dict: action (submit return approve publish withdraw unpublish first_pass assign),
submission_id, unit_id, year, report_id (the current version), from/to (statuses), actor (the user
dict), and per action: comment_ids (return), previous_report_id (submit of a new version).
A listener is `on_event(cycle, conn, event) -> None`; it must not commit.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any, Callable

# "module:function", in the order they run
LISTENERS: tuple[str, ...] = (
    "fazhi.cycle.rectify:on_event",   # 问题池: comments become issues, resubmissions checked against them
    "fazhi.cycle.opinion:on_event",   # 误报 carried to a new version, stored score reset, comments into the opinion
    "fazhi.cycle.messages:on_event",  # in-app messages (and e-mail) to the unit
)
_loaded: list[Callable[..., None]] | None = None


def listeners() -> list[Callable[..., None]]:
    global _loaded
    if _loaded is None:
        found = []
        for spec in LISTENERS:
            module, name = spec.split(":")
            found.append(getattr(import_module(module), name))
        _loaded = found
    return _loaded


def dispatch(cycle: Any, conn: Any, event: dict) -> None:
    """Run every listener on `event` inside the caller's transaction."""
    for listener in listeners():
        listener(cycle, conn, event)
