"""`python -m fazhi.samples DIR`: the bundled samples as files (.txt, .docx, .html) and the synthetic next
year of sample 000 (fazhi.corpus.synth_year), which the year-over-year diff reads as that unit's next
report: years moved on, cited documents unchanged, counts changed, one paragraph edited, dropped, added."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, sample_text

import fazhi
from fazhi.corpus.store import open_corpus
from fazhi.corpus.synth_year import PARAGRAPHS, SENTENCES, next_year, shift_years
from fazhi.corpus.yoy import year_over_year
from fazhi.samples import SYNTHETIC_NAME, synthetic_text, write_samples

FAZHI = str(Path(sys.executable).with_name("fazhi"))


def test_shift_years_keeps_cited_documents():
    line = "2023年，依照《某某县2023年工作要点》(某法发〔2023〕2号)，制定2023—2024年计划。"
    assert shift_years(line) == "2024年，依照《某某县2023年工作要点》(某法发〔2023〕2号)，制定2024—2025年计划。"


def test_next_year_is_the_same_report_a_year_on():
    last = sample_text("000")
    new = next_year(last, short="红江镇", seed=7)
    assert new == next_year(last, short="红江镇", seed=7)  # deterministic
    assert new != next_year(last, short="红江镇", seed=8)
    old_lines, new_lines = last.split("\n"), new.split("\n")
    assert len(new_lines) == len(old_lines)  # one paragraph dropped, one added
    assert sum(any(s.format(unit="红江镇") in ln for s in SENTENCES) for ln in new_lines) == 1
    assert sum(any(p.format(unit="红江镇") in ln for p in PARAGRAPHS) for ln in new_lines) == 1
    assert "2024年1月19日" in last and "2025年1月19日" in new and "2024年1月19日" not in new
    assert "蓬法委发〔2023〕2 号" in new  # the cited document keeps its number
    with pytest.raises(ValueError):
        next_year("太短的文本。", short="某镇")


def test_engine_reads_it_as_the_next_year_of_the_same_unit(tmp_path):
    path = tmp_path / SYNTHETIC_NAME
    path.write_text(synthetic_text(), encoding="utf-8")
    last, this = fazhi.analyze(SAMPLES / next(p.name for p in SAMPLES.glob("000_*.txt"))), fazhi.analyze(path)
    assert this.metadata.report_year == last.metadata.report_year + 1
    assert this.metadata.issuer == last.metadata.issuer and this.metadata.sign_date == "2025-01-19"
    with open_corpus(tmp_path / "c.db") as c:
        a, _ = c.add(last)
        b, _ = c.add(this)
        d = year_over_year(c, b)
    assert (d.this.id, d.previous.id, d.same_unit) == (b, a, True)
    status = [r.status for r in d.rows if not r.heading]
    assert status.count("new") == 1 and status.count("removed") == 1 and status.count("changed") >= 1
    assert 0.8 < d.ratio < 1
    numbers = [c for r in d.rows for c in r.changes if c.number and not re.fullmatch(r"20\d\d", c.old_text)]
    assert len(numbers) == 2


def test_command_writes_txt_and_formats(tmp_path):
    r = subprocess.run([sys.executable, "-m", "fazhi.samples", str(tmp_path / "样例")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "样例").iterdir())
    assert names == sorted([p.name for p in SAMPLES.glob("*.txt")] + [SYNTHETIC_NAME])
    assert "合成样例" in r.stderr and SYNTHETIC_NAME in r.stderr
    assert (tmp_path / "样例" / names[0]).read_bytes() == (SAMPLES / names[0]).read_bytes()
    docs = write_samples(tmp_path / "docx", "docx", synthetic=False)
    pages = write_samples(tmp_path / "html", "html", synthetic=False)
    assert len(docs) == len(pages) == 5
    for path in (docs[4], pages[4]):
        report = fazhi.analyze(path)
        assert report.metadata.report_year == 2019 and len(report.outline) >= 3
        assert re.search("桥头", report.metadata.issuer or "")


def test_command_refuses_an_unwritable_folder_in_one_line(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "fazhi.samples", str(tmp_path / "file")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("错误：")
    assert "Traceback" not in r.stderr
