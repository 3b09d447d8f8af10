"""The faster engine (issue 15) finds exactly what the slower code found: each new helper against
the straightforward version it replaced, on made-up Chinese text and on the bundled samples."""
from __future__ import annotations

import random
import re
from pathlib import Path
from importlib import resources

import pytest

import fazhi

from fazhi.extract import areas, places
from fazhi.report import Span
from fazhi.review.checks import content, format as fmt, punctuation, typos
from fazhi.text.lines import iter_lines
from fazhi.text.matcher import WordMatcher


def _samples() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(resources.files("fazhi").joinpath("samples").iterdir(),
                                                          key=lambda p: p.name) if p.name.endswith(".txt")]


def _alternation(words) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


# ---------------------------------------------------------------- WordMatcher

OVERLAPPING = ["行政", "行政执法", "执法", "执法监督", "法监", "监督", "督查", "行政执法监督", "政执", "法治", "治政府",
               "法治政府", "府建", "建设", "设法", "一", "一二", "二一", "一二一"]


def test_matcher_is_the_longest_first_alternation_on_made_up_text():
    rx, matcher = _alternation(OVERLAPPING), WordMatcher(OVERLAPPING)
    alphabet = "行政执法监督查治府建设一二，"
    rnd = random.Random(15)
    for _ in range(2000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        lo = rnd.randint(0, len(text))
        hi = rnd.randint(lo, len(text) + 3)
        want = [(m.start(), m.end()) for m in rx.finditer(text, lo, hi)]
        assert matcher.spans(text, lo, hi) == want, (text, lo, hi)
        assert matcher.remove(text) == rx.sub("", text)


def test_matcher_ties_and_nesting():
    m = WordMatcher(["ab", "abc", "bcd", "c"])
    assert m.spans("abcd") == [(0, 3)]  # leftmost wins over the longer bcd; longest at 0 is abc
    assert m.spans("abcd", 0, 2) == [(0, 2)]  # abc does not fit: ab
    assert m.spans("abcd", 1) == [(1, 4)]
    assert m.words_in("xabcxcx") == ["abc", "c"]
    assert WordMatcher([]).spans("abc") == []
    with pytest.raises(ValueError):
        WordMatcher(["a", ""])


def test_area_keywords_and_stock_phrases_match_as_the_regexes_did():
    tax = areas.taxonomy()
    stock = content.stock_lexicon()
    for text in _samples():
        assert tax.matcher.words_in(text) == [m.group() for m in tax.pattern.finditer(text)]
        assert tax.matcher.words_in(text, 100, 900) == [m.group() for m in tax.pattern.finditer(text, 100, 900)]
        for a, b in content.sentences(text, 0, len(text)):
            assert stock["matcher"].remove(text[a:b]) == stock["regex"].sub("", text[a:b])


# ---------------------------------------------------------------- CJK counts, lines

def test_cjk_only_keeps_what_is_cjk_kept():
    text = "".join(_samples()) + "\u33ff\u3400\u9fff\ua000𠀀Ａ１"
    assert content.cjk_only(text) == "".join(c for c in text if content.is_cjk(c))
    assert content.cjk_count(text, 5, 500) == sum(1 for c in text[5:500] if content.is_cjk(c))


def _lines_reference(text: str, start: int, end: int) -> list[Span]:
    out = []
    for m in re.finditer(r"[^\n\r]+", text[:end]):
        if m.start() < start and m.end() <= start:
            continue
        a, b = max(m.start(), start), m.end()
        while a < b and text[a] in " \t\u3000\u00a0\ufeff":
            a += 1
        while b > a and text[b - 1] in " \t\u3000\u00a0\ufeff":
            b -= 1
        if b > a:
            out.append(Span(a, b))
    return out


def test_iter_lines_same_spans_each_time():
    text = " 一、总体\n\n\u3000\u3000二是加强 \r\n   \n（一）落实\ufeff\n末行"
    for lo, hi in ((0, len(text)), (3, 20), (0, 5), (len(text), len(text))):
        want = _lines_reference(text, lo, hi)
        assert list(iter_lines(text, lo, hi)) == want
        assert list(iter_lines(text, lo, hi)) == want  # from the cache
    assert list(iter_lines(text)) == _lines_reference(text, 0, len(text))


# ---------------------------------------------------------------- typo-nonword

def _variants_reference(x: str) -> list[tuple[str, int, str]]:
    """The per-call version replaced by the indexed lookup (same order of results)."""
    words = typos._words()
    if x in words.known:
        return []
    frequent, readings, shapes = typos._frequent(), typos._readings(), typos._shapes()
    out = []
    for k in (0, 1):
        ch = x[k]
        if ch in typos.FREE_CHARS:
            continue
        alts = {c: "同音" for c in typos._by_reading().get(readings.get(ch, ""), ())}
        alts.update({c: "形近" for c in shapes.get(ch, ())})
        for c, why in alts.items():
            y = x[:k] + c + x[k + 1:]
            if c != ch and y in frequent:
                out.append((y, k, why))
    return out


def _nonword_reference(view: str, lo: int, hi: int) -> list[tuple[int, int, str, int, str]]:
    words = typos._words()
    text = view[lo:hi]
    out: list[tuple[int, int, str, int, str]] = []
    found: dict[str, list[tuple[str, int, str]]] = {}
    for i in range(len(text) - 1):
        pair = text[i:i + 2]
        if pair not in found:
            found[pair] = _variants_reference(pair)
        if not found[pair]:
            continue
        a = lo + i
        if (out and a < out[-1][1]) or text[i] in typos.FREE_CHARS or text[i + 1] in typos.FREE_CHARS:
            continue
        if typos.explained(view, a, words) or typos._DOC_CODE.match(view, a + 2):
            continue
        y, k, why = max(found[pair], key=lambda t: words.counts[t[0]])
        out.append((a, a + 2, y, a + k, why))
    return out


def test_variants_of_same_words_same_order():
    frequent = sorted(typos._frequent())
    pairs = set()
    for y in frequent[:400]:  # one character changed into each of its alternatives: many hits, ties
        for k in (0, 1):
            for c in list(typos._alternatives(y[k]))[:6]:
                pairs.add(y[:k] + c + y[k + 1:])
    text = "".join(_samples())
    pairs |= {text[i:i + 2] for i in range(0, len(text) - 1, 7)}
    assert any(len(_variants_reference(p)) > 1 for p in pairs)
    for p in sorted(pairs):
        assert list(typos.variants_of(p)) == _variants_reference(p), p


def test_nonword_typos_same_findings():
    seeded = "我们要坚持严格执发，贯切落实法制政府建设，依法形政，推进执法规范化。执发执发贯贯切"
    for text in [seeded, *_samples()]:
        for _ in range(2):  # the second time from the pairs remembered
            assert typos.nonword_typos(text, 0, len(text)) == _nonword_reference(text, 0, len(text))
            assert typos.nonword_typos(text, 3, len(text) - 2) == _nonword_reference(text, 3, len(text) - 2)
    assert typos.nonword_typos(seeded, 0, len(seeded))  # the seeded typos are found


# ---------------------------------------------------------------- place names

def _scan_reference(text: str) -> list[tuple[int, int, str, str, tuple[str, ...]]]:
    tab = places._table()
    out = []
    i, n, prev_end = 0, len(text), -1
    while i < n - 1:
        if text[i:i + 2] not in tab.prefixes:
            i += 1
            continue
        for length in range(min(tab.longest, n - i), 1, -1):
            form = text[i:i + length]
            codes = places._codes(form)
            if not codes:
                continue
            kind = min((places._kind(c) for c in codes), key=places._level)
            if places._accept(text, i, i + length, kind, prev_end):
                codes = tuple(c for c in codes if places._kind(c) == kind)
                out.append((i, i + length, form, kind, codes))
                i = prev_end = i + length
                break
        else:
            i += 1
    return out


def test_place_scan_same_mentions():
    texts = ["四川省遂宁市蓬溪县红江镇人民政府关于2023年法治政府建设情况的报告", "北京市朝阳区人民政府建外街道办事处",
             "海城市场监督管理局", "我镇和平区域", *(t[:3000] for t in _samples())]
    for text in texts:
        got = [(m.start, m.end, m.name, m.kind, m.codes) for m in places._scan(text)]
        assert got == _scan_reference(text)
    assert places._scan(texts[0])


def test_town_name_is_the_first_listed():
    rows = places._rows("divisions_towns.tsv")
    for name, codes in rows[:: max(1, len(rows) // 300)]:
        for code in codes.split(","):
            assert places._name(code) == next(n for n, cs in rows if code in cs.split(","))


# ---------------------------------------------------------------- punctuation scans

def _quote_reference(line: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    open_at, open_kind = -1, ""
    for i, ch in enumerate(line):
        if ch == "“" or (ch == '"' and open_at < 0):
            open_at, open_kind = i, ch
        elif ch in ('"', "”") and open_at >= 0:
            if open_kind == '"' and ch == '"':
                if re.search(r"[\u4e00-\u9fff]", line[open_at + 1:i]):
                    out.append((open_at, i + 1, "ascii"))
            elif (open_kind == '"') != (ch == '"'):
                out.append((open_at, i + 1, "mixed"))
            open_at = -1
    return out


def test_quote_and_title_scans_on_made_up_lines():
    rnd = random.Random(7)
    alphabet = '“”"《》法治，。a'
    for _ in range(3000):
        line = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24)))
        assert punctuation.quote_problems(line) == _quote_reference(line)
        depth_ref = _nested_reference(line)
        assert fmt.nested_title_spans(line, 0, len(line)) == depth_ref


def _nested_reference(view: str) -> list[tuple[int, int]]:
    skip = punctuation.unclosed_titles(view)
    depth, opened, found = 0, -1, []
    for i, ch in enumerate(view):
        if i in skip:
            continue
        if ch == "《":
            depth += 1
            if depth == 2:
                opened = i
        elif ch == "》":
            if depth == 2 and opened >= 0:
                found.append((opened, i + 1))
            depth = max(0, depth - 1)
    return found if depth == 0 else []


# ---------------------------------------------------------------- short forms completed from the page

def test_place_prefixed_is_the_per_name_regex():
    from fazhi.extract.issuer import place_prefixed

    rnd = random.Random(4)
    multi = 0
    for alphabet in ("市局安宜春a，", "市市局", "县局县a局县县", "区" * 12 + "局，"):
        for _ in range(3000):
            view = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
            tier, tail = rnd.choice(["市", "县", "区"]), rnd.choice(["局", "安局", "市局", "区区", "县局县"])
            rx = re.compile(rf"([\u4e00-\u9fff]{{1,10}}?{re.escape(tier)}){re.escape(tail)}")
            want = [m.group(1) for m in rx.finditer(view)]
            assert place_prefixed(view, tier, tail) == want, (view, tier, tail)
            multi += len(want) > 1
    assert multi > 100
    assert place_prefixed("经宜春市公安局批准，市公安局", "市", "公安局") == ["经宜春市"]


def test_normalize_by_runs_equals_the_char_by_char_rule():
    """fingerprint.normalize (kind codes by str.translate, one regex over runs) and norm_text (its
    string alone) give exactly what the per-character loop gives: numerals joined across spaces and '.', broken by punctuation,
    full-width folded, letters lower-cased (also those whose lower case is longer), offsets + base."""
    import random

    from fazhi.corpus.fingerprint import _normalize_slow, norm_text, normalize

    rng = random.Random(7)
    alphabet = "0123456789零〇一二三四五六七八九十两 .。，,；;！!？?ABCabcＡＢ１２．　\t\nİßﬁ法治政府建设年度报告ǅΣ²"
    cases = ["", "2023年", "二〇二四年 1. 5亿元", "第 1 . 2 条，3", "ＡＢＣ１２３", "İstanbul", "a.b 1.5"]
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(3000)]
    for s in cases:
        for base in (0, 11):
            assert normalize(s, base) == _normalize_slow(s, base), s
        assert norm_text(s) == normalize(s)[0], s  # the string alone, as verification reads it
    norm, starts, ends = normalize("二〇二四年 1. 5亿元，共计 3 个", 100)
    assert norm == "0年0亿元共计0个" and starts[0] == 100 and ends[0] == 104 and ends[2] == 110


