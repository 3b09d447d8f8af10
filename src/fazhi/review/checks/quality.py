"""Structure-quality rules: a mandated part that is there but weak, shortcomings without
causes, a first-responsible part that never says what the leaders themselves did, a
next-year part without one concrete measure, and heading markers of the wrong form."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from fazhi.report import Heading, Report
from fazhi.review.registry import Hit, rule
from fazhi.structure.parts import part_rules

_SENTENCE = re.compile(r"[^。！？；;!?\n]+")
_QUOTED = re.compile(r"《[^《》]{1,80}》|“[^“”]{1,60}”|\"[^\"]{1,60}\"")
_ENUM = re.compile(r"(?:^|(?<=[。；;\n]))\s*[一二三四五六七八九十]+是")
_NUMBER = re.compile(r"\d|[一二三四五六七八九十两百千万]+(?:次|场|件|项|个|批|期|人)")
_SPACE = re.compile(r"\s+")

# GB/T 9704-2012 7.3.3: 一、 （一） 1. （1）. Forms seen instead, with the right one.
_MISUSE: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^[一二三四五六七八九十]+\s*[.．]$"), "一级标题序号后用顿号", "一、"),
    (re.compile(r"^[一二三四五六七八九十]+\s*[，,]$"), "一级标题序号后用顿号", "一、"),
    (re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*[、，,．.]$"), "“（一）”后不加标点", "（一）"),
    (re.compile(r"^\d+\s*[、，,]$"), "三级标题阿拉伯数字后用下脚点“.”", "1."),
    (re.compile(r"^[（(]\s*\d+\s*[）)]\s*[、，,．.]$"), "“（1）”后不加标点", "（1）"),
]


def section(report: Report, idx: int) -> tuple[int, int]:
    """The text under heading `idx`: after its title up to where its section ends, the
    落款 (signing organ, 成文日期) of the last section left out."""
    h = report.outline[idx]
    end = h.section_end
    spans = report.metadata.spans
    garbled = report.facts.get("garbled_sign_date")
    for sp in (spans.get("issuer"), spans.get("sign_date"), garbled):
        if sp is not None and h.title_end <= sp.start < end:
            end = sp.start
    return h.title_end, end


def _chars(view: str, start: int, end: int) -> int:
    return len(_SPACE.sub("", view[start:end]))


def _masked(view: str, start: int, end: int) -> str:
    """view[start:end] with 《titles》 and “quotations” blanked (same length)."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), view[start:end])


@cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _part_name(key: str) -> str:
    return part_rules()["parts"][key]["name"]


def _heading_hit(report: Report, idx: int, message: str, suggestion: str, key: str) -> Hit:
    h = report.outline[idx]
    return Hit(message=message, suggestion=suggestion, start=h.start, end=h.title_end, extra={"part": key})


def _weak(report: Report, key: str, params: Mapping[str, Any]) -> bool:
    idx = report.parts.get(key)
    if idx is None:
        return False
    need = (params.get("part_min_chars") or {}).get(key)
    return bool(need) and _chars(report.view, *section(report, idx)) < need


