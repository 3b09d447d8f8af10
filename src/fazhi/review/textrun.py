"""The whole engine on a text already in memory, as `fazhi analyze` runs it after reading a
file: body, view, every stage, then the rules. Used by the evaluation scripts, their tests and
bench/review_speed.py, which plant errors in texts or time the engine without the file reader."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fazhi.report import Report


def analyse_text(text: str, name: str = "text", settings: Mapping[str, Mapping[str, Any]] | None = None) -> Report:
    """A Report of `text` with findings under `settings` (Rubric.settings(); None: the default
    rubric, as pipeline.review applies it, score included)."""
    from fazhi import pipeline
    from fazhi.ingest.chrome import find_body
    from fazhi.report import Source
    from fazhi.review.registry import run_rules
    from fazhi.text.view import make_view

    body, meta = find_body(text)
    report = Report(source=Source(name, "txt", "utf-8", ""), text=text, body=body, page_meta=dict(meta))
    report.view = make_view(text)
    for stage in pipeline.STAGES:
        stage(report)
    if settings is None:
        pipeline.review(report)
    else:
        report.findings = run_rules(report, settings)
    return report
