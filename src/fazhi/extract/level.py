"""Which tier a report speaks for: 省 / 地市 / 区县 / 乡镇街道 / 部门.

The issuer decides first: a body named 局/委/厅/办/署/部/中心 or a 分局 is a 部门 whatever
words like 全省/全区/全局 say (unless the text keeps calling itself 我镇/我县 and hardly ever
我局: a town's report signed by the town's branch of a department); a government, a party
committee or a bare place name is the tier of the deepest division it names (a municipality
is a 省). Without an issuer, how the text names itself (我镇, 全区 ...) votes; in an autonomous
region 全区 means the province.
"""
from __future__ import annotations

import re
from collections import Counter

from fazhi.extract.organs import body_kind
from fazhi.report import Place, Span

_SELF = re.compile(r"([我本全])(省|市|州|盟|县|区|旗|镇|乡|街道|分局|局|委|办|厅|院|部|部门|单位)")
_SELF_LEVEL = {"省": "省", "市": "地市", "州": "地市", "盟": "地市", "县": "区县", "区": "区县", "旗": "区县",
               "镇": "乡镇街道", "乡": "乡镇街道", "街道": "乡镇街道"}
_KIND_LEVEL = {"province": "省", "city": "地市", "county": "区县", "town": "乡镇街道"}
_SUFFIX_LEVEL = (
    (re.compile(r"(?:镇|乡|街道|街|苏木|办事处)$"), "乡镇街道"),
    (re.compile(r"(?:县|区|旗)$"), "区县"),
    (re.compile(r"(?:市|州|盟|地区)$"), "地市"),
    (re.compile(r"(?:省|自治区)$"), "省"),
)
_BODY_SUFFIX = re.compile(
    r"(?:人民政府|政府|办事处|[区园港岛场]?管理委员会|管委会|党工委|工委|党委|委员会|[省市县区旗州盟镇乡]委)$")
_GOV_TIERS = ("省", "地市", "区县", "乡镇街道")


def self_votes(view: str, body: Span) -> tuple[Counter[str], Counter[str]]:
    """(votes of 我X/本X, votes of 全X) per level."""
    own: Counter[str] = Counter()
    whole: Counter[str] = Counter()
    for m in _SELF.finditer(view, body.start, body.end):
        level = _SELF_LEVEL.get(m.group(2), "部门")
        (own if m.group(1) in "我本" else whole)[level] += 1
    return own, whole


def tier_of_name(name: str) -> str | None:
    """'重庆市潼南区古溪镇人民政府' -> 乡镇街道; '上海市' -> 省; '洪江区管理委员会' -> 区县."""
    from fazhi.extract.places import find_division_names

    stem = _BODY_SUFFIX.sub("", re.sub(r"^(?:中共|中国共产党)", "", name))
    if stem.endswith("街道办事"):
        stem = stem[:-2]
    names = find_division_names(stem)
    if names and names[-1][1] >= len(stem) - 1:
        return _KIND_LEVEL[names[-1][3]]
    for pattern, level in _SUFFIX_LEVEL:
        if pattern.search(stem):
            return level
    if names:
        return _KIND_LEVEL[names[-1][3]]
    return None


def infer_level(view: str, body: Span, issuer: str | None, place: Place | None = None) -> str | None:
    own, whole = self_votes(view, body)
    if issuer:
        last = issuer.split(" ")[-1]
        kind = body_kind(last)
        if kind == "dept":
            gov = Counter({k: v for k, v in own.items() if k in _GOV_TIERS})
            if gov and sum(gov.values()) >= 3 and own["部门"] * 3 < sum(gov.values()):
                return gov.most_common(1)[0][0]
            return "部门"
        if kind in ("gov", "party", "place"):
            tier = tier_of_name(last)
            if tier:
                return tier
    votes = own or whole  # 我局 says who speaks; 全市 only where the text never says 我/本
    if votes:
        level = votes.most_common(1)[0][0]
        if level == "区县" and place and place.province and place.province.endswith("自治区") \
                and not place.county and not place.city:
            return "省"  # 全区 in an autonomous region's report
        if level == "地市" and place and place.province and place.city == place.province and not place.county:
            return "省"  # 全市 in a municipality's (北京 天津 上海 重庆) report
        return level
    if issuer:
        return tier_of_name(issuer.split(" ")[-1])
    return _place_level(place)


def _place_level(place: Place | None) -> str | None:
    """The deepest division the head and opening name, for a text that says nothing of itself."""
    if place is None:
        return None
    if place.town:
        return "乡镇街道"
    if place.county:
        return "区县"
    if place.city and place.city != place.province:
        return "地市"
    return "省" if place.province else None
