"""Copy detection on the seeds and on constructed variants of seed text."""
from __future__ import annotations

import re
import shutil

import pytest
from conftest import SAMPLES, sample_path, sample_text

import fazhi
from fazhi.corpus import copy_ratios, find_copies

SHARED = "从源头上提高制度建设质量"


def _covering(text: str, copies: list[dict], phrase: str) -> list[dict]:
    at = text.index(phrase)
    return [c for c in copies if c["start"] <= at < c["end"]]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    d = tmp_path_factory.mktemp("seeds")
    for p in SAMPLES.glob("*.txt"):
        shutil.copy(p, d / p.name)
    return d


@pytest.mark.parametrize("me, other", [("000", "003"), ("003", "000")])
def test_shared_paragraph_is_peer_copying_in_both_directions(seeds, me, other):
    report = fazhi.analyze(seeds / sample_path(me).name)
    copies = find_copies(report, seeds)
    (hit,) = _covering(report.text, copies, SHARED)
    assert hit["kind"] == "copying" and hit["similarity"] >= 0.95
    assert hit["other"]["path"].endswith(sample_path(other).name)
    other_text = sample_path(other).read_text(encoding="utf-8")
    assert SHARED in other_text[hit["other"]["start"]:hit["other"]["end"]]
    assert "实现权责统一" in report.text[hit["start"]:hit["end"]]
    assert not any(sample_path(me).name in c["other"]["path"] for c in copies)  # never itself
    ratios = copy_ratios(copies, report)
    assert 0 < ratios["copying"] < 0.1 and ratios["recycling"] == 0


def test_unrelated_seed_has_no_copies(seeds):
    report = fazhi.analyze(seeds / sample_path("002").name)
    assert find_copies(report, seeds) == []


def test_a_corpus_database_works_like_a_folder(seeds, tmp_path):
    from fazhi.corpus import open_corpus

    with open_corpus(tmp_path / "c.db") as c:
        for p in sorted(seeds.glob("*.txt")):
            c.add(fazhi.analyze(p))
    report = fazhi.analyze(seeds / sample_path("000").name)  # stored too: must not match itself
    copies = find_copies(report, tmp_path / "c.db")
    assert [c["kind"] for c in _covering(report.text, copies, SHARED)] == ["copying"]
    assert all("003_" in c["other"]["path"] for c in copies)


def _shift_years(text: str, by: int) -> str:
    return re.sub(r"20[12]\d", lambda m: str(int(m.group()) + by), text)


def _bump_numbers(text: str) -> str:
    """Every count after the first few lines changes (different statistics, same wording)."""
    return re.sub(r"(?<=[^\d年月])(\d+)(?=[件次人项个场余%])", lambda m: str(int(m.group(1)) * 3 + 7), text)


def test_same_unit_earlier_year_is_recycling_even_with_new_numbers(tmp_path):
    text = sample_text("000")
    last_year = _bump_numbers(_shift_years(text, -1))
    assert last_year != _shift_years(text, -1)
    (tmp_path / "2023.txt").write_text(text, encoding="utf-8")
    (tmp_path / "2022.txt").write_text(last_year, encoding="utf-8")
    report = fazhi.analyze(tmp_path / "2023.txt")
    assert report.metadata.report_year == 2023
    copies = find_copies(report, tmp_path)
    assert copies and {c["kind"] for c in copies} == {"recycling"}
    assert all(c["direction"] == "earlier" and c["other"]["year"] == 2022 for c in copies)
    assert copy_ratios(copies, report)["recycling"] > 0.8
    # the paragraph whose numbers changed is still matched, span for span
    changed = next(m for m in re.finditer(r"[^\n]*\d+[件次][^\n]*", text) if m.group() not in last_year)
    assert any(c["start"] <= changed.start() and changed.end() <= c["end"] + 2 for c in copies)


def test_other_unit_same_text_is_copying_with_who_was_first(tmp_path):
    text = sample_text("000")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    other = text.replace("红江镇", "宝梵镇").replace("2024年1月19日", "2024年3月2日")
    (tmp_path / "b.txt").write_text(other, encoding="utf-8")
    report = fazhi.analyze(tmp_path / "a.txt")
    copies = find_copies(report, tmp_path)
    assert copies and {c["kind"] for c in copies} == {"copying"}
    assert {c["first"] for c in copies} == {"this"}  # signed 19 January, the other in March
    assert copy_ratios(copies, report)["copying"] > 0.8


