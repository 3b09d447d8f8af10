"""The outline: markers, run-on headings, lost markers, numbering."""
from __future__ import annotations

import pytest
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


# ---------------------------------------------------------------- markers as published

def l1(o):
    return [(h.marker, h.number, h.title) for h in o if h.level == 1]


def test_whitespace_and_junk_before_titles():
    text = ("一、 主要举措和成效\n（一）\t加强组织领导\n成立领导小组。\n二、\u3000存在的不足\n执法力量不足。\n"
            "??三、\u00a0下一步工作打算\n持续深化改革。\n")
    o = outline_of(text)
    assert l1(o) == [("一、", 1, "主要举措和成效"), ("二、", 2, "存在的不足"), ("三、", 3, "下一步工作打算")]
    assert [h.title for h in o if h.level == 2] == ["加强组织领导"]
    third = [h for h in o if h.level == 1][2]
    assert text[third.start:third.start + 2] == "三、" and text[third.title_start:third.title_end] == "下一步工作打算"


def test_masked_and_garbled_markers():
    text = "一,、****年度推进法治政府建设的主要举措和成效\n全年办理案件*件。\n二.存在的不足\n执法力量不足。\n"
    assert l1(outline_of(text)) == [("一,、", 1, "****年度推进法治政府建设的主要举措和成效"), ("二.", 2, "存在的不足")]


def test_a_colon_with_its_paragraph_after_it_ends_the_title():
    text = "一、2023年主要工作情况：一年来，我局依法行政工作及成效主要体现在以下方面。\n（一）推进领导干部学法\n"
    assert l1(outline_of(text)) == [("一、", 1, "2023年主要工作情况")]


@pytest.mark.parametrize("order", ["after", "before"])
def test_a_label_on_a_line_of_its_own_joins_its_heading(order):
    """PDF text of Word's automatic numbering: the label lands after (or before) its heading."""
    def head(label: str, title: str) -> str:
        return f"{title}\n{label}" if order == "after" else f"{label}\n{title}"
    text = ("现将有关情况汇报如下：\n" + head("一、", "主要举措和成效") + "\n" + head("（一）", "完善组织机制")
            + "\n成立了法治建设领导小组，全年召开会议4次。\n" + head("二、", "存在的不足") + "\n执法力量不足。\n")
    o = outline_of(text)
    assert [(h.level, h.marker, h.title) for h in o] == [(1, "一、", "主要举措和成效"), (2, "（一）", "完善组织机制"),
                                                        (1, "二、", "存在的不足")]
    for h in o:
        assert h.marker in text[h.start:h.end] and text[h.title_start:h.title_end] == h.title
    assert not any(h.inferred for h in o)


def test_headings_inside_a_flattened_line():
    text = ("2023年，我镇扎实推进法治政府建设。现将有关情况报告如下：一、主要举措和成效(一)强化理论武装。"
            "组织专题学法4次，覆盖干部120人次。(二)规范行政执法 开展案卷评查2次。二、存在的不足 一是执法力量薄弱；"
            "二是宣传形式单一。三、下一步工作打算 持续深化依法行政，提升执法水平。")
    o = outline_of(text)
    assert [(h.level, h.number, h.title) for h in o] == [
        (1, 1, "主要举措和成效"), (2, 1, "强化理论武装"), (2, 2, "规范行政执法"),
        (1, 2, "存在的不足"), (1, 3, "下一步工作打算")]
    for h in o:
        assert text[h.start:h.start + len(h.marker)] == h.marker
        assert text[h.title_start:h.title_end] == h.title and h.end == h.title_end


def test_enumerations_and_words_inside_paragraphs_are_not_headings():
    text = ("一、主要举措和成效\n"
            "坚持统一、规范、高效的原则，问题主要有：一、学法不够深入；二、宣传不够广泛。本镇共有三、四个村试点。"
            "二、三年来累计培训干部300人次，为全镇法治建设打下基础。\n二、存在的不足\n执法力量不足。\n")
    o = outline_of(text)
    assert l1(o) == [("一、", 1, "主要举措和成效"), ("二、", 2, "存在的不足")]
    assert not [h for h in o if h.level > 1]


def test_a_level_whose_markers_were_all_lost():
    text = ("某镇关于2023年度法治政府建设情况的报告\n县委、县政府：\n"
            "2023年，我镇坚持以习近平法治思想为指导，扎实推进法治政府建设，各项工作取得明显成效。全面贯彻落实党的二十大精神\n"
            "统筹推进法治政府建设\n"
            "全年组织专题学法4次，审查合同46份，办理行政处罚案件27件，无一例被复议纠错。\n"
            "正视困难挑战\n一是执法力量薄弱；二是宣传形式单一，群众参与度有待提高。\n"
            "某镇人民政府\n2024年1月15日\n")
    o = outline_of(text)
    assert l1(o) == [("", 1, "全面贯彻落实党的二十大精神统筹推进法治政府建设"), ("", 2, "正视困难挑战")]
    first = o[0]
    assert text[first.start:first.title_end] == "全面贯彻落实党的二十大精神\n统筹推进法治政府建设"
    assert all(h.inferred for h in o)


def test_two_levels_without_markers():
    """Bold headings without numbers at both levels: two short lines in a row are a level-1
    heading and its first level-2 heading; a lone one naming a mandated part is level 1."""
    text = ("2023年，我镇扎实推进法治政府建设，现将有关情况报告如下。\n主要举措和成效\n健全依法决策机制\n"
            "全年提交集体研究的重大事项18项，合法性审查率达到100%。\n规范行政执法行为\n"
            "开展案卷评查2次，评查案卷35件，整改问题6个。\n存在的不足和原因\n执法力量薄弱，宣传形式单一，群众参与度有待提高。\n")
    o = outline_of(text)
    assert [(h.level, h.number, h.title) for h in o] == [
        (1, 1, "主要举措和成效"), (2, 1, "健全依法决策机制"), (2, 2, "规范行政执法行为"), (1, 2, "存在的不足和原因")]
