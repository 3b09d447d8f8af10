"""Structure quality (weak parts, causes, the first responsible person, next year's
measures, heading markers) and title form / 落款, on the seeds and on edited seeds."""
from __future__ import annotations

import pytest
from conftest import sample_text

import fazhi
from fazhi.review.checks.quality import is_concrete, leader_actions, marker_misuse
from fazhi.review.checks.title_form import title_problems
from fazhi.review.rubric import default_rubric

QUALITY = {"part-weak", "shortcomings-no-cause", "first-responsible-vague", "next-year-vague",
           "heading-level-misuse", "title-form", "signature-missing", "date-invalid"}


def analyze_text(tmp_path, text: str, name: str = "report.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return fazhi.analyze(path)


def hits(report, rule_id: str):
    return [f for f in report.findings if f.rule == rule_id]


def params(rule_id: str):
    return default_rubric().rules[rule_id].params


def replace_section(text: str, heading: str, until: str, new_body: str) -> str:
    """text with everything between the line `heading` and `until` replaced."""
    a = text.index(heading) + len(heading)
    b = text.index(until, a)
    return text[:a] + "\n" + new_body + "\n" + text[b:]


# --- the seeds: every finding of these rules, checked by hand -----------------------------

SEED_FINDINGS = {
    "000": [],
    "001": ["shortcomings-no-cause", "signature-missing"],  # symptoms only; no 落款 at all
    "002": [],
    "003": ["shortcomings-no-cause", "signature-missing"],  # 有待提高/有待提升, no cause; no 落款
    "004": [],
}


@pytest.mark.parametrize("prefix", sorted(SEED_FINDINGS))
def test_seed_findings(analyzed, prefix):
    got = sorted(f.rule for f in analyzed(prefix).findings if f.rule in QUALITY)
    assert got == sorted(SEED_FINDINGS[prefix])


# --- part-weak ------------------------------------------------------------------------------

def test_token_next_year_part_is_weak(tmp_path):
    text = replace_section(sample_text("000"), "四、2024年度推进法治政府建设主要安排", "中共蓬溪县红江镇委员会",
                           "下一步,我镇将持续提升执法人员的业务能力。")
    report = analyze_text(tmp_path, text)
    (f,) = hits(report, "part-weak")
    assert f.extra["part"] == "next_year" and report.text[f.start:f.end].startswith("四、2024年度")
    assert hits(report, "next-year-vague") == []  # one finding for one problem


# --- shortcomings-no-cause -------------------------------------------------------------------

def test_symptoms_only(analyzed):
    f = hits(analyzed("001"), "shortcomings-no-cause")[0]
    assert analyzed("001").text[f.start:f.end] == "二、存在的不足" and f.category == "structure"


@pytest.mark.parametrize("prefix,cause", [("000", "造成"), ("002", "主要是"), ("004", "导致")])
def test_a_stated_cause_is_enough(analyzed, prefix, cause):
    report = analyzed(prefix)
    assert cause in report.text and hits(report, "shortcomings-no-cause") == []


def test_removing_the_only_cause(tmp_path):
    text = sample_text("000").replace("执法队员均是兼职,执法队员对执法事项、执法流程不熟悉,造成执法能力不足。",
                                      "执法队员对执法事项、执法流程不熟悉。")
    assert hits(analyze_text(tmp_path, text), "shortcomings-no-cause")


# --- first-responsible-vague -----------------------------------------------------------------

LEADERS, ACTIONS = params("first-responsible-vague")["leaders"], params("first-responsible-vague")["actions"]


def test_leader_as_subject_of_an_action():
    s = "镇党委主要负责人坚持以身作则,充分发挥镇党委在推进本地区法治建设中的领导核心作用,定期听取有关工作汇报。"
    assert leader_actions(s, LEADERS, ACTIONS)
    s = "充分发挥了党委统揽全局、协调各方的作用,2021年无一起领导干部违规干预司法活动、插手具体案件处理的情形发生。"
    assert leader_actions(s, LEADERS, ACTIONS) == []


def test_unit_level_work_only(tmp_path):
    text = sample_text("002")
    a = text.index("(二)履行“第一责任人”职责")
    b = text.index("四、下一年度推进法治政府建设的主要安排")
    report = analyze_text(tmp_path, text[:a] + text[b:])
    (f,) = hits(report, "first-responsible-vague")
    assert f.extra["part"] == "first_responsible" and "主要负责人本人" in f.message


@pytest.mark.parametrize("prefix", ["000", "002", "003"])
def test_leaders_actions_reported(analyzed, prefix):
    assert hits(analyzed(prefix), "first-responsible-vague") == []


# --- next-year-vague -------------------------------------------------------------------------

def test_next_year_only_stock_phrases(tmp_path):
    body = ("下来,我镇将在市委、市政府的正确领导下,在市依法行政领导小组及市法制局的领导下,持续落实上级关于法治政府建设的"
            "有关文件精神,努力推进全镇依法行政工作再上新台阶。针对以上问题,我们将坚持在法治轨道上采取务实有效举措加以解决。")
    text = replace_section(sample_text("000"), "四、2024年度推进法治政府建设主要安排", "中共蓬溪县红江镇委员会", body)
    (f,) = hits(analyze_text(tmp_path, text), "next-year-vague")
    assert "原则性表述" in f.message


def test_concrete_measures():
    verbs = params("next-year-vague")["concrete_verbs"]
    assert is_concrete("加强执法人员培训、教育、考核工作,提高执法人员规范执法能力。", verbs)
    assert is_concrete("以“一长五联”乡村治理为抓手", verbs)
    assert not is_concrete("努力推进全镇依法行政工作再上新台阶。", verbs)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_next_year_parts_are_concrete(analyzed, prefix):
    assert hits(analyzed(prefix), "next-year-vague") == [] and hits(analyzed(prefix), "part-weak") == []


# --- heading-level-misuse (GB/T 9704 7.3.3) ------------------------------------------------------

@pytest.mark.parametrize("marker,right", [("1、", "1."), ("（一）、", "（一）"), ("(一)、", "（一）"), ("一.", "一、"),
                                          ("（1）、", "（1）")])
def test_misused_markers(marker, right):
    assert marker_misuse(marker)[1] == right


@pytest.mark.parametrize("marker", ["一、", "（一）", "(一)", "1.", "（1）", "第一部分"])
def test_right_markers(marker):
    assert marker_misuse(marker) is None


def test_misuse_reported_once_with_count(tmp_path):
    text = sample_text("003").replace("（一）进一步完善科学民主决策机制", "1、进一步完善科学民主决策机制") \
                             .replace("（二）加强行政执法监督。", "2、加强行政执法监督。")
    report = analyze_text(tmp_path, text)
    (f,) = hits(report, "heading-level-misuse")
    assert report.text[f.start:f.end] == "1、" and f.extra["count"] == 2 and "1." in f.suggestion


def test_level_two_marker_with_comma(tmp_path):
    text = sample_text("000").replace("(一)完善组织机制,夯实法治基础", "(一)、完善组织机制,夯实法治基础")
    report = analyze_text(tmp_path, text)
    (f,) = hits(report, "heading-level-misuse")
    assert report.text[f.start:f.end] == "(一)、"


# --- title-form, signature-missing, date-invalid ----------------------------------------------

@pytest.mark.parametrize("title,organ_above,missing", [
    ("中共洪江区工委洪江区管理委员会关于2021年度法治政府建设工作情况的报 告", False, []),
    ("大王古庄镇2024年法治政府建设情况报告", False, []),
    ("关于2021年法治政府建设工作情况报告", True, []),
    ("关于2021年法治政府建设工作情况报告", False, ["发文机关（或地区）名称"]),
    ("2023年度法治政府建设工作", False, ["发文机关（或地区）名称", "文种“报告”（现以“工作”结尾）"]),
    ("大王古庄镇法治政府建设情况报告", False, ["年度"]),
    ("桥头镇2019年依法行政工作报告", False, ["“法治政府建设”"]),
])
def test_title_elements(title, organ_above, missing):
    assert title_problems(title, organ_above) == missing


def test_title_written_as_a_summary(tmp_path):
    text = sample_text("002").replace("大王古庄镇2024年法治政府建设情况报告", "大王古庄镇2024年法治政府建设工作总结")
    report = analyze_text(tmp_path, text)
    (f,) = hits(report, "title-form")
    assert f.severity == "info" and report.text[f.start:f.end] == "大王古庄镇2024年法治政府建设工作总结"
    assert "总结" in f.message


def test_signature_present(analyzed):
    for prefix in ("000", "002", "004"):
        assert hits(analyzed(prefix), "signature-missing") == []


def test_signature_removed(tmp_path):
    text = sample_text("000").replace("中共蓬溪县红江镇委员会\n2024年1月19日", "2024年1月19日")
    report = analyze_text(tmp_path, text)
    assert len(hits(report, "signature-missing")) == 1 and hits(report, "date-missing") == []


def test_impossible_sign_date(tmp_path):
    report = analyze_text(tmp_path, sample_text("000").replace("2024年1月19日", "2024年2月30日"))
    (f,) = hits(report, "date-invalid")
    assert report.text[f.start:f.end] == "2024年2月30日" and f.severity == "error"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_dates_are_valid(analyzed, prefix):
    assert hits(analyzed(prefix), "date-invalid") == [] and hits(analyzed(prefix), "title-form") == []


def test_organ_written_after_the_year():
    assert title_problems("2023年红江镇法治政府建设情况报告", False) == []


def test_signature_on_the_date_line(tmp_path):
    text = sample_text("000").replace("中共蓬溪县红江镇委员会\n2024年1月19日", "中共蓬溪县红江镇委员会  2024年1月19日")
    assert hits(analyze_text(tmp_path, text), "signature-missing") == []


def test_separate_causes_part(tmp_path):
    text = sample_text("003").replace("四、下一步工作重点",
                                      "四、问题产生的原因\n主要是基层法治工作力量薄弱，专业人员不足。\n五、下一步工作重点")
    report = analyze_text(tmp_path, text)
    assert report.parts["shortcomings"] is not None and hits(report, "shortcomings-no-cause") == []

