"""ServerThread and the connection-tracking protocol, with plain ASGI apps."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from mock_pos import ServerThread, create_mock_pos
from mock_pos.server import TRANSPORTS_STATE_KEY, find_transport


async def lifespan(receive: Any, send: Any, *, fail: bool = False) -> None:
    while (await receive())["type"] != "lifespan.shutdown":
        await send(
            {"type": "lifespan.startup.failed" if fail else "lifespan.startup.complete", "message": "no"}
        )
        if fail:
            return
    await send({"type": "lifespan.shutdown.complete"})


async def connection_reporter(scope: Any, receive: Any, send: Any) -> None:
    """Answers with what the app can see of its own connection."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    registry = scope["state"][TRANSPORTS_STATE_KEY]
    body = json.dumps(
        {"found": find_transport(scope) is not None, "peers": sorted(f"{h}:{p}" for h, p in registry)}
    ).encode()
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body})


def test_server_thread_serves_any_asgi_app_on_a_known_port() -> None:
    with ServerThread(connection_reporter) as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        with httpx.Client(base_url=server.url) as http:
            answer = http.get("/").json()
    assert answer["found"] is True


def test_each_server_sees_only_its_own_connections() -> None:
    with (
        ServerThread(connection_reporter) as one,
        ServerThread(connection_reporter) as two,
        httpx.Client(base_url=one.url) as a,
        httpx.Client(base_url=two.url) as b,
        httpx.Client(base_url=one.url) as c,
    ):
        a.get("/")
        b.get("/")
        assert len(c.get("/").json()["peers"]) == 2
        assert len(b.get("/").json()["peers"]) == 1


def test_closed_connections_leave_the_registry() -> None:
    with ServerThread(connection_reporter) as server:
        with httpx.Client(base_url=server.url) as first:
            first.get("/")
        with httpx.Client(base_url=server.url) as second:
            # the first client's connection is gone (maybe after a moment), only ours remains
            peers: list[str] = []
            for _ in range(200):
                peers = second.get("/").json()["peers"]
                if len(peers) == 1:
                    break
            assert len(peers) == 1


def test_stop_releases_the_port() -> None:
    server = ServerThread(connection_reporter).start()
    port = server.port
    server.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_startup_failure_raises() -> None:
    async def failing(scope: Any, receive: Any, send: Any) -> None:
        await lifespan(receive, send, fail=True)

    with pytest.raises(RuntimeError, match="exited during startup"):
        ServerThread(failing).start()


def test_port_is_unknown_before_start() -> None:
    with pytest.raises(RuntimeError):
        _ = ServerThread(connection_reporter).port


async def test_connection_faults_explain_themselves_without_the_tracking_server() -> None:
    async with AsyncTestClient(create_mock_pos()) as http:
        await http.post("/__admin/faults", json={"target": "shop", "mode": "reset"})
        response = await http.post("/webhooks/shop", content=b"{}")
    assert response.status_code == 500
    assert "ServerThread" in response.json()["error"]
