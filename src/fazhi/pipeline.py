"""The engine, in data-flow order: bytes -> text/body -> outline -> metadata -> parts
-> facts (indicators, citations, areas) -> findings.

Each stage is a function `stage(report) -> None` that adds one kind of annotation.
Heavy modules are imported inside the stages so that `fazhi --help` stays instant.

Every stage runs under one guard: an unexpected exception (a defect, MemoryError, RecursionError)
becomes an `AnalysisError` (an InputError: one Chinese line naming the file, "分析失败：…"), so a
batch or a multi-file upload goes on past the file. A text over MAX_TEXT_CHARS characters or
MAX_TEXT_LINES lines is refused up front: every stage is linear in the text, the limits bound the
time (about 5 s of CPU at the limits on the 2-core reference machine, bench/scaling.py).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fazhi.errors import AnalysisError, FazhiError, InputError
from fazhi.ingest.document import Document
from fazhi.report import Report

if TYPE_CHECKING:
    from fazhi.review.rubric import Rubric

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARS = 500_000  # a long provincial report is ~50,000 characters; longer texts are refused
MAX_TEXT_LINES = 20_000  # ... and ~1,000 lines (paragraphs and table rows)
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
STAGE_NAMES = {_outline: "识别提纲", _metadata: "提取基本信息", _parts: "识别法定内容",
               _indicators: "提取量化指标", _citations: "提取引用文件", _areas: "对应纲要领域"}


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
    """Every stage on one read document. Raises AnalysisError (an InputError naming the file, with a
    Chinese reason) when the text is over MAX_TEXT_CHARS / MAX_TEXT_LINES or a stage fails."""
    from fazhi.text.view import make_view

    if len(doc.text) > MAX_TEXT_CHARS:
        raise AnalysisError(doc.source.path, f"文字过多（{len(doc.text) / 10000:.1f} 万字，上限 "
                                             f"{MAX_TEXT_CHARS // 10000} 万字），不像是一份年度报告，未分析")
    lines = doc.text.count("\n") + 1
    if lines > MAX_TEXT_LINES:
        raise AnalysisError(doc.source.path, f"行数过多（{lines} 行，上限 {MAX_TEXT_LINES} 行），"
                                             "不像是一份年度报告，未分析")
    from fazhi.structure.parts import rules_in_force

    report = Report(source=doc.source, text=doc.text, body=doc.body, page_meta=dict(doc.page_meta))
    step = "规范化文本"
    layered_parts = rubric.data_file("parts") if rubric is not None and rubric.data.get("parts") else None
    try:
        report.view = make_view(report.text)
        with rules_in_force(layered_parts):  # a province layer's heading words for the parts
            for stage in STAGES:
                step = STAGE_NAMES.get(stage, "分析")
                stage(report)
            step = "审查评分"
            review(report, rubric)
    except InputError:
        raise
    except FazhiError as exc:
        raise AnalysisError(doc.source.path, f"分析失败：{exc}") from exc
    except MemoryError:
        raise AnalysisError(doc.source.path, f"分析失败：{step}时内存不足（文件内容过多）") from None
    except RecursionError as exc:
        raise AnalysisError(doc.source.path, f"分析失败：{step}时文本结构过于复杂") from exc
    except Exception as exc:  # noqa: BLE001 - one file's defect must not stop a batch or a web upload
        raise AnalysisError(doc.source.path, f"分析失败：{step}时出现内部错误，请把此文件报告给开发者") from exc
    return report


def analyze(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, rubric: "Rubric | None" = None) -> Report:
    """Read one file (txt in any Chinese encoding, docx, pdf, html) and analyse it.
    Raises fazhi.errors.InputError with a one-line reason for a file that is not a readable report."""
    from fazhi import ingest

    return analyze_document(ingest.load(path, max_bytes=max_bytes), rubric)
