"""Place resolution through the 民政部 division table (data/divisions*.tsv)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import sample_text
from fazhi.extract.places import find_division_names, resolve_place


def _line(prefix: str, needle: str) -> str:
    """The sample's line containing `needle`, stripped: the strings the metadata stage hands over."""
    (line,) = [ln.strip() for ln in sample_text(prefix).splitlines() if needle in ln][:1]
    return line


def _opening(prefix: str, lines: int = 6) -> str:
    return "\n".join(sample_text(prefix).splitlines()[:lines])


def _pcct(place) -> tuple:
    return (place.province, place.city, place.county, place.town)


# --- the five seeds --------------------------------------------------------------------------

def test_seed_town_party_committee_chain():
    issuer = _line("000", "中共蓬溪县红江镇委员会")
    place = resolve_place([issuer, "县委、县政府", _opening("000")])
    assert _pcct(place) == ("四川省", "遂宁市", "蓬溪县", "红江镇")
    assert place.adcode == "510921106000"


def test_seed_management_district_not_in_table_takes_city_from_addressee():
    title = _line("001", "关于2021年度法治政府建设工作情况的报")
    issuer = title.split("关于")[0]
    addressee = _line("001", "中共怀化市委").rstrip(":：")
    place = resolve_place([issuer, title, addressee, _opening("001")])
    assert _pcct(place) == ("湖南省", "怀化市", "洪江区", None)
    assert place.adcode == "431200000000"  # the deepest official unit is the city


def test_seed_municipality_town_from_source_line():
    source = _line("002", "来源").split("来源:")[1].split("发布时间")[0].strip()
    assert source == "天津市武清区大王古庄镇人民政府"
    title = _line("002", "大王古庄镇2024年法治政府建设情况报告")
    place = resolve_place(["大王古庄镇人民政府", title, source, _opening("002", 8)])
    assert _pcct(place) == ("天津市", "天津市", "武清区", "大王古庄镇")
    # the bare town name alone is unique in the table and resolves as well
    assert _pcct(resolve_place([title])) == ("天津市", "天津市", "武清区", "大王古庄镇")


def test_seed_joint_issuers_chongqing_disambiguate_town():
    issuer = " ".join(_line("003", n) for n in ("中共重庆市潼南区古溪镇委员会", "重庆市潼南区古溪镇人民政府"))
    place = resolve_place([issuer, "关于2021年法治政府建设工作情况报告", "区委、区政府", _opening("003")])
    assert _pcct(place) == ("重庆市", "重庆市", "潼南区", "古溪镇")
    # 古溪镇 alone is ambiguous (泰兴市 and 潼南区): town kept, nothing above it guessed
    assert _pcct(resolve_place(["古溪镇人民政府"])) == (None, None, None, "古溪镇")


def test_seed_department_branch_town_from_text():
    issuer = _line("004", "东莞市司法局桥头分局")
    place = resolve_place([issuer, _opening("004", 8)])
    assert _pcct(place) == ("广东省", "东莞市", None, "桥头镇")
    assert place.adcode == "441900000000"


# --- general cases from real division names --------------------------------------------------

@pytest.mark.parametrize("texts, expected", [
    (["朝阳区人民政府"], (None, None, "朝阳区", None)),
    (["朝阳区人民政府", "吉林省人民政府"], ("吉林省", "长春市", "朝阳区", None)),
    (["中共朝阳区委 朝阳区人民政府", "中共北京市委、北京市人民政府"], ("北京市", "北京市", "朝阳区", None)),
    (["鼓楼区司法局", "福州市人民政府"], ("福建省", "福州市", "鼓楼区", None)),
    (["南山区人民政府"], (None, None, "南山区", None)),
    (["深圳市南山区人民政府"], ("广东省", "深圳市", "南山区", None)),
])
def test_ambiguous_county_disambiguated_only_by_named_parent(texts, expected):
    assert _pcct(resolve_place(texts)) == expected


