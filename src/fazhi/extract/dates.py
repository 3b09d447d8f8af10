"""Dates as reports write them: 2024年1月19日, 二〇二四年一月十九日, 2024-01-19, 2024.1.19.

`find_dates` returns every full date in a text with its span and the form it was written
in (GB/T 9704 wants Arabic numerals without zero padding for the 成文日期).
`garbled_date` recognises a date whose separators were lost in publishing ("2025110").
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fazhi.report import Span

_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇○零一二三四五六七八九十"

ARABIC = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
CHINESE = re.compile(rf"(?P<y>[{_CN}O]{{4}})\s*年\s*(?P<m>[{_CN}]{{1,3}})\s*月\s*(?P<d>[{_CN}]{{1,3}})\s*日")
NUMERIC = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?P<sep>[-./／])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d.])")
GARBLED = re.compile(r"(?<!\d)(?P<y>20\d{2})(?P<rest>\d{2,4})(?!\d)")


@dataclass(frozen=True)
class FoundDate:
    date: dt.date
    start: int
    end: int
    form: str  # arabic | chinese | numeric

    @property
    def iso(self) -> str:
        return self.date.isoformat()


def cn_small_number(s: str) -> int | None:
    """一..三十一 for months and days."""
    if not s:
        return None
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGIT.get(tens, None) if tens else 1
        o = _CN_DIGIT.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    if len(s) == 1 and s in _CN_DIGIT:
        return _CN_DIGIT[s]
    return None


def _make(y: int, m: int | None, d: int | None) -> dt.date | None:
    if m is None or d is None:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[FoundDate]:
    end = len(text) if end is None else end
    found: list[FoundDate] = []
    for m in ARABIC.finditer(text, start, end):
        if d := _make(int(m["y"]), int(m["m"]), int(m["d"])):
            found.append(FoundDate(d, m.start(), m.end(), "arabic"))
    for m in CHINESE.finditer(text, start, end):
        y = "".join(str(_CN_DIGIT.get(ch, "")) for ch in m["y"])
        if len(y) == 4 and (d := _make(int(y), cn_small_number(m["m"]), cn_small_number(m["d"]))):
            found.append(FoundDate(d, m.start(), m.end(), "chinese"))
    for m in NUMERIC.finditer(text, start, end):
        if d := _make(int(m["y"]), int(m["m"]), int(m["d"])):
            found.append(FoundDate(d, m.start(), m.end(), "numeric"))
    return sorted(found, key=lambda f: f.start)


def garbled_date(s: str) -> tuple[str, dt.date | None] | None:
    """A line that is only digits shaped like a date with its separators lost.
    Returns (the digits, the one valid reading or None when there is none or several)."""
    m = GARBLED.fullmatch(s.strip())
    if not m:
        return None
    y, rest = int(m["y"]), m["rest"]
    readings = set()
    for cut in range(1, len(rest)):
        mo, da = rest[:cut], rest[cut:]
        if len(mo) > 2 or len(da) > 2 or mo.startswith("0") and len(mo) == 1:
            continue
        if d := _make(y, int(mo), int(da)):
            readings.add(d)
    return m.group(0), (readings.pop() if len(readings) == 1 else None)


def invalid_dates(text: str, start: int = 0, end: int | None = None) -> list["Span"]:
    """Spans of Arabic-numeral dates that name no calendar day (2024年2月30日)."""
    from fazhi.report import Span

    end = len(text) if end is None else end
    return [Span(m.start(), m.end()) for m in ARABIC.finditer(text, start, end)
            if _make(int(m["y"]), int(m["m"]), int(m["d"])) is None]
