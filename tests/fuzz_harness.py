"""Run fuzz cases against `fazhi.pipeline.analyze`, each in a forked worker with RLIMIT_AS (2 GiB)
and a CPU limit (10 s), and sort the outcomes.

A case FAILS on: an exception other than the project's InputError (an AnalysisError that wraps a
defect counts as one), more than the time limit, MemoryError (also when wrapped), a worker that
dies, an invalid span, a result that is not strict JSON, or a refusal whose reason is not one
clear Chinese line (a Python class name such as （KeyError） in it). `ok` and `refused` pass.

Time is the worker's CPU time (RLIMIT_CPU, and wait4's rusage): the machine is shared, so wall
time says more about the neighbours than about the input. A worker that uses no CPU for 30 s
(blocked, not busy) is killed and counted as a timeout too.

    python tests/fuzz_harness.py --cases 2000 --seed 1 [--cheap] [--jobs 2] [--out results.jsonl]

The parent imports fazhi and analyses one sample first, so every fork starts warm.
"""
from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_cases as fc  # noqa: E402
from fuzz_cases import Case  # noqa: E402
from fuzz_families import make_case  # noqa: E402

STATUSES = ("ok", "refused", "exception", "timeout", "memory", "died", "span", "json", "message")
PASSING = ("ok", "refused")
MEM_LIMIT = 2 << 30
TIME_LIMIT = 10.0
STUCK_SECONDS = 30.0  # a worker that uses no CPU for this long is killed (counted as a timeout)


@dataclass
class Outcome:
    seed: int
    index: int
    family: str
    name: str
    suffix: str
    size: int
    status: str
    detail: str
    cpu: float
    wall: float
    probe: Any = None  # what the caller's probe read from the report (run_cases(probe=...))


# ---------------------------------------------------------------- worker


Probe = Callable[[Any], Any]


def _child(case: Case, path: Path, out_fd: int, time_limit: float, mem_limit: int, probe: Probe | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))
    cpu = int(time_limit) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    import logging

    import fuzz_checks as ck
    from fazhi.pipeline import analyze

    logging.disable(logging.WARNING)  # pdfminer's warnings about the fuzzed PDFs

    status, detail, seen = "ok", "", None
    try:
        path.write_bytes(case.data)
        report = analyze(path)
        seen = probe(report) if probe else None
        problems = ck.span_problems(report)
        if problems:
            status, detail = "span", "; ".join(problems)
        elif (why := ck.json_problem(report)) is not None:
            status, detail = "json", why
    except BaseException as exc:  # noqa: BLE001 - classify everything the worker sees
        status, detail = ck.classify_error(exc)
    data = json.dumps({"status": status, "detail": detail[:1000], "probe": seen}, ensure_ascii=False).encode()
    while data:
        data = data[os.write(out_fd, data):]


def _warm_up() -> None:
    """Analyse one sample in every format in the parent, so the workers start with every reader
    and data file loaded (python-docx, pdfplumber, lxml.html, the rule data)."""
    import logging
    import random

    from fazhi.errors import InputError
    from fazhi.pipeline import analyze

    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-fuzz-warm-", dir=_shm()))
    rng = random.Random(0)
    try:
        for fmt in ("txt", "docx", "html", "pdf"):
            suffix, data, _ = fc.write(fc.sample_texts()[0], fmt, rng)
            path = tmp / f"warm{suffix}"
            path.write_bytes(data)
            try:
                analyze(path)
            except InputError:
                pass
            path.unlink()
    finally:
        logging.disable(logging.NOTSET)
        tmp.rmdir()


def _shm() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@dataclass
class _Running:
    pid: int
    fd: int
    case: Case
    index: int
    started: float
    path: Path
    buf: bytes = b""
    cpu_ticks: int = -1  # the worker's CPU time when last seen to grow (clock ticks)
    progressed: float = 0.0  # when that was (monotonic)

    def stuck(self, now: float, quiet: float) -> bool:
        """No CPU used for `quiet` seconds: blocked, not busy (busy workers are capped by RLIMIT_CPU).
        Without /proc, any worker older than 10 x `quiet` counts as stuck."""
        ticks = _cpu_ticks(self.pid)
        if ticks is None:
            return now - self.started > 10 * quiet
        if ticks > self.cpu_ticks:
            self.cpu_ticks, self.progressed = ticks, now
        return now - max(self.progressed, self.started) > quiet


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def run(indexes: Iterable[int], seed: int, *, jobs: int = 2, cheap: bool = False, time_limit: float = TIME_LIMIT,
        mem_limit: int = MEM_LIMIT, families: Iterable[str] | None = None) -> Iterator[Outcome]:
    """Outcomes of the given case numbers of a seeded run (in completion order)."""
    fams = list(families) if families else None
    cases = ((i, make_case(seed, i, cheap, fams)) for i in indexes)
    yield from run_cases(cases, seed=seed, jobs=jobs, time_limit=time_limit, mem_limit=mem_limit)


_warm = False


