"""Metadata: title, issuer, addressee, report year, dates, level and place.

Where a report says who it is (GB/T 9704 layout): the head (title, 主送机关) above the
first heading, and the 落款 (organ + 成文日期) at the end. Every field keeps the span it
was read from in `metadata.spans`; `report.facts["garbled_sign_date"]` notes a date whose
separators were lost, for the metadata rules.
"""
from __future__ import annotations

import re
from collections import Counter

from fazhi.extract.dates import find_dates, garbled_date, invalid_dates
from fazhi.extract.issuer import (
    GLOSS,
    complete_short_form,
    documents_self_name,
    expand_abbreviation,
    joined,
    opening_subject,
    page_issuer,
    title_issuer,
)
from fazhi.extract.level import infer_level
from fazhi.extract.organs import body_kind, short_form_tier
from fazhi.extract.title import find_title, is_organ_line
from fazhi.report import Report, Span
from fazhi.structure.parts import classify_heading, next_year_heading
from fazhi.text.lines import iter_lines

__all__ = ["annotate", "clean", "find_title", "infer_level", "is_organ_line", "tail_lines"]

_HEAD_LINES = 12
_TAIL_LINES = 6
_OPENING_CHARS = 1500  # how much of the body after the head may name the place (我镇 … 桥头镇)
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_ADDRESSEE_COLON = re.compile(r"[:：]\s*")
_BREADCRUMB = re.compile(r"(?:[>»›].*){2}|(?:\s/\s.*){2}|[:：].*[:：]")
_ADDRESSEE_ORGAN = re.compile(r"委|政府|办|局|厅|人大|常委会|领导|院")
_NOT_ADDRESSEE = re.compile(r"如下|现将|报告|位置|来源|发布")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def clean(s: str) -> str:
    """A field as written, without line breaks or stray spaces between CJK."""
    s = re.sub(r"\s*\n\s*", "", s)
    return _CJK_GAP.sub("", s)


def head_lines(report: Report) -> list[Span]:
    """The lines above the first heading where a title, issuer or addressee can stand: the body's
    head, and above it the page's headline (page furniture such as 来源/发布时间 lines excluded)."""
    from fazhi.ingest.chrome import chrome_kind

    first_heading = report.outline[0].start if report.outline else report.body.end
    view = report.view
    above = [sp for sp in iter_lines(view, 0, min(report.body.start, first_heading))
             if chrome_kind(view[sp.start:sp.end]) is None]
    above = above if len(above) <= 6 else above[:3] + above[-3:]
    lines = list(iter_lines(view, report.body.start, first_heading))[:_HEAD_LINES]
    return [sp for sp in above + lines if not _is_breadcrumb(view[sp.start:sp.end])]


def _is_breadcrumb(line: str) -> bool:
    """首页 > 政务公开 > … and label tables (文号: 关键字: …): page furniture, never a title."""
    return len(line) <= 80 and bool(_BREADCRUMB.search(line))


def tail_lines(report: Report) -> list[Span]:
    """The last lines of the body after the last heading's line: where the 落款 stands."""
    last_heading = report.outline[-1].end if report.outline else report.body.start
    return list(iter_lines(report.view, last_heading, report.body.end))[-_TAIL_LINES:]


def find_addressee(view: str, head: list[Span], title: Span | None) -> Span | None:
    for sp in head:
        if title and sp.start < title.end:
            a = title.end + len(view[title.end:sp.end]) - len(view[title.end:sp.end].lstrip())
            if not (sp.start <= title.end < sp.end) or a >= sp.end:
                continue
            sp = Span(a, sp.end)  # a title run into its addressee on one line
        s = view[sp.start:sp.end]
        colon = _ADDRESSEE_COLON.search(s)
        who = s[:colon.start()] if colon else ""
        if colon and len(who) <= 40 and not _NOT_ADDRESSEE.search(who) and not re.search(r"[。；;！？]", who) \
                and all(_ADDRESSEE_ORGAN.search(part) for part in re.split(r"[，,、]", who)):
            return Span(sp.start, sp.start + colon.start())
    return None


