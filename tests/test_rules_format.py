"""Format rules (GB/T 9704 / 15834 / 15835) on real sentences of the sample reports and rules.md."""
from __future__ import annotations

import pytest
from conftest import report_of, sample_text, seed_report

from fazhi.report import Report
from fazhi.review.checks import date_form as dates
from fazhi.review.checks import format as fmt




def quotes(check, report: Report) -> list[str]:
    return [report.text[h.start:h.end] for h in check(report)]


# 000: 对照《中共蓬溪县委全面依法治县委员会2023 年工作要点》(蓬法委发〔2023〕2 号)的文件要求
S000_CITE = "对照《中共蓬溪县委全面依法治县委员会2023 年工作要点》(蓬法委发〔2023〕2 号)的文件要求"


# ---- document numbers
@pytest.mark.parametrize("wrong", ["根据《关于印发方案的通知》（厅字[2019]28号）", "川府发[2023]5号", "(2023)5号",
                                   "〔23〕5号", "〔2023〕第5号", "〔2023〕05号", "川府发【2023】5号"])
def test_doc_number_wrong_forms_of_rules_md(wrong):
    hits = list(fmt.doc_number_format(report_of(wrong)))
    assert len(hits) == 1 and "〔" in hits[0].suggestion


def test_doc_number_correct_forms_are_clean():
    text = ("根据《中共中央办公厅国务院办公厅关于印发<法治政府建设与责任落实督察工作规定>的通知》(厅字〔2019〕28号)。"
            "《关于印发〈蓬溪县全面推广“法治账图”模式工作方案〉的通知》(蓬法委办发〔2023〕1号)要求。")
    assert quotes(fmt.doc_number_format, report_of(text)) == []
    # the stray space in 〔2023〕2 号 is the stray-space rule's business, not a bracket error
    assert quotes(fmt.doc_number_format, report_of(S000_CITE)) == []


# ---- book-title marks
def test_angle_brackets_inside_book_title_seed_001():
    r = seed_report("001")
    assert quotes(fmt.book_title_nesting, r) == ["<法治政府建设与责任落实督察工作规定>"]


def test_nested_book_title_marks():
    wrong = "按照蓬溪县委全面依法治县办《关于印发《蓬溪县全面推广“法治账图”模式工作方案》的通知》要求。"
    right = "按照蓬溪县委全面依法治县办《关于印发〈蓬溪县全面推广“法治账图”模式工作方案〉的通知》要求。"
    hits = list(fmt.book_title_nesting(report_of(wrong)))
    assert len(hits) == 1 and "〈蓬溪县全面推广" in hits[0].suggestion
    assert quotes(fmt.book_title_nesting, report_of(right)) == []


# ---- stray spaces
def test_stray_spaces_in_seed_000_citation():
    assert quotes(fmt.stray_space, report_of(S000_CITE)) == ["2023 年", "〔2023〕2 号"]


def test_stray_space_splitting_the_title_word_seed_001():
    r = seed_report("001")
    found = quotes(fmt.stray_space, r)
    assert "报 告" in found
    assert "企业 68户" in found and "注销 18 户" in found


def test_deliberate_spaces_are_left_alone():
    # 004: a slogan title with a space between its two phrases
    slogan = "制作《弘扬宪法精神 担当时代使命》宪法主题公益广告,并在电视台黄金时段循环播放。"
    assert quotes(fmt.stray_space, report_of(slogan)) == []
    # a 落款 line with two organs, and a table row
    closing = "现将有关工作开展情况报告如下。\n中共重庆市潼南区古溪镇委员会  重庆市潼南区古溪镇人民政府\n"
    assert quotes(fmt.stray_space, report_of(closing)) == []
    table = "报告如下。\n序号  项目  数量\n1  行政复议  7\n2\t行政 应诉\t4件\n"
    assert quotes(fmt.stray_space, report_of(table)) == []
    assert quotes(fmt.stray_space, seed_report("004")) == []


# ---- punctuation
def test_doubled_punctuation_seed_004():
    r = seed_report("004")
    hits = list(fmt.doubled_punctuation(r))
    assert [r.text[h.start:h.end] for h in hits] == ["如下:。"]
    assert "如下：" in hits[0].suggestion


