"""A small HTTP client of a running sandbox, for the CLI commands that talk to one (trigger, orders, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from cata_sandbox.clock import SYSTEM_CLOCK

DEFAULT_URL = "http://127.0.0.1:8700"
API_KEY_HEADER = "X-Api-Key"


class ApiError(Exception):
    """The service refused a request or could not be reached; the message is one line for the user."""


def _message(response: httpx.Response) -> str:
    try:
        document = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(document, dict) and isinstance(document.get("message"), str):
        return str(document["message"])
    return response.text[:200]


def check(response: httpx.Response, *expected: int) -> dict[str, Any]:
    """The JSON body of an expected answer, else :class:`ApiError` with the service's message."""
    if response.status_code not in (expected or (200,)):
        hint = " (check --api-key / CATA_API_KEY)" if response.status_code == 401 else ""
        raise ApiError(
            f"{response.request.method} {response.request.url.path} answered HTTP {response.status_code}: "
            f"{_message(response)}{hint}"
        )
    body: dict[str, Any] = response.json()
    return body


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """One dispatch as the caller saw it: the service's answer and the round trip."""

    status_code: int
    body: dict[str, Any]
    latency_ms: float
    error: str | None = None

    @property
    def dispatched(self) -> bool:
        return self.error is None and bool(self.body.get("dispatched"))

    @property
    def reason(self) -> str:
        if self.error is not None:
            return self.error
        return str(self.body.get("reason", ""))


class SandboxClient:
    """Blocking calls to the service's API with one API key."""

    def __init__(self, url: str, api_key: str | None, *, timeout: float = 60.0) -> None:
        headers = {API_KEY_HEADER: api_key} if api_key else {}
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(
                f"cannot reach the sandbox at {self.url}: {exc} (is `cata-sandbox up` running?)"
            ) from None

    def _call(self, method: str, path: str, *expected: int, **kwargs: Any) -> dict[str, Any]:
        return check(self._send(method, path, **kwargs), *expected)

    def whoami(self) -> dict[str, Any]:
        return self._call("GET", "/api/v1/auth/whoami")

    def register_webhook(self, outlet_id: str, callback_url: str) -> dict[str, Any]:
        body = self._call(
            "POST",
            "/api/v1/webhooks/register",
            201,
            json={"outletId": outlet_id, "callbackUrl": callback_url},
        )
        webhook: dict[str, Any] = body["webhook"]
        return webhook

    def list_orders(
        self, *, status: str | None = None, outlet_id: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if status is not None:
            params["status"] = status
        if outlet_id is not None:
            params["outletId"] = outlet_id
        return self._call("GET", "/api/v1/orders", params=params)

    def get_order(self, order_id: str) -> tuple[dict[str, Any], bytes]:
        """The stored order (parsed) and the whole answer's bytes (the order JSON keeps its exact text)."""
        response = self._send("GET", f"/api/v1/orders/{order_id}")
        order: dict[str, Any] = check(response)["order"]
        return order, response.content


async def dispatch_one(client: httpx.AsyncClient, body: bytes) -> DispatchResult:
    """POST one dispatch body; transport trouble becomes ``error``, never an exception."""
    started = SYSTEM_CLOCK.monotonic()
    try:
        response = await client.post(
            "/api/v1/orders/dispatch", content=body, headers={"Content-Type": "application/json"}
        )
    except httpx.HTTPError as exc:
        elapsed = (SYSTEM_CLOCK.monotonic() - started) * 1000
        return DispatchResult(0, {}, elapsed, error=f"cannot reach the sandbox: {exc!r}")
    elapsed = (SYSTEM_CLOCK.monotonic() - started) * 1000
    if response.status_code != 200:
        return DispatchResult(
            response.status_code, {}, elapsed, error=f"HTTP {response.status_code}: {_message(response)}"
        )
    return DispatchResult(response.status_code, response.json(), elapsed)
