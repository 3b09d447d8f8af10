"""Database schema of a report corpus (SQLAlchemy 2 declarative models).

    reports      one analysed report: identity (content sha256, text key), metadata columns for
                 tables and matching, the score, the text and the full analysis JSON (both
                 compressed: fazhi.corpus.packing)
    paragraphs   the fingerprinted units of a report (paragraphs and sentences of long
                 paragraphs): span in the report text, exact hash, the unit's view text (UTF-16)
    band_keys    LSH band keys of each unit's MinHash signature (hash, paragraph id), keyed for
                 lookup so that a new report is matched without loading the corpus
    copy_matches verified passages shared by two reports, one row per direction, computed once
                 when a report is stored (fazhi.corpus.copies), never on a page view
    corpus_meta  key/value settings (fingerprint parameters, ...)

Report ids are never reused (SQLite AUTOINCREMENT; PostgreSQL sequences never go back), so an
audit row naming report 16 names that report for ever, even after it was removed.

Schema changes go through Alembic (fazhi/corpus/migrations); keep both in step
(tests/test_corpus_store.py compares them).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, BigInteger, DateTime, Float, ForeignKey, Index, Integer, SmallInteger, String,
                        Text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fazhi.corpus.packing import PackedJSON, PackedText, Utf16Text


class Base(DeclarativeBase):
    pass


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # the same report in another format (.docx / .pdf / .html ...): hash of its body's CJK + digits
    text_key: Mapped[str | None] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    format: Mapped[str | None] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(Text)
    unit_key: Mapped[str] = mapped_column(String(255), nullable=False)  # same unit across years
    level: Mapped[str | None] = mapped_column(String(16))
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    county: Mapped[str | None] = mapped_column(String(64))
    town: Mapped[str | None] = mapped_column(String(64))
    adcode: Mapped[str | None] = mapped_column(String(12))
    report_year: Mapped[int | None] = mapped_column(Integer, index=True)
    sign_date: Mapped[str | None] = mapped_column(String(10))
    publish_date: Mapped[str | None] = mapped_column(String(10))
    body_chars: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    engine_version: Mapped[str] = mapped_column(String(32), nullable=False)
    added_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    analyzed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    score_total: Mapped[float | None] = mapped_column(Float)  # analysis["score"]["total"], for SQL to sort on
    text: Mapped[str] = mapped_column(PackedText, nullable=False)
    analysis: Mapped[dict] = mapped_column(PackedJSON, nullable=False)  # Report.to_dict() without "text"
    # the reporting unit that submitted it (fazhi.cycle), whatever issuer the text names
    unit_id: Mapped[int | None] = mapped_column(Integer)
    copies_at: Mapped[datetime | None] = mapped_column(DateTime)  # copy_matches computed (None: not yet)


class ParagraphRow(Base):
    __tablename__ = "paragraphs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 0 paragraph, 1 sentence
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    nchars: Mapped[int] = mapped_column(Integer, nullable=False)  # normalised length
    text_hash: Mapped[int] = mapped_column(BigInteger, nullable=False)
    content: Mapped[str] = mapped_column(Utf16Text, nullable=False)  # view[start:end] (same length as text)


class BandKeyRow(Base):
    """One LSH band key of one unit (fazhi.corpus.bandindex): the band index is mixed into the
    key (48 bits since scheme 3, fazhi.corpus.minhash), so (hash, paragraph_id) is all a lookup
    needs. SQLite: WITHOUT ROWID, one b-tree."""

    __tablename__ = "band_keys"
    __table_args__ = {"sqlite_with_rowid": False}

    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class CopyMatchRow(Base):
    """One verified shared passage seen from `report_id`: its unit `unit_seq` ([start, end) in its
    text) matches [o_start, o_end) of `other_id`. The same pair is stored from the other side too."""

    __tablename__ = "copy_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    unit_seq: Mapped[int] = mapped_column(Integer, nullable=False)  # paragraphs.seq of the unit
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    other_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    o_start: Mapped[int] = mapped_column(Integer, nullable=False)
    o_end: Mapped[int] = mapped_column(Integer, nullable=False)
    similarity: Mapped[float] = mapped_column(Float, nullable=False)


class MetaRow(Base):
    __tablename__ = "corpus_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON, nullable=False)


Index("ix_reports_unit_year", ReportRow.unit_key, ReportRow.report_year)
# the few reports whose copy matches are not computed yet (matchstore.take_snapshot asks per report)
Index("ix_reports_unmatched", ReportRow.id, sqlite_where=ReportRow.copies_at.is_(None),
      postgresql_where=ReportRow.copies_at.is_(None))

# The yearly-cycle tables (units, users, submissions ...) build on this Base: one metadata, one
# Alembic chain. fazhi.schema.metadata() loads them all (this module does not import the cycle's).
