"""The engine, in data-flow order: bytes -> text/body -> outline -> metadata -> parts
-> facts (indicators, citations, areas) -> findings.

Each stage is a function `stage(report) -> None` that adds one kind of annotation.
Heavy modules are imported inside the stages so that `fazhi --help` stays instant.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fazhi.ingest.document import Document
from fazhi.report import Report

if TYPE_CHECKING:
    from fazhi.review.rubric import Rubric

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
Stage = Callable[[Report], None]


def _outline(report: Report) -> None:
    from fazhi.structure import outline

    outline.annotate(report)


def _metadata(report: Report) -> None:
    from fazhi.extract import metadata

    metadata.annotate(report)


def _parts(report: Report) -> None:
    from fazhi.structure import parts

    parts.annotate(report)


def _indicators(report: Report) -> None:
    from fazhi.extract.indicators import extract_indicators

    report.indicators = extract_indicators(report.view, report.body.start, report.body.end)


def _citations(report: Report) -> None:
    from fazhi.extract.citations import extract_citations

    report.citations = extract_citations(report.view, report.body.start, report.body.end)


def _areas(report: Report) -> None:
    from fazhi.extract.areas import annotate_areas

    annotate_areas(report)


STAGES: list[Stage] = [_outline, _metadata, _parts, _indicators, _citations, _areas]


def review(report: Report, rubric: "Rubric | None" = None) -> None:
    """Findings and score under a rubric (default: the shipped one)."""
    from fazhi.review import checks  # noqa: F401  (registers the rules)
    from fazhi.review.registry import run_rules
    from fazhi.review.rubric import default_rubric
    from fazhi.review.score import score_report

    rubric = rubric or default_rubric()
    report.findings = run_rules(report, rubric.settings())
    report.score = score_report(report, rubric)


def analyze_document(doc: Document, rubric: "Rubric | None" = None) -> Report:
    from fazhi.text.view import make_view

    report = Report(source=doc.source, text=doc.text, body=doc.body, page_meta=dict(doc.page_meta))
    report.view = make_view(report.text)
    for stage in STAGES:
        stage(report)
    review(report, rubric)
    return report


def analyze(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, rubric: "Rubric | None" = None) -> Report:
    """Read one file (txt in any Chinese encoding, docx, pdf, html) and analyse it.
    Raises fazhi.errors.InputError with a one-line reason for a file that is not a readable report."""
    from fazhi import ingest

    return analyze_document(ingest.load(path, max_bytes=max_bytes), rubric)
