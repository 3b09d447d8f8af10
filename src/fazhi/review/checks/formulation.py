"""Standard formulations (规范表述) and anachronisms.

Rules as data:
- data/formulations.yaml: wrong -> right forms (Aho-Corasick, longest match wins, so a wrong
  form inside a right form or a whitelisted term such as 法制审核 never fires), regex families
  (党的20大, 二十二中全会) and slogans that take quotation marks. Sources: rules.md E3, E4, R18-R20.
- data/anachronisms.yaml: a versioned pack of formulations with effective_from / effective_to
  dates, checked against the year the report covers (rules.md E4.3, E4.9, E4.10, R19, R21).

Anachronisms are category "formulation": they are wrong formulations for the covered year,
and the fix is to the wording (or to a text copied from another year's report).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from fazhi.report import Report
from fazhi.review.layers import layer_key, layered, merged
from fazhi.review.registry import Hit, rule


@dataclass(frozen=True)
class Term:
    kind: str  # wrong | right | white
    text: str
    entry: int  # index into formulations.yaml `entries` (-1 for whitelist terms)


def formulation_data(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """formulations.yaml with a rubric's additions (review/layers.py)."""
    return layered(params, "formulations")


@cache
def _automaton(key: str = "{}"):
    import ahocorasick
    import json

    data = merged("formulations", json.loads(key))
    terms: dict[str, Term] = {}
    for i, e in enumerate(data["entries"]):
        for w in e["wrong"]:
            terms[w] = Term("wrong", w, i)
        terms.setdefault(e["right"], Term("right", e["right"], i))
    for w in data.get("whitelist", []):
        terms.setdefault(w, Term("white", w, -1))
    auto = ahocorasick.Automaton()
    for key, term in terms.items():
        auto.add_word(key, term)
    auto.make_automaton()
    return auto


def match_terms(view: str, start: int, end: int, key: str = "{}") -> list[tuple[int, int, Term]]:
    """Every dictionary term in view[start:end] as (start, end, term), text order."""
    out = []
    for last, term in _automaton(key).iter(view, start, end):
        out.append((last - len(term.text) + 1, last + 1, term))
    return sorted(out, key=lambda x: (x[0], -(x[1] - x[0])))


def wrong_forms(view: str, start: int, end: int, key: str = "{}") -> list[tuple[int, int, Term]]:
    """Wrong forms not shielded by an overlapping right form or whitelisted term that is
    at least as long (so 法制审核 shields 法制, and 二十届二中 never holds 二十二中)."""
    found = match_terms(view, start, end, key)
    shields = [(a, b) for a, b, t in found if t.kind != "wrong"]
    out = []
    for a, b, t in found:
        if t.kind != "wrong":
            continue
        if any(sa < b and a < sb and sb - sa >= b - a for sa, sb in shields):
            continue
        if out and a < out[-1][1]:  # overlapping wrong forms: keep the first, longest
            continue
        out.append((a, b, t))
    return out


def _applies(entry: dict[str, Any], year: int | None) -> bool:
    lo = entry.get("from_year")
    return lo is None or (year is not None and year >= lo)


@rule("formulation-standard", "formulation", "warning", "规范表述")
def formulation_standard(report: Report, params: Mapping[str, Any] | None = None) -> Iterator[Hit]:
    """Wrong forms of political and legal formulations (rules.md E3.1, E4, R18, R19)."""
    data = formulation_data(params)
    view, year = report.view or report.text, report.metadata.report_year
    lo, hi = report.body.start, report.body.end
    for a, b, t in wrong_forms(view, lo, hi, layer_key(params, "formulations")):
        e = data["entries"][t.entry]
        if not _applies(e, year) or (e.get("outside_titles") and in_title(view, a, b)):
            continue
        raw = report.text[a:b]
        yield Hit(message=f"“{raw}”表述不规范：{e['note']}。", suggestion=f"改为“{fixed_form(raw, e)}”。",
                  start=a, end=b, severity=e.get("severity"), extra={"source": e["source"]})
    for p in data.get("patterns", []):
        for m in _compiled(p["regex"]).finditer(view, lo, hi):
            raw = report.text[m.start():m.end()]
            yield Hit(message=f"“{raw}”表述不规范：{p['note']}。", suggestion=f"改为“{pattern_fix(m, p['fix'])}”。",
                      start=m.start(), end=m.end(), severity=p.get("severity"), extra={"source": p["source"]})


def in_title(view: str, a: int, b: int) -> bool:
    """Whether view[a:b] stands inside a 《title》 on its line (a cited title keeps its own form)."""
    lo = max(view.rfind("\n", 0, a), view.rfind("》", 0, a))
    k = view.rfind("《", 0, a)
    if k <= lo:
        return False
    end = view.find("》", b)
    nl = view.find("\n", b)
    return end >= 0 and (nl < 0 or end < nl)


