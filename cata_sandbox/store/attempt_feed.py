"""The attempt feed: each recorded attempt gets the next number, in commit order, and is read back after one.

Why a table and not only an in-process broadcast: the stream must work across worker processes and let
a client resume after a dropped connection (SSE ``Last-Event-ID``) without losing or repeating an attempt.
The number is assigned in the transaction that records the attempt. Numbers must become visible in the
order they were given: on PostgreSQL two transactions could otherwise commit out of order (a reader past
11 would never see 10), so the insert takes a transaction-scoped advisory lock that is held until commit;
SQLite runs one writer at a time anyway. :class:`AttemptSignal` wakes this process's streams early;
attempts recorded by other workers are found by the streams' periodic read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from cata_sandbox.store.sqlite_writer import hot
from cata_sandbox.store.tables import attempt_feed, delivery_attempts, orders

# Any constant will do; it only has to be the same in every worker process (and differ from migrations').
FEED_LOCK_ID = 0x0CA7A5A2
_APPEND = hot(sa.insert(attempt_feed))
_FEED_LOCK = sa.text("SELECT pg_advisory_xact_lock(:id)")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One attempt as the stream shows it."""

    seq: int
    delivery_id: str
    order_id: str
    order_ref_no: str
    outlet_id: str
    route: str
    started_at: datetime
    duration_ms: float
    request_url: str
    response_status: int | None
    dispatched: bool
    reason: str
    external_order_id: str


async def append(conn: Any, *, attempt_id: str, tenant_id: str, postgres: bool) -> None:
    """Number the attempt in the caller's transaction (the one that records it)."""
    if postgres:
        await conn.execute(_FEED_LOCK, {"id": FEED_LOCK_ID})
    await conn.execute(_APPEND, {"attempt_id": attempt_id, "tenant_id": tenant_id})


async def latest(engine: AsyncEngine, tenant_id: str) -> int:
    """The tenant's last number (0 before any attempt): a stream without ``Last-Event-ID`` starts there."""
    async with engine.connect() as conn:
        found = await conn.scalar(
            sa.select(sa.func.max(attempt_feed.c.seq)).where(attempt_feed.c.tenant_id == tenant_id)
        )
    return int(found or 0)


async def read_after(
    engine: AsyncEngine, tenant_id: str, after: int, *, outlet_id: str | None = None, limit: int = 100
) -> list[FeedEntry]:
    """The tenant's attempts numbered after ``after`` (of one outlet), oldest first, at most ``limit``."""
    query = (
        sa.select(
            attempt_feed.c.seq,
            delivery_attempts.c.id,
            delivery_attempts.c.order_id,
            orders.c.order_ref_no,
            orders.c.outlet_id,
            delivery_attempts.c.route,
            delivery_attempts.c.started_at,
            delivery_attempts.c.duration_ms,
            delivery_attempts.c.request_url,
            delivery_attempts.c.response_status,
            delivery_attempts.c.dispatched,
            delivery_attempts.c.reason,
            delivery_attempts.c.external_order_id,
        )
        .select_from(
            attempt_feed.join(delivery_attempts, delivery_attempts.c.id == attempt_feed.c.attempt_id).join(
                orders, orders.c.id == delivery_attempts.c.order_id
            )
        )
        .where(attempt_feed.c.tenant_id == tenant_id, attempt_feed.c.seq > after)
        .order_by(attempt_feed.c.seq)
        .limit(limit)
    )
    if outlet_id is not None:
        query = query.where(orders.c.outlet_id == outlet_id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        FeedEntry(
            seq=int(row.seq),
            delivery_id=row.id,
            order_id=row.order_id,
            order_ref_no=row.order_ref_no,
            outlet_id=row.outlet_id,
            route=row.route,
            started_at=_aware(row.started_at),
            duration_ms=row.duration_ms,
            request_url=row.request_url,
            response_status=row.response_status,
            dispatched=bool(row.dispatched),
            reason=row.reason,
            external_order_id=row.external_order_id,
        )
        for row in rows
    ]


class AttemptSignal:
    """Wakes this process's attempt streams when an attempt is recorded; closed when the service stops."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()
        self.closed = False

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    def close(self) -> None:
        """End every stream: a stream that never ends would hold a graceful shutdown up."""
        self.closed = True
        self.notify()

    async def wait(self, timeout: float) -> None:
        """Until the next :meth:`notify` or ``timeout`` seconds, whichever is first."""
        if self.closed:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)
