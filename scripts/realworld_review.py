#!/usr/bin/env python3
"""Precision of the word-level review on real published reports (issue 12).

Runs the engine on every item of kind "report" of ../shared/realworld (files/<id>.txt, gold.jsonl),
keeps the findings of the word-level rules (WORD_RULES) and compares them with the verdicts read
by hand in tests/data/realworld_findings_checked.tsv (rule, the sha256 prefix of the file, the
quoted words, verdict right/wrong, note; no report text). Prints the counts, the precision and
the false alarms per 5,000 characters; `--write` appends the findings not yet listed (verdict
empty, to be read and filled in by hand).

    .venv/bin/python scripts/realworld_review.py [--set DIR] [--write]
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ROOT / "tests" / "data" / "realworld_findings_checked.tsv"
FIELDS = ["rule", "file", "quote", "severity", "verdict", "note"]
WORD_RULES = {"typo", "typo-nonword", "doubled-word", "repeated-clause", "repeated-paragraph", "unbalanced-mark",
              "quote-form", "number-form", "enum-mark", "law-name", "law-repealed", "law-not-yet",
              "doc-number-broken", "formulation-standard", "formulation-quotes", "anachronism", "book-title-nesting"}
QUOTE_MAX = 24


def file_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def report_texts(realworld: Path) -> list[str]:
    """The texts of the items of kind "report" of a set laid out as gold.jsonl + files/<id>.txt."""
    rows = [json.loads(x) for x in (realworld / "gold.jsonl").read_text(encoding="utf-8").splitlines() if x]
    return [(realworld / "files" / f"{r['id']}.txt").read_text(encoding="utf-8")
            for r in rows if r["kind"] == "report"]


def findings(texts: list[str]) -> list[dict[str, str]]:
    """The word-level findings, one row each (rule, file key, quoted words, severity)."""
    from fazhi.review.textrun import analyse_text

    out = []
    for text in texts:
        report = analyse_text(text, "realworld")
        for f in report.findings:
            if f.rule in WORD_RULES and f.start is not None:
                quote = text[f.start:f.end].replace("\n", " ").replace("\t", " ")[:QUOTE_MAX]
                out.append({"rule": f.rule, "file": file_key(text), "quote": quote, "severity": f.severity})
    return out


def read_checked(path: Path = CHECKED) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def key(row: dict[str, str]) -> tuple[str, str, str]:
    return row["rule"], row["file"], row["quote"]


def measure(found: list[dict[str, str]], checked: list[dict[str, str]], chars: int) -> dict[str, float]:
    verdicts = {key(r): r["verdict"] for r in checked}
    judged = [verdicts.get(key(r), "") for r in found]
    right, wrong = judged.count("right"), judged.count("wrong")
    return {"findings": len(found), "right": right, "wrong": wrong, "unjudged": len(found) - right - wrong,
            "precision": right / (right + wrong) if right + wrong else 1.0,
            "false_per_5000": wrong * 5000 / chars if chars else 0.0, "chars": chars}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", dest="realworld", type=Path, default=ROOT.parent / "shared" / "realworld",
                    help="a set laid out as gold.jsonl + files/<id>.txt")
    ap.add_argument("--write", action="store_true", help="append unlisted findings to the checked file")
    args = ap.parse_args()
    texts = report_texts(args.realworld)
    found = findings(texts)
    checked = read_checked()
    m = measure(found, checked, sum(len(t) for t in texts))
    by_rule: dict[str, list[int]] = {}
    verdicts = {key(r): r["verdict"] for r in checked}
    for r in found:
        v = by_rule.setdefault(r["rule"], [0, 0, 0])
        v[{"right": 0, "wrong": 1}.get(verdicts.get(key(r), ""), 2)] += 1
    print(f"{len(texts)} reports, {m['chars']} characters")
    print(f"{'rule':22} right wrong unjudged")
    for rule, (r, w, u) in sorted(by_rule.items()):
        print(f"{rule:22} {r:5} {w:5} {u:8}")
    print(f"findings {m['findings']}: right {m['right']}, wrong {m['wrong']}, unjudged {m['unjudged']}; "
          f"precision {m['precision']:.1%}; false alarms per 5,000 characters {m['false_per_5000']:.2f}")
    if args.write:
        listed = {key(r) for r in checked}
        new = [r for r in found if key(r) not in listed]
        write_header = not CHECKED.exists()
        with CHECKED.open("a", encoding="utf-8") as f:
            if write_header:
                f.write("\t".join(FIELDS) + "\n")
            for r in new:
                f.write("\t".join([r["rule"], r["file"], r["quote"], r["severity"], "", ""]) + "\n")
        print(f"appended {len(new)} rows to {CHECKED.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
