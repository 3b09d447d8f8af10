"""Report ids never reused (SQLite AUTOINCREMENT), copy matches stored once per report, the
submitting unit of a report, server-side web sessions, login throttling, and the audit log's
address and browser.

- reports: rebuilt on SQLite with AUTOINCREMENT (its sequence starts above every report id an
  audit row names, so an id removed before this migration is not handed out again either);
  new columns unit_id (the unit that submitted it) and copies_at (NULL: copy matches not yet
  computed; fazhi computes them for such reports on first need, see Corpus.ensure_copies).
- copy_matches: verified shared passages, one row per direction.
- web_sessions, login_throttle: see fazhi/cycle/models.py.
- audit_log: ip, user_agent.

Rebuilding `reports` on SQLite needs foreign keys off (a DROP TABLE with them on would delete
every child row); fazhi.corpus.store.upgrade runs migrations that way, inside one transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        if conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise RuntimeError("SQLite foreign keys must be off while reports is rebuilt "
                               "(run migrations through fazhi.corpus.store.upgrade)")
        with op.batch_alter_table("reports", recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}) as batch:
            batch.add_column(sa.Column("unit_id", sa.Integer()))
            batch.add_column(sa.Column("copies_at", sa.DateTime()))
        _seed_sequence(conn)
    else:
        op.add_column("reports", sa.Column("unit_id", sa.Integer()))
        op.add_column("reports", sa.Column("copies_at", sa.DateTime()))
    op.create_table(
        "copy_matches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit_seq", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("o_start", sa.Integer(), nullable=False),
        sa.Column("o_end", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
    )
    op.create_index("ix_copy_matches_report_id", "copy_matches", ["report_id"])
    op.create_index("ix_copy_matches_other_id", "copy_matches", ["other_id"])
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.String(255)),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime()),
    )
    op.add_column("audit_log", sa.Column("ip", sa.String(64)))
    op.add_column("audit_log", sa.Column("user_agent", sa.String(255)))


def _seed_sequence(conn) -> None:
    """Start the AUTOINCREMENT sequence of reports above the highest report id the audit log names."""
    top = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM reports").scalar()
    for (target,) in conn.exec_driver_sql("SELECT target FROM audit_log WHERE target LIKE 'report:%'"):
        tail = str(target)[len("report:"):]
        if tail.isdigit() and len(tail) < 10:
            top = max(top, int(tail))
    for (value,) in conn.exec_driver_sql(
            "SELECT json_extract(detail, '$.report_id') FROM audit_log WHERE detail IS NOT NULL"):
        if isinstance(value, int) and 0 < value < 2**31:
            top = max(top, value)
    if top:
        conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'reports'")
        conn.exec_driver_sql(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('reports', {int(top)})")


def downgrade() -> None:
    op.drop_column("audit_log", "user_agent")
    op.drop_column("audit_log", "ip")
    op.drop_table("login_throttle")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index("ix_copy_matches_other_id", table_name="copy_matches")
    op.drop_index("ix_copy_matches_report_id", table_name="copy_matches")
    op.drop_table("copy_matches")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("copies_at")
        batch.drop_column("unit_id")
