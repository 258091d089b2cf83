"""The request journal: byte-exact bodies, every header, recorded before the answer, cleared on demand."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import pytest

from mock_pos.client import entry_body

# whitespace, \u escapes, raw non-ASCII, a lone surrogate escape, a decimal with trailing zeros
ODD_BODY = ' \t{ "notes" : "caf\\u00e9 \\ud83d" ,\n "name":"Zoë 🍕", "price": 5.50 }  \r\n'.encode()
RFC3339_MICROS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.mark.parametrize("body", [ODD_BODY, b"", b"\x00\xff\xfe not even utf-8", b"x" * 100_000])
async def test_journal_keeps_bodies_byte_for_byte(client: httpx.AsyncClient, admin: Any, body: bytes) -> None:
    await client.post("/webhooks/shop", content=body)
    [entry] = await admin.journal()
    assert entry_body(entry) == body


async def test_journal_keeps_all_headers_in_order(client: httpx.AsyncClient, admin: Any) -> None:
    headers = [
        ("X-First", "1"),
        ("X-Dup", "a"),
        ("X-Dup", "b"),
        ("X-Spaces", "inner  spaces"),
        ("X-Last", "z"),
    ]
    await client.post("/webhooks/shop?outletId=o1&x=%20y", content=ODD_BODY, headers=headers)
    [entry] = await admin.journal()
    recorded = [tuple(pair) for pair in entry["headers"]]
    custom = [pair for pair in recorded if pair[0].startswith("x-")]
    assert custom == [
        ("x-first", "1"),
        ("x-dup", "a"),
        ("x-dup", "b"),
        ("x-spaces", "inner  spaces"),
        ("x-last", "z"),
    ]
    assert ("content-length", str(len(ODD_BODY))) in recorded
    assert recorded[0][0] == "host"
    assert (entry["method"], entry["path"], entry["query"]) == (
        "POST",
        "/webhooks/shop",
        "outletId=o1&x=%20y",
    )
    assert RFC3339_MICROS.match(entry["receivedAt"])


async def test_journal_records_faulted_requests_too(client: httpx.AsyncClient, admin: Any) -> None:
    fault = await admin.fault(target="shop", mode="reset")
    with pytest.raises(httpx.TransportError):
        await client.post("/webhooks/shop", content=ODD_BODY, headers={"X-Trace": "t-1"})
    [entry] = await admin.journal()
    assert entry_body(entry) == ODD_BODY
    assert ["x-trace", "t-1"] in entry["headers"]
    assert (entry["fault"], entry["faultId"], entry["responseStatus"]) == ("reset", fault["id"], None)


async def test_entry_is_recorded_before_a_delayed_answer(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.fault(target="shop", mode="delay", seconds=1)
    in_flight = asyncio.create_task(client.post("/webhooks/shop", content=b"{}"))
    deadline = time.monotonic() + 0.9  # well before the delayed answer
    entries = await admin.journal()
    while not entries and time.monotonic() < deadline:
        entries = await admin.journal()
    assert (entries[0]["fault"], entries[0]["responseStatus"]) == ("delay", None)
    assert not in_flight.done()
    assert (await in_flight).status_code == 200
    assert (await admin.journal())[0]["responseStatus"] == 200


async def test_journal_is_ordered_filtered_and_excludes_admin_calls(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any
) -> None:
    await client.post("/webhooks/a", content=b"1")
    await admin.submit(encode(make_cart()))
    await client.post("/webhooks/b", content=b"2")
    await client.get("/__admin/faults")
    everything = await admin.journal()
    assert [(entry["seq"], entry["target"]) for entry in everything] == [(1, "a"), (2, "revel"), (3, "b")]
    assert [entry["target"] for entry in await admin.journal("revel")] == ["revel"]
    assert everything[1]["signatureValid"] is None
    assert everything[1]["responseStatus"] == 200


async def test_journal_can_be_cleared(client: httpx.AsyncClient, admin: Any) -> None:
    await client.post("/webhooks/a", content=b"1")
    assert (await client.delete("/__admin/journal")).status_code == 204
    assert await admin.journal() == []
    await client.post("/webhooks/a", content=b"2")
    [entry] = await admin.journal()
    assert entry["seq"] == 2  # sequence numbers are never reused


async def test_reset_clears_everything(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.receiver("shop", secret="s")
    await admin.fault(target="shop", mode="status", code=500)
    await client.post("/webhooks/shop", content=b"{}")
    assert (await client.post("/__admin/reset")).status_code == 200
    assert await admin.journal() == []
    assert await admin.faults() == []
    assert (await client.get("/__admin/receivers")).json() == []
    response = await client.post("/webhooks/shop", content=b"{}")  # no secret, no fault any more
    assert response.status_code == 200


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/__admin/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
