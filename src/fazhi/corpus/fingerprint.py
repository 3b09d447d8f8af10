"""Fingerprints of report passages for copy detection.

A report's body is cut into *units*: every prose paragraph (a non-empty line that is not
a bare heading) and, for long paragraphs, also its sentences (cut after 。；;！？!?).
Each unit is *normalised* so that punctuation width, spaces and changed numbers do not
matter: punctuation and spaces are dropped, letters lower-cased, and every run of digits
or Chinese numerals becomes one symbol ("2023年" and "二〇二四年" both read "0年").

The normalised string is shingled into character n-grams (never whitespace tokens: Chinese
has none) and a MinHash signature computed with a multiply-shift hash family in numpy; the
signature is cut into LSH bands, each hashed (band index mixed in) to one signed integer that
the database indexes (fazhi.corpus.minhash, with the schemes of hashing).
Two units whose n-gram Jaccard similarity is J share at least one band with probability
1 - (1 - J**rows)**bands: with 16 bands of 3 rows 0.81 at J = 0.4, 0.97 at J = 0.5. The defaults
were chosen on synthetic corpora (bench/corpus.py, bench/RESULTS.md) for recall of passages with
verified similarity >= 0.8, whose trigram Jaccard can be as low as ~0.3 when the edits are spread
out (bigrams find more of those but cost far more candidates to verify, see Params.ngram);
older corpora keep the parameters stored with them.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

# digits of any width and the Chinese numerals used in ordinals, years and counts
_CN_NUMERALS = frozenset("零〇一二三四五六七八九十两")
_SENTENCE_END = re.compile(r"[。；;！？!?]+")
NUMBER = "0"


@dataclass(frozen=True)
class Params:
    """Fingerprint settings; stored in the corpus so that every unit is hashed alike."""

    # character n-gram length. Bigrams were tried (bench/RESULTS.md): a recycled passage edited all
    # through shares few trigrams with its source, and on 3,000 planted pairs of similarity >= 0.8 the
    # share meeting its source in a band rose from 0.961 to 0.994 for the same keys; but bigrams are
    # shared by chance far more, the candidates to verify were 2.2x at 2,000 reports and grew with
    # the corpus (at 100,000 reports the links pass had verified 60 of its 326 buckets after 13
    # minutes), so 3 stays.
    ngram: int = 3
    num_perm: int = 48  # MinHash permutations
    bands: int = 16  # LSH bands (bands * rows <= num_perm)
    rows: int = 3
    seed: int = 20240601
    # a unit shorter than this (normalised) is not fingerprinted, and a shorter match is not reported:
    # headings and formula lines (二是深化行政审批制度改革) are alike everywhere and prove nothing
    min_chars: int = 20
    long_chars: int = 80  # a paragraph longer than this is also cut into sentences
    max_para_chars: int = 1500  # a longer "paragraph" (a run-on PDF line) is kept as sentences only
    # bumped when what is cut into units or how it is hashed changes (2: formula lines skipped;
    # 3: shingles and bands hashed in numpy, 48-bit band keys, fazhi.corpus.minhash); a corpus
    # stored without it is scheme 1, and `fazhi corpus reindex` brings it up to date
    scheme: int = 3

    @property
    def key_bits(self) -> int:
        """Width of this scheme's band keys (minhash.key_bits)."""
        from fazhi.corpus.minhash import key_bits

        return key_bits(self)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Params":
        return cls(**{"scheme": 1, **{k: int(v) for k, v in d.items() if k in cls.__dataclass_fields__}})


DEFAULT_PARAMS = Params()


@dataclass
class Unit:
    """One fingerprinted passage: [start, end) in the report text, level 0 paragraph / 1 sentence."""

    start: int
    end: int
    level: int
    norm: str
    starts: list[int] = field(repr=False)  # offset in the report text where norm[i] begins
    ends: list[int] = field(repr=False)  # ... and where it ends (a number symbol covers its digits)
    content: str = field(default="", repr=False)  # view[start:end]
    text_hash: int = 0
    bands: list[int] = field(default_factory=list, repr=False)

    def span_of(self, i: int, j: int) -> tuple[int, int]:
        """Offsets in the report text of norm[i:j] (j exclusive, i < j)."""
        return self.starts[i], self.ends[j - 1]


def normalize(s: str, base: int = 0) -> tuple[str, list[int], list[int]]:
    """`s` without punctuation and spaces, letters lower-cased, each run of digits/Chinese
    numerals folded to one symbol; plus the start and end offset (+ base) of each kept char.

    A number run is numerals separated only by spaces or '.' (other punctuation or a kept char
    ends it). Done on a same-length string of kind codes (str.translate, then one regex over
    runs), so the work per character is in C; `_normalize_slow` is the same rule char by char."""
    codes = s.translate(_CODES)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _RUNS.finditer(codes):
        a, b = m.span()
        code = codes[a]
        if code == "c":
            out.append(s[a:b].translate(_KEPT))
            starts.extend(range(base + a, base + b))
            ends.extend(range(base + a + 1, base + b + 1))
        else:  # "n": a number run, one symbol; "x": a char whose lower case is longer than one char
            out.append(NUMBER if code == "n" else _kind(s[a]))
            starts.append(base + a)
            ends.append(base + b)
    return "".join(out), starts, ends


