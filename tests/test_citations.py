"""Citations: 《…》 titles, the document number after them, and their kind (real seed sentences)."""
from __future__ import annotations

from importlib import resources

import pytest

from fazhi.extract.citations import classify, extract_citations, normalise_doc_number


def sample(name: str) -> str:
    return resources.files("fazhi.samples").joinpath(name).read_text("utf-8")


def by_title(cits, title):
    hit = [c for c in cits if c.title == title]
    assert hit, f"{title} not found in {[c.title for c in cits]}"
    return hit[0]


def test_title_span_and_spaced_doc_number_in_parentheses():
    text = sample("000_0bd4420a3e9538ce.txt")
    c = by_title(extract_citations(text), "《中共蓬溪县委全面依法治县委员会2023 年工作要点》")
    assert text[c.start:c.end] == c.title
    assert c.doc_number == "蓬法委发〔2023〕2号"  # "2 号" written with a space
    assert text[c.number_start:c.number_end] == "蓬法委发〔2023〕2 号"
    assert c.end < c.number_start  # its own span, after the title and the bracket
    assert c.kind == "plan"  # 工作要点


def test_nested_angle_brackets_are_kept_inside_the_title():
    text = sample("000_0bd4420a3e9538ce.txt")
    c = by_title(extract_citations(text), "《关于印发〈蓬溪县全面推广“法治账图”模式工作方案〉的通知》")
    assert c.doc_number == "蓬法委办发〔2023〕1号"
    assert c.kind == "normative_document"  # a notice wrapping a 方案 is a notice
    # the inner 〈…〉 is not a second citation
    assert not any(x.title.startswith("〈") for x in extract_citations(text))


def test_ascii_angle_brackets_nested_in_title_and_full_width_parenthesis():
    text = sample("001_5a98c8ff090aa2b3.txt")
    cits = extract_citations(text)
    c = by_title(cits, "《中共中央办公厅国务院办公厅关于印发<法治政府建设与责任落实督察工作规定>的通知》")
    assert c.doc_number == "厅字〔2019〕28号"
    plan = by_title(cits, "《湖南省法治政府建设实施方案(2021-2025)》")
    assert plan.doc_number is None and plan.number_start is None
    assert plan.kind == "plan"
    rule = by_title(cits, "《洪江区贯彻落实国家工作人员学法用法制度的实施细则》")
    assert rule.doc_number == "洪法联字〔2017〕3号"
    assert rule.kind == "normative_document"


def test_run_of_adjacent_titles_gives_one_citation_each():
    line = "先后学习习近平法治思想、《中华人民共和国宪法》《中华人民共和国民法典》《中华人民共和国禁毒法》《中华人民共和国环境保护法》等法律法规"
    cits = extract_citations(line)
    assert [c.title for c in cits] == ["《中华人民共和国宪法》", "《中华人民共和国民法典》",
                                       "《中华人民共和国禁毒法》", "《中华人民共和国环境保护法》"]
    assert all(c.kind == "law" and c.doc_number is None for c in cits)
    listed = extract_citations("我镇组织开展了《中华人民共和国国家安全法》、《中华人民共和国民法典》、《交通安全法》等线上宣传")
    assert len(listed) == 3 and listed[2].title == "《交通安全法》"


def test_unbalanced_title_on_its_line_is_not_a_citation():
    text = "对照《中共蓬溪县委全面依法治县委员会2023 年工作要点(蓬法委发〔2023〕2 号)的文件要求\n学习《中华人民共和国宪法》。"
    cits = extract_citations(text)
    assert [c.title for c in cits] == ["《中华人民共和国宪法》"]
    assert extract_citations("学习《中华人民共和国宪法\n》") == []


def test_range_limits_the_search():
    text = sample("002_ed19181ee54dd603.txt")
    line_start = text.index("镇党委将法治建设重点内容")
    line_end = text.index("\n", line_start)
    cits = extract_citations(text, line_start, line_end)
    assert [c.title for c in cits] == ["《中华人民共和国民法典》", "《中华人民共和国保守国家秘密法》",
                                       "《中国共产党支部工作条例(试行)》", "《中国共产党党员教育管理工作条例》"]
    assert all(line_start <= c.start < c.end <= line_end for c in cits)
    assert [c.kind for c in cits] == ["law", "law", "party_regulation", "party_regulation"]


