"""沿用比例 and 抄用比例 in the cycle (issue 14 item 4): measured against the unit's previous report,
stored once, graded by the rubric's `recycling` section, and taken off the final score.

Two texts of one unit are made from a bundled sample: its 2023 report, and a "2024" report that is the
same text with the years moved on and one paragraph rewritten (as a unit that recycles last year's
report does). Real SQLite files; the key test also on PostgreSQL."""
from __future__ import annotations

import pytest
from conftest import PG_URL, reset_pg, sample_text

from fazhi.corpus.store import open_corpus

PASSWORD = "recycling-test-1"
UNIT = "中共蓬溪县红江镇委员会"  # signs sample 000


def _cycle(url: str):
    from fazhi.cycle import Cycle

    return Cycle(open_corpus(url))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def cycle(request, tmp_path):
    if request.param == "postgresql":
        reset_pg(PG_URL)
        c = _cycle(PG_URL)
    else:
        c = _cycle(f"sqlite:///{tmp_path / 'recycling.db'}")
    yield c
    c.corpus.close()
    if request.param == "postgresql":
        reset_pg(PG_URL)


def next_year(text: str) -> str:
    """Last year's text as this year's: years moved on, the first long paragraph rewritten."""
    moved = text.replace("2023", "2024").replace("2022", "2023")
    lines = moved.split("\n")
    for i, line in enumerate(lines):
        if len(line) > 120:
            lines[i] = "今年我镇新建村级法律服务站三个，聘请法律顾问为群众提供咨询服务一百余次，化解矛盾纠纷四十余件。"
            break
    return "\n".join(lines)


def file_two_years(cycle) -> tuple[dict, dict, dict]:
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    unit = cycle.add_unit(UNIT, level="乡镇街道")
    text = sample_text("000")
    old = cycle.upload(rev, "红江镇2023.txt", text.encode("utf-8"), unit_id=unit["id"], year=2023)
    new = cycle.upload(rev, "红江镇2024.txt", next_year(text).encode("utf-8"), unit_id=unit["id"], year=2024)
    return rev, old, new


def test_a_report_copied_from_last_year_is_graded_error_with_a_deduction(cycle):
    rev, old, new = file_two_years(cycle)
    rec = cycle.recycling(new["report_id"])
    assert rec["previous_id"] == old["report_id"] and rec["previous_year"] == 2023
    assert 0.9 <= rec["recycled_share"] < 1.0  # one paragraph rewritten
    assert rec["level"] == "error" and rec["recycled_level"] == "error"
    assert rec["deduction"] == 15  # rubric.yaml recycling.deduction.error
    assert rec["copied_share"] == 0.0 and rec["copied_level"] == "ok"  # no other unit in the corpus
    share = f"{rec['recycled_share']:.1%}"
    assert f"与本单位上一年度（2023年度）报告相同的内容占 {share}" in rec["message"]
    assert "扣 15 分" in rec["message"]
    # the reviewer's final score takes it off the machine score (opinion area)
    if hasattr(cycle, "final_score"):
        score = cycle.final_score(new["report_id"])
        assert score["recycling"] == 15
        assert score["total"] == pytest.approx(score["machine"] + score["dismissed"] - 15 + (score["adjust"] or 0))
    # measuring brought the stored final score along (opinions.final_score, read by rankings)
    if hasattr(cycle, "refresh_final_score"):
        machine = cycle.corpus.report_dict(new["report_id"])["score"]["total"]
        assert cycle.final_scores([new["submission_id"]]) == {new["submission_id"]: pytest.approx(machine - 15)}
    # the ranking reads the machine score from the stored JSON (SQLite and PostgreSQL alike)
    (row,) = cycle.ranking(rev, 2024)["乡镇街道"]
    stored = cycle.corpus.report_dict(new["report_id"])["score"]["total"]
    assert row["machine_score"] == stored and row["recycled_share"] == rec["recycled_share"] and row["rank"] == 1
    # the first year has nothing to compare with
    first = cycle.recycling(old["report_id"])
    assert first["previous_id"] is None and first["recycled_share"] is None and first["level"] == "ok"
    assert "没有更早年度的报告" in first["message"] and first["deduction"] == 0


def test_shares_are_computed_once_and_stored(cycle):
    from sqlalchemy import select

    from fazhi.cycle.models_office import RecyclingRow

    _rev, _old, new = file_two_years(cycle)
    assert cycle.recycling_missing([new["report_id"]]) == [new["report_id"]]
    first = cycle.recycling(new["report_id"])
    again = cycle.recycling(new["report_id"])
    assert again["computed_at"] == first["computed_at"]  # read, not measured again
    with cycle.engine.connect() as conn:
        rows = conn.execute(select(RecyclingRow)).all()
    assert [(r.report_id, r.previous_id) for r in rows] == [(new["report_id"], first["previous_id"])]
    stored = cycle.recycling_stored([new["report_id"]])[new["report_id"]]
    assert stored["recycled_share"] == first["recycled_share"] and stored["level"] == "error"
    assert cycle.recycling(999_999) is None


def test_measured_again_when_an_earlier_report_arrives_later(tmp_path):
    cycle = _cycle(f"sqlite:///{tmp_path / 'late.db'}")
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    unit = cycle.add_unit(UNIT, level="乡镇街道")
    text = sample_text("000")
    new = cycle.upload(rev, "2024.txt", next_year(text).encode("utf-8"), unit_id=unit["id"], year=2024)
    before = cycle.recycling(new["report_id"])
    assert before["previous_id"] is None and before["recycled_share"] is None
    old = cycle.upload(rev, "2023.txt", text.encode("utf-8"), unit_id=unit["id"], year=2023)
    after = cycle.recycling(new["report_id"])
    assert after["previous_id"] == old["report_id"] and after["recycled_share"] >= 0.9
    cycle.corpus.close()


