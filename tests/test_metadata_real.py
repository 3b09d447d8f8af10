"""Metadata as real pages print it: every class of head that real published reports showed
(issue "Read every real report right"), each written here as a small text of our own."""
from __future__ import annotations

import pytest

import fazhi.pipeline as pipeline
from fazhi.extract.issuer import expand_abbreviation
from fazhi.extract.organs import body_kind, split_joint
from fazhi.ingest.chrome import find_body
from fazhi.ingest.document import Document
from fazhi.report import Source, Span

BODY = ("\n一、主要举措和成效\n全年办理行政复议案件12件。\n二、存在的不足和原因\n基层力量仍显不足。\n"
        "三、党政主要负责人履行推进法治建设第一责任人职责情况\n主要负责人带头学法。\n四、下一年度工作安排\n继续推进。\n")


def meta(head: str, body: str = BODY):
    text = head + body
    span, page = find_body(text)
    report = pipeline.analyze_document(Document(Source("x.txt", "txt", "utf-8", ""), text, span, page))
    return report.metadata


@pytest.mark.parametrize("line,want", [
    ("名称: 东区街道2024年法治政府建设年度报告", "东区街道2024年法治政府建设年度报告"),
    ("• 标题：原州区2024年法治政府建设年度报告", "原州区2024年法治政府建设年度报告"),
    ("[天政发〔2026〕7号]天水市人民政府关于2025年法治政府建设情况的报告", "天水市人民政府关于2025年法治政府建设情况的报告"),
    ("【2022年】州生态环境局2022年度法治政府建设报告", "州生态环境局2022年度法治政府建设报告"),
    ("《文化和旅游部关于2020年度法治政府建设情况的报告》(全文)", "文化和旅游部关于2020年度法治政府建设情况的报告"),
    ("附件：浦东新区财政局2023年度法治政府建设情况报告", "浦东新区财政局2023年度法治政府建设情况报告"),
    ("海滨街2020年法治政府建设情况报告.docx", "海滨街2020年法治政府建设情况报告"),
])
def test_title_without_labels_tags_quotes_and_file_names(line, want):
    assert meta(line + "\n2024年，全区坚持依法行政。").title == want


def test_title_broken_after_its_issuer_is_joined_and_wins_over_the_headline():
    m = meta("2023年法治政府建设工作年度报告\n政策法规科 2023-12-29\n广元市人力资源和社会保障局\n"
             "2023年法治政府建设工作年度报告\n2023年，我局坚持依法行政。")
    assert m.title == "广元市人力资源和社会保障局2023年法治政府建设工作年度报告"
    assert m.issuer == "广元市人力资源和社会保障局" and m.level == "部门"
    assert m.publish_date == "2023-12-29"


def test_joint_issuer_block_is_not_part_of_the_title_and_is_joined_by_one_space():
    m = meta("中共某某县某某镇委员会\n\n某某县某某镇人民政府\n\n关于2023年法治政府建设工作情况报告\n\n县委、县政府：\n"
             "2023年，我镇坚持依法行政。")
    assert m.title == "关于2023年法治政府建设工作情况报告"
    assert m.issuer == "中共某某县某某镇委员会 某某县某某镇人民政府"
    assert m.addressee == "县委、县政府" and m.level == "乡镇街道"


def test_joint_issuer_written_without_a_space_in_the_title():
    m = meta("中共汉中市勉县县委勉县人民政府关于2023年度法治政府建设情况的报告\n市委、市政府：\n2023年，我县坚持依法行政。")
    assert m.issuer == "中共汉中市勉县县委 勉县人民政府"
    assert (m.place.province, m.place.city, m.place.county) == ("陕西省", "汉中市", "勉县")
    assert m.level == "区县"


@pytest.mark.parametrize("opening,issuer,level", [
    ("2023年，红江镇在县委、县政府的坚强领导下，坚持依法行政。", "红江镇", "乡镇街道"),
    ("2021年以来，宣城市公安局按照市委、市政府的工作部署，坚持依法行政。", "宣城市公安局", "部门"),
    ("2022年，省农业农村厅坚持以习近平新时代中国特色社会主义思想为指导。", "省农业农村厅", "部门"),
    ("2025年，在县委的坚强领导下，在市委、市政府的精心指导下，沅陵县人民政府坚持依法行政。", "沅陵县人民政府", "区县"),
    ("根据市委要求，现将市人社局2021年法治政府建设情况报告如下。", "市人力资源和社会保障局", "部门"),
    ("2021年，司法部堅持以習近平法治思想為指導，全面推進依法行政。", "司法部", "部门"),
])
def test_issuer_is_the_subject_of_the_opening_sentence(opening, issuer, level):
    m = meta(opening)
    assert m.issuer == issuer and m.level == level


def test_a_verb_phrase_is_never_taken_for_a_subject():
    m = meta("我镇以习近平法治思想为指导，以提高我镇法治建设水平为目标，进一步推进法治政府建设。")
    assert m.issuer is None or "提高" not in m.issuer


def test_short_form_completed_from_a_full_name_the_page_writes():
    m = meta("2023年，市公安局认真贯彻落实法治政府建设部署，制定《宜春市公安局执法规范化建设方案》。")
    assert m.issuer == "宜春市公安局"
    assert (m.place.province, m.place.city) == ("江西省", "宜春市")


def test_a_text_that_only_says_we_takes_the_name_its_own_documents_carry():
    m = meta("2022年，我局深入学习贯彻习近平法治思想。制定《江门市新会区统计局2022年“双随机、一公开”监管年度抽查计划》，"
             "印发《江门市新会区统计局关于加强依法统计工作的通知》。")
    assert m.issuer == "江门市新会区统计局" and m.level == "部门"


