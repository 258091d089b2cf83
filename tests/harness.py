"""Run the real service and mock_pos on loopback for integration tests, and talk to them over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from cata_sandbox.app import create_app
from cata_sandbox.settings import Settings
from mock_pos.server import ServerThread

API_KEY = "test-key-sandbox"

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
    head = msgspec.json.encode({"outletId": outlet_id, "event": "order.paid", **extra})
    return head[:-1] + b',"order":' + order + b"}"


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met before the deadline")


@dataclass
class Sandbox:
    """The dispatch service under test, reached over loopback HTTP."""

    server: ServerThread
    client: httpx.Client
    database_url: str

    @property
    def url(self) -> str:
        return self.server.url

    def register(self, outlet_id: str, callback_url: str, **extra: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/webhooks/register", json={"outletId": outlet_id, "callbackUrl": callback_url, **extra}
        )
        assert response.status_code == 201, response.text
        webhook: dict[str, Any] = response.json()["webhook"]
        return webhook

    def dispatch(self, body: bytes, **headers: str) -> httpx.Response:
        return self.client.post(
            "/api/v1/orders/dispatch", content=body, headers={"Content-Type": "application/json", **headers}
        )

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/orders/{order_id}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()["order"]
        return found

    def orders(self, **params: Any) -> dict[str, Any]:
        response = self.client.get("/api/v1/orders", params=params)
        assert response.status_code == 200, response.text
        listing: dict[str, Any] = response.json()
        return listing


def start_sandbox(
    database_url: str, *, transport: httpx.AsyncBaseTransport | None = None, **settings: Any
) -> Sandbox:
    config = Settings(database_url=database_url, api_key=API_KEY, **{"dispatch_timeout_s": 3.0, **settings})
    server = ServerThread(create_app(config, transport=transport))
    server.start()
    client = httpx.Client(base_url=server.url, headers={"X-Api-Key": API_KEY}, timeout=30)
    return Sandbox(server=server, client=client, database_url=database_url)


def stop_sandbox(sandbox: Sandbox) -> None:
    sandbox.client.close()
    sandbox.server.stop()


@dataclass
class MockPos:
    """mock_pos over loopback: receivers, mock Revel, faults and the journal."""

    server: ServerThread
    client: httpx.Client

    @property
    def url(self) -> str:
        return self.server.url

    def receiver(self, name: str, secret: str, **options: Any) -> str:
        response = self.client.put(f"/__admin/receivers/{name}", json={"secret": secret, **options})
        assert response.status_code in (200, 201), response.text
        return f"{self.url}/webhooks/{name}"

    def fault(self, target: str, mode: str, **params: Any) -> dict[str, Any]:
        response = self.client.post("/__admin/faults", json={"target": target, "mode": mode, **params})
        assert response.status_code == 201, response.text
        fault: dict[str, Any] = response.json()
        return fault

    def journal(self, target: str | None = None) -> list[dict[str, Any]]:
        response = self.client.get("/__admin/journal", params={"target": target} if target else None)
        assert response.status_code == 200, response.text
        entries = response.json()
        if isinstance(entries, dict):
            entries = entries.get("entries", entries.get("journal", []))
        assert isinstance(entries, list)
        return entries


def connect_receiver(sandbox: Sandbox, mock_pos: MockPos, outlet_id: str, name: str, **options: Any) -> str:
    """Register mock receiver ``name`` as the outlet's webhook, with the secret wired on both sides."""
    webhook = sandbox.register(outlet_id, f"{mock_pos.url}/webhooks/{name}")
    mock_pos.receiver(name, webhook["secret"], **options)
    secret: str = webhook["secret"]
    return secret
