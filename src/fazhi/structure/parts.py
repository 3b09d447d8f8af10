"""Map level-1 headings to the four mandated parts (督察工作规定, rules.md A1.7).

The phrase lists are data (data/parts.yaml). Each level-1 heading is given to the first
part, in priority order, whose phrase occurs in its title; each part takes its first
heading. Where no level-1 heading names the first-responsible part, a level-2 heading may
(some units report it as a sub-section of their measures).
"""
from __future__ import annotations

from functools import cache
from typing import Any

from fazhi.data import load_yaml
from fazhi.report import PART_KEYS, Heading, Report


@cache
def part_rules() -> dict[str, Any]:
    return load_yaml("parts.yaml")


def classify_heading(title: str, report_year: int | None) -> str | None:
    rules = part_rules()
    for key in rules["priority"]:
        for phrase in rules["parts"][key]["phrases"]:
            if phrase == "{next_year}":
                if report_year and f"{report_year + 1}年" in title:
                    return key
            elif phrase in title:
                return key
    return None


def map_parts(outline: list[Heading], report_year: int | None) -> dict[str, int | None]:
    parts: dict[str, int | None] = {k: None for k in PART_KEYS}
    level1 = [(i, h) for i, h in enumerate(outline) if h.level == 1]
    for i, h in level1:
        key = classify_heading(h.title, report_year)
        if key and parts[key] is None:
            parts[key] = i
    if parts["measures"] is None and part_rules()["parts"]["measures"].get("fallback_first"):
        taken = {v for v in parts.values() if v is not None}
        first_other = min(taken) if taken else len(outline)
        parts["measures"] = next((i for i, _ in level1 if i not in taken and i < first_other), None)
    if parts["first_responsible"] is None:
        for i, h in enumerate(outline):
            if h.level == 2 and classify_heading(h.title, report_year) == "first_responsible":
                parts["first_responsible"] = i
                break
    return parts


def annotate(report: Report) -> None:
    report.parts = map_parts(report.outline, report.metadata.report_year)
