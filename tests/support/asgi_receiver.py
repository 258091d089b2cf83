"""A tiny ASGI webhook receiver for ``ServerThread``: a check decides 2xx (with an id) or 401."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

Asgi = Callable[
    [dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[..., Awaitable[None]]], Awaitable[None]
]


def receiver(
    *,
    check: Callable[[bytes, str | None], bool],
    status: int = 200,
    sleep_s: float = 0.0,
    seen: list[tuple[dict[str, str], bytes]] | None = None,
) -> Asgi:
    """An ASGI webhook receiver (for ``ServerThread``): ``check(body, signature)`` decides 2xx or 401."""
    accepted = 0

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal accepted
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if seen is not None:
            seen.append((headers, body))
        if check(body, headers.get("x-cata-signature")):
            if sleep_s:
                await asyncio.sleep(sleep_s)
            accepted += 1
            code, payload = status, json.dumps({"externalOrderId": f"pos-{accepted}"}).encode()
        else:
            code, payload = 401, b'{"error":"bad signature"}'
        start = {
            "type": "http.response.start",
            "status": code,
            "headers": [(b"content-type", b"application/json")],
        }
        await send(start)
        await send({"type": "http.response.body", "body": payload})

    return app
