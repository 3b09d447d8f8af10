"""Who wrote the report, read where real pages say it.

In order of trust: the title (`X关于…的报告`, `X2022年法治政府建设…`, `2024年X法治政府…`), an organ
line just above the title (or a broken title's first line), the subject of the opening sentence
(`2023年，红江镇在县委…`, `现将市人社局…报告如下`), the 落款 at the end, and the page's own table
(发布机构 / 发文单位 / 来源), which often names an office publishing on another body's behalf
and so is taken only for a body that could have written the report. Short forms (`市公安局`,
`省农业农村厅`) are completed from a full name the same page writes (`宜春市公安局`).

Every function works on the simplified view and returns spans into it.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import cache

from fazhi.extract.organs import body_kind, is_name, short_form_tier, split_joint
from fazhi.report import Span

_YEAR = r"(?:(?:19|20)\d{2}|[*＊]{2,4}|[〇○零一二][〇○零一二三四五六七八九]{3})\s*年度?"
# X关于… / X2023年度… / X发布2023年…
_TITLE_LEAD = re.compile(rf"^(?P<org>[^\n，,。:：]{{2,40}}?)\s*(?:关于|(?:发布|印发|公布)?(?={_YEAR}))")
# 2024年X法治政府建设…
_TITLE_AFTER_YEAR = re.compile(rf"^{_YEAR}\s*(?P<org>[^\s，,。:：]{{2,30}}?)(?:法治|依法行政|法制|依法治)")
# Words that start a predicate right after the subject of the opening sentence.
_PREDICATE = re.compile(
    r"坚持|坚定|坚决|始终|认真|深入|全面|紧紧|紧扣|紧密|紧盯|紧抓|围绕|聚焦|按照|根据|依据|结合|对照|在|以|把|将|从|"
    r"严格|持续|积极|扎实|切实|不断|着力|立足|牢牢|高度|大力|努力|全力|主动|忠诚|践行|贯彻|落实|推进|推动|加强|"
    r"强化|统筹|锚定|进一步|继续|重视|深化|健全|完善|扛牢|树牢|自觉|全方位|多措并举|充分|高标准|"
    r"法治政府建设|法治建设|依法行政|的|各项|工作|党委|党组|领导班子|主要负责|上下|系统|"
    r"[,，、:：]|[（(](?![a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）])")
GLOSS = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")  # 清遠(yuǎn)市: a converter's pinyin
_PLACE_LEAD = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|盟|县|自治县|区|旗|镇|乡|街道|街)")
# Where a subject can stand: a paragraph's or sentence's start, after a leading time phrase
# (2023年，/ 2021年以来，/ 今年以来，) and any number of 在…下， clauses.
_TIME = rf"(?:{_YEAR}(?:以来|来|全年|上半年)?|今年以来|一年来|过去一年|近年来)"
_NOW_REPORT = re.compile(rf"现将\s*(?P<org>[^\s，,。:：]{{2,30}}?)\s*(?:{_YEAR})?\s*(?:度)?(?:法治|依法行政|法制)")
_TIME_RE = re.compile(rf"{_TIME}\s*[，,]?\s*")
_UNDER = re.compile(r"在[^，,。；;]{2,80}?下[，,]\s*")
_BREAK = re.compile(r"[。；;\n]\s*")
# a bare national body: 司法部, 海关总署, 应急管理部, 国家税务总局
_NATIONAL = re.compile(r"^(?:国家)?[\u4e00-\u9fff]{2,10}(?:部|总署|总局|委员会|署)$")
_SELF_SHORT = re.compile(r"^[我本]")


def title_issuer(view: str, title: Span) -> Span | None:
    """The body a title names before 关于 or the year, or right after a leading year."""
    t = view[title.start:title.end]
    for pattern in (_TITLE_LEAD, _TITLE_AFTER_YEAR):
        m = pattern.match(t)
        if m and _name_ok(_compact(m.group("org")), strict=False):
            return Span(title.start + m.start("org"), title.start + m.end("org"))
    return None


def opening_subject(view: str, start: int, end: int) -> Span | None:
    """The organ or place that is the subject of the first sentences: '2023年，红江镇在县委…' -> 红江镇."""
    end = min(end, start + 400)
    if m := _NOW_REPORT.search(view, start, end):
        if _name_ok(m.group("org")):
            return Span(m.start("org"), m.end("org"))
    for a in _subject_starts(view, start, end):
        for pm in _PREDICATE.finditer(view, a + 2, min(end, a + 32)):
            name = view[a:pm.start()]
            if _name_ok(name):
                return Span(a, pm.start())
            if re.search(r"[,，、:：（(。]", name):
                break
    return None


def _subject_starts(view: str, start: int, end: int) -> list[int]:
    """Where a subject can stand: a sentence's start and right after a time phrase (2023年，),
    each past any 在…下， clauses."""
    raw = [start, *(m.end() for m in _BREAK.finditer(view, start, end)),
           *(m.end() for m in _TIME_RE.finditer(view, start, end))]
    out = []
    for a in sorted(set(raw)):
        while (m := _TIME_RE.match(view, a, end) or _UNDER.match(view, a, end)) and m.end() > a:
            a = m.end()
        out.append(a)
    return out


def complete_short_form(view: str, name: str) -> str:
    """'市公安局' -> '宜春市公安局' when the page writes such a full name; else the name as written."""
    tier = short_form_tier(name)
    if not tier:
        return name
    counts: Counter[str] = Counter()
    for written in place_prefixed(view, tier, name[len(tier):]):
        full = _strip_leading_words(written)
        if len(full) > len(tier) and _is_place(full):
            counts[full + name[len(tier):]] += 1
    return counts.most_common(1)[0][0] if counts else name


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def place_prefixed(view: str, tier: str, tail: str) -> list[str]:
    """Group 1 of each match of `([\u4e00-\u9fff]{1,10}?TIER)TAIL` in view, as re.finditer gives
    them (TIER and TAIL literal), without compiling a regex per name (a CJK class costs ~2 ms to
    compile): at each occurrence of TIER+TAIL, the leftmost start at most 10 Chinese characters
    before it, not before the end of the previous match."""
    lit, out, pos = tier + tail, [], 0
    q = view.find(lit, 1)
    while q >= 0:
        s = q
        while s > max(pos, q - 10) and _is_han(view[s - 1]):
            s -= 1
        if s < q:
            out.append(view[s:q + len(tier)])
            pos = q + len(lit)
            q = view.find(lit, pos)
        else:
            q = view.find(lit, q + 1)
    return out


def expand_abbreviation(name: str) -> str:
    """'通城县人社局' -> '通城县人力资源和社会保障局' (data/organ_names.yaml); '海沧区政府' -> '海沧区人民政府'."""
    for short, full in _abbreviations():
        if name.endswith(short) and not name.endswith(full):
            return name[:-len(short)] + full
    if name.endswith("政府") and not name.endswith("人民政府") and _PLACE_LEAD.match(name[:-2] or "-") \
            and body_kind(name[:-2]) == "place":
        return name[:-2] + "人民政府"
    return name


def documents_self_name(view: str, start: int, end: int) -> str | None:
    """For a text that calls itself 我局/我厅/我委 and never names itself: the name its own documents
    carry (《江门市新会区统计局2022年…计划》, 《汕尾市医疗保障局关于…》), the most frequent one."""
    own = Counter(m.group(1) for m in re.finditer(r"[我本](局|厅|委)(?![员会])", view[start:end]))
    if not own:
        return None
    suffix = own.most_common(1)[0][0]
    ends = {"局": "局", "厅": "厅", "委": "(?:委员会|委)"}[suffix]
    counts: Counter[str] = Counter()
    for m in re.finditer(rf"《([\u4e00-\u9fff]{{2,24}}?{ends})", view):
        name = m.group(1)
        if _name_ok(name) and body_kind(name) == "dept" and not short_form_tier(name):
            counts[name] += 1
    return counts.most_common(1)[0][0] if counts else None


def page_issuer(source: str | None) -> str | None:
    """A 来源 / 发布机构 value that could be the report's author (not a website, not a general office)."""
    if not source:
        return None
    s = _compact(source)
    if not _name_ok(s) or re.search(r"网$|网站|门户|办公厅$|政府办公室$|政府办$", s):
        return None
    return s


