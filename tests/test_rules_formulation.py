"""Standard formulations and anachronisms, on real sentences of the samples and of rules.md E3/E4."""
from __future__ import annotations

import pytest

from fazhi.report import Report, Source, Span
from fazhi.review.checks import formulation as fm
from fazhi.text.view import make_view


def report_of(text: str, year: int | None = None, sign_date: str | None = None) -> Report:
    r = Report(source=Source("t.txt", "txt", "utf-8", ""), text=text, body=Span(0, len(text)))
    r.view = make_view(text)
    r.metadata.report_year = year
    r.metadata.sign_date = sign_date
    return r


def found(check, text: str, **kw) -> list[tuple[str, str | None, str | None]]:
    r = report_of(text, **kw)
    return [(r.text[h.start:h.end], h.suggestion, h.severity) for h in check(r)]


# 002: 全面贯彻党的二十大和二十二中、三中全会精神
S002_PLENUM = "坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻党的二十大和二十二中、三中全会精神,全面贯彻习近平法治思想。"


def test_missing_jie_in_plenum_seed_002():
    hits = found(fm.formulation_standard, S002_PLENUM, year=2024)
    assert [(q, s) for q, s, _ in hits] == [("二十二中、三中全会", "改为“二十届二中、三中全会”。")]
    assert hits[0][2] == "error"


def test_right_plenum_form_is_clean():
    text = S002_PLENUM.replace("二十二中、三中全会", "二十届二中、三中全会")
    assert found(fm.formulation_standard, text, year=2024) == []
    # 001: 深入学习……十九届六中全会精神
    assert found(fm.formulation_standard, "深入学习习近平总书记关于全面依法治国的重要讲话指示精神及十九届六中全会精神。",
                 year=2021) == []


@pytest.mark.parametrize("wrong,right", [
    ("习近平法制思想", "习近平法治思想"),                      # E4.2
    ("党的20大", "党的二十大"),                                 # E4.3
    ("党的20届3中全会", "党的二十届三中全会"),                 # E3.1
    ("二十届3中全会", "二十届三中全会"),                       # E3.1
    ("法制政府建设", "法治政府"),                              # E4.14
    ("依法制县", "依法治县"),                                  # E4.14
    ("法治政府建设与责任落实督查工作规定", "督察"),             # E4.6
    ("责任落实督查规定", "督察"),                              # E4.6
    ("推进法治建设的第一责任人职责规定", "党政主要负责人履行推进法治建设第一责任人职责规定"),  # E4.5
    ("“不忘初心，牢记使命”主题教育", "不忘初心、牢记使命"),   # E4.11
    ("进一步强化党政主要负责人履行法治建设第一负责人职责", "第一责任人"),  # seed 004
])
def test_wrong_forms_of_rules_md_e3_e4(wrong, right):
    hits = found(fm.formulation_standard, f"深入学习{wrong}。", year=2023)
    assert len(hits) == 1 and right in hits[0][1]


def test_legitimate_fazhi_terms_are_whitelisted():
    text = ("完善各领域重大执法决定法制审核事项标准和音像记录管理等配套制度。"   # 002
            "强化规范性文件合法性审查、备案监督工作,维护法制统一,保障群众合法权益。"  # 001
            "凡重大、复杂涉法信访案件,都要求法制人员参与。"                      # 001
            "在市依法行政领导小组及市法制局的领导下。"                            # 004
            "严格遵守依法制定的规范性文件。")
    assert found(fm.formulation_standard, text, year=2021) == []


def test_fazhi_publicity_depends_on_the_year():
    text = "定期组织各村利用大喇叭广播进行普法宣传,让群众随处可以受到法制宣传教育。"  # 002
    hits = found(fm.formulation_standard, text, year=2024)
    assert [(q, sev) for q, _, sev in hits] == [("法制宣传", "info")]
    assert found(fm.formulation_standard, text, year=2015) == []


def test_wrong_form_inside_longer_whitelisted_term_is_shielded():
    hits = fm.wrong_forms(make_view("区司法局法制宣传科负责"), 0, 11)
    assert hits == []


