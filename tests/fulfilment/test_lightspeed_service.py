"""Lightspeed end to end over loopback: the service wired like ``up`` to mock Lightspeed, a dispatch through
the scripts, the OAuth token kept fresh (ADR 0006), and the order walked by Lightspeed's own notifications."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from mock_pos.client import entry_body, entry_headers
from tests.support import MockPos, Sandbox, envelope, free_port, wait_until
from tests.support.pos_service import (
    LS_ORDER,
    connection,
    seed_pos_reason,
    tenant_id,
    wait_for_status,
    wire,
)

INBOUND = "/api/v1/inbound/lightspeed/order-status"


def dispatch(sandbox: Sandbox, raw: bytes = LS_ORDER) -> dict[str, Any]:
    answer = sandbox.dispatch(envelope("outlet-lightspeed", raw, builtInTransformer="lightspeed"))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def order_requests(mock_pos: MockPos) -> list[dict[str, Any]]:
    return [e for e in mock_pos.journal("lightspeed") if e["path"].endswith("/o/op/1/order/toGo")]


def test_an_order_arrives_exactly_and_walks_to_completed_by_notifications(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    token = connection(sandbox, "lightspeed")["accessToken"]
    body = dispatch(sandbox)
    assert (body["dispatched"], body["reason"], body["externalOrderId"]) == (True, "", "")

    [entry] = order_requests(mock_pos)
    assert entry["method"] == "POST"
    headers = entry_headers(entry)
    assert headers["authorization"] == f"Bearer {token}"
    assert headers["content-type"] == "application/json"
    assert not [name for name in headers if name.startswith("x-cata-")]
    sent = json.loads(entry_body(entry), parse_float=Decimal)
    assert sent["thirdPartyReference"] == body["orderId"]
    assert sent["endpointId"] == "CATA-SANDBOX"
    assert sent["customerInfo"] == {"firstName": "Zoë", "lastName": "Tan"}
    assert sent["items"] == [
        {"sku": "101", "quantity": 2, "customItemName": "Margherita Pizza", "customItemPrice": Decimal("12.5"),
         "subItems": [{"sku": "201", "quantity": 1, "customItemName": "Extra Cheese",
                       "customItemPrice": Decimal("1.5")}]},
        {"sku": "104", "quantity": 1, "customItemName": "Lunch Combo", "customItemPrice": Decimal("15"),
         "subItems": [{"sku": "102", "quantity": 1, "customItemName": "Caesar Salad", "customItemPrice": 0},
                      {"sku": "103", "quantity": 1, "customItemName": "Iced Tea",
                       "customItemPrice": Decimal("0.1")}]},
    ]  # fmt: skip
    assert sent["payment"] == {
        "paymentMethod": "OOPAYMENT",
        "paymentAmount": Decimal("45.10"),
        "tipAmount": Decimal("2.00"),
    }

    accepted = wait_for_status(sandbox, body["orderId"], "ACCEPTED")
    [held] = mock_pos.admin.lightspeed_orders()
    assert accepted["externalOrderId"] == held["ikentooAccountIdentifier"]
    for status, cata in (
        ("READY_FOR_PICKUP", "READY"),
        ("IN_DELIVERY", "DRIVER_PICKED_UP"),
        ("CLOSED", "COMPLETED"),
    ):
        answered = mock_pos.admin.lightspeed_notify(body["orderId"], status)
        assert answered["answerStatus"] == 200, answered
        wait_for_status(sandbox, body["orderId"], cata)
    done = wait_for_status(sandbox, body["orderId"], "COMPLETED")
    assert [(h["status"], h["source"]) for h in done["statusHistory"]] == [
        ("PAID", "dispatch"),
        ("ACCEPTED", "lightspeed"),
        ("READY", "lightspeed"),
        ("DRIVER_PICKED_UP", "lightspeed"),
        ("COMPLETED", "lightspeed"),
    ]
    # Every notification carried the registration's Basic credentials, nothing else let it in.
    assert all(n.get("answerStatus") == 200 for n in mock_pos.admin.lightspeed_orders()[0]["notifications"])


def test_a_replay_is_lightspeeds_duplicate_and_nothing_is_sent_twice(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    body = dispatch(sandbox)
    again = sandbox.client.post(f"/api/v1/orders/{body['orderId']}/redispatch").json()
    assert again["dispatched"] is False
    last = sandbox.order(body["orderId"])["attempts"][-1]
    assert again["reason"] == seed_pos_reason(last)  # the seed's reason: Lightspeed's own body
    assert again["reason"].startswith("POS returned HTTP 409: ")
    assert f"reference has already been used {body['orderId']}" in again["reason"]
    assert len(mock_pos.admin.lightspeed_orders()) == 1


def test_a_validation_400_names_the_field(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    unknown = LS_ORDER.replace(b'"plu":"103"', b'"plu":"NOPE-9"')
    body = dispatch(sandbox, unknown)
    assert body["dispatched"] is False
    [attempt] = sandbox.order(body["orderId"])["attempts"]
    assert body["reason"] == seed_pos_reason(attempt)
    assert body["reason"].startswith("POS returned HTTP 400: ")
    assert "items[1].subItems[1].sku" in attempt["responseBody"]  # past the reason's 200 characters


def test_failure_after_200_ok_ends_rejected_with_the_reason(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    mock_pos.admin.add_lightspeed_notification_fault(
        {"mode": "failure", "reason": "Kitchen closed", "times": 1}
    )
    body = dispatch(sandbox)
    assert body["dispatched"] is True
    rejected = wait_for_status(sandbox, body["orderId"], "REJECTED")
    assert rejected["statusHistory"][-1]["reason"] == "Kitchen closed"
    assert rejected["externalOrderId"] == ""


def test_an_expiring_token_is_refreshed_before_the_script_runs(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    old = connection(sandbox, "lightspeed")
    soon = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
    put_config(sandbox, {**old, "expiresAt": soon})
    body = dispatch(sandbox)
    assert (body["dispatched"], body["reason"]) == (True, "")
    new = connection(sandbox, "lightspeed")
    assert new["accessToken"] != old["accessToken"]
    assert new["refreshToken"] != old["refreshToken"]  # mock Lightspeed's refresh tokens rotate
    assert datetime.fromisoformat(new["expiresAt"]) > datetime.now(UTC) + timedelta(minutes=30)
    [token_call] = mock_pos.journal("lightspeed-oauth")
    assert b"grant_type=refresh_token" in entry_body(token_call)
    pair = base64.b64encode(b"sandbox-client:sandbox-client-secret").decode()
    assert entry_headers(token_call)["authorization"] == f"Basic {pair}"
    assert entry_headers(order_requests(mock_pos)[0])["authorization"] == f"Bearer {new['accessToken']}"
    stored = json.dumps(sandbox.order(body["orderId"]))
    assert new["accessToken"] not in stored
    assert old["accessToken"] not in stored


def test_a_401_refreshes_and_retries_once(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    assert mock_pos.admin.expire_lightspeed_tokens() >= 1  # expired at Lightspeed; the service cannot know
    body = dispatch(sandbox)
    assert (body["dispatched"], body["reason"]) == (True, "")
    first, second = sandbox.order(body["orderId"])["attempts"]
    assert (first["responseStatus"], first["dispatched"]) == (401, False)
    assert first["reason"] == seed_pos_reason(first)
    assert "Access token expired" in first["reason"]
    assert (second["responseStatus"], second["dispatched"]) == (200, True)
    assert [e["responseStatus"] for e in order_requests(mock_pos)] == [401, 200]


def test_a_401_whose_refresh_fails_says_so_and_is_not_retried(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    put_config(sandbox, {**connection(sandbox, "lightspeed"), "refreshToken": "ls-rt-revoked"})
    mock_pos.admin.expire_lightspeed_tokens()
    body = dispatch(sandbox)
    assert body["dispatched"] is False
    assert body["reason"] == (
        "OAuth token refresh failed: token endpoint answered HTTP 400: invalid_grant (Invalid refresh token)"
    )
    attempts = sandbox.order(body["orderId"])["attempts"]
    assert [a["responseStatus"] for a in attempts] == [401, None]
    assert len(order_requests(mock_pos)) == 1


def test_an_expired_token_whose_refresh_fails_sends_nothing(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    put_config(
        sandbox, {**connection(sandbox, "lightspeed"), "expiresAt": past, "refreshToken": "ls-rt-gone"}
    )
    body = dispatch(sandbox)
    assert body["dispatched"] is False
    assert body["reason"].startswith(
        "OAuth token refresh failed: token endpoint answered HTTP 400: invalid_grant"
    )
    assert order_requests(mock_pos) == []
    assert sandbox.order(body["orderId"])["status"] == "failed"


def test_the_inbound_route_refuses_calls_without_lightspeeds_credentials(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    body = dispatch(sandbox)
    wait_for_status(sandbox, body["orderId"], "ACCEPTED")
    event = {"status": "CLOSED", "thirdPartyReference": body["orderId"], "type": "ORDER"}
    url = f"{sandbox.server.url}{INBOUND}?tenant={tenant_id(sandbox)}"
    config = connection(sandbox, "lightspeed")
    wrong = httpx.post(url, json=event, auth=(config["inboundUsername"], "not-the-password"))
    bare = httpx.post(url, json=event)
    no_tenant = httpx.post(f"{sandbox.server.url}{INBOUND}", json=event, auth=("cata-sandbox", "x"))
    for refused in (wrong, bare, no_tenant):
        assert refused.status_code == 401, refused.text
        assert refused.json()["message"].startswith(
            "missing X-Api-Key header or lightspeed's webhook credentials"
        )
    assert sandbox.order(body["orderId"])["fulfilmentStatus"] == "ACCEPTED"
    right = httpx.post(url, json=event, auth=(config["inboundUsername"], config["inboundPassword"]))
    assert (right.status_code, right.json()["status"]) == (200, "COMPLETED")
    assert "inboundPassword" not in json.dumps(sandbox.client.get("/api/v1/provider-connections/lightspeed").json()["providerConnection"]["config"])  # fmt: skip


def put_config(sandbox: Sandbox, config: dict[str, Any]) -> None:
    current = sandbox.client.get("/api/v1/provider-connections/lightspeed").json()["providerConnection"]
    answer = sandbox.client.put(
        "/api/v1/provider-connections/lightspeed",
        json={
            "apiKey": "sandbox-client",
            "apiSecret": "sandbox-client-secret",
            "baseUrl": current["baseUrl"],
            "config": config,
        },
    )
    assert answer.status_code == 200, answer.text
    wait_until(lambda: connection(sandbox, "lightspeed") == config, 5, "the connection stored")


def test_an_unreachable_token_endpoint_is_a_clear_reason(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "lightspeed")
    closed = f"http://127.0.0.1:{free_port()}/oauth/token"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    put_config(sandbox, {**connection(sandbox, "lightspeed"), "expiresAt": past, "tokenUrl": closed})
    body = dispatch(sandbox)
    assert body["dispatched"] is False
    assert body["reason"].startswith(
        "OAuth token refresh failed: token endpoint unreachable: connection refused"
    )
    assert order_requests(mock_pos) == []
