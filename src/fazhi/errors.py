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


class AnalysisError(InputError):
    """The analysis stopped on a file that was read (an internal defect or a resource limit). Shown
    like any InputError; the original exception is kept as __cause__ for developers."""


class ReadError(FazhiError, ValueError):
    """A reader's refusal of a file's content, `reason` in Chinese, one line, without the path:
    ingestion turns it into an InputError naming the file."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)
