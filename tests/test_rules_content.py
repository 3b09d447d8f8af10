"""Content rules on real text: secrecy markers, personal data, boilerplate, quantification, areas."""
from __future__ import annotations

from conftest import report_of, sample_text, seed_report

from fazhi.report import Heading, Indicator, Report
from fazhi.review.checks import content as ct




def quotes(check, r: Report) -> list[str]:
    return [r.text[h.start:h.end] for h in check(r) if h.start is not None]


# ---- secrecy markers
def test_secrecy_markings():
    opening = sample_text("000")[:200]
    for marking in ("秘密★1年", "机密★", "内部资料 注意保存", "（内部资料）"):
        r = report_of(f"{marking}\n{opening}")
        assert quotes(ct.secrecy_marker, r) == [marking], marking


def test_secrecy_words_about_secrecy_work_are_clean():
    text = ("学习《中华人民共和国民法典》国家安全法、《中华人民共和国保守国家秘密法》和《中国共产党支部工作条例(试行)》。"  # 002
            "落实重大行政决策公开制度,除依法应当保密的外,决策事项、依据和结果全部公开。"  # 002
            "严格落实保密工作责任制，防止泄露国家秘密和商业秘密，加强涉密人员管理。")
    assert quotes(ct.secrecy_marker, report_of(text)) == []
    assert quotes(ct.secrecy_marker, seed_report("002")) == []


# ---- personal data
def test_id_and_mobile_numbers():
    # GB 11643-1999 example number (valid check digit) and a mobile number in 004's sentence
    text = ("当事人身份证号码11010519491231002X。"
            "我镇已在东莞市人民政府门户网站中向社会公布投诉举报电话13800138000、通讯地址及电子邮箱。")
    r = report_of(text)
    hits = list(ct.personal_data(r))
    assert [r.text[h.start:h.end] for h in hits] == ["11010519491231002X", "13800138000"]
    assert "13800138000" not in hits[1].message  # the message masks the number


def test_hotlines_amounts_and_bad_checksums_are_clean():
    text = ("持续完善阳光热线、12345政府服务热线等信访渠道建设。"   # 004
            "完成“12345”政务服务便民热线归并优化工作,共接听市民来电2449个。"  # 001
            "审计资金共计301,383万元。查封、冻结、扣押涉案资产15000000000元。"
            "编号110105194912310021。")  # wrong check digit
    assert list(ct.personal_data(report_of(text))) == []
    assert list(ct.personal_data(seed_report("001"))) == []


def test_id_checksum():
    assert ct.id_checksum_ok("11010519491231002X")
    assert not ct.id_checksum_ok("110105194912310021")


# ---- boilerplate
def test_stock_sentences():
    assert ct.is_stock("部分领导干部对法治政府建设的重视度不够,缺乏积极性")            # 000
    assert ct.is_stock("一些干部和部分执法人员依法办事的意识和能力需进一步提高")        # 001
    assert not ct.is_stock("执法队员均是兼职,执法队员对执法事项、执法流程不熟悉,造成执法能力不足")  # 000
    assert not ct.is_stock("2021年共收到行政复议申请7件,现已审结5件")                 # 001


def _with_shortcomings(section: str) -> Report:
    text = "二、存在的不足和原因\n" + section + "\n三、下一年度工作安排\n加强执法人员培训。"
    r = report_of(text)
    r.outline = [Heading(1, "二、", 2, "存在的不足和原因", 0, 10, section_end=11 + len(section)),
                 Heading(1, "三、", 3, "下一年度工作安排", 12 + len(section), len(text))]
    r.parts["shortcomings"] = 0
    return r


def test_shortcomings_part_made_of_stock_phrases():
    section = ("二是法治政府建设意识有待提高。部分领导干部对法治政府建设的重视度不够,缺乏积极性。"   # 000
               "一些干部和部分执法人员依法办事的意识和能力需进一步提高;"                       # 001
               "监督检查力度有待提升。法治宣传教育的针对性和实效性不强。")                     # 003, rules.md R27
    hits = [h for h in ct.boilerplate_density(_with_shortcomings(section)) if h.start is not None]
    assert len(hits) == 1 and hits[0].severity == "warning"


def test_concrete_shortcomings_parts_are_not_stock():
    for prefix in ("000", "001", "002", "003", "004"):
        assert list(ct.boilerplate_density(seed_report(prefix))) == [], prefix


# ---- quantification density
def _indicators(r: Report, quotes_: list[str]) -> list[Indicator]:
    out = []
    for q in quotes_:
        i = r.text.index(q)
        out.append(Indicator(subject=q, value=1, unit=None, qualifier=None, start=i, end=i + len(q)))
    return out


def test_low_quantification_density_seed_003():
    r = seed_report("003")
    r.indicators = _indicators(r, ["化解各类矛盾纠纷127起"])
    hits = list(ct.quantification_density(r))
    assert len(hits) == 1 and "每千字" in hits[0].message


def test_quantified_report_and_missing_indicator_stage():
    r = seed_report("000")
    r.indicators = []
    assert list(ct.quantification_density(r)) == []  # no indicator stage: the rule is skipped
    r.indicators = _indicators(r, ["研究法治政府建设工作4次", "专题会议部署法治政府建设工作5次", "建成率100%",
                                   "集中学法合计10余次", "法治培训班5期", "培训干部职工300人", "组织开展4次普法队伍培训",
                                   "受理调处各类矛盾纠纷237件", "处理信访问题3件", "办理政府服务热线325件",
                                   "办件率100%", "回复率100%", "行政处罚1次", "行政检查78次", "通过率100%",
                                   "进行普法宣传12次", "发放法律宣传资料20000余份"])
    assert list(ct.quantification_density(r)) == []


# ---- uncovered areas
def test_uncovered_areas_reported_when_the_area_stage_ran():
    r = seed_report("000")
    r.areas = {}
    assert list(ct.areas_uncovered(r)) == []  # no area stage: skipped
    r.areas = {"uncovered": ["overall", "digital"],
               "coverage": {"overall": {"short": "总体要求"}, "functions": {"short": "政府职能"},
                            "digital": {"short": "数字法治政府"}}}
    hits = list(ct.areas_uncovered(r))
    assert len(hits) == 1 and "数字法治政府" in hits[0].message and "总体要求" not in hits[0].message
    r.areas["uncovered"] = ["overall"]
    assert list(ct.areas_uncovered(r)) == []
