"""Where the report itself lies in a text that may be a saved web page.

A saved article page reads: navigation and breadcrumb (当前位置), the headline, an info
line (来源 / 发布时间), the report, then trailing furniture (附件, 分享到, 【打印】【关闭】,
相关新闻, footer). `find_body` returns the span from the report's first line to its last
line (the signature or date) and the page's own info as `page_meta`. The phrase lists are
data: src/fazhi/data/page_chrome.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from fazhi.report import Span

_TRIM = " \t\r\n\u3000\u00a0\ufeff"
_DECOR = _TRIM + "-—–·•|｜丨【】[]〔〕●■◆◇□>»›*#"
_PROSE_PUNCT = re.compile(r"[。；;！!？?]|[，,].{8,}[，,。]")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)


@dataclass
class Line:
    start: int  # trimmed span of the line in the text
    end: int
    text: str  # trimmed text


@cache
def _rules() -> dict[str, Any]:
    from fazhi.data import load_yaml

    return load_yaml("page_chrome.yaml")


def split_lines(text: str) -> list[Line]:
    """Every line of text (blank ones too, with an empty `text`), trimmed."""
    out: list[Line] = []
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        if m.start() == m.end():
            break
        a, b = m.start(), m.end()
        while a < b and text[a] in _TRIM:
            a += 1
        while b > a and text[b - 1] in _TRIM:
            b -= 1
        out.append(Line(a, b, text[a:b]))
    return out


def _core(line: str) -> str:
    return line.strip(_DECOR)


def chrome_kind(line: str) -> str | None:
    """'nav', 'info' or 'tail' when the line is page furniture, else None."""
    rules = _rules()
    if not line or len(line) > rules["max_line"]:
        return None
    core = _core(line)
    compact = re.sub(r"\s+", "", core)
    for kind in ("info", "nav", "tail"):
        spec = rules[kind]
        if any(core.startswith(p) or compact.startswith(p.replace(" ", "")) for p in spec["start"]):
            return kind
        if any(p in core for p in spec.get("anywhere", [])):
            return kind
        for p in spec.get("bare", []):
            if re.fullmatch(re.escape(p) + r"\s*[:：]?\s*", core):
                return kind
    if _is_nav_like(core):
        return "nav"
    return None


def _is_nav_like(core: str) -> bool:
    """A row of short menu items: 首页 | 政务公开 | 办事服务 ..."""
    if re.search(r"[，。；：,;:]", core):
        return False
    items = [t for t in re.split(r"[\s|｜丨/>»›]+", core) if t]
    if len(items) < 4:
        return False
    return all(len(t) <= 6 for t in items) and not any(ch.isdigit() for ch in core)


def _is_prose(line: Line) -> bool:
    return len(line.text) >= 30 and bool(_PROSE_PUNCT.search(line.text))


def find_body(text: str) -> tuple[Span, dict[str, Any]]:
    """The report's span within text, and what the page said of itself."""
    lines = split_lines(text)
    kinds = [chrome_kind(ln.text) for ln in lines]
    nonblank = [i for i, ln in enumerate(lines) if ln.text]
    if not nonblank:
        return Span(0, 0), {}
    head_end = _head_end(lines, kinds)
    first = _first_line(lines, kinds, head_end)
    last = _last_line(lines, kinds, first)
    meta = parse_info(text, [lines[i] for i in range(head_end) if kinds[i] in ("info", "nav")])
    return Span(lines[first].start, lines[last].end), meta


def _head_end(lines: list[Line], kinds: list[str | None]) -> int:
    """Index of the first prose line that is not furniture (the head zone lies before it)."""
    for i, ln in enumerate(lines[:60]):
        if kinds[i] is None and _is_prose(ln):
            return i
    return min(len(lines), 60)


def _first_line(lines: list[Line], kinds: list[str | None], head_end: int) -> int:
    navs = [i for i in range(head_end) if kinds[i] == "nav"]
    begin = navs[-1] + 1 if navs else 0
    for i in range(begin, len(lines)):
        if lines[i].text and kinds[i] is None:
            return i
    return next(i for i, ln in enumerate(lines) if ln.text)


def _last_line(lines: list[Line], kinds: list[str | None], first: int) -> int:
    """The report's last line: before the first trailing furniture that no prose follows."""
    cut = len(lines)
    for i in range(len(lines) - 1, first, -1):
        if kinds[i] is None and _is_prose(lines[i]):
            break
        if kinds[i] in ("tail", "nav"):
            cut = i
    for i in range(cut - 1, first - 1, -1):
        if lines[i].text and kinds[i] is None:
            return i
    return first


# ---------------------------------------------------------------- info line


def _label_regex() -> re.Pattern[str]:
    fields = _rules()["fields"]
    labels = sorted({lab for key in fields for lab in fields[key]}, key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, labels)) + r")\s*[:：]")


def parse_info(text: str, lines: list[Line]) -> dict[str, Any]:
    """publish_date / source (and their spans) from info lines such as
    "来源: 天津市武清区某某镇人民政府 发布时间: 2025-01-15 14:10"."""
    fields = _rules()["fields"]
    key_of = {lab: key for key in ("publish_date", "source") for lab in fields[key]}
    pattern = _label_regex()
    meta: dict[str, Any] = {}
    for ln in lines:
        found = list(pattern.finditer(text, ln.start, ln.end))
        for j, m in enumerate(found):
            key = key_of.get(m.group(1))
            if key is None or key in meta:
                continue
            vend = found[j + 1].start() if j + 1 < len(found) else ln.end
            value = _field_value(text, m.end(), vend, key)
            if value is None:
                continue
            meta[key], meta[f"{key}_span"] = value[0], [value[1], value[2]]
    return meta


def _field_value(text: str, a: int, b: int, key: str) -> tuple[str, int, int] | None:
    if key == "publish_date":
        m = _DATE.match(text, _skip_space(text, a, b), b)
        if not m:
            return None
        return f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}", m.start(), m.end()
    a = _skip_space(text, a, b)
    # the organ ends at a run of 2+ spaces or a bracket/separator
    m = re.search(r"\s{2,}|[|｜丨【\[]", text[a:b])
    if m:
        b = a + m.start()
    while b > a and text[b - 1] in _DECOR:
        b -= 1
    if b <= a:
        return None
    return text[a:b], a, b


def _skip_space(text: str, a: int, b: int) -> int:
    while a < b and text[a] in _TRIM:
        a += 1
    return a


def parse_date(s: str) -> str | None:
    """'2024-03-28 10:00' / '2024年3月28日' -> '2024-03-28'."""
    m = _DATE.search(s)
    if not m:
        return None
    return f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
