"""Webhook subscriptions of an outlet: list, read, change, soft-delete (secrets generated here).

A new subscription is inserted by :func:`cata_sandbox.store.webhook_rules.register_webhook`, which checks
for a clash in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.records import (
    Webhook,
    webhook_of_row,
)
from cata_sandbox.store.tables import (
    webhooks,
)


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookStore(StoreBase):
    """Webhooks, tenant-scoped."""

    async def list_webhooks(self, tenant_id: str, outlet_id: str | None = None) -> list[Webhook]:
        query = sa.select(webhooks).where(webhooks.c.tenant_id == tenant_id, webhooks.c.deleted_at.is_(None))
        if outlet_id is not None:
            query = query.where(webhooks.c.outlet_id == outlet_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(webhooks.c.id))).all()
        return [webhook_of_row(row) for row in rows]

    async def get_webhook(self, tenant_id: str, webhook_id: int) -> Webhook | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(webhooks).where(
                        webhooks.c.id == webhook_id,
                        webhooks.c.tenant_id == tenant_id,
                        webhooks.c.deleted_at.is_(None),
                    )
                )
            ).first()
        return None if row is None else webhook_of_row(row)

    async def update_webhook(
        self, tenant_id: str, webhook_id: int, now: datetime, **changes: Any
    ) -> Webhook | None:
        values: dict[str, Any] = {"updated_at": now}
        for name, value in changes.items():
            if value is None:
                continue
            values[name] = msgspec.json.encode(value).decode() if name == "events" else value
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(webhooks)
                .where(
                    webhooks.c.id == webhook_id,
                    webhooks.c.tenant_id == tenant_id,
                    webhooks.c.deleted_at.is_(None),
                )
                .values(**values)
            )
            if result.rowcount == 0:
                return None
            row = (await conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id))).one()
        return webhook_of_row(row)

    async def delete_webhook(self, tenant_id: str, webhook_id: int, now: datetime) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(webhooks)
                .where(
                    webhooks.c.id == webhook_id,
                    webhooks.c.tenant_id == tenant_id,
                    webhooks.c.deleted_at.is_(None),
                )
                .values(deleted_at=now, is_active=False, updated_at=now)
            )
            return bool(result.rowcount)
