"""A webhook delivery defined once: its request (body, headers) and the one outbound exchange under a budget.

The dispatch engine, ``check-receiver`` and ``bench`` all build the webhook request with
:func:`webhook_request` and (the engine and ``check-receiver``) send it with :class:`Sender`, so what a
partner's receiver is certified against is what the service sends: the order's exact bytes, the same
headers, one budget for the whole exchange up to the last byte of the answer, no redirects followed, the
answer read up to the same cap.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

import httpx

from cata_sandbox.clock import Clock
from cata_sandbox.net import policy as netpolicy
from cata_sandbox.net.failures import FailureKind, describe_failure, failure_kind
from cata_sandbox.net.transport import USER_AGENT, AiohttpTransport
from cata_sandbox.settings import CallbackPolicy
from cata_sandbox.signing import SIGNATURE_HEADER
from cata_sandbox.transformers import OutboundRequest

CONTENT_TYPE = "application/json"
EVENT_HEADER = "X-Cata-Event"
DELIVERY_ID_HEADER = "X-Cata-Delivery-ID"
TIMESTAMP_HEADER = "X-Cata-Timestamp"
# The headers HTTP clients add on their own, stated here so that every sender (aiohttp, httpx, wrk) puts
# the same ones on the wire; the values are aiohttp's defaults, which the service always sent.
CLIENT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}


def webhook_request(
    url: str, body: bytes, signature: str | None, *, event: str, timestamp: int
) -> OutboundRequest:
    """The webhook POST of ``body`` (the order's exact bytes), signed with ``signature`` (None: unsigned).

    ``X-Cata-Delivery-ID`` is not here: each attempt gets its own (:func:`attempt_headers`).
    """
    headers = {"Content-Type": CONTENT_TYPE}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    headers[EVENT_HEADER] = event
    headers[TIMESTAMP_HEADER] = str(timestamp)
    headers.update(CLIENT_HEADERS)
    return OutboundRequest(method="POST", url=url, headers=headers, body=body)


def attempt_headers(request: OutboundRequest, delivery_id: str) -> dict[str, str]:
    """The webhook request's headers for one attempt, with that attempt's ``X-Cata-Delivery-ID``."""
    headers = dict(request.headers)
    headers[DELIVERY_ID_HEADER] = delivery_id
    return headers


@dataclass(frozen=True, slots=True)
class Exchange:
    """What happened on the wire for one attempt. ``status`` is None when there was no HTTP answer; then
    ``error`` says why in the service's words and ``failure`` says what kind of trouble it was."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    error: str | None
    duration_ms: float
    failure: FailureKind | None = None


def outbound_client(budget_s: float, transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    """The httpx client around ``transport`` that the service (and so ``check-receiver``) sends with."""
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(budget_s),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


class Sender:
    """Sends one request at a time as the service does; never raises for network trouble.

    ``transport`` is the one the ``client`` was built with. The service's own :class:`AiohttpTransport`
    is used directly (no httpx objects per request); any other transport, or a client that must route
    through proxies from the environment, goes through httpx.
    """

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        transport: httpx.AsyncBaseTransport | None,
        budget_s: float,
        body_cap: int,
        clock: Clock,
        callback_policy: CallbackPolicy = "allow-private",
    ) -> None:
        self.client = client
        self.budget_s = budget_s
        self.body_cap = body_cap
        self.clock = clock
        self.callback_policy = callback_policy
        # With proxies in the environment the client routes requests itself, so it keeps doing so.
        self._transport = None if _environment_proxies() else transport
        self._direct = self._transport if isinstance(self._transport, AiohttpTransport) else None

    async def exchange(
        self, method: str, url: str, headers: dict[str, str], body: bytes, *, budget: float | None = None
    ) -> Exchange:
        """One HTTP exchange under the budget (``budget``: what is left of it), measured to the last byte
        of the answer (or the cap)."""
        budget = self.budget_s if budget is None else budget
        started = self.clock.monotonic()
        status: int | None = None
        response_headers: dict[str, str] = {}
        answer = b""
        error: str | None = None
        failure: FailureKind | None = None
        try:
            async with asyncio.timeout(budget):
                if self.callback_policy == netpolicy.PUBLIC_ONLY:
                    # Checked at every send, after resolving: the name may lead elsewhere by now.
                    await netpolicy.check_destination(url, self.callback_policy)
                if self._direct is not None:
                    status, response_headers, answer = await self._direct.exchange(
                        method, url, headers, body, self.body_cap
                    )
                else:
                    status, response_headers, answer = await self._send_httpx(method, url, headers, body)
            if status < 200:
                # No final answer: a 1xx (101 included) is never a response to a POST of an order.
                status, error = None, f"no final response (informational HTTP {status})"
                failure = FailureKind.BROKEN
        except TimeoutError:
            status, error, failure = None, f"timeout after {self.budget_s:g}s", FailureKind.TIMEOUT
        except netpolicy.DestinationRefused as exc:
            status, error, failure = None, str(exc), FailureKind.NOT_SENT
        except httpx.InvalidURL as exc:
            status, error, failure = None, f"invalid URL: {exc}", FailureKind.NOT_SENT
        except Exception as exc:
            status, error, failure = None, describe_failure(exc, url), failure_kind(exc)
        return Exchange(
            status=status,
            headers=response_headers,
            body=answer,
            error=error,
            duration_ms=(self.clock.monotonic() - started) * 1000,
            failure=failure,
        )

    async def _send_httpx(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """The exchange through httpx: for test transports (MockTransport, respx) and proxied clients.

        Sent through the transport itself when there is one: the client's layer (its cookie jar, URL
        merging) adds CPU, and a dispatcher must not carry one receiver's cookies to the next anyway."""
        cap = self.body_cap
        if self._transport is None:
            request = self.client.build_request(method, url, headers=headers, content=body)
            response = await self.client.send(request, stream=True, follow_redirects=False)
        else:
            merged = self.client.headers.copy()
            merged.update(headers)
            request = httpx.Request(method, url, headers=merged, content=body)
            response = await self._transport.handle_async_request(request)
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= cap:
                    break
            return response.status_code, _flatten(response.headers), b"".join(chunks)[:cap]
        finally:
            await response.aclose()


def _environment_proxies() -> bool:
    return any(
        name.lower() in ("http_proxy", "https_proxy", "all_proxy") and value
        for name, value in os.environ.items()
    )


def _flatten(headers: httpx.Headers) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in headers.multi_items():
        flat[name] = f"{flat[name]}, {value}" if name in flat else value
    return flat
