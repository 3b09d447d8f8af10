"""`make score` (scripts/score.py): the engine against the hand annotations of the bundled samples
(tests/data/gold/seeds.json) — 100% on every section, every gold item counted, and a wrong answer is
seen as a miss naming it."""
from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES

ROOT = Path(__file__).resolve().parent.parent
GOLD = json.loads((ROOT / "tests/data/gold/seeds.json").read_text(encoding="utf-8"))


def _load_score():
    spec = importlib.util.spec_from_file_location("fazhi_score", ROOT / "scripts" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


score = _load_score()


def expected_counts(gold: dict) -> dict[str, int]:
    """How many checks the gold holds per section, counted from the gold itself."""
    n = dict.fromkeys(score.SECTIONS, 0)
    for g in gold["reports"].values():
        n["metadata"] += len(score.META_FIELDS) + sum(v is not None for v in g["metadata"]["place"].values())
        n["outline"] += len(g["outline_l1"]) + 2 + len(g.get("outline_l2_inferred", []))
        n["parts"] += len(g["parts"])
        n["indicators"] += len(g["indicators"]) + len(g["not_indicators"]) + len(g.get("page_chrome", []))
        n["citations"] += len(g["citations"])
        n["findings"] += len(g["findings"]) + sum(a["what"] == "no mandated part is missing"
                                                  for a in g.get("absent_findings", []))
    n["copies"] = len(gold["copies"])
    n["formats"] = 4 * len(gold["reports"])
    return n


@pytest.fixture(scope="module")
def outputs() -> dict[Path, dict]:
    """The real JSON of each sample (and of the copies run), computed once."""
    cache: dict[tuple, dict] = {}

    def analyze(path: Path, corpus: Path | None = None):
        key = (path, corpus)
        if key not in cache:
            cache[key] = score.analyze_json(path, corpus)
        return cache[key]

    return analyze


def test_gold_names_the_bundled_samples():
    assert sorted(GOLD["reports"]) == sorted(p.name for p in SAMPLES.glob("*.txt"))


def test_engine_scores_100_percent_on_every_section():
    t = score.score(GOLD, SAMPLES, formats=True)
    assert t.misses == []
    assert t.of == expected_counts(GOLD) and t.got == t.of
    assert t.lines()[-1] == f"TOTAL {sum(t.of.values())}/{sum(t.of.values())} 100.0%"


def test_wrong_answers_are_misses_that_name_them(outputs):
    """Perturb the real output the way a regression would, and the scorer must see it."""
    def analyze(path: Path, corpus: Path | None = None):
        out, err = outputs(path, corpus)
        out = copy.deepcopy(out)
        for ind in out["indicators"]:
            ind["qualifier"] = None  # 10余次 read as 10次
        out["metadata"]["sign_date"] = "1999-01-01"
        out["parts"]["next_year"] = None
        out["citations"] = out["citations"][1:]
        return out, err

    t = score.score(GOLD, SAMPLES, analyze=analyze)
    n = expected_counts(GOLD)
    with_qualifier = sum(bool(i["qualifier"]) for g in GOLD["reports"].values() for i in g["indicators"])
    assert t.of["indicators"] == n["indicators"] and t.got["indicators"] == n["indicators"] - with_qualifier
    assert t.got["metadata"] == n["metadata"] - len(GOLD["reports"])
    assert t.got["parts"] == n["parts"] - len(GOLD["reports"])
    assert t.got["citations"] < n["citations"] and t.got["outline"] == n["outline"]
    assert "indicators: 000_0bd4420a3e9538ce.txt '集中学法合计10余次': want subject~学法 value 10 次 qualifier 余" in t.misses
    assert any("sign_date: want '2024-01-19', got '1999-01-01'" in m for m in t.misses)


def test_a_report_the_engine_cannot_read_misses_all_its_checks(tmp_path):
    gold = copy.deepcopy(GOLD)
    name = next(iter(gold["reports"]))
    (tmp_path / name).write_bytes(b"")  # an empty file: the engine refuses it
    gold["reports"] = {name: gold["reports"][name]}
    gold["copies"] = []
    t = score.score(gold, tmp_path)
    assert sum(t.got.values()) == 0 and sum(t.of.values()) == 6
    assert all(name in m and "为空" in m for m in t.misses)


def test_command_prints_sections_and_total():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "score.py"), "--only", "citations"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    n = expected_counts(GOLD)["citations"]
    assert r.stdout.splitlines() == [f"citations     {n}/{n:<4d} 100.0%", f"TOTAL {n}/{n} 100.0%"]
