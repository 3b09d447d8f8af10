"""Fingerprints: normalisation, units, MinHash/LSH behave on real report sentences."""
from __future__ import annotations

from conftest import sample_text

import numpy as np
import pytest

from fazhi.corpus.fingerprint import Params, normalize, split_units
from fazhi.corpus.minhash import band_keys, signatures

HALF = "从源头上提高制度建设质量,及时出台配套措施,提高各项制度的执行力,用制度管权、管事、管人;"
FULL = "从源头上提高制度建设质量，及时出台配套措施，提高各项制度的执行力，用制度管权、管事、管人；"


def test_normalize_ignores_punctuation_width_and_spaces():
    assert normalize(HALF)[0] == normalize(FULL)[0]
    assert normalize("用制度 管权")[0] == normalize("用制度管权")[0]


def test_normalize_folds_numbers_and_keeps_offsets():
    a = "全年受理调处各类矛盾纠纷51件，调解成功率98.5%"
    b = "全年受理调处各类矛盾纠纷１２３件，调解成功率１００%"
    assert normalize(a)[0] == normalize(b)[0]
    assert normalize("二〇二三年")[0] == normalize("2024年")[0]
    norm, starts, ends = normalize(a, base=100)
    i = norm.index("0")  # the number 51 is one symbol covering both digits
    assert a[starts[i] - 100:ends[i] - 100] == "51"
    assert norm != normalize("全年受理调处各类行政复议案件51件")[0]


def test_units_skip_headings_and_split_long_paragraphs():
    text = sample_text("000")
    heads = [(text.index("一、2023年度推进"), text.index("一、2023年度推进") + 24, text.index("一、2023年度推进") + 24)]
    units = split_units(text, (0, len(text)), heads)
    spans = [text[u.start:u.end] for u in units]
    assert not any(s.startswith("一、2023年度推进") for s in spans)
    para = next(u for u in units if u.level == 0 and "从源头上提高制度建设质量" in text[u.start:u.end])
    sents = [u for u in units if u.level == 1 and para.start <= u.start and u.end <= para.end]
    assert len(sents) >= 3  # 。 and ； cut the long paragraph
    assert all(len(u.norm) >= Params().min_chars for u in units)


@pytest.mark.parametrize("scheme", [2, 3])
def test_near_duplicates_share_a_band_and_unrelated_text_does_not(scheme):
    params = Params(scheme=scheme)
    a = normalize(sample_text("000").splitlines()[31])[0]
    b = normalize(sample_text("003").splitlines()[50])[0]
    c = normalize(sample_text("001").splitlines()[5])[0]
    sig = signatures([a, b, c], params)
    ba, bb, bc = (set(row) for row in band_keys(sig, params).tolist())
    assert len(ba & bb) >= 16
    assert not ba & bc
    assert (sig[0] == sig[1]).mean() > 0.7 and (sig[0] == sig[2]).mean() < 0.2


def _reference_signature(s: str, params: Params) -> np.ndarray:
    """Scheme 3's signature of one string, shingle by shingle in Python integers (the rule the
    numpy version over all strings at once must follow)."""
    from fazhi.corpus.fingerprint import shingles
    from fazhi.corpus.minhash import _char_weights, _perm

    k, t = (v.tolist() for v in _char_weights(params.ngram, params.seed))
    a, b = (v.tolist() for v in _perm(params.num_perm, params.seed))
    keys = [(t[len(g)] + sum(ord(ch) * k[j] for j, ch in enumerate(g))) % (1 << 64) >> 32
            for g in shingles(s, params.ngram) or [""]]
    return np.array([min(((ai * x + bi) % (1 << 64)) >> 32 for x in keys) for ai, bi in zip(a, b)], dtype=np.uint32)


def test_scheme_3_hashes_each_string_alone_whatever_strings_come_with_it():
    """Shingles never cross from one string into the next; short and empty strings are one
    shingle; the same string gets the same signature and keys in any company."""
    params = Params(scheme=3)
    strings = [normalize(x)[0] for x in sample_text("000").splitlines()[25:40]] + ["ab", "", "法治", "一二三四"]
    sig = signatures(strings, params)
    for s, row in zip(strings, sig):
        assert (row == _reference_signature(s, params)).all(), s
    keys = band_keys(sig, params)
    alone = [band_keys(signatures([s], params), params)[0].tolist() for s in strings]
    assert keys.tolist() == alone


def test_scheme_3_band_keys_fit_48_bits_and_scheme_2_keeps_its_keys():
    """Scheme 3's keys are 48-bit signed (6 bytes in SQLite) and differ band from band; an older
    corpus (scheme 2) keeps hashing with xxh64, so its stored keys still meet new reports' keys."""
    import xxhash

    strings = [normalize(x)[0] for x in sample_text("003").splitlines()[40:70] if len(x) > 30]
    p3, p2 = Params(scheme=3), Params(scheme=2)
    assert (p3.key_bits, p2.key_bits) == (48, 64)
    keys = band_keys(signatures(strings, p3), p3)
    assert keys.min() >= -(1 << 47) and keys.max() < 1 << 47 and abs(keys).max() > 1 << 44
    assert all(len(set(row)) == p3.bands for row in keys.tolist())
    sig2 = signatures(strings, p2)
    old = [[xxhash.xxh64_intdigest(row.tobytes()[12 * i:12 * (i + 1)], seed=i) for i in range(16)] for row in sig2]
    assert band_keys(sig2, p2).tolist() == [[v - (1 << 64) if v >= 1 << 63 else v for v in r] for r in old]


def test_title_and_signature_lines_are_not_fingerprinted(analyzed):
    """Prescribed formula lines (title, 落款, date) read alike in every report and prove nothing."""
    from fazhi.corpus.fingerprint import dict_units, report_units

    report = analyzed("001")
    spans = report.metadata.spans
    assert "title" in spans and "issuer" in spans
    units = report_units(report)
    for key in ("title", "issuer", "sign_date"):
        if key not in spans:
            continue
        s = spans[key]
        assert not any(u.start < s.end and s.start < u.end for u in units), key
    assert [u.start for u in dict_units(report.to_dict())] == [u.start for u in units]
    # the first body paragraph after the title is still there
    first = report.text.index("\n", spans["title"].end) + 1
    assert any(u.start >= first and u.level == 0 for u in units)


def test_settings_stored_before_schemes_read_as_scheme_1():
    from fazhi.corpus.fingerprint import DEFAULT_PARAMS

    stored = {k: v for k, v in DEFAULT_PARAMS.to_dict().items() if k != "scheme"}
    assert Params.from_dict(stored).scheme == 1 and Params.from_dict(stored) != DEFAULT_PARAMS
    assert Params.from_dict(DEFAULT_PARAMS.to_dict()) == DEFAULT_PARAMS
