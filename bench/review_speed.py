"""Analysis time per 5,000 characters with the word-level rules of issue 12 switched off
(before) and on (after), in one run, on the bundled samples (and the real reports of
../shared/realworld when present).

    .venv/bin/python bench/review_speed.py [--rounds 5]

Goal (issue 12): the new checks cost at most 30% more. Each text is analysed from its string
(reading the file is left out), `rounds` times per setting, the settings interleaved so that
machine noise falls on both; the table gives the median of the per-round totals.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from importlib import resources
from pathlib import Path

NEW_RULES = ("typo", "typo-nonword", "doubled-word", "repeated-clause", "repeated-paragraph", "unbalanced-mark",
             "quote-form", "number-form", "enum-mark", "law-name", "law-repealed", "law-not-yet", "doc-number-broken")
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def texts() -> list[tuple[str, str]]:
    out = [(p.name, Path(str(p)).read_text(encoding="utf-8"))
           for p in sorted((resources.files("fazhi") / "samples").iterdir(), key=lambda p: p.name)
           if p.name.endswith(".txt")]
    gold = SHARED / "realworld" / "gold.jsonl"
    if gold.exists():
        for line in gold.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["kind"] == "report":
                out.append((row["id"], (SHARED / "realworld" / "files" / f"{row['id']}.txt").read_text(encoding="utf-8")))
    return out


def analyse(text: str, settings) -> None:
    from fazhi.review.textrun import analyse_text

    analyse_text(text, "bench", settings)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from fazhi.review.rubric import default_rubric

    after = default_rubric().settings()
    before = {k: dict(v) for k, v in after.items()}
    for rid in NEW_RULES:
        before.setdefault(rid, {"params": {}})["enabled"] = False
    docs = texts()
    chars = sum(len(t) for _, t in docs)
    for _, t in docs:  # warm up: data files, automatons, caches
        analyse(t, after)
    totals: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for name, settings in (("before", before), ("after", after)):
            t0 = time.perf_counter()
            for _, t in docs:
                analyse(t, settings)
            totals[name].append(time.perf_counter() - t0)
    per = {k: statistics.median(v) * 1000 * 5000 / chars for k, v in totals.items()}
    print(f"{len(docs)} texts, {chars} characters, {args.rounds} rounds")
    print(f"{'setting':10s} {'ms per 5,000 chars':>20s}")
    for k in ("before", "after"):
        print(f"{k:10s} {per[k]:20.2f}")
    extra = per["after"] / per["before"] - 1
    print(f"cost of the new checks: {extra:+.1%} (goal: at most +30%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
