"""What a web page says of the report it carries: publish date and 来源/发布机构.

Pages print it as an info line (`来源: X 发布时间: 2025-01-15 14:10`), as a table flattened to
text (`[ 发布机构 ] X [ 发布日期 ] 2026-01-27`, `发布日期: | 2025-02-14 |`, or a label on one
line and its value on the next), or as a bare date line under the headline (`2019-05-09`,
`2026-01-20 17:01 | 武汉市水务局`, `25.02.2016 10:00`, `• 2023年03月30日 09时24分`). The labels are
data: the `fields` of data/page_chrome.yaml.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any, Protocol

_TRIM = " \t\r\n\u3000\u00a0\ufeff"
_SEP = _TRIM + "|｜丨]】"
_DECOR = _TRIM + "-—–·•|｜丨【】[]〔〕●■◆◇□>»›*#"
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*\d{1,2}[:：时]\d{2}(?:[:：分]\d{2})?\s*(?:分|秒)?)?"
)
_DATE_DMY = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_BARE_DATE_LINE = re.compile(r"^[\s•·\-—*]*(?:[^\d\s:：，。,]{1,20}[\s\-|｜]+)?(?P<date>.{8,30}?)"
                             r"(?:\s*[\s|｜]\s*[^\d\s，。,]{1,24})?\s*$")


class _Line(Protocol):
    start: int
    end: int
    text: str


@cache
def _fields() -> dict[str, list[str]]:
    from fazhi.data import load_yaml

    return load_yaml("page_chrome.yaml")["fields"]


@cache
def _label_regex() -> re.Pattern[str]:
    fields = _fields()
    labels = sorted({lab for key in fields for lab in fields[key]}, key=len, reverse=True)
    alt = "|".join(r"\s*".join(map(re.escape, lab)) for lab in labels)  # 索 引 号, 发 布 时 间
    # a label ends at a colon, a table bracket or bar, or the end of its line (value on the next line)
    return re.compile(rf"[\[【]?\s*({alt})\s*(?:[:：]|[\]】]|(?=\s*[|｜])|(?=\s*$))", re.M)


def parse_info(text: str, lines: list[_Line]) -> dict[str, Any]:
    """publish_date / source (and their spans) from labelled info in `lines`."""
    fields = _fields()
    key_of = {lab: key for key in ("publish_date", "source") for lab in fields[key]}
    pattern = _label_regex()
    meta: dict[str, Any] = {}
    for n, ln in enumerate(lines):
        found = list(pattern.finditer(text, ln.start, ln.end))
        for j, m in enumerate(found):
            key = key_of.get(re.sub(r"\s+", "", m.group(1)))
            if key is None or key in meta:
                continue
            vend = found[j + 1].start() if j + 1 < len(found) else ln.end
            value = _field_value(text, m.end(), vend, key)
            if value is None and j + 1 == len(found) and _skip(text, m.end(), ln.end) == ln.end \
                    and n + 1 < len(lines) and not pattern.match(text, lines[n + 1].start, lines[n + 1].end):
                nxt = lines[n + 1]  # the label alone on its line, the value on the next
                value = _field_value(text, nxt.start, nxt.end, key)
            if value is not None:
                meta[key], meta[f"{key}_span"] = value[0], [value[1], value[2]]
    return meta


def bare_publish_date(text: str, lines: list[_Line]) -> tuple[str, list[int]] | None:
    """The first line that is only a date (with a time, a site or an office beside it)."""
    for ln in lines[:12]:
        m = _BARE_DATE_LINE.match(ln.text)
        if not m:
            continue
        date = m.group("date").strip(_DECOR)
        d = _DATE.fullmatch(date) or _DATE_DMY.fullmatch(date)
        if d and (iso := _iso(d)):
            a = ln.start + ln.text.find(date)
            return iso, [a, a + len(date)]
    return None


def _field_value(text: str, a: int, b: int, key: str) -> tuple[str, int, int] | None:
    a = _skip(text, a, b)
    if key == "publish_date":
        m = _DATE.match(text, a, b) or _DATE_DMY.match(text, a, b)
        iso = _iso(m) if m else None
        return (iso, m.start(), m.end()) if m and iso else None
    # the organ ends at a run of 2+ spaces or a bracket/separator
    m = re.search(r"\s{2,}|[|｜丨【\[]", text[a:b])
    if m:
        b = a + m.start()
    while b > a and text[b - 1] in _DECOR:
        b -= 1
    if b <= a or not re.search(r"[\u4e00-\u9fffA-Za-z]", text[a:b]):
        return None
    return text[a:b], a, b


def _iso(m: re.Match[str]) -> str | None:
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _skip(text: str, a: int, b: int) -> int:
    while a < b and text[a] in _SEP:
        a += 1
    return a


def parse_date(s: str) -> str | None:
    """'2024-03-28 10:00' / '2024年3月28日' -> '2024-03-28'."""
    m = _DATE.search(s)
    return _iso(m) if m else None
