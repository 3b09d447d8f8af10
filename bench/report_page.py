"""The report page with a large corpus (issue 11): GET /reports/{id} of `fazhi serve` on a corpus
of 5,000 stored synthetic reports must answer in a median < 150 ms. The copy matches are read
from the database (stored when each report was added), never computed on the view.

    .venv/bin/python bench/report_page.py [--reports 5000] [--work /tmp/fazhi-report-page] [--port 18652]

The corpus (fazhi.corpus.synth, planted copies and templates) is generated and stored once under
--work (analysis in 2 processes, one writer; re-runs re-use it). Then a fresh `fazhi serve` on
loopback; a reviewer opens --pages different reports once each (the page as first seen after a
restart) and one report --repeat times; the list and its charts are timed too. The server is
stopped at the end. Prints a table; exit status 1 when the goal is missed.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

PASSWORD = "bench-pass-123"


def build(n: int, work: Path) -> tuple[Path, float]:
    """The corpus database of n synthetic reports (made once); seconds spent building now."""
    sys.path.insert(0, str(Path(__file__).parent))
    from corpus import build as build_corpus  # bench/corpus.py: analysis in workers, one writer

    from fazhi.corpus.synth import generate

    synth = work / f"synth-{n}"
    if not (synth / "manifest.json").exists():
        generate(n, synth, seed=7)
    db = work / f"corpus-{n}.db"
    t = time.perf_counter()
    build_corpus(sorted(synth.glob("*.txt")), db, 2)
    return db, time.perf_counter() - t


def stats(db: Path) -> dict:
    import sqlite3

    with sqlite3.connect(db) as c:
        out = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reports", "paragraphs", "bands",
                                                                               "copy_matches")}
    out["MB"] = db.stat().st_size // 2**20
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def timed(client, url: str) -> float:
    t = time.perf_counter()
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return (time.perf_counter() - t) * 1000


def run(args: argparse.Namespace) -> int:
    import httpx

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db, built = build(args.reports, work)
    info = stats(db)
    subprocess.run([sys.executable, "-m", "fazhi", "user", "add", "bench-rev", "--reviewer", "--password", PASSWORD,
                    "--db", str(db)], capture_output=True)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "fazhi", "serve", "--db", str(db), "--port", str(args.port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"服务器未能启动：{server.stderr.read() if server.stderr else ''}")
            time.sleep(0.5)
        c = httpx.Client(base_url=base, timeout=120)
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        c.post("/login", data={"username": "bench-rev", "password": PASSWORD, "csrf_token": token})
        ids = random.Random(1).sample(range(1, info["reports"] + 1), args.pages)
        first = [timed(c, f"/reports/{rid}") for rid in ids]
        again = [timed(c, f"/reports/{ids[0]}") for _ in range(args.repeat)]
        copies = [len(c.get(f"/api/reports/{rid}/copies").json()["copies"]) for rid in ids[:20]]
        lists = [timed(c, "/reports") for _ in range(3)]
        charts = [timed(c, "/reports/charts.json") for _ in range(2)]
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    every = first + again
    rows = [("reports / paragraphs / band keys / copy-match rows", f"{info['reports']} / {info['paragraphs']} / "
                                                                  f"{info['bands']} / {info['copy_matches']}"),
            ("database MB", str(info["MB"])),
            ("corpus built now in (s)", f"{built:.0f}"),
            (f"report page, {args.pages} reports once each: median / p95 / max (ms)",
             f"{statistics.median(first):.0f} / {pct(first, .95):.0f} / {max(first):.0f}"),
            (f"report page, one report {args.repeat} times: median / p95 (ms)",
             f"{statistics.median(again):.0f} / {pct(again, .95):.0f}"),
            ("shared passages shown per report (mean of 20)", f"{statistics.fmean(copies):.1f}"),
            ("report list (5,000 rows): first / then (ms)", f"{lists[0]:.0f} / {statistics.median(lists[1:]):.0f}"),
            ("list charts: first (computed) / cached (ms)", f"{charts[0]:.0f} / {charts[1]:.0f}")]
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |\n|{'-' * (width + 2)}|-------|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")
    ok = statistics.median(every) < 150
    print("goal met" if ok else "GOAL MISSED")
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--work", default="/tmp/fazhi-report-page")
    ap.add_argument("--port", type=int, default=18652)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=50)
    return run(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())