def fixed_form(raw: str, entry: dict[str, Any]) -> str:
    right = entry["right"]
    # 法制宣传 -> 法治宣传: keep the writer's word, change the one character
    if len(entry["wrong"][0]) == len(raw) and raw.startswith("法制"):
        return "法治" + raw[2:]
    if raw.startswith("依法制") and len(raw) == 4:
        return "依法治" + raw[3]
    return right


_CN_DIGITS = "零一二三四五六七八九"


def to_chinese_number(n: int) -> str:
    """1..99 as Chinese numerals (二十, 十九, 三)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def pattern_fix(m: re.Match[str], fix: str) -> str:
    if fix == "number-to-chinese":
        return re.sub(r"\d{1,2}", lambda d: to_chinese_number(int(d.group())), m.group())
    return m.expand(fix)


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@cache
def _quoted_regex(key: str = "{}") -> re.Pattern[str]:
    import json

    terms = merged("formulations", json.loads(key))["quoted"]["terms"]
    alts = "|".join(sorted(map(re.escape, terms), key=len, reverse=True))
    return re.compile(rf"(?<![“\"‘'「『])(?:{alts})(?![”\"’'」』])")


@rule("formulation-quotes", "formulation", "info", "提法引号")
def formulation_quotes(report: Report, params: Mapping[str, Any] | None = None) -> Iterator[Hit]:
    """Slogans written with quotation marks: “两个维护”, “四个意识”, “八五”普法 (rules.md E4.4, E4.9, R20)."""
    forms = formulation_data(params)["quoted"]["forms"]
    view = report.view or report.text
    for m in _quoted_regex(layer_key(params, "formulations")).finditer(view, report.body.start, report.body.end):
        raw = report.text[m.start():m.end()]
        right = forms.get(m.group(), f"“{m.group()}”")
        yield Hit(message=f"“{raw}”按规范提法应加引号。", suggestion=f"写作{right}。" if right.startswith("“") else f"写作“{right}”。",
                  start=m.start(), end=m.end())


# ---------------------------------------------------------------- anachronisms

def anachronism_pack(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """anachronisms.yaml with a rubric's additions (review/layers.py)."""
    return layered(params, "anachronisms")


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def reference_date(report: Report) -> dt.date | None:
    """The latest day the text can know about: 成文日期, else publish date, else 31 March
    of the year after the covered year."""
    meta = report.metadata
    if meta.report_year is None:
        return None
    for iso in (meta.sign_date, meta.publish_date):
        if iso:
            try:
                d = dt.date.fromisoformat(iso)
            except ValueError:
                continue
            if d.year >= meta.report_year:
                return d
    return dt.date(meta.report_year + 1, 3, 31)


def is_anachronism(entry: dict[str, Any], year: int, ref: dt.date) -> bool:
    start, stop = _date(entry.get("effective_from")), _date(entry.get("effective_to"))
    return bool(start and start > ref or stop and dt.date(year, 1, 1) > stop)


def sentence_around(view: str, start: int, end: int) -> str:
    stops = "。！？；\n"
    a = max(view.rfind(c, 0, start) for c in stops) + 1
    ends = [i for i in (view.find(c, end) for c in stops) if i >= 0]
    return view[a:min(ends) if ends else len(view)]


@rule("anachronism", "formulation", "warning", "提法与年度不符")
def anachronism(report: Report, params: Mapping[str, Any] | None = None) -> Iterator[Hit]:
    """Formulations that did not exist yet, or were outdated, in the covered year: one finding
    per pack entry, on its first occurrence, with the count."""
    year = report.metadata.report_year
    ref = reference_date(report)
    if year is None or ref is None:
        return
    view = report.view or report.text
    pack = anachronism_pack(params)
    for e in pack["entries"]:
        if not is_anachronism(e, year, ref):
            continue
        hits = [m for m in _compiled(e["pattern"]).finditer(view, report.body.start, report.body.end)
                if not (e.get("unless") and _compiled(e["unless"]).search(sentence_around(view, m.start(), m.end())))]
        if not hits:
            continue
        m = hits[0]
        found = report.text[m.start():m.end()]
        more = f"（全文共{len(hits)}处）" if len(hits) > 1 else ""
        yield Hit(message=e["message"].format(year=year, found=found) + more,
                  suggestion=e["suggestion"].format(year=year, found=found),
                  start=m.start(), end=m.end(), severity=e.get("severity"),
                  extra={"source": e["source"], "pack": pack.get("version"), "entry": e["id"]})
