"""Timeliness rules: sign date and publish date against the deadline for the report's
level (rubric `deadlines`, rules.md A1.4-A1.9), a sign date before the covered year ends,
and year consistency (title / opening sentence / headings, rules.md F R08)."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from fazhi.report import Heading, Report, Span
from fazhi.review.registry import Hit, rule

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(度)?")
_RANGE_BEFORE = re.compile(r"(?:\d{4}\s*(?:年\s*)?[-—–－~～至到]\s*|[到至从自]|截至|截止)$")
_RANGE_AFTER = re.compile(r"^\s*(?:[-—–－~～至到]\s*\d{4}|以来|以前|之前|前|之后|以后|后|底前)")
_YEAR_AFTER_WORD = re.compile(r"^\s*[-—–－~～]\s*\d{4}")
# the opening sentence: "2023年，…" / "2021年我镇…" / "2023年以来，…" and "现将2023年度…报告如下"
_OPENING = re.compile(r"(?:^|(?<=[。！？；\n]))[ \t\u3000]*(?:今年)?(?P<y>(?:19|20)\d{2})\s*年(?:度)?"
                      r"(?=[，,]|以来|[我全本]|来)")
_REPORTING = re.compile(r"现将[^。\n]{0,20}?(?P<y>(?:19|20)\d{2})\s*年")


def _date(iso: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def deadline(params: Mapping[str, Any], level: str | None, year: int, kind: str) -> tuple[dt.date, bool] | None:
    """(the `kind` deadline, in the year after `year`, for `level`; whether the level was known).
    Unknown level: the latest deadline of any level, so that no report is called late wrongly."""
    table = params.get("deadlines") or {}
    if level in table:
        mmdd, known = [table[level][kind]], True
    else:
        mmdd, known = [d[kind] for d in table.values()], False
    if not mmdd:
        return None
    dates = [dt.date(year + 1, int(s[:2]), int(s[3:5])) for s in mmdd]
    return max(dates), known


def _under_rules(params: Mapping[str, Any], year: int) -> bool:
    return year >= int(params.get("from_report_year", 0))


@rule("submit-late", "timeliness", "warning", "报送逾期")
def submit_late(report: Report, params: Mapping[str, Any]) -> Iterator[Hit]:
    """督察工作规定 (rules.md A1.4-A1.5): 1 April for provinces, 1 March for the others.
    A report cannot be submitted before it is signed, so a later sign date means late."""
    meta = report.metadata
    signed, year = _date(meta.sign_date), meta.report_year
    if not signed or not year or not _under_rules(params, year):
        return
    found = deadline(params, meta.level, year, "submit")
    if not found or signed <= found[0]:
        return
    due, known = found
    who = f"{meta.level}级报告" if known and meta.level != "部门" else ("部门报告" if known else "")
    note = "" if known else "（未识别报告层级，按最晚的报送期限计）"
    span = meta.spans.get("sign_date")
    yield Hit(message=f"成文日期{cn_date(signed)}晚于{who}报送期限{cn_date(due)}，逾期{(signed - due).days}天{note}。",
              suggestion=f"按《法治政府建设与责任落实督察工作规定》于{cn_date(due)}前报送；如成文日期有误请更正。",
              start=span.start if span else None, end=span.end if span else None,
              extra={"days_late": (signed - due).days, "deadline": due.isoformat()})


def year_attested(report: Report, year: int) -> bool:
    """The report year is read from the text (title, heading, opening), or is the year the
    body names most, not only guessed from the sign date."""
    if "report_year" in report.metadata.spans:
        return True
    counts = Counter(int(m.group(1)) for m in _YEAR.finditer(report.view, report.body.start, report.body.end))
    return bool(counts) and counts.most_common(1)[0][0] == year


@rule("sign-date-early", "timeliness", "warning", "成文早于年度结束")
def sign_date_early(report: Report) -> Iterator[Hit]:
    """The annual report covers the whole year (rules.md A1.7): signed on or before 31
    December of that year, it cannot."""
    meta = report.metadata
    signed, year = _date(meta.sign_date), meta.report_year
    if not signed or not year or signed > dt.date(year, 12, 31) or not year_attested(report, year):
        return
    span = meta.spans.get("sign_date")
    yield Hit(message=f"成文日期{cn_date(signed)}早于所报告的{year}年度结束，报告未能涵盖全年工作。",
              suggestion=f"核对成文日期；年度报告应在{year}年结束后总结全年情况，如确需提前报送，应注明数据截止时间。",
              start=span.start if span else None, end=span.end if span else None)


def _publish_facts(report: Report, params: Mapping[str, Any]) -> tuple[dt.date, dt.date, Span | None] | None:
    """(publish date, deadline, span of the publish date) when both are known."""
    meta = report.metadata
    published, year = _date(meta.publish_date), meta.report_year
    if not published or not year or not _under_rules(params, year):
        return None
    found = deadline(params, meta.level, year, "publish")
    if not found:
        return None
    raw = report.page_meta.get("publish_date_span")
    span = meta.spans.get("publish_date") or (Span(int(raw[0]), int(raw[1])) if raw else None)
    return published, found[0], span


@rule("publish-late", "timeliness", "error", "公开逾期")
def publish_late(report: Report, params: Mapping[str, Any]) -> Iterator[Hit]:
    """督察工作规定第二十四条 (rules.md A1.9): published by 1 April of the next year."""
    facts = _publish_facts(report, params)
    if not facts or facts[0] <= facts[1]:
        return
    published, due, span = facts
    yield Hit(message=f"发布日期{cn_date(published)}晚于公开期限{cn_date(due)}，逾期{(published - due).days}天。",
              suggestion=f"年度报告应于每年{due.month}月{due.day}日前通过报刊、网站等向社会公开。",
              start=span.start if span else None, end=span.end if span else None,
              extra={"days_late": (published - due).days, "deadline": due.isoformat()})


@rule("publish-borderline", "timeliness", "info", "恰在公开期限当日")
def publish_borderline(report: Report, params: Mapping[str, Any]) -> Iterator[Hit]:
    """rules.md A1.12: whether "4月1日之前" includes 1 April is unresolved."""
    facts = _publish_facts(report, params)
    if not facts or facts[0] != facts[1]:
        return
    published, due, span = facts
    yield Hit(message=f"发布日期{cn_date(published)}恰为公开期限当日，是否算按期（“{due.month}月{due.day}日之前”）存疑。",
              suggestion="今后提前公开，避免踩线。",
              start=span.start if span else None, end=span.end if span else None)


# --- year consistency ------------------------------------------------------------------

def _in_book_title(view: str, pos: int) -> bool:
    return view.rfind("《", 0, pos) > view.rfind("》", 0, pos)


def current_years(view: str, start: int, end: int) -> Iterator[tuple[int, Span]]:
    """Years in view[start:end] used as "the year of" something, not as a period bound
    (2021—2025年, 到2025年, 2019年以来) or inside a 《document title》."""
    for m in _YEAR.finditer(view, start, end):
        before = view[max(0, m.start() - 8):m.start()]
        after = view[m.end(1):m.end(1) + 8]
        if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(view[m.end():m.end() + 6]) \
                or _YEAR_AFTER_WORD.match(after) or _in_book_title(view, m.start()):
            continue
        yield int(m.group(1)), Span(m.start(1), m.end(1))


def _next_year_range(report: Report) -> tuple[int, int] | None:
    idx = report.parts.get("next_year")
    if idx is None:
        return None
    h = report.outline[idx]
    return h.start, h.section_end


def _heading_years(report: Report, h: Heading, is_part: bool) -> Iterator[tuple[int, Span]]:
    for y, sp in current_years(report.view, h.title_start, h.title_end):
        # a heading names "its" year at its start (a mandated part's heading anywhere);
        # elsewhere a year is what the heading is about ("巩固2022年创建成果")
        if is_part or sp.start - h.title_start <= 2:
            yield y, sp


def _opening_years(report: Report) -> Iterator[tuple[int, Span]]:
    view = report.view
    end = report.outline[0].start if report.outline else min(report.body.end, report.body.start + 600)
    title = report.metadata.spans.get("title")
    seen: set[int] = set()
    for pat in (_OPENING, _REPORTING):
        for m in pat.finditer(view, report.body.start, end):
            s = m.start("y")
            if s in seen or (title and title.start <= s < title.end) or _in_book_title(view, s):
                continue
            seen.add(s)
            yield int(m.group("y")), Span(s, s + 4)


@rule("year-mismatch", "timeliness", "warning", "年份前后不一致")
def year_mismatch(report: Report) -> Iterator[Hit]:
    """rules.md F R08: the title year, the opening sentence and the part headings name the
    report year; the next-year part names the year after (a wrong year is often left over
    from last year's report)."""
    year = report.metadata.report_year
    if not year:
        return
    for y, sp in _opening_years(report):
        if y != year:
            yield Hit(message=f"开篇写的是“{y}年”，与报告所述年度{year}年不一致。",
                      suggestion=f"核对后统一为“{year}年”；如系沿用往年报告，请同时核对内容。",
                      start=sp.start, end=sp.end, extra={"year": y, "expected": year})
    nxt = _next_year_range(report)
    part_heads = {i for i in report.parts.values() if i is not None}
    for i, h in enumerate(report.outline):
        if h.level > 2:
            continue
        in_next = bool(nxt and nxt[0] <= h.start < nxt[1])
        expected = year + 1 if in_next else year
        for y, sp in _heading_years(report, h, i in part_heads):
            # later years are targets (到2035年); an earlier one is left over from a past report
            if y >= expected:
                continue
            if in_next:
                msg = f"下一年度安排的标题写作“{y}年”，报告年度为{year}年，下一年度应为{year + 1}年。"
            else:
                msg = f"标题“{h.title}”写的是“{y}年”，与报告所述年度{year}年不一致，疑为沿用往年报告。"
            yield Hit(message=msg, suggestion=f"核对后改为“{expected}年”，并核对该部分内容是否为当年情况。",
                      start=sp.start, end=sp.end, extra={"year": y, "expected": expected})
