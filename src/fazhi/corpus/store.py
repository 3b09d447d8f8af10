"""The corpus database: open (and migrate), add, list, show, remove, re-analyse reports.

    corpus = open_corpus("sqlite:///fazhi.db")     # or a .db path, or any SQLAlchemy URL
    report_id, added = corpus.add(fazhi.analyze("report.docx"))

Each report is written in one transaction together with its paragraphs and band keys, so
an interrupted batch (Ctrl-C, kill) leaves the database consistent; adding is idempotent by
the content's sha256, so a re-run resumes where the last one stopped. The same report in
another format (the .pdf of a stored .docx, its web page) is the same report: `text_key`
(a hash of the body's Chinese characters and digits, traditional folded to simplified) finds
it, and `add` returns the stored one.
"""
from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fazhi.corpus.database import (DEFAULT_URL, ENV_URL, StoreError, alembic_config, make_engine,  # noqa: F401
                                   resolve_url, store_error, upgrade)
from fazhi.corpus.fingerprint import DEFAULT_PARAMS, Params, Unit, report_units
from fazhi.corpus.frames import CorpusFrames

LEVEL_PLACE = {"省": "province", "地市": "city", "区县": "county", "乡镇街道": "town"}
_KEY_CHARS = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff0-9]+")
MIN_KEY_CHARS = 50  # shorter bodies get no text key (too little to call two files one report)


def unit_key(meta: dict[str, Any]) -> str:
    """Who wrote the report, stable across years: the administrative division when the report
    is a government's own (level matches the finest place found), else the issuer's name."""
    place = meta.get("place") or {}
    level = meta.get("level")
    field = LEVEL_PLACE.get(level or "")
    if field and place.get(field) and place.get("adcode"):
        deeper = list(LEVEL_PLACE.values())[list(LEVEL_PLACE.values()).index(field) + 1:]
        if not any(place.get(f) for f in deeper):
            return f"place:{place['adcode']}"
    issuer = issuer_key(meta.get("issuer"))
    return f"issuer:{issuer}"[:255] if issuer else ""


def text_key(text: str, start: int = 0, end: int | None = None, view: str | None = None) -> str | None:
    """The report's identity across formats: sha256 of its body's CJK characters and digits
    (traditional folded to simplified, full-width digits to ASCII), None for a tiny body."""
    if not view or len(view) != len(text):
        from fazhi.text.view import make_view

        view = make_view(text)
    core = _KEY_CHARS.sub("", view[start:end])
    return hashlib.sha256(core.encode("utf-8")).hexdigest() if len(core) >= MIN_KEY_CHARS else None


def report_text_key(report) -> str | None:
    return text_key(report.text, report.body.start, report.body.end, report.view)


def issuer_key(issuer: str | None) -> str:
    """The issuer's name without spaces and punctuation: the same unit signs alike every year."""
    return re.sub(r"[\s\W_]+", "", issuer or "")


