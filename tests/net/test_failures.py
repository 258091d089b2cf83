"""Transport failures are described in the service's own words, the same on the aiohttp and httpx paths."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from cata_sandbox.net.failures import FailureKind, describe_failure, failure_kind
from cata_sandbox.net.transport import AiohttpTransport


def _direct(url: str) -> BaseException:
    async def run() -> BaseException:
        transport = AiohttpTransport()
        try:
            await transport.exchange("POST", url, {}, b"{}", 1000)
        except Exception as exc:
            return exc
        finally:
            await transport.aclose()
        raise AssertionError("the exchange succeeded")

    return asyncio.run(run())


def _httpx(url: str) -> BaseException:
    async def run() -> BaseException:
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport()) as client:
            try:
                await client.post(url, content=b"{}")
            except Exception as exc:
                return exc
        raise AssertionError("the exchange succeeded")

    return asyncio.run(run())


PATHS = [pytest.param(_direct, id="aiohttp"), pytest.param(_httpx, id="httpx")]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def misbehaving_server() -> Iterator[Callable[[bool], int]]:
    """A TCP server that reads the request, then resets (``reset=True``) or closes without answering."""
    listeners: list[socket.socket] = []

    def start(reset: bool) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listeners.append(listener)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                conn.recv(65536)
                if reset:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    # A clean end of stream: FIN first, then read what is still coming, so that unread
                    # bytes (a body sent after the headers) never turn the close into a reset.
                    conn.shutdown(socket.SHUT_WR)
                    conn.settimeout(5)
                    with contextlib.suppress(OSError):
                        while conn.recv(65536):
                            pass
                conn.close()

        threading.Thread(target=serve, daemon=True).start()
        port: int = listener.getsockname()[1]
        return port

    yield start
    for listener in listeners:
        listener.close()


@pytest.mark.parametrize("send", PATHS)
def test_refused_connection(send: Callable[[str], BaseException]) -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}/hook"
    assert describe_failure(send(url), url) == f"connection refused (127.0.0.1:{port})"


@pytest.mark.parametrize("send", PATHS)
def test_reset_connection(
    send: Callable[[str], BaseException], misbehaving_server: Callable[[bool], int]
) -> None:
    port = misbehaving_server(True)
    url = f"http://127.0.0.1:{port}/hook"
    assert describe_failure(send(url), url) in (
        f"connection reset by peer (127.0.0.1:{port})",
        # the reset can reach the client as the end of the stream, before any error is read
        f"connection closed by the server before a complete answer (127.0.0.1:{port})",
    )


@pytest.mark.parametrize("send", PATHS)
def test_connection_closed_without_an_answer(
    send: Callable[[str], BaseException], misbehaving_server: Callable[[bool], int]
) -> None:
    port = misbehaving_server(False)
    url = f"http://127.0.0.1:{port}/hook"
    assert describe_failure(send(url), url) == (
        f"connection closed by the server before a complete answer (127.0.0.1:{port})"
    )


@pytest.mark.parametrize("send", PATHS)
def test_unknown_host(send: Callable[[str], BaseException]) -> None:
    url = "http://no-such-host.invalid/hook"
    assert describe_failure(send(url), url) == "DNS lookup failed for no-such-host.invalid"


def test_a_failure_of_no_known_kind_keeps_its_type_and_first_line() -> None:
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = KeyError("establishmentId")

    assert describe_failure(wrapped) == "KeyError: 'establishmentId'"


@pytest.mark.parametrize("send", PATHS)
def test_a_refused_connection_or_an_unknown_host_is_a_failure_before_connecting(
    send: Callable[[str], BaseException],
) -> None:
    for url in (f"http://127.0.0.1:{_closed_port()}/hook", "http://no-such-host.invalid/hook"):
        assert failure_kind(send(url)) is FailureKind.NO_CONNECTION, url


@pytest.mark.parametrize("send", PATHS)
@pytest.mark.parametrize("reset", [True, False], ids=["reset", "closed"])
def test_a_connection_cut_before_the_answer_is_a_broken_exchange(
    send: Callable[[str], BaseException], misbehaving_server: Callable[[bool], int], reset: bool
) -> None:
    url = f"http://127.0.0.1:{misbehaving_server(reset)}/hook"
    assert failure_kind(send(url)) is FailureKind.BROKEN
