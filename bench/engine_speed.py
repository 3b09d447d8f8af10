"""Engine speed (issue 15): characters analysed per second per core, a baseline commit and the current
tree side by side in one run; and a check that both give the same JSON.

    .venv/bin/python bench/engine_speed.py [--base 27689ee] [--synth 200] [--rounds 3] [--realworld]
    .venv/bin/python bench/engine_speed.py --check [--base 27689ee]

Default mode: the texts are the bundled samples plus `--synth` synthetic reports (made once with
`fazhi.corpus.synth`, seed 0), plus ../shared/realworld with `--realworld`. Each version runs in its own
subprocess (PYTHONPATH set to its src), the versions alternating for `--rounds` rounds so that the load of
other jobs on the machine falls on both. In each subprocess a warm-up pass over 5 other synthetic reports
(seed 1) and a short made-up report (a Chinese numeral, traditional characters) loads the data files,
lexicons, automata and lazily imported libraries (not counted); then `fazhi.analyze(path)` on every text
(reading the file included) is timed in CPU seconds (time.process_time), in one pass. The table gives the
median round per version (chars/s/core and speed-up from it) and the best round.

`--check`: `Report.to_dict()` of every sample, every file of ../shared/seeds and of ../shared/realworld/files
under the baseline and under the current tree; any difference is printed (file and first differing key path)
and the exit code is 1.

The baseline is a git worktree of `--base` in /tmp/fazhi-base-<rev> (created with `git worktree add` when
missing; /tmp/base-<rev> is used when it exists).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "src" / "fazhi" / "samples"


WARM_TEXT = """七墩乡人民政府2023年法治政府建设情况报告

