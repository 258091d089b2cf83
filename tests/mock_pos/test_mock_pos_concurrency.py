"""A delayed request does not hold back the others served at the same time."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx


async def test_fifty_concurrent_requests_are_not_held_back_by_a_delayed_one(
    mock_server: Any, admin: Any
) -> None:
    await admin.fault(target="shop", mode="delay", seconds=5, match={"orderRefNo": "SLOW"})
    started = time.monotonic()

    async def deliver(http: httpx.AsyncClient, ref: str) -> tuple[str, int, float]:
        body = json.dumps({"orderRefNo": ref}).encode()
        response = await http.post("/webhooks/shop", content=body)
        return ref, response.status_code, time.monotonic() - started

    limits = httpx.Limits(max_connections=60)
    async with httpx.AsyncClient(base_url=mock_server.url, timeout=10, limits=limits) as http:
        refs = ["SLOW", *(f"R-{n}" for n in range(49))]
        results = await asyncio.gather(*(deliver(http, ref) for ref in refs))

    slow = [elapsed for ref, _, elapsed in results if ref == "SLOW"]
    others = [elapsed for ref, _, elapsed in results if ref != "SLOW"]
    assert all(status == 200 for _, status, _ in results)
    assert slow[0] >= 5.0
    assert len(others) == 49
    assert max(others) < 2.0, f"the others took up to {max(others):.2f}s"
    assert len(await admin.journal("shop")) == 50
