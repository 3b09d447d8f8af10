"""The synthetic corpus generator and copy detection measured against it (recall, precision, kinds)."""
from __future__ import annotations

import json

import pytest

import fazhi
from fazhi.corpus import open_corpus
from fazhi.corpus.copies import match_stored, verify
from fazhi.corpus.fingerprint import normalize
from fazhi.corpus.synth import Manifest, generate


def _overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_same_seed_same_corpus_other_seed_other_corpus(tmp_path):
    a = generate(12, tmp_path / "a", seed=5)
    b = generate(12, tmp_path / "b", seed=5)
    c = generate(12, tmp_path / "c", seed=6)
    assert a.to_dict() == b.to_dict()
    names = [r["file"] for r in a.reports]
    assert len(names) == 12 and len(set(names)) == 12
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names)
    assert any((tmp_path / "a" / n).read_bytes() != (tmp_path / "c" / n).read_bytes() for n in names)
    assert json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8")) == a.to_dict()


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    m = generate(60, d, seed=11)
    db = d / "corpus.db"
    with open_corpus(db) as c:
        for r in m.reports:
            c.add(fazhi.analyze(d / r["file"]))
    return d, m, db


def test_planted_similarities_are_what_the_manifest_says(synth):
    d, m, _db = synth
    kinds = {p["kind"] for p in m.pairs}
    assert kinds == {"recycling", "copying"}
    strong = [p for p in m.pairs if p["similarity"] is not None]
    assert 10 <= len(strong) < len(m.pairs)  # both sides of the 0.8 bar are planted
    units = {r["file"]: r["unit"] for r in m.reports}
    for p in m.pairs:
        dst = (d / p["dst"]).read_text(encoding="utf-8")[slice(*p["dst_span"])]
        src = (d / p["src"]).read_text(encoding="utf-8")[slice(*p["src_span"])]
        v = verify(normalize(dst)[0], normalize(src)[0])
        assert (round(v[0], 4) if v else None) == p["similarity"]
        assert (units[p["dst"]] == units[p["src"]]) == (p["kind"] == "recycling")


def _brute_force(db, rid: int) -> list[tuple[tuple[int, int], int]]:
    """(query span, other report id) of every verified unit pair, all reports, no LSH."""
    from fazhi.corpus.fingerprint import dict_units

    with open_corpus(db) as c:
        q = dict_units(c.report_dict(rid), c.params)
        out = []
        for other in c.rows(("id",)):
            if other["id"] == rid:
                continue
            for o in dict_units(c.report_dict(other["id"]), c.params):
                for u in q:
                    v = verify(u.norm, o.norm)
                    if v:
                        out.append((u.span_of(v[1], v[2]), other["id"]))
    return out


def test_copy_detection_finds_planted_copies_and_only_real_ones(synth):
    d, m, db = synth
    with open_corpus(db) as c:
        ids = {r["path"].rsplit("/", 1)[-1]: r["id"] for r in c.rows(("id", "path"))}
        strong = [p for p in m.pairs if p["similarity"] is not None]
        found = kind_right = 0
        copies_of = {n: match_stored(c, ids[n]) for n in {p["dst"] for p in strong}}
    for p in strong:
        hit = [e for e in copies_of[p["dst"]]
               if e["other"]["id"] == ids[p["src"]] and _overlap((e["start"], e["end"]), p["dst_span"])]
        found += bool(hit)
        kind_right += any(e["kind"] == p["kind"] for e in hit)
    assert found / len(strong) >= 0.95
    assert kind_right / found >= 0.9
    # precision: every reported passage of a few reports is confirmed by brute force
    for name in sorted(copies_of)[:3]:
        bf = _brute_force(db, ids[name])
        entries = [e for e in copies_of[name] if e["kind"] != "template"]
        assert entries
        for e in entries:
            assert any(o == e["other"]["id"] and _overlap(s, (e["start"], e["end"])) for s, o in bf)


def test_manifest_loads_back(synth):
    d, m, _db = synth
    assert Manifest.load(d / "manifest.json") == m


def test_a_national_size_corpus_gets_one_issuer_per_unit():
    """100,000 reports over four years need 25,000 units: more than the 13 issuers a county can
    have (its government and 12 departments) are drawn for some counties; those units move to
    another county instead of drawing for ever."""
    import random

    from fazhi.corpus.synth import _DEPARTMENTS, _counties, make_units

    n = len(_counties()) * (len(_DEPARTMENTS) + 1) - 50  # nearly every issuer of every county
    units = make_units(n, random.Random(3))
    assert len(units) == n and len({u.issuer for u in units}) == n
