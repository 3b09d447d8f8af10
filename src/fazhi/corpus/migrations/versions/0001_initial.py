"""Initial corpus schema: reports, paragraphs, bands, corpus_meta.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("format", sa.String(16)),
        sa.Column("encoding", sa.String(32)),
        sa.Column("title", sa.Text()),
        sa.Column("issuer", sa.Text()),
        sa.Column("unit_key", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16)),
        sa.Column("province", sa.String(64)),
        sa.Column("city", sa.String(64)),
        sa.Column("county", sa.String(64)),
        sa.Column("town", sa.String(64)),
        sa.Column("adcode", sa.String(12)),
        sa.Column("report_year", sa.Integer()),
        sa.Column("sign_date", sa.String(10)),
        sa.Column("publish_date", sa.String(10)),
        sa.Column("body_chars", sa.Integer(), nullable=False),
        sa.Column("engine_version", sa.String(32), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("analyzed_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
    )
    op.create_index("ix_reports_report_year", "reports", ["report_year"])
    op.create_index("ix_reports_unit_year", "reports", ["unit_key", "report_year"])
    op.create_table(
        "paragraphs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("nchars", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
    )
    op.create_index("ix_paragraphs_report_id", "paragraphs", ["report_id"])
    op.create_index("ix_paragraphs_text_hash", "paragraphs", ["text_hash"])
    op.create_table(
        "bands",
        sa.Column("hash", sa.BigInteger(), primary_key=True),
        sa.Column("paragraph_id", sa.Integer(), sa.ForeignKey("paragraphs.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_bands_paragraph_id", "bands", ["paragraph_id"])
    op.create_index("ix_bands_report_id", "bands", ["report_id"])
    op.create_table(
        "corpus_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bands")
    op.drop_table("paragraphs")
    op.drop_table("corpus_meta")
    op.drop_table("reports")
