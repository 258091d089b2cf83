"""The inspector's reads (store/inspection.py) on SQLite and PostgreSQL: filters, counts, chart points, keys."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cata_sandbox.store import Attempt, OrderQuery, Store, StoredOrder, hash_key
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


async def add_order(store: Store, tenant_id: str, ref: str, minute: int, **fields: object) -> StoredOrder:
    order = StoredOrder(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        outlet_id="outlet-1",
        event="order.paid",
        transformer=None,
        route="webhook",
        order_ref_no=ref,
        body=b"{}",
        status="pending",
        reason="",
        external_order_id="",
        created_at=NOW + timedelta(minutes=minute),
        updated_at=NOW,
    )
    order = replace(order, **fields)  # type: ignore[arg-type]
    async with store.engine.begin() as conn:
        await store.insert_order(conn, order)
    return order


def attempt(order_id: str, minute: int, dispatched: bool) -> Attempt:
    return Attempt(
        id=str(uuid.uuid4()),
        order_id=order_id,
        route="webhook",
        started_at=NOW + timedelta(minutes=minute),
        duration_ms=10.0 + minute,
        request_method="POST",
        request_url="http://127.0.0.1:9/hook",
        request_headers={},
        request_body=None,
        response_status=200 if dispatched else 503,
        response_headers={},
        response_body=b"{}",
        dispatched=dispatched,
        reason="" if dispatched else "HTTP 503",
        external_order_id="",
    )


async def test_filters_combine_and_stay_within_the_tenant(store: Store) -> None:
    tenant = await store.ensure_tenant("inspect-a", NOW)
    other = await store.ensure_tenant("inspect-b", NOW)
    await add_order(store, tenant, "ABC-1", 1)
    revel = await add_order(store, tenant, "ABC_2%", 2, route="revel", transformer="revel", outlet_id="o-2")
    await add_order(store, tenant, "XYZ-3", 3, status="failed")
    await add_order(store, other, "ABC-9", 4)

    found, total = await store.search_orders(tenant, OrderQuery(), limit=2, offset=0)
    assert total == 3
    assert [o.order_ref_no for o in found] == ["XYZ-3", "ABC_2%"]  # newest first
    found, total = await store.search_orders(tenant, OrderQuery(ref_contains="ABC"), limit=10, offset=0)
    assert sorted(o.order_ref_no for o in found) == ["ABC-1", "ABC_2%"]
    # LIKE's wildcards in the search text are literal characters
    found, _ = await store.search_orders(tenant, OrderQuery(ref_contains="_2%"), limit=10, offset=0)
    assert [o.id for o in found] == [revel.id]
    found, _ = await store.search_orders(
        tenant, OrderQuery(route="revel", outlet_id="o-2"), limit=10, offset=0
    )
    assert [o.id for o in found] == [revel.id]
    found, _ = await store.search_orders(tenant, OrderQuery(status="failed"), limit=10, offset=0)
    assert [o.order_ref_no for o in found] == ["XYZ-3"]
    assert await store.order_counts(tenant) == {"pending": 2, "failed": 1}
    assert await store.outlet_ids(tenant) == ["o-2", "outlet-1"]


async def test_recent_attempts_are_the_outlets_last_ones_oldest_first(store: Store) -> None:
    tenant = await store.ensure_tenant("inspect-c", NOW)
    order = await add_order(store, tenant, "R-1", 0)
    for minute in range(5):
        await store.record_attempt(
            attempt(order.id, minute, minute % 2 == 0), tenant_id=tenant, status="dispatched", now=NOW
        )
    points = await store.recent_attempts(tenant, "outlet-1", 3)
    assert [p.duration_ms for p in points] == [12.0, 13.0, 14.0]
    assert [p.dispatched for p in points] == [True, False, True]
    assert await store.recent_attempts(tenant, "outlet-2", 3) == []


async def test_session_key_gives_the_key_and_its_hash(store: Store) -> None:
    await store.add_api_key("inspect-d", "raw-key-for-session", NOW)
    key = await store.find_api_key("raw-key-for-session")
    assert key is not None
    found = await store.session_key(key.id)
    assert found is not None
    assert found[0] == key
    assert found[1] == hash_key("raw-key-for-session")
    assert await store.session_key(key.id + 1000) is None
