"""Fingerprints: normalisation, units, MinHash/LSH behave on real report sentences."""
from __future__ import annotations

from conftest import sample_text

from fazhi.corpus.fingerprint import Params, band_hashes, normalize, signatures, split_units

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


def test_near_duplicates_share_a_band_and_unrelated_text_does_not():
    a = normalize(sample_text("000").splitlines()[31])[0]
    b = normalize(sample_text("003").splitlines()[50])[0]
    c = normalize(sample_text("001").splitlines()[5])[0]
    sig = signatures([a, b, c])
    ba, bb, bc = (set(band_hashes(row)) for row in sig)
    assert len(ba & bb) >= 16
    assert not ba & bc
    assert (sig[0] == sig[1]).mean() > 0.7 and (sig[0] == sig[2]).mean() < 0.2


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
