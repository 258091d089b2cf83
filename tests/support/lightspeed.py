"""Mock Lightspeed for the Lightspeed script tests: the script's input, a logged-in fresh mock, the
documented mapping in Python (what the mock must hold for a Cata order), and its notifications."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import msgspec

from tests.support.scripts import PosBench

LOCATION = 45454565682155
SKU_BY_PLU = {"101": "BURGER-01", "3001": "CHEESE-01"}
SETTINGS: dict[str, Any] = {
    "businessLocationId": LOCATION,
    "endpointId": "CATA-WEBHOOK",
    "skuByPlu": SKU_BY_PLU,
}
PRICE_KEYS = ("customItemPrice", "paymentAmount", "tipAmount")

FULL_ORDER = """{"orderRefNo":"CATA-LS-1","deliveryMethod":"DELIVERY","createdAt":"2026-11-27T10:00:00+08:00",
"expectedPickupAt":"2026-11-27T10:45:00+08:00","currency":"SGD",
"customer":{"firstName":"Zoë 陈","lastName":"Ng","email":"zoe@example.com","phone":"+65 8123 4567"},
"deliveryAddress":{"line1":"8 Temasek Boulevard","line2":"#12-01","city":"Singapore","postalCode":"038988"},
"items":[{"plu":"101","name":"Bürger 🍔","quantity":2,"unitPrice":11.50,"notes":"no onion",
 "modifiers":[{"plu":"3001","name":"Cheese","quantity":2,"unitPrice":1.10},{"plu":"SALAD-01","name":"Side","unitPrice":0}]},
{"plu":"MENU-01","name":"Menu","quantity":1,"unitPrice":14.90,
 "comboItems":[{"plu":"FRIES-01","name":"Fries","quantity":1,"unitPrice":0.29},
  {"plu":"COLA-01","name":"Cola","quantity":1,"unitPrice":1.005,"modifiers":[{"plu":"CHEESE-01","name":"Ice","unitPrice":0.1}]}]}],
"tip":2.00,"totalPay":45.695,"notes":"Ring the bell","futureField":{"x":1}}"""


def script_input(bench: PosBench, raw: bytes, token: str, **overrides: Any) -> dict[str, Any]:
    return {
        "providerSlug": "lightspeed",
        "baseUrl": f"{bench.server.url}/lightspeed",
        "webhookUrl": "",
        "config": {"accessToken": token},
        "payload": msgspec.Raw(raw),
        "outlet": {"settings": {**SETTINGS, **overrides}, "refCode": "OUT-LS"},
    }


def login(bench: PosBench) -> str:
    """A fresh mock with a token and ``CATA-WEBHOOK`` registered to the receiver."""
    bench.reset()
    token = str(bench.admin.lightspeed_tokens()["access_token"])
    registration = {"endpointId": "CATA-WEBHOOK", "url": f"{bench.receiver.url}/ls-notify"}
    answer = bench.send(
        "PUT",
        f"{bench.server.url}/lightspeed/o/wh/1/webhook",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        json.dumps(registration).encode(),
    )
    assert answer[0] == 200, answer
    return token


def dispatch(bench: PosBench, raw: bytes, token: str, **overrides: Any) -> Any:
    result = bench.dispatch("lightspeed", script_input(bench, raw, token, **overrides))
    assert result.error is None, result.error
    request = result.request
    return request, bench.send(request.method, request.url, request.headers, request.body)


def expected_line(line: dict[str, Any]) -> dict[str, Any]:
    """The documented mapping, in Python: what Lightspeed must hold for one Cata item, modifier or combo item."""
    out: dict[str, Any] = {
        "sku": SKU_BY_PLU.get(line["plu"], line["plu"]),
        "quantity": line.get("quantity", 1),
    }
    if line.get("name"):
        out["customItemName"] = line["name"]
    out["customItemPrice"] = Decimal(line.get("unitPrice", 0))
    if line.get("notes"):
        out["notes"] = line["notes"]
    subs = [expected_line(sub) for sub in line.get("modifiers", []) + line.get("comboItems", [])]
    if subs:
        out["subItems"] = subs
    return out


def exact(node: Any) -> Any:
    """The mock's copy with its price strings as Decimals."""
    if isinstance(node, dict):
        return {k: Decimal(str(v)) if k in PRICE_KEYS else exact(v) for k, v in node.items()}
    if isinstance(node, list):
        return [exact(v) for v in node]
    return node


def the_mock_holds_the_order(bench: PosBench, raw: bytes, kind: str) -> dict[str, Any]:
    order = json.loads(raw, parse_float=Decimal)
    [held] = [o for o in bench.admin.lightspeed_orders() if o["thirdPartyReference"] == order["orderRefNo"]]
    body = exact(held["body"])
    assert held["kind"] == kind
    assert body["items"] == [expected_line(item) for item in order["items"]]
    assert body["payment"] == {
        "paymentMethod": "OOPAYMENT",
        "paymentAmount": order["totalPay"],
        "tipAmount": order.get("tip", 0),
    }
    customer = order.get("customer") or {}
    assert body["customerInfo"]["firstName"] == (customer.get("firstName") or "Cata customer")
    assert (body["businessLocationId"], body["endpointId"]) == (LOCATION, "CATA-WEBHOOK")
    return body


def notification(bench: PosBench, reference: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for request in list(bench.receiver.requests):
            sent = json.loads(request["body"])
            if sent.get("thirdPartyReference") == reference and sent.get("status") == status:
                return dict(sent)
        time.sleep(0.02)  # polling the receiver against a deadline, not waiting for a server
    raise AssertionError(f"no {status} notification for {reference} within 5 s")
