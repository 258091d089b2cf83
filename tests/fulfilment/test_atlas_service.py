"""Atlas Kitchen end to end over loopback: the service wired like ``up`` to mock Atlas, a dispatch in
integer cents, the order walked by Atlas's own order events, its failures with the seed's reasons, and the
inbound route's authentication (Atlas's URL token; a signing POS's HMAC header)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from mock_pos.client import entry_body, entry_headers
from tests.support import MockPos, Sandbox, envelope
from tests.support.pos_service import (
    AT_ORDER,
    connection,
    seed_pos_reason,
    tenant_id,
    wait_for_status,
    wire,
)

INBOUND = "/api/v1/inbound/atlas/order-status"


def dispatch(sandbox: Sandbox, raw: bytes = AT_ORDER) -> dict[str, Any]:
    answer = sandbox.dispatch(envelope("outlet-atlas", raw, builtInTransformer="atlas"))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_an_order_arrives_in_exact_cents_and_walks_to_completed_by_events(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    wire(sandbox, mock_pos, "atlas")
    body = dispatch(sandbox)
    [held] = mock_pos.admin.atlas_orders()
    atlas_id = held["order"]["id"]
    assert (body["dispatched"], body["reason"], body["externalOrderId"]) == (True, "", str(atlas_id))

    [entry] = [e for e in mock_pos.journal("atlas") if e["method"] == "POST"]
    assert entry["path"] == "/atlas/admin/v1/outlets/3/channels/1/orders"
    headers = entry_headers(entry)
    assert (headers["x-api-key"], headers["x-merchant-id"]) == ("sandbox-atlas-key", "sandbox-merchant")
    assert not [name for name in headers if name.startswith("x-cata-")]
    sent = json.loads(entry_body(entry))
    assert sent["external_order_id"] == body["orderId"]
    assert (sent["fulfilment_type"], sent["serving_date"], sent["timeslot_start"]) == (
        "delivery",
        "2026-12-01",
        38700,
    )
    assert sent["order_items"] == [
        {"item_id": 101, "quantity": 2, "price_cents": 1250,
         "sub_items": [{"item_id": 201, "quantity": 1, "price_cents": 150, "sub_items": []}]},
        {"item_id": 104, "quantity": 1, "price_cents": 1500,
         "sub_items": [{"item_id": 102, "quantity": 1, "price_cents": 0, "sub_items": []},
                       {"item_id": 103, "quantity": 1, "price_cents": 10, "sub_items": []}]},
    ]  # fmt: skip
    assert (sent["subtotal"], sent["delivery_fee"], sent["tax"], sent["total"]) == (4310, 350, 388, 5048)
    assert sent["order_payments"][0]["amount"] == 5048
    for value in (sent["subtotal"], sent["total"], sent["order_items"][1]["sub_items"][1]["price_cents"]):
        assert type(value) is int

    accepted = wait_for_status(sandbox, body["orderId"], "ACCEPTED")  # the scheduled order.created
    assert accepted["statusHistory"][-1]["posOrderId"] == str(atlas_id)
    for event, status in (("order.dispatched", "DRIVER_PICKED_UP"), ("order.completed", "COMPLETED")):
        sent_event = mock_pos.admin.atlas_event(atlas_id, event)
        assert sent_event["attempts"][0]["status"] == 200, sent_event
        wait_for_status(sandbox, body["orderId"], status)
    done = sandbox.order(body["orderId"])
    assert [(h["status"], h["source"]) for h in done["statusHistory"]] == [
        ("PAID", "dispatch"),
        ("ACCEPTED", "atlas"),
        ("DRIVER_PICKED_UP", "atlas"),
        ("COMPLETED", "atlas"),
    ]
    skipped = mock_pos.admin.atlas_event(atlas_id, "order.updated")
    assert skipped["attempts"][0]["status"] == 200  # acknowledged: Atlas must not retry it
    assert sandbox.order(body["orderId"])["fulfilmentStatus"] == "COMPLETED"


def test_a_422_names_the_first_detail(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "atlas")
    body = dispatch(sandbox, AT_ORDER.replace(b'"plu":"103"', b'"plu":"999"'))
    assert body["dispatched"] is False
    [attempt] = sandbox.order(body["orderId"])["attempts"]
    assert body["reason"] == seed_pos_reason(attempt)  # the seed's reason: Atlas's own body
    assert '"field":"order_items[1].sub_items[1].item_id"' in body["reason"]
    assert mock_pos.admin.atlas_orders() == []


def test_a_401_is_the_seeds_reason_with_atlas_body(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "atlas")
    current = sandbox.client.get("/api/v1/provider-connections/atlas").json()["providerConnection"]
    answer = sandbox.client.put(
        "/api/v1/provider-connections/atlas",
        json={"apiKey": "wrong-key", "baseUrl": current["baseUrl"], "config": connection(sandbox, "atlas")},
    )
    assert answer.status_code == 200, answer.text
    body = dispatch(sandbox)
    [attempt] = sandbox.order(body["orderId"])["attempts"]
    assert (body["dispatched"], body["reason"]) == (False, seed_pos_reason(attempt))
    assert body["reason"].startswith("POS returned HTTP 401: ")
    assert "Check if the API Key is set correctly" in attempt["responseBody"]  # past the reason's 200


@pytest.mark.parametrize("shape", ["nested", "details", "errorMsg", "string"])
def test_a_2xx_whose_body_says_error_is_not_dispatched(
    sandbox: Sandbox, mock_pos: MockPos, shape: str
) -> None:
    # The seed: "HTTP 200 with status:"ERROR" in the body ... dispatched: false with the error message".
    wire(sandbox, mock_pos, "atlas")
    mock_pos.fault("atlas", "error_body", shape=shape, message="Kitchen closed", times=1)
    body = dispatch(sandbox)
    assert (body["dispatched"], body["reason"], body["externalOrderId"]) == (
        False,
        "POS returned 2xx but body indicated error: Kitchen closed",
        "",
    )
    assert sandbox.order(body["orderId"])["status"] == "failed"


def test_a_500_is_the_seeds_reason(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "atlas")
    mock_pos.fault("atlas", "status", code=500, times=1)
    body = dispatch(sandbox)
    assert body["dispatched"] is False
    [attempt] = sandbox.order(body["orderId"])["attempts"]
    assert body["reason"] == seed_pos_reason(attempt)
    assert body["reason"].startswith("POS returned HTTP 500: ")


def test_the_inbound_route_needs_atlas_url_token(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "atlas")
    body = dispatch(sandbox)
    wait_for_status(sandbox, body["orderId"], "ACCEPTED")
    [held] = mock_pos.admin.atlas_orders()
    event = {"event_type": "order.cancelled", "event_at": "2026-12-01T02:50:00Z", "payload": held["order"]}
    base = f"{sandbox.server.url}{INBOUND}"
    tenant = tenant_id(sandbox)
    for url in (base, f"{base}?tenant={tenant}", f"{base}?tenant={tenant}&token=guess", f"{base}?token=x"):
        refused = httpx.post(url, json=event)
        assert refused.status_code == 401, (url, refused.text)
    assert sandbox.order(body["orderId"])["fulfilmentStatus"] == "ACCEPTED"
    token = connection(sandbox, "atlas")["inboundToken"]
    right = httpx.post(f"{base}?tenant={tenant}&token={token}", json=event)
    assert (right.status_code, right.json()["status"]) == (200, "CANCELLED")


def test_a_connection_may_ask_for_an_hmac_signature_instead(sandbox: Sandbox, mock_pos: MockPos) -> None:
    wire(sandbox, mock_pos, "atlas")
    config = {**connection(sandbox, "atlas"), "inboundSigningSecret": "whsec-atlas-1", "inboundToken": ""}
    config["inboundSignatureHeader"] = "X-Atlas-Signature"
    current = sandbox.client.get("/api/v1/provider-connections/atlas").json()["providerConnection"]
    saved = sandbox.client.put(
        "/api/v1/provider-connections/atlas",
        json={"apiKey": "sandbox-atlas-key", "baseUrl": current["baseUrl"], "config": config},
    )
    assert saved.status_code == 200, saved.text
    body = dispatch(sandbox)
    [held] = mock_pos.admin.atlas_orders()
    raw = json.dumps({"event_type": "order.completed", "payload": held["order"]}).encode()
    url = f"{sandbox.server.url}{INBOUND}?tenant={tenant_id(sandbox)}"
    good = hmac.new(b"whsec-atlas-1", raw, hashlib.sha256).hexdigest()
    bad = hmac.new(b"whsec-atlas-1", raw + b" ", hashlib.sha256).hexdigest()
    for signature in ("", bad, "sha256=" + bad):
        refused = httpx.post(url, content=raw, headers={"X-Atlas-Signature": signature})
        assert refused.status_code == 401
    signed = httpx.post(url, content=raw, headers={"X-Atlas-Signature": "sha256=" + good})
    assert (signed.status_code, signed.json()["status"]) == (200, "COMPLETED"), signed.text
    assert sandbox.order(body["orderId"])["fulfilmentStatus"] == "COMPLETED"