一、主要举措和成效
全年开展普法宣传三千余人次，办理行政复议案件十二件，組織執法人員培訓4次。
二、存在的不足和原因
执法队伍专业化水平有待提高。
三、下一年度工作安排
2024年继续深化法治政府建设。
"""


# ---------------------------------------------------------------- worker side (runs under one PYTHONPATH)

def _worker_dump(files: list[str], out: str) -> None:
    import fazhi
    from fazhi.errors import InputError

    with open(out, "w", encoding="utf-8") as fh:
        for f in files:
            try:
                d: Any = fazhi.analyze(f).to_dict()
            except InputError as exc:
                d = {"error": str(exc)}
            fh.write(json.dumps({"file": f, "report": d}, ensure_ascii=False, sort_keys=True) + "\n")


def _worker_time(files: list[str], warm: list[str]) -> None:
    import time

    import fazhi

    for f in warm:  # data loading, compiled patterns, automata: not counted
        fazhi.analyze(f)
    from fazhi.errors import InputError

    chars = 0
    t0 = time.process_time()
    for f in files:
        try:
            chars += len(fazhi.analyze(f).text)
        except InputError:  # refused (not a report): its time counts, its characters do not
            pass
    cpu = time.process_time() - t0
    print(json.dumps({"cpu": cpu, "chars": chars, "reports": len(files)}))


# ---------------------------------------------------------------- driver side

def base_src(rev: str) -> Path:
    for cand in (Path(f"/tmp/base-{rev}"), Path(f"/tmp/fazhi-base-{rev}")):
        if (cand / "src" / "fazhi").is_dir():
            return cand / "src"
    dest = Path(f"/tmp/fazhi-base-{rev}")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(dest), rev], check=True,
                   stdout=subprocess.DEVNULL)
    return dest / "src"


def run_worker(src: Path, mode: str, payload: dict[str, Any]) -> str:
    env = dict(os.environ, PYTHONPATH=str(src))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(payload, fh)
    try:
        res = subprocess.run([sys.executable, str(Path(__file__).resolve()), f"--worker-{mode}", fh.name],
                             env=env, capture_output=True, text=True, check=True, cwd="/tmp")
    finally:
        os.unlink(fh.name)
    return res.stdout


def sample_files() -> list[str]:
    return sorted(str(p) for p in SAMPLES.glob("*.txt"))


def check_files() -> list[str]:
    files = sample_files()
    files += sorted(str(p) for p in (SHARED / "seeds").glob("*") if p.is_file())
    files += sorted(str(p) for p in (SHARED / "realworld" / "files").glob("*") if p.is_file())
    return files


def first_diff(a: Any, b: Any, path: str = "") -> str | None:
    """The key path of the first difference between two JSON values, or None when equal."""
    if type(a) is not type(b):
        return f"{path or '/'}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'current' if k in b else 'base'}"
            d = first_diff(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None if len(a) == len(b) else f"{path}: length {len(a)} != {len(b)}"
    return None if a == b else f"{path}: {str(a)[:80]!r} != {str(b)[:80]!r}"


def check(base: Path, cur: Path) -> int:
    files = check_files()
    dumps = []
    for src in (base, cur):
        out = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False).name
        run_worker(src, "dump", {"files": files, "out": out})
        dumps.append([json.loads(line) for line in Path(out).read_text(encoding="utf-8").splitlines()])
        os.unlink(out)
    bad = 0
    for x, y in zip(*dumps):
        d = first_diff(x["report"], y["report"])
        if d:
            bad += 1
            print(f"DIFF {Path(x['file']).name}: {d}")
    print(f"{len(files)} files, {bad} differ")
    return 1 if bad or len(dumps[0]) != len(dumps[1]) else 0


def synth_files(n: int, cur: Path, seed: int = 0) -> list[str]:
    if n <= 0:
        return []
    d = Path(tempfile.gettempdir()) / f"fazhi-engine-speed-synth-{n}" if seed == 0 else \
        Path(tempfile.gettempdir()) / f"fazhi-engine-speed-synth-{n}-seed{seed}"
    if not (d / "manifest.json").exists():
        subprocess.run([sys.executable, "-m", "fazhi.corpus.synth", str(n), str(d), "--seed", str(seed)], check=True,
                       env=dict(os.environ, PYTHONPATH=str(cur)), stdout=subprocess.DEVNULL)
    return sorted(str(p) for p in d.rglob("*.txt"))


def bench(args: argparse.Namespace, base: Path, cur: Path) -> int:
    files = sample_files() + synth_files(args.synth, cur)
    if args.realworld:
        files += sorted(str(p) for p in (SHARED / "realworld" / "files").glob("*.txt"))
    # warm-up on other texts than the timed ones: 5 synthetic reports of another seed, and a short
    # report of a town written by its short name, with a Chinese numeral and traditional characters (lazy
    # imports of cn2an and opencc, the town-name index)
    warm = Path(tempfile.gettempdir()) / "fazhi-engine-speed-warm.txt"
    warm.write_text(WARM_TEXT, encoding="utf-8")
    payload = {"files": files, "warm": [*synth_files(5, cur, seed=1), str(warm)]}
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "current": []}
    for r in range(args.rounds):
        for name, src in (("base", base), ("current", cur)):
            runs[name].append(json.loads(run_worker(src, "time", payload)))
            print(f"round {r + 1} {name}: {runs[name][-1]['cpu']:.2f} CPU s", file=sys.stderr)
    rows = []
    for name, label in (("base", f"{args.base} (baseline)"), ("current", f"{_head()} (this tree)")):
        cpus = [x["cpu"] for x in runs[name]]
        rows.append((label, runs[name][0]["reports"], runs[name][0]["chars"], statistics.median(cpus), min(cpus),
                     [round(c, 2) for c in cpus]))
    print("| version | reports | chars | CPU s (median) | chars/s/core | speed-up | CPU s (best) | speed-up (best) "
          "| rounds, CPU s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, n, chars, med, best, rounds in rows:
        print(f"| {label} | {n} | {chars:,} | {med:.2f} | {chars / med:,.0f} | {rows[0][3] / med:.2f}× | {best:.2f} | "
              f"{rows[0][4] / best:.2f}× | {', '.join(map(str, rounds))} |")
    return 0


def _head() -> str:
    res = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return res.stdout.strip() or "HEAD"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("--worker-"):
        payload = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        if argv[0] == "--worker-dump":
            _worker_dump(payload["files"], payload["out"])
        else:
            _worker_time(payload["files"], payload["warm"])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default="27689ee", help="baseline revision (default 27689ee)")
    ap.add_argument("--synth", type=int, default=200, help="synthetic reports added to the samples")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--realworld", action="store_true", help="also time ../shared/realworld/files")
    ap.add_argument("--check", action="store_true", help="compare the JSON of both versions instead")
    args = ap.parse_args(argv)
    base, cur = base_src(args.base), ROOT / "src"
    return check(base, cur) if args.check else bench(args, base, cur)


if __name__ == "__main__":
    sys.exit(main())