@pytest.mark.parametrize("texts, expected", [
    (["上海市浦东新区人民政府"], ("上海市", "上海市", "浦东新区", None)),
    (["中共北京市委 北京市人民政府"], ("北京市", "北京市", None, None)),
    (["阿坝藏族羌族自治州人民政府"], ("四川省", "阿坝藏族羌族自治州", None, None)),
    (["凉山州司法局"], ("四川省", "凉山彝族自治州", None, None)),
    (["中共凉山彝族自治州委员会"], ("四川省", "凉山彝族自治州", None, None)),
    (["石柱县人民政府"], ("重庆市", "重庆市", "石柱土家族自治县", None)),
    (["济源市人民政府"], ("河南省", None, "济源市", None)),  # 省直辖县级市: no prefecture
    (["石家庄市长安区建北街道办事处"], ("河北省", "石家庄市", "长安区", "建北街道")),
    (["遂宁市司法局"], ("四川省", "遂宁市", None, None)),
    (["蓬溪县市场监督管理局", "遂宁市人民政府"], ("四川省", "遂宁市", "蓬溪县", None)),
    (["中共蓬溪县委"], ("四川省", "遂宁市", "蓬溪县", None)),
    (["安徽省马鞍山市和县人民政府"], ("安徽省", "马鞍山市", "和县", None)),
])
def test_general_issuers(texts, expected):
    assert _pcct(resolve_place(texts)) == expected


def test_county_report_does_not_descend_to_a_town_named_in_the_opening():
    opening = "2023年,全县各乡镇扎实推进法治建设,红江镇、赤城镇等地成效明显。"
    place = resolve_place(["蓬溪县人民政府", opening])
    assert _pcct(place) == ("四川省", "遂宁市", "蓬溪县", None)
    assert place.adcode == "510921000000"


def test_issuer_first_even_when_opening_names_other_places():
    opening = "学习借鉴浙江省杭州市西湖区经验,深化依法行政。"
    assert _pcct(resolve_place(["遂宁市人民政府", opening])) == ("四川省", "遂宁市", None, None)


# --- negatives ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "加强社区建设,推进新区和经济开发区市场监管,完善中心城区和老城区改造",
    "在县委、县政府的正确领导下,深入贯彻落实省委、市委、区委的部署",
    "依法治镇领导小组,全镇各村(社区)整体联动,推进建设中心镇",
    "蓬溪中学和遂宁一中开展法治教育",
    "规范农贸市场和海城市场秩序,各区市和县开展执法检查",
])
def test_no_division_in_generic_words(text):
    assert find_division_names(text) == []
    assert _pcct(resolve_place([text])) == (None, None, None, None)


def test_unofficial_county_needs_an_organ_context():
    # a 管理区 is kept from an organ name, not from a free sentence
    assert resolve_place(["中共洪江区工委"]).county == "洪江区"
    assert resolve_place(["全面推进高新区管委会建设"]).county is None


# --- find_division_names ---------------------------------------------------------------------

def test_find_division_names_spans_in_real_text():
    text = sample_text("002")
    found = find_division_names(text)
    assert all(text[s:e] == name for s, e, name, _ in found)
    kinds = {(name, kind) for _, _, name, kind in found}
    assert {("天津市", "province"), ("武清区", "county"), ("大王古庄镇", "town")} <= kinds
    assert not any(name.endswith(("社区", "新区")) for _, _, name, _ in found)


def test_find_division_names_chain_and_aliases():
    text = "中共四川省委、阿坝州委和凉山彝族自治州人民政府,石柱县"
    assert [(n, k) for _, _, n, k in find_division_names(text)] == [
        ("四川省", "province"), ("阿坝州", "city"), ("凉山彝族自治州", "city"), ("石柱县", "county")]


def test_table_is_loaded_once_per_process():
    """The name index is read once and shared by every later resolution (its load time is
    measured by bench/startup.py, not asserted here: a timed unit test fails on a busy machine)."""
    code = ("from fazhi.extract import places\n"
            "places.resolve_place(['中共蓬溪县红江镇委员会']); places.resolve_place(['四川省遂宁市'])\n"
            "i = places._table.cache_info(); print(i.misses, i.hits > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1", "True"]
