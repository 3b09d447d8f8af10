"""The rubric as data: the shipped default, layered overrides, and clear errors."""
from __future__ import annotations

import pytest

from fazhi.errors import FazhiError
from fazhi.review import checks  # noqa: F401  (registers the rules)
from fazhi.review.registry import RULES, run_rules
from fazhi.review.rubric import default_path, load_rubric


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_rubric_cites_a_source_everywhere():
    import yaml

    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    for section in ("rules", "items", "deadlines"):
        for key, entry in data[section].items():
            assert entry.get("source"), f"{section}.{key} has no source"


def test_default_deadlines_follow_the_rules():
    r = load_rubric()
    assert (r.deadlines["省"].submit, r.deadlines["省"].publish) == ("04-01", "04-01")  # rules.md A1.4, A1.9
    for level in ("地市", "区县", "乡镇街道", "部门"):
        assert (r.deadlines[level].submit, r.deadlines[level].publish) == ("03-01", "04-01")  # A1.5, A1.9


def test_default_items_add_up_to_100_and_blockers_are_the_legal_duties():
    r = load_rubric()
    assert sum(it.points for it in r.items) == 100
    assert {it.id for it in r.items if it.blocker} == {"parts", "timeliness"}
    assert r.item_for("part-missing", "structure").id == "parts"
    assert r.item_for("publish-late", "timeliness").id == "timeliness"
    assert r.item_for("some-new-format-rule", "format").id == "format"  # by category


def test_every_rule_of_mine_is_in_the_rubric():
    mine = {"part-weak", "shortcomings-no-cause", "first-responsible-vague", "next-year-vague",
            "heading-level-misuse", "title-form", "signature-missing", "date-invalid", "submit-late",
            "sign-date-early", "publish-late", "publish-borderline", "year-mismatch"}
    assert mine <= set(RULES) and mine <= set(load_rubric().rules)


def test_a_layer_changes_one_field_only(tmp_path):
    prov = write(tmp_path, "prov.yaml", "rules:\n  submit-late: {severity: error}\n"
                                        "deadlines:\n  部门: {submit: \"02-15\"}\n")
    r = load_rubric([prov])
    assert r.rules["submit-late"].severity == "error"
    assert r.rules["submit-late"].points == 3 and r.rules["submit-late"].params == {"from_report_year": 2019}
    assert (r.deadlines["部门"].submit, r.deadlines["部门"].publish) == ("02-15", "04-01")
    assert r.deadlines["区县"].submit == "03-01"
    assert r.files[-1] == str(prov)


def test_three_layers_in_order(tmp_path):
    prov = write(tmp_path, "prov.yaml", "cap_on_blocker: 50\nitems:\n  content: {points: 25}\n")
    unit = write(tmp_path, "unit.yaml", "cap_on_blocker: 55\nrules:\n  title-form: {enabled: false}\n")
    r = load_rubric([prov, unit])
    assert r.cap_on_blocker == 55
    assert next(it for it in r.items if it.id == "content").points == 25
    assert r.rules["title-form"].enabled is False
    assert load_rubric([unit, prov]).cap_on_blocker == 50


def test_disabled_rule_and_changed_severity_reach_run_rules(analyzed, tmp_path):
    report = analyzed("004")  # signed 2019-12-02 for the year 2019
    assert any(f.rule == "sign-date-early" and f.severity == "warning" for f in report.findings)
    up = write(tmp_path, "up.yaml", "rules:\n  sign-date-early: {severity: error}\n")
    assert [f.severity for f in run_rules(report, load_rubric([up]).settings()) if f.rule == "sign-date-early"] \
        == ["error"]
    off = write(tmp_path, "off.yaml", "rules:\n  sign-date-early: {enabled: false}\n")
    assert not [f for f in run_rules(report, load_rubric([off]).settings()) if f.rule == "sign-date-early"]