def test_passage_in_many_units_is_template_not_copying(seeds, tmp_path):
    stock = next(line for line in sample_text("002").splitlines()[10:] if len(line) > 80)  # seed 002 prose
    for p in seeds.glob("*.txt"):
        lines = p.read_text(encoding="utf-8").split("\n")
        if not p.name.startswith("002"):
            lines.insert(len(lines) // 2, stock)
        (tmp_path / p.name).write_text("\n".join(lines), encoding="utf-8")
    report = fazhi.analyze(tmp_path / sample_path("000").name)
    copies = find_copies(report, tmp_path)
    (tpl,) = _covering(report.text, copies, stock[5:25])
    assert tpl["kind"] == "template" and tpl["units"] == 5 and tpl["reports"] == 5
    assert [c["kind"] for c in _covering(report.text, copies, SHARED)] == ["copying"]
    ratios = copy_ratios(copies, report)
    assert ratios["template"] > 0 and ratios["copying"] < 0.1


def test_verify_reports_the_aligned_sub_span():
    from fazhi.corpus.copies import verify
    from fazhi.corpus.fingerprint import normalize

    sentence = normalize("健全评议考核制度、过错责任追究制度、案卷评查制度等，实现权责统一。")[0]
    para = normalize(sample_text("000").splitlines()[31])[0]
    sim, qa, qb, oa, ob = verify(sentence, para)
    assert sim > 0.95 and (qa, qb) == (0, len(sentence))
    assert para[oa:ob] == sentence  # the window of the paragraph that holds the sentence
    assert verify(sentence, normalize(sample_text("001").splitlines()[5])[0]) is None


def _verify_unbounded(q: str, o: str, cutoff: float, min_chars: int):
    """copies.verify without its common-subsequence bound: rapidfuzz's ratio, then the partial
    alignment of the shorter string (the rule the bound must never change)."""
    from rapidfuzz.fuzz import partial_ratio_alignment, ratio

    if min(len(q), len(o)) < min_chars:
        return None
    r = ratio(q, o, score_cutoff=cutoff * 100)
    if r:
        return r / 100, 0, len(q), 0, len(o)
    short, long_ = (q, o) if len(q) <= len(o) else (o, q)
    al = partial_ratio_alignment(short, long_, score_cutoff=cutoff * 100)
    if not al or al.src_end - al.src_start < min_chars:
        return None
    if len(q) <= len(o):
        return al.score / 100, al.src_start, al.src_end, al.dest_start, al.dest_end
    return al.score / 100, al.dest_start, al.dest_end, al.src_start, al.src_end


def test_verify_rules_out_by_common_chars_exactly_what_the_alignment_would():
    """verify first rules out pairs whose longest common subsequence is too short for either
    ratio: the same answers as without that bound on edited, embedded and unrelated passages of
    the samples, close to the bar on both sides, at several bars."""
    import random

    from fazhi.corpus.copies import verify
    from fazhi.corpus.fingerprint import norm_text

    rng = random.Random(5)
    lines = [norm_text(ln) for p in SAMPLES.glob("*.txt") for ln in p.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if len(ln) >= 15]

    def edited(s: str, k: int) -> str:
        chars = list(s)
        for _ in range(k):
            i = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.4:
                chars[i] = rng.choice(lines)[0]
            elif op < 0.7 and len(chars) > 1:
                del chars[i]
            else:
                chars.insert(i, rng.choice("的和在对制度法治"))
        return "".join(chars)

    answers = {"passed": 0, "failed": 0}
    for _ in range(3000):
        a = rng.choice(lines)
        kind = rng.random()
        if kind < 0.3:
            b = edited(a, rng.randint(0, max(1, len(a) // 3)))
        elif kind < 0.5:  # words added to a passage found whole inside another: the bound is tight
            other = rng.choice(lines)
            at = rng.randrange(len(other) + 1)
            grown = list(a)
            for _ in range(rng.randint(0, len(a))):
                grown.insert(rng.randrange(len(grown) + 1), rng.choice("乙丙丁戊己庚辛壬癸"))
            a, b = "".join(grown), other[:at] + a + other[at:]
        elif kind < 0.7:  # a sentence inside another passage, a little edited
            other = rng.choice(lines)
            at = rng.randrange(len(other) + 1)
            b = other[:at] + edited(a, rng.randint(0, 4)) + other[at:]
        else:
            b = rng.choice(lines)
        q, o = (a, b) if rng.random() < 0.5 else (b, a)
        for cutoff, min_chars in ((0.8, 20), (0.6, 12), (0.9, 12)):
            want = _verify_unbounded(q, o, cutoff, min_chars)
            assert verify(q, o, cutoff, min_chars) == want, (q, o, cutoff)
            answers["passed" if want else "failed"] += 1
    assert answers["passed"] > 1500 and answers["failed"] > 1500


def test_reindex_moves_a_corpus_to_new_fingerprint_settings(seeds, tmp_path):
    """A corpus built with other settings (here the first release's 4-grams, 32 bands of 4,
    12-character units) is re-fingerprinted from its stored text by `fazhi corpus reindex`,
    without re-analysis; the shared paragraph is still found. A failure midway changes nothing."""
    import sqlite3
    import subprocess
    import sys

    from fazhi.corpus import open_corpus
    from fazhi.corpus.fingerprint import DEFAULT_PARAMS, Params

    old = Params(ngram=4, num_perm=128, bands=32, rows=4, min_chars=12)
    db = tmp_path / "old.db"
    with open_corpus(db) as c:
        c.reindex(old)  # empty corpus: just records the settings
        for p in sorted(seeds.glob("*.txt")):
            c.add(fazhi.analyze(p))

    def bands_per_paragraph() -> set[int]:
        with sqlite3.connect(db) as con:
            return {n for (n,) in con.execute("SELECT count(*) FROM band_keys GROUP BY paragraph_id")}

    assert bands_per_paragraph() == {32}

    def boom(_n: int) -> None:
        raise RuntimeError("interrupted")

    with open_corpus(db) as c, pytest.raises(RuntimeError):
        c.reindex(DEFAULT_PARAMS, progress=boom)
    with open_corpus(db) as c:
        assert c.params == old
    assert bands_per_paragraph() == {32}

    done = subprocess.run([sys.executable, "-m", "fazhi", "corpus", "reindex", "--db", str(db)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "已重建 5 份报告" in done.stderr, done.stderr
    assert bands_per_paragraph() == {DEFAULT_PARAMS.bands}
    with open_corpus(db) as c:
        assert c.params == DEFAULT_PARAMS
        with sqlite3.connect(db) as con:
            assert con.execute("SELECT min(nchars) FROM paragraphs").fetchone()[0] >= DEFAULT_PARAMS.min_chars
    report = fazhi.analyze(seeds / sample_path("000").name)
    assert [c["kind"] for c in _covering(report.text, find_copies(report, db), SHARED)] == ["copying"]
    again = subprocess.run([sys.executable, "-m", "fazhi", "corpus", "reindex", "--db", str(db)],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "无需重建" in again.stderr


def test_same_issuer_is_recycling_even_when_the_unit_key_drifted(tmp_path):
    """A unit whose level or place was read differently one year is stored under another unit key;
    its own earlier text is still recycling, not copying, because it signs with the same name."""
    import sqlite3

    from fazhi.corpus import open_corpus
    from fazhi.corpus.copies import Subject

    text = sample_text("000")
    (tmp_path / "2022.txt").write_text(_bump_numbers(_shift_years(text, -1)), encoding="utf-8")
    (tmp_path / "2023.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "c.db"
    with open_corpus(db) as c:
        c.add(fazhi.analyze(tmp_path / "2022.txt"))
    with sqlite3.connect(db) as con:  # the key the drifted reading gives: by issuer, not by place
        con.execute("UPDATE reports SET unit_key = 'issuer:' || issuer")
    report = fazhi.analyze(tmp_path / "2023.txt")
    assert report.metadata.issuer == "中共蓬溪县红江镇委员会"
    copies = find_copies(report, db)
    assert copies and {c["kind"] for c in copies} == {"recycling"}
    from fazhi.corpus.yoy import previous_report

    with open_corpus(db) as c:  # the year-over-year view pairs them too
        (old_id,) = [r["id"] for r in c.rows(("id",))]
        new_id, _ = c.add(report)
        assert previous_report(c, new_id) == old_id
    # a bare department name names no unit: two different "司法局" stay apart
    bare = Subject("place:1", 2023, None, issuer="司法局")
    assert not bare.same_unit({"unit_key": "place:2", "issuer": "司法局"})
    assert Subject("place:1", 2023, None, issuer="东莞市司法局桥头分局").same_unit(
        {"unit_key": "place:2", "issuer": "东莞市 司法局桥头分局"})


# ---------------------------------------------------------------- bounded matching, stored matches
def _units(text: str):
    """Fingerprinted units of a plain text (every line a paragraph)."""
    from fazhi.corpus.fingerprint import DEFAULT_PARAMS, fingerprint, split_units
    from fazhi.text.view import make_view

    return fingerprint(split_units(make_view(text), (0, len(text)), params=DEFAULT_PARAMS))


def _store_units(corpus, text: str, sha: str, unit_key: str) -> int:
    """A report row with the units of `text` indexed as Corpus.add indexes them (no analysis)."""
    from datetime import datetime

    from sqlalchemy import insert

    from fazhi.corpus.models import ReportRow

    now = datetime(2026, 1, 1)
    with corpus.engine.begin() as conn:
        rid = conn.execute(insert(ReportRow).returning(ReportRow.id), {
            "sha256": sha, "path": f"{sha}.txt", "unit_key": unit_key, "body_chars": len(text),
            "engine_version": "test", "added_at": now, "analyzed_at": now, "text": text, "analysis": {},
            "copies_at": now}).scalar_one()
        corpus._insert_units(conn, rid, _units(text))
    return rid


LINE = "本单位坚持把法治政府建设摆在全局工作的突出位置，认真落实党政主要负责人履行推进法治建设第一责任人职责"


def test_repeated_and_near_identical_units_are_indexed_a_bounded_number_of_times():
    from fazhi.corpus.candidates import MAX_BAND_UNITS, index_plan

    plan = index_plan(_units("\n".join([LINE] * 5000)))
    assert len(plan) == 5000 and sum(1 for keys in plan if keys) == 1  # collapsed to one
    near = "\n".join(f"{LINE}{chr(0x5200 + i % 97)}{chr(0x5800 + i)}" for i in range(3000))  # all distinct
    plan = index_plan(_units(near))
    from collections import Counter

    per_key = Counter(key for keys in plan for _b, key in keys)
    assert max(per_key.values()) <= MAX_BAND_UNITS
    assert sum(len(keys) for keys in plan) <= MAX_BAND_UNITS * len(per_key)


def test_matching_repetitive_reports_does_linear_work(monkeypatch):
    """A 3,000-line report of one repeated line (and its near-variants) against stored reports made
    the same way: the verifications stay bounded by distinct units × MAX_CANDIDATES, not lines × lines."""
    import fazhi.corpus.copies as copies_mod
    from fazhi.corpus.candidates import MAX_CANDIDATES, MAX_REPEATS, find_matches
    from fazhi.corpus.copies import Subject
    from fazhi.corpus.store import memory_corpus

    corpus = memory_corpus()
    variants = [f"{LINE}{chr(0x5200 + i)}" for i in range(40)]
    for n in range(3):
        _store_units(corpus, "\n".join(variants[j % 40] for j in range(3000)), f"s{n}", f"issuer:u{n}")
    calls = []
    real = copies_mod.verify
    monkeypatch.setattr(copies_mod, "verify", lambda *a, **k: calls.append(1) or real(*a, **k))
    query = _units("\n".join(variants[j % 40] for j in range(3000)))
    with corpus.engine.connect() as conn:
        matches, reports = find_matches(conn, query, Subject("issuer:me", 2024, None), 20)
    distinct = len({u.text_hash for u in query})
    assert distinct == 40 and len(calls) <= distinct * MAX_CANDIDATES
    assert matches and len(matches) <= distinct * MAX_CANDIDATES * MAX_REPEATS
    assert set(reports) == {1, 2, 3}


def test_stored_copies_are_what_matching_now_finds(seeds, tmp_path):
    """Copy matches computed once when each report was stored (in both directions) equal a fresh
    match of each report against the whole corpus."""
    from fazhi.corpus import open_corpus
    from fazhi.corpus.copies import match_stored, match_units, stored_subject
    from fazhi.corpus.fingerprint import dict_units

    def key(cs):
        return sorted((c["start"], c["end"], c["kind"], c["other"]["id"], c["other"]["start"], c["other"]["end"])
                      for c in cs)

    with open_corpus(tmp_path / "c.db") as c:
        for p in sorted(seeds.glob("*.txt")):
            c.add(fazhi.analyze(p))
        found = 0
        for row in c.rows(("id",)):
            full = c.get(row["id"])
            fresh = match_units(c, dict_units({**full["analysis"], "text": full["text"]}, c.params), stored_subject(full))
            stored = match_stored(c, row["id"])
            assert key(stored) == key(fresh), row["id"]
            found += len(stored)
        assert found > 0
        from sqlalchemy import text

        with c.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM reports WHERE copies_at IS NULL")).scalar() == 0


def test_reports_stored_before_copies_were_kept_are_matched_once(seeds, tmp_path):
    from sqlalchemy import text

    from fazhi.corpus import open_corpus
    from fazhi.corpus.copies import match_stored

    with open_corpus(tmp_path / "c.db") as c:
        ids = [c.add(fazhi.analyze(p))[0] for p in sorted(seeds.glob("*.txt"))]
        before = {rid: match_stored(c, rid) for rid in ids}
        with c.engine.begin() as conn:  # as a database migrated from 0003 looks
            conn.execute(text("DELETE FROM copy_matches"))
            conn.execute(text("UPDATE reports SET copies_at = NULL"))
        assert match_stored(c, ids[0]) == before[ids[0]]  # the first read matches every report once
        with c.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM reports WHERE copies_at IS NULL")).scalar() == 0
        assert {rid: match_stored(c, rid) for rid in ids} == before
