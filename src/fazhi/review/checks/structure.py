"""Structure rules: the mandated parts and the heading numbering."""
from __future__ import annotations

from collections.abc import Iterator

from fazhi.report import Report
from fazhi.review.registry import Hit, rule
from fazhi.structure.outline import sequence_problems
from fazhi.structure.parts import part_rules

_LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}


@rule("part-missing", "structure", "error", "法定内容缺失")
def part_missing(report: Report) -> Iterator[Hit]:
    """督察工作规定: the report covers measures, shortcomings and causes, the first
    responsible person's duty, and next year's arrangements (rules.md A1.7). Missing only
    when neither a heading nor a passage of the text covers the part (rules.md F R01-R06)."""
    parts = part_rules()["parts"]
    content = report.facts.get("part_content") or {}
    for key, idx in report.parts.items():
        if idx is None and key not in content:
            name = parts[key]["name"]
            yield Hit(message=f"缺少法定内容“{name}”：未找到对应的一级标题，正文也未见相关内容。",
                      suggestion=f"按《法治政府建设与责任落实督察工作规定》增加“{name}”部分。",
                      extra={"part": key})


@rule("part-untitled", "structure", "warning", "法定内容未设专门标题")
def part_untitled(report: Report) -> Iterator[Hit]:
    """A mandated part reported without a level-1 heading of its own: inside another part,
    under a sub-heading or in a passage (rules.md A1.7; F R04 accepts a block of text)."""
    parts = part_rules()["parts"]
    for key, place in (report.facts.get("part_content") or {}).items():
        name = parts[key]["name"]
        yield Hit(message=f"“{name}”未设专门标题，相关内容见{place.where}。",
                  suggestion=f"将“{name}”单列为一级标题，集中报告。",
                  start=place.start, end=place.end, extra={"part": key})


@rule("heading-marker-missing", "structure", "warning", "标题序号缺失")
def heading_marker_missing(report: Report) -> Iterator[Hit]:
    for h in report.outline:
        if h.inferred:
            level = _LEVEL_NAMES.get(h.level, "")
            yield Hit(message=f"{level}标题“{h.title}”缺少序号（推断为第{h.number}个）。",
                      suggestion="补全标题序号，如“（二）”。" if h.level == 2 else "补全标题序号。",
                      start=h.start, end=h.title_end)


@rule("heading-sequence", "structure", "warning", "标题序号不连续")
def heading_sequence(report: Report) -> Iterator[Hit]:
    for h, expected in sequence_problems(report.outline):
        if h.inferred:
            continue
        yield Hit(message=f"标题序号“{h.marker}”不连续：此处应为第{expected}个{_LEVEL_NAMES.get(h.level, '')}标题。",
                  suggestion="检查是否漏写、重写或跳号。", start=h.start, end=h.end)
