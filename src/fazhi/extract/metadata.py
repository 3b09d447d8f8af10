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
from fazhi.report import Report, Span
from fazhi.structure.parts import classify_heading
from fazhi.text.lines import iter_lines

_HEAD_LINES = 8
_TAIL_LINES = 6
_OPENING_CHARS = 1500  # how much of the body after the head may name the place (我镇 … 桥头镇)
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_TITLE_TOPIC = re.compile(r"法治|依法行政|法制|依法治")
_TITLE_END = re.compile(r"(报\s*告|总\s*结|汇\s*报|情\s*况|工\s*作)\s*[（(]?[^）)]{0,8}[）)]?$")
ORGAN_END = re.compile(
    r"(委员会|人民政府|政府|办事处|管委会|管理委员会|工委|党委|党组|局|分局|厅|办公室|办|委|院|中心|所|站)$")
_ADDRESSEE_ORGAN = re.compile(r"委|政府|办|局|厅|人大|常委会|领导|院")
_NOT_ADDRESSEE = re.compile(r"如下|现将|报告|位置|来源|发布")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_SELF = re.compile(r"([我本全])(省|市|州|盟|县|区|旗|镇|乡|街道|分局|局|委|办|厅|院|部门|单位)")
_SELF_LEVEL = {"省": "省", "市": "地市", "州": "地市", "盟": "地市", "县": "区县", "区": "区县", "旗": "区县",
               "镇": "乡镇街道", "乡": "乡镇街道", "街道": "乡镇街道"}
_PUNCT = set("。，,；;！？!?“”\"、")


def clean(s: str) -> str:
    return _CJK_GAP.sub("", s.strip())


def is_organ_line(s: str) -> bool:
    s = clean(s)
    return 4 <= len(s) <= 40 and bool(ORGAN_END.search(s)) and not (_PUNCT & set(s))


def head_lines(report: Report) -> list[Span]:
    first_heading = report.outline[0].start if report.outline else report.body.end
    lines = list(iter_lines(report.view, report.body.start, first_heading))
    return lines[:_HEAD_LINES]


def tail_lines(report: Report) -> list[Span]:
    """The last lines of the body after the last heading's line: where the 落款 stands."""
    last_heading = report.outline[-1].end if report.outline else report.body.start
    return list(iter_lines(report.view, last_heading, report.body.end))[-_TAIL_LINES:]


def find_title(view: str, head: list[Span]) -> Span | None:
    for i, sp in enumerate(head):
        s = view[sp.start:sp.end]
        if "。" in s or s.endswith((":", "：")) or not _TITLE_TOPIC.search(s) or len(s) > 90:
            continue
        if _TITLE_END.search(s) and len(clean(s)) >= 8:
            return sp
        nxt = head[i + 1] if i + 1 < len(head) else None
        if nxt and nxt.end - nxt.start <= 15 and _TITLE_END.search(view[nxt.start:nxt.end]):
            return Span(sp.start, nxt.end)  # a title wrapped onto a second line
    return None


def find_addressee(view: str, head: list[Span], title: Span | None) -> Span | None:
    for sp in head:
        if title and sp.start < title.end:
            continue
        s = view[sp.start:sp.end]
        if s.endswith((":", "：")) and len(s) <= 40 and _ADDRESSEE_ORGAN.search(s) \
                and not _NOT_ADDRESSEE.search(s):
            return Span(sp.start, sp.end - 1)
    return None


def find_issuers(view: str, head: list[Span], title: Span | None, tail: list[Span]) -> list[Span]:
    if title:
        t = view[title.start:title.end]
        k = t.find("关于")
        if k >= 4 and ORGAN_END.search(clean(t[:k])) or k >= 4 and "中共" in t[:k]:
            return [Span(title.start, title.start + k)]
        above = [sp for sp in head if sp.end <= title.start and is_organ_line(view[sp.start:sp.end])]
        if above:
            return above
    signers = [sp for sp in tail if is_organ_line(view[sp.start:sp.end])]
    return signers


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
    for h in report.outline:
        if h.level != 1 or classify_heading(h.title, None) == "next_year":
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
    counts = Counter(int(m.group(1)) for m in _YEAR.finditer(view, report.body.start, report.body.end))
    sign = report.metadata.sign_date
    if sign:
        y, mo = int(sign[:4]), int(sign[5:7])
        guess = y if mo >= 10 else y - 1
        if counts.get(guess) or not counts:
            return guess, None
    if counts:
        return counts.most_common(1)[0][0], None
    return None, None


def infer_level(view: str, body: Span, issuer: str | None) -> str | None:
    """Which tier the report speaks for: how the text names itself (我镇, 全区 ...) first,
    the issuer's name second."""
    votes: Counter[str] = Counter()
    for m in _SELF.finditer(view, body.start, body.end):
        level = _SELF_LEVEL.get(m.group(2), "部门")
        votes[level] += 3 if m.group(1) in "我本" else 1
    if votes:
        return votes.most_common(1)[0][0]
    if not issuer:
        return None
    if re.search(r"(镇|乡|街道)(人民政府|委员会|党委|办事处)?$", issuer) or "街道" in issuer:
        return "乡镇街道"
    if re.search(r"(局|厅|办公室|中心)$", issuer) or re.search(r"委员会$", issuer) and "中共" not in issuer:
        return "部门"
    if "省" in issuer or "自治区" in issuer:
        return "省"
    if re.search(r"[县区旗]", issuer):
        return "区县"
    if "市" in issuer or "州" in issuer:
        return "地市"
    return None


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
    issuers = find_issuers(view, head, title, tail)
    if issuers:
        meta.issuer = " ".join(clean(report.text[s.start:s.end]) for s in issuers)
        meta.spans["issuer"] = Span(issuers[0].start, issuers[-1].end)
    elif report.page_meta.get("source"):
        meta.issuer = report.page_meta["source"]
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
    meta.level = infer_level(view, report.body, meta.issuer)
    open_from = head[-1].end if head else report.body.start
    opening = view[open_from:min(report.body.end, open_from + _OPENING_CHARS)]
    texts = [*(clean(view[s.start:s.end]) for s in issuers), meta.title or "", meta.source_org or "",
             *(view[s.start:s.end] for s in tail), meta.addressee or "",
             *(view[s.start:s.end] for s in head), opening]
    meta.place = resolve_place([t for t in texts if t])
