"""Adapter scripts: the attempt's script error, log lines and precision findings; provider connections.

Revision ID: 0003_scripts
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_scripts"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.add_column(sa.Column("script_error", sa.Text, nullable=True))
        batch.add_column(sa.Column("script_logs", sa.Text, nullable=True))
        batch.add_column(sa.Column("findings", sa.Text, nullable=True))
    op.create_table(
        "provider_connections",
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("provider_slug", sa.String(50), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("api_key", sa.Text, nullable=False),
        sa.Column("api_secret", sa.Text, nullable=False),
        sa.Column("webhook_url", sa.Text, nullable=False),
        sa.Column("base_url", sa.Text, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("provider_connections")
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.drop_column("findings")
        batch.drop_column("script_logs")
        batch.drop_column("script_error")
