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
            return {n for (n,) in con.execute("SELECT count(*) FROM bands GROUP BY paragraph_id")}

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
