"""A tiny HTTP/1.1 server on loopback whose handler decides every answer, down to crashing.

Each request gets its own connection (``Connection: close``), so when a receiver crashes the next
delivery finds nobody listening. A :class:`Reply` can trickle its body after the headers, crash after
answering (stop listening) or crash instead of answering (stop listening and drop the connection).
"""

from __future__ import annotations

import asyncio
import http
import inspect
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

Crash = Literal["after-answer", "instead-of-answer"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    raw_headers: list[tuple[str, str]] = field(default_factory=list)  # as sent, in order


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    trickle_s: float = 0.0  # > 0: the body in ``chunks`` pieces spread over this many seconds
    chunks: int = 8
    crash: Crash | None = None


Handler = Callable[[Request], Reply | Awaitable[Reply]]


class LoopbackReceiver:
    """``with LoopbackReceiver(handler) as server: server.url``; every request is kept in ``requests``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cata"

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise TimeoutError("the loopback receiver did not start within 10 s")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.close()

    def crash(self) -> None:
        """Stop listening (from inside a handler): every later connection is refused."""
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            raw = [(n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines[1:] if line)]
            headers = {name.lower(): value for name, value in raw}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            writer.close()
            return
        request = Request(method, path, headers, body, raw)
        self.requests.append(request)
        outcome = self.handler(request)
        reply = await outcome if inspect.isawaitable(outcome) else outcome
        if reply.crash is not None:
            self.crash()
        if reply.crash == "instead-of-answer":
            writer.transport.abort()
            return
        try:
            phrase = http.HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = "Status"
        head = (
            f"HTTP/1.1 {reply.status} {phrase}\r\nContent-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(reply.body)}\r\nConnection: close\r\n\r\n"
        )
        try:
            writer.write(head.encode("latin-1"))
            if reply.trickle_s > 0 and reply.body:
                size = max(1, len(reply.body) // reply.chunks)
                for start in range(0, len(reply.body), size):
                    await writer.drain()
                    await asyncio.sleep(reply.trickle_s / reply.chunks)  # the receiver's own slowness
                    writer.write(reply.body[start : start + size])
            else:
                writer.write(reply.body)
            await writer.drain()
            writer.close()
            await writer.wait_closed()
        except ConnectionError:
            writer.close()  # the client gave up first (over budget): nothing to answer any more
