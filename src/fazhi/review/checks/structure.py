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
    responsible person's duty, and next year's arrangements (rules.md A1.7)."""
    parts = part_rules()["parts"]
    for key, idx in report.parts.items():
        if idx is None:
            name = parts[key]["name"]
            yield Hit(message=f"缺少法定内容“{name}”：未找到对应的一级标题。",
                      suggestion=f"按《法治政府建设与责任落实督察工作规定》增加“{name}”部分。",
                      extra={"part": key})


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
