"""Adding many reports: the work done per file (anywhere: this process, a worker process, a Dask
worker) and the writing of a batch of them in one transaction (here, by the one writer).

    prepared = prepare_file(path, PrepareOptions(db_url, params))     # read, analyse, fingerprint, prematch
    results = add_prepared(corpus, [prepared, ...])                   # one transaction for the batch

`prepare_file` never raises for a bad file: it returns the reason (one Chinese line) in
`Prepared.error`. Its copy matching against the reports stored so far (matchstore.prematch)
reads the store, so it runs in parallel; the writer then matches each report only against the
reports stored since (matchstore.finish), inside the batch's transaction, so every pair of
reports is matched exactly once whatever the workers race.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fazhi.corpus.copies import Subject
    from fazhi.corpus.fingerprint import Unit
    from fazhi.corpus.keyspill import KeySpill
    from fazhi.corpus.matchstore import Prematch
    from fazhi.corpus.recent import RecentIndex
    from fazhi.corpus.store import Corpus
    from fazhi.corpus.unitrows import UnitRows


@dataclass(frozen=True)
class PrepareOptions:
    db_url: str | None  # None: do not read the store (no prematch, no early skip)
    params: dict[str, int]  # fingerprint Params of the corpus (Params.to_dict)
    max_bytes: int = 50 * 1024 * 1024
    ocr: bool = True
    prematch: bool = True
    deferred: bool = False  # matched after the build (fazhi.corpus.build, match "end"), not by the writer


@dataclass
class Prepared:
    """One file made ready to store, or why not."""

    path: str
    values: dict[str, Any] | None = None  # the reports row (fazhi.corpus.store.report_values)
    subject: "Subject | None" = None  # what the matcher needs to know of it
    units: "list[Unit]" = field(default_factory=list)
    plan: list = field(default_factory=list)  # the units' index plan (candidates.index_plan)
    rows: "UnitRows | None" = None  # instead of units and plan when matched later from the store
    pre: "Prematch | None" = None  # matched against the reports stored so far (None: not done)
    error: str | None = None  # the file cannot be read as a report: one Chinese line
    stored_id: int | None = None  # these bytes are stored already
    stop: str | None = None  # the store failed (disk full, unreachable ...): every file would fail
    cpu: float = 0.0  # CPU seconds spent on it


_ENGINES: dict[str, Any] = {}


def _engine(url: str):
    """One engine per process and store (workers keep theirs between files)."""
    if url not in _ENGINES:
        from fazhi.corpus.database import make_engine

        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def prepare_file(path: str, opts: PrepareOptions) -> Prepared:
    """Read, analyse and fingerprint one file and match it against the reports stored so far."""
    t0 = time.process_time()
    out = Prepared(str(path))
    try:
        _prepare(out, Path(path), opts)
    except Exception as e:  # noqa: BLE001 - whatever a file does, the batch goes on
        _fail(out, e)
    out.cpu = time.process_time() - t0
    return out


def _prepare(out: Prepared, path: Path, opts: PrepareOptions) -> None:
    from fazhi.corpus.candidates import index_plan
    from fazhi.corpus.copies import subject_of
    from fazhi.corpus.fingerprint import Params, report_units
    from fazhi.ingest import read_options
    from fazhi.pipeline import analyze

    engine = _engine(opts.db_url) if opts.db_url else None
    if engine is not None and path.is_file() and path.stat().st_size <= opts.max_bytes:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        out.stored_id = _find_sha(engine, sha)
        if out.stored_id is not None:
            return
    with read_options(ocr=opts.ocr, progress=False):
        report = analyze(path, max_bytes=opts.max_bytes)
    from fazhi.corpus.store import report_values

    params = Params.from_dict(opts.params)
    # matched later from the store (deferred): the writer needs no character offsets
    units = report_units(report, params, offsets=not opts.deferred)
    out.values, out.subject = _packed(report_values(report)), subject_of(report)
    if opts.deferred:  # the writer stores rows and keys, matches nothing: UnitRows, cheap to send
        from fazhi.corpus.unitrows import UnitRows

        out.rows = UnitRows.of(units)
        return
    out.units, out.plan = units, index_plan(units)
    if engine is not None and opts.prematch:
        from fazhi.corpus.matchstore import prematch

        with engine.connect() as conn:
            out.pre = prematch(conn, units, out.plan, out.subject, params.min_chars)


def _packed(values: dict[str, Any]) -> dict[str, Any]:
    """The row with its analysis and text compressed here (fazhi.corpus.packing), not in the writer."""
    from fazhi.corpus.packing import pack_json, pack_text

    return {**values, "analysis": pack_json(values["analysis"]), "text": pack_text(values["text"])}


def _find_sha(engine, sha: str) -> int | None:
    from sqlalchemy import select

    from fazhi.corpus.models import ReportRow

    with engine.connect() as conn:
        return conn.execute(select(ReportRow.id).where(ReportRow.sha256 == sha)).scalar()


def _fail(out: Prepared, e: Exception) -> None:
    from fazhi.corpus.database import store_error
    from fazhi.errors import InputError

    out.values, out.subject, out.units, out.plan, out.pre = None, None, [], [], None
    if isinstance(e, InputError):
        out.error = e.reason
    elif isinstance(e, OSError) and not store_error(e):
        out.error = f"无法读取文件（{e.strerror or '系统错误'}）"
    elif (stop := store_error(e)) is not None:
        out.stop = stop
    else:
        out.error = "分析或入库失败（程序内部错误）"


def add_prepared(corpus: "Corpus", items: list[Prepared], recent: "RecentIndex | None" = None,
                 match: bool = True, spill: "KeySpill | None" = None) -> list[tuple[int, bool]]:
    """Store the prepared reports (no error, not stored yet) in ONE transaction: their rows,
    paragraphs, band keys and copy matches. Returns (id, added) per item, in order: added False
    for a report stored before (same bytes, or the same text in another format) or earlier in the
    batch. When another writer stored one of them meanwhile, the batch is rolled back and the
    reports are added one by one. `recent` keeps the reports written, for the next batches' matching.
    match=False: no copy matching (copies_at stays NULL; fazhi.corpus.build.link_unmatched later).
    spill: the build's side file for band keys (fazhi.corpus.keyspill), else they go to band_keys."""
    from sqlalchemy.exc import IntegrityError

    ready = [it for it in items if it.values is not None]
    try:
        return _add_batch(corpus, ready, recent, match, spill)
    except BaseException as e:
        if spill is not None:  # its keys are committed there, the paragraphs are not
            spill.drop_uncommitted(corpus.engine)
        if not isinstance(e, IntegrityError):
            raise
        # stored meanwhile by another writer
        if len(ready) > 1:
            return [r for it in ready for r in add_prepared(corpus, [it], recent, match, spill)]
        with corpus.engine.connect() as conn:
            v = ready[0].values
            found = _known(conn, [v["sha256"]], [v["text_key"]] if v["text_key"] else [])
        rid = found.get(("sha", v["sha256"])) or found.get(("key", v["text_key"]))
        if rid is None:
            raise
        return [(rid, False)]