@pytest.mark.parametrize("written, normal", [
    ("国办发[2018]118号", "国办发〔2018〕118号"),
    ("蓬法委发【2023】2 号", "蓬法委发〔2023〕2号"),
    ("京政发（2021） 3号", "京政发〔2021〕3号"),
    ("厅字〔2019〕28号", "厅字〔2019〕28号"),
])
def test_doc_number_brackets_are_normalised(written, normal):
    assert normalise_doc_number(written) == normal
    cits = extract_citations(f"按照《关于加强行政规范性文件制定和监督管理工作的通知》（{written}）要求")
    assert cits[0].doc_number == normal


def test_order_number_without_year():
    cits = extract_citations("认真贯彻《优化营商环境条例》（国务院令第 722 号），持续优化营商环境")
    assert cits[0].doc_number == "国务院令第722号"
    assert cits[0].kind == "administrative_regulation"


def test_no_doc_number_when_the_bracket_holds_something_else():
    cits = extract_citations("继续抓好《东莞市法治政府建设规划(2016-2020年)》工作(2019年)，落实工作任务")
    assert cits[0].doc_number is None
    cits = extract_citations("严格执行《桥头镇重大行政决策程序规定》广泛听取群众意见")
    assert cits[0].doc_number is None and cits[0].kind == "normative_document"
    cits = extract_citations("落实《桥头镇2019年依法治镇工作要点》和蓬法委发〔2023〕2号文件")
    assert cits[0].doc_number is None  # that number is another document's


@pytest.mark.parametrize("title, kind", [
    ("《中华人民共和国预算法》", "law"),
    ("《民法典》", "law"),
    ("《中华人民共和国行政诉讼法(2017年修正)》", "law"),
    ("《优化营商环境条例》", "administrative_regulation"),
    ("《中华人民共和国政府信息公开条例》", "administrative_regulation"),
    ("《广东省城乡生活垃圾处理条例》", "local_regulation"),
    ("《东莞市饮用水源水质保护条例》", "local_regulation"),
    ("《中国共产党支部工作条例(试行)》", "party_regulation"),
    ("《湖南省行政执法证和行政执法监督证管理办法》", "normative_document"),  # 办法 is not a law
    ("《法治政府建设实施纲要（2021－2025年）的通知》", "normative_document"),
    ("《东莞市法治政府建设规划(2016-2020年)》", "plan"),
    ("《桥头镇2019年依法治镇工作实施方案》", "plan"),
    ("《大王古庄镇推进法治建设责任清单》", "other"),
    ("《弘扬宪法精神 担当时代使命》", "other"),
])
def test_kinds(title, kind):
    assert classify(title) == kind


def test_a_plan_issued_with_a_doc_number_is_a_normative_document():
    assert classify("《桥头镇2019年依法治镇工作实施方案》") == "plan"
    assert classify("《桥头镇2019年依法治镇工作实施方案》", "桥府〔2019〕3号") == "normative_document"


GOLD = {  # the hand annotations of ../shared/gold/seeds.json for the bundled samples
    "000_0bd4420a3e9538ce.txt": [("《中共蓬溪县委全面依法治县委员会2023 年工作要点》", "蓬法委发〔2023〕2号"),
                                 ("《关于印发〈蓬溪县全面推广“法治账图”模式工作方案〉的通知》", "蓬法委办发〔2023〕1号")],
    "002_ed19181ee54dd603.txt": [("《大王古庄镇推进法治建设责任清单》", None), ("《中华人民共和国民法典》", None)],
    "003_9da0f40acfe495cd.txt": [("《2021年全区法治政府建设工作要点》", None),
                                 ("《党政主要负责人履行推进法治建设第一责任人职责规定》", None)],
    "004_54d729c3997a150e.txt": [("《桥头镇2019年依法治镇工作实施方案》", None),
                                 ("《东莞市法治政府建设规划(2016-2020年)》", None)],
}


@pytest.mark.parametrize("name", sorted(GOLD))
def test_gold_citations_of_samples(name):
    text = sample(name)
    cits = extract_citations(text)
    for title, number in GOLD[name]:
        c = by_title(cits, title)
        assert c.doc_number == number
        assert text[c.start:c.end] == title
