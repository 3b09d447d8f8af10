"""Map level-1 headings to the four mandated parts (督察工作规定, rules.md A1.7).

The phrase lists are data (data/parts.yaml), matched on the simplified view of a title.
Each level-1 heading is given to the first part, in priority order, whose phrase occurs in
its title; a title joining two parts (主要举措、成效和不足 / 存在的问题及下一步打算) is given
to both. A heading naming the year after the one another heading names is next year's.
A heading whose words name no part (thematic headings) is given to the part its section
is about (structure/part_content.py). Each part takes its first heading. Where no level-1
heading stands for a part, a sub-heading naming it does (some units report the
first-responsible duty as a sub-section of their measures), and failing that the passage
about it is recorded in `report.facts["part_content"]` (the structure rules point at it).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from fazhi.data import load_yaml
from fazhi.report import PART_KEYS, Heading, Report, Span
from fazhi.structure import part_content
from fazhi.text.view import make_view

_JOINS = re.compile(r"[、，,和及与并]|以及")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_GAP = re.compile(r"\s+")
_SUB_TITLE_MAX = 40


_IN_FORCE: ContextVar[dict[str, Any] | None] = ContextVar("fazhi_part_rules", default=None)


def part_rules() -> dict[str, Any]:
    """data/parts.yaml, or the merged one of the rubric in force (a province layer's heading words)."""
    return _IN_FORCE.get() or _shipped()


@cache
def _shipped() -> dict[str, Any]:
    return load_yaml("parts.yaml")


@contextmanager
def rules_in_force(rules: dict[str, Any] | None) -> Iterator[None]:
    """Within the block, parts are named by `rules` (None: the shipped file)."""
    token = _IN_FORCE.set(rules)
    try:
        yield
    finally:
        _IN_FORCE.reset(token)


def _simplified(title: str) -> str:
    return _GAP.sub("", make_view(title)) if title else ""


def _classify(title: str, report_year: int | None) -> str | None:
    rules = part_rules()
    for key in rules["priority"]:
        for phrase in rules["parts"][key]["phrases"]:
            if phrase == "{next_year}":
                if report_year and f"{report_year + 1}年" in title:
                    return key
            elif phrase in title:
                return key
    return None


def classify_heading(title: str, report_year: int | None) -> str | None:
    """The part a heading title names (traditional script read as simplified), if any."""
    return _classify(_simplified(title), report_year)


def heading_parts(title: str, report_year: int | None) -> list[str]:
    """Every part a heading title names: its main part, plus the parts of its joined
    pieces ("主要举措、成效和不足"). Measures joins only when written first (下一步工作思路
    和举措 is next year's alone); the first-responsible part stands alone."""
    return _parts_named(_simplified(title), report_year)


def _parts_named(view: str, report_year: int | None) -> list[str]:
    key = _classify(view, report_year)
    if key is None or key == "first_responsible":
        return [key] if key else []
    out, other_seen = [key], False
    for piece in _JOINS.split(view):
        k = _classify(piece, report_year) if piece else None
        if k is None or k == "first_responsible":
            continue
        if k != "measures":
            other_seen = True
        if k not in out and (k != "measures" or not other_seen):
            out.append(k)
    return out


def _named(level1: list[tuple[int, Heading]], report_year: int | None, view: str | None) -> dict[int, list[str]]:
    """Parts named by each level-1 heading's words (read on the view when given); a heading
    naming the year after one an earlier heading names is next year's."""
    titles = {i: _GAP.sub("", view[h.title_start:h.title_end]) if view is not None else _simplified(h.title)
              for i, h in level1}
    named = {i: _parts_named(titles[i], report_year) for i, _ in level1}
    seen: set[int] = set()
    for i, _ in level1:
        m = _YEAR.search(titles[i])
        y = int(m.group(1)) if m else None
        if y and not named[i] and y - 1 in seen:
            named[i] = ["next_year"]
        if y:
            seen.add(y)
    return named


def map_parts(outline: list[Heading], report_year: int | None, view: str | None = None,
              text: part_content.PartText | None = None) -> dict[str, int | None]:
    """Part -> outline index. With the `view` the outline was built on (or its `text`
    already read), headings whose words name no part are classified by their sections."""
    parts: dict[str, int | None] = {k: None for k in PART_KEYS}
    level1 = [(i, h) for i, h in enumerate(outline) if h.level == 1]
    named = _named(level1, report_year, view if view is not None else (text.view if text else None))
    for i, _ in level1:
        for key in named[i]:
            if parts[key] is None:
                parts[key] = i
    if (view is not None or text is not None) and level1:
        doc = Span(level1[0][1].start, max(h.section_end for _, h in level1))
        if text is None:
            text = part_content.PartText.read(view, doc.start, doc.end, report_year)  # type: ignore[arg-type]
        _by_content(text, level1, named, parts, doc)
    if parts["measures"] is None and part_rules()["parts"]["measures"].get("fallback_first"):
        taken = {v for v in parts.values() if v is not None}
        first_other = min(taken) if taken else len(outline)
        parts["measures"] = next((i for i, _ in level1 if i not in taken and i < first_other), None)
    return parts


def _by_content(text: part_content.PartText, level1: list[tuple[int, Heading]], named: dict[int, list[str]],
                parts: dict[str, int | None], doc: Span) -> None:
    unnamed = [(i, h) for i, h in level1 if not named[i]]
    if parts["measures"] is None and unnamed:
        unnamed = unnamed[1:]  # the first heading naming nothing stands for the measures
    keys = tuple(k for k in part_content.CONTENT_PARTS if parts[k] is None)
    if not unnamed or not keys:
        return
    dens = {k: text.density(k, doc.start, doc.end) for k in keys}
    for i, h in unnamed:
        if not keys:
            return
        key = text.section_part(h, keys, dens)
        if key:
            parts[key] = i
            keys = tuple(k for k in keys if k != key)
    last_i, last_h = level1[-1]
    after = parts["shortcomings"] is not None and parts["shortcomings"] < last_i
    if "next_year" in keys and after and not named[last_i] and last_i not in parts.values() \
            and (last_i, last_h) in unnamed and text.forward_looking(last_h):
        parts["next_year"] = last_i


def next_year_heading(outline: list[Heading], view: str) -> int | None:
    """The outline index of next year's level-1 heading, found without the report year
    (its words, a year one more than another heading's, or a section that plans and reports
    nothing done): the report year is never to be read from it."""
    return map_parts(outline, None, view)["next_year"]


def sub_heading_parts(outline: list[Heading], parts: dict[str, int | None], view: str,
                      report_year: int | None) -> None:
    """A part with no level-1 heading takes the first sub-heading that names it (a
    heading-sized title: a paragraph glued to its heading says more than its heading)."""
    for key in part_content.CONTENT_PARTS:
        if parts[key] is not None:
            continue
        pat = part_content.cue_pattern(key, "sub_phrases", report_year)
        parts[key] = next((i for i, h in enumerate(outline) if h.level > 1 and pat is not None
                           and h.title_end - h.title_start <= _SUB_TITLE_MAX
                           and pat.search(view, h.title_start, h.title_end)), None)


def annotate(report: Report) -> None:
    year = report.metadata.report_year
    text = part_content.PartText.read(report.view, report.body.start, report.body.end, year)
    parts = map_parts(report.outline, year, report.view, text)
    sub_heading_parts(report.outline, parts, report.view, year)
    report.parts = parts
    places: dict[str, part_content.ContentPlace] = {}
    for key, idx in parts.items():
        if key not in part_content.CONTENT_PARTS:
            continue
        if idx is not None and report.outline[idx].level > 1:
            h = report.outline[idx]
            places[key] = part_content.ContentPlace(h.start, h.title_end, idx,
                                                    part_content.where_heading(report.outline, idx))
        elif idx is None and (place := part_content.locate(text, report.text, report.outline, key)):
            places[key] = place
    report.facts["part_content"] = places
