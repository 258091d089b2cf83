"""``up``'s Lightspeed and Atlas outlets: provider connections, outlet mappings, the mocks' webhooks.

Everything goes through the service's API (:class:`SandboxClient`) and mock_pos's admin API
(:class:`MockAdmin`), as a partner's own set-up would. The mocks' catalogues get the sandbox menu of
``fake_orders`` (sku / item id = its plu) so that ``trigger``'s generated orders are orderable, and each
mock's notifications or events point at the service's inbound route for the provider, authenticated:

- Lightspeed: the connection holds the OAuth token (``tokenUrl`` + ``accessToken``/``refreshToken``/
  ``expiresAt``, ADR 0006) and inbound Basic credentials; endpoint ``CATA-SANDBOX`` is registered
  with ``PUT /o/wh/1/webhook`` (``withBasicAuth``) at ``.../inbound/lightspeed/order-status?tenant=<id>``.
- Atlas: it signs nothing and sends only to its configured ``webhookUrl``, so the URL carries the
  tenant and a secret token (``inboundToken``).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from cata_sandbox.partner.client import ApiError, SandboxClient
from cata_sandbox.partner.fake_orders import MENU
from mock_pos.client import MockAdmin, MockAdminError

__all__ = [
    "ATLAS_SETTINGS",
    "LIGHTSPEED_ENDPOINT",
    "OUTLET_ATLAS",
    "OUTLET_LIGHTSPEED",
    "inbound_url",
    "seed_atlas",
    "seed_lightspeed",
]

OUTLET_LIGHTSPEED = "outlet-lightspeed"
OUTLET_ATLAS = "outlet-atlas"
LIGHTSPEED_ENDPOINT = "CATA-SANDBOX"
ATLAS_SETTINGS: dict[str, Any] = {
    "outletId": 3,
    "channelId": 1,
    "merchantId": "sandbox-merchant",
    "timezone": "Asia/Singapore",
}


def _menu() -> list[tuple[str, str, Any]]:
    """(plu, name, price) of every product and modifier of the sandbox menu, once each."""
    seen: dict[str, tuple[str, str, Any]] = {}
    for item in MENU:
        seen.setdefault(item.plu, (item.plu, item.name, item.price))
        for modifier in item.modifiers:
            seen.setdefault(modifier.plu, (modifier.plu, modifier.name, modifier.price))
    return list(seen.values())


def inbound_url(service_url: str, provider: str, tenant: str, **extra: str) -> str:
    query = urlencode({"tenant": tenant, **extra})
    return f"{service_url}/api/v1/inbound/{provider}/order-status?{query}"


def seed_lightspeed(api: SandboxClient, mock: MockAdmin, service_url: str, mock_url: str) -> None:
    """Connection, ``outlet-lightspeed`` and the notification endpoint; raises ApiError / MockAdminError."""
    tenant = str(api.whoami()["tenantId"])
    config = mock.lightspeed_config()
    location = config["businesses"][0]["locations"][0]
    known = {item["sku"] for item in location["items"]}
    location["items"] += [
        {"sku": plu, "name": name, "price": str(price)} for plu, name, price in _menu() if plu not in known
    ]
    # Cata's totalPay includes tax and fees the Lightspeed script sends no line for (see README).
    config["checkPaymentTotal"] = False
    mock.configure_lightspeed(config, replace=True)
    tokens = mock.lightspeed_tokens()
    expires = datetime.now(UTC) + timedelta(seconds=float(tokens["expires_in"]))
    username, password = f"cata-{tenant}", secrets.token_urlsafe(18)
    api.put_provider_connection(
        "lightspeed",
        {
            "apiKey": config["clientId"],
            "apiSecret": config["clientSecret"],
            "baseUrl": f"{mock_url}/lightspeed",
            "config": {
                "tokenUrl": f"{mock_url}/lightspeed/oauth/token",
                "accessToken": tokens["access_token"],
                "refreshToken": tokens["refresh_token"],
                "expiresAt": expires.isoformat(),
                "businessLocationId": location["id"],
                "endpointId": LIGHTSPEED_ENDPOINT,
                "inboundUsername": username,
                "inboundPassword": password,
            },
        },
    )
    api.map_provider(OUTLET_LIGHTSPEED, "lightspeed", {"tableNumber": 1}, external_id=str(location["id"]))
    registration = {
        "endpointId": LIGHTSPEED_ENDPOINT,
        "url": inbound_url(service_url, "lightspeed", tenant),
        "withBasicAuth": True,
        "username": username,
        "password": password,
    }
    answer = httpx.put(
        f"{mock_url}/lightspeed/o/wh/1/webhook",
        json=registration,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    if answer.status_code != 200:
        raise ApiError(f"mock Lightspeed refused the webhook registration: HTTP {answer.status_code}")


def seed_atlas(api: SandboxClient, mock: MockAdmin, service_url: str, mock_url: str) -> None:
    """Connection, ``outlet-atlas`` and mock Atlas's ``webhookUrl``; raises ApiError / MockAdminError."""
    tenant = str(api.whoami()["tenantId"])
    config = mock.atlas_config()
    known = {item["id"] for item in config["items"]}
    cents = [(int(plu), name, int(price * 100)) for plu, name, price in _menu() if plu.isdigit()]
    config["items"] += [
        {"id": plu, "name": name, "price_cents": price} for plu, name, price in cents if plu not in known
    ]
    token = secrets.token_urlsafe(18)
    config["webhookUrl"] = inbound_url(service_url, "atlas", tenant, token=token)
    mock.configure_atlas(config, replace=True)
    api.put_provider_connection(
        "atlas",
        {
            "apiKey": config["apiKey"],
            "baseUrl": f"{mock_url}/atlas",
            "config": {"merchantId": config["merchantId"], "inboundToken": token},
        },
    )
    api.map_provider(OUTLET_ATLAS, "atlas", ATLAS_SETTINGS, external_id=str(ATLAS_SETTINGS["outletId"]))


def seed_pos(api: SandboxClient, mock: MockAdmin, service_url: str, mock_url: str) -> list[str]:
    """Both; a refusal is a warning line (the other paths still work), never a failed start."""
    warnings = []
    for name, step in (("Lightspeed", seed_lightspeed), ("Atlas", seed_atlas)):
        try:
            step(api, mock, service_url, mock_url)
        except (ApiError, MockAdminError, httpx.HTTPError, KeyError, ValueError) as exc:
            warnings.append(f"could not set up mock {name}: {exc}")
    return warnings
