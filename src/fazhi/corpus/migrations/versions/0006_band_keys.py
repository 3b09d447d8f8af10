"""A compact copy index: `band_keys` (hash, paragraph_id) keyed for lookup replaces `bands`.

`bands` kept four b-trees per row (the table, its (hash, paragraph_id) key, and indexes on
paragraph_id and report_id) and a band column the key already mixes in. `band_keys` is one
b-tree: on SQLite a WITHOUT ROWID table whose primary key is (hash, paragraph_id), so a
lookup of one key reads its newest rows straight off the key's range and a row costs ~18 bytes.
A report's keys are deleted by recomputing them from its paragraphs (fazhi.corpus.bandindex),
so no index on paragraph_id is needed; the unused index on paragraphs.text_hash goes too.
A partial index finds the reports whose copy matches are not computed yet without reading the
table (each worker asks, for every report it matches: fazhi.corpus.matchstore.take_snapshot).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "band_keys",
        sa.Column("hash", sa.BigInteger(), primary_key=True),
        sa.Column("paragraph_id", sa.Integer(), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.execute("INSERT INTO band_keys (hash, paragraph_id) SELECT DISTINCT hash, paragraph_id FROM bands "
               "ORDER BY hash, paragraph_id")
    op.drop_index("ix_bands_paragraph_id", table_name="bands")
    op.drop_index("ix_bands_report_id", table_name="bands")
    op.drop_table("bands")
    op.drop_index("ix_paragraphs_text_hash", table_name="paragraphs")
    unmatched = sa.text("copies_at IS NULL")
    op.create_index("ix_reports_unmatched", "reports", ["id"], sqlite_where=unmatched, postgresql_where=unmatched)


def downgrade() -> None:
    op.drop_index("ix_reports_unmatched", table_name="reports")
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
    # the band number is mixed into each key and not kept apart: 0 stands for it (nothing read it)
    op.execute("INSERT INTO bands (hash, paragraph_id, band, report_id) SELECT k.hash, k.paragraph_id, 0, "
               "p.report_id FROM band_keys k JOIN paragraphs p ON p.id = k.paragraph_id")
    op.drop_table("band_keys")
