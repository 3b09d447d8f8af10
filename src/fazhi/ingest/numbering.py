"""Word automatic numbering (numbering.xml) turned back into the markers a reader sees.

A paragraph with <w:numPr> (directly or through its style) shows a marker built from the
level's lvlText ("%1、", "（%1）", "%1.%2") with each %n replaced by the counter of level
n-1 in that level's numFmt. Counters are kept per numId and level; a level restarts when
a shallower level advances (or per lvlRestart), startOverride restarts a list instance.
source: ECMA-376 Part 1, 17.9 (Numbering) and 17.18.59 (ST_NumberFormat).

Hostile values are bounded the way Word bounds them: a start or startOverride is clamped to
0..32767 (Word's own range), levels to 0..8, lvlText to MAX_LVL_TEXT characters, and a
counter past the range a format can draw in a few characters (roman numerals above 3999,
letters above 26 x MAX_LETTER_REPEAT) is drawn in decimal, so one marker never costs more
than a few dozen characters whatever the file says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
MAX_COUNTER = 32767  # Word's largest start / startOverride value
MAX_LEVEL = 8  # levels 0..8
MAX_LVL_TEXT = 64  # characters of one level's lvlText (Word's dialog allows far fewer)
MAX_ROMAN = 3999  # MMMCMXCIX; larger values are drawn in decimal
MAX_LETTER_REPEAT = 10  # Z repeated 10 times (260); larger values are drawn in decimal


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # lvlRestart: restart after this (1-based) level; 0 = never
    is_legal: bool = False
    suffix: str = "tab"


@dataclass
class Numbering:
    """Numbering definitions, read lazily: the <w:abstractNum>/<w:num> elements are indexed by id
    once, and a definition is parsed the first time a paragraph uses it (a numbering part with
    20,000 unused lists costs one pass over its children)."""
    abstract_el: dict[str, Any] = field(default_factory=dict)  # abstractNumId -> <w:abstractNum>
    num_el: dict[str, Any] = field(default_factory=dict)  # numId -> <w:num>
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    _abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    _nums: dict[str, tuple[str, dict[int, Level | int]]] = field(default_factory=dict)

    def num(self, num_id: str) -> tuple[str, dict[int, Level | int]]:
        """(abstractNumId, level overrides) of one list instance."""
        if num_id not in self._nums:
            el = self.num_el.get(num_id)
            self._nums[num_id] = _parse_num(el) if el is not None else ("", {})
        return self._nums[num_id]

    def abstract(self, abstract_id: str) -> dict[int, Level]:
        if abstract_id not in self._abstract:
            el = self.abstract_el.get(abstract_id)
            self._abstract[abstract_id] = _parse_abstract(el) if el is not None else {}
        return self._abstract[abstract_id]

    def level(self, num_id: str, ilvl: int) -> Level | None:
        abstract_id, overrides = self.num(num_id)
        over = overrides.get(ilvl)
        if isinstance(over, Level):
            return over
        return self.abstract(abstract_id).get(ilvl)

    def marker(self, num_id: str, ilvl: int) -> str:
        """Advance the counter of (num_id, ilvl) and return the rendered marker."""
        lvl = self.level(num_id, ilvl)
        if lvl is None:
            return ""
        counts = self.counters.setdefault(num_id, {})
        if ilvl in counts:
            counts[ilvl] = min(counts[ilvl] + 1, MAX_COUNTER)
        else:
            over = self.num(num_id)[1].get(ilvl)
            counts[ilvl] = over if isinstance(over, int) else lvl.start
        for deeper in [k for k in counts if k > ilvl]:
            dl = self.level(num_id, deeper)
            if dl is None or dl.restart != 0 and (dl.restart is None or dl.restart - 1 >= ilvl):
                del counts[deeper]
        if lvl.fmt == "bullet" or lvl.fmt == "none":
            return "" if lvl.fmt == "none" else _bullet(lvl.text)
        out = lvl.text
        for n in range(9, 0, -1):
            ph = f"%{n}"
            if ph not in out:
                continue
            k = n - 1
            ref = self.level(num_id, k)
            value = counts.get(k, ref.start if ref else 1)
            fmt = "decimal" if (lvl.is_legal and k != ilvl) or ref is None else ref.fmt
            out = out.replace(ph, format_number(value, fmt))
        return out


def _bullet(text: str) -> str:
    # symbol-font bullets live in the private use area; show a plain bullet instead
    return "•" if not text or any(0xE000 <= ord(c) <= 0xF8FF for c in text) else text


def chinese_numeral(n: int, digits: str = _DIGITS, units: str = "十百千") -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五 (up to 9999)."""
    if n <= 0:
        return digits[0]
    if n >= 10000:
        return str(n)
    parts, zero = [], False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d, n = divmod(n, power)
        if d:
            if zero:
                parts.append("零" if digits is _DIGITS else digits[0])
            parts.append(digits[d] + unit)
            zero = False
        elif parts:
            zero = True
    s = "".join(parts)
    if s.startswith(digits[1] + units[0]) and len(s) <= 3 and digits is _DIGITS:
        s = s[1:]  # 一十一 -> 十一
    return s