def run_cases(cases: Iterable[tuple[int, Case]], *, seed: int = 0, jobs: int = 2, time_limit: float = TIME_LIMIT,
              mem_limit: int = MEM_LIMIT, probe: Probe | None = None) -> Iterator[Outcome]:
    """Each case analysed in its own forked worker, `jobs` at a time (outcomes in completion order).
    `probe(report)` runs in the worker on a successful analysis; its (JSON) value comes back."""
    global _warm
    if not _warm:
        _warm_up()
        gc.freeze()  # the workers' garbage collector leaves the parent's objects (and their pages) alone
        _warm = True
    workdir = Path(tempfile.mkdtemp(prefix="fazhi-fuzz-", dir=_shm()))
    pending = iter(cases)
    running: dict[int, _Running] = {}
    try:
        while True:
            while len(running) < jobs:
                item = next(pending, None)
                if item is None:
                    break
                i, case = item
                r, w = os.pipe()
                path = workdir / f"case{i}{case.suffix}"
                pid = os.fork()
                if pid == 0:  # the worker
                    os.close(r)
                    try:
                        _child(case, path, w, time_limit, mem_limit, probe)
                    finally:
                        os._exit(0)
                os.close(w)
                running[r] = _Running(pid, r, case, i, time.monotonic(), path)
            if not running:
                return
            ready, _, _ = select.select(list(running), [], [], 0.5)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if chunk:
                    running[fd].buf += chunk
                    continue
                yield _finish(running.pop(fd), seed, time_limit)
            for fd, job in list(running.items()):
                if job.stuck(time.monotonic(), STUCK_SECONDS):
                    os.kill(job.pid, signal.SIGKILL)
                    yield _finish(running.pop(fd), seed, time_limit, killed=True)
    finally:
        for job in running.values():
            os.kill(job.pid, signal.SIGKILL)
            os.waitpid(job.pid, 0)
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()


def run_one(case: Case, probe: Probe | None = None, time_limit: float = TIME_LIMIT) -> Outcome:
    """One case in a worker (tests of known crashers)."""
    return next(run_cases([(0, case)], jobs=1, time_limit=time_limit, probe=probe))


def _finish(job: _Running, seed: int, time_limit: float, killed: bool = False) -> Outcome:
    os.close(job.fd)
    _, status_code, usage = os.wait4(job.pid, 0)
    wall = time.monotonic() - job.started
    cpu = usage.ru_utime + usage.ru_stime
    job.path.unlink(missing_ok=True)
    seen = None
    try:
        result = json.loads(job.buf.decode("utf-8"))
        status, detail, seen = result["status"], result["detail"], result.get("probe")
    except ValueError:
        sig = os.WTERMSIG(status_code) if os.WIFSIGNALED(status_code) else None
        if killed or sig in (signal.SIGXCPU, signal.SIGKILL) and cpu >= time_limit:
            status, detail = "timeout", f"killed after {wall:.1f} s wall, {cpu:.1f} s CPU" + (
                "" if cpu >= time_limit else f", no CPU used for {STUCK_SECONDS:.0f} s")
        else:
            status, detail = "died", f"signal {sig}, exit {status_code}"
    if status in PASSING and cpu > time_limit:
        status, detail = "timeout", f"{cpu:.1f} s CPU ({status}: {detail[:100]})"
    case = job.case
    return Outcome(seed, job.index, case.family, case.name, case.suffix, len(case.data), status, detail,
                   round(cpu, 3), round(wall, 3), seen)


# ---------------------------------------------------------------- summary


def table(outcomes: list[Outcome]) -> str:
    """family x status counts, a markdown table, with the CPU seconds per family."""
    by: dict[str, Counter[str]] = defaultdict(Counter)
    cpu: dict[str, float] = defaultdict(float)
    for o in outcomes:
        by[o.family][o.status] += 1
        cpu[o.family] += o.cpu
    head = "| family | cases | " + " | ".join(STATUSES) + " | CPU s | max CPU s |"
    rows = [head, "|" + "---|" * (len(STATUSES) + 4)]
    for fam in sorted(by) + ["**total**"]:
        counts = sum(by.values(), Counter()) if fam == "**total**" else by[fam]
        mx = max((o.cpu for o in outcomes if fam == "**total**" or o.family == fam), default=0.0)
        c = sum(cpu.values()) if fam == "**total**" else cpu[fam]
        rows.append(f"| {fam} | {sum(counts.values())} | " + " | ".join(str(counts[s]) for s in STATUSES)
                    + f" | {c:.0f} | {mx:.1f} |")
    return "\n".join(rows)


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.status not in PASSING]


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="first case number")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cheap", action="store_true", help="short texts, inputs under 300 KB (CI)")
    ap.add_argument("--family", action="append", help="only these families (repeatable)")
    ap.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    ap.add_argument("--out", help="write one JSON line per case here")
    ap.add_argument("--json", action="store_true", help="print the outcomes as one JSON list instead of a table")
    args = ap.parse_args(argv)
    outcomes: list[Outcome] = []
    out = open(args.out, "w", encoding="utf-8") if args.out else None
    t0 = time.monotonic()
    for o in run(range(args.start, args.start + args.cases), args.seed, jobs=args.jobs, cheap=args.cheap,
                 time_limit=args.time_limit, families=args.family):
        outcomes.append(o)
        if out:
            out.write(json.dumps(asdict(o), ensure_ascii=False) + "\n")
            out.flush()
        if not args.json and o.status not in PASSING:
            print(f"FAIL {o.status} seed={o.seed} case={o.index} {o.family} {o.name[:80]}: {o.detail[:200]}",
                  file=sys.stderr, flush=True)
    if out:
        out.close()
    if args.json:
        json.dump([asdict(o) for o in outcomes], sys.stdout, ensure_ascii=False)
    else:
        print(table(outcomes))
        print(f"{len(outcomes)} cases in {time.monotonic() - t0:.0f} s wall, {len(failures(outcomes))} failures")
    return 1 if failures(outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