def test_slogans_without_quotation_marks():
    hits = found(fm.formulation_quotes, "坚决做到两个维护，深入开展八五普法。")  # rules.md E4.4, E4.9
    assert [q for q, _, _ in hits] == ["两个维护", "八五普法"]
    assert "“八五”普法" in hits[1][1]
    # 001 writes them with quotation marks
    text = "作为增强“四个意识”、坚定“四个自信”、做到“两个维护”的具体行动。深入推进“八五”普法规划贯彻落实。"
    assert found(fm.formulation_quotes, text) == []


# ---- anachronisms
S000_CONGRESS = "深入学习宣传习近平法治思想的重大意义、丰富内涵、精神实质和实践要求,深入贯彻落实党的二十大精神。"


def _entries(text: str, **kw) -> list[str]:
    r = report_of(text, **kw)
    return [h.extra["entry"] for h in fm.anachronism(r)]


def test_twentieth_congress_before_october_2022():
    assert _entries(S000_CONGRESS, year=2021) == ["cpc-20th-congress"]
    assert _entries(S000_CONGRESS, year=2022) == []
    assert _entries(S000_CONGRESS, year=2023) == []


def test_third_plenum_before_july_2024():
    text = "全面贯彻党的二十大和二十届二中、三中全会精神。"
    assert "cpc-20th-3rd-plenum" in _entries(text, year=2023)
    assert _entries(text, year=2024) == []


def test_plenum_early_next_year_is_allowed_before_the_sign_date():
    # a report on 2022 signed on 2023-03-01 may cite the 二中全会 of February 2023
    text = "深入学习贯彻党的二十大和二十届二中全会精神。"
    assert _entries(text, year=2022, sign_date="2023-03-01") == []
    assert _entries(text, year=2022, sign_date="2023-01-10") == ["cpc-20th-2nd-plenum"]


def test_sixth_plenum_of_19th_committee():
    text = "深入学习习近平总书记关于全面依法治国的重要讲话指示精神及十九届六中全会精神。"  # 001
    assert _entries(text, year=2021) == []
    assert _entries(text, year=2020) == ["cpc-19th-6th-plenum"]


def test_eighth_and_seventh_publicity_plans():
    eighth = "深入推进“八五”普法规划贯彻落实,加大全民普法力度,着力提升公民法治素养。"  # 000
    assert _entries(eighth, year=2023) == []
    assert "plan-8th-publicity" in _entries(eighth, year=2019)
    seventh = "通过年度普法工作要点细化全镇“七五”普法工作任务。"  # 004
    assert _entries(seventh, year=2019) == []
    assert _entries(seventh, year=2021) == ["plan-7th-publicity-current"]
    looking_back = "全面完成“七五”普法总结验收工作，“八五”普法规划顺利开局。"
    assert _entries(looking_back, year=2021) == []


def test_goal_formula_of_the_2015_outline():
    old = "建设职能科学、权责法定、执法严明、公开公正、廉洁高效、守法诚信的法治政府。"  # rules.md E4.10
    assert _entries(old, year=2021) == ["goal-formula-2015"]
    assert _entries(old, year=2019) == []
    new = "全面建设职能科学、权责法定、执法严明、公开公正、智能高效、廉洁诚信、人民满意的法治政府。"  # 002
    assert _entries(new, year=2024) == []
    assert _entries(new, year=2019) == ["goal-formula-2021"]


def test_no_year_no_anachronism():
    assert _entries(S000_CONGRESS, year=None) == []


def test_pack_entries_cite_sources_and_dates():
    pack = fm.anachronism_pack()
    assert pack["version"]
    for e in pack["entries"]:
        assert e["source"] and (e.get("effective_from") or e.get("effective_to")), e["id"]
    for e in fm.formulation_data()["entries"] + fm.formulation_data()["patterns"]:
        assert e["source"], e
    # issue 12: at least 100 dated or sourced formulations in the two packs together
    assert len(pack["entries"]) + len(fm.formulation_data()["entries"]) + len(fm.formulation_data()["patterns"]) >= 100


def test_looking_forward_to_the_congress_is_no_anachronism():
    # reports on 2021 (written early 2022) looked forward to the congress
    assert _entries("以优异成绩迎接党的二十大胜利召开。", year=2021) == []
    assert _entries("认真谋划“八五”普法规划。", year=2020) == []
