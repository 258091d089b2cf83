"""Revel's order.finalized webhook → COMPLETED: the pure adapter, and the whole loop through mock Revel."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest

from cata_sandbox.adapters import load_catalog
from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.fulfilment.inbound import _moment
from cata_sandbox.store import Store
from cata_sandbox.store.db import create_engine
from mock_pos.catalogue import default_revel_config
from tests.support import API_KEY, ORDER, MockPos, Sandbox, envelope
from tests.support.script_runtime import SyncRuntime

INBOUND = "/api/v1/inbound/revel/order-status"
DINING = {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 0}
SETTINGS = {"diningOptionIds": {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 0}}


@pytest.fixture(scope="module")
def js() -> Iterator[SyncRuntime]:
    runtime = SyncRuntime(load_catalog())
    yield runtime
    runtime.close()


def read(js: SyncRuntime, body: bytes | dict[str, Any], settings: dict[str, Any] | None = SETTINGS) -> Any:
    """``revel/order_status_update.js`` on the body, for outlet-1 with ``settings``: value or error text."""
    payload = msgspec.Raw(msgspec.json.encode(body)) if isinstance(body, dict) else body.decode()
    outlet: dict[str, Any] = {"id": "outlet-1", "refCode": "1"}
    if settings is not None:
        outlet["settings"] = settings
    result = js.run("revel", "order_status_update", {"payload": payload, "outlet": outlet})
    return result.value if result.ok else str(result.error)


def finalized(**info: Any) -> dict[str, Any]:
    return {"orderInfo": {"id": 32759, "closed": True, "dining_option": 1, "updated_date": None,
                          "created_date": None, **info}}  # fmt: skip


# --- the script, alone (was the Python inbound_revel module; the same cases) ---------------------------


def test_a_closed_cata_order_completes_with_the_revel_id_and_updated_date(js: SyncRuntime) -> None:
    body = {
        "event": "order.finalized",
        "orderInfo": {
            "id": 32759,
            "closed": True,
            "dining_option": 2,
            "created_date": "2026-04-29T14:10:00+08:00",
            "updated_date": "2026-04-29T14:59:40+08:00",
        },
    }

    meaning = read(js, body)

    assert meaning == {"status": "COMPLETED", "posOrderId": "32759", "timestamp": "2026-04-29T14:59:40+08:00"}
    assert _moment(meaning["timestamp"]) == datetime.fromisoformat("2026-04-29T14:59:40+08:00")
    assert js.run("revel", "order_status_update", {"payload": msgspec.Raw(msgspec.json.encode(body))},
                  function="reference").value == {"posOrderId": "32759"}  # fmt: skip


@pytest.mark.parametrize(
    ("updated", "created", "moment"),
    [
        (None, "2026-04-29T14:10:00Z", datetime(2026, 4, 29, 14, 10, tzinfo=UTC)),
        ("", "2026-04-29T14:10:00Z", datetime(2026, 4, 29, 14, 10, tzinfo=UTC)),
        ("not a date", "2026-04-29T14:10:00", datetime(2026, 4, 29, 14, 10, tzinfo=UTC)),
        (None, None, None),
    ],
)
def test_the_timestamp_falls_back_to_created_date_then_to_now(
    js: SyncRuntime, updated: str | None, created: str | None, moment: datetime | None
) -> None:
    meaning = read(js, finalized(updated_date=updated, created_date=created))

    assert (meaning["status"], meaning["posOrderId"]) == ("COMPLETED", "32759")
    assert _moment(meaning["timestamp"]) == moment


@pytest.mark.parametrize(
    ("info", "reason"),
    [
        ({"id": 32761, "closed": False}, "order 32761 not closed yet (closed=false)"),
        ({"id": 32761, "closed": None}, "order 32761 not closed yet (closed=null)"),
        ({"dining_option": 5}, "non-CATA dining option 5"),
        ({"dining_option": None}, "non-CATA dining option null"),
    ],
)
def test_not_closed_or_foreign_dining_option_is_skipped_with_the_reason(
    js: SyncRuntime, info: dict[str, Any], reason: str
) -> None:
    assert read(js, finalized(**info)) == {"skip": True, "reason": reason}


def test_dining_option_zero_is_a_configured_option(js: SyncRuntime) -> None:
    assert read(js, finalized(dining_option=0))["status"] == "COMPLETED"


@pytest.mark.parametrize(
    "settings", [None, {}, {"diningOptionIds": {}}, {"diningOptionIds": {"PICKUP": None}}]
)
def test_an_outlet_without_dining_options_cannot_tell_cata_orders_apart(
    js: SyncRuntime, settings: dict[str, Any] | None
) -> None:
    assert "outlet outlet-1 has no Revel dining-option ids" in read(js, finalized(), settings)


MALFORMED: list[tuple[str, bytes, str]] = [
    ("not-json", b"orderInfo=1", "body is not JSON"),
    ("empty", b"", "body is not JSON"),
    ("array", b"[1]", "not a JSON object"),
    ("no-orderInfo", b'{"event":"order.finalized"}', "missing `orderInfo`"),
    ("orderInfo-string", b'{"orderInfo":"x"}', "`orderInfo` is not an object"),
    ("no-id", b'{"orderInfo":{"closed":true}}', "missing or empty `orderInfo.id`"),
    ("empty-id", b'{"orderInfo":{"id":"","closed":true}}', "missing or empty `orderInfo.id`"),
    ("null-id", b'{"orderInfo":{"id":null}}', "missing or empty `orderInfo.id`"),
    ("bool-id", b'{"orderInfo":{"id":true}}', "`orderInfo.id` is not an order id"),
]


@pytest.mark.parametrize(
    ("raw", "named"), [(b, n) for _, b, n in MALFORMED], ids=[i for i, _, _ in MALFORMED]
)
def test_malformed_bodies_are_refused_naming_what_is_missing(js: SyncRuntime, raw: bytes, named: str) -> None:
    # The engine hands a body that is not JSON to the script as a string; the script throws (a 5xx).
    for function in ("reference", "transform"):
        result = js.run(
            "revel", "order_status_update", {"payload": raw.decode(), "outlet": {}}, function=function
        )
        assert result.error is not None, function
        assert "malformed Revel webhook" in str(result.error), function
        assert named in str(result.error)


# --- over loopback --------------------------------------------------------------------------------


def map_outlet_to_mock_revel(sandbox: Sandbox, mock_pos: MockPos, outlet_id: str = "outlet-revel") -> None:
    response = sandbox.client.put(
        f"/api/v1/outlet-providers/{outlet_id}",
        json={
            "providerSlug": "revel",
            "externalId": "1",
            "settings": {
                "baseUrl": mock_pos.url + "/revel",
                "apiKey": default_revel_config().api_key,
                "apiSecret": default_revel_config().api_secret,
                "establishmentId": 1,
                "diningOptionIds": DINING,
            },
        },
    )
    assert response.status_code == 200, response.text


def dispatch_to_revel(
    sandbox: Sandbox, mock_pos: MockPos, outlet_id: str = "outlet-revel"
) -> tuple[str, int]:
    """Dispatch the harness order (plu 101 + modifier 201: products of mock Revel's establishment 1)."""
    map_outlet_to_mock_revel(sandbox, mock_pos, outlet_id)
    response = sandbox.dispatch(envelope(outlet_id, msgspec.json.encode(ORDER), builtInTransformer="revel"))
    body = response.json()
    assert body["dispatched"] is True, body
    return body["orderId"], int(body["externalOrderId"])


def finalize(sandbox: Sandbox, mock_pos: MockPos, revel_id: int, **options: Any) -> dict[str, Any]:
    """Have mock Revel POST its order.finalized webhook to the sandbox; returns the sandbox's answer."""
    answered = mock_pos.admin.revel_finalize(
        revel_id, sandbox.url + INBOUND, headers={"X-Api-Key": API_KEY}, **options
    )
    return {"status": answered["status"], "body": msgspec.json.decode(answered["body"])}


def test_full_loop_dispatch_to_mock_revel_then_finalize_completes_the_order(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    order_id, revel_id = dispatch_to_revel(sandbox, mock_pos)
    [accepted] = mock_pos.admin.revel_orders()
    assert accepted["orderId"] == revel_id
    before = SYSTEM_CLOCK.now()

    answer = finalize(sandbox, mock_pos, revel_id)

    after = SYSTEM_CLOCK.now()
    assert answer["status"] == 200
    assert answer["body"] == {
        "code": 200,
        "isSuccess": True,
        "message": "status updated",
        "orderId": order_id,
        "skipped": False,
        "reason": "",
        "status": "COMPLETED",
        "changed": True,
    }
    order = sandbox.order(order_id)
    assert order["fulfilmentStatus"] == "COMPLETED"
    paid, completed = order["statusHistory"]
    assert (paid["status"], paid["posOrderId"]) == ("PAID", str(revel_id))
    assert (completed["status"], completed["previousStatus"], completed["source"]) == (
        "COMPLETED",
        "PAID",
        "revel",
    )
    assert completed["posOrderId"] == str(revel_id)
    # the timestamp is Revel's updated_date (set by mock Revel when it sent the webhook)
    occurred = datetime.fromisoformat(completed["occurredAt"])
    assert before - timedelta(seconds=1) <= occurred <= after
    assert order["skippedStatusUpdates"] == []


def test_a_second_finalize_is_an_idempotent_acknowledgement(sandbox: Sandbox, mock_pos: MockPos) -> None:
    order_id, revel_id = dispatch_to_revel(sandbox, mock_pos)
    finalize(sandbox, mock_pos, revel_id)

    again = finalize(sandbox, mock_pos, revel_id)

    assert (again["status"], again["body"]["changed"], again["body"]["status"]) == (200, False, "COMPLETED")
    assert len(sandbox.order(order_id)["statusHistory"]) == 2


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"closed": False}, "order {id} not closed yet (closed=false)"),
        ({"diningOption": 5}, "non-CATA dining option 5"),
    ],
    ids=["not-closed", "foreign-dining-option"],
)
def test_skipped_webhooks_are_acknowledged_recorded_and_change_nothing(
    sandbox: Sandbox, mock_pos: MockPos, options: dict[str, Any], reason: str
) -> None:
    order_id, revel_id = dispatch_to_revel(sandbox, mock_pos)
    expected_reason = reason.format(id=revel_id)

    answer = finalize(sandbox, mock_pos, revel_id, **options)

    assert answer["status"] == 200
    assert (answer["body"]["skipped"], answer["body"]["reason"]) == (True, expected_reason)
    assert (answer["body"]["status"], answer["body"]["changed"]) == ("PAID", False)
    order = sandbox.order(order_id)
    assert order["fulfilmentStatus"] == "PAID"
    assert [e["status"] for e in order["statusHistory"]] == ["PAID"]
    [skip] = order["skippedStatusUpdates"]
    assert (skip["source"], skip["posOrderId"], skip["reason"]) == ("revel", str(revel_id), expected_reason)


