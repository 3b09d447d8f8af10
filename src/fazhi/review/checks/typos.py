"""Typos (错别字), offline: a confusion lexicon and a non-word check.

- Rule `typo`: data/typos.yaml, wrong -> right with the context that makes the written form
  wrong (截止 before a date is 截至, 必需 before a verb is 必须, 茅盾 before 纠纷 is 矛盾).
  Aho-Corasick on the analysis view; a whitelisted word that overlaps a wrong form and is at
  least as long shields it (茅盾文学奖, 必需品).
- Rule `typo-nonword`: a two-character form that is no word (data/words2.tsv, the
  two-character words of jieba's dictionary, and data/domain_words.tsv, the words of official
  reports with their counts; both built by scripts/build_typo_data.py) where changing one
  character into a homophone (data/homophones.tsv) or a look-alike (data/similar_shapes.tsv)
  gives a frequent word of official reports (执发 -> 执法, 贯切 -> 贯彻). The changed character
  must not form a word with its other neighbour (行政执法 holds 政执, but 执 belongs to 执法),
  so only forms that no reading explains are reported.

Both read `report.view` (simplified, same length as the text) and report spans on the words.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from operator import add
from importlib import resources
from typing import Any

from fazhi.report import Report
from fazhi.review.checks.format import segments
from fazhi.review.layers import layer_key, merged
from fazhi.review.registry import Hit, rule

MIN_SUGGESTION = 8  # the suggested word occurs at least this often in the domain corpus
# Function characters, numerals and place suffixes join any word: a pair holding one proves nothing.
FREE_CHARS = frozenset("的地得了着过是在和与及或并而且对为以于从向把被将让给由等各个每这那其之也都就又还再很更最已曾"
                       "所只不没无未非有要会能可应该须必共一二两三四五六七八九十百千万亿年月日号次项件个人名"
                       "省市县区镇乡村街州旗盟")
_MAX_PAIRS = 200_000  # distinct character pairs looked up in one text (bounds the work on hostile input)
_DOC_CODE = re.compile(r"\s*[〔\[［【(（]\s*\d{2,4}")


@dataclass(frozen=True)
class Entry:
    index: int
    wrong: str
    right: str
    note: str
    source: str
    severity: str | None
    before: re.Pattern[str] | None
    not_before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    not_after: re.Pattern[str] | None


def _rx(p: str | None, tail: bool = False) -> re.Pattern[str] | None:
    if not p:
        return None
    return re.compile(f"(?:{p})$" if tail else p)


@cache
def _lexicon(key: str = "{}"):
    """(automaton, entries) for the typo data with a rubric's additions (`key`)."""
    import ahocorasick

    data = merged("typos", json.loads(key))
    entries = [Entry(i, e["wrong"], e["right"], e.get("note") or f"应为“{e['right']}”", e.get("source", ""),
                     e.get("severity"), _rx(e.get("before")), _rx(e.get("not_before")),
                     _rx(e.get("after"), tail=True), _rx(e.get("not_after"), tail=True))
               for i, e in enumerate(data["entries"])]
    terms: dict[str, tuple[str, list[Entry]]] = {}
    for en in entries:
        terms.setdefault(en.wrong, ("wrong", []))[1].append(en)
    for w in data.get("whitelist", []):
        terms.setdefault(w, ("white", []))
    auto = ahocorasick.Automaton()
    for k, v in terms.items():
        auto.add_word(k, (k, *v))
    auto.make_automaton()
    return auto


def _context_ok(en: Entry, view: str, a: int, b: int, lo: int, hi: int) -> bool:
    after_text = view[max(lo, a - 24):a]
    if en.before and not en.before.match(view, b, hi):
        return False
    if en.not_before and en.not_before.match(view, b, hi):
        return False
    if en.after and not en.after.search(after_text):
        return False
    return not (en.not_after and en.not_after.search(after_text))


