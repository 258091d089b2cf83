"""The management API: health, events, whoami, webhooks, orders listing, tenancy and the error envelope."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgspec
import pytest

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.store import Store
from cata_sandbox.store.db import create_engine
from tests.support import API_KEY, ORDER, Sandbox, envelope


def _other_tenant_key(database_url: str) -> str:
    async def run() -> str:
        engine = create_engine(database_url)
        try:
            await Store(engine).add_api_key("other", "test-key-other", SYSTEM_CLOCK.now())
        finally:
            await engine.dispose()
        return "test-key-other"

    return asyncio.run(run())


def test_health_and_events_need_no_key(sandbox: Sandbox) -> None:
    assert httpx.get(f"{sandbox.url}/health").json() == {"status": "healthy"}
    events = httpx.get(f"{sandbox.url}/api/v1/webhooks/events").json()["events"]
    assert [e["name"] for e in events] == ["order.paid"]


def test_whoami_reports_the_tenant(sandbox: Sandbox) -> None:
    body = sandbox.client.get("/api/v1/auth/whoami").json()
    assert body["authenticated"] is True
    assert isinstance(body["apiKeyId"], int)
    assert body["tenantId"]
    assert body["expiresAt"] is None


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "wrong"}, {"X-Api-Key": ""}])
def test_missing_or_wrong_key_is_401_with_the_envelope(sandbox: Sandbox, headers: dict[str, str]) -> None:
    for method, path in [
        ("GET", "/api/v1/auth/whoami"),
        ("GET", "/api/v1/webhooks"),
        ("POST", "/api/v1/orders/dispatch"),
        ("GET", "/api/v1/orders"),
    ]:
        response = httpx.request(method, f"{sandbox.url}{path}", headers=headers, content=b"{}")
        assert response.status_code == 401, (method, path)
        body = response.json()
        assert body["code"] == 401
        assert body["isSuccess"] is False
        assert body["message"]


def test_webhook_lifecycle_shows_the_secret_only_on_create_and_rotate(sandbox: Sandbox) -> None:
    created = sandbox.register("outlet-1", "http://127.0.0.1:9/hook", provider="acme")
    assert created["secret"].startswith("whsec_")
    assert (created["outletId"], created["provider"], created["events"], created["isActive"]) == (
        "outlet-1",
        "acme",
        ["order.paid"],
        True,
    )
    detail = sandbox.client.get(f"/api/v1/webhooks/{created['id']}").json()["webhook"]
    listing = sandbox.client.get("/api/v1/webhooks").json()["webhooks"]
    assert "secret" not in detail
    assert all("secret" not in hook for hook in listing)
    assert [hook["id"] for hook in listing] == [created["id"]]

    updated = sandbox.client.put(
        f"/api/v1/webhooks/{created['id']}",
        json={"callbackUrl": "https://example.test/new", "isActive": False},
    ).json()["webhook"]
    assert (updated["callbackUrl"], updated["isActive"]) == ("https://example.test/new", False)
    assert "secret" not in updated

    rotated = sandbox.client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret").json()["webhook"]
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]

    assert sandbox.client.delete(f"/api/v1/webhooks/{created['id']}").status_code == 200
    assert sandbox.client.get(f"/api/v1/webhooks/{created['id']}").status_code == 404
    assert sandbox.client.get("/api/v1/webhooks").json()["webhooks"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"outletId": "o", "callbackUrl": "ftp://x/y"}, "http or https"),
        ({"outletId": "o", "callbackUrl": "http://user:pw@x/y"}, "credentials"),
        ({"outletId": "o", "callbackUrl": "http:///nohost"}, "no host"),
        ({"outletId": "o", "callbackUrl": "http://x/y", "events": ["order.eaten"]}, "$.events[0]"),
        ({"callbackUrl": "http://x/y"}, "outletId"),
        ({"outletId": "o", "callbackUrl": "http://x/y", "colour": "red"}, "colour"),
        # Strict JSON types: no number, string or 0/1 stands in for another type.
        ({"outletId": 7, "callbackUrl": "http://x/y"}, "$.outletId"),
        ({"outletId": "o", "callbackUrl": "http://x/y", "events": "order.paid"}, "$.events"),
    ],
)
def test_bad_registrations_are_400_naming_the_field(
    sandbox: Sandbox, body: dict[str, Any], fragment: str
) -> None:
    response = sandbox.client.post("/api/v1/webhooks/register", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["message"]
    assert sandbox.client.get("/api/v1/webhooks").json()["webhooks"] == []


@pytest.mark.parametrize("is_active", [0, 1, "false", "true", None])
def test_webhook_updates_take_only_json_booleans(sandbox: Sandbox, is_active: object) -> None:
    hook = sandbox.register("outlet-1", "http://127.0.0.1:9/hook")

    response = sandbox.client.put(f"/api/v1/webhooks/{hook['id']}", json={"isActive": is_active})

    if is_active is None:  # null: the field is left as it was
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 400, response.text
        assert response.json()["message"].startswith("invalid webhook update: ")
        assert response.json()["message"].endswith(" - at `$.isActive`")
    (listed,) = sandbox.client.get("/api/v1/webhooks").json()["webhooks"]
    assert listed["isActive"] is True


def test_another_tenants_ids_answer_404(sandbox: Sandbox) -> None:
    hook = sandbox.register("outlet-1", "http://127.0.0.1:9/hook")
    order_id = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER))).json()["orderId"]
    other = httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": _other_tenant_key(sandbox.database_url)})
    with other:
        assert other.get(f"/api/v1/webhooks/{hook['id']}").status_code == 404
        assert other.put(f"/api/v1/webhooks/{hook['id']}", json={"isActive": False}).status_code == 404
        assert other.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 404
        assert other.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret").status_code == 404
        assert other.get(f"/api/v1/orders/{order_id}").status_code == 404
        assert other.get("/api/v1/orders").json()["total"] == 0
        assert other.get("/api/v1/webhooks").json()["webhooks"] == []
        # the other tenant's dispatch for the same outlet id finds no route of ours
        routed = other.post(
            "/api/v1/orders/dispatch", content=envelope("outlet-1", msgspec.json.encode(ORDER))
        )
        assert routed.json()["reason"] == "no dispatch route configured for this outlet/provider"
    assert sandbox.client.get(f"/api/v1/webhooks/{hook['id']}").status_code == 200


def test_orders_are_listed_newest_first_filtered_and_paginated(sandbox: Sandbox) -> None:
    ids = []
    for index in range(5):
        outlet = "a" if index % 2 == 0 else "b"
        order = msgspec.json.encode({**ORDER, "orderRefNo": f"R{index}"})
        ids.append(sandbox.dispatch(envelope(outlet, order)).json()["orderId"])

    everything = sandbox.orders()
    assert [o["orderId"] for o in everything["orders"]] == ids[::-1]
    assert everything["total"] == 5
    only_a = sandbox.orders(outletId="a")
    assert [o["orderRefNo"] for o in only_a["orders"]] == ["R4", "R2", "R0"]
    page = sandbox.orders(limit=2, offset=2)
    assert [o["orderId"] for o in page["orders"]] == ids[::-1][2:4]
    assert sandbox.orders(status="failed")["total"] == 5
    assert sandbox.orders(status="dispatched")["total"] == 0
    bad = sandbox.client.get("/api/v1/orders", params={"status": "lost"})
    assert bad.status_code == 400
    assert "status" in bad.json()["message"]


def test_unknown_paths_and_ids_use_the_envelope(sandbox: Sandbox) -> None:
    missing = sandbox.client.get("/api/v1/orders/does-not-exist")
    assert missing.status_code == 404
    assert missing.json() == {"code": 404, "isSuccess": False, "message": "order does-not-exist not found"}
    nowhere = sandbox.client.get("/api/v1/nowhere")
    assert nowhere.status_code == 404
    assert nowhere.json()["isSuccess"] is False


def test_the_key_from_settings_is_registered(sandbox: Sandbox) -> None:
    assert sandbox.client.headers["X-Api-Key"] == API_KEY
    assert sandbox.client.get("/api/v1/auth/whoami").status_code == 200


def test_openapi_schema_tags_partner_operations(sandbox: Sandbox) -> None:
    schema = httpx.get(f"{sandbox.url}/schema/openapi.json").json()
    dispatch = schema["paths"]["/api/v1/orders/dispatch"]["post"]
    assert "Partner H2H" in dispatch["tags"]
