"""Alembic environment: always run with a connection handed in by ``cata_sandbox.store.db.migrate``."""

from __future__ import annotations

from alembic import context

from cata_sandbox.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the CLI and the app always pass one
    raise RuntimeError("run migrations through cata_sandbox.store.db.migrate, which passes a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
