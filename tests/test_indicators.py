"""Quantitative indicators, on sentences from the sample reports (src/fazhi/samples)."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from fazhi.extract.indicators import extract_indicators, measure_of

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "fazhi" / "samples"


def sample(prefix: str) -> str:
    return next(SAMPLES.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def find(text: str, quote: str) -> list:
    """Indicators whose span overlaps `quote` in `text`."""
    k = text.index(quote)
    return [i for i in extract_indicators(text) if i.start < k + len(quote) and k < i.end]


def one(text: str, quote: str, value) -> object:
    hits = [i for i in find(text, quote) if i.value == value]
    assert len(hits) == 1, (quote, hits)
    return hits[0]


# ------------------------------------------------------------------ numerals and units
def test_number_after_its_noun():
    ind = one(sample("000"), "受理调处各类矛盾纠纷237件", 237)
    assert "矛盾纠纷" in ind.subject and ind.unit == "件" and ind.qualifier is None
    assert ind.measure == "矛盾纠纷调处数"


def test_number_before_its_noun():
    ind = one(sample("000"), "组织开展4次普法队伍培训", 4)
    assert ind.subject.startswith("普法队伍培训") and ind.unit == "次"
    ind = one(sample("002"), "协调4名法律顾问", 4)
    assert ind.subject == "法律顾问" and ind.unit == "名" and ind.measure == "法律顾问人数"
    ind = one(sample("001"), "调处近100起矛盾纠纷", 100)
    assert ind.subject == "矛盾纠纷" and ind.unit == "起" and ind.qualifier == "近"


def test_span_points_into_the_original_text():
    text = sample("001")
    for ind in extract_indicators(text):
        assert ind.raw and ind.raw in text[ind.start:ind.end]


def test_list_sharing_one_verb_gives_one_indicator_per_item():
    text = sample("000")
    inds = find(text, "开展行政执法人员培训4次、行政处罚1次、行政检查78次")
    assert [(i.subject, i.value, i.unit) for i in inds] == [
        ("行政执法人员培训", 4, "次"), ("行政处罚", 1, "次"), ("行政检查", 78, "次")]
    assert inds[2].measure == "行政检查次数"


def test_list_ending_in_a_total_keeps_the_whole_list():
    ind = one(sample("004"), "扫黑除恶专题讲座、宪法专题讲座和人民调解讲座共52场", 52)
    assert ind.subject == "扫黑除恶专题讲座、宪法专题讲座和人民调解讲座"


def test_two_measures_sharing_one_value():
    inds = find(sample("004"), "学法考试参与率和通过率均为100%")
    assert [(i.subject, i.value, i.unit) for i in inds] == [("学法考试参与率", 100, "%"), ("通过率", 100, "%")]
    assert [i.measure for i in inds] == ["学法考试参考率", "学法考试通过率"]


def test_unit_slips_are_repaired():
    assert one(sample("000"), "培训干部职工300人\\次", 300).unit == "人次"
    ind = one(sample("001"), "出动执法人员600余人(次)", 600)
    assert ind.unit == "人次" and ind.qualifier == "余" and "执法人员" in ind.subject


def test_decimals_percentages_and_separators():
    text = sample("001")
    assert one(text, "满意率99.9%", 99.9).unit == "%"
    ind = one(sample("004"), "调解成功率达98.20%", 98.2)
    assert ind.subject == "调解成功率" and ind.qualifier == "达" and ind.raw == "98.20"
    ind = one(sample("003"), "参考率100 %", 100)
    assert ind.subject == "参考率" and ind.unit == "%"
    ind = one(sample("004"), "审计资金共计301,383万元", 301383)
    assert ind.unit == "万元" and ind.subject == "审计资金" and ind.raw == "301,383"


def test_scaled_units_keep_the_value_as_written():
    ind = one(sample("001"), "罚款金额总计51.05万元", 51.05)
    assert ind.unit == "万元" and ind.subject == "罚款金额" and ind.measure == "罚没金额"
    ind = one(sample("004"), "调解涉及金额约1502万元人民币", 1502)
    assert ind.unit == "万元" and ind.qualifier == "约"


def test_qualifiers():
    text = sample("004")
    ind = one(text, "超过1200多万元", 1200)
    assert ind.unit == "万元" and "超过" in ind.qualifier and "多" in ind.qualifier
    assert one(text, "普法广告1200余次", 1200).qualifier == "余"
    assert one(sample("001"), "100多份", 100).qualifier == "多"
    assert one(sample("001"), "涉案金额近300万元", 300).qualifier == "近"
    assert one(text, "涉及人数约730人", 730).qualifier == "约"
    # 共 / 累计 / 合计 are not qualifiers
    assert one(text, "累计提供法律服务503次", 503).qualifier is None
    assert one(sample("001"), "共立刑事案件191起", 191).qualifier is None


@pytest.mark.parametrize("sentence, value, unit, qualifier", [
    # Chinese numerals: the seeds' own 两期 and variants of seed sentences in Chinese numerals
    ("2019年共举办一期领导干部法治专题培训班和两期法治专题讲座。", 2, "期", None),
    ("2023年以来,红江镇共组织党委会会前学法、党委中心组集中学法合计十余次,", 10, "次", "余"),
    ("全年共出动执法人员三千余人,", 3000, "人", "余"),
    ("调解成功率达百分之六十三点五,", 63.5, "%", "达"),
    ("派发宣传资料2万余份,", 2, "万份", "余"),
    ("提高群众满意度５个百分点，", 5, "个百分点", None),
])
def test_chinese_and_mixed_numerals(sentence, value, unit, qualifier):
    inds = extract_indicators(sentence)
    assert [(i.value, i.unit, i.qualifier) for i in inds if i.value == value] == [(value, unit, qualifier)]


# ------------------------------------------------------------------ subjects
@pytest.mark.parametrize("prefix, quote, value, subject", [
    ("000", "2023年来受理调处各类矛盾纠纷237件", 237, "受理调处各类矛盾纠纷"),   # time word
    ("000", "全年处理信访问题3件", 3, "处理信访问题"),                          # 全年
    ("001", "全年共出动执法人员600余人(次)", 600, "出动执法人员"),              # 全年共
    ("004", "今年累计播放普法广告1200余次", 1200, "播放普法广告"),              # 今年累计
    ("000", "2023年全镇开展行政执法人员培训4次", 4, "行政执法人员培训"),        # year + actor + light verb
    ("001", "区管委全年召开党组会议12次", 12, "党组会议"),                      # actor + light verb
    ("001", "评价总数40791条", 40791, "评价总数"),
    ("000", "办件率100%", 100, "办件率"),
    ("004", "面积将达3600平方米", 3600, "政务服务中心政务大厅面积"),
    ("001", "接待群众来访533批1067人次", 1067, "接待群众来访"),                # glued numbers share a subject
    ("004", "30名执法证到期的执法人员", 30, "执法人员"),
    ("002", "由117法律明白人组成", 117, "法律明白人"),                          # 由 N X 组成, unit lost
])
def test_subjects_a_reader_accepts(prefix, quote, value, subject):
    assert one(sample(prefix), quote, value).subject == subject


def test_a_bare_verb_is_not_a_subject():
    # 共立刑事案件191起,破76起: "破" alone names nothing
    assert not [i for i in find(sample("001"), "破76起") if i.value == 76]


# ------------------------------------------------------------------ not indicators
@pytest.mark.parametrize("prefix, quote", [
    ("000", "2023 年工作要点"), ("000", "蓬法委发〔2023〕2 号"), ("000", "蓬法委办发〔2023〕1号"),
    ("000", "2024年1月19日"), ("000", "第一责任人"), ("000", "“三重一大”"), ("000", "一是"),
    ("000", "“八五”普法"), ("000", "“一村(社区)一顾问”"), ("000", "四项制度"),
    ("001", "“12345”政务服务便民热线"), ("001", "12345市长热线"), ("001", "12369环保举报平台"),
    ("001", "(2021-2025)"), ("001", "厅字〔2019〕28号"), ("001", "6月1日"), ("001", "洪法联字〔2017〕3号"),
    ("001", "“两个维护”"), ("001", "“四个意识”"), ("001", "十九届六中全会"), ("001", "“十四五”"),
    ("001", "五级N同"), ("001", "连续十二年"),
    ("002", "12.4国家宪法宣传日"), ("002", "2025110"), ("002", "IE版本小于11"), ("002", "14:10"),
    ("002", "行政执法三项制度"), ("002", "2024年度"),
    ("003", "（2021－2025年）"), ("003", "“八五”普法"),
    ("004", "2018年12月2日"), ("004", "6月12日"), ("004", "5月1日"), ("004", "10月30日"),
    ("004", "(2016-2020年)"), ("004", "2019年12月2日"), ("004", "“1+5”团队"), ("004", "“非公经济50条”"),
    ("004", "2017年至2019年"), ("004", "24小时"),
])
def test_not_an_indicator(prefix, quote):
    assert find(sample(prefix), quote) == []


def test_political_numerals_without_quotes():
    assert extract_indicators("增强四个意识、坚定四个自信、做到两个维护，全面推开行政执法三项制度，落实一村一顾问") == []
    assert extract_indicators("深入推进八五普法规划贯彻落实，学习十九届六中全会精神") == []


# ------------------------------------------------------------------ measures
@pytest.mark.parametrize("subject, family, context, measure", [
    ("化解各类矛盾纠纷", "cases", "", "矛盾纠纷调处数"),
    ("领导干部理论中心组集中学法", "times", "", "学法次数"),
    ("按时办结率", "percent", "完成“12345”政务服务便民热线归并优化工作,共接听市民来电2449个,", "热线办结率"),
    ("收到行政复议申请", "cases", "", "行政复议案件数"),
    ("办理行政应诉案件", "cases", "", "行政应诉案件数"),
    ("公开发布政府规范性文件", "cases", "", "规范性文件数"),
    ("法治宣传进村居活动", "times", "", "普法宣传活动次数"),
    ("刑事拘留", "persons", "", None),
])
def test_measures(subject, family, context, measure):
    assert measure_of(subject, family, context) == measure


# ------------------------------------------------------------------ the hand-checked list
def _checker():
    spec = importlib.util.spec_from_file_location("check_indicators", ROOT / "scripts" / "check_indicators.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_output_matches_the_hand_checked_list():
    ci = _checker()
    checked = ci.read_checked()
    now = ci.current_rows()
    old_keys, new_keys = {ci.key(r) for r in checked}, {ci.key(r) for r in now}
    assert new_keys == old_keys, (
        "indicator output drifted from tests/data/indicators_checked.tsv; run scripts/check_indicators.py "
        f"and re-check the unchecked rows. added={sorted(new_keys - old_keys)[:5]} removed={sorted(old_keys - new_keys)[:5]}")
    assert all(r["verdict"] in ("right", "wrong") for r in checked)
    assert len(checked) >= 150
    right = sum(r["verdict"] == "right" for r in checked)
    assert right / len(checked) >= 0.95


def test_checked_quotes_are_the_text_at_the_span():
    ci = _checker()
    for r in ci.read_checked():
        text = (SAMPLES / r["file"]).read_text(encoding="utf-8")
        assert text[int(r["start"]):int(r["end"])].replace("\n", " ") == r["quote"]


def test_speed():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    for t in texts:
        extract_indicators(t)  # data files loaded once
    t0 = time.perf_counter()
    for t in texts:
        extract_indicators(t)
    per_report = (time.perf_counter() - t0) / len(texts)
    assert per_report < 0.03


def test_subject_never_crosses_a_line_break_into_a_heading():
    text = "一、主要举措和成效\n全年办理行政执法案件35件。"
    (ind,) = extract_indicators(text)
    assert ind.subject == "办理行政执法案件" and "\n" not in text[ind.start:ind.end]
