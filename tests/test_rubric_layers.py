"""A province rubric adds parts words, formulations, anachronisms and typo entries (issue 12)."""
from __future__ import annotations

import pytest
from conftest import report_of

from fazhi.errors import FazhiError
from fazhi.review import checks  # noqa: F401  (registers the rules)
from fazhi.review.registry import run_rules
from fazhi.review.rubric import load_rubric

LAYER = """
parts:
  first_responsible: {phrases: [述职述法情况]}
formulations:
  entries:
    - {wrong: [依法治省办公室], right: 省委依法治省办, note: 本省简称为“省委依法治省办”, severity: info, source: 本省规范}
typos:
  entries:
    - {wrong: 红江真, right: 红江镇, note: 本省地名, source: 本省地名录}
  words: [双述双评]
anachronisms:
  entries:
    - {id: province-plan-2024, pattern: 本省法治建设三年行动, effective_from: 2024-06-01,
       message: "“{found}”自2024年6月起施行，{year}年度的报告不应出现。", suggestion: 核对报告年度。, source: 本省文件}
    - {id: xi-rule-of-law-thought, enabled: false}
"""


def write(tmp_path, text: str):
    path = tmp_path / "prov.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def rules_found(text: str, year: int, rubric) -> set[tuple[str, str]]:
    r = report_of(text, year)
    return {(f.rule, r.text[f.start:f.end]) for f in run_rules(r, rubric.settings()) if f.start is not None}


def test_layer_entries_reach_the_rules(tmp_path):
    rubric = load_rubric([write(tmp_path, LAYER)])
    text = "红江真认真落实依法治省办公室部署，开展本省法治建设三年行动。"
    got = rules_found(text, 2023, rubric)
    assert ("typo", "红江真") in got
    assert ("formulation-standard", "依法治省办公室") in got
    assert ("anachronism", "本省法治建设三年行动") in got
    default = rules_found(text, 2023, load_rubric())
    assert not {("typo", "红江真"), ("formulation-standard", "依法治省办公室")} & default


def test_layer_can_switch_off_a_shipped_anachronism(tmp_path):
    text = "深入学习贯彻习近平法治思想。"
    assert ("anachronism", "习近平法治思想") in rules_found(text, 2019, load_rubric())
    assert ("anachronism", "习近平法治思想") not in rules_found(text, 2019, load_rubric([write(tmp_path, LAYER)]))


def test_parts_words_are_merged_for_the_part_mapping(tmp_path):
    rubric = load_rubric([write(tmp_path, LAYER)])
    phrases = rubric.data_file("parts")["parts"]["first_responsible"]["phrases"]
    assert "述职述法情况" in phrases and "第一责任" in phrases
    assert "述职述法情况" not in load_rubric().data_file("parts")["parts"]["first_responsible"]["phrases"]


def test_two_layers_add_up(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("typos:\n  entries:\n    - {wrong: 甲乙丙, right: 甲乙丁}\n", encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text("typos:\n  entries:\n    - {wrong: 戊己庚, right: 戊己辛}\n", encoding="utf-8")
    wrongs = [e["wrong"] for e in load_rubric([a, b]).data_file("typos")["entries"]]
    assert "甲乙丙" in wrongs and "戊己庚" in wrongs and "布署" in wrongs


@pytest.mark.parametrize("text,words", [
    ("parts:\n  nowhere: {phrases: [x]}\n", "四个法定部分之一"),
    ("typos:\n  entries:\n    - {right: 部署}\n", "须有 wrong 和 right"),
    ("typos:\n  entries:\n    - {wrong: 布署, right: 部署, before: '(['}\n", "不是有效的正则表达式"),
    ("anachronisms:\n  entries:\n    - {id: x, pattern: y, effective_from: 2024-13-01}\n", "YYYY-MM-DD"),
    ("formulations:\n  entries:\n    - {wrong: 甲, right: 乙}\n", "wrong（字符串列表）、right 和 note"),
    ("formulations: [1, 2]\n", "应为键值映射"),
])
def test_bad_data_layers_name_the_file_and_the_problem(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(FazhiError) as e:
        load_rubric([path])
    assert str(path) in str(e.value) and words in str(e.value)


def test_a_layers_parts_words_name_a_part_in_the_analysis(tmp_path):
    """The parts stage itself reads the layer's heading words: a province's own name for the
    first-responsible part is found there instead of being called missing."""
    import fazhi.pipeline as pipeline
    from fazhi.ingest.document import Document
    from fazhi.report import Source, Span

    text = ("关于2023年法治政府建设情况的报告\n县委、县政府：\n2023年，我镇坚持依法行政。\n"
            "一、主要举措和成效\n全年办理行政复议案件12件。\n二、存在的不足和原因\n基层力量不足。\n"
            "三、一把手抓法治专项述评\n开展专项行动3次。\n四、2024年工作安排\n继续推进。\n")
    doc = Document(Source("x.txt", "txt", "utf-8", ""), text, Span(0, len(text)))
    plain = pipeline.analyze_document(doc)
    layered = pipeline.analyze_document(doc, load_rubric([write(tmp_path, "parts:\n  first_responsible: {phrases: [一把手抓法治]}\n")]))
    third = next(i for i, h in enumerate(layered.outline) if h.title.startswith("一把手"))
    assert layered.parts["first_responsible"] == third
    assert plain.parts["first_responsible"] != third
    assert not [f for f in layered.findings if f.rule == "part-missing"]
