"""The outbound transport: the direct aiohttp path and the httpx path give the service the same answer.

The service sends through :meth:`AiohttpTransport.exchange` (no httpx objects); test transports and
proxied clients go through httpx. Both must hand the dispatcher the same status, headers and capped,
decoded body, and the receiver must see the same bytes either way.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import hmac
import socket
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest

from cata_sandbox.net.transport import USER_AGENT, AiohttpTransport
from mock_pos.server import ServerThread
from tests.support import ORDER, envelope, start_sandbox, stop_sandbox

BIG = b"x" * 200_000
ANSWER = b'{"externalOrderId":"EXT-\xc3\xa9-1"}'


class Receiver:
    """A raw ASGI receiver: records every request; the path picks the answer."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append((headers, b"".join(chunks)))
        body, extra = ANSWER, [(b"X-Multi", b"one"), (b"x-multi", b"two"), (b"X-Caf", "é".encode())]
        if scope["path"] == "/gzip":
            body, extra = gzip.compress(ANSWER), [(b"content-encoding", b"gzip")]
        elif scope["path"] == "/big":
            body, extra = BIG, []
        elif scope["path"] == "/cookie":
            extra = [(b"set-cookie", b"session=receiver-1; Path=/")]
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver()
    with ServerThread(app) as server:
        yield app, server.url


def exchange(url: str, *, cap: int = 65_536) -> tuple[int, dict[str, str], bytes]:
    async def run() -> tuple[int, dict[str, str], bytes]:
        transport = AiohttpTransport()
        try:
            return await transport.exchange(
                "POST", url, {"Content-Type": "application/json"}, b'{"a":1}', cap
            )
        finally:
            await transport.aclose()

    return asyncio.run(run())


def test_direct_exchange_lowercases_joins_and_decodes(receiver: tuple[Receiver, str]) -> None:
    app, url = receiver
    status, headers, body = exchange(url + "/plain")
    assert status == 200
    assert body == ANSWER
    assert headers["x-multi"] == "one, two"
    assert headers["x-caf"] == "é"
    assert all(name == name.lower() for name in headers)
    sent_headers, sent_body = app.requests[-1]
    assert sent_body == b'{"a":1}'
    assert sent_headers["user-agent"] == USER_AGENT

    status, headers, body = exchange(url + "/gzip")
    assert (status, body, headers["content-encoding"]) == (200, ANSWER, "gzip")


def test_no_cookie_is_carried_to_the_next_request(receiver: tuple[Receiver, str]) -> None:
    app, url = receiver
    url = url.replace("127.0.0.1", "localhost")  # a cookie jar keeps no cookie set by an IP address

    async def run() -> None:
        transport = AiohttpTransport()
        try:
            await transport.exchange("POST", url + "/cookie", {}, b"{}", 1000)
            await transport.exchange("POST", url + "/plain", {}, b"{}", 1000)
            request = httpx.Request("POST", url + "/plain", content=b"{}")
            await (await transport.handle_async_request(request)).aread()
        finally:
            await transport.aclose()

    asyncio.run(run())
    assert len(app.requests) == 3
    assert all("cookie" not in headers for headers, _ in app.requests)


def test_direct_exchange_reads_no_more_than_the_cap(receiver: tuple[Receiver, str]) -> None:
    _, url = receiver
    status, _, body = exchange(url + "/big", cap=1000)
    assert status == 200
    assert body == BIG[:1000]


def test_direct_exchange_failures_keep_their_cause() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(aiohttp.ClientConnectorError) as refused:
        exchange(f"http://127.0.0.1:{port}/hook")
    assert isinstance(refused.value.__cause__, ConnectionRefusedError)
    with pytest.raises(httpx.InvalidURL):
        exchange("http://exa mple.com:99999/hook")


@pytest.mark.parametrize("path", ["/plain", "/gzip"])
def test_both_paths_record_the_same_exchange(
    database_url: str, receiver: tuple[Receiver, str], path: str
) -> None:
    """Dispatch once through the service's own transport and once through httpx's: same record."""
    app, url = receiver
    order = ORDER | {"orderRefNo": "CATA-T-1"}
    order_bytes = httpx.Request("POST", "/", json=order).content  # any exact bytes will do
    recorded = []
    for name, transport in [("direct", None), ("httpx", httpx.AsyncHTTPTransport())]:
        sandbox = start_sandbox(database_url, transport=transport)
        try:
            hook = sandbox.register(f"outlet-{name}", url + path)
            answer = sandbox.dispatch(envelope(f"outlet-{name}", order_bytes)).json()
            assert answer["dispatched"] is True, answer
            assert answer["externalOrderId"] == "EXT-é-1"
            (attempt,) = sandbox.order(answer["orderId"])["attempts"]
        finally:
            stop_sandbox(sandbox)
        sent_headers, sent_body = app.requests[-1]
        assert sent_body == order_bytes
        expected = hmac.new(hook["secret"].encode(), order_bytes, hashlib.sha256).hexdigest()
        assert sent_headers["x-cata-signature"] == f"sha256={expected}"
        assert sent_headers["user-agent"] == USER_AGENT
        headers = {k: v for k, v in attempt["responseHeaders"].items() if k not in ("date", "server")}
        recorded.append((attempt["responseStatus"], headers, attempt["responseBody"]))
    assert recorded[0] == recorded[1]
    assert recorded[0][2] == ANSWER.decode()