class Corpus(CorpusFrames):
    """A report corpus in one database (use `open_corpus` or `memory_corpus`)."""

    def __init__(self, engine, params: Params | None = None):
        self.engine = engine
        self.params = params or self._load_params()

    # ------------------------------------------------------------ setup
    def _load_params(self) -> Params:
        from sqlalchemy import insert, select

        from fazhi.corpus.models import MetaRow

        from sqlalchemy.exc import IntegrityError

        q = select(MetaRow.value).where(MetaRow.key == "fingerprint")
        with self.engine.connect() as conn:
            row = conn.execute(q).scalar()
        if row is not None:
            return Params.from_dict(row)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(MetaRow).values(key="fingerprint", value=DEFAULT_PARAMS.to_dict()))
        except IntegrityError:  # another process wrote it first
            with self.engine.connect() as conn:
                return Params.from_dict(conn.execute(q).scalar_one())
        return DEFAULT_PARAMS

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Corpus":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ reading
    def size(self) -> int:
        from sqlalchemy import func, select

        from fazhi.corpus.models import ReportRow

        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(ReportRow)).scalar_one()

    def find_sha(self, sha256: str) -> int | None:
        from sqlalchemy import select

        from fazhi.corpus.models import ReportRow

        with self.engine.connect() as conn:
            return conn.execute(select(ReportRow.id).where(ReportRow.sha256 == sha256)).scalar()

    def find_text_key(self, key: str | None) -> int | None:
        """The first stored report with this text key (the same report, maybe in another format)."""
        from sqlalchemy import select

        from fazhi.corpus.models import ReportRow

        if not key:
            return None
        with self.engine.connect() as conn:
            q = select(ReportRow.id).where(ReportRow.text_key == key).order_by(ReportRow.id).limit(1)
            return conn.execute(q).scalar()

    def find_report(self, report) -> int | None:
        """The stored copy of an analysed report: same bytes, else same text in another format."""
        found = self.find_sha(report.source.sha256)
        return found if found is not None else self.find_text_key(report_text_key(report))

    def rows(self, columns: tuple[str, ...] = ("id", "path", "issuer", "report_year", "level",
                                               "engine_version", "sha256"), **where: Any) -> list[dict]:
        """Report rows (chosen columns only, never the text unless asked), ordered by id."""
        from sqlalchemy import select

        from fazhi.corpus.models import ReportRow

        q = select(*(getattr(ReportRow, c) for c in columns)).order_by(ReportRow.id)
        for k, v in where.items():
            col = getattr(ReportRow, k)
            q = q.where(col.in_(v) if isinstance(v, (list, tuple, set)) else col == v)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def get(self, report_id: int) -> dict | None:
        """Every column of one report, or None."""
        from fazhi.corpus.models import ReportRow

        cols = tuple(c.name for c in ReportRow.__table__.columns)
        found = self.rows(cols, id=report_id)
        return found[0] if found else None

    def report_dict(self, report_id: int) -> dict | None:
        """The stored analysis as the contract JSON (text put back in)."""
        row = self.get(report_id)
        if row is None:
            return None
        return {**row["analysis"], "text": row["text"]}

    def paragraph_count(self, report_id: int) -> int:
        from sqlalchemy import func, select

        from fazhi.corpus.models import ParagraphRow

        with self.engine.connect() as conn:
            q = select(func.count()).select_from(ParagraphRow).where(ParagraphRow.report_id == report_id)
            return conn.execute(q).scalar_one()

    # ------------------------------------------------------------ writing
    def add(self, report, units: list[Unit] | None = None) -> tuple[int, bool]:
        """Store an analysed Report with its fingerprints and its copy matches: (id, True), or
        (existing id, False) when the same bytes or the same report in another format (text key)
        is stored.

        `units` are the report's fingerprinted units when already computed (e.g. in a worker
        process) with this corpus' params: `report_units(report, corpus.params)`."""
        from sqlalchemy import insert
        from sqlalchemy.exc import IntegrityError

        from fazhi.corpus import matchstore
        from fazhi.corpus.candidates import index_plan
        from fazhi.corpus.copies import subject_of
        from fazhi.corpus.models import ReportRow

        existing = self.find_report(report)
        if existing is not None:
            return existing, False
        if units is None or any(len(u.bands) != self.params.bands for u in units):
            units = report_units(report, self.params)
        plan = index_plan(units)
        subject = subject_of(report)
        with self.engine.connect() as conn:
            pre = matchstore.prematch(conn, units, plan, subject, self.params.min_chars)
        now = _now()
        values = {**report_values(report), "added_at": now, "analyzed_at": now}
        try:
            with self.engine.begin() as conn:
                rid = conn.execute(insert(ReportRow).returning(ReportRow.id), values).scalar_one()
                self._insert_units(conn, rid, units, plan)
                matchstore.finish(conn, rid, units, plan, subject, self.params.min_chars, pre)
        except IntegrityError:  # stored meanwhile by another process
            existing = self.find_report(report)
            if existing is None:
                raise
            return existing, False
        return rid, True

    def replace(self, report_id: int, report) -> None:
        """Overwrite a stored report's analysis, fingerprints and copy matches (re-analysis), in one
        transaction. A submitted report keeps its submitting unit's key."""
        from sqlalchemy import select, update

        from fazhi.corpus import matchstore
        from fazhi.corpus.candidates import index_plan, report_rows
        from fazhi.corpus.copies import REPORT_COLS, stored_subject
        from fazhi.corpus.models import ReportRow

        units = report_units(report, self.params)
        values = {**report_values(report), "analyzed_at": _now(), "copies_at": None}
        values.pop("sha256")
        with self.engine.begin() as conn:
            self._delete_units(conn, report_id)
            if conn.execute(select(ReportRow.unit_id).where(ReportRow.id == report_id)).scalar() is not None:
                values.pop("unit_key")
            conn.execute(update(ReportRow).where(ReportRow.id == report_id).values(**values))
            self._insert_units(conn, report_id, units, index_plan(units))
            row = report_rows(conn, [report_id], REPORT_COLS)[report_id]
            matchstore.match_in_transaction(conn, report_id, units, stored_subject(row), self.params.min_chars)

    def remove(self, report_id: int, *, by: str | None = None, audit: bool = True) -> bool:
        """Delete a report with its fingerprints and copy matches. Its submission (fazhi.cycle)
        stays consistent: it points at the latest remaining version (status 已提交 again when the
        removed one had been approved), or is 待提交 with no report when none remains. Audited as
        `by` (default: the operating-system user of this command)."""
        from fazhi.corpus.cleanup import remove_report

        with self.engine.begin() as conn:
            self._delete_units(conn, report_id)
            return remove_report(conn, report_id, by=by, audit=audit)

    def _delete_units(self, conn, report_id: int) -> None:
        from sqlalchemy import delete

        from fazhi.corpus.bandindex import delete_reports
        from fazhi.corpus.matchstore import delete_matches
        from fazhi.corpus.models import ParagraphRow

        delete_matches(conn, report_id)
        delete_reports(conn, [report_id], self.params)
        conn.execute(delete(ParagraphRow).where(ParagraphRow.report_id == report_id))

    def _insert_units(self, conn, report_id: int, units: list[Unit], plan=None) -> None:
        """Paragraph rows for every unit; band keys as `plan` (fazhi.corpus.candidates.index_plan) says."""
        from fazhi.corpus.unitrows import UnitRows, insert_units

        insert_units(conn, [(report_id, UnitRows.of(units, plan))])

    def ensure_copies(self, progress=None) -> int:
        """Compute the copy matches of reports stored before they were kept (see matchstore)."""
        from fazhi.corpus.matchstore import ensure_copies

        return ensure_copies(self, progress)

    # ------------------------------------------------------------ fingerprint settings
    def reindex(self, params: Params | None = None, progress=None) -> int:
        """Fingerprint every stored report again with `params` (default: this fazhi's defaults)
        from its stored text and analysis, without re-analysing, and match every report again.
        One transaction: an interrupted run leaves the old index, matches and settings as they
        were. Returns the number of reports. `progress(n)` is called after each batch of n reports."""
        from fazhi.corpus.matchstore import reindex

        params = params or DEFAULT_PARAMS
        n = reindex(self, params, progress)
        self.params = params
        return n

    # ------------------------------------------------------------ re-analysis
    def stale(self, version: str | None = None) -> list[dict]:
        """Reports analysed by another engine version than `version` (default: this fazhi)."""
        from sqlalchemy import select

        from fazhi.corpus.models import ReportRow

        version = version or _engine_version()
        q = select(ReportRow.id, ReportRow.path, ReportRow.engine_version).where(
            ReportRow.engine_version != version).order_by(ReportRow.id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def reanalyze(self, report_id: int):
        """Analyse a stored report again (from its file if unchanged, else from the stored text) and store it."""
        row = self.get(report_id)
        if row is None:
            raise KeyError(report_id)
        report = analyze_stored(row)
        self.replace(report_id, report)
        return report


def analyze_stored(row: dict):
    """A fresh Report for a stored row: from the original file when its content is unchanged,
    otherwise from the stored text (read as plain text, identity fields kept)."""
    import hashlib

    from fazhi.pipeline import analyze, analyze_document
    from fazhi.report import Source

    p = Path(row["path"])
    try:
        if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() == row["sha256"]:
            return analyze(p)
    except OSError:
        pass
    from fazhi import ingest

    doc = ingest.load_bytes(row["text"].encode("utf-8"), p.with_suffix(".txt"))
    doc.source = Source(path=row["path"], format=row["format"] or "txt", encoding=row["encoding"],
                        sha256=row["sha256"])
    return analyze_document(doc)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _engine_version() -> str:
    from fazhi import __version__

    return __version__


def report_values(report) -> dict[str, Any]:
    """The reports row of an analysed Report (without added_at / analyzed_at)."""
    d = report.to_dict()
    d.pop("text", None)
    d["copies"] = []  # copies depend on the corpus, not on the report
    meta = d["metadata"]
    place = meta.get("place") or {}
    return {
        "sha256": report.source.sha256, "text_key": report_text_key(report), "path": report.source.path, "format": report.source.format,
        "encoding": report.source.encoding, "title": meta.get("title"), "issuer": meta.get("issuer"),
        "unit_key": unit_key(meta) or f"sha:{report.source.sha256[:16]}", "level": meta.get("level"),
        "province": place.get("province"), "city": place.get("city"), "county": place.get("county"),
        "town": place.get("town"), "adcode": place.get("adcode"), "report_year": meta.get("report_year"),
        "sign_date": meta.get("sign_date"), "publish_date": meta.get("publish_date"),
        "body_chars": report.body.end - report.body.start, "engine_version": _engine_version(),
        "score_total": (d.get("score") or {}).get("total"), "text": report.text, "analysis": d,
    }


def open_corpus(db: str | os.PathLike | None = None, *, create: bool = True) -> Corpus:
    """Open (creating and migrating to the newest schema) the corpus at `db` (URL or path).

    create=False: the database must exist, and is only read when its schema is current (so a
    store on a read-only disk opens). Every failure is a FazhiError with one Chinese line."""
    from fazhi.corpus.database import current_revision, head_revision, read_only_url, sqlite_path
    from fazhi.errors import FazhiError

    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        if not create and not path.exists():
            raise FazhiError(f"语料库不存在：{path}")
        if path.exists() and not path.is_file():
            raise StoreError(f"无法打开语料库 {path}：这不是数据库文件（是文件夹）")
    ro = read_only_url(url)
    if ro and create:
        raise StoreError(f"无法打开语料库 {path}：数据库只读，无法写入")
    try:
        engine = make_engine(ro or url)
        if ro is None:
            upgrade(engine)
            if path is not None:  # band keys a stopped build left aside (fazhi.corpus.keyspill)
                from fazhi.corpus.keyspill import settle

                settle(engine, path)
        elif current_revision(engine) != head_revision():
            raise StoreError(f"无法打开语料库 {path}：数据库只读，而它需要升级到本版本的结构")
        return Corpus(engine)
    except FazhiError:
        raise
    except Exception as e:  # noqa: BLE001 - a driver error is one clear line, never a traceback
        raise StoreError(f"无法打开语料库 {_shown(url)}：{store_error(e) or '数据库出错'}") from e


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "（数据库）"


def memory_corpus(params: Params | None = None) -> Corpus:
    """A throw-away in-memory SQLite corpus (schema from the models, no migration run)."""
    from fazhi.schema import metadata

    engine = make_engine("sqlite://")
    metadata().create_all(engine)
    return Corpus(engine, params)
