"""Idempotency keys of the dispatch endpoint: claim, look up, and the first outcome to replay."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.records import OrderStatus
from cata_sandbox.store.tables import (
    delivery_attempts,
    idempotency_keys,
    orders,
)


class IdempotencyStore(StoreBase):
    """Idempotency keys, tenant-scoped."""

    async def claim_idempotency_key(
        self,
        conn: AsyncConnection,
        tenant_id: str,
        *,
        key: str,
        fingerprint: str,
        order_id: str,
        now: datetime,
    ) -> None:
        """Claim ``key`` for ``order_id`` in the caller's transaction; IntegrityError when it is taken."""
        await conn.execute(
            sa.insert(idempotency_keys).values(
                tenant_id=tenant_id, key=key, fingerprint=fingerprint, order_id=order_id, created_at=now
            )
        )

    async def find_idempotency_key(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        """(order id, body fingerprint) of a claimed key, or None."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(idempotency_keys.c.order_id, idempotency_keys.c.fingerprint).where(
                        idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.key == key
                    )
                )
            ).first()
        return None if row is None else (row.order_id, row.fingerprint)

    async def first_outcome(self, tenant_id: str, order_id: str) -> tuple[bool, str, str] | None:
        """(dispatched, reason, externalOrderId) the order's dispatch first answered; None while pending.

        The first attempt when there is one (a later redispatch does not change what the first request
        answered); else the order itself (no route: failed without an attempt). The order is read first:
        its status and its first attempt are committed together, so once it is not pending the attempt
        is visible too.
        """
        async with self.engine.connect() as conn:
            order = (
                await conn.execute(
                    sa.select(orders.c.status, orders.c.reason).where(
                        orders.c.id == order_id, orders.c.tenant_id == tenant_id
                    )
                )
            ).first()
            if order is None or order.status == OrderStatus.PENDING:
                return None
            first = (
                await conn.execute(
                    sa.select(
                        delivery_attempts.c.dispatched,
                        delivery_attempts.c.reason,
                        delivery_attempts.c.external_order_id,
                    )
                    .where(
                        delivery_attempts.c.order_id == order_id, delivery_attempts.c.tenant_id == tenant_id
                    )
                    .order_by(delivery_attempts.c.started_at, delivery_attempts.c.id)
                    .limit(1)
                )
            ).first()
        if first is not None:
            return bool(first.dispatched), first.reason, first.external_order_id
        return False, order.reason, ""
