"""Law and document names in 《》 checked against the statute book, and broken 文号.

- `law-name`: a 《…》 naming a law or regulation that does not exist but is one character off
  (two for long names) a listed national law or administrative regulation: 应为《…》.
- `law-repealed`: a law repealed or superseded before the covered year, cited as current
  (《民法通则》《合同法》 in a report on 2021 or later), with the date and the successor.
- `law-not-yet`: a law adopted after the report's reference date (《民法典》 in a report on 2019).
- `doc-number-broken`: a 文号 with a bracket missing (〔20212号) or written inside the 《》 of the
  document it numbers.

The statute list is data/laws.tsv (derived from the LawRefBook list of the NPC database by
scripts/build_laws.py); repeal and adoption dates it does not carry are in data/laws.yaml.
A name in neither is unknown, never wrong: only near misses of listed names are reported.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from fazhi.data import load_yaml
from fazhi.report import Report
from fazhi.review.checks.format import finditer
from fazhi.review.checks.formulation import reference_date, sentence_around
from fazhi.review.registry import Hit, rule

TITLE = re.compile(r"《(?P<t>[^《》\n]{2,80})》")
PREFIX = "中华人民共和国"
_VERSION = re.compile(r"[（(](?:\d{4}年?)?(?:修正|修订|修正本|修订本|修改|版)?[）)]$")
_LAW_END = re.compile(r"(?:法|条例)$")
_LOCAL = re.compile(r"^[\u4e00-\u9fff]{1,9}?(?:省|市|县|区|自治区|自治州|自治县|州|盟|旗)(?!法)")
_DRAFTING = re.compile(r"(?:制定|起草|草拟|出台|拟订|研究|论证|审议|审查|推动|立项|编制)[^，。；《]{0,4}$")
_HISTORIC = re.compile(r"原|废止|失效|取代|替代|施行前|之前|修订前|修改前|已被|同时废止")


@dataclass(frozen=True)
class Law:
    name: str
    level: str
    in_force: bool


@cache
def statute_book() -> dict[str, Law]:
    text = resources.files("fazhi.data").joinpath("laws.tsv").read_text(encoding="utf-8")
    out: dict[str, Law] = {}
    for ln in text.splitlines()[2:]:
        name, level, _n, _first, _last, in_force = ln.split("\t")
        out[name] = Law(name, level, in_force == "1")
    for name in law_facts()["enacted"]:
        out.setdefault(name, Law(name, "法律" if name.endswith("法") else "行政法规", True))
    for group in law_facts()["repealed"]:
        for name in group["names"]:
            out.setdefault(name, Law(name, "法律" if name.endswith("法") else "行政法规", False))
    return out


@cache
def law_facts() -> dict:
    return load_yaml("laws.yaml")


@cache
def repealed() -> dict[str, dict]:
    return {name: g for g in law_facts()["repealed"] for name in g["names"]}


@cache
def _by_ending() -> dict[str, list[str]]:
    """Names of national laws and administrative regulations by their last character."""
    out: dict[str, list[str]] = {}
    for law in statute_book().values():
        if law.level in ("法律", "行政法规", "宪法"):
            out.setdefault(law.name[-1], []).append(law.name)
    return out


def normalize(title: str) -> str:
    """The short name of a 《title》: without 中华人民共和国 and a version note （2021年修订）."""
    t = title.strip()
    if t.startswith(PREFIX):
        t = t[len(PREFIX):]
    return _VERSION.sub("", t).strip()


def near_miss(name: str) -> str | None:
    """A listed national law or regulation one character off `name` (two for names of ten or
    more characters), when `name` itself is not listed and reads as a national law's name."""
    if name in statute_book() or _LOCAL.match(name) or len(name) < 4:
        return None
    for wrong in ("实施细则", "实施办法", "实施规定"):  # 《行政复议法实施细则》: the regulation is a 实施条例
        if name.endswith(wrong) and (right := name[:-len(wrong)] + "实施条例") in statute_book():
            return right
    ending = name[-1]
    if not _LAW_END.search(name):
        from fazhi.review.checks.typos import confusable

        # 《行政许可发》, 《…条理》: the last character itself mistyped
        ending = next((e for e in "法例" if confusable(name[-1], e)), "")
        if not ending:
            return None
    from rapidfuzz.distance import Levenshtein

    limit = 1 if len(name) < 10 else 2
    best: tuple[int, str] | None = None
    for cand in _by_ending().get(ending, ()):
        if abs(len(cand) - len(name)) > limit or cand.startswith(name) or name.startswith(cand):
            continue
        d = Levenshtein.distance(name, cand, score_cutoff=limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, cand)
    return best[1] if best else None


def _prefix_typo(title: str) -> bool:
    from rapidfuzz.distance import Levenshtein

    head = title[:len(PREFIX)]
    return head != PREFIX and Levenshtein.distance(head, PREFIX) == 1 and head[:2] == "中华"


