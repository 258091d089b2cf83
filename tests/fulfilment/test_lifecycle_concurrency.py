"""Concurrent status updates straight against the store, on SQLite and PostgreSQL.

Many writers race on one order through their own pooled connections; the optimistic version check must
leave one unbroken chain of history (each entry's previous status is the entry before it), with no lost
or doubled change and no "database is locked" on SQLite.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from cata_sandbox.errors import Conflict
from cata_sandbox.fulfilment.states import FulfilmentStatus, next_status
from cata_sandbox.store import Attempt, FulfilmentUpdate, StatusChange, Store, StoredOrder
from cata_sandbox.store.db import create_engine, migrate

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    engine = create_engine(database_url)
    await migrate(engine)
    try:
        yield Store(engine)
    finally:
        await engine.dispose()


async def new_order(store: Store, tenant_id: str) -> str:
    order = StoredOrder(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        outlet_id="outlet-1",
        event="order.paid",
        transformer=None,
        route="webhook",
        order_ref_no="R-1",
        body=b"{}",
        status="pending",
        reason="",
        external_order_id="",
        created_at=NOW,
        updated_at=NOW,
    )
    async with store.engine.begin() as conn:
        await store.insert_order(conn, order)
    return order.id


def attempt(order_id: str, external_id: str) -> Attempt:
    return Attempt(
        id=str(uuid.uuid4()),
        order_id=order_id,
        route="webhook",
        started_at=NOW,
        duration_ms=1.0,
        request_method="POST",
        request_url="http://127.0.0.1:9/hook",
        request_headers={},
        request_body=None,
        response_status=200,
        response_headers={},
        response_body=b"{}",
        dispatched=True,
        reason="",
        external_order_id=external_id,
    )


async def paid_order(store: Store) -> tuple[str, str]:
    tenant_id = await store.ensure_tenant(f"t-{uuid.uuid4().hex[:8]}", NOW)
    order_id = await new_order(store, tenant_id)
    await store.record_attempt(attempt(order_id, "ext-1"), tenant_id=tenant_id, status="dispatched", now=NOW)
    return tenant_id, order_id


async def race(store: Store, tenant_id: str, order_id: str, targets: list[str]) -> tuple[list[object], int]:
    decisions = 0

    async def one(index: int, target: str) -> FulfilmentUpdate:
        def decide(current: str | None) -> str | None:
            nonlocal decisions
            decisions += 1
            return next_status(order_id, current, FulfilmentStatus(target))

        change = StatusChange(source="api", pos_order_id=f"w-{index}")
        return await store.update_fulfilment(tenant_id, order_id, decide, change, now=NOW)

    results = await asyncio.gather(*(one(i, t) for i, t in enumerate(targets)), return_exceptions=True)
    return list(results), decisions


async def test_racing_writers_leave_one_unbroken_history(store: Store) -> None:
    tenant_id, order_id = await paid_order(store)
    targets = ["ACCEPTED", "IN_PROGRESS", "READY", "DRIVER_PICKED_UP", "COMPLETED", "CANCELLED"] * 3

    results, decisions = await race(store, tenant_id, order_id, targets)

    unexpected = [r for r in results if not isinstance(r, FulfilmentUpdate | Conflict)]
    assert unexpected == []
    changed = [r for r in results if isinstance(r, FulfilmentUpdate) and r.entry is not None]
    history = await store.status_history(tenant_id, order_id)
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    assert history[0].status == "PAID"
    for before, after in itertools.pairwise(history):
        assert after.previous_status == before.status
        assert next_status(order_id, before.status, FulfilmentStatus(after.status)) == after.status
    assert sorted(e.pos_order_id or "" for e in history[1:]) == sorted(
        r.entry.pos_order_id or "" for r in changed if r.entry
    )
    order = await store.get_order(tenant_id, order_id)
    assert order is not None
    assert order.fulfilment_status == history[-1].status
    assert order.version == len(history)
    # every call was decided at least once; more decisions than calls means writers lost races and retried
    assert decisions >= len(targets)


async def test_the_same_status_sent_many_times_at_once_is_applied_once(store: Store) -> None:
    tenant_id, order_id = await paid_order(store)

    results, _ = await race(store, tenant_id, order_id, ["ACCEPTED"] * 12)

    updates = [r for r in results if isinstance(r, FulfilmentUpdate)]
    assert len(updates) == 12
    assert sum(u.entry is not None for u in updates) == 1
    assert all(u.status == "ACCEPTED" for u in updates)
    history = await store.status_history(tenant_id, order_id)
    assert [(e.status, e.previous_status) for e in history] == [("PAID", None), ("ACCEPTED", "PAID")]


async def test_attempts_that_dispatch_at_once_make_one_paid_entry(store: Store) -> None:
    tenant_id = await store.ensure_tenant("racing-attempts", NOW)
    order_id = await new_order(store, tenant_id)

    await asyncio.gather(
        *(
            store.record_attempt(
                attempt(order_id, f"ext-{i}"), tenant_id=tenant_id, status="dispatched", now=NOW
            )
            for i in range(6)
        )
    )

    history = await store.status_history(tenant_id, order_id)
    assert [(e.status, e.version, e.source) for e in history] == [("PAID", 1, "dispatch")]
    assert len(await store.list_attempts(tenant_id, order_id)) == 6


async def test_a_failed_attempt_leaves_the_order_without_a_status(store: Store) -> None:
    tenant_id = await store.ensure_tenant("failing", NOW)
    order_id = await new_order(store, tenant_id)
    failed = Attempt(
        **{**{f: getattr(attempt(order_id, ""), f) for f in Attempt.__slots__}, "dispatched": False}
    )

    await store.record_attempt(failed, tenant_id=tenant_id, status="failed", now=NOW)

    order = await store.get_order(tenant_id, order_id)
    assert order is not None
    assert (order.fulfilment_status, order.version) == (None, 0)
    assert await store.status_history(tenant_id, order_id) == []
