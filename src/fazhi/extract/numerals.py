"""Quantities in running text: numeral + qualifier + unit, with the non-quantities left out.

A regex layer finds the numeral (Arabic `301,383`, `98.20`; Chinese `十`, `三千`, `两`;
`百分之六十三点五`), the qualifier around it (近/约/超过/达 before; 余/多/以上/左右 after)
and the unit (次, 人次, 万元, % ...; units and qualifiers live in data/units.yaml).
cn2an converts only the numeral itself, never the qualifier or the unit.

Value convention: the value is kept AS WRITTEN and the scale stays in the unit:
`51.05万元` -> value 51.05, unit `万元`; `2万余份` -> 2, `万份`, qualifier 余.

Not quantities (dropped here): a numeral without a unit (years, `12345` hotlines, `2025110`,
`IE版本小于11`), dates and times (`2023年`, `12月2日`, `14:10`), document numbers
(`〔2023〕2号`), ranges and plan periods (`2021-2025`), ordinals (`第一`), formulas (`1+5`),
numerals inside short quoted slogans (“四个意识”), and Chinese numerals before counters
that mark rhetoric rather than counts (两个维护, 三项制度, 一村一顾问: see `chinese_units`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
CN_DIGITS = "零〇一二两三四五六七八九"
CN_CHARS = CN_DIGITS + "十百千万亿"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE = rf"[{CN_CHARS}]+(?:点[{CN_DIGITS}]+)?"
_PERCENT = rf"百分之(?:{_CHINESE}|{_ARABIC})"
_SP = r"[ \t\u3000\u00a0]*"
OPEN_QUOTES = "“‘\"「『"
CLOSE_QUOTES = "”’\"」』"
_BAD_BEFORE = set("第〔[【-－—~～.:：+＋/／") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_BAD_AFTER = set("-－—~～+＋:：〕]】/／") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass
class Quantity:
    start: int  # the qualifier before, or the numeral
    end: int  # after the unit and any qualifier after it
    num_start: int
    num_end: int
    raw: str
    value: float | int
    unit: str | None
    qualifier: str | None
    family: str | None


@dataclass(frozen=True)
class Lexicon:
    pattern: re.Pattern[str]
    family: dict[str, str]
    chinese_units: frozenset[str]
    slips: tuple[tuple[str, str], ...]
    not_before: tuple[str, ...]
    not_before_rx: re.Pattern[str]  # matches where one of not_before starts
    before: tuple[str, ...]
    after: tuple[str, ...]
    raw: dict[str, Any]


@cache
def lexicon() -> Lexicon:
    import yaml  # loaded once, on first use

    raw = yaml.load((DATA / "units.yaml").read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    family = {}
    for fam, units in raw["units"].items():
        for u in units:
            family[str(u)] = fam
    base = sorted({u.lstrip("万亿") or u for u in family if u not in ("万", "亿")}, key=len, reverse=True)
    for u in base:
        family.setdefault(u, family.get("万" + u, "items"))
    units_alt = "|".join(re.escape(u) for u in base)
    q_after = "|".join(re.escape(q) for q in ("余", "多"))
    pattern = re.compile(
        rf"(?P<num>{_PERCENT}|{_ARABIC}|{_CHINESE})(?P<q1>{q_after})?(?P<scale>[万亿](?![{CN_CHARS}]))?"
        rf"(?P<q2>{q_after})?{_SP}(?P<unit>{units_alt})?"
    )
    slips = tuple(sorted(((str(k), str(v)) for k, v in raw["unit_slips"].items()), key=lambda kv: -len(kv[0])))
    return Lexicon(
        pattern=pattern,
        family=family,
        chinese_units=frozenset(raw["chinese_units"]),
        slips=slips,
        not_before=tuple(raw["unit_not_before"]),
        not_before_rx=re.compile("|".join(re.escape(str(w)) for w in raw["unit_not_before"]) or "(?!)"),
        before=tuple(sorted(raw["qualifiers"]["before"], key=len, reverse=True)),
        after=tuple(sorted(raw["qualifiers"]["after"], key=len, reverse=True)),
        raw=raw,
    )


_COUNTING = frozenset(CN_DIGITS + "十百千")  # a Chinese numeral holding none of these is no count (万, 亿)
MAX_DIGITS = 15  # a float keeps 15 significant digits; a longer numeral is not a count anyone wrote
MAX_CHINESE = 24  # characters of a Chinese numeral (九千九百九十九万九千九百九十九亿… is 19)


def to_number(raw: str) -> float | int | None:
    """The value of a numeral as written: '301,383' -> 301383, '三千' -> 3000, '百分之六十三点五' -> 63.5.
    None when it is no number, or too long to be a quantity (more than MAX_DIGITS digits before
    the point, more than MAX_CHINESE characters): such a value would overflow or lose its digits."""
    s = raw[3:] if raw.startswith("百分之") else raw
    if s and s[0].isdigit():
        whole = s.replace(",", "").split(".")[0]
        if len(whole) > MAX_DIGITS or len(s) > 2 * MAX_DIGITS:
            return None
        try:
            v = float(s.replace(",", ""))
        except ValueError:
            return None
    else:
        if len(s) > MAX_CHINESE:
            return None
        v = _chinese_value(s)
        if v is None:
            return None
    if not math.isfinite(v) or abs(v) >= 10.0 ** MAX_DIGITS:
        return None
    return int(v) if v.is_integer() and "." not in s and "点" not in s else v


@lru_cache(maxsize=4096)  # cn2an compiles its regexes anew once `re`'s own cache has moved on: ask once
def _chinese_value(s: str) -> float | None:
    """cn2an's value of a Chinese numeral, None when it reads none."""
    import cn2an  # the numeral core only; qualifiers and units never reach it

    try:
        return float(cn2an.cn2an(s, "normal"))
    except (ValueError, KeyError, TypeError, OverflowError):
        return None


