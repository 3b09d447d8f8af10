#!/usr/bin/env python3
"""Regenerate the hand-checked indicator list, keeping earlier verdicts.

    .venv/bin/python scripts/check_indicators.py          # rewrite tests/data/indicators_checked.tsv
    .venv/bin/python scripts/check_indicators.py --diff   # only show what changed, write nothing

The engine's output on the sample reports (src/fazhi/samples/*.txt) is written one row per
indicator. A row whose (file, start, end, subject, value, unit, qualifier) is unchanged keeps
its verdict and note; any new or changed row is marked `unchecked`, so a human re-reads only
those (verdict: right / wrong, judged by reading the text) before the test passes again.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fazhi.extract.indicators import extract_indicators  # noqa: E402

SAMPLES = ROOT / "src" / "fazhi" / "samples"
CHECKED = ROOT / "tests" / "data" / "indicators_checked.tsv"
COLUMNS = ["file", "start", "end", "quote", "subject", "value", "unit", "qualifier", "verdict", "note"]
KEY = ("file", "start", "end", "subject", "value", "unit", "qualifier")


def fmt_value(v: float | int) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def current_rows(samples: Path = SAMPLES) -> list[dict[str, str]]:
    """The engine's indicators on every sample, as TSV rows without verdicts."""
    rows = []
    for path in sorted(samples.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for ind in extract_indicators(text):
            rows.append({
                "file": path.name, "start": str(ind.start), "end": str(ind.end),
                "quote": text[ind.start:ind.end].replace("\t", " ").replace("\n", " "),
                "subject": ind.subject, "value": fmt_value(ind.value), "unit": ind.unit or "",
                "qualifier": ind.qualifier or "", "verdict": "unchecked", "note": "",
            })
    return rows


def read_checked(path: Path = CHECKED) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


def key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row.get(k, "") for k in KEY)


def merge(new: list[dict[str, str]], old: list[dict[str, str]]) -> list[dict[str, str]]:
    verdicts = {key(r): (r["verdict"], r.get("note", "")) for r in old}
    for r in new:
        if key(r) in verdicts:
            r["verdict"], r["note"] = verdicts[key(r)]
    return new


def write(rows: list[dict[str, str]], path: Path = CHECKED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--diff", action="store_true", help="show added/removed rows, write nothing")
    args = ap.parse_args()
    old = read_checked()
    new = merge(current_rows(), old)
    added = {key(r) for r in new} - {key(r) for r in old}
    removed = {key(r) for r in old} - {key(r) for r in new}
    for k in sorted(added):
        print("+", "\t".join(k))
    for k in sorted(removed):
        print("-", "\t".join(k))
    right = sum(r["verdict"] == "right" for r in new)
    unchecked = sum(r["verdict"] == "unchecked" for r in new)
    print(f"{len(new)} rows: {right} right, {unchecked} unchecked, {len(new) - right - unchecked} wrong")
    if not args.diff:
        write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
