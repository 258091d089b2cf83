"""A client of mock_pos's admin API (``/__admin``), shipped beside the server it talks to."""

from __future__ import annotations

import base64
from typing import Any

import httpx


def entry_body(entry: dict[str, Any]) -> bytes:
    """The exact bytes a journal entry recorded (the journal carries them base64-encoded)."""
    return base64.b64decode(entry["bodyBase64"])


def entry_headers(entry: dict[str, Any]) -> dict[str, str]:
    """A journal entry's request headers by lower-case name (the journal keeps them as a list of pairs)."""
    return {name.lower(): value for name, value in entry["headers"]}


def entry_header_values(entry: dict[str, Any]) -> dict[str, list[str]]:
    """Every value of each request header by lower-case name (a header sent twice keeps both)."""
    found: dict[str, list[str]] = {}
    for name, value in entry["headers"]:
        found.setdefault(name.lower(), []).append(value)
    return found


class MockAdminError(Exception):
    """mock_pos refused an admin call or could not be reached; the message is one line."""


class MockAdmin:
    """Blocking calls to a running mock_pos's admin API."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        # Idle connections dropped after 1 s, before uvicorn's 5 s keep-alive timeout can close one
        # under a request (cata_sandbox's clients do the same: its net/transport.py says why).
        self.http = httpx.Client(
            base_url=self.url, timeout=timeout, limits=httpx.Limits(keepalive_expiry=1.0)
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> MockAdmin:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, f"/__admin{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise MockAdminError(f"cannot reach mock_pos at {self.url}: {exc}") from None
        if response.status_code != expected:
            try:
                detail = response.json().get("error", response.text[:200])
            except (ValueError, AttributeError):
                detail = response.text[:200]
            raise MockAdminError(
                f"mock_pos {method} /__admin{path} answered HTTP {response.status_code}: {detail}"
            )
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        """``GET /__admin<path>``, decoded: any read of the admin API without a method of its own."""
        return self._call("GET", path, 200)

    def health(self) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", "/health", 200)
        return found

    def reset(self) -> None:
        """No faults, journal or receivers; every mocked POS back to its defaults."""
        self._call("POST", "/reset", 200)

    def tls(self) -> dict[str, Any]:
        """``caFile``, ``url`` (the valid HTTPS site) and ``faults`` (TLS fault mode -> its base URL)."""
        found: dict[str, Any] = self._call("GET", "/tls", 200)
        return found

    def add_fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Activate a fault (``{"target", "mode", <params>, "times"?, "match"?}``); returns it with its id."""
        fault: dict[str, Any] = self._call("POST", "/faults", 201, json=spec)
        return fault

    def faults(self) -> list[dict[str, Any]]:
        active: list[dict[str, Any]] = self._call("GET", "/faults", 200)
        return active

    def remove_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"/faults/{fault_id}", 204)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults", 204)

    def configure_receiver(self, name: str, secret: str | None, **options: Any) -> dict[str, Any]:
        """Create or change receiver ``name`` (``options``: its other settings, such as a probe)."""
        body = {**({} if secret is None else {"secret": secret}), **options}
        config: dict[str, Any] = self._call("PUT", f"/receivers/{name}", 200, json=body)
        return config

    def journal(self, target: str | None = None) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self._call(
            "GET", "/journal", 200, params={"target": target} if target else None
        )
        return entries

    def revel(self) -> dict[str, Any]:
        config: dict[str, Any] = self._call("GET", "/revel", 200)
        return config

    def configure_revel(self, config: dict[str, Any]) -> dict[str, Any]:
        updated: dict[str, Any] = self._call("PUT", "/revel", 200, json=config)
        return updated

    def revel_orders(self) -> list[dict[str, Any]]:
        """Orders mock Revel accepted (decimals as exact strings)."""
        orders: list[dict[str, Any]] = self._call("GET", "/revel/orders", 200)
        return orders

    def revel_finalize(self, order_id: int, url: str, **options: Any) -> dict[str, Any]:
        """Have mock Revel POST its ``order.finalized`` webhook for ``order_id`` to ``url`` now.

        ``options``: the rest of the body (``headers``, ...). Returns ``{"status", "body"}``: the answer
        mock Revel got, its body as text.
        """
        answer: dict[str, Any] = self._call(
            "POST", "/revel/finalize", 200, json={"orderId": order_id, "url": url, **options}
        )
        return answer

    # --- mock Lightspeed ------------------------------------------------------------------------

    def lightspeed_config(self) -> dict[str, Any]:
        """Mock Lightspeed's configuration (client credentials, businesses, timings)."""
        found: dict[str, Any] = self._call("GET", "/lightspeed", 200)
        return found

    def configure_lightspeed(self, config: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        """Change some settings (e.g. ``{"tokenLifetimeSeconds": 5}``), or all with ``replace=True``."""
        method = "PUT" if replace else "PATCH"
        shown: dict[str, Any] = self._call(method, "/lightspeed", 200, json=config)
        return shown

    def lightspeed_authorization_code(self) -> str:
        """A one-time code for ``POST /lightspeed/oauth/token`` (grant ``authorization_code``)."""
        return str(self._call("POST", "/lightspeed/authorize", 201)["code"])

    def lightspeed_tokens(self) -> dict[str, Any]:
        """A fresh OAuth2 token pair, without the code exchange."""
        tokens: dict[str, Any] = self._call("POST", "/lightspeed/tokens", 201)
        return tokens

    def expire_lightspeed_tokens(self) -> int:
        """Expire every access token now; returns how many."""
        return int(self._call("POST", "/lightspeed/tokens/expire", 200)["expired"])

    def lightspeed_orders(self) -> list[dict[str, Any]]:
        """Accepted orders with their notifications (decimals as exact strings)."""
        orders: list[dict[str, Any]] = self._call("GET", "/lightspeed/orders", 200)
        return orders

    def lightspeed_notify(self, reference: str, status: str, reason: str | None = None) -> dict[str, Any]:
        """Send a notification (e.g. ``READY_FOR_PICKUP``) for an accepted order; returns the answer."""
        body: dict[str, Any] = {"thirdPartyReference": reference, "status": status}
        if reason is not None:
            body["reason"] = reason
        sent: dict[str, Any] = self._call("POST", "/lightspeed/notify", 200, json=body)
        return sent

    def add_lightspeed_notification_fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Disturb the next outcome notifications (``{"mode": "delay|never|twice|failure", ...}``)."""
        fault: dict[str, Any] = self._call("POST", "/lightspeed/notification-faults", 201, json=spec)
        return fault

    # --- mock Atlas Kitchen ---------------------------------------------------------------------

    def atlas_config(self) -> dict[str, Any]:
        """Mock Atlas's configuration (key, merchant, outlets, menu, webhook, schedule, retries)."""
        found: dict[str, Any] = self._call("GET", "/atlas", 200)
        return found

    def configure_atlas(self, config: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        """Change some settings (e.g. ``{"webhookUrl": url}``), or all with ``replace=True``."""
        shown: dict[str, Any] = self._call("PUT" if replace else "PATCH", "/atlas", 200, json=config)
        return shown

    def atlas_orders(self) -> list[dict[str, Any]]:
        """Created orders as ``{"order", "body"}`` (decimals in ``body`` as exact strings)."""
        orders: list[dict[str, Any]] = self._call("GET", "/atlas/orders", 200)
        return orders

    def atlas_event(self, order_id: int, event_type: str, url: str | None = None) -> dict[str, Any]:
        """Send an order event (e.g. ``order.completed``) now; returns it with its first attempt."""
        body: dict[str, Any] = {"orderId": order_id, "eventType": event_type}
        if url is not None:
            body["url"] = url
        event: dict[str, Any] = self._call("POST", "/atlas/events", 200, json=body)
        return event

    def atlas_events(self) -> list[dict[str, Any]]:
        """Every order event sent, with its attempts."""
        events: list[dict[str, Any]] = self._call("GET", "/atlas/events", 200)
        return events


def read_journal(url: str, target: str | None = None, *, timeout: float = 10.0) -> list[dict[str, Any]]:
    """One read of the journal of the mock_pos at ``url`` (a client opened and closed for it)."""
    with MockAdmin(url, timeout=timeout) as admin:
        return admin.journal(target)
