"""Idle keep-alive connections are dropped by the client before a server would drop them.

A server closes a keep-alive connection once it has been idle for its own timeout (gunicorn 2 s;
uvicorn, Node.js and Apache 5 s). If a client reuses the connection just as the server gives up on it,
the request meets a closed connection: the service would report ``connection closed by the server``
for a receiver that did nothing wrong (seen once in CI: one order of three on a webhook that had been
idle five seconds). :data:`~cata_sandbox.net.transport.IDLE_CONNECTION_S` keeps every client of the
project below the shortest of those timeouts.

:class:`ClosingWhenIdle` makes that race certain instead of rare: a request arriving on a connection
idle for :data:`SERVER_IDLE_S` or more is read and the connection closed without an answer, which is
what a client sees when its request crosses the server's close.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from cata_sandbox.net.transport import IDLE_CONNECTION_S, AiohttpTransport
from cata_sandbox.partner.client import SandboxClient
from mock_pos.client import MockAdmin

SERVER_IDLE_S = 2.0  # gunicorn's default keep-alive timeout, the shortest of the common servers'


class ClosingWhenIdle:
    """A raw HTTP/1.1 server on loopback: answers ``200 {}`` and keeps the connection open, except that
    a request on a connection idle for ``SERVER_IDLE_S`` or more gets the connection closed instead."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.answered = 0
        self.dropped = 0
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        last: float | None = None
        with conn:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65_536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(buffer) < length:
                    buffer += conn.recv(65_536)
                buffer = buffer[length:]
                if last is not None and time.monotonic() - last >= SERVER_IDLE_S:
                    self.dropped += 1
                    return
                self.answered += 1  # counted before the answer leaves: the test reads it once answered
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
                )
                last = time.monotonic()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def server() -> Iterator[ClosingWhenIdle]:
    served = ClosingWhenIdle()
    yield served
    served.close()


def twice_with_a_pause(send: Callable[[], int]) -> list[int]:
    first = send()
    time.sleep(SERVER_IDLE_S + 0.2)  # the idle spell is the scenario itself, not a wait for a server
    return [first, send()]


def test_the_shortest_common_server_timeout_is_above_the_clients() -> None:
    assert IDLE_CONNECTION_S < SERVER_IDLE_S


def test_the_dispatchers_direct_path_does_not_reuse_a_connection_the_server_is_closing(
    server: ClosingWhenIdle,
) -> None:
    async def run() -> list[int]:
        transport = AiohttpTransport()
        try:
            first, _, _ = await transport.exchange("POST", server.url, {}, b'{"a":1}', 1024)
            await asyncio.sleep(SERVER_IDLE_S + 0.2)
            second, _, _ = await transport.exchange("POST", server.url, {}, b'{"a":1}', 1024)
            return [first, second]
        finally:
            await transport.aclose()

    assert asyncio.run(run()) == [200, 200]
    assert (server.answered, server.dropped, server.connections) == (2, 0, 2)


def test_the_httpx_path_of_the_service_transport_does_not_either(server: ClosingWhenIdle) -> None:
    async def run() -> list[int]:
        async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
            first = (await client.post(server.url, content=b"{}")).status_code
            await asyncio.sleep(SERVER_IDLE_S + 0.2)
            return [first, (await client.post(server.url, content=b"{}")).status_code]

    assert asyncio.run(run()) == [200, 200]
    assert (server.answered, server.dropped) == (2, 0)


def test_the_partner_client_does_not_either(server: ClosingWhenIdle) -> None:
    with SandboxClient(server.url, "key") as client:
        assert twice_with_a_pause(lambda: client.http.post("/", content=b"{}").status_code) == [200, 200]
    assert (server.answered, server.dropped) == (2, 0)


def test_the_mock_admin_client_does_not_either(server: ClosingWhenIdle) -> None:
    with MockAdmin(server.url) as admin:
        assert twice_with_a_pause(lambda: admin.http.post("/", content=b"{}").status_code) == [200, 200]
    assert (server.answered, server.dropped) == (2, 0)
