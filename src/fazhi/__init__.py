"""fazhi: read, check and compare 法治政府建设年度报告 (annual rule-of-law government reports).

    >>> import fazhi
    >>> report = fazhi.analyze("report.docx")
    >>> report.metadata.issuer, [f.message for f in report.findings]
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from fazhi.report import Report


def analyze(path, *, max_bytes: int | None = None) -> "Report":
    from fazhi.pipeline import DEFAULT_MAX_BYTES
    from fazhi.pipeline import analyze as _analyze

    return _analyze(path, max_bytes=max_bytes or DEFAULT_MAX_BYTES)


__all__ = ["analyze", "__version__"]