def find_issuers(report: Report, head: list[Span], title: Span | None, tail: list[Span]) -> list[Span]:
    """Spans naming the issuer, best first (see extract/issuer.py)."""
    view = report.view
    named = title_issuer(view, title) if title else None
    if named and body_kind(_compact(view[named.start:named.end])) != "place":
        return [named]
    if title:
        above = [sp for sp in head if sp.end <= title.start and is_organ_line(view[sp.start:sp.end])]
        if above:
            return above[-2:] if len(above) > 1 and above[-2].end + 2 >= above[-1].start else above[-1:]
    if signers := [sp for sp in tail if is_organ_line(view[sp.start:sp.end])]:
        return signers
    if named:  # a bare place in the title (大王古庄镇2024年…) when nothing names the body itself
        return [named]
    open_from = title.end if title else report.body.start
    sp = opening_subject(view, open_from, report.body.end)
    return [sp] if sp else []


def find_sign_date(view: str, tail: list[Span]) -> tuple[Span | None, str | None, Span | None]:
    """(span of the date, ISO date, span of a garbled date)."""
    for sp in reversed(tail):
        line = view[sp.start:sp.end]
        dates = find_dates(view, sp.start, sp.end)
        if dates and sum(d.end - d.start for d in dates) >= len(line) - 2:
            d = dates[-1]
            return Span(d.start, d.end), d.iso, None
        if garbled_date(line):
            return None, None, sp
    return None, None, None


def find_invalid_sign_date(view: str, tail: list[Span]) -> Span | None:
    """A date-shaped 成文日期 that is no calendar date (2024年2月30日)."""
    for sp in reversed(tail):
        if bad := invalid_dates(view, sp.start, sp.end):
            return bad[-1]
    return None


def find_report_year(report: Report, title: Span | None) -> tuple[int | None, Span | None]:
    view = report.view
    if title and (m := _YEAR.search(view, title.start, title.end)):
        return int(m.group(1)), Span(m.start(1), m.end(1))
    years: Counter[int] = Counter()
    first: dict[int, Span] = {}
    next_year = next_year_heading(report.outline, view)  # never read the year from next year's plans
    level1 = [i for i, h in enumerate(report.outline) if h.level == 1]
    dated = [i for i in level1 if _YEAR.search(view, report.outline[i].title_start, report.outline[i].title_end)]
    if dated == level1[-1:] and len(level1) > 1 and classify_heading(report.outline[dated[0]].title, None) is None:
        next_year = dated[0]  # the closing heading alone names a year (2024年重点工作): next year's plans
    for i, h in enumerate(report.outline):
        if h.level != 1 or i == next_year or classify_heading(h.title, None) == "next_year":
            continue
        if m := _YEAR.search(view, h.title_start, h.title_end):
            years[int(m.group(1))] += 1
            first.setdefault(int(m.group(1)), Span(m.start(1), m.end(1)))
    if years:
        y = years.most_common(1)[0][0]
        return y, first[y]
    lines = list(iter_lines(view, report.body.start, report.body.end))
    for sp in lines[:_HEAD_LINES]:
        m = _YEAR.match(view, sp.start, sp.end) or re.match(r"(?:今年|去年)?.{0,12}?((?:19|20)\d{2})年(?:度|以来|，|,)",
                                                              view[sp.start:sp.end])
        if m and "《" not in view[sp.start:sp.start + m.end()]:
            g = m.group(1)
            off = sp.start + view[sp.start:sp.end].find(g)
            return int(g), Span(off, off + 4)
    plans = report.outline[next_year] if next_year is not None else None
    counts = Counter(int(m.group(1)) for m in _YEAR.finditer(view, report.body.start, report.body.end)
                     if not (plans and plans.start <= m.start() < max(plans.section_end, plans.end)))
    sign = report.metadata.sign_date
    if sign:
        y, mo = int(sign[:4]), int(sign[5:7])
        guess = y if mo >= 10 else y - 1
        if counts.get(guess) or not counts:
            return guess, None
    if counts:
        return counts.most_common(1)[0][0], None
    return None, None


