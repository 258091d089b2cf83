"""ASGI-level I/O of one request to a mocked counterparty, including the escapes below HTTP.

The mocked counterparties (webhook receivers, mock Revel) are raw ASGI handlers rather than Litestar
handlers returning responses, because their faults need control a response object cannot express:
when the status line goes out, how the body is paced, or that no response is sent at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import msgspec
from litestar.types import HTTPScope, Receive, Send

from mock_pos.server import find_transport

_DISCONNECT_WAIT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer to send: status, body bytes, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, payload: Any) -> Reply:
        """A JSON answer."""
        return cls(status, msgspec.json.encode(payload))

    @classmethod
    def html(cls, status: int, title: str, message: str) -> Reply:
        """A small HTML page, the way web stacks answer errors outside their JSON API."""
        page = (
            f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
            f"<body><h1>{title}</h1><p>{message}</p></body></html>\n"
        )
        return cls(status, page.encode(), "text/html; charset=utf-8")


class Exchange:
    """One request/response on a live connection: read the request, then answer it in one of several ways."""

    def __init__(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        self._scope = scope
        self._receive = receive
        self._send = send
        self._headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
        ]

    @property
    def method(self) -> str:
        """The request method."""
        return self._scope["method"]

    @property
    def path(self) -> str:
        """The full request path as sent (mounts do not strip it)."""
        raw = self._scope.get("raw_path")
        return raw.decode("latin-1") if raw else self._scope["path"]

    @property
    def route_path(self) -> str:
        """The path below the handler's mount point, as routed by Litestar."""
        return self._scope["path"]

    @property
    def query(self) -> str:
        """The raw query string."""
        return self._scope["query_string"].decode("latin-1")

    @property
    def headers(self) -> list[tuple[str, str]]:
        """All headers in the order received; names are lower-case (the HTTP server normalises them)."""
        return list(self._headers)

    def is_under(self, mount: str) -> bool:
        """Whether the path is ``mount`` or below it (Litestar's mount matching is a bare prefix match)."""
        return self.path == mount or self.path.startswith(mount.rstrip("/") + "/")

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        wanted = name.lower()
        return next((value for key, value in self._headers if key == wanted), None)

    def query_param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[0] if values else None

    async def read_body(self) -> bytes:
        """The whole request body, byte for byte."""
        chunks: list[bytes] = []
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                break
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        return b"".join(chunks)

    async def send_reply(self, reply: Reply) -> None:
        """Send a complete answer."""
        await self._start(reply)
        await self._send({"type": "http.response.body", "body": self._body(reply), "more_body": False})

    async def pause(self, seconds: float) -> bool:
        """Wait ``seconds``, unless the client goes away first: then False (there is nobody to answer).

        A client that gave up (the dispatcher's budget ran out) or a server that aborts the connections
        still open at the end of its shutdown (:class:`mock_pos.server.MockServer`) ends the wait, so a
        long delay never outlives its connection.
        """
        try:
            async with asyncio.timeout(seconds):
                while (await self._receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            return True
        return False

    async def send_slowly(self, reply: Reply, *, seconds: float, chunks: int) -> None:
        """Send the headers at once, then the body in ``chunks`` pieces spaced evenly over ``seconds``."""
        await self._start(reply)
        body = self._body(reply)
        interval = seconds / chunks
        for index in range(chunks):
            if not await self.pause(interval):
                return
            piece = body[len(body) * index // chunks : len(body) * (index + 1) // chunks]
            await self._send({"type": "http.response.body", "body": piece, "more_body": index < chunks - 1})

    async def reset(self) -> bool:
        """Drop the connection with a TCP reset and no response; False if the connection cannot be reached.

        SO_LINGER(on, 0) makes the kernel answer close() with RST instead of FIN, so the client sees
        "connection reset" rather than a clean close.
        """
        transport = find_transport(self._scope)
        if transport is None:
            return False
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        await self._wait_for_disconnect()
        return True

    async def send_informational_and_close(self, code: int) -> bool:
        """Write a bare ``HTTP/1.1 1xx`` status line and close; False if the connection cannot be reached.

        A 1xx can never be a final answer, so h11 refuses to produce one; a client that gets one followed
        by EOF sees a protocol error, which is the point.
        """
        transport = find_transport(self._scope)
        if transport is None:
            return False
        transport.write(f"HTTP/1.1 {code} Informational\r\n\r\n".encode("ascii"))
        transport.close()
        await self._wait_for_disconnect()
        return True

    async def _start(self, reply: Reply) -> None:
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers]
        if _may_have_body(reply.status):
            if reply.content_type is not None:
                headers.append((b"content-type", reply.content_type.encode("latin-1")))
            headers.append((b"content-length", str(len(reply.body)).encode("ascii")))
        await self._send({"type": "http.response.start", "status": reply.status, "headers": headers})

    @staticmethod
    def _body(reply: Reply) -> bytes:
        return reply.body if _may_have_body(reply.status) else b""

    async def _wait_for_disconnect(self) -> None:
        """Wait until the server notices the closed connection, so it does not answer on our behalf.

        Returning from an ASGI app without a response makes uvicorn send a 500 unless it has already
        seen the disconnect.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_DISCONNECT_WAIT_SECONDS):
                while (await self._receive())["type"] != "http.disconnect":
                    pass


def _may_have_body(status: int) -> bool:
    return status not in (204, 304)
