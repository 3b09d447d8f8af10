"""A smaller corpus: the stored analysis and text compressed, unit text in UTF-16, the score in
a column of its own (fazhi.corpus.packing).

The analysis JSON was nearly half of a corpus file (21 KB a report, 5 KB packed); the paragraphs'
content a fifth (UTF-8: three bytes a Chinese character). Each
column is replaced by a packed one (added, filled in batches, the old one dropped, the new one
renamed), so the same steps run on SQLite (3.35+) and PostgreSQL. `score_total` takes the one
thing SQL read out of the analysis (the ranking sorts on it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 500
# (table, column) packed, in this order
_COLUMNS = (("reports", "analysis"), ("reports", "text"), ("paragraphs", "content"))


def _score(analysis) -> float | None:
    total = ((analysis or {}).get("score") or {}).get("total") if isinstance(analysis, dict) else None
    return float(total) if isinstance(total, (int, float)) else None


def _convert(conn, table: str, cols: list[str], pack) -> None:
    """Fill the packed columns `<col>_packed` of `table` from `cols`, _BATCH rows at a time."""
    t = sa.table(table, sa.column("id", sa.Integer), *(sa.column(c, sa.Text) for c in cols))
    last = 0
    while True:
        rows = conn.execute(sa.select(t.c.id, *(t.c[c] for c in cols)).where(t.c.id > last)
                            .order_by(t.c.id).limit(_BATCH)).all()
        if not rows:
            return
        sets = ", ".join(f"{k} = :{k}" for k in pack(rows[0][1:]))
        conn.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"),
                     [{"id": r[0], **pack(r[1:])} for r in rows])
        last = rows[-1][0]


def _pack_report(values) -> dict:
    from fazhi.corpus.packing import pack_json, pack_text

    analysis, text = values
    data = json.loads(analysis) if isinstance(analysis, str) else analysis
    return {"analysis_packed": pack_json(data), "text_packed": pack_text(text or ""), "score_total": _score(data)}


def _pack_paragraph(values) -> dict:
    return {"content_packed": (values[0] or "").encode("utf-16-le")}


def _swap(table: str, col: str) -> None:
    op.drop_column(table, col)
    op.alter_column(table, f"{col}_packed", new_column_name=col)


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("reports", sa.Column("score_total", sa.Float(), nullable=True))
    for table, col in _COLUMNS:
        op.add_column(table, sa.Column(f"{col}_packed", sa.LargeBinary(), nullable=False, server_default=""))
    _convert(conn, "reports", ["analysis", "text"], _pack_report)
    _convert(conn, "paragraphs", ["content"], _pack_paragraph)
    for table, col in _COLUMNS:
        _swap(table, col)
        if conn.dialect.name != "sqlite":  # SQLite cannot drop a default; it is never used
            op.alter_column(table, col, server_default=None)


def downgrade() -> None:
    from fazhi.corpus.packing import unpack_json, unpack_text

    conn = op.get_bind()
    for table, col in _COLUMNS:
        kind, empty = (sa.JSON(), "{}") if col == "analysis" else (sa.Text(), "")
        op.add_column(table, sa.Column(f"{col}_packed", kind, nullable=False, server_default=empty))
    t = sa.table("reports", sa.column("id", sa.Integer), sa.column("analysis", sa.LargeBinary),
                 sa.column("text", sa.LargeBinary))
    for r in conn.execute(sa.select(t.c.id, t.c.analysis, t.c.text)).all():
        conn.execute(sa.text("UPDATE reports SET analysis_packed = :a, text_packed = :t WHERE id = :id"),
                     {"id": r.id, "a": json.dumps(unpack_json(r.analysis)), "t": unpack_text(r.text)})
    p = sa.table("paragraphs", sa.column("id", sa.Integer), sa.column("content", sa.LargeBinary))
    for r in conn.execute(sa.select(p.c.id, p.c.content)).all():
        conn.execute(sa.text("UPDATE paragraphs SET content_packed = :c WHERE id = :id"),
                     {"id": r.id, "c": bytes(r.content).decode("utf-16-le")})
    for table, col in _COLUMNS:
        _swap(table, col)
    op.drop_column("reports", "score_total")
