"""Path 1 end to end over loopback: byte-for-byte delivery, validation up front, persistence first."""

from __future__ import annotations

import hashlib
import hmac
import socket
from typing import Any

import msgspec
import pytest

from mock_pos.client import entry_body, entry_headers
from tests.support import (
    ORDER,
    MockPos,
    Sandbox,
    connect_receiver,
    envelope,
    start_sandbox,
    stop_sandbox,
)

RESPONSE_KEYS = {"code", "isSuccess", "message", "orderId", "externalOrderId", "dispatched", "reason"}

ODD_ORDERS = [
    # whitespace and key order no encoder would produce
    b'{\n  "totalPay" :10.60 ,\t"orderRefNo":"ODD-1", "deliveryMethod" : "PICKUP","createdAt":"2026-11-27T10:00:00Z",'
    b'"currency":"SGD","items":[ {"quantity":2,"plu":"101","name":"Flat White","unitPrice":4.50} ]   }',
    # duplicate keys, \u escapes, escaped slash
    b'{"orderRefNo":"DUP-1","orderRefNo":"DUP-2","deliveryMethod":"DINE_IN","createdAt":"2026-11-27T10:00:00+08:00",'
    b'"currency":"SGD","items":[{"plu":"1","name":"Caf\\u00e9 \\ud83c\\udf75 \\/ tea","quantity":1,"unitPrice":0}],'
    b'"totalPay":0,"notes":"\\"quoted\\""}',
    # raw non-ASCII, long decimals, exponent, unknown nested fields
    '{"orderRefNo":"Ü-1","deliveryMethod":"DELIVERY","createdAt":"2026-11-27T10:00:00.123456-05:00",'
    '"currency":"JPY","items":[{"plu":"鶏","name":"鶏飯 chicken rice","quantity":3,"unitPrice":1.000000000000000000001}],'
    '"totalPay":3.000000000000000000003,"tip":1E+1,"loyalty":{"tier":["gold",null,true]}}'.encode(),
]


def _stored_count(sandbox: Sandbox) -> int:
    total: int = sandbox.orders()["total"]
    return total


@pytest.mark.parametrize("raw", ODD_ORDERS, ids=["whitespace", "escapes-duplicates", "non-ascii-decimals"])
def test_webhook_body_is_byte_identical_and_signed(sandbox: Sandbox, mock_pos: MockPos, raw: bytes) -> None:
    secret = connect_receiver(sandbox, mock_pos, "outlet-1", "r1")

    response = sandbox.dispatch(envelope("outlet-1", raw))

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["dispatched"] is True, body
    assert body["reason"] == ""
    assert body["externalOrderId"] != ""
    [entry] = mock_pos.journal("r1")
    received = entry_body(entry)
    assert received == raw
    headers = entry_headers(entry)
    expected = "sha256=" + hmac.new(secret.encode(), received, hashlib.sha256).hexdigest()
    assert headers["x-cata-signature"] == expected
    assert headers["x-cata-event"] == "order.paid"
    assert headers["content-type"] == "application/json"
    assert headers["x-cata-timestamp"].isdigit()
    assert len(headers["x-cata-delivery-id"]) == 36
    assert entry["signatureValid"] is True
    stored = sandbox.order(body["orderId"])
    assert msgspec.json.encode(msgspec.Raw(raw)) == raw
    assert stored["status"] == "dispatched"
    assert stored["externalOrderId"] == body["externalOrderId"]


BAD_BODIES: list[tuple[str, bytes, str]] = [
    ("malformed-json", b'{"outletId": "outlet-1", "event": ', "malformed JSON"),
    ("missing-outletId", msgspec.json.encode({"event": "order.paid", "order": ORDER}), "`outletId`"),
    ("missing-event", msgspec.json.encode({"outletId": "outlet-1", "order": ORDER}), "`event`"),
    ("missing-order", msgspec.json.encode({"outletId": "outlet-1", "event": "order.paid"}), "`order`"),
    ("order-not-object", envelope("outlet-1", b"[1,2]"), "`$.order`"),
    (
        "unknown-event",
        msgspec.json.encode({"outletId": "o", "event": "order.lost", "order": ORDER}),
        "`$.event`",
    ),
    (
        "wrong-type",
        envelope("outlet-1", msgspec.json.encode({**ORDER, "totalPay": "lots"})),
        "`$.order.totalPay`",
    ),
    (
        "unknown-transformer",
        envelope("outlet-1", msgspec.json.encode(ORDER), builtInTransformer="nope"),
        "`$.builtInTransformer`",
    ),
] + [
    (
        f"missing-{field}",
        envelope("outlet-1", msgspec.json.encode({k: v for k, v in ORDER.items() if k != field})),
        f"`{field}`",
    )
    for field in ("orderRefNo", "deliveryMethod", "createdAt", "currency", "items", "totalPay")
]


