"""reports.text_key: the same report stored in another format (.docx / .pdf / .html) is found
by a hash of its body's CJK characters and digits (fazhi.corpus.store.text_key). Existing rows
are filled in from their stored text and body span.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 200


def upgrade() -> None:
    op.add_column("reports", sa.Column("text_key", sa.String(64)))
    op.create_index("ix_reports_text_key", "reports", ["text_key"])
    _backfill(op.get_bind())


def _backfill(conn) -> None:
    from fazhi.corpus.store import text_key

    reports = sa.table("reports", sa.column("id", sa.Integer()), sa.column("text", sa.Text()),
                       sa.column("analysis", sa.JSON()), sa.column("text_key", sa.String(64)))
    ids = conn.execute(sa.select(reports.c.id).order_by(reports.c.id)).scalars().all()
    for i in range(0, len(ids), _BATCH):
        q = sa.select(reports.c.id, reports.c.text, reports.c.analysis).where(reports.c.id.in_(ids[i:i + _BATCH]))
        for rid, text, analysis in conn.execute(q).all():
            body = (analysis or {}).get("body") or {}
            key = text_key(text or "", body.get("start", 0), body.get("end"))
            if key:
                conn.execute(sa.update(reports).where(reports.c.id == rid).values(text_key=key))


def downgrade() -> None:
    op.drop_index("ix_reports_text_key", table_name="reports")
    op.drop_column("reports", "text_key")
