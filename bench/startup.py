"""Wall time of one `fazhi analyze --json FILE` run, start-up included, per sample report.

    .venv/bin/python bench/startup.py [--runs 5]

Goal (issue 2): under 1 s per file on the 2-core reference machine.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    fazhi = str(Path(sys.executable).with_name("fazhi"))
    samples = sorted(Path(str(p)) for p in (resources.files("fazhi") / "samples").iterdir() if p.name.endswith(".txt"))
    print(f"{'file':34s} {'chars':>6s} {'median s':>9s} {'max s':>7s}")
    worst = 0.0
    for path in samples:
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run([fazhi, "analyze", "--json", str(path)], check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        worst = max(worst, max(times))
        chars = len(path.read_text(encoding="utf-8"))
        print(f"{path.name:34s} {chars:6d} {statistics.median(times):9.3f} {max(times):7.3f}")
    print(f"worst single run: {worst:.3f} s (goal < 1 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
