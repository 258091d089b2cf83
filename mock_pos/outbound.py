"""The mock's own outbound HTTP calls (receiver probes, Revel finalize webhooks), behind one seam.

Tests of the mock can inject an ``httpx`` transport instead of real sockets; nothing else in the
package opens connections.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass

import httpx


class OutboundError(Exception):
    """The target could not be reached or did not answer in time."""


@dataclass(frozen=True, slots=True)
class OutboundResponse:
    """What the target answered."""

    status: int
    text: str


class Outbound:
    """Makes short-lived HTTP calls; with an injected transport, through that transport."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._ssl_context: ssl.SSLContext | None = None
        # An injected transport belongs to the caller: keep one client over it and never close it,
        # because closing an httpx client closes its transport.
        self._shared = httpx.AsyncClient(transport=transport) if transport is not None else None

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        timeout: float = 5.0,
    ) -> OutboundResponse:
        """One request; any transport failure becomes :class:`OutboundError`."""
        try:
            if self._shared is not None:
                response = await self._shared.request(
                    method, url, headers=headers, content=content, timeout=timeout
                )
            else:
                async with httpx.AsyncClient(verify=self._tls()) as client:
                    response = await client.request(
                        method, url, headers=headers, content=content, timeout=timeout
                    )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise OutboundError(_describe(exc, url, timeout)) from exc
        return OutboundResponse(response.status_code, response.text)

    def _tls(self) -> ssl.SSLContext:
        """One TLS context for all calls: building one (loading the CA bundle) costs ~30 ms each time."""
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context


def _describe(exc: Exception, url: str, timeout: float) -> str:
    """The mock's own words for a failed call (a library's message text changes between releases)."""
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {url} within {timeout:g}s"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {url}"
    if isinstance(exc, httpx.InvalidURL):
        return f"invalid URL {url!r}"
    return f"request to {url} failed ({type(exc).__name__})"
