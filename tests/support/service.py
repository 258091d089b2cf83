"""The real service on loopback for integration tests (the app in a server thread), talked to over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from cata_sandbox.app import create_app
from cata_sandbox.settings import Settings
from mock_pos.server import ServerThread
from tests.support.mock import MockPos

API_KEY = "test-key-sandbox"


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


@contextmanager
def running_sandbox(database_url: str, **options: Any) -> Iterator[Sandbox]:
    """:func:`start_sandbox` for a ``with`` block."""
    running = start_sandbox(database_url, **options)
    try:
        yield running
    finally:
        stop_sandbox(running)


def connect_receiver(sandbox: Sandbox, mock_pos: MockPos, outlet_id: str, name: str, **options: Any) -> str:
    """Register mock receiver ``name`` as the outlet's webhook, with the secret wired on both sides."""
    webhook = sandbox.register(outlet_id, f"{mock_pos.url}/webhooks/{name}")
    mock_pos.receiver(name, webhook["secret"], **options)
    secret: str = webhook["secret"]
    return secret