def norm_span(s: str, base: int, i: int, j: int) -> tuple[int, int]:
    """normalize(s, base)'s starts[i] and ends[j - 1] (0 <= i < j <= len of the norm) without
    the per-char lists: one translate and a walk over the runs, what a verified match needs."""
    codes = s.translate(_CODES)
    pos, start, last = 0, -1, j - 1
    for m in _RUNS.finditer(codes):
        a, b = m.span()
        whole = codes[a] == "c"  # a run of kept chars, one norm char each; else one symbol
        n = b - a if whole else 1
        if start < 0 and i < pos + n:
            start = base + (a + i - pos if whole else a)
        if last < pos + n:
            return start, base + (a + last - pos + 1 if whole else b)
        pos += n
    raise IndexError(f"norm[{i}:{j}] is past the {pos} chars of the norm")


def _normalize_slow(s: str, base: int = 0) -> tuple[str, list[int], list[int]]:
    """normalize, one character at a time (the reference the fast version is tested against)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    prev_num = False
    for i, ch in enumerate(s):
        k = _kind(ch)
        if k is _NUM:
            if prev_num:
                ends[-1] = base + i + 1
            else:
                out.append(NUMBER)
                starts.append(base + i)
                ends.append(base + i + 1)
            prev_num = True
        elif k is _DROP:
            prev_num = False  # punctuation ends a number; a space or a decimal point does not
        elif k is not _KEEP_RUN:
            out.append(k)
            starts.append(base + i)
            ends.append(base + i + 1)
            prev_num = False
    return "".join(out), starts, ends


_NUM, _KEEP_RUN, _DROP = object(), object(), object()
_RUNS = re.compile(r"c+|n(?:k*n)*|x")


class _CodeTable(dict):
    """Code point → kind code, filled on first sight: n numeral, k space or '.', d other
    punctuation, c a kept char (x: kept, but its lower case is several chars)."""

    def __missing__(self, o: int) -> str:
        k = _kind(chr(o))
        code = "n" if k is _NUM else "k" if k is _KEEP_RUN else "d" if k is _DROP else "c" if len(k) == 1 else "x"
        self[o] = code
        return code


class _KeptTable(dict):
    """Code point of a kept char → the char it is kept as (full-width folded, lower case)."""

    def __missing__(self, o: int) -> str:
        k = _kind(chr(o))
        self[o] = k
        return k


class _NormTable(dict):
    """Code point → what `norm_text` writes for it: the kept char, NUMBER for a numeral, "" for a
    space or '.', _BREAK for other punctuation (it ends a number run, then goes)."""

    def __missing__(self, o: int) -> str:
        k = _kind(chr(o))
        v = NUMBER if k is _NUM else "" if k is _KEEP_RUN else _BREAK if k is _DROP else k
        self[o] = v
        return v


_CODES, _KEPT, _NORM = _CodeTable(), _KeptTable(), _NormTable()
_BREAK = "\x01"  # a control char: itself punctuation (_DROP), so never kept
_NUMBER_RUNS = re.compile(NUMBER + "{2,}")


def norm_text(s: str) -> str:
    """normalize(s)[0] without the offsets, in three C passes (translate, one regex, replace): what
    verification needs of every candidate; the offsets are needed only for what it keeps."""
    t = s.translate(_NORM)
    if NUMBER + NUMBER in t:
        t = _NUMBER_RUNS.sub(NUMBER, t)
    return t.replace(_BREAK, "")


def _kind(ch: str):
    """_NUM, _KEEP_RUN (space or '.'), _DROP (other punctuation) or the kept (lower-cased) char."""
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:  # full-width ASCII
        ch = chr(o - 0xFEE0)
    if ch.isdigit() or ch in _CN_NUMERALS:
        return _NUM
    if ch.isalnum():
        return ch.lower()
    if ch.isspace() or ch == ".":
        return _KEEP_RUN
    return _DROP


# ---------------------------------------------------------------- units
def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-empty lines of text[start:end], stripped, as (start, end)."""
    out = []
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        a, b = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end] cut after 。；;！？!? (terminator kept)."""
    out, a = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        out.append((a, m.end()))
        a = m.end()
    if a < end:
        out.append((a, end))
    return out


def _unit(view: str, a: int, b: int, level: int, offsets: bool = True) -> Unit:
    if offsets:
        norm, starts, ends = normalize(view[a:b], a)
        s, e = (starts[0], ends[-1]) if starts else (a, b)
        return Unit(s, e, level, norm, starts, ends, view[s:e])
    seg = view[a:b]  # the same unit without the offsets of its chars (C passes only)
    codes = seg.translate(_CODES)
    lead = len(codes) - len(codes.lstrip("kd"))  # from the first kept char or numeral to the last
    s, e = (a + lead, b - (len(codes) - len(codes.rstrip("kd")))) if lead < len(codes) else (a, b)
    return Unit(s, e, level, norm_text(seg), [], [], view[s:e])


# Lines the rules prescribe (title, addressee, 落款, date) read alike in every report: they prove
# no copying, so they are not fingerprinted (metadata span keys, rules.md B1.2, E1.4-E1.5).
FORMULA_FIELDS = ("title", "addressee", "issuer", "sign_date")


def split_units(view: str, body: tuple[int, int], headings: list[tuple[int, int, int]] = (),
                params: Params = DEFAULT_PARAMS, formula: list[tuple[int, int]] = (),
                offsets: bool = True) -> list[Unit]:
    """The passages of a report worth fingerprinting.

    `view` is the report's same-length normalised text, `body` its (start, end), `headings`
    (line start, title end, line end) of outline headings: a heading line is skipped, or only
    the text after its title kept when the line goes on ("（二）标题。正文……"). A line that is
    mostly one of the `formula` spans (title, 落款 ...) is skipped. offsets=False: the units'
    `starts`/`ends` are left empty (a build that matches later from the store needs none)."""
    after_title = {s: t for s, t, _e in headings}
    units: list[Unit] = []
    for a, b in _lines(view, *body):
        if any(2 * (min(b, e) - max(a, s)) >= b - a for s, e in formula):
            continue
        if a in after_title:
            a = after_title[a]
        u = _unit(view, a, b, 0, offsets)
        n = len(u.norm)
        if n < params.min_chars:
            continue
        if n <= params.max_para_chars:
            units.append(u)
        if n > params.long_chars:
            units.extend(_sentence_units(view, a, b, params, offsets))
    return units


def _sentence_units(view: str, a: int, b: int, params: Params, offsets: bool = True) -> list[Unit]:
    """Sentence units of a long paragraph; a short sentence is joined to the next one."""
    out: list[Unit] = []
    pending = None
    for s, e in _sentences(view, a, b):
        s0 = pending if pending is not None else s
        u = _unit(view, s0, e, 1, offsets)
        if len(u.norm) < params.min_chars:
            pending = s0
            continue
        pending = None
        out.append(u)
    if pending is not None and out:  # a short tail joins the last sentence
        out[-1] = _unit(view, out[-1].start, b, 1, offsets)
    elif pending is not None:
        out.append(_unit(view, pending, b, 1, offsets))
    return out


def report_units(report, params: Params = DEFAULT_PARAMS, offsets: bool = True) -> list[Unit]:
    """Units of an analysed `fazhi.report.Report`, fingerprinted (offsets: see split_units)."""
    view = report.view or _make_view(report.text)
    heads = [(h.start, h.title_end or h.end, h.end) for h in report.outline]
    spans = report.metadata.spans
    formula = [(spans[k].start, spans[k].end) for k in FORMULA_FIELDS if k in spans]
    units = split_units(view, (report.body.start, report.body.end), heads, params, formula, offsets)
    fingerprint(units, params)
    return units


def dict_units(d: dict[str, Any], params: Params = DEFAULT_PARAMS) -> list[Unit]:
    """Units of a report given as its contract JSON (`Report.to_dict()`, with "text")."""
    view = _make_view(d["text"])
    heads = [(h["start"], h.get("title_end") or h["end"], h["end"]) for h in d.get("outline") or []]
    body = d.get("body") or {"start": 0, "end": len(d["text"])}
    spans = (d.get("metadata") or {}).get("spans") or {}
    formula = [tuple(spans[k])[:2] for k in FORMULA_FIELDS if spans.get(k)]
    units = split_units(view, (body["start"], body["end"]), heads, params, formula)
    fingerprint(units, params)
    return units


def _make_view(text: str) -> str:
    from fazhi.text.view import make_view

    return make_view(text)


# ---------------------------------------------------------------- MinHash + LSH
def shingles(norm: str, n: int) -> list[str]:
    """Character n-grams; a string shorter than n is its own single shingle."""
    if len(norm) <= n:
        return [norm] if norm else []
    return [norm[i:i + n] for i in range(len(norm) - n + 1)]


def text_hash(norm: str) -> int:
    """Signed 64-bit hash of a normalised string (exact-duplicate key)."""
    import xxhash

    return _signed(xxhash.xxh64_intdigest(norm.encode("utf-8")))


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def fingerprint(units: list[Unit], params: Params = DEFAULT_PARAMS) -> list[Unit]:
    """Fill each unit's `text_hash` and `bands` in place."""
    from fazhi.corpus.minhash import band_keys, signatures

    keys = band_keys(signatures([u.norm for u in units], params), params).tolist()
    for u, row in zip(units, keys):
        u.text_hash = text_hash(u.norm)
        u.bands = row
    return units
