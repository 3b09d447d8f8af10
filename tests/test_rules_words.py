"""Word-level rules of issue 12 on sentences written for these tests: typos, repetition,
paired marks, quotes, numbers, enumerations, law names and broken 文号."""
from __future__ import annotations

import pytest
from conftest import report_of

from fazhi.review.checks import format as fm
from fazhi.review.checks import laws, punctuation, repetition, typos


def hits(check, text: str, year: int | None = 2023) -> list[tuple[str, str | None]]:
    r = report_of(text, year)
    return [(r.text[h.start:h.end], h.suggestion) for h in check(r)]


# ---------------------------------------------------------------- typos

@pytest.mark.parametrize("text,wrong,right", [
    ("我局认真布署全年工作。", "布署", "部署"),
    ("全年签定合同12份。", "签定", "签订"),
    ("贯切落实上级要求。", "贯切", "贯彻"),
    ("严格执发，规范程序。", "执发", "执法"),
    ("化解茅盾纠纷120件。", "茅盾", "矛盾"),
    ("即然如此，更要坚持。", "即然", "既然"),
    ("必需坚持依法行政。", "必需", "必须"),
    ("按着上级的部署要求推进。", "按着", "按照"),
    ("截止2023年底，共办理案件30件。", "截止", "截至"),
    ("截止目前，已完成清理。", "截止", "截至"),
    ("制订《某某市养犬管理条例》。", "制订", "制定"),
])
def test_lexicon_typos_in_context(text, wrong, right):
    assert hits(typos.typo, text) == [(wrong, f"改为“{right}”。")]


@pytest.mark.parametrize("text", [
    "报名于12月31日截止。", "申报截止日期为3月1日。", "保障生活必需品供应。", "荣获茅盾文学奖。",
    "制订年度工作计划。", "按着手印确认。", "部署全年工作，签订责任书，贯彻落实，严格执法。",
])
def test_right_words_and_other_senses_are_no_typos(text):
    assert hits(typos.typo, text) == []


@pytest.mark.parametrize("text,quote,right", [
    ("认真落食各项工作要求。", "落食", "落实"),
    ("强化监度管理。", "监度", "监督"),
    ("严格执罚，文明执法。", "执罚", "执法"),
])
def test_nonwords_near_a_frequent_word(text, quote, right):
    assert hits(typos.typo_nonword, text) == [(quote, f"改为“{right}”。")]


@pytest.mark.parametrize("text", [
    "推进行政执法体制改革。",        # 政执 lies across 行政|执法
    "深学细悟习近平法治思想。",      # a term of official writing (typos.yaml words)
    "工作人员身兼数职。",            # 数职 inside an idiom
    "印发铜委法〔2019〕1号文件。",    # an organ code before a document number
    "认真贯彻市第六次党代会精神。",   # 党代会
])
def test_forms_explained_by_other_words_are_no_nonwords(text):
    assert hits(typos.typo_nonword, text) == []


def test_confusable_pairs():
    assert typos.confusable("发", "法") == "同音"
    assert typos.confusable("切", "彻") == "形近"
    assert typos.confusable("法", "律") is None


# ---------------------------------------------------------------- repetition

def test_doubled_word_and_character():
    got = hits(repetition.doubled_word, "要进一步进一步加强学习的的重要性。")
    assert got == [("进一步进一步", "删去重复的“进一步”。"), ("的的", "删去一个“的”。")]


@pytest.mark.parametrize("text", ["扎扎实实推进，方方面面。", "学习习近平法治思想，转变工作作风。",
                                  "常常深入基层，人人守法。", "一一对应整改。", "实现目的的手段。",
                                  "学习《中国共产党党和国家机关基层组织工作条例》。"])
def test_reduplications_and_word_joins_are_no_doubling(text):
    assert hits(repetition.doubled_word, text) == []


def test_clause_repeated_next_to_itself():
    got = hits(repetition.repeated_clause, "今年共组织集中学法4次，今年共组织集中学法4次，覆盖全体干部。")
    assert got == [("今年共组织集中学法4次", "删去重复的分句。")]


def test_sentence_repeated_in_its_paragraph_and_clause_taken_up_again():
    text = "全年共举办培训班3期。组织旁听庭审2次。全年共举办培训班3期。"
    assert hits(repetition.repeated_clause, text) == [("全年共举办培训班3期", "删去重复的句。")]
    # a slogan taken up again further on in the paragraph is no slip
    assert hits(repetition.repeated_clause, "坚持依法行政，完善制度，推进改革，坚持依法行政。") == []


def test_paragraph_repeated():
    para = "本镇全年共办理行政复议案件3件，均依法作出决定，无一被纠错。"
    got = hits(repetition.repeated_paragraph, f"{para}\n其他工作情况良好，群众满意。\n{para}\n")
    assert len(got) == 1 and got[0][0] == para


# ---------------------------------------------------------------- paired marks, quotes, numbers

def test_unclosed_title_is_reported_and_nesting_still_checked_on_its_line():
    text = "认真贯彻《行政处罚法，落实《关于贯彻《民法典》的意见》要求。"
    assert [q for q, _ in hits(punctuation.unbalanced_mark, text)] == ["《行政处罚法"]
    assert [q for q, _ in hits(fm.book_title_nesting, text)] == ["《民法典》"]