def test_norms_of_many_texts_at_once_equal_norm_text_one_by_one():
    """fazhi.corpus.norms (a links pass normalises every paragraph it reads, 500 at a time, in numpy,
    from the stored UTF-16 bytes) gives norm_text's string for each: numerals folded across spaces
    and '.', full-width folded, lower case longer than one char (İ), chars outside the BMP (their
    UTF-16 halves), lone surrogates, empty texts, and a number run that ends one text and one that
    starts the next (never joined)."""
    import random

    from fazhi.corpus.fingerprint import norm_text
    from fazhi.corpus.norms import as_text, norm_texts, norm_utf16

    rng = random.Random(5)
    alphabet = list("0123456789零〇一二三四五六七八九十两 .。，,；;！!？?ABCabcＡＢ１２．　\t\nİßﬁ法治政府建设ǅΣ²①\x01\x00")
    alphabet += ["\U00020000", "\U0001F600"]
    texts = ["", "2023年", "二〇二四年 1. 5亿元", "İstanbul", "12", "34", "第\U00020000条 1 000", "法治\ud800政府"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70))) for _ in range(3000)]
    want = [norm_text(s) for s in texts]
    assert norm_texts(texts) == want
    assert norm_texts(["12", "34"]) == ["0", "0"]  # not one run across the two
    blobs = [s.encode("utf-16-le", "surrogatepass") for s in texts]
    assert norm_utf16(blobs) == want
    assert norm_utf16([memoryview(b) for b in blobs[:50]]) == want[:50]  # what psycopg gives
    assert norm_texts([]) == norm_utf16([]) == []
    assert as_text(blobs[2]) == texts[2] and as_text(texts[2]) == texts[2]


