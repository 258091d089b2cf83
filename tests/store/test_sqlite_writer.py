"""The SQLite writer: one-hop transactions store exactly what the SQLAlchemy path stores."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cata_sandbox.store import Attempt, Store, StoredOrder
from cata_sandbox.store.db import create_engine, migrate
from cata_sandbox.store.sqlite_writer import SqliteWriter, SuspendedTransaction

NOW = datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=UTC)


def stored_order(order_id: str, tenant_id: str) -> StoredOrder:
    return StoredOrder(
        id=order_id,
        tenant_id=tenant_id,
        outlet_id="outlet-1",
        event="order.paid",
        transformer=None,
        route="webhook",
        order_ref_no="R-1",
        body=b'{"orderRefNo":"R-1","totalPay":1.50}',
        status="pending",
        reason="",
        external_order_id="",
        created_at=NOW,
        updated_at=NOW,
    )


def attempt(order_id: str) -> Attempt:
    return Attempt(
        id=f"delivery-{order_id}",
        order_id=order_id,
        route="webhook",
        started_at=NOW,
        duration_ms=12.5,
        request_method="POST",
        request_url="http://127.0.0.1:9/hook",
        request_headers={"X-Cata-Event": "order.paid"},
        request_body=None,
        response_status=200,
        response_headers={"content-type": "application/json"},
        response_body=b'{"externalOrderId":"E-1"}',
        dispatched=True,
        reason="",
        external_order_id="E-1",
    )


async def write_one(store: Store, order_id: str) -> str:
    tenant_id, _ = await store.add_api_key("acme", "key-1", NOW)
    await store.transaction(store.insert_order, stored_order(order_id, tenant_id))
    await store.record_attempt(attempt(order_id), tenant_id=tenant_id, status="dispatched", now=NOW)
    return tenant_id


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("orders", "delivery_attempts", "order_status_history")
        }


async def test_writer_rows_equal_sqlalchemy_rows(tmp_path: Path) -> None:
    fast_path, slow_path = tmp_path / "fast.db", tmp_path / "slow.db"
    for path, writer in ((fast_path, True), (slow_path, False)):
        engine = create_engine(f"sqlite:///{path}")
        await migrate(engine)
        store = Store(engine)
        assert store._writer is not None
        if not writer:
            store._writer = None  # the SQLAlchemy (aiosqlite) path, as PostgreSQL takes it
        try:
            await write_one(store, "order-1")
        finally:
            await store.aclose()
            await engine.dispose()
    fast, slow = rows(fast_path), rows(slow_path)
    assert fast["orders"], "nothing was written"
    # Tenant ids are random per database: compare everything else.
    for table in fast:
        assert len(fast[table]) == len(slow[table]) == 1, table
    tenant_fast = fast["orders"][0][1]
    tenant_slow = slow["orders"][0][1]
    for table in fast:
        normalised = [tuple(tenant_slow if v == tenant_fast else v for v in row) for row in fast[table]]
        assert normalised == slow[table], table


async def test_writer_rolls_back_and_raises_sqlalchemy_errors(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    await migrate(engine)
    store = Store(engine)
    try:
        tenant_id, _ = await store.add_api_key("acme", "key-1", NOW)
        await store.transaction(store.insert_order, stored_order("order-1", tenant_id))

        async def twice(conn: Any) -> None:
            await store.insert_order(conn, stored_order("order-2", tenant_id))
            await store.insert_order(conn, stored_order("order-1", tenant_id))  # duplicate key

        with pytest.raises(sa.exc.IntegrityError):
            await store.transaction(twice)
        assert await store.get_order(tenant_id, "order-2") is None  # rolled back with the failure
        assert await store.get_order(tenant_id, "order-1") is not None
    finally:
        await store.aclose()
        await engine.dispose()


async def test_a_body_that_suspends_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    await migrate(engine)
    writer = SqliteWriter.for_engine(engine)
    assert writer is not None
    try:

        async def sleeps(conn: Any) -> None:
            await asyncio.sleep(0)

        with pytest.raises(SuspendedTransaction):
            await writer.transaction(sleeps)
    finally:
        writer.close()
        await engine.dispose()


async def test_in_memory_sqlite_and_other_databases_get_no_writer() -> None:
    engine = create_engine("sqlite:///:memory:")
    try:
        assert SqliteWriter.for_engine(engine) is None
    finally:
        await engine.dispose()
