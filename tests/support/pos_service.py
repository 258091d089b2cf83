"""The service wired to mock Lightspeed and mock Atlas the way ``cata-sandbox up`` wires them
(``partner/up_pos.py``), and waiting (with a deadline) for what their notifications do to an order."""

from __future__ import annotations

from typing import Any

from cata_sandbox.partner.client import SandboxClient
from cata_sandbox.partner.up_pos import seed_atlas, seed_lightspeed
from tests.support.mock import MockPos
from tests.support.net import wait_until
from tests.support.service import API_KEY, Sandbox

LS_ORDER = b"""{"orderRefNo":"LS-E2E-1","deliveryMethod":"PICKUP","createdAt":"2026-12-01T10:00:00+08:00",
"expectedPickupAt":"2026-12-01T10:30:00+08:00","currency":"SGD","customer":{"firstName":"Zo\\u00eb","lastName":"Tan"},
"items":[{"plu":"101","name":"Margherita Pizza","quantity":2,"unitPrice":12.50,
  "modifiers":[{"plu":"201","name":"Extra Cheese","quantity":1,"unitPrice":1.50}]},
 {"plu":"104","name":"Lunch Combo","quantity":1,"unitPrice":15.00,
  "comboItems":[{"plu":"102","name":"Caesar Salad","quantity":1,"unitPrice":0},
                {"plu":"103","name":"Iced Tea","quantity":1,"unitPrice":0.10}]}],
"tip":2.00,"totalPay":45.10,"notes":"Ring the bell"}"""

AT_ORDER = b"""{"orderRefNo":"AT-E2E-1","deliveryMethod":"DELIVERY","createdAt":"2026-12-01T10:00:00+08:00",
"expectedPickupAt":"2026-12-01T02:45:00Z","currency":"SGD","customer":{"firstName":"Zo\\u00eb","lastName":"Tan"},
"deliveryAddress":{"line1":"8 Temasek Boulevard","postalCode":"038988"},
"items":[{"plu":"101","name":"Margherita Pizza","quantity":2,"unitPrice":12.50,
  "modifiers":[{"plu":"201","name":"Extra Cheese","quantity":1,"unitPrice":1.50}]},
 {"plu":"104","name":"Lunch Combo","quantity":1,"unitPrice":15.00,
  "comboItems":[{"plu":"102","name":"Caesar Salad","quantity":1,"unitPrice":0},
                {"plu":"103","name":"Iced Tea","quantity":1,"unitPrice":0.10}]}],
"subtotal":43.10,"deliveryFee":3.50,"tax":3.88,"totalPay":50.48}"""


def wire(sandbox: Sandbox, mock_pos: MockPos, provider: str) -> None:
    """``up``'s seeding of one provider against this sandbox and this mock_pos."""
    step = {"lightspeed": seed_lightspeed, "atlas": seed_atlas}[provider]
    with SandboxClient(sandbox.server.url, API_KEY, timeout=10) as api:
        step(api, mock_pos.admin, sandbox.server.url, mock_pos.url)


def tenant_id(sandbox: Sandbox) -> str:
    return str(sandbox.client.get("/api/v1/auth/whoami").json()["tenantId"])


def connection(sandbox: Sandbox, provider: str) -> dict[str, Any]:
    """The stored connection, secrets included (read from the store: the API never shows them)."""
    import asyncio

    from cata_sandbox.store import Store
    from cata_sandbox.store.db import create_engine

    async def read() -> dict[str, Any]:
        engine = create_engine(sandbox.database_url)
        try:
            found = await Store(engine).get_provider_connection(tenant_id(sandbox), provider)
        finally:
            await engine.dispose()
        assert found is not None
        return found.config

    return asyncio.run(read())


def wait_for_status(sandbox: Sandbox, order_id: str, status: str, timeout: float = 10.0) -> dict[str, Any]:
    """The order once its fulfilment status is ``status`` (polled against a deadline)."""
    seen: dict[str, Any] = {}

    def reached() -> bool:
        seen.update(sandbox.order(order_id))
        return seen.get("fulfilmentStatus") == status

    wait_until(reached, timeout, f"order {order_id} reaching {status} (last {seen.get('fulfilmentStatus')})")
    return seen


def seed_pos_reason(attempt: dict[str, Any]) -> str:
    """The seed's reason for a POS's non-2xx answer, from the attempt's stored answer: its first 200
    characters, and ``...`` when cut."""
    text = attempt["responseBody"]
    shown = text if len(text) <= 200 else text[:200] + "..."
    return f"POS returned HTTP {attempt['responseStatus']}: {shown}"
