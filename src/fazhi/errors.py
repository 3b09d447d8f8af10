"""Errors the user is shown as one clear line (never a traceback)."""
from __future__ import annotations

from pathlib import Path


class FazhiError(Exception):
    """Base class: the message is shown to the user as is."""


class InputError(FazhiError):
    """A file that cannot be read as a report. `reason` is Chinese, one line."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