@pytest.mark.parametrize(("name", "body", "fragment"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_requests_are_refused_before_anything_is_stored_or_sent(
    sandbox: Sandbox, mock_pos: MockPos, name: str, body: bytes, fragment: str
) -> None:
    sandbox.register("outlet-1", mock_pos.receiver("r1", "s"))

    response = sandbox.dispatch(body)

    assert response.status_code == 400, (name, response.text)
    answer = response.json()
    assert answer["code"] == 400
    assert answer["isSuccess"] is False
    assert fragment in answer["message"]
    assert _stored_count(sandbox) == 0
    assert mock_pos.journal() == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


FAILURES: list[tuple[str, dict[str, Any], str]] = [
    ("non-2xx", {"mode": "status", "code": 503}, "callback returned HTTP 503"),
    ("redirect-not-followed", {"mode": "redirect", "code": 302}, "callback returned HTTP 302"),
    (
        "error-body",
        {"mode": "error_body", "shape": "string", "message": "Item sold out"},
        "callback returned 2xx but body indicated error: Item sold out",
    ),
    (
        "error-body-nested",
        {"mode": "error_body", "shape": "nested", "message": "Kitchen closed"},
        "callback returned 2xx but body indicated error: Kitchen closed",
    ),
    ("timeout", {"mode": "delay", "seconds": 6}, "http request failed: timeout after 1s"),
    ("reset", {"mode": "reset"}, "http request failed: "),
    ("informational-101", {"mode": "status", "code": 101}, "http request failed: "),
    ("informational-199", {"mode": "status", "code": 199}, "http request failed: "),
]


@pytest.mark.parametrize(("name", "fault", "reason"), FAILURES, ids=[f[0] for f in FAILURES])
def test_order_is_committed_before_sending_and_kept_after_failure(
    database_url: str, mock_pos: MockPos, name: str, fault: dict[str, Any], reason: str
) -> None:
    sandbox = start_sandbox(database_url, dispatch_timeout_s=1.0)
    try:
        secret = sandbox.register("outlet-1", "http://127.0.0.1:9/placeholder")["secret"]
        hook_id = sandbox.client.get("/api/v1/webhooks").json()["webhooks"][0]["id"]
        probe = {
            "url": f"{sandbox.url}/api/v1/orders?outletId=outlet-1",
            "headers": {"X-Api-Key": "test-key-sandbox"},
        }
        url = mock_pos.receiver("r1", secret, probe=probe)
        sandbox.client.put(f"/api/v1/webhooks/{hook_id}", json={"callbackUrl": url})
        mock_pos.fault("r1", **fault)

        response = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER)))

        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == RESPONSE_KEYS
        assert body["dispatched"] is False
        assert body["reason"].startswith(reason) if reason.endswith(": ") else body["reason"] == reason
        assert body["externalOrderId"] == ""
        [entry] = mock_pos.journal("r1")
        seen = msgspec.json.decode(entry["probe"]["body"])
        assert [o["orderId"] for o in seen["orders"]] == [body["orderId"]]
        assert seen["orders"][0]["status"] == "pending"
        stored = sandbox.order(body["orderId"])
        assert stored["status"] == "failed"
        assert stored["reason"] == body["reason"]
        [attempt] = stored["attempts"]
        assert attempt["reason"] == body["reason"]
        assert attempt["dispatched"] is False
    finally:
        stop_sandbox(sandbox)


def test_connection_refused_is_reported_and_kept(sandbox: Sandbox) -> None:
    sandbox.register("outlet-1", f"http://127.0.0.1:{_closed_port()}/hook")

    body = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER))).json()

    assert body["dispatched"] is False
    assert body["reason"].startswith("http request failed: ")
    stored = sandbox.order(body["orderId"])
    assert (stored["status"], stored["reason"], len(stored["attempts"])) == ("failed", body["reason"], 1)


def test_no_route_keeps_the_order_without_calling_anything(sandbox: Sandbox, mock_pos: MockPos) -> None:
    body = sandbox.dispatch(envelope("outlet-without-webhook", msgspec.json.encode(ORDER))).json()

    assert set(body) == RESPONSE_KEYS
    assert body["dispatched"] is False
    assert body["reason"] == "no dispatch route configured for this outlet/provider"
    stored = sandbox.order(body["orderId"])
    assert (stored["status"], stored["reason"], stored["attempts"]) == ("failed", body["reason"], [])
    assert mock_pos.journal() == []


def test_external_order_id_is_taken_from_order_id_or_id(sandbox: Sandbox, mock_pos: MockPos) -> None:
    connect_receiver(sandbox, mock_pos, "outlet-1", "r1")
    mock_pos.fault(
        "r1", "status", code=201, body='{"orderId": 987654}', contentType="application/json", times=1
    )
    mock_pos.fault("r1", "status", code=200, body='{"id": "abc"}', contentType="application/json", times=1)

    first = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER))).json()
    second = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER))).json()

    assert (first["dispatched"], first["externalOrderId"]) == (True, "987654")
    assert (second["dispatched"], second["externalOrderId"]) == (True, "abc")


def test_inactive_or_deleted_webhooks_are_not_routes(sandbox: Sandbox, mock_pos: MockPos) -> None:
    connect_receiver(sandbox, mock_pos, "outlet-1", "r1")
    hook = sandbox.client.get("/api/v1/webhooks").json()["webhooks"][0]
    sandbox.client.put(f"/api/v1/webhooks/{hook['id']}", json={"isActive": False})
    inactive = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER))).json()
    sandbox.client.put(f"/api/v1/webhooks/{hook['id']}", json={"isActive": True})
    active = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER))).json()
    sandbox.client.delete(f"/api/v1/webhooks/{hook['id']}")
    deleted = sandbox.dispatch(envelope("outlet-1", msgspec.json.encode(ORDER))).json()

    assert inactive["reason"] == "no dispatch route configured for this outlet/provider"
    assert active["dispatched"] is True
    assert deleted["reason"] == "no dispatch route configured for this outlet/provider"
    assert len(mock_pos.journal("r1")) == 1
