"""One active webhook per outlet, provider and event: registration and updates that keep it that way.

A second active subscription would silently split an outlet's deliveries between two secrets, so both
writes check for a clash inside the transaction that makes the change. The transaction starts by writing
the tenant's row (a no-op update): on PostgreSQL that row lock serializes the tenant's webhook writes
across worker processes, on SQLite it takes the database's write lock before anything is read, so two
registrations at once cannot both see "no webhook yet".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cata_sandbox.errors import Conflict
from cata_sandbox.store import Store, Webhook
from cata_sandbox.store.records import webhook_of_row
from cata_sandbox.store.tables import tenants, webhooks


class DuplicateWebhook(Conflict):
    """The outlet already has an active webhook of that provider for one of the events."""


def clash_message(existing: Webhook, event: str) -> str:
    hook = existing.id
    return (
        f"outlet {existing.outlet_id} already has an active {existing.provider} webhook for {event}:"
        f" webhook {hook} -> {existing.callback_url}. Point it elsewhere with PUT /api/v1/webhooks/{hook}"
        f" (callbackUrl, events), rotate its secret with POST /api/v1/webhooks/{hook}/rotate-secret,"
        f" or deactivate it first (PUT with isActive false)"
    )


async def _lock_tenant(conn: AsyncConnection, tenant_id: str) -> None:
    await conn.execute(sa.update(tenants).where(tenants.c.id == tenant_id).values(name=tenants.c.name))


async def _check_no_clash(
    conn: AsyncConnection,
    tenant_id: str,
    *,
    outlet_id: str,
    provider: str,
    events: list[str],
    exclude: int | None = None,
) -> None:
    query = sa.select(webhooks).where(
        webhooks.c.tenant_id == tenant_id,
        webhooks.c.outlet_id == outlet_id,
        webhooks.c.provider == provider,
        webhooks.c.is_active.is_(True),
        webhooks.c.deleted_at.is_(None),
    )
    if exclude is not None:
        query = query.where(webhooks.c.id != exclude)
    for row in (await conn.execute(query.order_by(webhooks.c.id))).all():
        existing = webhook_of_row(row)
        shared = [event for event in events if event in existing.events]
        if shared:
            raise DuplicateWebhook(clash_message(existing, shared[0]))


async def register_webhook(
    store: Store,
    tenant_id: str,
    *,
    outlet_id: str,
    provider: str,
    callback_url: str,
    events: list[str],
    secret: str,
    now: datetime,
) -> Webhook:
    """Insert a new active webhook; :class:`DuplicateWebhook` when it would be a second subscription."""
    async with store.engine.begin() as conn:
        await _lock_tenant(conn, tenant_id)
        await _check_no_clash(conn, tenant_id, outlet_id=outlet_id, provider=provider, events=events)
        webhook_id = (
            await conn.execute(
                sa.insert(webhooks)
                .values(
                    tenant_id=tenant_id,
                    outlet_id=outlet_id,
                    provider=provider,
                    callback_url=callback_url,
                    events=msgspec.json.encode(events).decode(),
                    secret=secret,
                    is_active=True,
                    created_at=now,
                    updated_at=now,
                )
                .returning(webhooks.c.id)
            )
        ).scalar_one()
        row = (await conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id))).one()
    return webhook_of_row(row)


async def update_webhook(
    store: Store,
    tenant_id: str,
    webhook_id: int,
    now: datetime,
    *,
    callback_url: str | None = None,
    events: list[str] | None = None,
    is_active: bool | None = None,
) -> Webhook | None:
    """Change a webhook (None: not found); :class:`DuplicateWebhook` when it would clash once active."""
    async with store.engine.begin() as conn:
        await _lock_tenant(conn, tenant_id)
        where = (
            webhooks.c.id == webhook_id,
            webhooks.c.tenant_id == tenant_id,
            webhooks.c.deleted_at.is_(None),
        )
        row = (await conn.execute(sa.select(webhooks).where(*where))).first()
        if row is None:
            return None
        current = webhook_of_row(row)
        active = current.is_active if is_active is None else is_active
        if active:
            await _check_no_clash(
                conn,
                tenant_id,
                outlet_id=current.outlet_id,
                provider=current.provider,
                events=current.events if events is None else events,
                exclude=current.id,
            )
        values: dict[str, Any] = {"updated_at": now}
        if callback_url is not None:
            values["callback_url"] = callback_url
        if events is not None:
            values["events"] = msgspec.json.encode(events).decode()
        if is_active is not None:
            values["is_active"] = is_active
        await conn.execute(sa.update(webhooks).where(*where).values(**values))
        row = (await conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id))).one()
    return webhook_of_row(row)
