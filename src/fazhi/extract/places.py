"""Place resolution: which province / city / county / town a report comes from.

Names are looked up in data/divisions.tsv (民政部 国家地名信息库, see divisions.md),
never guessed from tokens. A unit's code is its official code cut to its level
(2/4/6/9 digits), so ancestry is a prefix test.

`find_division_names(text)` lists every division name with its span.
`resolve_place(texts)` takes the metadata stage's strings in priority order
(issuer, title, 来源, 落款, addressee, opening) and returns a `Place`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from operator import add
from typing import Sequence

from fazhi.report import Place

KINDS = ("province", "city", "county", "town")
_KIND_BY_LEN = {2: "province", 4: "city", 6: "county", 9: "town"}
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})  # 北京 天津 上海 重庆: city = the municipality
# Characters that end a word on the left of a short or town name ("关于X镇", "、X县", "中共X镇").
_LEFT_OK = frozenset("共于在对向和与及由是了到至为将把从据即")
# A name followed by these is part of a longer word: 海城市场, 和平区域.
_RIGHT_BAD = {"市": frozenset("场值"), "区": frozenset("域间块位")}
_TOWN_SUFFIX = ("街道", "苏木", "镇", "乡")
# Stems that make generic words with a town suffix, not names: 全镇 我镇 乡镇 城镇 依法治镇 ...
_TOWN_STEM_BAD = re.compile(r"^(?:[全我本该各每乡城村集小重外邻一两]|建制|中心|重点|特色小?|.*治)$")
_STEM_BAD_CHARS = frozenset("省市县区镇乡旗州委共的在和与及对向了某")
# Stems of non-division 区/县 bodies: 高新区, 经济开发区, 工业园区, 老城区 ...
_ZONE_STEM_BAD = re.compile(r"(?:新|开发|园|城|社|片|校|景|港|保税|试验|示范|度假|工业|产业|商务|物流|自贸|矿)$")
# a street's office is written under its district's government: 朝阳区人民政府建外街道办事处
_ORGAN_BEFORE_TOWN = ("人民政府", "政府")
_ORGAN_AFTER = re.compile(r"党?工委|委|人民政府|政府|管委会|管理委员会")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _read(name: str) -> str:
    return resources.files("fazhi").joinpath(f"data/{name}").read_text(encoding="utf-8")


@dataclass(frozen=True)
class _Table:
    forms: dict[str, str]  # surface form -> comma-joined codes
    prefixes: frozenset[str]  # first two characters of every form
    longest: int
    generic: frozenset[str]  # official names that are also common words (老城区): need a parent before them
    aliases: frozenset[str]  # short forms (阿坝州), not official names


def _rows(name: str) -> list[list[str]]:
    return [line.split("\t") for line in _read(name).splitlines() if line[:1] != "#"]


@cache
def _table() -> _Table:
    """Load the name index once (about 40 ms); see data/divisions.md."""
    forms = dict(_rows("divisions_towns.tsv"))
    forms.update(_rows("divisions.tsv"))
    aliases = _rows("divisions_aliases.tsv") + _rows("divisions_provinces_short.tsv")
    for alias, codes in aliases:
        forms[alias] = f"{forms[alias]},{codes}" if alias in forms else codes
    from fazhi.data import load_yaml

    generic = frozenset(load_yaml("divisions_generic.yaml")["names"])
    return _Table(forms, frozenset(f[:2] for f in forms), max(map(len, forms)), generic,
                  frozenset(a for a, _ in aliases))


@cache
def _units() -> dict[str, str]:
    """code -> official name of provinces, prefectures and counties."""
    return {code: name for name, codes in _rows("divisions.tsv") for code in codes.split(",")}


def _name(code: str, hint: str | None = None) -> str:
    """Official name of a unit; `hint` is the name as written, used when it is official (saves a scan)."""
    if len(code) < 9:
        return _units()[code]
    if hint and hint not in _table().aliases and code in _codes(hint):
        return hint
    official = _town_names().get(code)
    if official is None:
        raise IndexError(code)
    return official


@cache
def _town_names() -> dict[str, str]:
    """Town code -> its official name (the first row listing the code)."""
    out: dict[str, str] = {}
    for name, codes in _rows("divisions_towns.tsv"):
        for c in codes.split(","):
            out.setdefault(c, name)
    return out


def _has_children(code: str) -> bool:
    """Whether the table lists sub-units of `code` (东莞市 and a few counties have none)."""
    if len(code) < 6:
        return code in _upper_parents()
    return code in _counties_with_towns()


@cache
def _upper_parents() -> frozenset[str]:
    units = _units()
    return frozenset(_parent(c, units) for c in units if len(c) > 2)


@cache
def _counties_with_towns() -> frozenset[str]:
    return frozenset(c[:6] for _, codes in _rows("divisions_towns.tsv") for c in codes.split(","))


def _codes(form: str) -> tuple[str, ...]:
    codes = _table().forms.get(form)
    return tuple(codes.split(",")) if codes else ()


def _parent(code: str, units: dict[str, str]) -> str:
    """Longest listed proper prefix: 500152 -> 50 (重庆 has no prefecture level)."""
    for n in (6, 4, 2):
        if n < len(code) and code[:n] in units:
            return code[:n]
    return ""


def _kind(code: str) -> str:
    return _KIND_BY_LEN[len(code)]


def _level(kind: str) -> int:
    return KINDS.index(kind)


@dataclass
class _Mention:
    start: int
    end: int
    name: str  # as written
    kind: str
    codes: tuple[str, ...]  # empty: a name the tables lack (管理区, 东莞's towns ...)


def _left_ok(text: str, start: int, prev_end: int) -> bool:
    """A short or town name must start a word: text start, after punctuation, after a division, after 于/在/中共 ..."""
    if start == 0 or start == prev_end or not _is_cjk(text[start - 1]):
        return True
    return text[start - 1] in _LEFT_OK


def _accept(text: str, start: int, end: int, kind: str, prev_end: int) -> bool:
    form = text[start:end]
    bad_next = _RIGHT_BAD.get(form[-1])
    if bad_next and end < len(text) and text[end] in bad_next:
        return False
    if form in _table().generic:
        return start == prev_end
    if len(form) <= 2 or kind == "town":
        return _left_ok(text, start, prev_end)
    return True


@cache
def _lengths_by_prefix() -> dict[str, tuple[int, ...]]:
    """First two characters -> the lengths (longest first) of the listed forms starting with them."""
    out: dict[str, set[int]] = {}
    for form, codes in _table().forms.items():
        if len(form) >= 2 and codes:
            out.setdefault(form[:2], set()).add(len(form))
    return {k: tuple(sorted(v, reverse=True)) for k, v in out.items()}


def _scan(text: str) -> list[_Mention]:
    """Leftmost-longest matches of official names and short forms (fresh objects: callers narrow them)."""
    return [_Mention(*m) for m in _scan_cached(text)]


@lru_cache(maxsize=1024)  # the same strings (issuer, title, 落款) are scanned several times per report
def _scan_cached(text: str) -> tuple[tuple[int, int, str, str, tuple[str, ...]], ...]:
    return tuple((m.start, m.end, m.name, m.kind, m.codes) for m in _scan_text(text))


def _scan_text(text: str) -> list[_Mention]:
    by_prefix = _lengths_by_prefix()
    out: list[_Mention] = []
    i, n, prev_end = 0, len(text), -1
    starts = [j for j, pair in enumerate(map(add, text, text[1:])) if pair in by_prefix]
    for j in starts:
        if j < i:
            continue
        for length in by_prefix[text[j:j + 2]]:
            if length > n - j:
                continue
            form = text[j:j + length]
            codes = _codes(form)
            if not codes:
                continue
            kind = min((_kind(c) for c in codes), key=_level)
            if _accept(text, j, j + length, kind, prev_end):
                codes = tuple(c for c in codes if _kind(c) == kind)
                out.append(_Mention(j, j + length, form, kind, codes))
                i = prev_end = j + length
                break
    return out


def find_division_names(text: str) -> list[tuple[int, int, str, str]]:
    """Every administrative-division name in `text`: (start, end, name as written, kind)."""
    return [(m.start, m.end, m.name, m.kind) for m in _scan(text)]


def _narrow_chains(ms: list[_Mention]) -> None:
    """Adjacent names narrow each other: 蓬溪县红江镇 keeps the 红江镇 under 蓬溪县."""
    for a, b in zip(ms, ms[1:]):
        if a.end != b.start or not a.codes or not b.codes:
            continue
        below = tuple(c for c in b.codes if any(c.startswith(p) and len(c) > len(p) for p in a.codes))
        if below:
            b.codes = below
            a.codes = tuple(p for p in a.codes if any(c.startswith(p) for c in below))


def _unofficial_counties(text: str, ms: list[_Mention]) -> list[_Mention]:
    """County-level names of organs the tables lack: 中共洪江区工委 -> 洪江区 (a 管理区). Short texts only."""
    if len(text) > 80:
        return []
    ends = {m.end for m in ms}
    taken = [(m.start, m.end) for m in ms]
    out = []
    for m in re.finditer(r"[区县旗]", text):
        end = m.end()
        if not _ORGAN_AFTER.match(text, end) or any(s < end <= e for s, e in taken):
            continue
        for start in range(max(0, end - 5), end - 2):  # stem of 2-4 characters, longest first
            stem = text[start:end - 1]
            if any(ch in _STEM_BAD_CHARS or not _is_cjk(ch) for ch in stem) or _ZONE_STEM_BAD.search(stem):
                continue
            if start == 0 or start in ends or text[max(0, start - 2):start] == "中共" or not _is_cjk(text[start - 1]):
                out.append(_Mention(start, end, text[start:end], "county", ()))
                break
    return out


def _text_towns(text: str, ms: list[_Mention]) -> list[_Mention]:
    """Town names written in the text, listed or not: 《桥头镇..., 东莞市桥头镇 -> 桥头镇."""
    ends = {m.end for m in ms}
    out = []
    for m in re.finditer("|".join(_TOWN_SUFFIX), text):
        end = m.end()
        for start in range(m.start() - 1, max(-1, m.start() - 7), -1):  # shortest stem first
            stem = text[start:m.start()]
            if not _is_cjk(stem[0]) or any(ch in _STEM_BAD_CHARS for ch in stem):
                break
            if _TOWN_STEM_BAD.match(stem):
                continue
            if start == 0 or start in ends or text[start - 1] in _LEFT_OK or not _is_cjk(text[start - 1]) \
                    or text.endswith(_ORGAN_BEFORE_TOWN, 0, start):
                out.append(_Mention(start, end, text[start:end], "town", ()))
                break
    return out


def _mentions(text: str) -> list[_Mention]:
    ms = _scan(text)
    ms = sorted(ms + _unofficial_counties(text, ms), key=lambda m: m.start)
    _narrow_chains(ms)
    return ms


def _leading(text: str, ms: list[_Mention]) -> list[_Mention]:
    """The chain of names a text starts with (the text's subject): 天津市武清区大王古庄镇人民政府."""
    pos = len(text) - len(text.lstrip(" \u3000《【"))
    if text.startswith("中共", pos):
        pos += 2
    chain = []
    for m in ms:
        if m.start != pos:
            break
        chain.append(m)
        pos = m.end
    return chain


def _common(codes: Sequence[str]) -> str | None:
    """The deepest code all candidates share (their common ancestor or themselves)."""
    if not codes:
        return None
    units = _units()
    paths = [set(_path(c, units)) for c in codes]
    shared = set.intersection(*paths)
    return max(shared, key=len) if shared else None


def _path(code: str, units: dict[str, str]) -> list[str]:
    out = [code]
    while (p := _parent(out[-1], units)):
        out.append(p)
    return out


def _place_of(code: str | None, hint: str | None = None) -> Place:
    place = Place()
    if not code:
        return place
    for c in _path(code, _units()):
        setattr(place, _kind(c), _name(c, hint))
    if code[:2] in _MUNICIPALITIES:
        place.city = place.province
    place.adcode = code.ljust(12, "0")
    return place


def _filter_by_ancestors(cands: tuple[str, ...], level: int, texts_ms: list[list[_Mention]]) -> tuple[str, ...]:
    """Keep the candidates under a province or city named anywhere, in priority order."""
    for ms in texts_ms:
        for m in ms:
            if len(cands) <= 1:
                return cands
            if not m.codes or _level(m.kind) >= level:
                continue
            kept = tuple(c for c in cands if any(c.startswith(a) for a in m.codes))
            if kept:
                cands = kept
    return cands


def _first_above(level: int, texts_ms: list[list[_Mention]]) -> str | None:
    """Code of the first city (else province) named in any text, for a county the tables lack."""
    for want in range(level - 1, -1, -1):
        for ms in texts_ms:
            for m in ms:
                if _level(m.kind) == want and (code := _common(m.codes)):
                    return code
    return None


def _town_choice(texts: list[str], texts_ms: list[list[_Mention]], anchor: str | None) -> tuple[str | None, str | None]:
    """A town for a county/city anchor: the subject of some text, or one whose stem is in the issuer.

    Returns (official town code or None, town name or None).
    """
    candidates: list[_Mention] = []
    for text, ms in zip(texts, texts_ms):
        lead = _leading(text, ms)
        towns = [m for m in lead if m.kind == "town"]
        if lead and not towns:
            towns = [t for t in _text_towns(text, ms) if t.start == lead[-1].end]
        candidates += towns
    issuer = texts[0]
    for text, ms in zip(texts, texts_ms):
        for t in [m for m in ms if m.kind == "town"] + _text_towns(text, ms):
            stem = next((t.name[:-len(s)] for s in _TOWN_SUFFIX if t.name.endswith(s)), "")
            if len(stem) >= 2 and stem in issuer:
                candidates.append(t)
    for t in candidates:
        codes = tuple(c for c in _codes(t.name) if _kind(c) == "town")
        under = tuple(c for c in codes if anchor and c.startswith(anchor))
        if len(under) == 1:
            return under[0], t.name
        if not codes or anchor is None or not _has_children(anchor):
            return None, t.name  # not listed, or the anchor's towns are not listed
    return None, None


def resolve_place(texts: Sequence[str]) -> Place:
    """Province / city / county / town of a report from its issuer, title, 来源, 落款, addressee, opening."""
    texts = [t for t in texts if t and t.strip()]
    texts_ms = [_mentions(t) for t in texts]
    anchor = next((max(ms, key=lambda m: _level(m.kind)) for ms in texts_ms if ms), None)
    # max() keeps the first of equally deep names: the issuer's own unit before later ones
    if anchor is None:
        return Place()
    level = _level(anchor.kind)
    if anchor.codes:
        cands = _filter_by_ancestors(anchor.codes, level, texts_ms)
        code = cands[0] if len(cands) == 1 else None
        place = _place_of(code or _common(cands), anchor.name)
        if code is None:  # ambiguous: the name, and what all candidates share above it (adcode included)
            setattr(place, anchor.kind, _name(cands[0], anchor.name))
    else:
        ms = next(ms for ms in texts_ms if anchor in ms)
        parent = next((m for m in ms if m.end == anchor.start and m.codes), None)
        code = _common(parent.codes) if parent else _first_above(level, texts_ms)
        place = _place_of(code)
        setattr(place, anchor.kind, anchor.name)
    if place.town is None and (code or not anchor.codes):
        town_code, town = _town_choice(texts, texts_ms, code if anchor.codes else None)
        if town_code:
            place = _place_of(town_code, town)
        elif town:
            place.town = town
    return place
