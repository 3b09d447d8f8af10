"""Shared fixtures: the five real sample reports shipped in the package."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

SAMPLES = Path(str(resources.files("fazhi") / "samples"))
PG_URL = os.environ.get("FAZHI_TEST_PG_URL")  # .ci/run starts a throwaway server and sets it


def reset_pg(url: str) -> None:
    """Drop every fazhi table (corpus and cycle) and the Alembic version of a test database."""
    from sqlalchemy import create_engine, text

    from fazhi.corpus.models import Base  # imports the cycle tables too
    from fazhi.corpus.store import resolve_url

    engine = create_engine(resolve_url(url))
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def sample_path(prefix: str) -> Path:
    """The bundled sample whose file name starts with `prefix` (000 ... 004)."""
    (path,) = SAMPLES.glob(f"{prefix}_*.txt")
    return path


def sample_text(prefix: str) -> str:
    return sample_path(prefix).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def analyzed():
    """analyzed("002") -> Report of that bundled sample (cached per session)."""
    import fazhi

    cache: dict[str, object] = {}

    def get(prefix: str):
        if prefix not in cache:
            cache[prefix] = fazhi.analyze(sample_path(prefix))
        return cache[prefix]

    return get


def report_of(text: str, year: int | None = None):
    """A Report over a piece of real text, before any stage ran (for unit tests of one rule)."""
    from fazhi.report import Report, Source, Span
    from fazhi.text.view import make_view

    r = Report(source=Source("t.txt", "txt", "utf-8", ""), text=text, body=Span(0, len(text)))
    r.view = make_view(text)
    r.metadata.report_year = year
    return r


def seed_report(prefix: str):
    """A bundled sample through the annotation stages (everything but the rules)."""
    from fazhi import pipeline
    from fazhi.ingest.chrome import find_body
    from fazhi.report import Report, Source
    from fazhi.text.view import make_view

    text = sample_text(prefix)
    body, meta = find_body(text)
    r = Report(source=Source(prefix, "txt", "utf-8", ""), text=text, body=body, page_meta=dict(meta))
    r.view = make_view(text)
    for stage in pipeline.STAGES:
        stage(r)
    return r


@pytest.fixture(scope="session")
def samples_db(tmp_path_factory) -> Path:
    """A SQLite corpus file holding the five analysed samples, built once; open it read-only
    (`open_corpus(path, create=False)`) — tests that change a corpus build their own."""
    import fazhi
    from fazhi.corpus.store import open_corpus

    path = tmp_path_factory.mktemp("samples_db") / "samples.db"
    with open_corpus(path) as c:
        for f in sorted(SAMPLES.glob("*.txt")):
            c.add(fazhi.analyze(f))
    return path


@pytest.fixture(scope="module")
def samples_corpus(samples_db):
    from fazhi.corpus.store import open_corpus

    with open_corpus(samples_db, create=False) as c:
        yield c