@lru_cache(maxsize=32)  # both typo rules ask for the same segments of one report
def lexicon_typos(view: str, lo: int, hi: int, key: str = "{}") -> list[tuple[int, int, Entry]]:
    """(start, end, entry) of the confusion-lexicon typos in view[lo:hi], text order."""
    found = []
    for last, (word, kind, ents) in _lexicon(key).iter(view, lo, hi):
        found.append((last - len(word) + 1, last + 1, kind, ents))
    shields = [(a, b) for a, b, kind, _ in found if kind == "white"]
    out: list[tuple[int, int, Entry]] = []
    for a, b, kind, ents in sorted(found, key=lambda x: (x[0], -(x[1] - x[0]))):
        if kind != "wrong" or any(sa < b and a < sb and sb - sa >= b - a for sa, sb in shields):
            continue
        if out and a < out[-1][1]:
            continue
        en = next((en for en in ents if _context_ok(en, view, a, b, lo, hi)), None)
        if en:
            out.append((a, b, en))
    return out


@rule("typo", "formulation", "warning", "错别字")
def typo(report: Report, params: Mapping[str, Any] | None = None) -> Iterator[Hit]:
    """Typos of the confusion lexicon (data/typos.yaml)."""
    view = report.view or report.text
    key = layer_key(params, "typos")
    for lo, hi in segments(report):
        for a, b, en in lexicon_typos(view, lo, hi, key):
            raw = report.text[a:b]
            yield Hit(message=f"“{raw}”疑为错别字：{en.note}。", suggestion=f"改为“{en.right}”。",
                      start=a, end=b, severity=en.severity, extra={"source": en.source})


# ---------------------------------------------------------------- the non-word check

