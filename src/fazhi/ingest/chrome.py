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

from fazhi.ingest.page_info import parse_date, parse_info  # the page's own info; parse_date re-exported
from fazhi.report import Span

__all__ = ["Line", "chrome_kind", "find_body", "parse_date", "parse_info", "split_lines"]

_TRIM = " \t\r\n\u3000\u00a0\ufeff"
_DECOR = _TRIM + "-—–·•|｜丨【】[]〔〕●■◆◇□>»›*#"
_PROSE_PUNCT = re.compile(r"[。；;！!？?]|[，,].{8,}[，,。]")


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


@cache
def _matchers() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...], re.Pattern[str] | None, re.Pattern[str] | None], ...]:
    """Per kind: start phrases, the same without spaces, one regex for the `anywhere` phrases and
    one for the `bare` labels (compiled once: chrome_kind runs on every line of every text)."""
    out = []
    for kind in ("info", "nav", "tail"):
        spec = _rules()[kind]
        starts = tuple(spec["start"])
        anywhere = spec.get("anywhere") or []
        bare = spec.get("bare") or []
        out.append((kind, starts, tuple(p.replace(" ", "") for p in starts),
                    re.compile("|".join(map(re.escape, anywhere))) if anywhere else None,
                    re.compile("(?:" + "|".join(map(re.escape, bare)) + r")\s*[:：]?\s*") if bare else None))
    return tuple(out)


def chrome_kind(line: str) -> str | None:
    """'nav', 'info' or 'tail' when the line is page furniture, else None."""
    if not line or len(line) > _rules()["max_line"]:
        return None
    core = _core(line)
    compact = re.sub(r"\s+", "", core)
    for kind, starts, compact_starts, anywhere, bare in _matchers():
        if core.startswith(starts) or compact.startswith(compact_starts):
            return kind
        if anywhere is not None and anywhere.search(core):
            return kind
        if bare is not None and bare.fullmatch(core):
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
    meta = page_meta(text, lines, kinds, head_end, first)
    return Span(lines[first].start, lines[last].end), meta


def page_meta(text: str, lines: list[Line], kinds: list[str | None], head_end: int, first: int) -> dict[str, Any]:
    """Labelled info anywhere above the report's first long paragraph (tables of 发布机构/发布日期
    included); else a bare date line next to the headline is the publish date."""
    from fazhi.ingest.page_info import bare_publish_date

    zone_end = _meta_zone_end(lines, kinds, first)
    zone = [ln for i, ln in enumerate(lines[:zone_end]) if ln.text and kinds[i] != "tail"]
    meta = parse_info(text, zone)
    near_top = [ln for ln in lines[:min(zone_end, first + 4)] if ln.text]  # the headline and what follows it
    if "publish_date" not in meta and (found := bare_publish_date(text, near_top)):
        meta["publish_date"], meta["publish_date_span"] = found
    return meta


def _meta_zone_end(lines: list[Line], kinds: list[str | None], first: int) -> int:
    """Index past the lines where a page prints its own info: up to the first paragraph of the
    report that is long prose (a headline with a question mark is not)."""
    for i in range(first, min(len(lines), 80)):
        ln = lines[i]
        if kinds[i] is None and len(ln.text) >= 60 and _PROSE_PUNCT.search(ln.text):
            return i
    return min(len(lines), 80)


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