def _roman(n: int) -> str:
    if not 1 <= n <= MAX_ROMAN:
        return str(n)
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for v, s in vals:
        k, n = divmod(n, v)
        out.append(s * k)
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: 27 -> AA, 28 -> BB
    if not 1 <= n <= 26 * MAX_LETTER_REPEAT:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A counter value in one ST_NumberFormat."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "ideographDigital", "japaneseDigitalTenThousand"):
        return chinese_numeral(n)
    if fmt == "chineseLegalSimplified":
        return chinese_numeral(n, _LEGAL, "拾佰仟")
    if fmt in ("ideographTraditional", "ideographZodiacTraditional") and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _DIZHI[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    return str(n)


def _val(el, tag: str) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val") if child is not None else None


def _int(value: str | None, low: int, high: int) -> int | None:
    """An XML decimal attribute clamped to low..high (None when absent or not a number)."""
    if not value:
        return None
    v = value.strip()
    digits = v[1:] if v[:1] in "+-" else v
    if not digits.isascii() or not digits.isdigit():
        return None
    if len(digits) > 9:  # far outside any range here: no need to convert thousands of digits
        return low if v[0] == "-" else high
    return max(low, min(high, int(v)))


def parse_ilvl(value: str | None) -> int | None:
    """A level number 0..8 (None when absent, not a number or out of range)."""
    ilvl = _int(value, -1, MAX_LEVEL + 1)
    return ilvl if ilvl is not None and 0 <= ilvl <= MAX_LEVEL else None


def _parse_level(el) -> Level:
    lvl = Level()
    if (start := _int(_val(el, "start"), 0, MAX_COUNTER)) is not None:
        lvl.start = start
    lvl.fmt = _val(el, "numFmt") or "decimal"
    text = _val(el, "lvlText")
    lvl.text = text[:MAX_LVL_TEXT] if text is not None else ""
    if (restart := _int(_val(el, "lvlRestart"), 0, MAX_LEVEL + 1)) is not None:
        lvl.restart = restart
    legal = el.find(W + "isLgl")
    lvl.is_legal = legal is not None and legal.get(W + "val", "true") not in ("0", "false", "off")
    lvl.suffix = _val(el, "suff") or "tab"
    return lvl


def _parse_abstract(absn) -> dict[int, Level]:
    levels = {}
    for lvl in absn.iterchildren(W + "lvl"):
        ilvl = parse_ilvl(lvl.get(W + "ilvl", "0"))
        if ilvl is not None:
            levels[ilvl] = _parse_level(lvl)
    return levels


def _parse_num(num) -> tuple[str, dict[int, Level | int]]:
    overrides: dict[int, Level | int] = {}
    for over in num.iterchildren(W + "lvlOverride"):
        ilvl = parse_ilvl(over.get(W + "ilvl", "0"))
        if ilvl is None:
            continue
        lvl_el = over.find(W + "lvl")
        if lvl_el is not None:
            overrides[ilvl] = _parse_level(lvl_el)
        elif (start := _int(_val(over, "startOverride"), 0, MAX_COUNTER)) is not None:
            overrides[ilvl] = start
    return _val(num, "abstractNumId") or "", overrides


def parse_numbering(root) -> Numbering:
    """Numbering definitions from the <w:numbering> element (None: no numbering part).
    A repeated id: the last definition wins."""
    nb = Numbering()
    if root is None:
        return nb
    for el in root.iter(W + "abstractNum", W + "num"):
        if el.tag == W + "num":
            nb.num_el[el.get(W + "numId", "")] = el
        else:
            nb.abstract_el[el.get(W + "abstractNumId", "")] = el
    return nb
