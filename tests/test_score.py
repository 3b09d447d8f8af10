"""The score: points per rubric item with evidence, a total out of 100, capped on blockers."""
from __future__ import annotations

import copy

from fazhi.review.rubric import load_rubric
from fazhi.review.score import score_report


def item(score, item_id):
    return next(it for it in score["items"] if it["id"] == item_id)


def test_missing_part_caps_the_total(analyzed):
    report = analyzed("004")  # no first-responsible part
    s = score_report(report, load_rubric())
    assert s["max"] == 100 and s["capped"] is True and s["total"] == 59
    parts = item(s, "parts")
    assert parts["failed"] is True and parts["points"] == 20 and parts["max"] == 30
    assert [e["rule"] for e in parts["evidence"]] == ["part-missing"]
    assert "否决项" in parts["why"] and "法定内容缺失1处" in parts["why"]
    timely = item(s, "timeliness")  # signed 2019-12-02 for 2019: -2
    assert timely["points"] == 8 and timely["evidence"][0]["start"] is not None
    assert "59" in s["summary"]


def test_complete_report_is_not_capped_and_items_add_up(analyzed):
    report = analyzed("000")  # all four parts, signed in time
    s = score_report(report, load_rubric())
    assert s["capped"] is False and s["capped_by"] == []
    assert s["total"] == sum(it["points"] for it in s["items"]) < 100
    assert sum(it["max"] for it in s["items"]) == 100
    evidence = [e for it in s["items"] for e in it["evidence"]]
    assert len(evidence) == len(report.findings)  # every finding counts somewhere
    assert all(it["points"] >= 0 for it in s["items"])
    for e in evidence:
        if e["start"] is not None:
            assert report.text[e["start"]:e["end"]]


def test_item_floor_is_zero(analyzed):
    report = copy.copy(analyzed("000"))
    report.findings = [report.findings[0]] * 50 if report.findings else []
    s = score_report(report, load_rubric())
    assert min(it["points"] for it in s["items"]) == 0 and "扣至0分为止" in "".join(it["why"] for it in s["items"])


def test_no_findings_full_marks(analyzed):
    report = copy.copy(analyzed("002"))
    report.findings = []
    s = score_report(report, load_rubric())
    assert s["total"] == 100 and not s["capped"]
    assert all("满分" in it["why"] for it in s["items"])


def test_unit_rubric_changes_points_and_cap(analyzed, tmp_path):
    report = analyzed("001")  # first-responsible part missing
    unit = tmp_path / "unit.yaml"
    unit.write_text("cap_on_blocker: 40\nrules:\n  part-missing: {points: 30}\n", encoding="utf-8")
    s = score_report(report, load_rubric([unit]))
    assert item(s, "parts")["points"] == 0 and s["total"] <= 40 and s["capped"]
    unit.write_text("items:\n  parts: {blocker: false}\n", encoding="utf-8")
    s = score_report(report, load_rubric([unit]))
    assert not s["capped"] and s["total"] > 59


def test_points_are_rescaled_when_a_rubric_changes_the_weights(analyzed, tmp_path):
    prov = tmp_path / "prov.yaml"
    prov.write_text("items:\n  content: {points: 40}\n", encoding="utf-8")  # items now sum to 120
    s = score_report(analyzed("002"), load_rubric([prov]))
    assert s["max"] == 100 and abs(sum(it["max"] for it in s["items"]) - 100) < 0.5