@pytest.mark.parametrize("text,quote", [
    ("通过“学习强国”平台、法治日报》等媒体宣传。", "学习强国”平台、法治日报》"),
    ("被命名为“节水型社会示范区；获得表彰。", "“节水型社会示范区"),
    ("全年举办法治论坛”4次。", "全年举办法治论坛”"),
])
def test_unbalanced_marks(text, quote):
    assert [q for q, _ in hits(punctuation.unbalanced_mark, text)] == [quote]


@pytest.mark.parametrize("text", [
    "1）加强组织领导；2）健全制度。", "印发《关于深化“放管服”改革,推动发展的指导意见》。",
    "引用如下：\n“第一段引文，\n“第二段引文。”\n",
])
def test_balanced_or_listed_marks_pass(text):
    assert hits(punctuation.unbalanced_mark, text) == []


def test_shifted_quotation_marks_are_one_finding():
    got = hits(punctuation.unbalanced_mark, "利用国家安全教育日”“宪法宣传月等节点开展普法。")
    assert len(got) == 1 and "国家安全教育日”“宪法宣传月" in got[0][0]


def test_quote_forms():
    r = report_of("坚持“谁执法谁普法\"原则，推进\"放管服\"改革。", 2023)
    got = [(r.text[h.start:h.end], h.severity) for h in punctuation.quote_form(r)]
    assert got == [("“谁执法谁普法\"", None), ("\"放管服\"", "info")]


@pytest.mark.parametrize("text,quote,fix", [
    ("二0二一年，全镇工作有序推进。", "二0二一年", "写作“二〇二一年”，或全用阿拉伯数字。"),
    ("1-12月共办理案件30件。", "1-12月", "写作“1—12月”或“1至12月”。"),
    ("占比达到百分之5。", "百分之5", "写作“5%”。"),
])
def test_number_forms(text, quote, fix):
    assert hits(punctuation.number_form, text) == [(quote, fix)]


def test_year_range_inside_a_title_is_left_to_year_range_form():
    assert hits(punctuation.number_form, "落实《法治政府建设实施纲要(2021-2025年)》。") == []
    assert hits(punctuation.number_form, "电话0551-1234567，2023-12-01发布。") == []


def test_enumeration_joined_by_a_comma_among_semicolons():
    got = hits(punctuation.enum_mark, "一是加强学习；二是完善制度，三是强化监督；四是落实责任。")
    assert got == [("，三是", "改为“；三是”。")]
    assert hits(punctuation.enum_mark, "一是加强学习，二是完善制度，三是强化监督。") == []


# ---------------------------------------------------------------- laws and 文号

@pytest.mark.parametrize("title,suggestion", [
    ("《中华人民共和国行政处法》", "核对名称，应为《中华人民共和国行政处罚法》。"),
    ("《行政复议法实施细则》", "核对名称，应为《行政复议法实施条例》。"),
    ("《行政许可发》", "核对名称，应为《行政许可法》。"),
    ("《中华人名共和国宪法》", "应为《中华人民共和国宪法》。"),
])
def test_law_name_near_misses(title, suggestion):
    assert hits(laws.law_name, f"严格执行{title}的规定。") == [(title, suggestion)]


@pytest.mark.parametrize("title", ["《行政处罚法》", "《中华人民共和国民法典》", "《四川省安全生产条例》",
                                   "《关于加强法治政府建设的意见》", "《安全生产法（2021年修正）》"])
def test_listed_unknown_and_local_names_are_not_wrong(title):
    assert hits(laws.law_name, f"严格执行{title}的规定。") == []


def test_a_regulation_being_drafted_keeps_its_own_name():
    assert hits(laws.law_name, "持续推进制定《社会组织登记管理条例》。") == []


def test_repealed_law_cited_as_current():
    got = hits(laws.law_repealed, "依据《合同法》审查合同。", year=2021)
    assert len(got) == 1 and got[0][0] == "《合同法》" and "民法典" in got[0][1]
    assert hits(laws.law_repealed, "依据《合同法》审查合同。", year=2020) == []
    assert hits(laws.law_repealed, "原《合同法》已废止。", year=2021) == []


def test_law_adopted_after_the_report():
    assert [q for q, _ in hits(laws.law_not_yet, "学习宣传《中华人民共和国民法典》。", year=2019)] == ["《中华人民共和国民法典》"]
    assert hits(laws.law_not_yet, "学习宣传《中华人民共和国民法典》。", year=2020) == []


def test_broken_document_numbers():
    got = hits(laws.doc_number_broken, "根据开州府办发〔202526号通知，印发《关于推进法治建设的通知（川府发〔2021〕3号）》。")
    assert got == [("〔202526号", "写作“〔2025〕26号”。"),
                   ("《关于推进法治建设的通知（川府发〔2021〕3号）》", "写作“《关于推进法治建设的通知》（川府发〔2021〕3号）”。")]


def test_statute_book_enacted_dates_agree_with_the_table():
    import csv
    from importlib import resources

    text = resources.files("fazhi.data").joinpath("laws.tsv").read_text(encoding="utf-8").splitlines()[1:]
    first = {r["name"]: r["first"] for r in csv.DictReader(text, delimiter="\t")}
    for name, day in laws.law_facts()["enacted"].items():
        if name in first:
            assert str(day) == first[name], name
