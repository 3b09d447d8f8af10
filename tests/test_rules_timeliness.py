"""Timeliness and year consistency, on the seeds and on seeds with a changed date line."""
from __future__ import annotations

import pytest
from conftest import sample_text

import fazhi
from fazhi.review.checks.timeliness import current_years
from fazhi.review.registry import run_rules
from fazhi.review.rubric import load_rubric

TIMELY = {"submit-late", "sign-date-early", "publish-late", "publish-borderline", "year-mismatch"}


def analyze_text(tmp_path, text: str, name: str = "report.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return fazhi.analyze(path)


def changed(prefix: str, old: str, new: str) -> str:
    text = sample_text(prefix)
    assert text.count(old) == 1, old
    return text.replace(old, new)


def hits(report, rule_id: str):
    return [f for f in report.findings if f.rule == rule_id]


# --- seeds: what a careful reader agrees with --------------------------------------------

@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_seeds_have_no_timeliness_findings(analyzed, prefix):
    assert [f.message for f in analyzed(prefix).findings if f.rule in TIMELY] == []


def test_seed_004_signed_before_its_year_ended(analyzed):
    report = analyzed("004")  # a report on 2019 dated 2019年12月2日
    (f,) = [f for f in report.findings if f.rule in TIMELY]
    assert f.rule == "sign-date-early" and f.severity == "warning" and f.category == "timeliness"
    assert report.text[f.start:f.end] == "2019年12月2日"
    assert "2019年度" in f.message and f.suggestion


# --- submission deadline (1 March; 1 April for provinces) --------------------------------

def test_signed_after_1_march_is_late(tmp_path):
    report = analyze_text(tmp_path, changed("000", "2024年1月19日", "2024年3月5日"))
    (f,) = hits(report, "submit-late")
    assert report.text[f.start:f.end] == "2024年3月5日"
    assert f.extra["days_late"] == 4 and f.extra["deadline"] == "2024-03-01"  # 2024 is a leap year
    assert "逾期4天" in f.message and "2024年3月1日" in f.message


def test_signed_on_the_deadline_is_on_time(tmp_path):
    report = analyze_text(tmp_path, changed("000", "2024年1月19日", "2024年3月1日"))
    assert hits(report, "submit-late") == [] and hits(report, "sign-date-early") == []


def test_province_has_until_1_april(tmp_path):
    report = analyze_text(tmp_path, changed("000", "2024年1月19日", "2024年3月20日"))
    assert hits(report, "submit-late")
    report.metadata.level = "省"
    assert [f for f in run_rules(report) if f.rule == "submit-late"] == []
    report.metadata.level = None  # unknown level: the latest deadline, never a wrong accusation
    assert [f for f in run_rules(report) if f.rule == "submit-late"] == []


def test_deadline_comes_from_the_rubric(tmp_path):
    report = analyze_text(tmp_path, changed("000", "2024年1月19日", "2024年2月20日"))
    assert hits(report, "submit-late") == []
    unit = tmp_path / "unit.yaml"
    unit.write_text('deadlines:\n  乡镇街道: {submit: "02-15"}\n', encoding="utf-8")
    (f,) = [f for f in run_rules(report, load_rubric([unit]).settings()) if f.rule == "submit-late"]
    assert f.extra["days_late"] == 5


def test_signed_within_the_covered_year(tmp_path):
    report = analyze_text(tmp_path, changed("000", "2024年1月19日", "2023年12月28日"))
    (f,) = hits(report, "sign-date-early")
    assert report.text[f.start:f.end] == "2023年12月28日"


# --- publication (1 April; 1 April itself borderline) -------------------------------------

@pytest.mark.parametrize("date,rule_id,days", [("2025-04-03", "publish-late", 2),
                                              ("2025-04-01", "publish-borderline", None)])
def test_publish_date_against_1_april(tmp_path, date, rule_id, days):
    report = analyze_text(tmp_path, changed("002", "2025-01-15 14:10", f"{date} 14:10"))
    assert report.metadata.publish_date == date
    (f,) = [f for f in report.findings if f.rule.startswith("publish-")]
    assert f.rule == rule_id
    assert f.severity == ("error" if days else "info")
    if days:
        assert f.extra["days_late"] == days and "逾期2天" in f.message


def test_publish_in_january_is_on_time(analyzed):
    report = analyzed("002")
    assert report.metadata.publish_date == "2025-01-15"
    assert not [f for f in report.findings if f.rule.startswith("publish-")]


# --- year consistency ---------------------------------------------------------------------

def test_part_heading_left_over_from_last_year(tmp_path):
    report = analyze_text(tmp_path, changed("000", "一、2023年度推进法治政府建设的主要举措和成效",
                                            "一、2022年度推进法治政府建设的主要举措和成效"))
    (f,) = hits(report, "year-mismatch")
    assert report.text[f.start:f.end] == "2022" and f.extra == {"year": 2022, "expected": 2023}
    assert "2023" in f.message and f.suggestion == "核对后改为“2023年”，并核对该部分内容是否为当年情况。"


def test_next_year_part_names_the_report_year(tmp_path):
    report = analyze_text(tmp_path, changed("000", "四、2024年度推进法治政府建设主要安排",
                                            "四、2023年度推进法治政府建设主要安排"))
    (f,) = hits(report, "year-mismatch")
    assert report.text[f.start:f.end] == "2023" and f.extra["expected"] == 2024
    assert "下一年度应为2024年" in f.message


def test_opening_sentence_names_another_year(tmp_path):
    report = analyze_text(tmp_path, changed("001", "2021年,我区严格按照", "2020年,我区严格按照"))
    assert report.metadata.report_year == 2021  # from the title
    (f,) = hits(report, "year-mismatch")
    assert report.text[f.start:f.end] == "2020" and "开篇" in f.message


def test_years_that_are_not_the_current_year():
    view = "深入实施《法治政府建设实施纲要（2021—2025年）》，到2025年基本建成，2019年以来持续推进，2016-2020年规划"
    assert list(current_years(view, 0, len(view))) == []
    view = "2023年度推进法治政府建设的主要举措和成效"
    assert [y for y, _ in current_years(view, 0, len(view))] == [2023]


def test_target_year_in_a_heading_is_not_a_mismatch(tmp_path):
    text = sample_text("000").replace("(二)深入推进行政执法责任制", "(二)2025年前全面推进行政执法责任制")
    report = analyze_text(tmp_path, text)
    assert [f for f in report.findings if f.rule == "year-mismatch"] == []
