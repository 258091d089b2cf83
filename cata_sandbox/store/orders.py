"""Orders and their delivery attempts: the dispatch hot path's writes, and the reads of the order API."""

from __future__ import annotations

from datetime import datetime

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cata_sandbox.store import attempt_feed
from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.fulfilment import mark_paid
from cata_sandbox.store.records import (
    Attempt,
    StoredOrder,
    Webhook,
    attempt_of_row,
    order_of_row,
    webhook_of_row,
)
from cata_sandbox.store.sqlite_writer import hot
from cata_sandbox.store.tables import (
    delivery_attempts,
    orders,
    webhooks,
)

# Hot-path statements, built once and executed with parameters: building one per call (``.values()``)
# costs more CPU than executing it (profiled; README, Performance).
_INSERT_ORDER = hot(sa.insert(orders))
_INSERT_ATTEMPT = hot(sa.insert(delivery_attempts))
_SET_OUTCOME = hot(
    sa.update(orders)
    .where(orders.c.id == sa.bindparam("b_order_id"))
    .values(
        status=sa.bindparam("b_status"),
        reason=sa.bindparam("b_reason"),
        external_order_id=sa.bindparam("b_external_order_id"),
        updated_at=sa.bindparam("b_updated_at"),
    )
)
_ACTIVE_WEBHOOKS = hot(
    sa.select(webhooks)
    .where(
        webhooks.c.tenant_id == sa.bindparam("tenant_id"),
        webhooks.c.outlet_id == sa.bindparam("outlet_id"),
        webhooks.c.is_active.is_(True),
        webhooks.c.deleted_at.is_(None),
    )
    .order_by(webhooks.c.id.desc())
)


class OrderStore(StoreBase):
    """Orders and attempts, tenant-scoped."""

    async def active_webhook_for(
        self, conn: AsyncConnection, tenant_id: str, outlet_id: str, event: str
    ) -> Webhook | None:
        rows = (await conn.execute(_ACTIVE_WEBHOOKS, {"tenant_id": tenant_id, "outlet_id": outlet_id})).all()
        for row in rows:
            hook = webhook_of_row(row)
            if event in hook.events:
                return hook
        return None

    async def insert_order(self, conn: AsyncConnection, order: StoredOrder) -> None:
        await conn.execute(
            _INSERT_ORDER,
            {
                "id": order.id,
                "tenant_id": order.tenant_id,
                "outlet_id": order.outlet_id,
                "event": order.event,
                "transformer": order.transformer,
                "route": order.route,
                "order_ref_no": order.order_ref_no,
                "body": order.body,
                "status": order.status,
                "reason": order.reason,
                "external_order_id": order.external_order_id,
                "created_at": order.created_at,
                "updated_at": order.updated_at,
            },
        )

    async def record_attempt(self, attempt: Attempt, *, tenant_id: str, status: str, now: datetime) -> None:
        """Store one attempt and the order's outcome together, so neither is ever seen without the other."""
        await self.transaction(self._record_attempt_in, attempt, tenant_id=tenant_id, status=status, now=now)
        self.attempts_recorded.notify()

    async def _record_attempt_in(
        self, conn: AsyncConnection, attempt: Attempt, *, tenant_id: str, status: str, now: datetime
    ) -> None:
        await conn.execute(
            _INSERT_ATTEMPT,
            {
                "id": attempt.id,
                "order_id": attempt.order_id,
                "tenant_id": tenant_id,
                "route": attempt.route,
                "started_at": attempt.started_at,
                "duration_ms": attempt.duration_ms,
                "request_method": attempt.request_method,
                "request_url": attempt.request_url,
                "request_headers": msgspec.json.encode(attempt.request_headers).decode(),
                "request_body": attempt.request_body,
                "response_status": attempt.response_status,
                "response_headers": msgspec.json.encode(attempt.response_headers).decode(),
                "response_body": attempt.response_body,
                "dispatched": attempt.dispatched,
                "reason": attempt.reason,
                "external_order_id": attempt.external_order_id,
                "script_error": attempt.script_error or None,
                "script_logs": msgspec.json.encode(attempt.script_logs).decode()
                if attempt.script_logs
                else None,
                "findings": msgspec.json.encode(attempt.findings).decode() if attempt.findings else None,
            },
        )
        if attempt.dispatched:
            await mark_paid(conn, attempt, tenant_id=tenant_id, now=now)
        await conn.execute(
            _SET_OUTCOME,
            {
                "b_order_id": attempt.order_id,
                "b_status": status,
                "b_reason": attempt.reason,
                "b_external_order_id": attempt.external_order_id,
                "b_updated_at": now,
            },
        )
        # Last: on PostgreSQL it takes the feed's lock, held until this transaction commits.
        await attempt_feed.append(conn, attempt_id=attempt.id, tenant_id=tenant_id, postgres=self._postgres)

    async def set_order_outcome(self, order_id: str, *, status: str, reason: str, now: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(orders)
                .where(orders.c.id == order_id)
                .values(status=status, reason=reason, updated_at=now)
            )

    async def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(orders).where(orders.c.id == order_id, orders.c.tenant_id == tenant_id)
                )
            ).first()
        return None if row is None else order_of_row(row)

    async def list_attempts(self, tenant_id: str, order_id: str) -> list[Attempt]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(delivery_attempts)
                    .where(
                        delivery_attempts.c.order_id == order_id, delivery_attempts.c.tenant_id == tenant_id
                    )
                    .order_by(delivery_attempts.c.started_at, delivery_attempts.c.id)
                )
            ).all()
        return [attempt_of_row(row) for row in rows]

    async def list_orders(
        self,
        tenant_id: str,
        *,
        outlet_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[StoredOrder], int]:
        where = [orders.c.tenant_id == tenant_id]
        if outlet_id is not None:
            where.append(orders.c.outlet_id == outlet_id)
        if status is not None:
            where.append(orders.c.status == status)
        async with self.engine.connect() as conn:
            total = await conn.scalar(sa.select(sa.func.count()).select_from(orders).where(*where))
            rows = (
                await conn.execute(
                    sa.select(orders)
                    .where(*where)
                    .order_by(orders.c.created_at.desc(), orders.c.id.desc())
                    .limit(limit)
                    .offset(offset)
                )
            ).all()
        return [order_of_row(row) for row in rows], int(total or 0)
