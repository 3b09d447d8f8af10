"""fazhi: read, check and compare 法治政府建设年度报告 (annual rule-of-law government reports).

    >>> import fazhi
    >>> report = fazhi.analyze("report.docx")
    >>> report.metadata.issuer, [f.message for f in report.findings]
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
from fazhi.corpus import open_corpus as open_corpus  # noqa: E402 - light: the database is imported on use

if TYPE_CHECKING:
    from fazhi.report import Report


def analyze(path, *, max_bytes: int | None = None, rubric=None) -> "Report":
    """Analyse one report file. `rubric`: a Rubric, or a list of YAML paths layered on the default."""
    from fazhi.pipeline import DEFAULT_MAX_BYTES
    from fazhi.pipeline import analyze as _analyze

    if rubric is not None and not hasattr(rubric, "settings"):
        from fazhi.review.rubric import load_rubric

        rubric = load_rubric(rubric)
    return _analyze(path, max_bytes=max_bytes or DEFAULT_MAX_BYTES, rubric=rubric)


__all__ = ["analyze", "__version__"]