def titles(report: Report) -> Iterator[tuple[int, int, str]]:
    """(start, end, title without the marks) of every 《…》 in the body."""
    for m in finditer(TITLE, report):
        yield m.start(), m.end(), m["t"]


@rule("law-name", "formulation", "warning", "法律法规名称")
def law_name(report: Report) -> Iterator[Hit]:
    """A law's name one character off a listed national law (《行政复议法实施细则》 and the like)."""
    view = report.view or report.text
    for a, b, t in titles(report):
        raw = report.text[a:b]
        if _DRAFTING.search(view, max(0, a - 12), a):
            continue  # 推进制定《社会组织登记管理条例》: a regulation being drafted has a name of its own
        if _prefix_typo(t):
            fixed = PREFIX + t[len(PREFIX):]
            yield Hit(message=f"“{raw}”中国名有误。", suggestion=f"应为《{fixed}》。", start=a, end=b)
            continue
        name = normalize(t)
        right = near_miss(name)
        if right:
            full = (PREFIX if t.startswith(PREFIX) and statute_book()[right].level == "法律" else "") + right
            yield Hit(message=f"“{raw}”不是现行法律法规的名称，与《{right}》只差一两个字。",
                      suggestion=f"核对名称，应为《{full}》。", start=a, end=b, extra={"source": "laws.tsv"})


def _cited_as_history(view: str, a: int, b: int) -> bool:
    return view[a - 1:a] == "原" or bool(_HISTORIC.search(sentence_around(view, a, b)))


def _day(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


@rule("law-repealed", "formulation", "warning", "引用已废止的法律法规")
def law_repealed(report: Report) -> Iterator[Hit]:
    """A law repealed before the covered year, cited as current (《合同法》 in a report on 2021)."""
    year = report.metadata.report_year
    if year is None:
        return
    view = report.view or report.text
    for a, b, t in titles(report):
        g = repealed().get(normalize(t))
        if not g or _day(g["until"]) >= dt.date(year, 1, 1) or _cited_as_history(view, a, b):
            continue
        stop = _day(g["until"]) + dt.timedelta(days=1)
        yield Hit(message=f"{report.text[a:b]}已于{stop.year}年{stop.month}月{stop.day}日废止（由{g['by']}取代），"
                          f"{year}年度的报告仍作为现行依据引用。",
                  suggestion=f"改为引用{g['by']}的相应规定；确需提及旧法的，写明“原”或已废止。",
                  start=a, end=b, extra={"source": g["source"]})


@rule("law-not-yet", "formulation", "warning", "引用尚未出台的法律")
def law_not_yet(report: Report) -> Iterator[Hit]:
    """A law adopted after the latest day the report can know about (《民法典》 in a report on 2019)."""
    year, ref = report.metadata.report_year, reference_date(report)
    if year is None or ref is None:
        return
    enacted = law_facts()["enacted"]
    for a, b, t in titles(report):
        name = normalize(t)
        day = enacted.get(name)
        if day is None or _day(day) <= ref:
            continue
        d = _day(day)
        yield Hit(message=f"{report.text[a:b]}于{d.year}年{d.month}月{d.day}日通过，{year}年度的报告不应引用。",
                  suggestion="核对报告年度和引用的法律，可能是套用了其他年度的文稿。",
                  start=a, end=b, extra={"source": law_facts()["enacted_source"]})


# ---------------------------------------------------------------- broken 文号

MISSING_CLOSE = re.compile(r"(?<=[\u4e00-\u9fff])〔(?P<y>(?:19|20)\d{2})(?P<n>\d{1,4})号")
MISSING_OPEN = re.compile(r"(?<=[\u4e00-\u9fff])(?P<y>(?:19|20)\d{2})〕(?P<n>\d{1,4})号")
NUMBER_IN_TITLE = re.compile(r"《(?P<t>[^《》\n]{2,80}?)\s*[（(]?(?P<num>[\u4e00-\u9fff]{1,10}[〔\[［(（](?:19|20)\d{2}"
                             r"[〕\]］)）]\s*\d{1,4}\s*号)[）)]?》")


@rule("doc-number-broken", "format", "warning", "文号残缺或位置不当")
def doc_number_broken(report: Report) -> Iterator[Hit]:
    """GB/T 9704-2012 7.2.5: 〔2021〕2号 with both brackets; a cited document's 文号 follows its
    《title》 in parentheses, outside the 书名号."""
    for rx in (MISSING_CLOSE, MISSING_OPEN):
        for m in finditer(rx, report):
            raw = report.text[m.start():m.end()]
            yield Hit(message=f"文号“{raw}”缺少六角括号的一半。", suggestion=f"写作“〔{m['y']}〕{m['n']}号”。",
                      start=m.start(), end=m.end())
    for m in finditer(NUMBER_IN_TITLE, report):
        raw = report.text[m.start():m.end()]
        yield Hit(message=f"“{raw}”把文号写在了书名号之内。",
                  suggestion=f"写作“《{m['t'].strip()}》（{m['num']}）”。", start=m.start(), end=m.end())