def test_each_configured_dining_option_counts_zero_included(sandbox: Sandbox, mock_pos: MockPos) -> None:
    for dining_option in (0, 1, 2):
        order_id, revel_id = dispatch_to_revel(sandbox, mock_pos, f"outlet-{dining_option}")

        answer = finalize(sandbox, mock_pos, revel_id, diningOption=dining_option)

        assert answer["body"]["status"] == "COMPLETED", answer
        assert sandbox.order(order_id)["fulfilmentStatus"] == "COMPLETED"


def test_finalize_of_a_cancelled_order_is_a_conflict(sandbox: Sandbox, mock_pos: MockPos) -> None:
    order_id, revel_id = dispatch_to_revel(sandbox, mock_pos)
    cancel = sandbox.client.post(f"/api/v1/orders/{order_id}/status", json={"status": "CANCELLED"})
    assert cancel.status_code == 200

    answer = finalize(sandbox, mock_pos, revel_id)

    assert answer["status"] == 409
    assert "from CANCELLED to COMPLETED" in answer["body"]["message"]


def test_an_outlet_without_dining_options_gets_a_5xx_until_it_is_configured(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    order_id, revel_id = dispatch_to_revel(sandbox, mock_pos)
    tenant_id = sandbox.client.get("/api/v1/auth/whoami").json()["tenantId"]

    async def set_settings(settings: dict[str, Any]) -> None:
        engine = create_engine(sandbox.database_url)
        try:
            await Store(engine).put_outlet_provider(
                tenant_id,
                "outlet-revel",
                provider_slug="revel",
                external_id="1",
                settings=settings,
                now=SYSTEM_CLOCK.now(),
            )
        finally:
            await engine.dispose()

    # the outlet-providers API refuses such settings; an older mapping (or a hand edit) can still have them
    asyncio.run(set_settings({"baseUrl": mock_pos.url + "/revel", "establishmentId": 1}))

    refused = finalize(sandbox, mock_pos, revel_id)

    assert refused["status"] == 500
    assert refused["body"]["isSuccess"] is False
    assert "outlet outlet-revel has no Revel dining-option ids configured" in refused["body"]["message"]
    assert sandbox.order(order_id)["fulfilmentStatus"] == "PAID"

    map_outlet_to_mock_revel(sandbox, mock_pos)
    retried = finalize(sandbox, mock_pos, revel_id)

    assert (retried["status"], retried["body"]["status"]) == (200, "COMPLETED")


def test_malformed_webhooks_get_a_500_so_revel_retries(sandbox: Sandbox) -> None:
    for case, raw, named in MALFORMED:
        response = sandbox.client.post(INBOUND, content=raw, headers={"Content-Type": "application/json"})

        assert response.status_code == 500, (case, response.text)
        body = response.json()
        assert (body["code"], body["isSuccess"]) == (500, False), case
        assert named in body["message"], (case, body)


def test_an_unknown_revel_order_is_404(sandbox: Sandbox) -> None:
    response = sandbox.client.post(
        INBOUND, json={"orderInfo": {"id": 999999, "closed": True, "dining_option": 1}}
    )

    assert response.status_code == 404
    assert response.json()["message"] == "no order dispatched to revel as revel order 999999"


def test_the_webhook_needs_the_tenants_key(sandbox: Sandbox, mock_pos: MockPos) -> None:
    order_id, revel_id = dispatch_to_revel(sandbox, mock_pos)
    body = {"orderInfo": {"id": revel_id, "closed": True, "dining_option": 1}}

    async def add_other_key() -> None:
        engine = create_engine(sandbox.database_url)
        try:
            await Store(engine).add_api_key("other", "test-key-other", SYSTEM_CLOCK.now())
        finally:
            await engine.dispose()

    asyncio.run(add_other_key())
    anonymous = httpx.post(sandbox.url + INBOUND, json=body)
    foreign = httpx.post(sandbox.url + INBOUND, json=body, headers={"X-Api-Key": "test-key-other"})

    assert anonymous.status_code == 401
    assert foreign.status_code == 404
    assert sandbox.order(order_id)["fulfilmentStatus"] == "PAID"
