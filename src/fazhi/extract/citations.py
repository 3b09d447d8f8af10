"""Cited documents: every 《…》 title, the document number after it, and its kind.

A report cites laws, party regulations and the notices that set its tasks:
`《中共蓬溪县委全面依法治县委员会2023 年工作要点》(蓬法委发〔2023〕2 号)`. We return one
`Citation` per balanced 《…》 on a line (nested 〈…〉, <…> or 《…》 stay inside the title),
with the span of the title and, when a document number follows, its normalised form
(spaces removed, year bracket written 〔〕) and its own span.

Kinds are rules as data (`data/citation_kinds.yaml`): the first matching rule wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from fazhi.data import load_yaml
from fazhi.report import Citation

OPEN, CLOSE = "《", "》"
MAX_TITLE = 200  # a 《 whose 》 is further away is a typo, not a title
_MARKS = re.compile("[《》\n\r]")

# Year brackets seen in document numbers: 〔〕 (standard, GB/T 9704), and the common mistakes
_YEAR_OPEN = "〔[【(（［﹝〖{｛"
_YEAR_CLOSE = "〕]】)）］﹞〗}｝"
_BRACKET_OPEN = "(（[【［"
_BRACKET_CLOSE = ")）]】］"
_SP = r"[ \t\u3000\u00a0]*"
# issuer code + year + serial + 号: 蓬法委发〔2023〕2号, 厅字〔2019〕28号, 国办发[2018]118号
_DOC_NUMBER = re.compile(
    rf"(?P<code>[\u4e00-\u9fff]{{1,14}}(?:[A-Za-z]{{0,4}}[\u4e00-\u9fff]{{0,4}})?){_SP}"
    rf"[{re.escape(_YEAR_OPEN)}]{_SP}(?P<year>(?:19|20)\d\d){_SP}[{re.escape(_YEAR_CLOSE)}]{_SP}"
    rf"(?P<first>第)?{_SP}(?P<serial>\d{{1,5}}){_SP}号"
)
# an order number without a year: 国务院令第722号, 省政府令第 255 号
_ORDER_NUMBER = re.compile(rf"(?P<code>[\u4e00-\u9fff]{{1,12}}令){_SP}第{_SP}(?P<serial>\d{{1,5}}){_SP}号")
_CONNECTORS = "和及与或等、"  # 《A》和X发〔2023〕1号 : the number belongs to another document


@dataclass(frozen=True)
class _Rule:
    kind: str
    alternatives: tuple[dict[str, Any], ...]


@cache
def _kind_data() -> tuple[tuple[_Rule, ...], re.Pattern[str], re.Pattern[str]]:
    raw = load_yaml("citation_kinds.yaml")
    rules = []
    for item in raw["rules"]:
        alts = item.get("any") or [{k: v for k, v in item.items() if k not in ("kind", "source")}]
        rules.append(_Rule(item["kind"], tuple(_compile(a) for a in alts)))
    return tuple(rules), re.compile(raw["trailing_note"]), re.compile(raw["place_prefix"])


def _compile(alt: dict[str, Any]) -> dict[str, Any]:
    out = dict(alt)
    if "ending" in alt:
        out["ending"] = re.compile(f"(?:{alt['ending']})$")
    if "prefix" in alt:
        out["prefix"] = re.compile(f"^(?:{alt['prefix']})")
    if "contains" in alt:
        out["contains"] = re.compile(alt["contains"])
    return out


def _matches(alt: dict[str, Any], name: str, has_number: bool, place: re.Pattern[str]) -> bool:
    if "ending" in alt:
        m = alt["ending"].search(name)
        if not m:
            return False
        before = name[m.start() - 1] if m.start() > 0 else ""
        if before and before in alt.get("not_before_ending", ""):
            return False
    if "prefix" in alt and not alt["prefix"].search(name):
        return False
    if "contains" in alt and not alt["contains"].search(name):
        return False
    if alt.get("needs_doc_number") and not has_number:
        return False
    if alt.get("place_prefix") and not place.search(name):
        return False
    if alt.get("no_place_prefix") and place.search(name):
        return False
    return True


def classify(title: str, doc_number: str | None = None) -> str:
    """Kind id of a cited title (with or without 《》); see data/citation_kinds.yaml."""
    rules, trailing, place = _kind_data()
    name = title.strip()
    if name.startswith(OPEN) and name.endswith(CLOSE):
        name = name[1:-1]
    name = trailing.sub("", name.strip()).strip()
    for rule in rules:
        if any(_matches(alt, name, doc_number is not None, place) for alt in rule.alternatives):
            return rule.kind
    return "other"


def _title_spans(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Outermost balanced 《…》 pairs within [start, end), never crossing a line break."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for m in _MARKS.finditer(view, start, end):
        i, ch = m.start(), m.group()
        if ch == OPEN:
            stack.append(i)
        elif ch == CLOSE and stack:
            a = stack.pop()
            if i + 1 - a <= MAX_TITLE:
                pairs.append((a, i + 1))
        elif ch in "\n\r":
            stack.clear()  # an unbalanced 《 does not run past its line
    pairs.sort()
    outer: list[tuple[int, int]] = []
    for a, b in pairs:
        if outer and a < outer[-1][1]:
            continue  # nested inside the previous outermost title
        if b - a > 2:  # skip empty 《》
            outer.append((a, b))
    return outer


def normalise_doc_number(raw: str) -> str:
    """蓬法委发〔2023〕2 号 / 国办发[2018]118号 -> 蓬法委发〔2023〕2号 / 国办发〔2018〕118号."""
    m = _DOC_NUMBER.fullmatch(raw.strip())
    if not m:
        return re.sub(r"\s+", "", raw)  # 国务院令第 722 号 -> 国务院令第722号
    return f"{m['code']}〔{m['year']}〕{m['first'] or ''}{m['serial']}号"


def _doc_number_after(view: str, pos: int, end: int) -> tuple[str, int, int] | None:
    """The document number right after a title (optionally inside a bracket)."""
    i = pos
    while i < end and view[i] in " \t\u3000\u00a0":
        i += 1
    bracket = i < end and view[i] in _BRACKET_OPEN
    if bracket:
        i += 1
    elif i < end and view[i] in _CONNECTORS:
        return None
    m = _DOC_NUMBER.match(view, i, end) or _ORDER_NUMBER.match(view, i, end)
    if not m:
        return None
    if bracket:
        j = m.end()
        while j < end and view[j] in " \t\u3000\u00a0":
            j += 1
        # (蓬法委发〔2023〕2号) or (蓬法委发〔2023〕2号文件): accept a closing bracket or a short tail
        if j < end and view[j] not in _BRACKET_CLOSE and view[j] not in "文、，,;；":
            return None
    return normalise_doc_number(m.group()), m.start(), m.end()


def extract_citations(view: str, start: int = 0, end: int | None = None) -> list[Citation]:
    """Every 《…》 title in view[start:end] with the document number that follows it."""
    end = len(view) if end is None else min(end, len(view))
    out: list[Citation] = []
    for a, b in _title_spans(view, start, end):
        title = view[a:b]
        found = _doc_number_after(view, b, end)
        number, n_start, n_end = found if found else (None, None, None)
        out.append(Citation(title=title, doc_number=number, start=a, end=b,
                            kind=classify(title, number), number_start=n_start, number_end=n_end))
    return out
