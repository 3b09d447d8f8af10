"""National scale (issue 15): parallel and Dask corpus builds give exactly what a single process
gives, and `fazhi corpus links` (every copy pair as one band-key group-by, on pandas or a Dask
LocalCluster) gives exactly the per-report copy matches. Real files, real processes, a real
LocalCluster with two worker processes, SQLite and PostgreSQL."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PG_URL, reset_pg

import fazhi
from fazhi.corpus.keyspill import spill_path
from fazhi.corpus.linkrows import ROW_COLUMNS
from fazhi.corpus.store import open_corpus

CMD = [sys.executable, "-m", "fazhi", "corpus"]


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    """A few hundred synthetic reports (copies and recycled passages planted) and one bad file."""
    from fazhi.corpus.synth import generate

    d = tmp_path_factory.mktemp("scale") / "reports"
    generate(240, d, seed=11)
    (d / "zz_broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return d


# the command, saying at its exit whether it imported pandas (a build's links pass on its workers does not)
WATCHED = [sys.executable, "-c", "import atexit, sys; atexit.register(lambda: print('pandas:', 'pandas' in "
           "sys.modules, file=sys.stderr)); from fazhi.cli import main; sys.exit(main(sys.argv[1:]))", "corpus"]


def _add(db: Path, src: Path, *extra: str, cmd: list[str] = CMD) -> subprocess.CompletedProcess:
    return subprocess.run([*cmd, "add", "--db", str(db), str(src), *extra], capture_output=True, text=True,
                          timeout=900)


def _state(db: Path) -> dict:
    """What a build leaves: the reports (id, file, content hash, issuer, year), the copy matches
    and the paragraph/band counts."""
    with sqlite3.connect(db) as c:
        return {
            "reports": c.execute("SELECT id, path, sha256, issuer, report_year, level FROM reports ORDER BY id").fetchall(),
            "matches": sorted(c.execute("SELECT report_id, unit_seq, start, \"end\", other_id, o_start, o_end, "
                                        "round(similarity, 4) FROM copy_matches")),
            "paragraphs": c.execute("SELECT count(*) FROM paragraphs").fetchone()[0],
            "keys": c.execute("SELECT count(*), sum(hash % 1000), sum(paragraph_id) FROM band_keys").fetchone(),
            "unmatched": c.execute("SELECT count(*) FROM reports WHERE copies_at IS NULL").fetchone()[0],
        }


@pytest.fixture(scope="module")
def sequential(synth_dir, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("seq") / "seq.db"
    done = _add(db, synth_dir, "--workers", "1")
    assert done.returncode == 2, done.stderr  # the broken file
    assert "zz_broken.docx" in done.stderr and "新入库 240 份，已存在跳过 0 份，失败 1 份" in done.stderr
    return db


def _tables(db: Path) -> dict:
    with open_corpus(db, create=False) as c:
        return {k: c.table(k).drop(columns=["id"], errors="ignore") for k in ("indicators", "scores", "findings")}


def test_parallel_build_equals_the_single_process_build(synth_dir, sequential, tmp_path):
    db = tmp_path / "par.db"
    done = _add(db, synth_dir, "--workers", "2", "--batch", "7")
    assert done.returncode == 2 and "新入库 240 份，已存在跳过 0 份，失败 1 份" in done.stderr
    seq, par = _state(sequential), _state(db)
    assert par == seq
    assert len(seq["matches"]) > 1000 and seq["unmatched"] == 0  # planted copies found, every report matched
    import pandas.testing as pdt

    for kind, frame in _tables(sequential).items():
        pdt.assert_frame_equal(_tables(db)[kind], frame)
    again = _add(db, synth_dir, "--workers", "2")  # resumed: nothing new, nothing lost
    assert "新入库 0 份，已存在跳过 240 份，失败 1 份" in again.stderr
    assert _state(db) == seq


def test_dask_local_cluster_build_equals_the_single_process_build(synth_dir, sequential, tmp_path):
    db = tmp_path / "dask.db"
    done = _add(db, synth_dir, "--dask", "local", "--workers", "2", "--batch", "20")
    assert done.returncode == 2, done.stderr
    assert "新入库 240 份，已存在跳过 0 份，失败 1 份" in done.stderr and "Traceback" not in done.stderr
    assert _state(db) == _state(sequential)


@pytest.mark.parametrize("how", [["--workers", "2"], ["--dask", "local", "--workers", "2"]], ids=["pool", "dask"])
def test_matching_at_the_end_equals_matching_each_report(synth_dir, sequential, tmp_path, how):
    """`--match end` stores every report unmatched, then matches them all in one links pass (on the
    build's workers or Dask cluster): the same reports, ids and copy matches. The workers send the
    matches back as numpy columns (fazhi.corpus.linkrows): the writer never imports pandas."""
    db = tmp_path / "end.db"
    done = _add(db, synth_dir, *how, "--match", "end", cmd=WATCHED)
    assert done.returncode == 2 and "新入库 240 份，已存在跳过 0 份，失败 1 份" in done.stderr, done.stderr
    assert done.stderr.rstrip().endswith("pandas: False")
    assert "统一查重 240 份" in done.stderr and "Traceback" not in done.stderr
    assert _state(db) == _state(sequential)
    assert not list(tmp_path.glob(".fazhi-keys-*")) and not spill_path(db).exists()  # the keys read aside


def test_a_build_killed_before_its_matching_is_matched_when_run_again(synth_dir, sequential, tmp_path):
    """Reports stored unmatched by a build that stopped before the end (kill -9 after the last
    batch) are matched by the next run, with the rest."""
    from fazhi.corpus import report_files

    db = tmp_path / "resumed.db"
    _killed_build(db, report_files([synth_dir])[:120])
    assert _state(db)["unmatched"] == 120 and _state(db)["keys"][0] == 0  # the keys are still aside
    done = _add(db, synth_dir, "--workers", "2", "--match", "end")
    assert "新入库 120 份，已存在跳过 120 份，失败 1 份" in done.stderr and "统一查重 240 份" in done.stderr
    assert _state(db) == _state(sequential)
    assert not spill_path(db).exists()


def test_a_build_matched_at_the_end_sends_rows_not_units(synth_dir):
    """A worker of a build matched at the end sends its writer the units as stored (UnitRows:
    columns and planned keys in arrays, the text packed as the store keeps it), not Unit objects:
    the same rows and keys as the units and their plan give, and a pickle far smaller in objects."""
    import pickle

    import numpy as np

    from fazhi.corpus import report_files
    from fazhi.corpus.batch import PrepareOptions, prepare_file
    from fazhi.corpus.candidates import index_plan
    from fazhi.corpus.fingerprint import DEFAULT_PARAMS, report_units
    from fazhi.corpus.unitrows import UnitRows

    path = report_files([synth_dir])[3]
    opts = PrepareOptions(None, DEFAULT_PARAMS.to_dict(), 50 << 20, False, prematch=False, deferred=True)
    got = prepare_file(str(path), opts)
    assert got.units == [] and got.plan == [] and len(got.rows) > 10
    units = report_units(fazhi.analyze(path), DEFAULT_PARAMS)
    plan = index_plan(units)
    want = UnitRows.of(units, plan)
    for col in ("level", "start", "end", "nchars", "text_hash", "counts", "keys"):
        assert np.array_equal(getattr(got.rows, col), getattr(want, col)), col
    assert [b.decode("utf-16-le") for b in got.rows.content] == [u.content for u in units]  # packed as stored
    assert got.rows.keys.tolist() == [h for keys in plan for _b, h in keys] and sum(map(len, plan)) > 100
    assert b"fazhi.corpus.fingerprint" not in pickle.dumps(got)  # no Unit object crosses


def _killed_build(db: Path, files: list[Path]) -> None:
    """What a build matching at the end leaves when killed after its last batch: the reports stored
    unmatched, their band keys in the side file (fazhi.corpus.keyspill), and the keys of one more
    batch whose transaction never committed (paragraph ids the corpus does not have)."""
    from fazhi.corpus.batch import PrepareOptions, add_prepared, prepare_file
    from fazhi.corpus.keyspill import open_for_build

    with open_corpus(db) as c:
        opts = PrepareOptions(None, c.params.to_dict(), 50 << 20, False, prematch=False, deferred=True)
        spill = open_for_build(c.engine, db, c.params.key_bits)
        add_prepared(c, [prepare_file(str(f), opts) for f in files], match=False, spill=spill)
        top = _state(db)["paragraphs"]
        spill.add([(7 << 40 | i, top + 1 + i) for i in range(500)])
        spill.commit()
        spill.close()  # the process dies: its lock goes with it, the file stays
    assert spill_path(db).exists()


def _stored_keys(db: Path) -> set:
    with sqlite3.connect(db) as c:
        return set(c.execute("SELECT hash, paragraph_id FROM band_keys"))


def test_band_keys_left_aside_by_a_killed_build_are_merged_on_open(synth_dir, tmp_path):
    """Opening the corpus merges the side file of a build that died (its lock is free): every
    stored paragraph gets its keys, the keys of the batch that never committed are dropped, the
    file is gone. A side file whose build still runs (holds the lock) is left alone."""
    from fazhi.corpus import report_files
    from fazhi.corpus.keyspill import _lock, _unlock

    from fazhi.corpus.batch import PrepareOptions, add_prepared, prepare_file

    files = report_files([synth_dir])[:30]
    ref = tmp_path / "ref.db"  # the same reports, keys written straight to the index
    with open_corpus(ref) as c:
        opts = PrepareOptions(None, c.params.to_dict(), 50 << 20, False, prematch=False, deferred=True)
        add_prepared(c, [prepare_file(str(f), opts) for f in files], match=False)
    db = tmp_path / "left.db"
    _killed_build(db, files)
    fd = _lock(db, wait=False)  # a build that still runs
    with open_corpus(db) as c:
        assert c.size() == 30
    assert spill_path(db).exists() and _stored_keys(db) == set()
    _unlock(fd, db)
    with open_corpus(db) as c:
        assert c.size() == 30
    assert _stored_keys(db) == _stored_keys(ref) and len(_stored_keys(ref)) > 1000
    assert not spill_path(db).exists()


def test_a_side_file_of_the_first_layout_is_merged_too(synth_dir, tmp_path):
    """A build of the version before (one row per key in a table `pending`) that died leaves its
    side file in that layout: opening the corpus merges it the same way."""
    from fazhi.corpus import report_files
    from fazhi.corpus.batch import PrepareOptions, add_prepared, prepare_file

    files = report_files([synth_dir])[:12]
    ref, db = tmp_path / "ref.db", tmp_path / "old.db"
    for target in (ref, db):
        with open_corpus(target) as c:
            opts = PrepareOptions(None, c.params.to_dict(), 50 << 20, False, prematch=False, deferred=True)
            add_prepared(c, [prepare_file(str(f), opts) for f in files], match=False)
    keys = _stored_keys(db)
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM band_keys")
        top = c.execute("SELECT max(id) FROM paragraphs").fetchone()[0]
    with sqlite3.connect(spill_path(db)) as s:
        s.execute("CREATE TABLE pending (part INTEGER NOT NULL, pid INTEGER NOT NULL, hash INTEGER NOT NULL, "
                  "PRIMARY KEY (part, pid, hash)) WITHOUT ROWID")
        rows = [(h, p) for h, p in keys] + [(5 << 40, top + 1)]  # and a key of a batch never committed
        s.executemany("INSERT INTO pending VALUES (?, ?, ?)", [((h >> 60) + 8, p, h) for h, p in rows])
    with open_corpus(db) as c:
        assert c.size() == 12
    assert _stored_keys(db) == _stored_keys(ref) == keys and len(keys) > 300
    assert not spill_path(db).exists()

def test_a_few_unmatched_reports_are_matched_one_by_one(sequential, tmp_path, monkeypatch):
    """When the unmatched reports are a small part of the corpus, they are matched report by report
    (cheaper than recomputing every pair); the result is the same."""
    from fazhi.corpus.build import LINKS_SHARE, link_unmatched

    db = tmp_path / "few.db"
    db.write_bytes(sequential.read_bytes())
    few = 240 // LINKS_SHARE - 2
    with sqlite3.connect(db) as c:  # the newest reports as if stored unmatched
        c.execute("DELETE FROM copy_matches WHERE report_id > ? OR other_id > ?", (240 - few, 240 - few))
        c.execute("UPDATE reports SET copies_at = NULL WHERE id > ?", (240 - few,))
    import fazhi.corpus.links as links

    called = []
    monkeypatch.setattr(links, "links_local", lambda *a, **k: called.append(1))
    with open_corpus(db) as c:
        assert link_unmatched(c) == few
    assert called == [] and _state(db) == _state(sequential)


@pytest.mark.parametrize("reindex", [False, True], ids=["indexes-kept", "indexes-built-after"])
def test_links_stored_leave_a_later_report_to_match_again(sequential, tmp_path, monkeypatch, reindex):
    """Links computed up to report 200 while reports 201-240 were being added: those lose what they
    were given and are matched again (never marked matched without their matches). With many rows
    (here: forced) the copy_matches indexes are dropped while writing and built again after."""
    from fazhi.corpus import linkstore
    from fazhi.corpus.links import links_local
    from fazhi.corpus.linkstore import store_links

    if reindex:
        monkeypatch.setattr(linkstore, "_REINDEX_ROWS", 1)
    db = tmp_path / "race.db"
    db.write_bytes(sequential.read_bytes())
    with sqlite3.connect(db) as c:
        indexes = c.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'copy_matches' "
                            "AND type = 'index' ORDER BY name").fetchall()
    assert len(indexes) == 2
    with open_corpus(db) as c:
        rows = links_local(c)
        store_links(c, rows, upto=200)
        state = _state(db)
        assert state["unmatched"] == 40 and all(m[0] <= 200 and m[4] <= 200 for m in state["matches"])
        assert c.ensure_copies() == 40
    assert _state(db) == _state(sequential)
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'copy_matches' "
                         "AND type = 'index' ORDER BY name").fetchall() == indexes
        plan = c.execute("EXPLAIN QUERY PLAN SELECT * FROM copy_matches WHERE other_id = 7").fetchall()
        assert "ix_copy_matches_other_id" in str(plan)


@pytest.mark.parametrize("where", ["pandas", "dask"])
def test_corpus_links_equals_the_per_report_matches(sequential, tmp_path, where):
    db = tmp_path / "links.db"
    db.write_bytes(sequential.read_bytes())
    before = _state(db)
    with sqlite3.connect(db) as c:  # forget them: links must find them all again
        c.execute("DELETE FROM copy_matches")
        c.execute("UPDATE reports SET copies_at = NULL")
    args = ["--dask", "local", "--workers", "2"] if where == "dask" else []
    done = subprocess.run([*CMD, "links", "--db", str(db), *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    n_pairs = len(before["matches"]) // 2
    assert f"已算出 240 份报告间的重复段落 {n_pairs} 处" in done.stderr and "Traceback" not in done.stderr
    assert _state(db) == before


def test_a_corpus_of_an_older_scheme_keeps_its_64_bit_keys_on_every_path(synth_dir, sequential, tmp_path):
    """A corpus built before scheme 3 keeps hashing its new reports the old way (xxh64, 64-bit
    keys): the side file's ranges and the links pass' hash ranges follow the key width, so
    matching at the end still equals matching report by report. A new corpus has 48-bit keys."""
    import json
    import shutil

    from fazhi.corpus.fingerprint import Params

    src = tmp_path / "some"
    src.mkdir()
    for f in sorted(synth_dir.glob("*.txt"))[:60]:
        shutil.copy(f, src / f.name)
    states = []
    for how in ([], ["--match", "end"]):
        db = tmp_path / f"old{len(how)}.db"
        with open_corpus(db):
            pass
        with sqlite3.connect(db) as c:
            c.execute("UPDATE corpus_meta SET value = ? WHERE key = 'fingerprint'",
                      (json.dumps(Params(scheme=2).to_dict()),))
        done = _add(db, src, "--workers", "2", *how)
        assert done.returncode == 0 and "新入库 60 份" in done.stderr, done.stderr
        with sqlite3.connect(db) as c:
            assert c.execute("SELECT max(abs(hash)) FROM band_keys").fetchone()[0] > 1 << 60
        states.append(_state(db))
    assert states[0] == states[1] and len(states[0]["matches"]) > 100
    with sqlite3.connect(sequential) as c:
        assert c.execute("SELECT max(abs(hash)) FROM band_keys").fetchone()[0] < 1 << 47


def test_links_refuses_a_missing_corpus_in_one_line(tmp_path):
    done = subprocess.run([*CMD, "links", "--db", str(tmp_path / "none.db")], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "语料库不存在" in done.stderr


@pytest.mark.needs("postgresql")
def test_batched_build_and_links_on_postgresql(synth_dir, sequential):
    """The same build through COPY and LATERAL lookups on PostgreSQL: same reports and matches."""
    from fazhi.corpus import report_files
    from fazhi.corpus.build import build, worker_options
    from fazhi.corpus.links import links_local
    from fazhi.corpus.linkstore import store_links
    from fazhi.corpus.parallel import Runner

    reset_pg(PG_URL)
    files = [f for f in report_files([synth_dir]) if f.suffix == ".txt"][:80]
    with open_corpus(PG_URL) as c, Runner.local(2) as run:
        stats = build(c, files, run, worker_options(c, run, max_bytes=50 << 20, ocr=False), batch=9)
        assert (stats.added, stats.failed) == (80, 0)
        with c.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT report_id, unit_seq, start, \"end\", other_id, o_start, o_end, "
                                        "round(similarity::numeric, 4) FROM copy_matches").all()
        stored = sorted((*r[:7], float(r[7])) for r in rows)
        assert len(stored) > 100
        # the same 80 files one by one in SQLite give the same matches (ids are in file order in both)
        lite = open_corpus(Path(synth_dir).parent / "pg-twin.db")
        for f in files:
            lite.add(fazhi.analyze(f))
        lite.close()
        twin = _state(Path(synth_dir).parent / "pg-twin.db")["matches"]
        assert stored == twin
        n = store_links(c, links_local(c))
        with c.engine.connect() as conn:
            again = sorted((*r[:7], float(r[7])) for r in conn.exec_driver_sql(
                "SELECT report_id, unit_seq, start, \"end\", other_id, o_start, o_end, "
                "round(similarity::numeric, 4) FROM copy_matches").all())
        assert again == stored and n == len(stored) // 2


def test_a_failed_matching_at_the_end_says_why_and_keeps_the_reports(synth_dir, sequential, tmp_path, monkeypatch):
    """The disk fills while the links pass runs: one Chinese line, the reports stay stored
    (unmatched), and running the build again matches them."""
    from sqlalchemy.exc import OperationalError

    import fazhi.corpus.links as links
    from fazhi.corpus import report_files
    from fazhi.corpus.build import build, worker_options
    from fazhi.corpus.parallel import Runner

    def full(*_a, **_k):
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    files = [f for f in report_files([synth_dir]) if f.suffix == ".txt"]
    db = tmp_path / "full.db"
    with open_corpus(db) as c, Runner.inline() as run:
        opts = worker_options(c, run, max_bytes=50 << 20, ocr=False)
        real = links.links_local
        monkeypatch.setattr(links, "links_local", full)
        stats = build(c, files, run, opts, match="end")
        assert stats.added == 240 and stats.linked == 0 and stats.stopped is None
        assert stats.link_failed.startswith("统一查重失败（") and "磁盘" in stats.link_failed
        assert "Error" not in stats.link_failed
        monkeypatch.setattr(links, "links_local", real)
        assert _state(db)["unmatched"] == 240
        again = build(c, files, run, opts, match="end")
        assert (again.added, again.skipped, again.linked) == (0, 240, 240)
    assert _state(db) == _state(sequential)


@pytest.mark.parametrize("chunk", [1, 3, 4])
def test_runner_tasks_of_several_items_give_the_results_in_order(chunk):
    """A task may carry several items (Dask: DASK_CHUNK files a task); the results still come one
    per item, in the items' order, however the count divides."""
    from fazhi.corpus.parallel import DASK_CHUNK, Runner

    assert DASK_CHUNK > 1
    with Runner.local(2) as run:
        run.chunk = chunk
        assert list(run.map(pow, range(10), 2, ahead=4)) == [i * i for i in range(10)]


def test_a_runners_last_tasks_are_smaller_so_that_its_workers_finish_together():
    """Several workers and a known count of items: the last tasks shrink (parallel._tapered, the
    way guided self-scheduling does), never above the chunk, down to a quarter of it; the results
    are the same, in order. One worker, or items of unknown count, go in tasks of the chunk."""
    from fazhi.corpus.parallel import Runner, _chunks

    with Runner.local(2) as run:
        run.chunk, sizes, submit = 32, [], run._submit
        run._submit = lambda fn, chunk, *a: sizes.append(len(chunk)) or submit(fn, chunk, *a)
        assert list(run.map(pow, [*range(2000)], 2)) == [i * i for i in range(2000)]
    assert sum(sizes) == 2000 and max(sizes) == 32 and min(sizes) == 8
    assert sizes[-8:] == [28, 21, 16, 12, 9, 8, 8, 10] and set(sizes[:-8]) == {32}
    assert [len(c) for c in _chunks(iter(range(70)), 32, 2)] == [32, 32, 6]
    assert [len(c) for c in _chunks(list(range(70)), 32, 1)] == [32, 32, 6]
    assert [len(c) for c in _chunks(list(range(5)), 32, 2)] == [5]
    for n in (0, 1, 7, 33, 129, 1000):
        assert [x for c in _chunks(list(range(n)), 32, 3) for x in c] == list(range(n))


def test_a_local_dask_cluster_turns_its_housekeeping_down_in_every_process():
    """`--dask local` shares the cores with the writer: its workers run without the profiler and
    check their event loops, the system and their memory rarely, steal no work (every task is a
    root task the scheduler queues), with glibc's own trim threshold rather than the nanny's
    (parallel.LOCAL_CLUSTER_CONFIG): set in the worker processes themselves."""
    import os

    import dask
    import distributed  # noqa: F401 - its configuration defaults

    from fazhi.corpus.parallel import LOCAL_CLUSTER_CONFIG, Runner

    assert dask.config.get("distributed.admin.tick.interval") != LOCAL_CLUSTER_CONFIG["distributed.admin.tick.interval"]
    with Runner.dask("local", 2) as run:
        got = list(run.map(lambda i: (i, {k: dask.config.get(k) for k in LOCAL_CLUSTER_CONFIG},
                                      os.environ.get("MALLOC_TRIM_THRESHOLD_")), range(3)))
    assert got == [(i, LOCAL_CLUSTER_CONFIG, None) for i in range(3)]


def test_a_links_run_reuses_what_it_read_and_only_within_the_run(sequential, tmp_path, monkeypatch):
    """Buckets share a memo of paragraphs, verified text pairs and spans (fazhi.corpus.linkverify):
    the same rows with a memo kept whole or trimmed to a few entries; a worker's memo belongs to
    one run, the next run starts empty."""
    from fazhi.corpus import links
    from fazhi.corpus.linkverify import RunMemo, memo_for

    with open_corpus(sequential, create=False) as c:
        whole = links.links_local(c)
        made: list[RunMemo] = []
        monkeypatch.setattr(links, "RunMemo", lambda: made.append(RunMemo(limit=8)) or made[-1])
        trimmed = links.links_local(c)
    key = list(ROW_COLUMNS)
    assert len(whole) > 500
    (memo,) = made  # bounded: paragraphs, verified text pairs and spans alike (they grew unbounded)
    assert 0 < len(memo.verified) <= 8 and 0 < len(memo._paras) <= 8 and 0 < len(memo._spans) <= 8
    assert whole.to_frame().sort_values(key).reset_index(drop=True).equals(
        trimmed.to_frame().sort_values(key).reset_index(drop=True))
    first = memo_for("run-1")
    assert memo_for("run-1") is first and memo_for("run-2") is not first and memo_for("run-1") is not first


def test_key_pairs_made_a_chunk_at_a_time_are_the_same_pairs(sequential):
    """Step 1 of corpus links makes a hash range's pairs a bounded chunk at a time: the same pairs in
    the same order whatever the chunk, and from rows given in any order."""
    import numpy as np

    from fazhi.corpus.links import Paragraphs, key_pair_chunks, load_paragraphs, read_key_rows

    with open_corpus(sequential, create=False) as c, c.engine.connect() as conn:
        paras: Paragraphs = load_paragraphs(conn)
        keys = read_key_rows(conn, -(1 << 63), (1 << 63) - 1)
    h, p = keys[:, 0], keys[:, 1]

    def pairs(chunk: int, order=None) -> np.ndarray:
        hh, pp = (h, p) if order is None else (h[order], p[order])
        got = list(key_pair_chunks(hh, pp, paras, chunk=chunk))
        assert all(len(new) <= max(chunk, 200) for new, _old in got)  # a row gives at most MAX_BAND_ROWS
        return np.column_stack([np.concatenate([g[i] for g in got]) for i in (0, 1)])

    whole = pairs(10**9)
    assert len(whole) > 10_000
    assert np.array_equal(pairs(7), whole) and np.array_equal(pairs(5000), whole)
    assert np.array_equal(pairs(5000, np.random.default_rng(1).permutation(len(h))), whole)


def test_paragraph_lookup_by_position_equals_the_binary_search():
    """Step 1 looks up the report of millions of paragraph ids: by their position in an array over
    the id span when the ids are nearly contiguous (a corpus with reports deleted has gaps), else by
    binary search; both give the same report and first paragraph."""
    import numpy as np

    from fazhi.corpus.links import Paragraphs

    rng = np.random.default_rng(5)
    ids = np.sort(rng.choice(np.arange(100, 5000), size=2000, replace=False))  # gaps everywhere
    report = np.cumsum(rng.random(len(ids)) < 0.1) + 1
    first = ids[np.searchsorted(report, report)]
    by_position = Paragraphs.of(ids, report, first, {})
    by_search = Paragraphs(ids, report, first, {})
    assert by_position.dense is not None and by_search.dense is None
    pids = rng.choice(ids, size=10_000)
    for got, want in zip(by_position.lookup(pids), by_search.lookup(pids)):
        assert np.array_equal(got, want)
    assert np.array_equal(by_position.lookup(pids)[1], first[np.searchsorted(ids, pids)])
    sparse = Paragraphs.of(np.array([1, 10**9]), np.array([1, 2]), np.array([1, 10**9]), {})
    assert sparse.dense is None and sparse.lookup(np.array([10**9]))[0].tolist() == [2]


def test_a_fresh_build_merges_its_keys_while_it_links_and_says_when_that_fails(synth_dir, sequential, tmp_path,
                                                                             monkeypatch):
    """A fresh build matched at the end links from its keys written aside, sorted, while a thread
    merges them into band_keys: the same reports, keys and matches as the sequential build. When
    the merge fails (disk full) it says so in one line, stores no matches (the index is not
    whole), keeps the side file, and the next run merges it and matches everything."""
    from sqlalchemy.exc import OperationalError

    import fazhi.corpus.keyspill as keyspill
    from fazhi.corpus import report_files
    from fazhi.corpus.build import build, worker_options
    from fazhi.corpus.parallel import Runner

    files = [f for f in report_files([synth_dir]) if f.suffix == ".txt"]
    (tmp_path / "here").mkdir()
    with open_corpus(tmp_path / "here" / "beside.db") as c, Runner.local(2) as run:
        stats = build(c, files, run, worker_options(c, run, max_bytes=50 << 20, ocr=False), match="end")
    assert stats.merged_beside and stats.linked == 240 and stats.stopped is None
    assert _state(tmp_path / "here" / "beside.db") == _state(sequential)
    left = {f.name for f in (tmp_path / "here").iterdir()}
    assert "beside.db-bandkeys" not in left and not [n for n in left if n.startswith(".fazhi-keys-")]
    assert "beside.db-bandkeys.lock" not in left  # the build's lock file goes with its lock

    def full(*_a, **_k):
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    db = tmp_path / "full.db"
    monkeypatch.setattr(keyspill, "merge_files", full)
    with open_corpus(db) as c, Runner.inline() as run:
        stats = build(c, files, run, worker_options(c, run, max_bytes=50 << 20, ocr=False), match="end")
    assert stats.added == 240 and not stats.merged_beside and stats.linked == 0
    assert stats.stopped.startswith("写入查重索引失败（") and "磁盘" in stats.stopped and "Error" not in stats.stopped
    assert _state(db)["unmatched"] == 240 and spill_path(db).exists()
    monkeypatch.undo()
    with open_corpus(db) as c, Runner.inline() as run:  # opening merges the side file
        again = build(c, files, run, worker_options(c, run, max_bytes=50 << 20, ocr=False), match="end")
    assert (again.added, again.skipped, again.linked, again.merged_beside) == (0, 240, 240, False)
    assert _state(db) == _state(sequential) and not spill_path(db).exists()



def test_the_merge_takes_each_slice_as_the_pass_reads_it_and_a_slice_not_written_falls_back(
        synth_dir, sequential, tmp_path, monkeypatch):
    """The links pass reads the build's side file in slices (keyslices) and the merge beside it
    takes each slice's file as soon as the pass has read it: here the pass waits before its second
    slice until the merge thread has inserted the first one's keys. When a slice's file cannot be
    written (disk full), the pass stops with one line, the thread stops, the folder goes, the side
    file is merged the usual way (the index is whole, the reports unmatched), and matching them
    afterwards gives the sequential build's corpus."""
    import errno
    import threading

    import fazhi.corpus.keyslices as keyslices
    import fazhi.corpus.keyspill as keyspill
    from fazhi.corpus import report_files
    from fazhi.corpus.build import build, link_unmatched, worker_options
    from fazhi.corpus.parallel import Runner

    real_slice, real_insert = keyslices.slice_keys, keyspill._insert_sorted
    inserted, waited, read = threading.Event(), [], []

    def insert(raw, arr):
        n = real_insert(raw, arr)
        inserted.set()
        return n

    def slice_keys(s, stored, fail=False):
        if read and not waited:
            waited.append(inserted.wait(20))  # the merge has the first slice's keys, the pass goes on
        if read and fail:  # the disk is full from the second slice on
            raise OSError(errno.ENOSPC, "No space left on device")
        read.append(s)
        return real_slice(s, stored)

    files = [f for f in report_files([synth_dir]) if f.suffix == ".txt"]
    monkeypatch.setattr(keyspill, "_insert_sorted", insert)
    monkeypatch.setattr(keyslices, "slice_keys", slice_keys)
    monkeypatch.setattr(keyslices, "LEAST_SLICES", 4)
    with open_corpus(tmp_path / "streamed.db") as c, Runner.inline() as run:
        stats = build(c, files, run, worker_options(c, run, max_bytes=50 << 20, ocr=False), match="end")
    assert waited == [True] and len(read) >= 4 and len({(s.first, s.last) for s in read}) == len(read)
    assert stats.merged_beside and stats.linked == 240 and stats.stopped is None and stats.link_failed is None
    assert _state(tmp_path / "streamed.db") == _state(sequential)

    inserted.clear()
    waited.clear()
    read.clear()
    monkeypatch.setattr(keyslices, "slice_keys", lambda s, stored: slice_keys(s, stored, fail=True))
    (tmp_path / "failed").mkdir()
    db = tmp_path / "failed" / "c.db"
    with open_corpus(db) as c, Runner.inline() as run:
        stats = build(c, files, run, worker_options(c, run, max_bytes=50 << 20, ocr=False), match="end")
    assert waited == [True] and not stats.merged_beside and stats.linked == 0 and stats.stopped is None
    assert stats.link_failed.startswith("统一查重失败（") and "fazhi corpus links" in stats.link_failed
    assert "Error" not in stats.link_failed
    assert not spill_path(db).exists() and not [n for n in os.listdir(tmp_path / "failed") if n.startswith(".fazhi-keys-")]
    assert _state(db) == {**_state(sequential), "matches": [], "unmatched": 240}  # every key merged
    monkeypatch.undo()
    with open_corpus(db) as c:
        assert link_unmatched(c) == 240
    assert _state(db) == _state(sequential)


def test_a_side_file_in_slices_holds_exactly_what_the_merge_stores(synth_dir, tmp_path):
    """A fresh build's side file read in slices for its links pass (keyslices): consecutive hash
    ranges covering every range once, each of about its share of the keys, written sorted by
    (hash, paragraph id) across the slices, holding exactly the keys the merge stores: none of a
    batch that never committed."""
    import numpy as np

    from fazhi.corpus import report_files
    from fazhi.corpus.database import make_engine
    from fazhi.corpus.keyslices import slice_keys, slices, stored_ids
    from fazhi.corpus.keyspill import PARTS

    db = tmp_path / "aside.db"
    _killed_build(db, report_files([synth_dir])[:60])
    (tmp_path / "keys").mkdir()
    parts, n_keys = slices(spill_path(db), tmp_path / "keys", rows=300)
    assert len(parts) > 3 and parts[0].first == 0 and parts[-1].last == PARTS - 1
    assert all(b.first == a.last + 1 for a, b in zip(parts, parts[1:]))
    engine = make_engine(f"sqlite:///{db}")
    arrays = [slice_keys(s, stored_ids(engine)) for s in parts]
    engine.dispose()
    mean = (n_keys - 500) / len(parts)
    assert all(0.5 * mean <= len(a) <= 2.5 * mean for a in arrays) and sum(map(len, arrays)) == n_keys - 500
    assert all(np.array_equal(a, np.load(s.out)) for a, s in zip(arrays, parts))
    rows = np.concatenate(arrays)
    assert np.array_equal(rows, rows[np.lexsort((rows[:, 1], rows[:, 0]))])
    assert 8 <= len(slices(spill_path(db), tmp_path / "keys")[0]) <= 16  # a small file: work for every worker
    with open_corpus(db):  # opening merges the side file into band_keys
        pass
    assert set(map(tuple, rows.tolist())) == _stored_keys(db) and len(rows) == len(_stored_keys(db))


@pytest.mark.parametrize("json_rows", [True, False])
def test_merged_keys_keep_every_value_of_a_64_bit_key_as_stored(tmp_path, monkeypatch, json_rows):
    """The merge hands SQLite each block of keys as fixed-width decimals in one parameter
    (keyspill._insert_sorted), its rows counted by json_each or, in a SQLite without JSON, by a
    recursive CTE: every signed 64-bit value comes back as the same integer, the extremes, zero
    and negative keys included, a row given twice is stored once, and rows going in several
    blocks (the last one short) are all stored."""
    import sqlite3

    import numpy as np

    from fazhi.corpus import keyspill

    conn = sqlite3.connect(tmp_path / "k.db", isolation_level=None)
    assert keyspill._has_json_each(conn)  # this machine's SQLite; the other branch forced below
    if not json_rows:
        monkeypatch.setattr(keyspill, "_has_json_each", lambda raw: False)
    keys = np.array([[-2**63, 1], [-2**47, 2], [-1, 3], [0, 4], [0, 5], [7, 2**40], [2**63 - 1, 9],
                     [2**63 - 1, 9]], dtype=np.int64)
    many = np.column_stack((np.arange(-30_000, 30_000, 3), np.arange(20_000))).astype(np.int64)
    conn.execute("CREATE TABLE band_keys (hash BIGINT NOT NULL, paragraph_id INTEGER NOT NULL, "
                 "PRIMARY KEY (hash, paragraph_id)) WITHOUT ROWID")
    keyspill._insert_sorted(conn, keys)
    monkeypatch.setattr(keyspill, "_INSERT_ROWS", 7_000)
    keyspill._insert_sorted(conn, many)
    keyspill._insert_sorted(conn, keys[:1])  # a block of one row
    got = conn.execute("SELECT hash, paragraph_id, typeof(hash) FROM band_keys ORDER BY 1, 2").fetchall()
    assert [(h, p) for h, p, _t in got] == sorted(set(map(tuple, keys.tolist() + many.tolist())))
    assert {t for _h, _p, t in got} == {"integer"} and len(got) == 7 + 20_000


def test_dask_links_shuffle_in_memory_or_on_disk_gives_the_rows_of_the_pandas_pass(sequential, monkeypatch):
    """`corpus links` on Dask shuffles its pairs in memory for a small corpus and through disk
    (p2p) for a large one (linkdask.shuffle_method): both give exactly the rows of the pandas pass;
    the meta of its partitions is made without reading the store in this process."""
    from fazhi.corpus import linkdask, links
    from fazhi.corpus.parallel import Runner

    assert linkdask.shuffle_method(10_000) == "tasks" and linkdask.shuffle_method(10**9) == "p2p"
    assert linkdask.pair_parts(10_000) == 8 and linkdask.pair_parts(81_000_000) == 2 * (81_000_000 // 500_000 + 1)
    key = list(ROW_COLUMNS)

    def rows(found):
        return found.to_frame().sort_values(key).reset_index(drop=True)

    with open_corpus(sequential, create=False) as c:
        url = c.engine.url.render_as_string(hide_password=False)
        want = rows(links.links_local(c))
        links._PARAS.clear()
        with Runner.dask("local", 2):
            for in_memory_up_to in (10**12, 0):
                monkeypatch.setattr(linkdask, "TASKS_SHUFFLE_KEYS", in_memory_up_to)
                assert rows(linkdask.links_dask(c, url)).equals(want)
        assert url not in links._PARAS  # the paragraphs were read by the workers only
    assert len(want) > 500


def test_a_links_pass_on_a_local_dask_cluster_shuffles_through_the_disk_one_partition_a_task(sequential,
                                                                                            monkeypatch):
    """A build's links pass on `--dask local` (workers on this machine: Runner.shared_disk) runs
    links_local's steps on the cluster's workers, one partition a task, its pairs shuffled through
    bucket files instead of Dask's DataFrame, on numpy (the workers never import pandas): the rows
    of the pass in this process. Other work still goes in chunks of DASK_CHUNK items. A cluster of
    other machines gets the DataFrame (links_dask) when it can read the store, else the pass runs
    here."""
    import distributed

    from fazhi.corpus import build, linkdask, links
    from fazhi.corpus.parallel import DASK_CHUNK, Runner

    key = list(ROW_COLUMNS)

    def rows(found):
        return found.to_frame().sort_values(key).reset_index(drop=True)

    def no_frames(*_a, **_k):
        raise AssertionError("links_dask used on one machine")

    with open_corpus(sequential, create=False) as c:
        url = c.engine.url.render_as_string(hide_password=False)
        want = rows(links.links_local(c))
        links._PARAS.clear()
        remote = Runner("dask", 8, submit=lambda *_a: None, shared_disk=False)
        assert not build._dask_frames(c, remote) and not build._links_in_workers(c, remote)  # SQLite: here
        with Runner.dask("local", 2) as run:
            assert not build._dask_frames(c, run) and build._links_in_workers(c, run)
            sent: list[str] = []
            submit = run._submit
            monkeypatch.setattr(run, "_submit", lambda fn, *a: sent.append(fn.__name__) or submit(fn, *a))
            monkeypatch.setattr(linkdask, "links_dask", no_frames)
            got = links.links_local(c, runner=run)
            in_workers = distributed.get_client().run(lambda: "pandas" in sys.modules)
            assert len(in_workers) == 2 and not any(in_workers.values())  # the steps run on numpy alone
            assert list(run.map(pow, range(DASK_CHUNK + 1), 2)) == [i * i for i in range(DASK_CHUNK + 1)]
        assert url not in links._PARAS  # the paragraphs were read by the workers only
    assert rows(got).equals(want) and len(want) > 500
    ranges = links.HASH_PARTS
    assert sent[:ranges] == ["pairs_to_buckets"] * ranges
    buckets = max(links.NEW_PARTS, 2 * links.HASH_PARTS)
    assert sent[ranges:ranges + buckets] == ["matches_of_bucket"] * buckets
    assert sent[ranges + buckets:] == ["_run_chunk"] * 4  # DASK_CHUNK + 1 items, 2 workers: 9, 8, 8, 8 (_tapered)


def test_workers_warmed_for_a_links_pass_hold_the_paragraphs_it_reads(sequential, tmp_path):
    """Before a build's links pass each worker loads the store's paragraphs for it (while the keys
    are exported) and builds the norms' code point table: the pass then finds them loaded for its
    stamp. A store it cannot read is only a lost head start (False, nothing raised)."""
    import os

    from fazhi.corpus import links, norms
    from fazhi.corpus.parallel import Runner

    with open_corpus(sequential, create=False) as c:
        url = c.engine.url.render_as_string(hide_password=False)
        with c.engine.connect() as conn:
            stamp = links.paragraphs_stamp(conn)
    links._PARAS.clear()
    norms._table.cache_clear()
    assert links.warm_for_links(url) is True
    assert norms._table.cache_info().currsize == 1
    assert links._PARAS[url][0] == stamp and len(links._PARAS[url][1].ids) == stamp[1]
    assert links.warm_for_links(f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}") is False

    def held(u: str):
        from fazhi.corpus import norms

        assert norms._table.cache_info().currsize == 1  # built by warm_for_links
        return os.getpid(), u in links._PARAS and links._PARAS[u][0]

    with Runner.dask("local", 2) as run:
        assert [f.result() for f in run.on_each_worker(links.warm_for_links, url)] == [True, True]
        pids = {f.result() for f in run.on_each_worker(held, url)}
    assert len(pids) == 2 and {s for _pid, s in pids} == {stamp}  # every worker, once
    assert Runner.inline().on_each_worker(held, url) == []


def test_a_runner_let_go_closes_in_the_background_and_close_waits_for_it():
    """Runner.let_go (a build whose links are computed) starts closing the workers in a thread of
    its own; close() waits for that, raises what it raised, and closes nothing twice."""
    import threading

    from fazhi.corpus.parallel import Runner

    gate, closed = threading.Event(), []

    def close():
        assert gate.wait(10)
        closed.append(threading.current_thread().name)

    run = Runner("local", 2, submit=lambda *_a: None, close=close)
    run.let_go()
    run.let_go()
    assert closed == []  # still closing: the caller goes on
    gate.set()
    run.close()
    run.close()
    assert closed == ["fazhi-close-workers"]

    def fails():
        raise OSError("磁盘已满")

    bad = Runner("local", 2, submit=lambda *_a: None, close=fails)
    bad.let_go()
    with pytest.raises(OSError, match="磁盘已满"):
        bad.close()
    bad.close()  # raised once


@pytest.mark.parametrize("kind", ["inline", "local"])
def test_work_given_for_meanwhile_runs_once_before_the_first_result(kind):
    """Runner.map runs `meanwhile` once, after the first tasks are sent and before their results
    are taken (what the build imports for its links pass while the workers start); also when
    there is nothing to map."""
    from fazhi.corpus.parallel import Runner

    with Runner.inline() if kind == "inline" else Runner.local(2) as run:
        empty: list = []
        assert list(run.map(pow, [], 2, meanwhile=lambda: empty.append("meanwhile"))) == []
        got: list = []
        for i in run.map(pow, range(10), 2, meanwhile=lambda: got.append("meanwhile")):
            got.append(i)
    assert empty == ["meanwhile"]
    assert got == ["meanwhile"] + [i * i for i in range(10)]


def test_the_side_files_lock_leaves_no_file_and_is_never_held_twice(tmp_path):
    """The lock a build holds on its side file (keyspill._lock) is one file beside the database,
    removed by its holder when it lets go. A process that opened that file before it was removed
    and got the lock after finds it no longer at the path and locks the new file instead: never
    two holders at once."""
    import fcntl
    import os

    from fazhi.corpus.keyspill import _at_path, _lock, _lock_path, _unlock

    db = tmp_path / "c.db"
    path = _lock_path(db)
    held = _lock(db, wait=False)
    assert held is not None and path.exists() and _lock(db, wait=False) is None
    late = os.open(path, os.O_RDWR)  # another process, about to wait for the lock
    _unlock(held, db)
    assert not path.exists()
    fcntl.flock(late, fcntl.LOCK_EX | fcntl.LOCK_NB)  # it gets the lock of the removed file ...
    assert not _at_path(late, path)  # ... which _lock lets go of, taking the file at the path
    again = _lock(db, wait=True)
    assert again is not None and _at_path(again, path) and _lock(db, wait=False) is None
    os.close(late)
    _unlock(again, db)
    assert not path.exists()


def test_link_rows_keep_columns_and_types_through_concat_take_and_frames():
    """LinkRows (what a links pass returns): tuples in, numpy columns of fixed types, rows picked by
    mask or order, tuples out for the driver, and the same through a pandas DataFrame."""
    from fazhi.corpus.linkrows import LinkRows

    a = LinkRows.of([(5, 0, 0, 40, 2, 3, 10, 50, 0.91), (7, 1, 8, 30, 5, 0, 0, 22, 1.0)])
    b = LinkRows.of([(9, 2, 4, 44, 1, 1, 0, 40, 0.875)])
    empty = LinkRows.of([])
    both = LinkRows.concat([a, empty, b])
    assert len(both) == 3 and len(empty) == 0 and len(LinkRows.concat([])) == 0
    assert both["report_id"].dtype == "int64" and both["similarity"].dtype == "float64"
    assert empty["o_end"].dtype == "int64" and empty.to_frame().dtypes["similarity"] == "float64"
    later = both.take(both["other_id"] <= 2)
    assert later["report_id"].tolist() == [5, 9]
    order = both["other_id"].argsort(kind="stable")
    assert both.tuples(("other_id", "o_seq", "similarity"), order) == [(1, 1, 0.875), (2, 3, 0.91), (5, 0, 1.0)]
    frame = both.to_frame()
    assert list(frame.columns) == list(ROW_COLUMNS) and frame["unit_seq"].tolist() == [0, 1, 2]
    back = LinkRows.from_frame(frame)
    assert all((back[c] == both[c]).all() for c in ROW_COLUMNS)


def test_best_pairs_keep_the_most_shared_then_newest_old_paragraphs_per_new_one():
    """Step 2 of a links pass on numpy: shared keys counted per (new, old) pair, per new paragraph
    the `cap` old ones sharing the most (ties: the newest), in order of new and rank; the same as
    counting by hand, on random pairs with many ties and ids near 2**32."""
    import random
    from collections import Counter

    import numpy as np

    from fazhi.corpus.links import best_pairs

    rng = random.Random(5)
    base = 2**32 - 50
    pairs = [(base + rng.randrange(12), rng.choice([3, 7, 9, base - 1, base + 2, 2**31 + 1]))
             for _ in range(3000)]
    for cap in (1, 3, 10):
        counted = Counter(pairs)
        want = []
        for new in sorted({n for n, _o in pairs}):
            olds = sorted(((k, o) for (n, o), k in counted.items() if n == new), key=lambda t: (-t[0], -t[1]))
            want.extend((new, o) for _k, o in olds[:cap])
        new, old = best_pairs(np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.int64), cap)
        assert list(zip(new.tolist(), old.tolist())) == want and new.dtype == old.dtype == np.int64
    empty = best_pairs(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert len(empty[0]) == len(empty[1]) == 0
