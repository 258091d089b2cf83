"""Fulfilment status of orders: PAID on first dispatch, optimistic-concurrency updates, history, skips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cata_sandbox.errors import Conflict, NotFound
from cata_sandbox.fulfilment.states import FulfilmentStatus
from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.records import (
    Attempt,
    FulfilmentUpdate,
    StatusChange,
    StatusEntry,
    StatusSkip,
    StoredOrder,
    aware,
    order_of_row,
)
from cata_sandbox.store.sqlite_writer import hot
from cata_sandbox.store.tables import (
    order_status_history,
    orders,
    status_update_skips,
)

DISPATCH_SOURCE = "dispatch"
# Each failed try means another writer's change committed, so the order is making progress.
MAX_STATUS_RETRIES = 50

_MARK_PAID = hot(
    sa.update(orders)
    .where(orders.c.id == sa.bindparam("b_order_id"), orders.c.fulfilment_status.is_(None))
    .values(fulfilment_status=FulfilmentStatus.PAID.value, version=orders.c.version + 1)
    .returning(orders.c.version)
)
_INSERT_HISTORY = hot(sa.insert(order_status_history))


async def mark_paid(conn: AsyncConnection, attempt: Attempt, *, tenant_id: str, now: datetime) -> None:
    """An order's first successful attempt makes it PAID, with the first history entry.

    Runs inside ``record_attempt``'s transaction. The conditional UPDATE takes the row lock first, so
    two attempts that dispatch at once add one PAID entry, not two; a redispatch leaves a status alone.
    """
    paid = (await conn.execute(_MARK_PAID, {"b_order_id": attempt.order_id})).first()
    if paid is None:
        return
    await conn.execute(
        _INSERT_HISTORY,
        {
            "order_id": attempt.order_id,
            "tenant_id": tenant_id,
            "version": paid.version,
            "status": FulfilmentStatus.PAID.value,
            "previous_status": None,
            "pos_order_id": attempt.external_order_id or None,
            "reason": None,
            "source": DISPATCH_SOURCE,
            "occurred_at": now,
            "recorded_at": now,
        },
    )


class FulfilmentStore(StoreBase):
    """Fulfilment status, history and skipped updates, tenant-scoped."""

    async def update_fulfilment(
        self,
        tenant_id: str,
        order_id: str,
        decide: Callable[[str | None], str | None],
        change: StatusChange,
        *,
        now: datetime,
    ) -> FulfilmentUpdate:
        """Apply ``decide(current)`` to the order's fulfilment status with optimistic concurrency.

        ``decide`` returns the status to store, None for "already there" (nothing is written), or raises.
        The write is one transaction that starts with ``UPDATE ... WHERE version = <read version>`` and
        adds the history entry: a concurrent writer makes the UPDATE match no row, and the change is
        re-read and re-decided. Starting with the write matters on SQLite, where a transaction that
        read first and then writes can fail instead of waiting for the lock.
        """
        for _ in range(MAX_STATUS_RETRIES):
            async with self.engine.connect() as conn:
                row = (
                    await conn.execute(
                        sa.select(orders.c.fulfilment_status, orders.c.version).where(
                            orders.c.id == order_id, orders.c.tenant_id == tenant_id
                        )
                    )
                ).first()
                # End the read before writing: the write transaction must begin with the UPDATE.
                await conn.rollback()
                if row is None:
                    raise NotFound(f"order {order_id} not found")
                current: str | None = row.fulfilment_status
                target = decide(current)
                if target is None:
                    return FulfilmentUpdate(status=current, previous_status=current, entry=None)
                async with conn.begin():
                    moved = await conn.execute(
                        sa.update(orders)
                        .where(
                            orders.c.id == order_id,
                            orders.c.tenant_id == tenant_id,
                            orders.c.version == row.version,
                        )
                        .values(fulfilment_status=target, version=row.version + 1, updated_at=now)
                        .values(**_external_id(change.pos_order_id))
                    )
                    if moved.rowcount == 1:
                        entry = StatusEntry(
                            version=row.version + 1,
                            status=target,
                            previous_status=current,
                            pos_order_id=change.pos_order_id,
                            reason=change.reason,
                            source=change.source,
                            # UTC: SQLite keeps the wall time and drops the offset.
                            occurred_at=(change.occurred_at or now).astimezone(UTC),
                            recorded_at=now,
                        )
                        await conn.execute(
                            sa.insert(order_status_history).values(
                                order_id=order_id,
                                tenant_id=tenant_id,
                                version=entry.version,
                                status=entry.status,
                                previous_status=entry.previous_status,
                                pos_order_id=entry.pos_order_id,
                                reason=entry.reason,
                                source=entry.source,
                                occurred_at=entry.occurred_at,
                                recorded_at=entry.recorded_at,
                            )
                        )
                        return FulfilmentUpdate(status=target, previous_status=current, entry=entry)
        raise Conflict(f"order {order_id} was changed concurrently too many times; try again")

    async def status_history(self, tenant_id: str, order_id: str) -> list[StatusEntry]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(order_status_history)
                    .where(
                        order_status_history.c.order_id == order_id,
                        order_status_history.c.tenant_id == tenant_id,
                    )
                    .order_by(order_status_history.c.version)
                )
            ).all()
        return [
            StatusEntry(
                version=row.version,
                status=row.status,
                previous_status=row.previous_status,
                pos_order_id=row.pos_order_id,
                reason=row.reason,
                source=row.source,
                occurred_at=aware(row.occurred_at),
                recorded_at=aware(row.recorded_at),
            )
            for row in rows
        ]

    async def find_order_by_external_id(
        self, tenant_id: str, transformer: str, external_order_id: str
    ) -> StoredOrder | None:
        """The newest order sent through ``transformer`` whose POS order id is ``external_order_id``."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(orders)
                    .where(
                        orders.c.tenant_id == tenant_id,
                        orders.c.external_order_id == external_order_id,
                        orders.c.transformer == transformer,
                    )
                    .order_by(orders.c.created_at.desc(), orders.c.id.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else order_of_row(row)

    async def record_status_skip(self, tenant_id: str, order_id: str, skip: StatusSkip) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.insert(status_update_skips).values(
                    order_id=order_id,
                    tenant_id=tenant_id,
                    source=skip.source,
                    pos_order_id=skip.pos_order_id,
                    reason=skip.reason,
                    received_at=skip.received_at,
                )
            )

    async def status_skips(self, tenant_id: str, order_id: str) -> list[StatusSkip]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(status_update_skips)
                    .where(
                        status_update_skips.c.order_id == order_id,
                        status_update_skips.c.tenant_id == tenant_id,
                    )
                    .order_by(status_update_skips.c.id)
                )
            ).all()
        return [
            StatusSkip(
                source=row.source,
                pos_order_id=row.pos_order_id,
                reason=row.reason,
                received_at=aware(row.received_at),
            )
            for row in rows
        ]


def _external_id(pos_order_id: str | None) -> dict[str, Any]:
    """A POS that gives its id only later (Lightspeed's SUCCESS) sets the order's empty externalOrderId."""
    if not pos_order_id:
        return {}
    column = orders.c.external_order_id
    return {"external_order_id": sa.case((column == "", pos_order_id), else_=column)}
