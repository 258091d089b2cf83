"""The schema as SQLAlchemy Core tables; the Alembic migrations in ``migrations/`` must match it."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("outlet_id", sa.String(200), nullable=False),
    sa.Column("provider", sa.String(50), nullable=False),
    sa.Column("callback_url", sa.Text, nullable=False),
    sa.Column("events", sa.Text, nullable=False),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_webhooks_tenant_outlet", "tenant_id", "outlet_id"),
)

outlet_providers = sa.Table(
    "outlet_providers",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("outlet_id", sa.String(200), primary_key=True),
    sa.Column("provider_slug", sa.String(50), nullable=False),
    sa.Column("external_id", sa.Text, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Tenant-level POS credentials (``PUT /api/v1/provider-connections/{slug}``); api_key and api_secret are
# write-only. Migration 0003_scripts.
provider_connections = sa.Table(
    "provider_connections",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("provider_slug", sa.String(50), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("api_key", sa.Text, nullable=False),
    sa.Column("api_secret", sa.Text, nullable=False),
    sa.Column("webhook_url", sa.Text, nullable=False),
    sa.Column("base_url", sa.Text, nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("outlet_id", sa.String(200), nullable=False),
    sa.Column("event", sa.String(100), nullable=False),
    sa.Column("transformer", sa.String(50), nullable=True),
    sa.Column("route", sa.String(50), nullable=True),
    sa.Column("order_ref_no", sa.Text, nullable=False),
    # The order exactly as the caller wrote it. Binary, never a JSON column: JSON columns re-serialize.
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("external_order_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Fulfilment (issue 7): NULL until an attempt dispatches; ``version`` guards concurrent status updates.
    sa.Column("fulfilment_status", sa.String(20), nullable=True),
    sa.Column("version", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Index("ix_orders_tenant_created", "tenant_id", "created_at"),
    sa.Index("ix_orders_tenant_outlet_created", "tenant_id", "outlet_id", "created_at"),
    sa.Index("ix_orders_tenant_status", "tenant_id", "status"),
    sa.Index("ix_orders_tenant_external", "tenant_id", "external_order_id"),
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("order_id", sa.String(36), sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("route", sa.String(50), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("request_method", sa.String(10), nullable=False),
    sa.Column("request_url", sa.Text, nullable=False),
    sa.Column("request_headers", sa.Text, nullable=False),
    # NULL for the webhook route, whose body is the order's own bytes; the redacted POS body otherwise.
    sa.Column("request_body", sa.LargeBinary, nullable=True),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("response_headers", sa.Text, nullable=False),
    sa.Column("response_body", sa.LargeBinary, nullable=False),
    sa.Column("dispatched", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("external_order_id", sa.Text, nullable=False),
    # Migration 0003_scripts: the script's error, its context.log lines and precision findings (JSON).
    sa.Column("script_error", sa.Text, nullable=True),
    sa.Column("script_logs", sa.Text, nullable=True),
    sa.Column("findings", sa.Text, nullable=True),
)

# Every accepted fulfilment change, in order: ``version`` is the order's version after the change.
order_status_history = sa.Table(
    "order_status_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(36), sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("previous_status", sa.String(20), nullable=True),
    sa.Column("pos_order_id", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("order_id", "version", name="uq_order_status_history_order_version"),
)

# Inbound POS status webhooks that were acknowledged without a change (not closed, foreign dining option).
status_update_skips = sa.Table(
    "status_update_skips",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(36), sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("pos_order_id", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

# Idempotency-Key of POST /orders/dispatch: claimed in the transaction that inserts the order, so a key
# names at most one order per tenant, across worker processes. ``fingerprint`` is the SHA-256 of the body.
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("order_id", sa.String(36), sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# A 64-bit counter; SQLite needs INTEGER itself for an AUTOINCREMENT rowid.
FEED_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")
# One row per recorded attempt, numbered in commit order: the attempt stream reads the rows after the last
# number a client saw (SSE ``Last-Event-ID``), so a reconnecting client misses none and repeats none.
attempt_feed = sa.Table(
    "attempt_feed",
    metadata,
    sa.Column(
        "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column(
        "attempt_id", sa.String(36), sa.ForeignKey("delivery_attempts.id"), nullable=False, unique=True
    ),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Index("ix_attempt_feed_tenant_seq", "tenant_id", "seq"),
    sqlite_autoincrement=True,
)
