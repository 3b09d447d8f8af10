"""The corpus: many analysed reports in one database, and the passages they share.

    from fazhi.corpus import find_copies, open_corpus
    copies = find_copies(fazhi.analyze("a.txt"), "reports/")        # a folder of report files
    copies = find_copies(report, "sqlite:///fazhi.db")               # or a corpus database

Heavy libraries (SQLAlchemy, Alembic, numpy, rapidfuzz) are imported on first use only.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fazhi.corpus.store import Corpus
    from fazhi.report import Report

REPORT_SUFFIXES = {".txt", ".docx", ".pdf", ".html", ".htm", ".shtml", ".xhtml", ".doc", ".wps", ".ofd", ".rtf", ".odt"}


def report_files(paths: list[str | os.PathLike]) -> list[Path]:
    """Files named, plus report files (by suffix) found under named folders, sorted, hidden ones skipped."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def open_corpus(db: str | os.PathLike | None = None, *, create: bool = True) -> "Corpus":
    """Open a corpus database (URL or path; default $FAZHI_DB or sqlite:///fazhi.db), migrated to the newest schema."""
    from fazhi.corpus.store import open_corpus as _open

    return _open(db, create=create)


def find_copies(report: "Report", corpus: str | os.PathLike) -> list[dict[str, Any]]:
    """Passages of `report` that also stand in other reports (CONTRACT.md `copies`).

    `corpus` is a folder of report files (analysed into a temporary in-memory database; the
    file with the report's own content is skipped; unreadable files are skipped) or a corpus
    database (URL or .db path)."""
    from fazhi.corpus.copies import match_report

    p = Path(corpus)
    if p.is_dir():
        with _folder_corpus(p, skip_sha=report.source.sha256) as c:
            copies = match_report(c, report)
        for c in copies:
            c["other"].pop("id", None)  # a throw-away database's row id means nothing
        return copies
    from fazhi.corpus.store import open_corpus as _open

    with _open(corpus, create=False) as c:
        return match_report(c, report)


def copy_ratios(copies: list[dict[str, Any]], report: "Report") -> dict[str, float]:
    """Recycling / copying / template shares of the report's body characters."""
    from fazhi.corpus.copies import copy_ratios as _ratios

    return _ratios(copies, report.body.end - report.body.start)


def _folder_corpus(folder: Path, skip_sha: str | None = None) -> "Corpus":
    import hashlib

    from fazhi.corpus.store import memory_corpus
    from fazhi.errors import InputError
    from fazhi.pipeline import analyze

    c = memory_corpus()
    for f in report_files([folder]):
        try:
            if skip_sha and hashlib.sha256(f.read_bytes()).hexdigest() == skip_sha:
                continue
            c.add(analyze(f))
        except (InputError, OSError):
            continue
    return c


__all__ = ["find_copies", "copy_ratios", "open_corpus", "report_files"]