def test_another_units_text_counts_as_copying_not_recycling(tmp_path):
    """A unit submitting another unit's report: 抄用比例, no 沿用比例 (it has no earlier report)."""
    cycle = _cycle(f"sqlite:///{tmp_path / 'copy.db'}")
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    a = cycle.add_unit(UNIT, level="乡镇街道")
    b = cycle.add_unit("蓬溪县某某镇人民政府", level="乡镇街道")
    text = sample_text("000")
    cycle.upload(rev, "a.txt", text.encode("utf-8"), unit_id=a["id"], year=2023)
    copy = cycle.upload(rev, "b.txt", next_year(text).encode("utf-8"), unit_id=b["id"], year=2023)
    rec = cycle.recycling(copy["report_id"])
    assert rec["previous_id"] is None and rec["recycled_share"] is None
    assert rec["copied_share"] >= 0.85 and rec["copied_level"] == "error"
    assert "与其他单位报告雷同的内容占" in rec["message"] and "抄用他单位" in rec["message"]
    cycle.corpus.close()


# ---------------------------------------------------------------- the rubric section


def test_best_score_is_the_final_else_the_machine_less_the_deduction():
    from fazhi.cycle.ranking import best_score, competition_ranks

    assert best_score(70.0, 90.0, {"deduction": 15}) == 70.0
    assert best_score(None, 90.04, {"deduction": 15}) == 75.0
    assert best_score(None, 10.0, {"deduction": 15}) == 0.0 and best_score(None, None, None) is None
    assert competition_ranks([90, 85, 85, 70, None]) == [1, 2, 2, 4, None]


def test_grading_follows_the_thresholds():
    from fazhi.cycle.recycling import assess, grade

    rules = {"recycled": {"warning": 0.6, "error": 0.85}, "copied": {"warning": 0.15, "error": 0.3},
             "deduction": {"warning": 5, "error": 15}}
    assert [grade(x, rules["recycled"]) for x in (None, 0.59, 0.6, 0.849, 0.85, 1.0)] == \
        ["ok", "ok", "warning", "warning", "error", "error"]
    both = assess(0.7, 0.35, 2023, rules)
    assert both["level"] == "error" and both["deduction"] == 20  # 5 for 沿用 + 15 for 抄用
    assert "偏高线 60%" in both["message"] and "过高线 30%" in both["message"]
    calm = assess(0.2, 0.0, 2023, rules)
    assert calm["level"] == "ok" and calm["deduction"] == 0 and "扣" not in calm["message"]


def test_rubric_recycling_section_is_data_with_a_source_and_layers_change_it(tmp_path):
    from fazhi.errors import FazhiError
    from fazhi.review.rubric import load_rubric

    rec = load_rubric().recycling
    assert rec["recycled"] == {"warning": 0.6, "error": 0.85} and rec["deduction"]["error"] == 15
    assert "91.9%" in rec["source"] and "R27" in rec["source"]
    layer = tmp_path / "本县.yaml"
    layer.write_text("recycling:\n  recycled: {error: 0.95}\n  deduction: {error: 20}\n", encoding="utf-8")
    changed = load_rubric([layer]).recycling
    assert changed["recycled"] == {"warning": 0.6, "error": 0.95} and changed["deduction"] == {"warning": 5, "error": 20}
    bad = tmp_path / "坏.yaml"
    bad.write_text("recycling:\n  recycled: {error: 85}\n", encoding="utf-8")
    with pytest.raises(FazhiError) as e:
        load_rubric([bad])
    assert str(e.value) == (f"评分细则文件 {bad}：recycling 的 recycled 阈值是比例，"
                            "应在 0 到 1 之间（如 0.85 表示 85%）。")
    typo = tmp_path / "错字段.yaml"
    typo.write_text("recycling:\n  recycle: {error: 0.9}\n", encoding="utf-8")
    with pytest.raises(FazhiError, match="recycling 有未知字段“recycle”"):
        load_rubric([typo])


def test_analyze_of_a_single_file_has_no_recycling_item(analyzed):
    """The section applies only in the cycle: a single file's score items stay the rubric's items."""
    from fazhi.review.rubric import load_rubric

    report = analyzed("000")
    items = {it["id"] for it in report.score["items"]}
    assert items == {it.id for it in load_rubric().items}
    assert not any("沿用" in f.message for f in report.findings)


def test_measured_again_after_the_report_is_analysed_again(tmp_path):
    from datetime import timedelta

    from sqlalchemy import update

    from fazhi.corpus.models import ReportRow

    cycle = _cycle(f"sqlite:///{tmp_path / 'again.db'}")
    _rev, _old, new = file_two_years(cycle)
    first = cycle.recycling(new["report_id"])
    assert cycle.recycling(new["report_id"])["computed_at"] == first["computed_at"]
    with cycle.engine.begin() as conn:  # as `fazhi corpus reanalyze` leaves it
        conn.execute(update(ReportRow).where(ReportRow.id == new["report_id"])
                     .values(analyzed_at=first["computed_at"] + timedelta(seconds=1)))
    again = cycle.recycling(new["report_id"])
    assert again["computed_at"] > first["computed_at"] and again["recycled_share"] == first["recycled_share"]
    cycle.corpus.close()
