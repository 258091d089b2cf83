"""Test data: the standard order, a fixed clock instant, and dispatch bodies with order bytes spliced in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cata_sandbox.partner.client import dispatch_body

NOW = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)

ORDER: dict[str, Any] = {
    "orderRefNo": "CATA-1001",
    "deliveryMethod": "PICKUP",
    "createdAt": "2026-11-27T10:00:00+08:00",
    "currency": "SGD",
    "items": [
        {
            "plu": "101",
            "name": "Flat White",
            "quantity": 2,
            "unitPrice": 4.5,
            "notes": "extra hot",
            "modifiers": [{"plu": "201", "name": "Oat milk", "quantity": 1, "unitPrice": 0.8}],
        }
    ],
    "totalPay": 10.6,
}


def envelope(outlet_id: str, order: bytes, **extra: Any) -> bytes:
    """A dispatch body with the order bytes spliced in verbatim (never re-encoded)."""
    return dispatch_body(outlet_id, order, **extra)
