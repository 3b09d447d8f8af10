"""What a fuzz case must satisfy, checked inside the worker on fazhi's answer.

`classify_error(exc)` sorts an exception into refused / message / memory / exception;
`span_problems(report)` lists every span that does not point into the text (0 <= start <= end <=
len(text)) or whose quoted words (a citation's title, an indicator's numeral) are not in
text[start:end] or the same span of the normalised view; `json_problem(report)` says why
`to_dict()` is not strict JSON (allow_nan=False, encodable as UTF-8).
"""
from __future__ import annotations

import json
import re
from typing import Any

CLASS_NAME = re.compile(r"（[A-Za-z_.]*(?:Error|Exception)）|（[A-Z][a-zA-Z]+）|\((?:[A-Za-z_.]*Error)\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen and len(seen) < 20:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def classify_error(exc: BaseException) -> tuple[str, str]:
    """(status, detail) of an exception raised by fazhi.analyze."""
    from fazhi.errors import AnalysisError, InputError

    chain = _chain(exc)
    if any(isinstance(e, MemoryError) for e in chain):
        return "memory", _describe(exc)
    if not isinstance(exc, InputError):
        return "exception", _describe(exc)
    reason = exc.reason
    if isinstance(exc, AnalysisError) and exc.__cause__ is not None and not isinstance(exc.__cause__, RecursionError):
        return "exception", f"{reason} <- {_describe(exc.__cause__)}"
    if CLASS_NAME.search(reason) or "\n" in reason or not _CJK.search(reason) or "Traceback" in reason:
        return "message", reason
    return "refused", reason


def _describe(exc: BaseException) -> str:
    tb = exc.__traceback__
    where = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        if "/fazhi/" in code.co_filename:
            where = f"{code.co_filename.split('/fazhi/')[-1]}:{tb.tb_lineno}"
        tb = tb.tb_next
    return f"{exc.__class__.__name__}: {str(exc)[:200]} @ {where}"


def _fold(s: str) -> str:
    return re.sub(r"\s+", "", s)


def span_problems(report: Any) -> list[str]:
    text = report.text
    view = report.view or text  # values such as a citation title are read from the normalised view
    n = len(text)
    bad: list[str] = []

    def span(what: str, a: Any, b: Any, quoted: str | None = None, optional: bool = False) -> None:
        if optional and a is None and b is None:
            return
        if not (isinstance(a, int) and isinstance(b, int) and 0 <= a <= b <= n):
            bad.append(f"{what}: [{a}, {b}) outside text of {n}")
        elif quoted is not None and not any(_fold(quoted) in _fold(t[a:b]) for t in (text, view)):
            bad.append(f"{what}: {quoted[:30]!r} is not in text[{a}:{b}]={text[a:b][:30]!r}")

    if report.view and len(report.view) != n:
        bad.append(f"view length {len(report.view)} != text length {n}")
    span("body", report.body.start, report.body.end)
    for key, s in report.metadata.spans.items():
        span(f"metadata.{key}", s.start, s.end)
    for key, value in report.page_meta.items():
        if key.endswith("_span") and isinstance(value, (list, tuple)) and len(value) == 2:
            span(f"page.{key}", value[0], value[1])
    for i, h in enumerate(report.outline):
        span(f"outline[{i}]", h.start, h.end)
        if h.title_end > h.title_start:
            span(f"outline[{i}].title", h.title_start, h.title_end)
        if h.section_end and not h.start <= h.section_end <= n:
            bad.append(f"outline[{i}].section_end {h.section_end} outside [{h.start}, {n}]")
    for key, idx in report.parts.items():
        if idx is not None and not (isinstance(idx, int) and 0 <= idx < len(report.outline)):
            bad.append(f"parts.{key} = {idx} with {len(report.outline)} headings")
    for i, ind in enumerate(report.indicators):
        span(f"indicators[{i}]", ind.start, ind.end, ind.raw or None)
    for i, c in enumerate(report.citations):
        span(f"citations[{i}]", c.start, c.end, c.title)
        span(f"citations[{i}].number", c.number_start, c.number_end, optional=True)
    for i, f in enumerate(report.findings):
        span(f"findings[{i}]:{f.rule}", f.start, f.end, optional=True)
    for i, p in enumerate((report.areas or {}).get("paragraphs", [])):
        span(f"areas.paragraphs[{i}]", p.get("start"), p.get("end"))
    return bad[:20]


def json_problem(report: Any) -> str | None:
    try:
        json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, UnicodeError) as exc:
        return f"{exc.__class__.__name__}: {str(exc)[:200]}"
    return None
