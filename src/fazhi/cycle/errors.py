"""Errors of the cycle: the message is Chinese and shown to the user as is."""
from __future__ import annotations

from fazhi.errors import FazhiError


class CycleError(FazhiError):
    """A refused action (illegal status change, bad input, unknown unit ...)."""


class AccessDenied(CycleError):
    """The user may not do this (or is not logged in)."""
