"""Mock Atlas Kitchen for the Atlas script tests: the script's input, the documented mapping in Python
(what the mock must hold for a Cata order, in integer cents), and the events it sends."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import msgspec

from tests.support.scripts import PosBench

ITEM_ID_BY_PLU = {"LAKSA": 381}
SETTINGS: dict[str, Any] = {
    "outletId": 3,
    "channelId": 1,
    "merchantId": "sandbox-merchant",
    "timezone": "Asia/Singapore",
    "itemIdByPlu": ITEM_ID_BY_PLU,
}

FULL_ORDER = """{"orderRefNo":"CATA-AT-1","deliveryMethod":"DELIVERY","createdAt":"2026-11-27T14:00:00+08:00",
"expectedPickupAt":"2026-11-27T07:15:00Z","currency":"SGD",
"customer":{"firstName":"Zoë","lastName":"陈","email":"zoe@example.com","phone":"+65 8123 4567"},
"deliveryAddress":{"line1":"8 Temasek Boulevard","line2":"Suntec Tower 3","postalCode":"038988"},
"items":[{"plu":"LAKSA","name":"Laksa 🍜","quantity":2,"unitPrice":15.00,"notes":"less spicy, ลดเผ็ด",
 "modifiers":[{"plu":"497","name":"Extra","quantity":2,"unitPrice":0.80},{"plu":"496","name":"Iced","unitPrice":0}]},
{"plu":"380","name":"Set","quantity":1,"unitPrice":4.10,
 "comboItems":[{"plu":"480","name":"Toast","quantity":1,"unitPrice":0.29},
  {"plu":"380","name":"Coffee","quantity":1,"unitPrice":19.99,"modifiers":[{"plu":"497","name":"Shot","unitPrice":0.1}]}]}],
"subtotal":57.68,"tax":4.10,"deliveryFee":3.50,"serviceCharge":0.29,"discount":1.00,
"tip":2.00,"totalPay":66.57,"notes":"Leave at the door","payment":{"method":"card","transactionId":"txn_1"}}"""


def script_input(bench: PosBench, raw: bytes, **overrides: Any) -> dict[str, Any]:
    return {
        "providerSlug": "atlas",
        "baseUrl": f"{bench.server.url}/atlas",
        "apiKey": "sandbox-atlas-key",
        "webhookUrl": "",
        "config": {},
        "payload": msgspec.Raw(raw),
        "outlet": {"settings": {**SETTINGS, **overrides}, "refCode": "OUT-AT"},
    }


def dispatch(bench: PosBench, raw: bytes, **overrides: Any) -> Any:
    """The script's request and the mock's answer to it."""
    result = bench.dispatch("atlas", script_input(bench, raw, **overrides))
    assert result.error is None, result.error
    request = result.request
    return request, bench.send(request.method, request.url, request.headers, request.body)


def cents(value: Decimal | int) -> int:
    scaled = Decimal(value) * 100
    assert scaled == scaled.to_integral_value(), value
    return int(scaled)


def expected_line(line: dict[str, Any]) -> dict[str, Any]:
    """The documented mapping, in Python: what Atlas must hold for one Cata item, modifier or combo item."""
    plu = line["plu"]
    out: dict[str, Any] = {
        "item_id": ITEM_ID_BY_PLU.get(plu) or int(plu),
        "quantity": line.get("quantity", 1),
        "price_cents": cents(line.get("unitPrice", Decimal(0))),
    }
    if line.get("notes"):
        out["notes"] = line["notes"]
    out["sub_items"] = [expected_line(sub) for sub in line.get("modifiers", []) + line.get("comboItems", [])]
    return out


def the_mock_holds_the_order(bench: PosBench, raw: bytes) -> dict[str, Any]:
    """The body mock Atlas kept for the order, checked against the Cata order field by field."""
    order = json.loads(raw, parse_float=Decimal)
    [held] = [o for o in bench.admin.atlas_orders() if o["order"]["external_order_id"] == order["orderRefNo"]]
    body: dict[str, Any] = held["body"]
    assert body["order_items"] == [expected_line(item) for item in order["items"]]
    assert body["total"] == cents(order["totalPay"])
    assert body["order_payments"][0]["amount"] == cents(order["totalPay"])
    for cata, atlas in [("subtotal", "subtotal"), ("tax", "tax"), ("deliveryFee", "delivery_fee"),
                        ("serviceCharge", "surcharge"), ("discount", "discount")]:  # fmt: skip
        assert body.get(atlas) == (cents(order[cata]) if cata in order else None), cata
    assert (
        body["fulfilment_type"]
        == {"PICKUP": "pickup", "DELIVERY": "delivery", "DINE_IN": "dine_in"}[order["deliveryMethod"]]
    )
    assert body["external_order_short_code"] == order["orderRefNo"]
    return body


def event(bench: PosBench, order_id: int, event_type: str) -> dict[str, Any]:
    """The event body the receiver got for ``event_type`` of the order (polled against a deadline)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for request in list(bench.receiver.requests):
            sent = json.loads(request["body"])
            if sent.get("event_type") == event_type and sent.get("payload", {}).get("id") == order_id:
                return dict(sent)
        time.sleep(0.02)  # polling the receiver against a deadline, not waiting for a server
    raise AssertionError(f"no {event_type} event for order {order_id} within 5 s")
