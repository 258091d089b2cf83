"""Order lifecycle: fulfilment status and version on orders, the status history, skipped inbound updates.

Revision ID: 0002_lifecycle
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_lifecycle"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("fulfilment_status", sa.String(20), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_orders_tenant_external", "orders", ["tenant_id", "external_order_id"])
    op.create_table(
        "order_status_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("order_id", sa.String(36), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("previous_status", sa.String(20), nullable=True),
        sa.Column("pos_order_id", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.UniqueConstraint("order_id", "version", name="uq_order_status_history_order_version"),
    )
    op.create_table(
        "status_update_skips",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("order_id", sa.String(36), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("pos_order_id", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
    )
    op.create_index("ix_status_update_skips_order_id", "status_update_skips", ["order_id"])


def downgrade() -> None:
    op.drop_table("status_update_skips")
    op.drop_table("order_status_history")
    op.drop_index("ix_orders_tenant_external", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("version")
        batch.drop_column("fulfilment_status")