def _data_lines(name: str) -> list[str]:
    text = resources.files("fazhi.data").joinpath(name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


@cache
def _readings() -> dict[str, str]:
    out: dict[str, str] = {}
    for ln in _data_lines("homophones.tsv"):
        py, chars = ln.split("\t")
        for ch in chars:
            out.setdefault(ch, py)
    return out


@cache
def _shapes() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for ln in _data_lines("similar_shapes.tsv"):
        for ch in ln:
            out.setdefault(ch, set()).update(c for c in ln if c != ch)
    return {k: frozenset(v) for k, v in out.items()}


def confusable(a: str, b: str) -> str | None:
    """Why `a` may be mistyped for `b`: "同音", "形近" or None."""
    ra = _readings().get(a)
    if ra and ra == _readings().get(b):
        return "同音"
    if b in _shapes().get(a, ()):
        return "形近"
    return None


@dataclass(frozen=True)
class Words:
    known: frozenset[str]           # every two-character word
    longer: frozenset[str]          # words of official reports of three and four characters
    counts: dict[str, int]          # words of official reports with their counts
    by_first: dict[str, list[str]]  # frequent words of official reports by first character
    by_second: dict[str, list[str]]  # ... and by second character


@cache
def _general() -> frozenset[str]:
    out: set[str] = set()
    for ln in _data_lines("words2.tsv"):
        first, seconds = ln.split("\t")
        out.update(first + c for c in seconds)
    return frozenset(out)


@cache
def _words(key: str = "{}") -> Words:
    counts: dict[str, int] = {}
    longer: set[str] = set()
    for ln in _data_lines("domain_words.tsv"):
        w, n = ln.split("\t")
        if len(w) == 2:
            counts[w] = int(n)
        else:
            longer.add(w)
    data = merged("typos", json.loads(key))
    extra = list(data.get("words", [])) + list(data.get("whitelist", []))
    extra += [e["wrong"] for e in data["entries"]] + [e["right"] for e in data["entries"]]
    longer.update(_data_lines("words_long.tsv"))
    known = set(_general()) | set(counts)
    for w in extra:  # lexicon forms are handled by `typo`; never flag them here
        known.update(w[i:i + 2] for i in range(len(w) - 1))
        if len(w) > 2:
            longer.add(w)
    by_first: dict[str, list[str]] = {}
    by_second: dict[str, list[str]] = {}
    for w, n in counts.items():
        if n >= MIN_SUGGESTION:
            by_first.setdefault(w[0], []).append(w)
            by_second.setdefault(w[1], []).append(w)
    return Words(frozenset(known), frozenset(longer), counts, by_first, by_second)


def _known(words: Words, pair: str) -> bool:
    return len(pair) == 2 and pair in words.known


@cache
def _by_reading() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for ch, py in _readings().items():
        out.setdefault(py, []).append(ch)
    return {py: tuple(chs) for py, chs in out.items()}


@cache
def _frequent(key: str = "{}") -> frozenset[str]:
    words = _words(key)
    return frozenset(y for ys in words.by_first.values() for y in ys)


@lru_cache(maxsize=8192)
def _alternatives(ch: str) -> dict[str, tuple[int, str]]:
    """The characters `ch` may be mistyped for -> (rank, why "同音" / "形近"); homophones rank
    first, look-alikes after (a look-alike that is also a homophone counts as 形近)."""
    alts = {c: "同音" for c in _by_reading().get(_readings().get(ch, ""), ())}
    alts.update({c: "形近" for c in _shapes().get(ch, ())})
    return {c: (rank, why) for rank, (c, why) in enumerate(alts.items()) if c != ch}


@lru_cache(maxsize=8192)
def _alternative_set(ch: str) -> frozenset[str]:
    return frozenset(_alternatives(ch))


@cache
def _frequent_sides(key: str = "{}") -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The frequent words as (second character -> their first characters,
    first character -> their second characters)."""
    firsts: dict[str, list[str]] = {}
    seconds: dict[str, list[str]] = {}
    for y in _frequent(key):
        firsts.setdefault(y[1], []).append(y[0])
        seconds.setdefault(y[0], []).append(y[1])
    return {k: frozenset(v) for k, v in firsts.items()}, {k: frozenset(v) for k, v in seconds.items()}


def variants_of(x: str, key: str = "{}") -> tuple[tuple[str, int, str], ...]:
    """The frequent words of official reports one homophone or look-alike away from the pair `x`,
    which is no word itself: ((word, index changed, why), ...), the changed first character before
    the second, each in the order of `_alternatives`. Looked up per pair of the text (the relations
    are symmetric), so nothing is built for the pairs a text does not have."""
    if x in _words(key).known:
        return ()
    out: list[tuple[str, int, str]] = []
    sides = _frequent_sides(key)
    for k, (ch, other) in enumerate(((x[0], x[1]), (x[1], x[0]))):
        if ch in FREE_CHARS or other not in sides[k]:
            continue
        common = _alternative_set(ch) & sides[k][other]
        if common:
            alts = _alternatives(ch)
            hits = sorted((alts[c], c) for c in common)
            out.extend((c + other if k == 0 else other + c, k, why) for (_, why), c in hits)
    return tuple(out)


def explained(view: str, a: int, words: Words) -> bool:
    """Whether the pair view[a:a+2] is read as parts of other words: a character forms a word
    with its other neighbour, or the pair lies inside a longer word (党代会, 身兼数职)."""
    if _known(words, view[a - 1:a + 1] if a > 0 else "") or _known(words, view[a + 1:a + 3]):
        return True
    return any(view[j:j + n] in words.longer for n in (3, 4) for j in range(max(0, a + 2 - n), a + 1))


def _occurrences(text: str, pair: str) -> Iterator[int]:
    """Every offset of `pair` in text, overlapping ones included (贯贯贯 holds 贯贯 twice)."""
    i = text.find(pair)
    while i >= 0:
        yield i
        i = text.find(pair, i + 1)


@dataclass
class _Seen:
    """Pairs already looked up (per rubric key), so that a corpus build does each pair once:
    those without variants in a set (filtered out by one set difference), the others with them."""
    plain: set[str]
    variants: dict[str, tuple[tuple[str, int, str], ...]]


_SEEN: dict[str, _Seen] = {}
_SEEN_MAX = 1 << 19  # pairs remembered per key across texts (then forgotten all at once)


@lru_cache(maxsize=1 << 14)
def _reach(ch: str, k: int, key: str = "{}") -> frozenset[str]:
    """The characters `other` for which changing `ch` gives a frequent word: with `ch` first
    (k=0) the second characters of frequent words starting with one of ch's alternatives, with
    `ch` second (k=1) the first characters of those ending with one."""
    side = _frequent_sides(key)[1 - k]
    return frozenset(o for alt in _alternatives(ch) for o in side.get(alt, ()))


def _may_vary(x: str, key: str = "{}") -> bool:
    """False when variants_of(x) is surely empty (a quick test before the full lookup)."""
    return (x[0] not in FREE_CHARS and x[1] in _reach(x[0], 0, key)) or \
        (x[1] not in FREE_CHARS and x[0] in _reach(x[1], 1, key))


def suspect_pairs(text: str, key: str = "{}") -> dict[str, tuple[tuple[str, int, str], ...]]:
    """The distinct character pairs of `text` (the first _MAX_PAIRS, in order of appearance)
    that are no word and have variants, with their variants (in no particular order)."""
    pairs = set(map(add, text, text[1:]))
    if len(pairs) > _MAX_PAIRS:
        pairs = set(islice(dict.fromkeys(map(add, text, text[1:])), _MAX_PAIRS))
    seen = _SEEN.setdefault(key, _Seen(set(), {}))
    if len(seen.plain) + len(seen.variants) > _SEEN_MAX:
        seen.plain.clear()
        seen.variants.clear()
    out = {}
    for p in pairs - _words(key).known - seen.plain:
        v = seen.variants.get(p)
        if v is None:
            v = variants_of(p, key) if _may_vary(p, key) else ()
            if v:
                seen.variants[p] = v
            else:
                seen.plain.add(p)
        if v:
            out[p] = v
    return out


def nonword_typos(view: str, lo: int, hi: int, key: str = "{}") -> list[tuple[int, int, str, int, str]]:
    """(start, end, suggestion, offset of the changed character, why) in view[lo:hi]."""
    words = _words(key)
    text = view[lo:hi]
    out: list[tuple[int, int, str, int, str]] = []
    found = suspect_pairs(text, key)
    for i in sorted(i for pair in found for i in _occurrences(text, pair)):
        a = lo + i
        if (out and a < out[-1][1]) or text[i] in FREE_CHARS or text[i + 1] in FREE_CHARS:
            continue
        if explained(view, a, words) or _DOC_CODE.match(view, a + 2):
            continue  # 铜委法〔2019〕1号: an organ code before a document number
        y, k, why = max(found[text[i:i + 2]], key=lambda t: words.counts[t[0]])
        out.append((a, a + 2, y, a + k, why))
    return out


@rule("typo-nonword", "formulation", "warning", "疑似错别字")
def typo_nonword(report: Report, params: Mapping[str, Any] | None = None) -> Iterator[Hit]:
    """Two-character forms that are no word of official reports, one homophone or look-alike
    away from a frequent one (执发 -> 执法)."""
    view = report.view or report.text
    key = layer_key(params, "typos")
    for lo, hi in segments(report):
        taken = [(a, b) for a, b, _ in lexicon_typos(view, lo, hi, key)]
        for a, b, y, k, why in nonword_typos(view, lo, hi, key):
            if any(sa < b and a < sb for sa, sb in taken):
                continue
            raw, ch = report.text[a:b], view[k]
            right = y[0] if k == a else y[1]
            yield Hit(message=f"“{raw}”不成词，疑为“{y}”之误（“{ch}”与“{right}”{why}）。",
                      suggestion=f"改为“{y}”。", start=a, end=b, extra={"source": "domain_words.tsv"})
