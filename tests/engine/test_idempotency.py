"""Idempotency-Key on POST /api/v1/orders/dispatch: the same key and body answer the first response without
storing or sending again; a different body is 409; the key is per tenant; concurrent duplicates send once.

On SQLite and PostgreSQL. Across worker processes: tests/serving/test_workers.py.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import msgspec
import pytest

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.errors import Conflict
from cata_sandbox.idempotency import IDEMPOTENCY_HEADER, REPLAYED_HEADER, claim_for, replay
from cata_sandbox.store import Store, StoredOrder
from cata_sandbox.store.db import create_engine, migrate
from tests.support import API_KEY, ORDER, MockPos, Sandbox, connect_receiver, envelope

ORDER_BYTES = msgspec.json.encode(ORDER)


def dispatch(sandbox: Sandbox, body: bytes, key: str | bytes | None) -> httpx.Response:
    headers = {} if key is None else {IDEMPOTENCY_HEADER: key}
    return sandbox.client.post("/api/v1/orders/dispatch", content=body, headers=headers)


def other_order(ref: str) -> bytes:
    return msgspec.json.encode({**ORDER, "orderRefNo": ref})


def test_the_same_key_and_body_answer_the_first_response_without_storing_or_sending_again(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "o-1", "r1")
    body = envelope("o-1", ORDER_BYTES)

    first = dispatch(sandbox, body, "key-1")
    again = dispatch(sandbox, body, "key-1")
    third = dispatch(sandbox, body, "key-1")

    assert first.status_code == again.status_code == third.status_code == 200
    assert first.json()["dispatched"] is True
    assert again.json() == first.json() == third.json()
    assert REPLAYED_HEADER.lower() not in first.headers
    assert again.headers[REPLAYED_HEADER] == "true"
    assert len(mock_pos.journal("r1")) == 1
    assert sandbox.orders()["total"] == 1
    assert len(sandbox.order(first.json()["orderId"])["attempts"]) == 1


def test_the_same_key_with_a_different_body_is_409_and_stores_nothing(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "o-1", "r1")
    first = dispatch(sandbox, envelope("o-1", ORDER_BYTES), "key-1")

    conflicting = dispatch(sandbox, envelope("o-1", other_order("CATA-2")), "key-1")

    assert first.status_code == 200
    assert conflicting.status_code == 409
    payload = conflicting.json()
    assert (payload["code"], payload["isSuccess"]) == (409, False)
    assert "'key-1' was already used with a different request body" in payload["message"]
    assert first.json()["orderId"] in payload["message"]
    assert sandbox.orders()["total"] == 1
    assert len(mock_pos.journal("r1")) == 1


def test_without_a_key_every_request_is_a_new_order(sandbox: Sandbox) -> None:
    body = envelope("o-1", ORDER_BYTES)

    ids = {dispatch(sandbox, body, None).json()["orderId"] for _ in range(3)}

    assert len(ids) == 3


def test_a_key_is_per_tenant(sandbox: Sandbox) -> None:
    other_key = "test-key-other-tenant"

    async def add_tenant() -> None:
        engine = create_engine(sandbox.database_url)
        try:
            await Store(engine).add_api_key("other", other_key, SYSTEM_CLOCK.now())
        finally:
            await engine.dispose()

    asyncio.run(add_tenant())
    body = envelope("o-1", ORDER_BYTES)

    mine = dispatch(sandbox, body, "shared-key")
    theirs = sandbox.client.post(
        "/api/v1/orders/dispatch",
        content=body,
        headers={IDEMPOTENCY_HEADER: "shared-key", "X-Api-Key": other_key},
    )

    assert mine.status_code == theirs.status_code == 200
    assert mine.json()["orderId"] != theirs.json()["orderId"]
    assert REPLAYED_HEADER.lower() not in theirs.headers


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"mode": "status", "code": 503}, "callback returned HTTP 503"),
        ({"mode": "error_body", "shape": "string", "message": "sold out"}, "callback returned 2xx but body"),
    ],
)
def test_a_failed_dispatch_is_replayed_as_failed_not_sent_again(
    sandbox: Sandbox, mock_pos: MockPos, fault: dict[str, object], reason: str
) -> None:
    connect_receiver(sandbox, mock_pos, "o-1", "r1")
    mock_pos.fault("r1", **fault)  # type: ignore[arg-type]
    body = envelope("o-1", ORDER_BYTES)

    first = dispatch(sandbox, body, "key-f")
    mock_pos.admin.clear_faults()
    again = dispatch(sandbox, body, "key-f")

    assert first.json()["dispatched"] is False
    assert reason in first.json()["reason"]
    assert again.json() == first.json()
    assert len(mock_pos.journal("r1")) == 1


def test_an_order_without_a_route_is_replayed_with_its_reason(sandbox: Sandbox) -> None:
    body = envelope("no-route", ORDER_BYTES)

    first = dispatch(sandbox, body, "key-n")
    again = dispatch(sandbox, body, "key-n")

    assert first.json()["reason"] == "no dispatch route configured for this outlet/provider"
    assert again.json() == first.json()
    assert again.headers[REPLAYED_HEADER] == "true"
    assert sandbox.orders()["total"] == 1


def test_a_request_that_fails_validation_does_not_claim_its_key(sandbox: Sandbox) -> None:
    invalid = dispatch(sandbox, envelope("o-1", b'{"orderRefNo": 1}'), "key-v")
    valid = dispatch(sandbox, envelope("o-1", ORDER_BYTES), "key-v")

    assert invalid.status_code == 400
    assert valid.status_code == 200
    assert REPLAYED_HEADER.lower() not in valid.headers


def test_a_replay_answers_the_first_response_even_after_a_redispatch(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "o-1", "r1")
    mock_pos.fault("r1", "status", code=500, times=1)
    body = envelope("o-1", ORDER_BYTES)
    first = dispatch(sandbox, body, "key-r")
    order_id = first.json()["orderId"]
    redispatched = sandbox.client.post(f"/api/v1/orders/{order_id}/redispatch")
    assert redispatched.status_code == 200, redispatched.text
    assert redispatched.json()["dispatched"] is True

    again = dispatch(sandbox, body, "key-r")

    assert again.json() == first.json()
    assert again.json()["dispatched"] is False
    assert len(mock_pos.journal("r1")) == 2


def test_a_malformed_key_is_400(sandbox: Sandbox) -> None:
    malformed: list[str | bytes] = ["k" * 256, "a key with spaces", b"cl\xc3\xa9", "tab\there"]
    for key in malformed:
        response = dispatch(sandbox, envelope("o-1", ORDER_BYTES), key)

        assert response.status_code == 400, (key, response.text)
        assert "Idempotency-Key" in response.json()["message"]
    assert sandbox.orders()["total"] == 0


def test_concurrent_requests_with_one_key_send_once_and_answer_alike(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "o-1", "r1")
    mock_pos.fault("r1", "delay", seconds=0.5)
    body = envelope("o-1", ORDER_BYTES)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: dispatch(sandbox, body, "key-c"), range(6)))

    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["orderId"] for a in answers}) == 1
    assert all(a.json()["dispatched"] for a in answers)
    assert sum(1 for a in answers if a.headers.get(REPLAYED_HEADER) == "true") == 5
    assert len(mock_pos.journal("r1")) == 1
    assert sandbox.orders()["total"] == 1


def test_concurrent_requests_with_one_key_and_different_bodies_store_one(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "o-1", "r1")
    mock_pos.fault("r1", "delay", seconds=0.3)
    bodies = [envelope("o-1", other_order(f"CATA-{n}")) for n in range(4)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda body: dispatch(sandbox, body, "key-d"), bodies))

    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    assert len(mock_pos.journal("r1")) == 1
    assert sandbox.orders()["total"] == 1


async def test_a_duplicate_of_a_request_still_in_flight_waits_then_answers_409(database_url: str) -> None:
    """A crashed request leaves its order pending: a duplicate waits out its budget, then says so."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        store = Store(engine)
        tenant_id, _ = await store.add_api_key("sandbox", API_KEY, SYSTEM_CLOCK.now())
        body = envelope("o-1", ORDER_BYTES)
        claim = claim_for("key-p", body)
        assert claim is not None
        now = datetime.now(UTC)
        order = StoredOrder(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            outlet_id="o-1",
            event="order.paid",
            transformer=None,
            route="webhook",
            order_ref_no="CATA-1001",
            body=ORDER_BYTES,
            status="pending",
            reason="",
            external_order_id="",
            created_at=now,
            updated_at=now,
        )
        async with engine.begin() as conn:
            await store.insert_order(conn, order)
            await store.claim_idempotency_key(
                conn, tenant_id, key=claim.key, fingerprint=claim.fingerprint, order_id=order.id, now=now
            )
        started = SYSTEM_CLOCK.monotonic()

        with pytest.raises(Conflict) as refused:
            await replay(store, tenant_id, claim, clock=SYSTEM_CLOCK, wait_s=0.3)

        assert SYSTEM_CLOCK.monotonic() - started >= 0.3
        assert "still in progress" in refused.value.detail
        assert order.id in refused.value.detail
        await store.set_order_outcome(order.id, status="failed", reason="cut off", now=now)
        answer = await replay(store, tenant_id, claim, clock=SYSTEM_CLOCK, wait_s=0.3)
        assert answer is not None
        assert (answer.orderId, answer.dispatched, answer.reason) == (order.id, False, "cut off")
    finally:
        await engine.dispose()
