"""The attempt feed: every recorded attempt numbered in commit order, for the attempt stream.

Revision ID: 0002_attempt_feed
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_attempt_feed"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempt_feed",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column(
            "attempt_id", sa.String(36), sa.ForeignKey("delivery_attempts.id"), nullable=False, unique=True
        ),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_attempt_feed_tenant_seq", "attempt_feed", ["tenant_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_attempt_feed_tenant_seq", "attempt_feed")
    op.drop_table("attempt_feed")