def test_a_span_of_the_norm_maps_back_as_the_offsets_say():
    """norm_span (a verified match's place in the text, found without the per-char offsets) gives
    normalize's starts[i] and ends[j - 1] for every i < j, numerals and folded chars included."""
    import random

    from fazhi.corpus.fingerprint import norm_span, normalize

    rng = random.Random(11)
    alphabet = "0123456789一二三十 .。，,；ABCabＡ１．　İß法治政府建设"
    cases = ["二〇二四年 1. 5亿元，共计 3 个", "，，法治。", "İstanbul 12"]
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    checked = 0
    for s in cases:
        _norm, starts, ends = normalize(s, 40)
        n = len(starts)  # one entry a kept char (İ, kept as two, has one), one a number run
        for i in range(n):
            for j in range(i + 1, n + 1):
                assert norm_span(s, 40, i, j) == (starts[i], ends[j - 1]), (s, i, j)
                checked += 1
        with pytest.raises(IndexError):
            norm_span(s, 40, 0, n + 1)
    assert checked > 10_000


def test_units_without_offsets_are_the_same_units():
    """A build matched later from the store cuts units without their chars' offsets (C passes
    only): the same units, spans, normalised strings, contents and band keys as with them, on the
    samples and on random text with numerals, punctuation and spaces at the ends of lines."""
    import random

    from fazhi.corpus.fingerprint import fingerprint, report_units, split_units
    from fazhi.pipeline import analyze
    from fazhi.text.view import make_view

    def same(a, b) -> None:
        assert [(u.start, u.end, u.level, u.norm, u.content, u.text_hash, u.bands) for u in a] == \
               [(u.start, u.end, u.level, u.norm, u.content, u.text_hash, u.bands) for u in b]
        assert all(u.starts == [] == u.ends for u in b) and all(u.starts for u in a)

    samples = sorted((Path(fazhi.__file__).parent / "samples").glob("*.txt"))
    assert samples
    for path in samples:
        r = analyze(path)
        with_offsets, without = report_units(r), report_units(r, offsets=False)
        assert len(with_offsets) > 20
        same(with_offsets, without)
    rng = random.Random(3)
    alphabet = "0123456789零一二三十 .。，,；;！!？?（）“”\u3000ABab法治政府建设年度报告推进依法行政"
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(15, 200))) for _ in range(400)]
    text = "\n".join(lines)
    view = make_view(text)
    a, b = split_units(view, (0, len(view))), split_units(view, (0, len(view)), offsets=False)
    assert len(a) > 100
    same(fingerprint(a), fingerprint(b))
