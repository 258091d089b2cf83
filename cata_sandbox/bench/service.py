"""The service side of a run: seeding outlets and webhooks, and the direct targets that mirror a dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from cata_sandbox import signing
from cata_sandbox.bench.load import LoadTarget
from cata_sandbox.bench.processes import cpu_seconds, rss_mb
from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.delivery import webhook_request
from cata_sandbox.partner.client import SandboxClient
from cata_sandbox.partner.up import revel_settings
from cata_sandbox.transformers import OutboundRequest


@dataclass
class ServiceHandle:
    """The sandbox under test: its API through :class:`SandboxClient`, its process for RSS and CPU."""

    api: SandboxClient
    api_key: str
    pid: int | None

    @property
    def url(self) -> str:
        return self.api.url

    def register_webhook(self, outlet_id: str, callback_url: str) -> str:
        return str(self.api.register_webhook(outlet_id, callback_url)["secret"])

    def map_revel(self, outlet_id: str, mock_url: str) -> dict[str, Any]:
        """Map the outlet to mock Revel at ``mock_url`` with the settings ``up`` gives ``outlet-revel``."""
        settings = revel_settings(mock_url)
        self.api.map_provider(outlet_id, "revel", settings)
        return settings

    def failed_orders(self, outlet_id: str) -> int:
        listing = self.api.list_orders(outlet_id=outlet_id, status="failed", limit=1)
        return int(listing.get("total", 0))

    def rss_mb(self) -> float | None:
        return None if self.pid is None else rss_mb(self.pid)

    def cpu_seconds(self) -> float | None:
        return None if self.pid is None else cpu_seconds(self.pid)


def signed_webhook_request(url: str, secret: str, order: bytes) -> OutboundRequest:
    """The webhook request the service would send for ``order`` now, signed with ``secret``: the same
    request (:func:`cata_sandbox.delivery.webhook_request`), without a delivery id yet."""
    return webhook_request(
        url,
        order,
        signing.sign(secret, order),
        event="order.paid",
        timestamp=int(SYSTEM_CLOCK.now().timestamp()),
    )


def webhook_direct_target(name: str, url: str, secret: str, order: bytes) -> LoadTarget:
    """:func:`signed_webhook_request` for the direct run, with a fresh ``X-Cata-Delivery-ID`` per request."""
    request = signed_webhook_request(url, secret, order)
    return LoadTarget(name, request.url, dict(request.headers), [request.body], fresh_delivery_id=True)


def revel_direct_target(name: str, order: bytes, settings: dict[str, Any]) -> LoadTarget:
    """The request the Revel script (adapters/scripts/revel/order_dispatch.js) builds, for the direct run."""
    import asyncio
    import time

    from cata_sandbox.adapters import AdapterRuntime, load_catalog

    credentials = ("baseUrl", "apiKey", "apiSecret")
    data = {
        "providerSlug": "revel",
        **{key: settings.get(key, "") for key in credentials},
        "payload": msgspec.Raw(order),
        "outlet": {"settings": {k: v for k, v in settings.items() if k not in credentials}},
    }

    async def build() -> Any:
        async with AdapterRuntime(load_catalog(), workers=1) as runtime:
            return await runtime.run("revel", "order_dispatch", data, deadline=time.monotonic() + 30)

    result = asyncio.run(build())
    if result.request is None:
        raise RuntimeError(f"the Revel script failed on the bench order: {result.error}")
    request = result.request
    return LoadTarget(name, request.url, dict(request.headers), [request.body or b""])
