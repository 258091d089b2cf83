"""Revel orders, outlet settings, answers and strategies for the Revel script tests, and ``REVEL``: the shipped
``adapters/revel/order_dispatch.js`` behind the old transformer's two calls (the Python class is gone)."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import strategies as st

from tests.support.revel import DINING
from tests.support.revel_script import REVEL, ScriptRevel


def settings(**overrides: Any) -> dict[str, Any]:
    """The outlet's Revel settings (credentials included), with the script's defaults spelled out."""
    return {
        "baseUrl": "https://acme.revelup.com",
        "apiKey": "unit-key-1",
        "apiSecret": "unit-secret-1",
        "establishmentId": 456,
        "diningOptionIds": DINING,
        "paymentType": 7,
        "productIdByPlu": None,
        **overrides,
    }


def order(raw: bytes | str) -> bytes:
    """The order as the engine hands it to the script: its exact bytes (JSON.parse reads them)."""
    return raw.encode() if isinstance(raw, str) else raw


__all__ = ["REVEL", "ScriptRevel"]


SMALL_ORDER = b"""{"orderRefNo":"CATA-7","deliveryMethod":"PICKUP","createdAt":"2026-11-27T10:00:00+08:00",
"currency":"SGD","items":[{"plu":"501","name":"Burger","quantity":2,"unitPrice":5.50,"notes":"no onion",
"modifiers":[{"plu":"3001","name":"Cheese","quantity":1,"unitPrice":0.75},
{"plu":"3005","name":"Bacon","quantity":1,"unitPrice":1.50}]}],"totalPay":13.50}"""

UNMAPPABLE: list[tuple[dict[str, Any], str]] = [
    (
        {"plu": "LATTE-L", "name": "Latte Large", "quantity": 1, "unitPrice": 5},
        'item 2 (plu "LATTE-L", "Latte Large"): no Revel product id in productIdByPlu'
        " - at `$.order.items[1].plu`",
    ),
    (
        {
            "plu": "101",
            "name": "Pizza",
            "quantity": 1,
            "unitPrice": 5,
            "modifiers": [{"plu": "201", "name": "Cheese"}, {"plu": "X-1", "name": 'Chili "hot"'}],
        },
        'item 2 modifier 2 (plu "X-1", "Chili \\"hot\\""): no Revel product id in productIdByPlu'
        " - at `$.order.items[1].modifiers[1].plu`",
    ),
    (
        {
            "plu": "104",
            "name": "Combo",
            "quantity": 1,
            "unitPrice": 5,
            "comboItems": [
                {
                    "plu": "106",
                    "name": "Flat White",
                    "quantity": 1,
                    "unitPrice": 0,
                    "modifiers": [{"plu": "OAT", "name": "Oat"}],
                }
            ],
        },
        'item 2 combo item 1 modifier 1 (plu "OAT", "Oat"): no Revel product id in productIdByPlu'
        " - at `$.order.items[1].comboItems[0].modifiers[0].plu`",
    ),
    (
        {"plu": "0", "name": "Zero", "quantity": 1, "unitPrice": 5},
        'item 2 (plu "0", "Zero"): no Revel product id in productIdByPlu - at `$.order.items[1].plu`',
    ),
]


prices = st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=3)
plus = st.integers(min_value=1, max_value=10**12).map(str)
modifier_st = st.fixed_dictionaries(
    {"plu": plus, "name": st.text(max_size=8), "quantity": st.integers(1, 9), "unitPrice": prices}
)
item_st = st.fixed_dictionaries(
    {
        "plu": plus,
        "name": st.text(max_size=8),
        "quantity": st.integers(1, 99),
        "unitPrice": prices,
        "notes": st.text(max_size=12),
        "modifiers": st.lists(modifier_st, max_size=3),
    }
)


INTERPRETED: list[tuple[bytes, bool, str, str]] = [
    (b'{"status":"OK","data":{"orderId":10683655}}', True, "", "10683655"),
    (b'{"status":"ok","data":{"orderId":"A-1"}}', True, "", "A-1"),
    (b'{"status":"OK","data":{}}', True, "", ""),
    (b'{"status":"OK","orderId":77}', True, "", "77"),
    (
        b'{"status":"ERROR","error":{"message":"Kitchen closed","details":{"message":"x"}}}',
        False,
        "Kitchen closed",
        "",
    ),
    (
        b'{"status":"ERROR","error":{"details":{"message":"Product 9 missing"}}}',
        False,
        "Product 9 missing",
        "",
    ),
    (b'{"status":"ERROR","errorMsg":"Establishment closed"}', False, "Establishment closed", ""),
    (b'{"status":"ERROR","error":"Unhandled error"}', False, "Unhandled error", ""),
    (b'{"status":"error","errorMsg":""}', False, "no error message in the response body", ""),
    (b'{"status":false,"message":"nope"}', False, "nope", ""),
    (b"<<not json>>", True, "", ""),
    (b"", True, "", ""),
    (b"[1,2]", True, "", ""),
]


FULL_ORDER = b"""{
  "orderRefNo": "REVEL-1001",
  "deliveryMethod": "DELIVERY",
  "createdAt": "2026-11-27T10:00:00+08:00",
  "expectedPickupAt": "2026-11-27T10:45:00+08:00",
  "currency": "SGD",
  "customer": {"firstName": "Mei", "lastName": "Tan", "phone": "+6591234567", "email": "mei@example.com"},
  "notes": "ring the bell",
  "items": [
    {"plu": "101", "name": "Margherita Pizza", "quantity": 2, "unitPrice": 12.50, "notes": "well done",
     "modifiers": [{"plu": "201", "name": "Extra Cheese", "groupName": "Toppings", "quantity": 2, "unitPrice": 1.50},
                   {"plu": "MUSH", "name": "Mushrooms", "quantity": 1, "unitPrice": 1.25}]},
    {"plu": "COMBO-L", "name": "Lunch Combo", "quantity": 1, "unitPrice": 15.00,
     "comboItems": [{"plu": "103", "name": "Iced Tea", "quantity": 1, "unitPrice": 0},
                    {"plu": "106", "name": "Flat White", "quantity": 1, "unitPrice": 0.60, "notes": "extra hot",
                     "modifiers": [{"plu": "205", "name": "Oat Milk", "quantity": 1, "unitPrice": 0.60}]}]},
    {"plu": "105", "name": "Chocolate Cake", "quantity": 3, "unitPrice": 1.005}
  ],
  "deliveryFee": 3.00,
  "tip": 2.00,
  "totalPay": 56.615,
  "payment": {"method": "card", "transactionId": "txn-9f8e7d", "paidAt": "2026-11-27T10:00:00+08:00"}
}"""


def script_input(raw: bytes, **overrides: Any) -> dict[str, Any]:
    values = settings(**overrides)
    outlet = {k: v for k, v in values.items() if k not in ("baseUrl", "apiKey", "apiSecret")}
    return {
        "providerSlug": "revel",
        "baseUrl": values["baseUrl"],
        "apiKey": values["apiKey"],
        "apiSecret": values["apiSecret"],
        "payload": msgspec.Raw(raw),
        "outlet": {"settings": outlet, "refCode": "OUT-1"},
    }