def test_street_office_is_a_town_of_its_district():
    m = meta("北京市朝阳区人民政府建外街道办事处\n关于2023年法治政府建设情况的报告\n区委、区政府：\n"
             "2023年，建外街道坚持依法行政。")
    assert m.issuer == "北京市朝阳区人民政府建外街道办事处" and m.level == "乡镇街道"
    assert (m.place.city, m.place.county, m.place.town) == ("北京市", "朝阳区", "建外街道")


def test_place_implied_by_the_issuer_and_provinces_by_short_name():
    m = meta("静海区2023年法治政府建设情况报告\n2023年，全区坚持依法行政。")
    assert (m.place.province, m.place.county, m.level) == ("天津市", "静海区", "区县")
    m = meta("2024年，广东坚持以习近平新时代中国特色社会主义思想为指导。全省各级行政机关依法行政。")
    assert m.place.province == "广东省" and m.level == "省" and m.issuer == "广东省人民政府"


@pytest.mark.parametrize("opening,want", [
    ("2023年，全省交通运输系统坚持依法行政。我厅深入推进法治政府部门建设。", "部门"),  # a 厅 whatever 全省 says
    ("2023年，全区各级行政机关坚持依法行政，自治区党委、政府高度重视。广西法治政府建设取得新成效。", "省"),
    ("2024年，全市各区、各部门在市委、市政府的坚强领导下坚持依法行政。上海法治政府建设迈上新台阶。", "省"),
])
def test_level(opening, want):
    assert meta(opening).level == want


def test_department_signing_a_towns_report_is_the_town():
    # a town's report signed by the town's branch of a department: the text keeps saying 我镇
    body = BODY + "\n东莞市司法局桥头分局\n2019年12月2日\n"
    m = meta("我镇坚持依法行政。我镇全面推进法治建设。我镇持续深化改革。我镇办结案件，我分局配合。", body)
    assert m.issuer == "东莞市司法局桥头分局" and m.level == "乡镇街道"


@pytest.mark.parametrize("head,want", [
    ("[ 发布机构 ] 开州区政府办公室 [ 主题分类 ] 其他\n[ 成文日期 ] 2026-01-27 [ 发布日期 ] 2026-01-28\n", "2026-01-28"),
    ("成文日期: | 2025-02-14 | 发布日期: | 2025-02-15 |\n发布机构: | 河东区汤头街道 |\n", "2025-02-15"),
    ("公开日期\n2018年04月28日\n", "2018-04-28"),
    ("發布時間：2023-01-03 10:00\n", "2023-01-03"),
])
def test_publish_date_from_page_tables(head, want):
    m = meta(head + "某某县2022年法治政府建设情况报告\n2022年，全县坚持依法行政，取得明显成效，群众满意度持续提升。")
    assert m.publish_date == want


@pytest.mark.parametrize("line,want", [
    ("2019-05-09", "2019-05-09"),
    ("2026-01-20 17:01  |  武汉市水务局", "2026-01-20"),
    ("25.02.2016  10:00", "2016-02-25"),
    ("• 2023年03月30日 09时24分", "2023-03-30"),
])
def test_publish_date_from_a_bare_date_line_under_the_headline(line, want):
    m = meta(f"生态环境部2018年法治政府建设工作总结\n{line}\n2018年，我部坚持依法行政，取得明显成效，群众满意度持续提升。")
    assert m.publish_date == want


def test_sign_date_at_the_end_is_not_a_publish_date():
    m = meta("某某县2023年法治政府建设情况报告\n2023年，全县坚持依法行政。", BODY + "某某县人民政府\n2024年3月1日\n")
    assert m.publish_date is None and m.sign_date == "2024-03-01"


def test_organ_kinds_and_joint_split():
    assert body_kind("北京市城市管理委员会") == "dept"
    assert body_kind("洪江区管理委员会") == "gov"
    assert body_kind("中共蓬溪县红江镇委员会") == "party"
    assert body_kind("海关总署党委") == "dept"
    assert split_joint("海关总署党委 海关总署") == ["海关总署党委", "海关总署"]
    assert split_joint("东莞市 司法局") == ["东莞市司法局"]
    assert split_joint("中共重庆市铜梁区永嘉镇委员会") == ["中共重庆市铜梁区永嘉镇委员会"]
    assert expand_abbreviation("厦门市海沧区政府") == "厦门市海沧区人民政府"
    assert expand_abbreviation("通城县人社局") == "通城县人力资源和社会保障局"


def test_traditional_title_is_read_and_judged_in_simplified_form():
    text = "汕頭市龍湖區教育局2022年法治政府建設年度報告\n2022年，龍湖區教育局堅持依法行政。" + BODY
    span, page = find_body(text)
    report = pipeline.analyze_document(Document(Source("x.txt", "txt", "utf-8", ""), text, span, page))
    assert report.metadata.title == "汕頭市龍湖區教育局2022年法治政府建設年度報告"  # as written
    assert report.metadata.issuer == "汕头市龙湖区教育局"  # a name to file under: simplified
    assert report.metadata.level == "部门"
    assert not [f for f in report.findings if f.rule == "title-form"]


def test_report_year_is_never_taken_from_next_years_heading():
    body = ("\n一、坚持高位推动，全面提升法治政府建设水平\n全年办理行政复议案件12件，组织集中学法4次。\n"
            "二、需要改进的方面\n基层执法力量仍显不足。\n三、党政主要领导带头抓法治建设情况\n镇党委书记主持专题会议3次。\n"
            "四、2024年重点工作\n将进一步完善制度，计划开展培训。\n")
    m = meta("某某镇人民政府法治政府建设情况报告\n县委、县政府：\n我镇坚持依法行政。", body)
    assert m.report_year != 2024
