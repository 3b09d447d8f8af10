"""Tables of the reviewing office's yearly cycle, on the corpus' declarative Base (one metadata,
one Alembic chain: fazhi/corpus/migrations/versions/0002_cycle.py keeps them in step).

    units                the reporting units (as they sign their reports), with their level
    users                accounts: admin, reviewer, or a unit's account (argon2 password hashes)
    periods              reporting years with a submit deadline per level
    submissions          one per unit and report year: status and the current report version
    submission_versions  every report a unit submitted for that year, in order
    uploads              the original bytes of uploaded reports (for the annotated .docx)
    review_comments      reviewers' comments, attached to spans of a report's text
    audit_log            who did what when, from which address and browser (uploads, status changes,
                         logins, refusals and denials, downloads, command-line actions)
    web_sessions         live browser sessions (the cookie holds only a random token whose sha256 is
                         the id): logout, a password reset or deactivation deletes them at once
    login_throttle       failed logins per account and per address, and lockouts (等保 登录失败处理)

Times are naive UTC, like the corpus tables (pages show Beijing time).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fazhi.corpus.models import Base


class UnitRow(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)  # as signed (落款/发文机关)
    unit_key: Mapped[str | None] = mapped_column(String(255), index=True)  # store.unit_key of its reports
    level: Mapped[str | None] = mapped_column(String(16))  # a rubric deadlines level: 省 地市 区县 乡镇街道 部门
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    is_office: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # reviews its branch
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email: Mapped[str | None] = mapped_column(String(255))  # for 催报 and notices by e-mail
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # admin | reviewer | unit
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    display_name: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class PeriodRow(Base):
    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)  # the year reported on
    deadlines: Mapped[dict] = mapped_column(JSON, nullable=False)  # {level: "YYYY-MM-DD"}
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class SubmissionRow(Base):
    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_submissions_unit_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)  # first submission
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    second_reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_passed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # 初审
    publish_url: Mapped[str | None] = mapped_column(String(1000))  # 公开网址 on the unit's own site
    publish_date: Mapped[date | None] = mapped_column(Date)  # 公开日期
    secrecy_checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    secrecy_checked_at: Mapped[datetime | None] = mapped_column(DateTime)  # 保密审查 confirmed


class VersionRow(Base):
    __tablename__ = "submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "seq", name="uq_submission_versions_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               nullable=False)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class UploadRow(Base):
    __tablename__ = "uploads"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class CommentRow(Base):
    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    start: Mapped[int | None] = mapped_column(Integer)  # None: a comment on the whole report
    end: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str | None] = mapped_column(Text)  # text[start:end] when written
    body: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the log outlives accounts
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    target: Mapped[str] = mapped_column(String(255), nullable=False)
    detail: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class SessionRow(Base):
    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class ThrottleRow(Base):
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)  # "user:NAME" or "ip:ADDRESS"
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    first_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # start of the counting window
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


CYCLE_TABLES = ("units", "users", "periods", "submissions", "submission_versions", "uploads",
                "review_comments", "audit_log", "web_sessions", "login_throttle",
                # the office's year (fazhi/cycle/models_office.py), imported below so one metadata holds all
                "settings", "notices", "notice_attachments", "messages", "rectifications", "finding_reviews",
                "opinions", "opinion_items", "drafts", "report_recycling")

from fazhi.cycle import models_office  # noqa: E402,F401  (registers the office tables on Base)
