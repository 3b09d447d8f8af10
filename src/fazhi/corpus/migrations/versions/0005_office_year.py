"""The office's whole year: notices and messages, the 问题池 (rectifications), the reviewer's own
opinion and verdicts on machine findings, units' drafts, stored recycling shares, office settings;
unit hierarchy and e-mail; submission assignment, two-step review and publication details.
Tables and columns: fazhi/cycle/models_office.py and fazhi/cycle/models.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _fk(name: str, target: str, ondelete: str = "SET NULL", nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer()))
        batch.add_column(sa.Column("is_office", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("email", sa.String(255)))
        batch.add_column(sa.Column("merged_into_id", sa.Integer()))
        batch.create_foreign_key("fk_units_parent_id", "units", ["parent_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key("fk_units_merged_into_id", "units", ["merged_into_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_units_parent_id", ["parent_id"])
    with op.batch_alter_table("submissions") as batch:
        for col in ("reviewer_id", "second_reviewer_id", "first_passed_by", "secrecy_checked_by"):
            batch.add_column(sa.Column(col, sa.Integer()))
            batch.create_foreign_key(f"fk_submissions_{col}", "users", [col], ["id"], ondelete="SET NULL")
        batch.add_column(sa.Column("publish_url", sa.String(1000)))
        batch.add_column(sa.Column("publish_date", sa.Date()))
        batch.add_column(sa.Column("secrecy_checked_at", sa.DateTime()))
        batch.create_index("ix_submissions_reviewer_id", ["reviewer_id"])

    op.create_table("settings", sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.JSON()),
                    sa.Column("updated_at", sa.DateTime(), nullable=False))
    op.create_table("notices", _id(), sa.Column("year", sa.Integer(), nullable=False, unique=True),
                    sa.Column("title", sa.String(255), nullable=False), sa.Column("body", sa.Text(), nullable=False),
                    _fk("created_by", "users.id"), sa.Column("created_at", sa.DateTime(), nullable=False),
                    sa.Column("updated_at", sa.DateTime(), nullable=False))
    op.create_table("notice_attachments", _id(), _fk("notice_id", "notices.id", "CASCADE", False),
                    sa.Column("filename", sa.String(255), nullable=False), sa.Column("media_type", sa.String(127)),
                    sa.Column("content", sa.LargeBinary(), nullable=False),
                    sa.Column("created_at", sa.DateTime(), nullable=False))
    op.create_index("ix_notice_attachments_notice_id", "notice_attachments", ["notice_id"])
    op.create_table("messages", _id(), _fk("unit_id", "units.id", "CASCADE"), _fk("user_id", "users.id", "CASCADE"),
                    sa.Column("kind", sa.String(32), nullable=False), sa.Column("title", sa.String(255), nullable=False),
                    sa.Column("body", sa.Text(), nullable=False), sa.Column("link", sa.String(255)),
                    sa.Column("year", sa.Integer()), _fk("submission_id", "submissions.id"),
                    sa.Column("created_at", sa.DateTime(), nullable=False), sa.Column("read_at", sa.DateTime()),
                    sa.Column("email_to", sa.String(255)), sa.Column("email_sent_at", sa.DateTime()),
                    sa.Column("email_error", sa.Text()))
    op.create_index("ix_messages_unit_id", "messages", ["unit_id"])
    op.create_index("ix_messages_user_id", "messages", ["user_id"])
    op.create_table("rectifications", _id(), _fk("unit_id", "units.id", "CASCADE", False),
                    sa.Column("year", sa.Integer(), nullable=False), _fk("submission_id", "submissions.id"),
                    sa.Column("source", sa.String(16), nullable=False), _fk("comment_id", "review_comments.id"),
                    sa.Column("rule", sa.String(64)), sa.Column("finding_key", sa.String(255)),
                    _fk("report_id", "reports.id"), sa.Column("start", sa.Integer()), sa.Column("end", sa.Integer()),
                    sa.Column("quote", sa.Text()), sa.Column("body", sa.Text(), nullable=False),
                    sa.Column("state", sa.String(16), nullable=False), sa.Column("due", sa.Date()),
                    _fk("fixed_report_id", "reports.id"), _fk("checked_report_id", "reports.id"),
                    _fk("created_by", "users.id"), sa.Column("created_at", sa.DateTime(), nullable=False),
                    sa.Column("updated_at", sa.DateTime(), nullable=False), sa.Column("closed_at", sa.DateTime()),
                    _fk("closed_by", "users.id"), sa.Column("note", sa.Text()))
    for col in ("unit_id", "year", "submission_id"):
        op.create_index(f"ix_rectifications_{col}", "rectifications", [col])
    op.create_table("finding_reviews", _id(), _fk("report_id", "reports.id", "CASCADE", False),
                    sa.Column("finding_key", sa.String(255), nullable=False), sa.Column("rule", sa.String(64), nullable=False),
                    sa.Column("verdict", sa.String(16), nullable=False), sa.Column("reason", sa.Text()),
                    _fk("by", "users.id"), sa.Column("at", sa.DateTime(), nullable=False),
                    sa.UniqueConstraint("report_id", "finding_key", name="uq_finding_reviews_key"))
    op.create_index("ix_finding_reviews_report_id", "finding_reviews", ["report_id"])
    op.create_index("ix_finding_reviews_rule", "finding_reviews", ["rule"])
    op.create_table("opinions", sa.Column("submission_id", sa.Integer(),
                                          sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
                    _fk("report_id", "reports.id"), sa.Column("overall", sa.Text()),
                    sa.Column("score_adjust", sa.Float()), sa.Column("adjust_reason", sa.Text()),
                    sa.Column("final_score", sa.Float()),
                    _fk("updated_by", "users.id"), sa.Column("updated_at", sa.DateTime(), nullable=False),
                    sa.Column("sent_at", sa.DateTime()))
    op.create_table("opinion_items", _id(), _fk("submission_id", "submissions.id", "CASCADE", False),
                    sa.Column("position", sa.Integer(), nullable=False), sa.Column("body", sa.Text(), nullable=False),
                    sa.Column("source", sa.String(16), nullable=False), sa.Column("ref", sa.String(255)),
                    _fk("updated_by", "users.id"), sa.Column("updated_at", sa.DateTime(), nullable=False))
    op.create_index("ix_opinion_items_submission_id", "opinion_items", ["submission_id"])
    op.create_table("drafts", _id(), _fk("unit_id", "units.id", "CASCADE", False), _fk("user_id", "users.id"),
                    sa.Column("filename", sa.String(255), nullable=False), sa.Column("text", sa.Text(), nullable=False),
                    sa.Column("analysis", sa.JSON(), nullable=False),
                    sa.Column("created_at", sa.DateTime(), nullable=False))
    op.create_index("ix_drafts_unit_id", "drafts", ["unit_id"])
    op.create_table("report_recycling", sa.Column("report_id", sa.Integer(),
                                                  sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
                    _fk("previous_id", "reports.id"), sa.Column("recycled_share", sa.Float()),
                    sa.Column("copied_share", sa.Float()), sa.Column("computed_at", sa.DateTime(), nullable=False))


def downgrade() -> None:
    for table in ("report_recycling", "drafts", "opinion_items", "opinions", "finding_reviews", "rectifications",
                  "messages", "notice_attachments", "notices", "settings"):
        op.drop_table(table)
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_reviewer_id")
        for col in ("reviewer_id", "second_reviewer_id", "first_passed_by", "secrecy_checked_by"):
            batch.drop_constraint(f"fk_submissions_{col}", type_="foreignkey")
            batch.drop_column(col)
        for col in ("publish_url", "publish_date", "secrecy_checked_at"):
            batch.drop_column(col)
    with op.batch_alter_table("units") as batch:
        batch.drop_index("ix_units_parent_id")
        batch.drop_constraint("fk_units_parent_id", type_="foreignkey")
        batch.drop_constraint("fk_units_merged_into_id", type_="foreignkey")
        for col in ("parent_id", "is_office", "active", "email", "merged_into_id"):
            batch.drop_column(col)