def annotate(report: Report) -> None:
    from fazhi.extract.places import resolve_place

    view, meta = report.view, report.metadata
    head, tail = head_lines(report), tail_lines(report)
    title = find_title(view, head)
    if title:
        meta.title = clean(report.text[title.start:title.end])
        meta.spans["title"] = title
    addressee = find_addressee(view, head, title)
    if addressee:
        meta.addressee = clean(report.text[addressee.start:addressee.end])
        meta.spans["addressee"] = addressee
    issuers = find_issuers(report, head, title, tail)
    if issuers:
        meta.issuer = _issuer_name(report, issuers)
        meta.spans["issuer"] = Span(issuers[0].start, issuers[-1].end)
    else:
        meta.issuer = documents_self_name(view, report.body.start, report.body.end) \
            or page_issuer(report.page_meta.get("source"))
    date_span, iso, garbled = find_sign_date(view, tail)
    if date_span:
        meta.sign_date, meta.spans["sign_date"] = iso, date_span
    elif garbled:
        report.facts["garbled_sign_date"] = garbled
    elif invalid := find_invalid_sign_date(view, tail):
        report.facts["invalid_sign_date"] = invalid
    meta.publish_date = report.page_meta.get("publish_date")
    meta.source_org = report.page_meta.get("source")
    year, year_span = find_report_year(report, title)
    meta.report_year = year
    if year_span:
        meta.spans["report_year"] = year_span
    open_from = head[-1].end if head else report.body.start
    opening = view[open_from:min(report.body.end, open_from + _OPENING_CHARS)]
    texts = [meta.issuer or "", meta.title or "", meta.source_org or "",
             *(view[s.start:s.end] for s in tail), meta.addressee or "",
             *(view[s.start:s.end] for s in head), opening]
    meta.place = resolve_place([t for t in texts if t])
    meta.level = infer_level(view, report.body, meta.issuer, meta.place)
    if meta.issuer and (full := complete_from_place(meta.issuer, meta.place)):
        meta.issuer = full
    if meta.issuer is None:
        meta.issuer = _implied_issuer(meta.level, meta.place)


def _issuer_name(report: Report, spans: list[Span]) -> str:
    """The issuer's name in simplified script (a name to file the report under), a converter's
    pinyin glosses dropped, a short form completed from the page, an abbreviation expanded."""
    names = [joined(GLOSS.sub("", clean(report.view[s.start:s.end]))) for s in spans]
    if len(names) == 1:
        name = complete_short_form(report.view, names[0])
        expanded = expand_abbreviation(name)
        if expanded != name and name == names[0]:
            expanded = complete_short_form(report.view, expanded)
        return expanded
    return " ".join(names)


def complete_from_place(issuer: str, place) -> str | None:
    """'市公安局' + a page that resolved to 宜春市 -> '宜春市公安局' (the page says enough)."""
    tier = short_form_tier(issuer) if " " not in issuer else None
    name = {"省": place.province, "自治区": place.province, "市": place.city, "州": place.city,
            "县": place.county, "区": place.county, "旗": place.county}.get(tier or "")
    if not name or not name.endswith(tier) or (tier == "市" and place.city == place.province and place.county):
        return None
    return name + issuer[len(tier):]


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _implied_issuer(level: str | None, place) -> str | None:
    """A government report that never names its author: the place's 人民政府 (全省 + 江苏省 -> 江苏省人民政府)."""
    name = {"省": place.province, "地市": place.city, "区县": place.county}.get(level or "")
    if name:
        return f"{name}人民政府"
    if level == "乡镇街道" and place.town:
        return place.town
    return None