def _quoted(view: str, s: int, e: int) -> bool:
    """A numeral opening a short quoted phrase: “四个意识”, "12345", “八五”."""
    if s == 0 or view[s - 1] not in OPEN_QUOTES:
        return False
    tail = view[e:e + 8]
    return any(q in tail for q in CLOSE_QUOTES)


def _names_end(view: str, s: int, e: int) -> bool:
    """A quantity closing a short quoted name is part of the name: “非公经济50条”, “十四五”."""
    if e >= len(view) or view[e] not in CLOSE_QUOTES:
        return False
    head = view[max(0, s - 10):s]
    k = max(head.rfind(q) for q in OPEN_QUOTES)
    return k >= 0 and not any(q in head[k + 1:] for q in CLOSE_QUOTES if q not in OPEN_QUOTES)


def _context_ok(view: str, s: int, e: int) -> bool:
    before = view[s - 1] if s > 0 else ""
    after = view[e] if e < len(view) else ""
    if before in _BAD_BEFORE or after in _BAD_AFTER:
        return False
    if before.isdigit() or after.isdigit():
        return False
    return not _quoted(view, s, e)


def _pre_qualifier(view: str, s: int, lo: int, lex: Lexicon) -> tuple[str | None, int]:
    k = s
    while k > lo and view[k - 1] in " \t\u3000":
        k -= 1
    for q in lex.before:
        if view.startswith(q, k - len(q)) and k - len(q) >= lo:
            return q, k - len(q)
    return None, s


def find_quantities(view: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every numeral with a unit in view[start:end], as `Quantity` objects in text order."""
    lex = lexicon()
    end = len(view) if end is None else end
    out: list[Quantity] = []
    for m in lex.pattern.finditer(view, start, end):
        q = _read(view, m, start, end, lex)
        if q is not None:
            out.append(q)
    return out


def _read(view: str, m: re.Match[str], lo: int, hi: int, lex: Lexicon) -> Quantity | None:
    raw, unit, scale = m["num"], m["unit"], m["scale"] or ""
    n_s, n_e = m.start("num"), m.end("num")
    percent = raw.startswith("百分之")
    chinese = not raw[0].isdigit() and not percent
    if chinese:
        if raw[-1] in "万亿" and len(raw) > 1 and not scale:
            raw, scale = raw[:-1], raw[-1]
            n_e -= 1
        if raw in ("一",) or _COUNTING.isdisjoint(raw):
            return None
    if percent:
        unit = "%"
    if not unit:
        return None
    u_end = m.end()
    if not percent and lex.not_before_rx.match(view, m.start("unit")):
        return None
    if chinese and (scale + unit) not in lex.chinese_units and unit not in lex.chinese_units:
        return None
    if not _context_ok(view, n_s, n_e):
        return None
    for bad, good in lex.slips:  # 人\次, 人(次) -> 人次
        if bad.startswith(unit) and view.startswith(bad, m.start("unit")):
            unit, u_end = good, m.start("unit") + len(bad)
            break
    if _names_end(view, n_s, u_end):
        return None
    value = to_number(raw)
    if value is None:
        return None
    quals: list[str] = []
    pre, q_start = _pre_qualifier(view, m.start(), lo, lex)
    if pre:
        quals.append(pre)
    for q in (m["q1"], m["q2"]):
        if q:
            quals.append(q)
    for q in lex.after:
        if q not in quals and view.startswith(q, u_end) and u_end + len(q) <= hi:
            quals.append(q)
            u_end += len(q)
            break
    if unit in ("元", "%") or unit.endswith("元"):
        if view.startswith("人民币", u_end):
            u_end += 3
    qualifier = "…".join(quals) if quals else None
    full_unit = scale + unit if unit != "%" else unit
    return Quantity(q_start, u_end, n_s, n_e, m["num"] if not chinese else raw, value, full_unit,
                    qualifier, lex.family.get(unit) or lex.family.get(full_unit))


def find_unitless(view: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Bare numbers inside a `由 N X 组成` frame (由117法律明白人组成): the one unitless count we trust."""
    return [(m.start(1), m.end(1), m[2]) for m in _FRAME.finditer(view, lo, hi)]


_FRAME = re.compile(r"由(\d{1,6})([\u4e00-\u9fff]{2,10}?)组成")