def _add_batch(corpus: "Corpus", items: list[Prepared], recent: "RecentIndex | None",
               match: bool = True, spill: "KeySpill | None" = None) -> list[tuple[int, bool]]:
    from fazhi.corpus import matchstore
    from fazhi.corpus.candidates import index_plan
    from fazhi.corpus.copies import REPORT_COLS
    from fazhi.corpus.database import lock_matches
    from fazhi.corpus.store import _now
    from fazhi.corpus.unitrows import UnitRows, insert_units

    out: list[tuple[int, bool]] = []
    with corpus.engine.begin() as conn:
        lock_matches(conn)
        shas = [it.values["sha256"] for it in items]
        keys = [it.values["text_key"] for it in items]
        known: dict = _known(conn, shas, [k for k in keys if k])
        fresh: list[Prepared] = []  # the reports to insert; a slot of `out` holds -1 - their index
        for it, sha, key in zip(items, shas, keys):
            rid = known.get(("sha", sha)) or (known.get(("key", key)) if key else None)
            if rid is not None:  # stored before (>= 1) or earlier in this batch (<= -1)
                out.append((rid, False))
                continue
            known[("sha", sha)] = -1 - len(fresh)
            if key:
                known.setdefault(("key", key), -1 - len(fresh))
            out.append((-1 - len(fresh), True))
            fresh.append(it)
        now = _now()
        ids = _insert_reports(conn, [{**it.values, "added_at": now, "analyzed_at": now} for it in fresh])
        out = [(ids[-1 - rid] if rid < 0 else rid, added) for rid, added in out]
        new: list[tuple[int, Prepared]] = list(zip(ids, fresh))
        plans = {rid: it.plan if len(it.plan) == len(it.units) else index_plan(it.units) for rid, it in new}
        rows = [(rid, it.rows if it.rows is not None else UnitRows.of(it.units, plans[rid])) for rid, it in new]
        pids = iter(insert_units(conn, rows, spill))
        if not match:
            return out
        alive = matchstore.alive(conn, {m.report_id for _r, it in new if it.pre for m in it.pre.matches})
        alive |= {rid for rid, _it in new}
        for rid, it in new:
            matchstore.finish(conn, rid, it.units, plans[rid], replace(it.subject, report_id=rid),
                              corpus.params.min_chars, it.pre or matchstore.NO_PREMATCH, recent, alive)
            own = [next(pids) for _u in it.units]
            if recent is not None:
                recent.add({**{c: it.values.get(c) for c in REPORT_COLS}, "id": rid}, it.units, plans[rid], own)
    return out


def _insert_reports(conn, rows: list[dict]) -> list[int]:
    """Insert report rows (distinct sha256) in batched statements; their ids, in the order given.
    RETURNING gives each row's id with its sha256: SQLAlchemy inserts many rows a statement only
    when it need not keep their order (asked to, it inserts them one a statement on SQLite), and a
    statement per report was a third of the writer's time (bench/RESULTS.md, session 18)."""
    from sqlalchemy import insert

    from fazhi.corpus.models import ReportRow

    if not rows:
        return []
    got = {sha: rid for rid, sha in conn.execute(insert(ReportRow).returning(ReportRow.id, ReportRow.sha256), rows)}
    return [got[r["sha256"]] for r in rows]


def _known(conn, shas: list[str], keys: list[str]) -> dict[tuple[str, str], int]:
    """Stored reports with one of these contents or text keys: ("sha"|"key", value) → first id."""
    from sqlalchemy import select

    from fazhi.corpus.models import ReportRow as R

    out: dict[tuple[str, str], int] = {}
    for i in range(0, len(shas), 500):
        for rid, sha in conn.execute(select(R.id, R.sha256).where(R.sha256.in_(shas[i:i + 500]))):
            out[("sha", sha)] = rid
    for i in range(0, len(keys), 500):
        q = select(R.id, R.text_key).where(R.text_key.in_(keys[i:i + 500])).order_by(R.id)
        for rid, key in conn.execute(q):
            out.setdefault(("key", key), rid)
    return out
