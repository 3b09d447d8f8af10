"""Corpus scale benchmark on synthetic corpora (fazhi.corpus.synth): build speed, query time,
memory, and precision/recall of copy detection against exact brute force.

    .venv/bin/python bench/corpus.py --sizes 1000,20000 [--work /tmp/fazhi-bench] [--db DB] [--seed 0]
                                     [--procs 2] [--dask-n 1000,5000] [--dask-runs 3]

For each size N: generate N reports under WORK/synth-N (kept and re-used), build the corpus in
WORK/corpus-N.db as `fazhi corpus add --workers PROCS` does (fazhi.corpus.build: workers analyse
and fingerprint; one writer stores batches of 50; --match auto (the default of `corpus add`):
from 1,000 files on every report is matched at the end in one `corpus links` pass, else each is
matched as it is stored; re-used and completed when it already holds some), then measure:
- `fazhi corpus links` (every copy pair at once, pandas): its time (the build's own pass when it
  matched at the end, else a run on the built corpus, checked equal to the stored matches); its
  speed-up over per-report queries (N x the mean new-report query);
- with --dask-n M[,M2...]: the first M reports built on a Dask LocalCluster of 1 and of 2 workers, --dask-runs
  times alternately (the median speed-up), with the CPU seconds of this process (client, scheduler,
  writer) and of each worker (the bound on 2 cores), storing and the tail after it apart;
- copy search: match_report (fingerprint + match, the report as if new) and match_stored on
  QUERIES reports; mean and worst seconds;
- planted recall: planted pairs with similarity >= 0.8 (manifest) whose passage the engine
  reports against the right other report (spans overlapping), on the planted pairs of the
  query sample; kind right (recycling / copying);
- brute force: every unit of each query report verified (copies.verify, the engine's own
  exact measure) against every unit of a random sample of the corpus (all reports when the
  corpus is no bigger than --bf-sample); a pair is (query passage, other report). LSH misses
  are independent per pair, so recall on a random sample estimates recall on the corpus.
  Recall per pair counts every copy of a stock sentence, which the engine reads only the
  newest MAX_BAND_ROWS of by design; so it is also given on the pairs no cap cut, and per
  passage: of the query passages brute force finds copied in the sample, the share the engine
  flags as copied (a verified match with any report), which is what a reader of a report sees.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
from collections import Counter
from contextlib import contextmanager
import sys
import time
from pathlib import Path


def build(files: list[Path], db: Path, procs: int, dask: str | None = None, match: str = "auto") -> dict:
    """Build (or go on building) the corpus as `fazhi corpus add --workers PROCS` does; timings in seconds."""
    import fazhi.corpus.build as B
    from fazhi.corpus import open_corpus
    from fazhi.corpus.parallel import Runner

    corpus = open_corpus(db)
    writer = [0.0]
    window = [0.0, 0]  # worker CPU s and reports stored since the last progress line
    store = B.add_prepared

    def timed(*a):
        window[0] += sum(it.cpu for it in a[1])
        window[1] += len(a[1])
        t = time.perf_counter()
        try:
            return store(*a)
        finally:
            writer[0] += time.perf_counter() - t

    B.add_prepared = timed
    t0 = time.perf_counter()
    runner = Runner.dask(dask, procs) if dask else Runner.local(procs)
    with runner:
        done = [0]

        def tick(*_):
            done[0] += 1
            if done[0] % 1000 == 0:
                ms = 1000 * window[0] / max(1, window[1])
                print(f"  {done[0]}/{len(files)}  {time.perf_counter() - t0:.0f} s  worker CPU {ms:.1f} ms/report",
                      file=sys.stderr, flush=True)
                window[:] = [0.0, 0]

        mode = B.match_mode(match, len(files))
        linking = []  # when the links pass started (storing done; with MergeBeside, the keys exported)
        stats = B.build(corpus, files, runner, B.worker_options(corpus, runner, max_bytes=50 << 20, ocr=False),
                        on_file=tick, match=mode, on_link=lambda: linking.append(time.perf_counter()))
    B.add_prepared = store
    corpus.close()
    wall = time.perf_counter() - t0
    stored = linking[0] - t0 if linking else wall - stats.merge_s - stats.link_s
    return {"wall": wall, "new": stats.added, "analyze_cpu": stats.analyse_cpu, "stored_s": stored,
            "store": writer[0], "match": mode, "link_s": stats.link_s, "linked": stats.linked,
            "merge_s": stats.merge_s, "beside": stats.merged_beside}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def brute_force(corpus, units, sample_ids: list[int], exclude: int) -> list[tuple[tuple[int, int], int]]:
    """(query span, other report id) of every verified unit pair with reports in the sample."""
    from rapidfuzz import fuzz, process
    from sqlalchemy import select

    from fazhi.corpus.copies import verify
    from fazhi.corpus.fingerprint import normalize
    from fazhi.corpus.models import ParagraphRow

    onorm, orid, ooff = [], [], []
    ids = [i for i in sample_ids if i != exclude]
    with corpus.engine.connect() as conn:
        for k in range(0, len(ids), 500):
            q = select(ParagraphRow.report_id, ParagraphRow.start, ParagraphRow.content).where(
                ParagraphRow.report_id.in_(ids[k:k + 500]))
            for rid, start, content in conn.execute(q):
                n, s, e = normalize(content, start)
                onorm.append(n)
                orid.append(rid)
                ooff.append((s, e))
    qn = [u.norm for u in units]
    mc = corpus.params.min_chars
    out = []
    # cheap exact pre-filters (a verify hit implies ratio >= 80 or partial_ratio >= 80), then verify
    hits = set()
    for scorer in (fuzz.ratio, fuzz.partial_ratio):
        m = process.cdist(qn, onorm, scorer=scorer, score_cutoff=79, workers=2, dtype="uint8")
        hits.update(zip(*m.nonzero()))
    for qi, oi in sorted(hits):
        v = verify(qn[qi], onorm[oi], min_chars=mc)
        if v:
            out.append((units[qi].span_of(v[1], v[2]), orid[oi], qi))
    return out


def synth_dir(n: int, work: Path, seed: int) -> Path:
    """WORK/synth-N: N synthetic reports, generated the first time (kept and re-used)."""
    from fazhi.corpus.synth import generate

    sdir = work / f"synth-{n}"
    if not (sdir / "manifest.json").exists():
        generate(n, sdir, seed=seed)
    return sdir


def measure(n: int, work: Path, db: Path | None, seed: int, queries: int, bf_sample: int, procs: int,
            build_: bool = True, match: str = "auto") -> dict:
    from fazhi.corpus import open_corpus
    from fazhi.corpus.copies import match_report, match_stored, subject_of, verified_matches
    from fazhi.corpus.fingerprint import report_units
    from fazhi.corpus.synth import Manifest

    import fazhi

    sdir = synth_dir(n, work, seed)
    manifest = Manifest.load(sdir / "manifest.json")
    files = [sdir / r["file"] for r in manifest.reports]
    db = db or work / f"corpus-{n}.db"
    b = build(files, db, procs, match=match) if build_ else {"wall": 0.0, "new": 0, "analyze_cpu": 0.0,
                                                             "store": 0.0, "match": "-", "link_s": 0.0, "linked": 0,
                                                             "merge_s": 0.0, "stored_s": 0.0}
    res: dict = {"n": n, "db": str(db), "build": b}
    corpus = open_corpus(db)
    from fazhi.corpus.links import links_local

    if b["linked"] == b["new"] and b["new"] == corpus.size():  # the build's own links pass matched them all
        res["links_s"], res["links_equal"] = b["link_s"], None
    else:
        t = time.perf_counter()
        rows = links_local(corpus)
        res["links_s"] = time.perf_counter() - t
        res["links_equal"] = _stored_pairs(corpus) == _link_pairs(rows)
    ids = {r["path"]: r["id"] for r in corpus.rows(("id", "path"))}
    rng = random.Random(seed)
    # fingerprinting alone, on a sample
    sample = rng.sample([f for f in files if str(f) in ids], min(100, len(ids)))
    reps = [fazhi.analyze(f) for f in sample]
    t = time.perf_counter()
    for r in reps:
        report_units(r, corpus.params)
    res["fingerprint_rate"] = len(reps) / (time.perf_counter() - t)
    # queries: reports that received planted copies first, then random ones
    stored = {Path(p).name for p in ids}  # with --no-build: only what is stored so far
    strong = [p for p in manifest.pairs if p["similarity"] is not None and {p["dst"], p["src"]} <= stored]
    dsts = sorted({p["dst"] for p in strong})
    rng.shuffle(dsts)
    qfiles = dsts[:queries]
    qt_new, qt_stored, found, kind_ok, total = [], [], 0, 0, 0
    bf_ids = sorted(ids.values()) if len(ids) <= bf_sample else rng.sample(sorted(ids.values()), bf_sample)
    bf_set = set(bf_ids)
    tp_r = fn = tp_p = fp = tp_rare = fn_rare = 0
    bf_passages = flagged = 0  # passages brute force finds copied in the sample / the engine flags as copied
    for name in qfiles:
        path = str(sdir / name)
        rid = ids[path]
        rep = fazhi.analyze(path)
        t = time.perf_counter()
        match_report(corpus, rep)
        qt_new.append(time.perf_counter() - t)
        t = time.perf_counter()
        copies = match_stored(corpus, rid)
        qt_stored.append(time.perf_counter() - t)
        for p in strong:
            if p["dst"] != name:
                continue
            total += 1
            sid = ids[str(sdir / p["src"])]
            hit = [c for c in copies if c["other"]["id"] == sid and _overlap((c["start"], c["end"]), p["dst_span"])]
            found += bool(hit)
            kind_ok += any(c["kind"] == p["kind"] for c in hit)
        # brute force on the sample vs the engine's verified matches (before classification)
        units = report_units(rep, corpus.params)
        bf = brute_force(corpus, units, bf_ids, rid)
        ms, _, _ = verified_matches(corpus, units, subject_of(rep, rid))
        eng = [(m.q, m.report_id) for m in ms if m.report_id in bf_set]
        # the engine reads at most MAX_BAND_ROWS rows per key and verifies at most MAX_CANDIDATES
        # units per unit (a stock sentence in 3,000 reports is matched with the newest, by design):
        # recall is also counted on the units whose lookup neither cap cut
        capped = capped_units(corpus, units, rid)
        with_match = {m.src if m.src >= 0 else m.qi for m in ms} | {m.qi for m in ms}
        copied = {qi for _s, _o, qi in bf}
        bf_passages += len(copied)
        flagged += len(copied & with_match)
        for span, o, qi in bf:
            hit = any(o == eo and _overlap(span, es) for es, eo in eng)
            tp_r += hit
            fn += not hit
            if qi not in capped:
                tp_rare += hit
                fn_rare += not hit
        for span, o in eng:
            if any(o == bo and _overlap(span, bs) for bs, bo, _q in bf):
                tp_p += 1
            else:
                fp += 1
    res.update(
        queries=len(qfiles), q_new_mean=statistics.mean(qt_new), q_new_max=max(qt_new),
        q_stored_mean=statistics.mean(qt_stored), q_stored_max=max(qt_stored),
        planted=total, planted_recall=found / total if total else float("nan"),
        kind_accuracy=kind_ok / found if found else float("nan"),
        bf_reports=len(bf_ids), bf_pairs=tp_r + fn, bf_recall=tp_r / (tp_r + fn) if tp_r + fn else float("nan"),
        bf_passages=bf_passages, bf_passage_recall=flagged / bf_passages if bf_passages else float("nan"),
        bf_rare=tp_rare + fn_rare, bf_rare_recall=tp_rare / (tp_rare + fn_rare) if tp_rare + fn_rare else float("nan"),
        bf_precision=tp_p / (tp_p + fp) if tp_p + fp else float("nan"),
        db_mb=os.path.getsize(db) / 2**20, **_counts(corpus),
        maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        maxrss_children_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )
    corpus.close()
    return res


def capped_units(corpus, units, rid: int) -> set[int]:
    """Indexes of the units whose lookup a cap cut: not indexed (a repeat, too long, past
    MAX_BAND_UNITS on every key), a key that gave MAX_BAND_ROWS rows, or MAX_CANDIDATES candidates."""
    from fazhi.corpus import bandindex
    from fazhi.corpus.candidates import MAX_BAND_ROWS, MAX_CANDIDATES, candidates, index_plan

    plan = index_plan(units)
    keys = sorted({k for ks in plan for _b, k in ks})
    with corpus.engine.connect() as conn:
        rows = Counter(k for k, _pid in bandindex.lookup(conn, keys, limit=MAX_BAND_ROWS))
        cands = candidates(conn, plan, rid)
    return {i for i, ks in enumerate(plan) if not ks or len(cands.get(i, ())) >= MAX_CANDIDATES
            or any(rows[k] >= MAX_BAND_ROWS for _b, k in ks)}


def _stored_pairs(corpus) -> set:
    from sqlalchemy import text

    with corpus.engine.connect() as conn:
        return set(conn.execute(text("SELECT report_id, unit_seq, start, \"end\", other_id, o_start, o_end, "
                                     "round(similarity, 4) FROM copy_matches")).all())


def _link_pairs(rows) -> set:
    out = set()
    for r in rows.to_frame().itertuples(index=False):
        out.add((r.report_id, r.unit_seq, r.start, r.end, r.other_id, r.o_start, r.o_end, round(r.similarity, 4)))
        out.add((r.other_id, r.o_seq, r.o_start, r.o_end, r.report_id, r.start, r.end, round(r.similarity, 4)))
    return out


def dask_speedup(files: list[Path], work: Path, runs: int = 1) -> dict:
    """The same build on a Dask LocalCluster of 1 and of 2 worker processes (fresh databases), `runs`
    times alternately (this VM's speed drifts by 10-20 % within minutes: the median of the runs' own
    speed-ups is the figure), with the CPU seconds of this process (client, scheduler, writer) and
    of each worker process, and each build's storing (to the last batch) and tail (after it)."""
    import distributed  # noqa: F401 - imported before any build is timed, else the first one alone pays it (~1 s)

    out: dict = {"dask_n": len(files), "dask_runs": []}
    for _ in range(runs):
        one: dict = {}
        for w in (1, 2):
            db = work / f"dask-{len(files)}-{w}.db"
            for f in db.parent.glob(db.name + "*"):
                f.unlink()
            with _cpu_watch() as cpu:
                b = build(files, db, w, dask="local")
            one[w] = {"wall": b["wall"], "stored": b["stored_s"], "tail": b["wall"] - b["stored_s"], "cpu": cpu}
        print(f"  Dask {len(files)}: 1 worker {one[1]['wall']:.1f} s, 2 workers {one[2]['wall']:.1f} s, "
              f"{one[1]['wall'] / one[2]['wall']:.2f}x", file=sys.stderr, flush=True)
        out["dask_runs"].append(one)
    mid = sorted(out["dask_runs"], key=lambda o: o[1]["wall"] / o[2]["wall"])[(runs - 1) // 2]  # the median run
    out.update({"dask_1": mid[1]["wall"], "dask_2": mid[2]["wall"], "dask_cpu_1": mid[1]["cpu"],
                "dask_cpu_2": mid[2]["cpu"], "dask_mid": mid})
    return out


def _speedups(r: dict) -> str:
    ups = sorted(o[1]["wall"] / o[2]["wall"] for o in r["dask_runs"])
    if len(ups) == 1:
        return f"{ups[0]:.2f}x"
    return f"{r['dask_1'] / r['dask_2']:.2f}x (median of {len(ups)}: {ups[0]:.2f}-{ups[-1]:.2f})"


@contextmanager
def _cpu_watch():
    """CPU seconds of this process and of each worker process (children sampled twice a second,
    the Dask nanny processes left out: they idle) while the block runs: {"main": s, "workers": [s, ...]}."""
    import threading

    import psutil

    me, seen, stop = psutil.Process(), {}, threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for c in me.children(recursive=True):
                try:
                    seen[c.pid] = sum(c.cpu_times()[:2])
                except psutil.Error:
                    pass
            stop.wait(0.5)

    t = threading.Thread(target=watch, daemon=True)
    c0 = sum(me.cpu_times()[:2])
    out: dict = {}
    t.start()
    try:
        yield out
    finally:
        stop.set()
        t.join()
        out["main"] = sum(me.cpu_times()[:2]) - c0
        out["workers"] = sorted((v for v in seen.values() if v >= 1.0), reverse=True)


def _cpu(c: dict) -> str:
    return f"{c['main']:.0f} / {' + '.join(f'{w:.0f}' for w in c['workers']) or '-'}"


def _counts(corpus) -> dict:
    from sqlalchemy import text

    with corpus.engine.connect() as conn:
        return {"paragraph_rows": conn.execute(text("select count(*) from paragraphs")).scalar_one(),
                "band_rows": conn.execute(text("select count(*) from band_keys")).scalar_one(),
                "reports": conn.execute(text("select count(*) from reports")).scalar_one()}


def table(results: list[dict], procs: int) -> str:
    rows = [("reports", lambda r: f"{r['reports']}"),
            ("matching (--match)", lambda r: r["build"]["match"]),
            ("build wall s, matching included (new reports)", lambda r: f"{r['build']['wall']:.0f} ({r['build']['new']})"),
            (f"build reports/s ({procs} workers)", lambda r: _rate(r["build"]["new"], r["build"]["wall"])),
            ("... of which storing s (to the last batch; and the keys merged, unless beside the pass)",
             lambda r: f"{r['build']['stored_s']:.0f}"),
            ("... band keys merged s (beside: from the pass' start to the merge done)",
             lambda r: f"{r['build']['merge_s']:.0f}" + (" (beside)" if r["build"].get("beside") else "")),
            ("... of which matching at the end s", lambda r: f"{r['build']['link_s']:.0f}"),
            ("worker CPU ms/report (analyse+fp[+prematch])", lambda r: _ms(r["build"]["analyze_cpu"], r["build"]["new"])),
            ("writer ms/report (batches of 50)", lambda r: _ms(r["build"]["store"], r["build"]["new"])),
            ("fingerprint reports/s (1 core)", lambda r: f"{r['fingerprint_rate']:.0f}"),
            ("corpus links s (the build's workers, else 1 process)", lambda r: f"{r['links_s']:.1f}"),
            ("corpus links = per-report matches", lambda r: "(it made them)" if r["links_equal"] is None
             else "yes" if r["links_equal"] else "NO"),
            ("per-report queries s (N x mean new query)", lambda r: f"{r['reports'] * r['q_new_mean']:.0f}"),
            ("links speed-up over per-report queries", lambda r: f"{r['reports'] * r['q_new_mean'] / r['links_s']:.1f}x"),
            *_dask_rows(results),
            ("query new report s (mean / worst)", lambda r: f"{r['q_new_mean']:.2f} / {r['q_new_max']:.2f}"),
            ("query stored report s (mean / worst)", lambda r: f"{r['q_stored_mean']:.2f} / {r['q_stored_max']:.2f}"),
            ("queries", lambda r: f"{r['queries']}"),
            ("planted pairs >=0.8 checked", lambda r: f"{r['planted']}"),
            ("planted recall", lambda r: f"{r['planted_recall']:.3f}"),
            ("planted kind right", lambda r: f"{r['kind_accuracy']:.3f}"),
            ("brute-force corpus sample (reports)", lambda r: f"{r['bf_reports']}"),
            ("brute-force pairs >=0.8", lambda r: f"{r['bf_pairs']}"),
            ("recall vs brute force (every pair)", lambda r: f"{r['bf_recall']:.3f}"),
            ("... pairs of units no cap cut", lambda r: f"{r['bf_rare']}"),
            ("... recall on those", lambda r: f"{r['bf_rare_recall']:.3f}"),
            ("brute-force passages copied (in the sample)", lambda r: f"{r['bf_passages']}"),
            ("... flagged as copies by the engine (recall)", lambda r: f"{r['bf_passage_recall']:.3f}"),
            ("precision vs brute force", lambda r: f"{r['bf_precision']:.3f}"),
            ("paragraph rows", lambda r: f"{r['paragraph_rows']:,}"),
            ("band rows", lambda r: f"{r['band_rows']:,}"),
            ("DB file MB", lambda r: f"{r['db_mb']:.0f}"),
            ("peak RSS MB (main / worker)", lambda r: f"{r['maxrss_mb']:.0f} / {r['maxrss_children_mb']:.0f}")]
    return _render(rows, results)


def _render(rows: list[tuple], results: list[dict]) -> str:
    w = max(len(k) for k, _ in rows)
    lines = [f"| {'measure':{w}s} | " + " | ".join(f"N={r['n']}" for r in results) + " |",
             f"|{'-' * (w + 2)}|" + "|".join("-" * (len(f"N={r['n']}") + 2) for r in results) + "|"]
    for k, f in rows:
        lines.append(f"| {k:{w}s} | " + " | ".join(f(r) for r in results) + " |")
    return "\n".join(lines)


def _dask_rows(results: list[dict]) -> list[tuple]:
    """The table's rows of each --dask-n size (`dask_speedup` results in r["dask"])."""
    rows: list[tuple] = []
    for i, m in enumerate(d["dask_n"] for d in results[0].get("dask", [])):
        def at(f, i=i):
            return lambda r: f(r["dask"][i]) if len(r.get("dask", [])) > i else "-"
        rows += [
            (f"Dask build s, 1 / 2 workers ({m} reports)", at(lambda d: f"{d['dask_1']:.0f} / {d['dask_2']:.0f}")),
            (f"Dask speed-up 2 workers over 1 ({m} reports)", at(_speedups)),
            ("... storing s, 1 / 2 workers (speed-up)", at(lambda d: "{:.1f} / {:.1f} ({:.2f}x)".format(
                d["dask_mid"][1]["stored"], d["dask_mid"][2]["stored"],
                d["dask_mid"][1]["stored"] / d["dask_mid"][2]["stored"]))),
            ("... after the last batch s, 1 / 2 workers", at(lambda d: "{:.1f} / {:.1f}".format(
                d["dask_mid"][1]["tail"], d["dask_mid"][2]["tail"]))),
            ("Dask CPU s, 1 worker: main / worker", at(lambda d: _cpu(d["dask_cpu_1"]))),
            ("Dask CPU s, 2 workers: main / each worker", at(lambda d: _cpu(d["dask_cpu_2"])))]
    return rows


def _ms(s: float, n: int) -> str:
    return f"{1000 * s / n:.1f}" if n else "-"


def _rate(n: int, s: float) -> str:
    return f"{n / s:.1f}" if s > 0 and n else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fazhi-bench"))
    ap.add_argument("--db", type=Path, help="corpus database to build or re-use (one size only)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--bf-sample", type=int, default=2000, help="corpus reports in the brute-force sample")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--no-build", action="store_true", help="measure what is stored (e.g. while a build runs)")
    ap.add_argument("--match", choices=("auto", "each", "end"), default="auto", help="as `fazhi corpus add --match`")
    ap.add_argument("--dask-n", default="", help="also build the first N reports (several: N,M,...) on a Dask "
                    "LocalCluster of 1 and of 2 workers and print the speed-up")
    ap.add_argument("--dask-only", action="store_true", help="only the Dask builds of --dask-n (of the first "
                    "reports of the one --sizes corpus, generated if missing)")
    ap.add_argument("--dask-runs", type=int, default=3, help="Dask builds of 1 and 2 workers, alternately: the "
                    "median speed-up is printed")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    if args.dask_only:
        n = sizes[0]
        files = sorted(synth_dir(n, args.work, args.seed).glob("*.txt"))
        res = {"n": n, "dask": [dask_speedup(files[:int(m)], args.work, args.dask_runs)
                                for m in args.dask_n.split(",")]}
        print(_render(_dask_rows([res]), [res]), flush=True)
        return 0
    for n in sizes:
        results.append(measure(n, args.work, args.db if len(sizes) == 1 else None, args.seed, args.queries,
                               args.bf_sample, args.procs, not args.no_build, args.match))
        if args.dask_n:
            files = sorted((args.work / f"synth-{n}").glob("*.txt"))
            results[-1]["dask"] = [dask_speedup(files[:int(m)], args.work, args.dask_runs)
                                   for m in args.dask_n.split(",")]
        print(table(results, args.procs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
