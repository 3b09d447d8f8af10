"""Tables of the office's whole year (migration 0005_office_year), beside fazhi/cycle/models.py:

    settings            office settings as JSON values (two-step review on/off, SMTP server, ...)
    notices             the 报送通知 of a report year (text; deadlines per level come from `periods`)
    notice_attachments  files attached to a notice
    messages            in-app messages to a unit (returned, approved, published, late, 催报, notice)
                        and whether each was also sent by e-mail
    rectifications      the 问题池: one row per issue a unit must fix (a reviewer's comment or an
                        accepted machine finding), with its state, deadline and the version that fixed it
    finding_reviews     the reviewer's verdict on one machine finding of one report (误报 / accepted)
    opinions            the reviewer's own opinion on a submission: 总体意见, score adjustment + reason
    opinion_items       the opinion's items, ordered, editable
    drafts              a unit's self-checked drafts (analysed, never filed, not visible to the office)
    report_recycling    per report: the share recycled from the unit's previous report and copied
                        from other units' reports, computed once when needed and stored

Columns added to earlier tables: units (parent_id, is_office, active, email, merged_into_id),
submissions (reviewer_id, second_reviewer_id, first_passed_by, publish_url, publish_date,
secrecy_checked_by, secrecy_checked_at). Times are naive UTC.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from fazhi.corpus.models import Base


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class NoticeRow(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)  # the report year
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class NoticeAttachmentRow(Base):
    __tablename__ = "notice_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    media_type: Mapped[str | None] = mapped_column(String(127))
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class MessageRow(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)  # returned approved published late remind notice
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    link: Mapped[str | None] = mapped_column(String(255))
    year: Mapped[int | None] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_to: Mapped[str | None] = mapped_column(String(255))
    email_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_error: Mapped[str | None] = mapped_column(Text)


class RectificationRow(Base):
    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)  # report year it was raised in
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"),
                                                      index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # comment | finding | manual
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("review_comments.id", ondelete="SET NULL"))
    rule: Mapped[str | None] = mapped_column(String(64))  # the finding's rule id
    finding_key: Mapped[str | None] = mapped_column(String(255))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))  # raised on
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str | None] = mapped_column(Text)  # the words it was about
    body: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)  # open fixed unfixed closed
    due: Mapped[date | None] = mapped_column(Date)  # rectification deadline
    fixed_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    checked_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)


class FindingReviewRow(Base):
    __tablename__ = "finding_reviews"
    __table_args__ = (UniqueConstraint("report_id", "finding_key", name="uq_finding_reviews_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    finding_key: Mapped[str] = mapped_column(String(255), nullable=False)  # rule:start:end
    rule: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)  # false_positive | accepted
    reason: Mapped[str | None] = mapped_column(Text)
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class OpinionRow(Base):
    __tablename__ = "opinions"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    overall: Mapped[str | None] = mapped_column(Text)  # 总体意见
    score_adjust: Mapped[float | None] = mapped_column(Float)
    adjust_reason: Mapped[str | None] = mapped_column(Text)
    final_score: Mapped[float | None] = mapped_column(Float)  # machine score after 误报, 沿用 and adjustment
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class OpinionItemRow(Base):
    __tablename__ = "opinion_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # finding | comment | manual
    ref: Mapped[str | None] = mapped_column(String(255))  # finding key or comment id
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class DraftRow(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    analysis: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class RecyclingRow(Base):
    __tablename__ = "report_recycling"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    recycled_share: Mapped[float | None] = mapped_column(Float)  # of the body, from the previous report
    copied_share: Mapped[float | None] = mapped_column(Float)  # of the body, from other units' reports
    computed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


OFFICE_TABLES = ("settings", "notices", "notice_attachments", "messages", "rectifications", "finding_reviews",
                 "opinions", "opinion_items", "drafts", "report_recycling")
