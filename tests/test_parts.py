"""The four mandated parts (督察工作规定), whatever the heading wording."""
from __future__ import annotations

import pytest

from fazhi.structure.parts import classify_heading, map_parts
from fazhi.structure.outline import build_outline
from fazhi.report import Span
from fazhi.text.view import make_view


@pytest.mark.parametrize("title,part", [
    ("2023年度推进法治政府建设的主要举措和成效", "measures"),
    ("开展的工作", "measures"),
    ("基本工作情况", "measures"),
    ("依法行政工作情况", "measures"),
    ("2023年法治政府建设存在不足和原因", "shortcomings"),
    ("当前工作存在的主要问题", "shortcomings"),
    ("存在的主要问题和不足", "shortcomings"),
    ("2023年度党政主要负责人履行推进法治建设第一责任人职责,加强法治政府建设的有关情况", "first_responsible"),
    ("坚持依法依规，履行第一责任", "first_responsible"),
    ("下一步工作计划", "next_year"),
    ("下一步工作重点", "next_year"),
    ("下一年度推进法治政府建设的主要安排", "next_year"),
    ("依法全面履行政府职能", None),
])
def test_heading_words(title, part):
    assert classify_heading(title, 2023) == part


def test_next_year_by_the_year_after_the_report_year():
    assert classify_heading("2024年法治政府建设思路", 2023) == "next_year"
    assert classify_heading("2024年法治政府建设思路", 2024) is None


@pytest.mark.parametrize("prefix,missing", [("000", []), ("002", []), ("003", []),
                                            ("001", ["first_responsible"]), ("004", ["first_responsible"])])
def test_seed_parts_and_part_missing_findings(analyzed, prefix, missing):
    report = analyzed(prefix)
    assert [k for k, v in report.parts.items() if v is None] == missing
    for k, idx in report.parts.items():
        if idx is not None:
            assert report.outline[idx].level == 1
    flagged = [f.extra["part"] for f in report.findings if f.rule == "part-missing"]
    assert flagged == missing
    assert all(f.category == "structure" and f.severity == "error"
               for f in report.findings if f.rule == "part-missing")


def test_report_organised_by_areas_takes_its_first_heading_as_measures():
    text = ("一、依法全面履行政府职能\n深化放管服改革。\n二、推进行政决策科学化\n严格执行重大行政决策程序。\n"
            "三、存在的问题\n执法力量不足。\n四、党政主要负责人履行第一责任人职责情况\n主要负责人带头述法。\n"
            "五、2024年工作安排\n持续深化改革。\n")
    outline = build_outline(make_view(text), Span(0, len(text)), text)
    parts = map_parts(outline, 2023)
    assert [outline[parts[k]].title for k in ("measures", "shortcomings", "first_responsible", "next_year")] == [
        "依法全面履行政府职能", "存在的问题", "党政主要负责人履行第一责任人职责情况", "2024年工作安排"]
