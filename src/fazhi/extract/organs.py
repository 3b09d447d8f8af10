"""What an organ's name looks like: which kind of body it is (party committee, government,
department, or a bare place name), and the split of a joint issuer (中共X县委 X县人民政府).

Pure string functions over the simplified view; the metadata stage finds where names stand
(extract/issuer.py) and this module judges what it found.
"""
from __future__ import annotations

import re

# A zone's or region's administrative committee governs a tier (洪江区管理委员会); a city's
# 城市管理委员会 is one of its departments.
_ZONE_GOV = re.compile(r"(?:[区园港岛场]管理委员会|管委会|管委)$")
_GOV = re.compile(r"(?:人民政府|政府|办事处|公所)$")
_PARTY = re.compile(r"(?:^中共|^中国共产党|党委$|党组$|党工委$|工委$|[省市县区旗州盟镇乡]委$|委员会$)")
_DEPT = re.compile(r"(?:分局|局|厅|署|部|中心|委员会|委|办公室|办|院|所|站|队|处|科|室)$")
_PLACE = re.compile(r"(?:省|自治区|市|自治州|州|地区|盟|县|自治县|区|旗|镇|乡|街道|街|苏木)$")
_GENERIC = frozenset(
    "乡镇 城镇 部门 单位 各级 上级 下级 基层 地方 机关 政府 党委 人民政府 县区 市县 省市 区县 市区 城区 街道 社区 "
    "街镇 镇街 镇村 乡村 城乡 地区 全市 全省 全县 全区 全镇 全乡 市政府 县政府 区政府 镇政府 乡政府 省政府 "
    "办公室 工作 中心 我局 本局 主管部门 职能部门 政府部门 省委 市委 县委 区委 镇党委 党组 局党组".split())
_BAD_START = tuple("我本全各该某每其这此上下")
_NAME_CHARS = re.compile(r"^[\u4e00-\u9fff（）()·]+$")
_JOINT = re.compile(r"^((?:中共|中国共产党).+?(?:委员会|工委|党委|[省市县区旗州盟镇乡]委)|.{2,}?(?:党委|党组|党工委))(.{2,})$")


def body_kind(name: str) -> str | None:
    """'party', 'gov', 'dept' or 'place' for a name by its ending; None when it is no body's name."""
    if not 2 <= len(name) <= 40 or not _NAME_CHARS.match(name) or name in _GENERIC:
        return None
    if re.search(r"(?:部|局|厅|署)(?:党委|党组)$", name):
        return "dept"  # 海关总署党委: the department's own party body
    if _ZONE_GOV.search(name) or _GOV.search(name):
        return "gov"
    if name.endswith("委员会"):
        return "party" if name.startswith(("中共", "中国共产党")) else "dept"
    if _PARTY.search(name):
        return "party"
    if _DEPT.search(name):
        return "dept"
    if _PLACE.search(name) and len(name) >= 2:
        return "place"
    return None


def is_name(s: str) -> bool:
    """An organ or place name by its shape, not a generic word (全市, 乡镇) nor a self-reference (我局)."""
    return not s.startswith(_BAD_START) and body_kind(s) is not None


def is_department(issuer: str) -> bool:
    """The issuer (or, for a joint issuer, its last body) is a 局/委/厅/办/署/部/中心 or 分局."""
    return body_kind(issuer.split(" ")[-1]) == "dept"


def split_joint(name: str) -> list[str]:
    """'中共汉中市勉县县委勉县人民政府' -> ['中共汉中市勉县县委', '勉县人民政府']; a single body stays whole."""
    parts = [p for p in re.split(r"[\s\u3000]+", name.strip()) if p]
    if len(parts) > 1:
        return _merge_places(parts)
    m = _JOINT.match(name)
    if not m:
        return [name]
    first, second = m.group(1), m.group(2)
    if body_kind(second) not in ("gov", "dept", "place"):
        return [name]
    return [first, second]


def _merge_places(parts: list[str]) -> list[str]:
    """'东莞市 司法局' is one body written with a stray space: a bare place joins the next part."""
    out: list[str] = []
    carry = ""
    for p in parts:
        if body_kind(p) in ("place", None):
            carry += p
            continue
        out.append(carry + p)
        carry = ""
    if carry and out:
        out[-1] += carry
    elif carry:
        out.append(carry)
    return out


def short_form_tier(name: str) -> str | None:
    """'市公安局' -> '市': a name that starts with a bare tier word and needs its place to be complete."""
    m = re.match(r"^(省|自治区|市|州|县|区|旗)(?=[\u4e00-\u9fff]{2})", name)
    return m.group(1) if m else None
