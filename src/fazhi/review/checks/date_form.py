"""Date and year-range writing rules (GB/T 9704-2012 7.3.5.1, GB/T 15835, GB/T 15834 4.13).

Split from format.py; they share its segment and quoting helpers."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from fazhi.report import Report
from fazhi.review.checks.format import _view, finditer, segments
from fazhi.review.registry import Hit, rule


# ---------------------------------------------------------------- 日期 (GB/T 9704 7.3.5.1, GB/T 15835)

CN_DATE = re.compile(r"(?<![\d〔\[])(?P<y>\d{4}|\d{2})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?")
DOT_DATE = re.compile(r"(?<![\d.．/])(?P<y>(?:19|20)\d{2})(?P<sep>[./．／])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d.．/%])")
DASH_DATE = re.compile(r"(?<![\d\-])(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d\-])")
_CN_NUMERAL = set("〇○零一二三四五六七八九十")


def _valid(y: int, m: int, d: int | None) -> bool:
    try:
        dt.date(y, m, d or 1)
    except ValueError:
        return False
    return True


def date_problems(view: str, lo: int, hi: int) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, problem, fixed form) for dates not written as 2024年3月28日."""
    for m in CN_DATE.finditer(view, lo, hi):
        y, mo, d = m["y"], m["m"], m["d"]
        year = int(y) if len(y) == 4 else 2000 + int(y)
        if not _valid(year, int(mo), int(d) if d else None):
            continue
        problems = []
        if len(y) == 2:
            if not d:
                continue  # 23年3月 without a day is too ambiguous
            problems.append("年份应写全四位")
        if mo.startswith("0") or (d or "").startswith("0"):
            problems.append("月、日不编虚位（不加前导0）")
        if problems:
            fixed = f"{year}年{int(mo)}月" + (f"{int(d)}日" if d else "")
            yield m.start(), m.end(), "；".join(problems), fixed
    for rx in (DOT_DATE, DASH_DATE):
        for m in rx.finditer(view, lo, hi):
            y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
            if not _valid(y, mo, d):
                continue
            if rx is DASH_DATE and len(m["m"]) == 2 and len(m["d"]) == 2:
                continue  # 2024-03-28 is the standard all-numeric form (GB/T 15835 5.2.2)
            what = "日期不用圆点或斜线分隔" if rx is DOT_DATE else "全数字日期应写作YYYY-MM-DD"
            yield m.start(), m.end(), what, f"{y}年{mo}月{d}日"


@rule("date-format", "format", "info", "日期写法")
def date_format(report: Report) -> Iterator[Hit]:
    """GB/T 9704-2012 7.3.5.1 / GB/T 15835 (rules.md E1.1, E3.4, R13): 2024年3月28日 —
    four-digit year, no zero padding; the 成文日期 in Arabic numerals (since 2012-07-01)."""
    view = _view(report)
    seen: set[tuple[int, int]] = set()
    found = [p for seg in segments(report) for p in date_problems(view, *seg)]
    for a, b, problem, fixed in sorted(found):
        if any(a < e and s < b for s, e in seen):
            continue
        seen.add((a, b))
        yield Hit(message=f"日期“{report.text[a:b]}”写法不规范：{problem}。",
                  suggestion=f"写作“{fixed}”。", start=a, end=b)
    span = report.metadata.spans.get("sign_date")
    if span and any(c in _CN_NUMERAL for c in view[span.start:span.end]):
        iso = report.metadata.sign_date or ""
        fixed = f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:10])}日" if len(iso) == 10 else "××××年×月×日"
        yield Hit(message=f"成文日期“{report.text[span.start:span.end]}”使用汉字数字，"
                          "是GB/T 9704-1999的旧写法。",
                  suggestion=f"按GB/T 9704-2012用阿拉伯数字，写作“{fixed}”。", start=span.start, end=span.end)


# ---------------------------------------------------------------- 年份起止 (E2.3, R17)

TITLE = re.compile(r"《[^《》\n]{2,150}》")
YEAR_RANGE = re.compile(r"(?P<a>(?:19|20)\d{2})\s*(?P<sep>[-－‐‑–~～—―]*)\s*(?P<b>(?:19|20)\d{2})(?P<nian>\s*年)?")
_HYPHENS = set("-－‐‑–~～")


def year_range_problems(title: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, problem, fixed) of year ranges inside one 《…》 title."""
    for m in YEAR_RANGE.finditer(title):
        a, b, sep = int(m["a"]), int(m["b"]), m["sep"]
        if not 0 < b - a <= 20:
            continue
        problems = []
        if not sep:
            problems.append("起止年份之间缺少连接号")
        elif any(c in _HYPHENS for c in sep) or len(sep) > 1:
            problems.append(f"起止年份应使用一字线“—”，不用“{sep}”")
        if not m["nian"] and "纲要" in title:
            problems.append("纲要名称中年份后应有“年”")
        if problems:
            yield m.start(), m.end(), "；".join(problems), f"{a}—{b}年" if (m["nian"] or "纲要" in title) else f"{a}—{b}"


@rule("year-range-form", "format", "info", "年份起止写法")
def year_range_form(report: Report) -> Iterator[Hit]:
    """GB/T 15834 4.13 (rules.md E2.3, E4.7): 《法治政府建设实施纲要（2021—2025年）》."""
    for t in finditer(TITLE, report):
        for a, b, problem, fixed in year_range_problems(t.group()):
            s, e = t.start() + a, t.start() + b
            yield Hit(message=f"“{report.text[t.start():t.end()]}”中“{report.text[s:e]}”写法不规范：{problem}。",
                      suggestion=f"写作“{fixed}”。", start=s, end=e)