def joined(name: str) -> str:
    """A joint issuer's bodies joined by one space (CONTRACT)."""
    return " ".join(split_joint(_compact_keep_space(name)))


@cache
def _abbreviations() -> list[tuple[str, str]]:
    from fazhi.data import load_yaml

    table = load_yaml("organ_names.yaml")["abbreviations"]
    return sorted(table.items(), key=lambda kv: -len(kv[0]))


def _name_ok(s: str, strict: bool = True) -> bool:
    """A name by its shape; `strict` (names read out of prose) also wants it to say whose body it is."""
    s = GLOSS.sub("", _compact(s))
    if not s or _SELF_SHORT.match(s) or _PREDICATE.match(s):
        return False
    parts = split_joint(s)
    return all(is_name(p) and (not strict or _named_body(p)) for p in parts) and body_kind(parts[-1]) is not None


def _named_body(s: str) -> bool:
    """A name that says whose body it is: starts with a division (宜春市…), a tier word (市公安局),
    中共, or is a national body (司法部); never one with a verb inside (以提高我镇)."""
    from fazhi.extract.places import find_division_names

    if re.search(r"[我本全]", s[1:]) or _PREDICATE.search(s, 1):
        return False
    if s.startswith(("中共", "中国共产党")) or short_form_tier(s) or _NATIONAL.match(s):
        return True
    names = find_division_names(s)
    return bool(names) and names[0][0] == 0 or bool(_PLACE_LEAD.match(s))


def _is_place(s: str) -> bool:
    from fazhi.extract.places import find_division_names

    names = find_division_names(s)
    return bool(names) and names[-1][1] == len(s)


def _strip_leading_words(s: str) -> str:
    from fazhi.extract.places import find_division_names

    names = find_division_names(s)
    return s[names[0][0]:] if names else s


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _compact_keep_space(s: str) -> str:
    s = re.sub(r"(?<=[\u4e00-\u9fff])[ \t\u3000\u00a0]+(?=[\u4e00-\u9fff])", " ", s.strip())
    return re.sub(r"\s*\n\s*", "", s)
