"""Shared fixtures: the five real sample reports shipped in the package; what tests need from the system.

A test that needs something outside Python says so with `@pytest.mark.needs("postgresql")` (or
"chromium", "soffice", "pdftotext", "pdftoppm", "tesseract"; several at once are fine). `make test`
provides all of them (scripts/test_env.py). When one is missing the test FAILS with a line naming the
Debian package — it is never skipped. FAZHI_TEST_MINIMAL=1 deselects those tests instead and the
summary says how many were left out and why.
"""
from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

SAMPLES = Path(str(resources.files("fazhi") / "samples"))
PG_URL = os.environ.get("FAZHI_TEST_PG_URL")  # `make test` starts a throwaway server and sets it
MINIMAL = os.environ.get("FAZHI_TEST_MINIMAL") == "1"
CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class Need:
    present: Callable[[], bool]
    package: str  # the Debian package that provides it (scripts/debian-packages.txt)


def _tesseract_chinese() -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    import subprocess

    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True).stdout.split()
    return "chi_sim" in langs


NEEDS: dict[str, Need] = {
    "postgresql": Need(lambda: bool(PG_URL), "postgresql"),
    "chromium": Need(CHROMIUM.exists, "chromium"),
    "soffice": Need(lambda: bool(shutil.which("soffice") or shutil.which("libreoffice")),
                    "libreoffice-writer-nogui fonts-noto-cjk fonts-wqy-zenhei"),
    "pdftotext": Need(lambda: bool(shutil.which("pdftotext")), "poppler-utils"),
    "pdftoppm": Need(lambda: bool(shutil.which("pdftoppm")), "poppler-utils"),
    "tesseract": Need(_tesseract_chinese, "tesseract-ocr tesseract-ocr-chi-sim"),
}
_left_out: Counter[str] = Counter()


def _needs(item: pytest.Item) -> list[str]:
    return [name for m in item.iter_markers("needs") for name in m.args]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(*things): the test needs these system things "
                                       f"({', '.join(NEEDS)}); missing ones fail it (see conftest.py)")
    config.addinivalue_line("markers", "realworld: measures the engine on a set of real published reports "
                                       "(FAZHI_REALWORLD=DIR); left out, and said so, where the set is absent")


# Real published reports live outside the project (their texts are never copied into it): the
# precision check on them runs where the set is present (beside the checkout, or FAZHI_REALWORLD=DIR)
# and is otherwise left out with a line in the summary, never skipped silently.
REALWORLD = Path(os.environ.get("FAZHI_REALWORLD") or Path(__file__).resolve().parents[2] / "shared" / "realworld")
_realworld_left_out: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unknown = {n for item in items for n in _needs(item)} - set(NEEDS)
    if unknown:
        raise pytest.UsageError(f"unknown @pytest.mark.needs name(s): {sorted(unknown)}; known: {list(NEEDS)}")
    if not (REALWORLD / "gold.jsonl").exists():
        drop = [item for item in items if item.get_closest_marker("realworld")]
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = [item for item in items if not item.get_closest_marker("realworld")]
            _realworld_left_out.extend(item.nodeid for item in drop)
    if not MINIMAL:
        return
    keep, drop = [], []
    for item in items:
        (drop if _needs(item) else keep).append(item)
        _left_out.update(set(_needs(item)))
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    _left_out["tests"] = len(drop)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = [n for n in dict.fromkeys(_needs(item)) if not NEEDS[n].present()]
    if missing:
        pkgs = " ".join(dict.fromkeys(NEEDS[n].package for n in missing))
        what = "FAZHI_TEST_PG_URL (a PostgreSQL server) " if "postgresql" in missing else ""
        pytest.fail(f"needs {', '.join(missing)}: {what}not available. `make test` sets it up (as root it "
                    f"installs the Debian packages); or: sudo apt-get install -y {pkgs}; "
                    "or FAZHI_TEST_MINIMAL=1 to leave such tests out", pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001 - pytest hook
    if _realworld_left_out:
        terminalreporter.write_line(f"left out {len(_realworld_left_out)} tests on real published reports: "
                                    f"no set at {REALWORLD} (FAZHI_REALWORLD=DIR names one)")
    if MINIMAL:
        n = _left_out.pop("tests", 0)
        why = ", ".join(f"{k} ({v})" for k, v in sorted(_left_out.items()))
        terminalreporter.write_line(f"FAZHI_TEST_MINIMAL=1: left out {n} tests that need system packages: "
                                    f"{why or 'none'}")


def reset_pg(url: str) -> None:
    """Drop every table of a test database — the models' and any a migration made (Alembic's too),
    read from the database itself so that a table the models do not know cannot block the drop."""
    from sqlalchemy import MetaData, create_engine

    from fazhi.corpus.store import resolve_url

    engine = create_engine(resolve_url(url))
    found = MetaData()
    found.reflect(engine)
    found.drop_all(engine)
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
