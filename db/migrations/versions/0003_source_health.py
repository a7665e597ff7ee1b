"""source health and polling state

Per source: its health state for dashboards, when it last succeeded and failed, its
backoff, its adaptive polling interval; and per crawl, the Retry-After a server asked for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_health",
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state_since", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_success_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_item_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("items_per_day", sa.Float(), nullable=False),
        sa.Column("usual_items_per_day", sa.Float(), nullable=True),
        sa.Column("usual_gap_seconds", sa.Float(), nullable=True),
        sa.Column("next_attempt_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("poll_interval_seconds", sa.Float(), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_health_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_health")),
    )
    with op.batch_alter_table("crawl_run_sources") as batch:
        batch.add_column(
            sa.Column("retry_after_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("crawl_run_sources") as batch:
        batch.drop_column("retry_after_at")
    op.drop_table("source_health")
