"""Fuzz fazhi with many seeded cases and print the family x outcome table (bench/RESULTS.md).

    .venv/bin/python bench/fuzz.py --cases 100000 [--seed 7] [--jobs 2] [--cheap] [--out runs/fuzz.jsonl]
    .venv/bin/python bench/fuzz.py --start 40000 --cases 60000 --out runs/fuzz-2.jsonl   # go on later
    .venv/bin/python bench/fuzz.py --summarize runs/fuzz.jsonl runs/fuzz-2.jsonl          # one table
    .venv/bin/python bench/fuzz.py --summarize bench/fuzz-parts/*.jsonl.gz                # parts kept so far

A long run can be done in parts: each case is made from (seed, case number) alone, so parts with
the same seed and --cheap setting, written with --out, add up to one run; --summarize prints the
table of their union (a case number seen twice counts once, by the file given last: a case run again
after a fix) and the case numbers still missing.

Every case runs `fazhi.analyze` in a forked worker with a 2 GiB address-space limit and a 10 s CPU
limit (tests/fuzz_harness.py); families and mutators are in tests/fuzz_families.py. A failing case
is printed as `FAIL status seed=S case=I family name: detail` and can be rebuilt with
`make_case(S, I)` (add --cheap if the run had it). Ctrl-C or SIGTERM stops the run and still prints the table.
"""
from __future__ import annotations

import argparse
import gzip
import json
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzz_harness import PASSING, failures, run, table  # noqa: E402


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cheap", action="store_true", help="short texts and inputs under 300 KB, as in CI")
    ap.add_argument("--family", action="append", help="only these families (repeatable)")
    ap.add_argument("--out", help="one JSON line per case")
    ap.add_argument("--progress", type=int, default=1000, help="print a progress line every N cases")
    ap.add_argument("--summarize", nargs="+", metavar="JSONL", help="print the table of earlier --out files")
    args = ap.parse_args()
    if args.summarize:
        return summarize([Path(p) for p in args.summarize])
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    signal.signal(signal.SIGTERM, _stop)
    outcomes = []
    out = open(args.out, "w", encoding="utf-8") if args.out else None
    t0 = time.monotonic()
    try:
        for o in run(range(args.start, args.start + args.cases), args.seed, jobs=args.jobs, cheap=args.cheap,
                     families=args.family):
            outcomes.append(o)
            if out:
                out.write(json.dumps(asdict(o), ensure_ascii=False) + "\n")
                out.flush()
            if o.status not in PASSING:
                print(f"FAIL {o.status} seed={o.seed} case={o.index} {o.family} {o.name[:80]}: {o.detail[:300]}",
                      file=sys.stderr, flush=True)
            if args.progress and len(outcomes) % args.progress == 0:
                rate = len(outcomes) / (time.monotonic() - t0)
                print(f"{len(outcomes)} cases, {rate:.1f}/s, {len(failures(outcomes))} failures", file=sys.stderr,
                      flush=True)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        if out:
            out.close()
    wall = time.monotonic() - t0
    cpu = sum(o.cpu for o in outcomes)
    print(table(outcomes))
    print(f"\n{len(outcomes)} cases (seed {args.seed}{', cheap' if args.cheap else ''}), {wall / 60:.1f} min wall, "
          f"{cpu / 60:.1f} min worker CPU, {len(outcomes) / max(wall, 1e-9):.1f} cases/s, "
          f"{len(failures(outcomes))} failures")
    return 1 if failures(outcomes) else 0


def summarize(paths: list[Path]) -> int:
    """The table of the union of earlier runs' --out files (one seed and mode), and what is missing."""
    from fuzz_harness import Outcome

    seen: dict[int, Outcome] = {}
    seeds = set()
    for path in paths:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        for line in raw.decode("utf-8").splitlines():
            if line.strip():
                o = Outcome(**json.loads(line))
                seen[o.index] = o  # the last file given wins (a re-run after a fix)
                seeds.add(o.seed)
    if len(seeds) > 1:
        print(f"these files mix seeds {sorted(seeds)}: summarize one seed at a time", file=sys.stderr)
        return 2
    outcomes = [seen[i] for i in sorted(seen)]
    print(table(outcomes))
    top = max(seen, default=-1) + 1
    missing = top - len(seen)
    cpu = sum(o.cpu for o in outcomes)
    print(f"\n{len(outcomes)} cases (seed {next(iter(seeds), '-')}, case numbers 0–{top - 1}"
          f"{f', {missing} of them missing' if missing else ''}), {cpu / 60:.1f} min worker CPU, "
          f"{len(failures(outcomes))} failures")
    return 1 if failures(outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