def test_settings_shape():
    s = load_rubric().settings()
    assert s["*"]["params"]["deadlines"]["省"] == {"submit": "04-01", "publish": "04-01"}
    assert s["shortcomings-no-cause"]["enabled"] is True
    assert "cause_patterns" in s["shortcomings-no-cause"]["params"]


@pytest.mark.parametrize("text,words", [
    ("rules: [a, b", "不是有效的 YAML"),
    ("- just a list\n", "顶层应为键值映射"),
    ("rules:\n  submit-late: {severity: high}\n", "severity 应为 error、warning 或 info"),
    ("rules:\n  no-such-rule: {severity: info}\n", "规则“no-such-rule”不存在"),
    ("deadlines:\n  省: {submit: \"4-1\"}\n", "应写成 MM-DD"),
    ("deadlines:\n  国务院: {submit: \"04-01\"}\n", "层级“国务院”不存在"),
    ("items:\n  new_item: {rules: [title-form]}\n", "须写明 name 和 points"),
    ("rules:\n  title-form: {enabled: no-way}\n", "enabled 应为 true 或 false"),
    ("cap_on_blocker: 120\n", "cap_on_blocker"),
    ("scoring: {}\n", "未知的配置项“scoring”"),
])
def test_bad_rubric_files(tmp_path, text, words):
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(FazhiError) as e:
        load_rubric([path])
    msg = str(e.value)
    assert str(path) in msg and words in msg and "\n" not in msg


def test_missing_rubric_file(tmp_path):
    with pytest.raises(FazhiError, match="不存在"):
        load_rubric([tmp_path / "none.yaml"])


def test_empty_layer_changes_nothing(tmp_path):
    r = load_rubric([write(tmp_path, "empty.yaml", "")])
    assert r.settings() == load_rubric().settings()


def test_content_thresholds_come_from_the_rubric(analyzed, tmp_path):
    """A province that wants more figures raises low_density; the finding appears for a report
    that passes the default (seed 000 carries ~2 figures per 1,000 characters)."""
    report = analyzed("000")
    default = [f for f in run_rules(report, load_rubric().settings()) if f.rule == "quantification-density"
               and "每千字" in f.message]
    assert default == []
    strict = write(tmp_path, "strict.yaml", "rules:\n  quantification-density:\n    params: {low_density: 50}\n")
    hits = [f for f in run_rules(report, load_rubric([strict]).settings()) if f.rule == "quantification-density"
            and "每千字" in f.message]
    assert len(hits) == 1
    uncovered = analyzed("002")  # two 纲要 areas not mentioned: info by default
    assert [f.severity for f in uncovered.findings if f.rule == "areas-uncovered"] == ["info"]
    many = write(tmp_path, "many.yaml", "rules:\n  areas-uncovered:\n    params: {min_covered_share: 1.01}\n")
    assert [f.severity for f in run_rules(uncovered, load_rubric([many]).settings())
            if f.rule == "areas-uncovered"] == ["warning"]


def test_force_severity_beats_the_graded_entries(analyzed, tmp_path):
    """formulations.yaml grades its entries (法制宣传 info, 第一负责人 warning); `severity` leaves
    them, `force_severity` puts every finding of the rule at one level."""
    report = analyzed("004")
    graded = sorted(f.severity for f in report.findings if f.rule == "formulation-standard")
    assert graded == ["info", "warning"]
    base = write(tmp_path, "base.yaml", "rules:\n  formulation-standard: {severity: error}\n")
    assert sorted(f.severity for f in run_rules(report, load_rubric([base]).settings())
                  if f.rule == "formulation-standard") == ["info", "warning"]
    forced = write(tmp_path, "forced.yaml", "rules:\n  formulation-standard: {force_severity: error}\n")
    assert [f.severity for f in run_rules(report, load_rubric([forced]).settings())
            if f.rule == "formulation-standard"] == ["error", "error"]
    bad = write(tmp_path, "bad.yaml", "rules:\n  formulation-standard: {force_severity: fatal}\n")
    with pytest.raises(FazhiError, match="force_severity"):
        load_rubric([bad])