def test_single_colon_and_ellipsis_are_not_doubled():
    text = "现将2023年度工作情况汇报如下:\n一、2023年度推进法治政府建设的主要举措和成效……"
    assert quotes(fmt.doubled_punctuation, report_of(text)) == []
    assert quotes(fmt.doubled_punctuation, report_of("数字如下：1,000和14:10。")) == []


def test_backslash_units_seed_000_one_finding_each():
    r = seed_report("000")
    assert quotes(fmt.unit_backslash, r) == ["300人\\次", "10000余人\\次"]


def test_unit_without_backslash_is_clean():
    text = "线下普法宣传活动也丰富多彩,相继开展覆盖10000余人次,营造了良好的法治氛围。受教育学生达18353人。"
    assert quotes(fmt.unit_backslash, report_of(text)) == []


def test_halfwidth_punctuation_once_per_document():
    for prefix in ("000", "001", "002", "004"):
        hits = list(fmt.halfwidth_punctuation(seed_report(prefix)))
        assert len(hits) == 1, prefix
        assert hits[0].extra["count"] > 100
        assert hits[0].end - hits[0].start == 1


def test_fullwidth_report_and_numbers_have_no_halfwidth_finding():
    assert list(fmt.halfwidth_punctuation(seed_report("003"))) == []
    text = "审计资金共计301,383万元。发布时间：2025-01-15 14:10。详见https://www.gov.cn/a,b。"
    assert list(fmt.halfwidth_punctuation(report_of(text))) == []


def test_ellipsis_forms_rules_md_e2_2():
    assert len(list(fmt.ellipsis_form(report_of("宪法、民法典、党内法规...等作为重点内容。")))) == 1
    assert len(list(fmt.ellipsis_form(report_of("宪法、民法典、党内法规。。。等作为重点内容。")))) == 1
    assert list(fmt.ellipsis_form(report_of("宪法、民法典、党内法规……等作为重点内容。"))) == []


# ---- dates
@pytest.mark.parametrize("wrong,fixed", [("2024年03月28日", "2024年3月28日"), ("24年3月28日", "2024年3月28日"),
                                         ("2024.3.28", "2024年3月28日"), ("2019-2-1", "2019年2月1日")])
def test_date_forms_of_rules_md(wrong, fixed):
    hits = list(dates.date_format(report_of(f"并于{wrong}开始服务群众。")))
    assert len(hits) == 1 and fixed in hits[0].suggestion


def test_dates_in_standard_form_are_clean():
    text = "并于2018年12月2日开始服务群众。截至10月30日,公开各类信息共1547条。发布时间:2025-01-15。"
    assert list(dates.date_format(report_of(text))) == []
    assert list(dates.date_format(seed_report("000"))) == []


def test_sign_date_in_chinese_numerals_is_the_old_form():
    text = sample_text("000").replace("2024年1月19日", "二〇二四年一月十九日")
    r = report_of(text)
    from fazhi.extract.metadata import annotate

    annotate(r)
    hits = list(dates.date_format(r))
    assert len(hits) == 1 and "2024年1月19日" in hits[0].suggestion
    assert r.text[hits[0].start:hits[0].end] == "二〇二四年一月十九日"


# ---- year ranges in titles
def test_year_range_with_hyphen_or_without_dash():
    r = seed_report("003")
    assert quotes(dates.year_range_form, r) == ["2021－2025年"]
    missing = list(dates.year_range_form(report_of("按照《法治政府建设实施纲要（20212025年）》要求。")))
    assert len(missing) == 1 and "2021—2025年" in missing[0].suggestion
    no_year = list(dates.year_range_form(report_of("按照《法治政府建设实施纲要（2021-2025）》要求。")))
    assert "年" in no_year[0].message


def test_official_year_range_is_clean():
    assert list(dates.year_range_form(report_of("按照《法治政府建设实施纲要（2021—2025年）》要求。"))) == []


def test_many_stray_spaces_become_one_finding():
    line = "其中企业 68户、注销 18 户、备案登记 14 户。"  # 001
    hits = list(fmt.stray_space(report_of(line * 6)))
    assert len(hits) == 1 and hits[0].extra["count"] == 18


def test_zero_padded_date_in_parentheses():
    hits = list(dates.date_format(report_of("成立驻所调解室（2024年03月28日）。")))
    assert len(hits) == 1 and "2024年3月28日" in hits[0].suggestion
