"""Metadata rules: title, 成文日期."""
from __future__ import annotations

from collections.abc import Iterator

from fazhi.extract.dates import garbled_date
from fazhi.report import Report
from fazhi.review.registry import Hit, rule


@rule("title-missing", "metadata", "warning", "缺少标题")
def title_missing(report: Report) -> Iterator[Hit]:
    """GB/T 9704 7.2.1 (rules.md E1.4): a document has a title naming organ, subject and 文种."""
    if not report.metadata.title:
        yield Hit(message="未找到报告标题。",
                  suggestion="在正文前加标题，如“××关于××年度法治政府建设情况的报告”。")


@rule("date-missing", "metadata", "warning", "缺少成文日期")
def date_missing(report: Report) -> Iterator[Hit]:
    """GB/T 9704 7.3.5 (rules.md E1.5): the 落款 ends with the 成文日期."""
    if not report.metadata.sign_date and not ({"garbled_sign_date", "invalid_sign_date"} & report.facts.keys()):
        yield Hit(message="文末未找到成文日期。",
                  suggestion="在落款机关下方写明成文日期，如“2024年1月19日”。")


@rule("date-garbled", "metadata", "error", "成文日期错误")
def date_garbled(report: Report) -> Iterator[Hit]:
    span = report.facts.get("garbled_sign_date")
    if span is None:
        return
    raw = report.text[span.start:span.end]
    parsed = garbled_date(report.view[span.start:span.end])
    reading = f"，疑为{parsed[1].year}年{parsed[1].month}月{parsed[1].day}日" if parsed and parsed[1] else ""
    yield Hit(message=f"成文日期“{raw}”无法识别{reading}。",
              suggestion="按GB/T 9704写成“××××年×月×日”。", start=span.start, end=span.end)
