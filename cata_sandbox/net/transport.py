"""The outbound HTTP transport: aiohttp under the httpx API, with a direct path for the dispatcher.

The service's client is an ``httpx.AsyncClient``, so tests swap in ``httpx.MockTransport`` or respx and
anything else speaks httpx. Underneath sits aiohttp (through ``httpx-aiohttp``), measured faster than
httpx's own pool. On top, :meth:`AiohttpTransport.exchange` sends one request straight through aiohttp
without building httpx ``Request``/``Response``/``Headers`` objects: profiled, those cost about a tenth
of a dispatch's CPU (README, Performance). Both paths share one aiohttp session and pool.
"""

from __future__ import annotations

import ssl

import certifi
import httpx
import yarl
from aiohttp import ClientSession, ClientTimeout, DummyCookieJar, TCPConnector
from httpx_aiohttp import AiohttpTransport as _HttpxAiohttpTransport

from cata_sandbox import __version__

USER_AGENT = f"cata-sandbox/{__version__}"
# No aiohttp timers: the dispatch budget is one asyncio.timeout around the whole exchange.
_NO_TIMEOUT = ClientTimeout()
_URL_CACHE_SIZE = 1024
# Idle keep-alive connections are closed after this many seconds: below the shortest idle timeout of
# the common servers (gunicorn 2 s; uvicorn, Node.js and Apache 5 s), so a request never goes out on a
# connection the receiver is closing at that moment (it would fail as "connection closed by the
# server" through no fault of the receiver). Under load a connection is never idle that long.
IDLE_CONNECTION_S = 1.0


def pool_limits(max_connections: int | None = None) -> httpx.Limits:
    """The connection pool limits of every client in the project that keeps connections open."""
    return httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=IDLE_CONNECTION_S,
    )


def trust(ca_bundle: str | None = None) -> ssl.SSLContext:
    """The client TLS context of every outbound call: the system's trusted authorities (OpenSSL's default
    paths, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured) and certifi's bundle (what httpx trusted before,
    and all a system without a store of its own has), plus those in ``ca_bundle`` (a PEM file, setting
    ``CATA_CA_BUNDLE``); hostnames checked; TLS 1.2 or newer."""
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_bundle:
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(
                f"CATA_CA_BUNDLE {ca_bundle!r} is not a readable PEM file of certificates"
            ) from exc
    return context


class AiohttpTransport(_HttpxAiohttpTransport):
    def __init__(self, *, max_connections: int = 512, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(limits=pool_limits(max_connections), verify=ssl_context or trust())
        self._urls: dict[str, yarl.URL] = {}

    def get_client(self) -> ClientSession:
        """The one aiohttp session of both paths. Its cookie jar keeps nothing: a dispatcher must not
        carry one receiver's cookies to the next request (another outlet's, perhaps, on the same host)."""
        connector = TCPConnector(
            limit=self.limits.max_connections or 0,
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        return ClientSession(
            connector=connector, cookie_jar=DummyCookieJar(), headers={"User-Agent": USER_AGENT}
        )

    def _session(self) -> ClientSession:
        # Made on first use, in the running loop; the httpx path (the parent class) does the same.
        if not isinstance(self.client, ClientSession):
            self.client = self.get_client()
        return self.client

    async def exchange(
        self, method: str, url: str, headers: dict[str, str], body: bytes, cap: int
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request; answer its status, headers (names lower-cased, repeats joined with ", ") and
        up to ``cap`` bytes of its decoded body. Network trouble raises aiohttp's exceptions, bad URLs
        ``httpx.InvalidURL``; there is no timeout here (the caller holds the budget)."""
        async with self._session().request(
            method,
            self._url(url),
            headers=headers,
            data=body or None,
            allow_redirects=False,
            compress=False,
            timeout=_NO_TIMEOUT,
        ) as response:
            chunks: list[bytes] = []
            size = 0
            while size < cap:
                chunk = await response.content.readany()
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return response.status, _flatten(response.raw_headers), b"".join(chunks)[:cap]

    def _url(self, url: str) -> yarl.URL:
        """Parsed once per URL, and by httpx's rules, so a bad URL fails as it does on the httpx path."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()
            try:
                parsed = yarl.URL(str(httpx.URL(url)), encoded=True)
                _ = parsed.host, parsed.port  # yarl checks these when read: read them now
            except ValueError as exc:  # what httpx lets through and yarl refuses (a port out of range)
                raise httpx.InvalidURL(str(exc)) from exc
            self._urls[url] = parsed
        return parsed


def _flatten(raw: tuple[tuple[bytes, bytes], ...]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for raw_name, raw_value in raw:
        name = raw_name.decode("latin-1").lower()
        try:
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            value = raw_value.decode("latin-1")
        flat[name] = f"{flat[name]}, {value}" if name in flat else value
    return flat