@rule("part-weak", "structure", "warning", "法定内容过于单薄")
def part_weak(report: Report, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A mandated part present in name only: a few lines under its heading (rules.md F R26)."""
    for key, idx in report.parts.items():
        if idx is None or not _weak(report, key, params):
            continue
        n = _chars(report.view, *section(report, idx))
        yield _heading_hit(report, idx, f"“{_part_name(key)}”部分只有{n}字，内容过于单薄。",
                           "充实该部分：写明具体做法、数据和事例。", key)


@rule("shortcomings-no-cause", "structure", "warning", "不足未析原因")
def shortcomings_no_cause(report: Report, params: Mapping[str, Any]) -> Iterator[Hit]:
    """督察工作规定 asks for 存在的不足和原因 (rules.md A1.7, F R03): the problems part names
    causes, not only symptoms."""
    idx = report.parts.get("shortcomings")
    if idx is None or _weak(report, "shortcomings", params):
        return
    start, end = section(report, idx)
    pat = _compiled(tuple(params.get("cause_patterns") or ("原因",)))
    if pat.search(_masked(report.view, start, end)):
        return
    if any("原因" in h.title for i, h in enumerate(report.outline) if i != idx and h.level == 1):
        return  # the causes have a part of their own (三、问题产生的原因)
    yield _heading_hit(report, idx, "“存在的不足”部分只列出问题表现，未分析原因（未见“原因”“由于”“导致”等表述）。",
                       "按“存在的不足和原因”的要求，逐条说明问题产生的原因。", "shortcomings")


def leader_actions(text: str, leaders: Sequence[str], actions: Sequence[str]) -> list[str]:
    """Sentences of `text` in which a principal leader is the subject of a personal action
    (a leader word followed, in the same sentence, by an action word)."""
    found = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0)
        for lw in leaders:
            k = s.find(lw)
            if k >= 0 and any(a in s[k + len(lw):] for a in actions):
                found.append(s.strip())
                break
    return found


@rule("first-responsible-vague", "structure", "warning", "第一责任人履职不具体")
def first_responsible_vague(report: Report, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The 第一责任人 part reports what the 党政主要负责人 themselves did (rules.md A1.7 (3),
    A3.3: 亲自部署、亲自过问、亲自协调、亲自督办; F R05), not only what the unit did."""
    idx = report.parts.get("first_responsible")
    if idx is None or _weak(report, "first_responsible", params):
        return
    start, end = section(report, idx)
    text = _masked(report.view, start, end)
    if leader_actions(text, params.get("leaders") or [], params.get("actions") or []):
        return
    yield _heading_hit(report, idx, "第一责任人履职部分只写了单位层面的工作，未写党政主要负责人本人的履职行动"
                                    "（如主持会议、研究部署、批示督办、带头学法、述法）。",
                       "写明党政主要负责人亲自部署、过问、协调、督办的具体事项及次数。", "first_responsible")


def task_items(report: Report, idx: int) -> list[tuple[int, int]]:
    """The measures of a part: its sub-headings' sections, else its 一是/二是 items, else
    its sentences."""
    start, end = section(report, idx)
    subs = [(h.start, h.section_end) for h in report.outline[idx + 1:]
            if start <= h.start < end and h.level == report.outline[idx].level + 1]
    if subs:
        return [(a, min(b, end)) for a, b in subs]
    view = report.view
    marks = [m.start() for m in _ENUM.finditer(view, start, end)]
    if len(marks) >= 2:
        return list(zip(marks, marks[1:] + [end]))
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(view, start, end) if _chars(view, m.start(), m.end()) >= 8]


def is_concrete(text: str, verbs: Sequence[str]) -> bool:
    return bool(_NUMBER.search(text) or "《" in text or "“" in text or any(v in text for v in verbs))


@rule("next-year-vague", "structure", "warning", "下一年度安排不具体")
def next_year_vague(report: Report, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The next-year part sets out concrete measures (rules.md A1.7 (4), F R07): at least
    `min_items` items, one of them concrete (a number, a named document or programme, or a
    definite action such as 制定/开展/完成)."""
    idx = report.parts.get("next_year")
    if idx is None or _weak(report, "next_year", params):
        return
    items = task_items(report, idx)
    verbs = params.get("concrete_verbs") or []
    concrete = [it for it in items if is_concrete(report.view[it[0]:it[1]], verbs)]
    need = int(params.get("min_items", 2))
    if len(items) >= need and concrete:
        return
    why = f"只有{len(items)}项安排" if len(items) < need else "各项安排均为原则性表述"
    yield _heading_hit(report, idx, f"下一年度安排{why}，缺少具体举措（如要制定的制度、开展的工作、完成时限或目标数据）。",
                       "逐项写明下一年度要做的具体工作、责任单位和完成时限。", "next_year")


def marker_misuse(marker: str) -> tuple[str, str] | None:
    """(what is wrong, the right form) for a heading marker of the wrong shape."""
    m = marker.strip()
    for pat, what, right in _MISUSE:
        if pat.match(m):
            return what, right
    return None


@rule("heading-level-misuse", "structure", "info", "标题序号格式不规范")
def heading_level_misuse(report: Report) -> Iterator[Hit]:
    """GB/T 9704-2012 7.3.3 (rules.md E1.3): 一、 then （一） then 1. then （1）. One finding
    per wrong form, at its first heading, with the count."""
    seen: dict[str, list[Heading]] = {}
    for h in report.outline:
        if h.marker and (bad := marker_misuse(h.marker)):
            seen.setdefault(bad[0] + "|" + bad[1], []).append(h)
    for key, heads in seen.items():
        what, right = key.split("|")
        first = heads[0]
        more = f"等{len(heads)}处" if len(heads) > 1 else ""
        yield Hit(message=f"标题序号“{first.marker}”{more}不合公文格式：{what}。",
                  suggestion=f"按GB/T 9704，写成“{right}”的形式。",
                  start=first.start, end=first.start + len(first.marker), extra={"count": len(heads)})
