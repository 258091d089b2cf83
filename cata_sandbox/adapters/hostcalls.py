"""The parent's side of ``context.http``: one message of requests from the worker → the exchanges, at once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from cata_sandbox.adapters.results import HostHttp

__all__ = ["MAX_HTTP_PER_CALL", "exchange"]

MAX_HTTP_PER_CALL = 50


async def exchange(
    requests: list[dict[str, Any]], http: HostHttp | None, deadline: float, count: int
) -> dict[str, Any]:
    """``{"responses": [...]}`` in request order, or ``{"error": reason}`` for the script to throw.

    Raises ``TimeoutError`` when the deadline passes: that ends the call, not just the request.
    """
    if http is None:
        return {"error": "no outbound HTTP is available to this call"}
    if count > MAX_HTTP_PER_CALL:
        return {"error": f"more than {MAX_HTTP_PER_CALL} requests in one call"}

    async def one(request: dict[str, Any]) -> dict[str, Any]:
        body = request.get("body")
        status, headers, data = await http.request(
            str(request["method"]),
            str(request["url"]),
            {str(k): str(v) for k, v in (request.get("headers") or {}).items()},
            None if body is None else str(body).encode(),
            timeout=max(0.001, deadline - time.monotonic()),
        )
        return {"statusCode": status, "headers": headers, "body": data.decode("utf-8", errors="replace")}

    try:
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            responses = await asyncio.gather(*(one(r) for r in requests))
    except TimeoutError:
        raise
    except Exception as exc:
        if time.monotonic() >= deadline:
            raise TimeoutError from None
        failed = (
            requests[0] if len(requests) == 1 else {"method": "batch of", "url": f"{len(requests)} requests"}
        )
        return {"error": f"{failed['method']} {failed['url']} failed: {exc}"}
    return {"responses": responses}
