"""Load test of `fazhi serve` (issue 11): while 3 uploads of 8 MB repetitive text and 20 normal
uploads are analysed, a reviewer requests the report list and a report page; the server must keep
answering (median < 100 ms, p95 < 300 ms), stay small (RSS < 1.5 GB) and lose nothing.

    .venv/bin/python bench/load.py [--port 18651] [--requests 200] [--normal 20] [--big 3] [--timeout 900]

Everything runs on loopback: a fresh `fazhi serve --demo` on a new SQLite file in a temporary
folder, stopped at the end (also on error or timeout). The 8 MB files are web pages of one sample
report's paragraphs repeated (their text just under the analysis limit of
fazhi.pipeline.MAX_TEXT_CHARS, the rest markup: the heaviest file the analysis accepts; an 8 MB
.txt of Chinese is over the limit and refused at once), uploaded by one unit account; the normal
files are synthetic reports (fazhi.corpus.synth) uploaded by the reviewer. Latencies are measured
by the client, one request at a time, alternating the list and one report page, while the
uploads are being analysed. Server RSS is sampled every 0.1 s (/proc), worker processes apart.
Prints a table; exit status 1 when a goal is missed.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PASSWORD = "fazhi-demo-2024"


def big_page(mb: int, tag: int = 0, share: float = 0.8) -> bytes:
    from importlib import resources

    from fazhi.pipeline import MAX_TEXT_CHARS, MAX_TEXT_LINES

    sample = next(Path(str(resources.files("fazhi") / "samples")).glob("000_*.txt")).read_text(encoding="utf-8")
    paras = [p for p in sample.splitlines() if p.strip()]
    body, chars = [], 0
    while chars < share * MAX_TEXT_CHARS and len(body) < share * MAX_TEXT_LINES:
        body.append(paras[len(body) % len(paras)])
        chars += len(body[-1])
    pad = max(0, (mb * 1024 * 1024 - len("".join(body).encode())) // len(body) - 30)
    attr = ' data-x="' + "x" * pad + '"'
    return (f"<html><head><meta charset='utf-8'></head><body><article><p>第{tag + 1}份重复文本。</p>"
            + "".join(f"<p{attr}>{p}</p>\n" for p in body) + "</article></body></html>").encode("utf-8")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.server, self.worker, self.stop = pid, 0.0, 0.0, False

    def run(self) -> None:
        while not self.stop:
            self.server = max(self.server, rss_mb(self.pid))
            self.worker = max([self.worker, *(rss_mb(k) for k in descendants(self.pid))])
            time.sleep(0.1)


def wait_up(base: str, proc, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"服务器未能启动：{proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit("服务器在 120 秒内未启动")


def login(base: str):
    import httpx

    c = httpx.Client(base_url=base, timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": "demo-reviewer", "password": PASSWORD, "csrf_token": token})
    assert r.status_code in (200, 303), r.text
    return c


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def run(args: argparse.Namespace, work: Path) -> int:
    import httpx

    from fazhi.corpus.synth import generate

    base = f"http://127.0.0.1:{args.port}"
    db = work / "load.db"
    generate(args.normal, work / "normal", seed=5)
    normal = sorted((work / "normal").glob("*.txt"))[:args.normal]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "fazhi", "serve", "--db", str(db), "--port", str(args.port),
                               "--demo"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    sampler = Sampler(server.pid)
    try:
        wait_up(base, server)
        sampler.start()
        reviewer = login(base)
        page_id = reviewer.get("/api/reports").json()[0]["id"]
        unit_api = httpx.Client(base_url=base, auth=("demo-unit1", PASSWORD), timeout=300)
        rev_api = httpx.Client(base_url=base, auth=("demo-reviewer", PASSWORD), timeout=300)
        t0 = time.monotonic()
        jobs = []
        for i in range(args.big):
            jobs += unit_api.post("/api/upload?wait=false", files={"files": (f"重复-{i}.html", big_page(8, i))}).json()
        jobs += rev_api.post("/api/upload?wait=false",
                             files=[("files", (p.name, p.read_bytes())) for p in normal]).json()
        submitted = time.monotonic() - t0
        lat: dict[str, list[float]] = {"/reports": [], f"/reports/{page_id}": []}
        busy = 0
        for i in range(args.requests):
            url = "/reports" if i % 2 == 0 else f"/reports/{page_id}"
            t = time.perf_counter()
            r = reviewer.get(url)
            lat[url].append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (url, r.status_code)
            if i % 20 == 0:
                busy += any(_state(unit_api if j["filename"].endswith(".html") else rev_api, j)
                            in ("queued", "running") for j in jobs)
            time.sleep(args.pause)
        results = []
        deadline = time.monotonic() + args.timeout
        for j in jobs:
            client = unit_api if j["filename"].endswith(".html") else rev_api
            while j.get("job_id"):
                state = client.get(j["url"]).json()
                if state["state"] in ("done", "failed"):
                    results.append(state)
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("上传任务超时未完成")
                time.sleep(0.5)
            else:
                results.append(j)
        analysed = time.monotonic() - t0
        done = [r for r in results if r.get("state") == "done"]
        readable = sum(rev_api.get(f"/api/reports/{r['report_id']}").status_code == 200 for r in done)
        charts = []
        for _ in range(5):
            t = time.perf_counter()
            reviewer.get("/reports/charts.json")
            charts.append((time.perf_counter() - t) * 1000)
        storm = login_storm(base, reviewer)
    finally:
        sampler.stop = True
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    every = [v for vs in lat.values() for v in vs]
    rows = [("uploads (8 MB repetitive / normal)", f"{args.big} / {len(normal)}"),
            ("upload requests answered in (s)", f"{submitted:.2f}"),
            ("all analysed and filed in (s)", f"{analysed:.1f}"),
            ("list + report page requests", f"{len(every)} ({busy} of {args.requests // 20} checks saw uploads in analysis)")]
    for url, vs in lat.items():
        rows.append((f"GET {url} median / p95 / max (ms)", f"{statistics.median(vs):.0f} / {pct(vs, .95):.0f} / {max(vs):.0f}"))
    rows += [("all requests median / p95 (ms)", f"{statistics.median(every):.0f} / {pct(every, .95):.0f}"),
             ("charts.json after the uploads median (ms)", f"{statistics.median(charts):.0f}"),
             ("GET /api/periods during 10 concurrent wrong logins: median / max (ms)",
              f"{statistics.median(storm):.0f} / {max(storm):.0f}"),
             ("server peak RSS (MB)", f"{sampler.server:.0f}"),
             ("largest worker process RSS (MB)", f"{sampler.worker:.0f}"),
             ("jobs done / failed", f"{len(done)} / {len(results) - len(done)}"),
             ("distinct reports stored / readable afterwards", f"{len({r['report_id'] for r in done})} / {readable}")]
    failed = [r.get("error") for r in results if r.get("state") != "done"]
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |\n|{'-' * (width + 2)}|-------|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")
    for reason in failed:
        print(f"failed: {reason}")
    ok = (statistics.median(every) < 100 and pct(every, .95) < 300 and sampler.server < 1536 and not failed
          and readable == len(done) == len({r["report_id"] for r in done}) == args.big + len(normal))
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


def login_storm(base: str, reviewer) -> list[float]:
    """Latency of an unrelated request while 10 clients send wrong passwords at once (2 each; the
    20th failure locks the address, as designed)."""
    import httpx

    def attack(i: int) -> None:
        c = httpx.Client(base_url=base, timeout=60)
        for k in range(2):
            token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
            c.post("/login", data={"username": f"nobody-{i}-{k}", "password": "wrong-guess-1", "csrf_token": token})

    threads = [threading.Thread(target=attack, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    out = []
    while any(t.is_alive() for t in threads) or len(out) < 10:
        t0 = time.perf_counter()
        reviewer.get("/api/periods")
        out.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.05)
    for t in threads:
        t.join()
    return out


def _state(client, job: dict) -> str:
    if not job.get("job_id"):
        return "failed"
    return client.get(job["url"]).json()["state"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=18651)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--normal", type=int, default=20)
    ap.add_argument("--big", type=int, default=3)
    ap.add_argument("--pause", type=float, default=0.05, help="seconds between two measured requests")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fazhi-load.") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
