"""Path 2 against mock Revel in tests: its credentials, an outlet mapped to it, and a Revel dispatch."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec

from mock_pos.client import entry_body, entry_headers
from tests.support.factories import envelope
from tests.support.mock import MockPos
from tests.support.service import Sandbox

REVEL_KEY = "rk_live_7f3a9c0d"
REVEL_SECRET = "rs_live_b81e42d0c9"
DINING = {"PICKUP": 11, "DELIVERY": 12, "DINE_IN": 13}
RESPONSE_KEYS = {"code", "isSuccess", "message", "orderId", "externalOrderId", "dispatched", "reason"}


def order_json(**overrides: Any) -> bytes:
    base: dict[str, Any] = {
        "orderRefNo": "CATA-1",
        "deliveryMethod": "PICKUP",
        "createdAt": "2026-11-27T10:00:00+08:00",
        "currency": "SGD",
        "items": [{"plu": "101", "name": "Margherita Pizza", "quantity": 1, "unitPrice": Decimal("12.50")}],
        "totalPay": Decimal("12.50"),
        **overrides,
    }
    return msgspec.json.Encoder(decimal_format="number").encode(base)


def configure_mock_revel(mock_pos: MockPos, *, key: str = REVEL_KEY, secret: str = REVEL_SECRET) -> None:
    """Mock Revel with credentials no other string in the tests contains (so leaks are findable)."""
    config = mock_pos.admin.revel()
    config.update(apiKey=key, apiSecret=secret)
    mock_pos.admin.configure_revel(config)


def revel_settings(mock_pos: MockPos, **overrides: Any) -> dict[str, Any]:
    return {
        "baseUrl": f"{mock_pos.url}/revel",
        "apiKey": REVEL_KEY,
        "apiSecret": REVEL_SECRET,
        "establishmentId": 1,
        "diningOptionIds": DINING,
        **overrides,
    }


def map_outlet(sandbox: Sandbox, outlet_id: str, settings: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response = sandbox.client.put(
        f"/api/v1/outlet-providers/{outlet_id}", json={"providerSlug": "revel", "settings": settings, **extra}
    )
    assert response.status_code == 200, response.text
    mapping: dict[str, Any] = response.json()["outletProvider"]
    return mapping


def revel_dispatch(sandbox: Sandbox, outlet_id: str, raw_order: bytes) -> dict[str, Any]:
    response = sandbox.dispatch(envelope(outlet_id, raw_order, builtInTransformer="revel"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == RESPONSE_KEYS
    return body


def headers_of(entry: dict[str, Any]) -> dict[str, str]:
    return entry_headers(entry)


def body_of(entry: dict[str, Any]) -> Any:
    return json.loads(entry_body(entry), parse_float=Decimal)
