"""A small HTTP client of a running sandbox, for the CLI commands that talk to one (trigger, orders, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.net.transport import pool_limits

DEFAULT_URL = "http://127.0.0.1:8700"
API_KEY_HEADER = "X-Api-Key"


def dispatch_body(outlet_id: str, order: bytes, transformer: str | None = None, **fields: Any) -> bytes:
    """The body of ``POST /api/v1/orders/dispatch`` with the order's bytes spliced in verbatim.

    The one builder of the envelope (trigger, bench, replayed loads and the tests use it): the order is
    never decoded and re-encoded, so what the receiver gets is byte for byte what was built.
    """
    head: dict[str, Any] = {"outletId": outlet_id, "event": "order.paid"}
    if transformer:
        head["builtInTransformer"] = transformer
    head.update(fields)
    return msgspec.json.encode(head)[:-1] + b',"order":' + order + b"}"


class ApiError(Exception):
    """The service refused a request or could not be reached; the message is one line for the user.

    ``status`` and ``detail`` are the answer's HTTP status and the service's own message (``status`` is
    None when no answer came), for callers that show them shorter than the whole message.
    """

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail or message


def describe_transport_error(exc: httpx.HTTPError) -> str:
    """The sandbox's own words for why a request got no answer (never the library's message)."""
    if isinstance(exc, httpx.ConnectError):
        return "nothing answers there (connection refused or host unreachable)"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "that is not an http:// or https:// URL"
    return f"the connection failed ({type(exc).__name__})"


def _message(response: httpx.Response) -> str:
    try:
        document = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(document, dict) and isinstance(document.get("message"), str):
        return str(document["message"])
    return response.text[:200]


def check(response: httpx.Response, *expected: int, where: str = "") -> dict[str, Any]:
    """The JSON body of an expected answer, else :class:`ApiError` with the service's message.

    ``where`` is added to the message (the hint about ``--url`` when the default URL was used).
    """
    if response.status_code not in (expected or (200,)):
        hint = " (check --api-key / CATA_API_KEY)" if response.status_code == 401 else ""
        detail = _message(response)
        raise ApiError(
            f"{response.request.method} {response.request.url.path} answered HTTP {response.status_code}: "
            f"{detail}{hint}{where}",
            status=response.status_code,
            detail=detail,
        )
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        raise ApiError(
            f"{response.request.url} answered HTTP {response.status_code} with a body that is not JSON:"
            f" is it a cata-sandbox?{where}",
            status=response.status_code,
            detail="the answer is not JSON",
        ) from None
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

    def __init__(self, url: str, api_key: str | None, *, timeout: float = 60.0, hint: str = "") -> None:
        headers = {API_KEY_HEADER: api_key} if api_key else {}
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout, limits=pool_limits())
        # Added to every error: why this URL was used, when that may be the problem.
        self.hint = hint

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
                f"cannot reach the sandbox at {self.url}: {describe_transport_error(exc)}"
                f"{self.hint or ' (is `cata-sandbox up` running?)'}"
            ) from None

    def _call(self, method: str, path: str, *expected: int, **kwargs: Any) -> dict[str, Any]:
        return check(self._send(method, path, **kwargs), *expected, where=self.hint)

    def sandbox_info(self) -> dict[str, Any]:
        """``GET /api/v1/sandbox``: the dispatch budget, callback policy, version and mock URLs."""
        return self._call("GET", "/api/v1/sandbox")

    @contextmanager
    def attempt_stream(
        self, outlet_id: str | None, last_event_id: str | None, *, idle_timeout: float = 45.0
    ) -> Iterator[Iterator[StreamEvent]]:
        """``GET /api/v1/attempts/stream``: the events, resuming after ``last_event_id`` when given.

        A connection quiet for ``idle_timeout`` seconds (the service sends a keep-alive every 15 s) is
        taken as dropped: iterating raises ``httpx.ReadTimeout``, like any other broken stream's error.
        """
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        params = {"outletId": outlet_id} if outlet_id is not None else None
        timeout = httpx.Timeout(10.0, read=idle_timeout)
        try:
            with self.http.stream(
                "GET", "/api/v1/attempts/stream", params=params, headers=headers, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    response.read()
                    check(response, where=self.hint)
                yield read_events(response.iter_lines())
        except httpx.HTTPError as exc:
            raise ApiError(
                f"the attempt stream of {self.url} broke: {describe_transport_error(exc)}{self.hint}"
            ) from None

    def list_webhooks(self, outlet_id: str | None = None) -> list[dict[str, Any]]:
        params = {"outletId": outlet_id} if outlet_id is not None else None
        hooks: list[dict[str, Any]] = self._call("GET", "/api/v1/webhooks", params=params)["webhooks"]
        return hooks

    def get_webhook(self, webhook_id: int) -> dict[str, Any]:
        webhook: dict[str, Any] = self._call("GET", f"/api/v1/webhooks/{webhook_id}")["webhook"]
        return webhook

    def webhook_secret(self, webhook_id: int) -> str:
        return str(self._call("GET", f"/api/v1/webhooks/{webhook_id}/secret")["secret"])

    def update_webhook(self, webhook_id: int, **changes: Any) -> dict[str, Any]:
        webhook: dict[str, Any] = self._call("PUT", f"/api/v1/webhooks/{webhook_id}", json=changes)["webhook"]
        return webhook

    def rotate_secret(self, webhook_id: int) -> dict[str, Any]:
        webhook: dict[str, Any] = self._call("POST", f"/api/v1/webhooks/{webhook_id}/rotate-secret")[
            "webhook"
        ]
        return webhook

    def delete_webhook(self, webhook_id: int) -> None:
        self._call("DELETE", f"/api/v1/webhooks/{webhook_id}")

    def ensure_webhook(
        self, outlet_id: str, callback_url: str, events: list[str]
    ) -> tuple[dict[str, Any], bool]:
        """The outlet's active webhook for ``events`` pointed at ``callback_url``, with its secret.

        Reuses (and re-points) the one that exists, so its secret stays the same; registers one otherwise.
        Returns the webhook (with ``secret``) and whether it was registered now.
        """
        for hook in reversed(self.list_webhooks(outlet_id)):
            if hook["isActive"] and hook["provider"] == "cata" and set(events) & set(hook["events"]):
                wanted = sorted(set(hook["events"]) | set(events))
                if hook["callbackUrl"] != callback_url or wanted != sorted(hook["events"]):
                    hook = self.update_webhook(hook["id"], callbackUrl=callback_url, events=wanted)
                return {**hook, "secret": self.webhook_secret(int(hook["id"]))}, False
        body = self._call(
            "POST",
            "/api/v1/webhooks/register",
            201,
            json={"outletId": outlet_id, "callbackUrl": callback_url, "events": events},
        )
        webhook: dict[str, Any] = body["webhook"]
        return webhook, True

    def map_outlet(self, outlet_id: str, provider_slug: str, settings: dict[str, Any]) -> dict[str, Any]:
        """``PUT /api/v1/outlet-providers/{outletId}``: map the outlet to a POS with these settings."""
        body = {"providerSlug": provider_slug, "externalId": "1", "settings": settings}
        return self._call("PUT", f"/api/v1/outlet-providers/{outlet_id}", 200, 201, json=body)

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
        self, *, status: str | None = None, outlet_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status
        if outlet_id is not None:
            params["outletId"] = outlet_id
        return self._call("GET", "/api/v1/orders", params=params)

    def get_order(self, order_id: str) -> tuple[dict[str, Any], bytes]:
        """The stored order (parsed) and the whole answer's bytes (the order JSON keeps its exact text)."""
        response = self._send("GET", f"/api/v1/orders/{order_id}")
        order: dict[str, Any] = check(response, where=self.hint)["order"]
        return order, response.content

    def redispatch(self, order_id: str) -> dict[str, Any]:
        """``POST /api/v1/orders/{orderId}/redispatch``: the stored order sent again; the dispatch answer."""
        return self._call("POST", f"/api/v1/orders/{order_id}/redispatch")

    def put_provider_connection(self, slug: str, body: dict[str, Any]) -> dict[str, Any]:
        """``PUT /api/v1/provider-connections/{slug}``: the tenant's credentials and config for a POS."""
        return self._call("PUT", f"/api/v1/provider-connections/{slug}", 200, json=body)

    def map_provider(
        self, outlet_id: str, slug: str, settings: dict[str, Any], external_id: str | None = None
    ) -> dict[str, Any]:
        """``PUT /api/v1/outlet-providers/{outletId}``: route the outlet through transformer ``slug``."""
        body: dict[str, Any] = {"providerSlug": slug, "settings": settings}
        if external_id is not None:
            body["externalId"] = external_id
        return self._call("PUT", f"/api/v1/outlet-providers/{outlet_id}", 200, 201, json=body)


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One Server-Sent Event: its id (None when it set none), type and data."""

    id: str | None
    event: str
    data: str


def read_events(lines: Iterable[str]) -> Iterator[StreamEvent]:
    """Server-Sent Events from the lines of a ``text/event-stream`` (the WHATWG parsing rules)."""
    data: list[str] = []
    event, event_id = "", None
    for line in lines:
        if line == "":
            if data:
                yield StreamEvent(event_id, event or "message", "\n".join(data))
            data, event, event_id = [], "", None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\0" not in value:
            event_id = value


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
