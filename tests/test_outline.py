"""The outline: markers, run-on headings, lost markers, numbering."""
from __future__ import annotations

from conftest import sample_text

from fazhi.report import Span
from fazhi.structure.outline import build_outline, sequence_problems
from fazhi.text.view import make_view


def outline_of(text: str):
    return build_outline(make_view(text), Span(0, len(text)), text)


def test_levels_and_numbers_of_a_real_report():
    o = outline_of(sample_text("004"))
    level1 = [h for h in o if h.level == 1]
    assert [h.title for h in level1] == ["基本工作情况", "当前工作存在的主要问题", "下一步工作计划"]
    level2 = [h.number for h in o if h.level == 2]
    assert level2 == list(range(1, 14)) + list(range(1, 9))  # (一)…(十三), then (一)…(八)
    assert not sequence_problems(o)


def test_spans_point_at_the_heading_line():
    text = sample_text("001")
    for h in outline_of(text):
        assert text[h.title_start:h.title_end] == h.title
        assert h.marker in text[h.start:h.end]


def test_run_on_heading_is_cut_at_its_first_sentence():
    o = outline_of(sample_text("002"))
    titles = [h.title for h in o if h.level == 2]
    assert "缺乏从事法治建设工作专项人员" in titles
    assert "法治意识有待提高" in [h.title for h in outline_of(sample_text("003"))]


def test_inline_enumerations_are_not_headings():
    o = outline_of(sample_text("000"))
    shortcomings = [h for h in o if h.level == 1][1]
    inside = [h for h in o if shortcomings.start < h.start < shortcomings.section_end]
    assert inside == []  # its 一是/二是/三是 lines stay paragraphs


def test_remnant_bracket_recovers_lost_markers():
    o = outline_of(sample_text("002"))
    inferred = [(h.number, h.title[:8]) for h in o if h.inferred]
    assert inferred == [(2, "健全完善依法行政"), (3, "严格执行“三重一"), (4, "加强执法队伍的管")]
    assert all(h.level == 2 and h.marker == "" for h in o if h.inferred)


def test_numbering_gap_recovers_standalone_and_run_on_headings():
    o = outline_of(sample_text("003"))
    inferred = {h.number: h.title for h in o if h.inferred}
    assert inferred == {7: "加强法治宣传，不断提高群众法治意识", 2: "监督检查力度有待提升"}
    assert not sequence_problems(o)


def test_gap_without_a_heading_shaped_line_is_a_sequence_problem():
    text = ("一、主要举措和成效\n（一）加强组织领导\n成立了由党政主要领导为组长的领导小组，定期研究法治政府建设工作。\n"
            "（三）规范行政执法行为\n推行行政执法全过程记录制度，对行政执法各环节进行同步记录。\n")
    o = outline_of(text)
    assert [h.number for h in o if h.level == 2] == [1, 3]
    assert [(h.title, expected) for h, expected in sequence_problems(o)] == [("规范行政执法行为", 2)]


def test_level_three_markers_and_decimals():
    text = ("一、主要举措和成效\n（一）加强组织领导\n1.强化责任落实。党政主要负责人深入学习党的二十大精神。\n"
            "2、加强述法工作。将述法纳入述职报告。\n（1）细化清单\n1.5万元专项经费全部到位。\n")
    o = outline_of(text)
    assert [(h.level, h.number, h.title) for h in o] == [
        (1, 1, "主要举措和成效"), (2, 1, "加强组织领导"), (3, 1, "强化责任落实"), (3, 2, "加强述法工作"),
        (3, 1, "细化清单")]


def test_traditional_script_gives_the_same_outline():
    import opencc

    text = sample_text("003")
    trad = opencc.OpenCC("s2t").convert(text)
    assert len(trad) == len(text)
    simp, tr = outline_of(text), outline_of(trad)
    assert [(h.level, h.number, h.start, h.end) for h in simp] == [(h.level, h.number, h.start, h.end) for h in tr]
    assert tr[0].title == trad[tr[0].title_start:tr[0].title_end]  # titles as written
