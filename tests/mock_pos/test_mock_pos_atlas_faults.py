"""Every fault mode on mock Atlas Kitchen, from the admin API and from notes directives, over real loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


@pytest.mark.parametrize(
    ("spec", "status", "content_type", "check"),
    [
        (
            {"mode": "status", "code": 500},
            500,
            "application/json",
            {"type": "Server Error", "message": "Something went wrong on our end. Please try again later."},
        ),
        ({"mode": "status", "code": 401}, 401, "application/json", {"type": "Unauthorized"}),
        (
            {"mode": "status", "code": 422},
            422,
            "application/json",
            {"type": "Invalid Parameter", "details": []},
        ),
        ({"mode": "status", "code": 404}, 404, "application/json", {"type": "Not Found"}),
        (
            {"mode": "status", "code": 503, "body": "down", "contentType": "text/plain"},
            503,
            "text/plain",
            "down",
        ),
        # bytes that are not UTF-8 (b"Fehler \xe9"), in place of the POS's own error shape
        (
            {"mode": "status", "code": 500, "bodyBase64": "RmVobGVyIOk="},
            500,
            "application/json",
            "Fehler \ufffd",
        ),
        (
            {"mode": "error_body", "shape": "string", "message": "Nope"},
            200,
            "application/json",
            {"error": "Nope"},
        ),
        ({"mode": "malformed"}, 200, "application/json", "<<not json>>"),
        ({"mode": "html", "code": 504}, 504, "text/html", "504 Gateway Timeout"),
        ({"mode": "redirect"}, 302, None, ""),
    ],
)
async def test_replacing_faults_on_order_creation(
    client: httpx.AsyncClient,
    admin: Any,
    atlas: Any,
    spec: dict[str, Any],
    status: int,
    content_type: str | None,
    check: Any,
) -> None:
    await admin.fault(target="atlas", **spec)
    response = await atlas.create(atlas.order())
    assert response.status_code == status
    if content_type is not None:
        assert response.headers["content-type"].startswith(content_type)
    if isinstance(check, dict):
        body = response.json()
        assert {key: body[key] for key in check} == check
    else:
        assert check in response.text
    assert (await client.get("/__admin/atlas/orders")).json() == []
    [entry] = await admin.journal("atlas")
    assert (entry["fault"], entry["responseStatus"], entry["path"]) == (
        spec["mode"],
        status,
        atlas.create_path,
    )


async def test_reset_fault_drops_the_connection(admin: Any, atlas: Any) -> None:
    await admin.fault(target="atlas", mode="reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await atlas.create(atlas.order())


async def test_informational_status_is_a_protocol_error(admin: Any, atlas: Any) -> None:
    await admin.fault(target="atlas", mode="status", code=103)
    with pytest.raises(httpx.RemoteProtocolError):
        await atlas.create(atlas.order())


async def test_delay_then_normal_answer(admin: Any, atlas: Any) -> None:
    await admin.fault(target="atlas", mode="delay", seconds=0.3, times=1)
    response = await atlas.create(atlas.order())
    assert (response.status_code, response.json()["id"]) == (200, 85)


async def test_delay_outlasts_a_short_client_timeout(
    admin: Any, atlas: Any, client: httpx.AsyncClient
) -> None:
    await admin.fault(target="atlas", mode="delay", seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/atlas/admin/v1/menus", headers=atlas.headers, timeout=0.2)


async def test_trickle_delivers_the_whole_order(admin: Any, atlas: Any) -> None:
    await admin.fault(target="atlas", mode="trickle", seconds=0.3, chunks=4)
    assert (await atlas.create(atlas.order())).json()["identifier"] == "ATL-000085"


async def test_fault_matches_external_order_id_and_outlet(admin: Any, atlas: Any) -> None:
    await admin.fault(
        target="atlas", mode="status", code=500, match={"orderRefNo": "CATA-2", "outletId": "3"}
    )
    assert (await atlas.create(atlas.order())).status_code == 200
    assert (await atlas.create(atlas.order(external_order_id="CATA-2"))).status_code == 500


@pytest.mark.parametrize("where", ["notes", "item", "sub_item"])
async def test_notes_directive_anywhere_in_the_order(admin: Any, atlas: Any, where: str) -> None:
    order = atlas.order()
    directive = "no onions mock:status:500"
    if where == "notes":
        order["notes"] = directive
    elif where == "item":
        order["order_items"][1]["notes"] = directive
    else:
        order["order_items"][0]["sub_items"][0]["notes"] = directive
    response = await atlas.create(order)
    assert (response.status_code, response.json()["type"]) == (500, "Server Error")
    [entry] = await admin.journal("atlas")
    assert entry["fault"] == "status"


async def test_unusable_directive_is_reported_and_ignored(admin: Any, atlas: Any) -> None:
    response = await atlas.create(atlas.order(notes="mock:status:soon"))
    assert response.status_code == 200
    [entry] = await admin.journal("atlas")
    assert entry["directiveError"] == "mock:status: 'soon' is not a number"


async def test_a_status_directive_without_a_code_says_it_needs_one(admin: Any, atlas: Any) -> None:
    response = await atlas.create(atlas.order(notes="mock:status"))
    assert response.status_code == 200
    [entry] = await admin.journal("atlas")
    assert entry["directiveError"] == "mock:status needs a code, e.g. mock:status:503"
