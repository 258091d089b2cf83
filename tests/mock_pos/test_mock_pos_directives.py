"""``mock:<mode>[:<arg>]`` directives in an order's notes: parsing, and their effect over real HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import msgspec
import pytest

from mock_pos.faults import DirectiveError, find_directive


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("mock:status:503", {"mode": "status", "code": 503}),
        ("please hurry mock:status:503 thanks", {"mode": "status", "code": 503}),
        ("mock:delay:5", {"mode": "delay", "seconds": 5.0}),
        ("mock:delay:0.25", {"mode": "delay", "seconds": 0.25}),
        (
            "mock:error_body:Item sold out",
            {"mode": "error_body", "shape": "nested", "message": "Item sold out"},
        ),
        (
            "mock:error_body.errorMsg:Item sold out\nsecond line",
            {"mode": "error_body", "shape": "errorMsg", "message": "Item sold out"},
        ),
        ("mock:error_body.string:x", {"mode": "error_body", "shape": "string", "message": "x"}),
        ("mock:error_body", {"mode": "error_body", "shape": "nested", "message": "mock error"}),
        ("mock:html:500", {"mode": "html", "code": 500}),
        ("mock:html", {"mode": "html", "code": 502}),
        ("mock:trickle:3", {"mode": "trickle", "seconds": 3.0, "chunks": 10}),
        ("mock:redirect:307", {"mode": "redirect", "code": 307}),
        ("mock:reset", {"mode": "reset"}),
        ("ring twice\nmock:malformed", {"mode": "malformed"}),
    ],
)
def test_directive_is_parsed_into_a_fault(note: str, expected: dict[str, Any]) -> None:
    spec = find_directive([note], "shop")
    assert spec is not None
    shown = msgspec.to_builtins(spec)
    assert shown["target"] == "shop"
    assert {key: shown[key] for key in expected} == expected


@pytest.mark.parametrize(
    "note", ["", "no directive here", "mock:explode", "mock:statusx:500", "mock status 503"]
)
def test_text_without_a_known_directive_is_no_fault(note: str) -> None:
    assert find_directive([note], "shop") is None


def test_first_note_with_a_directive_wins() -> None:
    spec = find_directive(["nothing", "mock:status:501", "mock:status:502"], "shop")
    assert spec is not None
    assert msgspec.to_builtins(spec)["code"] == 501


@pytest.mark.parametrize(
    "note", ["mock:status", "mock:status:abc", "mock:status:700", "mock:delay:soon", "mock:reset.loud"]
)
def test_invalid_directive_raises(note: str) -> None:
    with pytest.raises(DirectiveError):
        find_directive([note], "shop")


# --- over HTTP ----------------------------------------------------------------------------------


def webhook_body(notes: str = "", item_notes: str = "") -> bytes:
    return json.dumps(
        {"orderRefNo": "R-1", "notes": notes, "items": [{"plu": "A", "notes": item_notes}]}
    ).encode()


def revel_body(make_cart: Any, encode: Any, order_notes: str = "", special_request: str = "") -> bytes:
    cart = make_cart()
    cart["orderInfo"]["notes"] = order_notes
    cart["items"][1]["special_request"] = special_request
    return bytes(encode(cart))


async def send_with_directive(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, where: str, note: str, **kwargs: Any
) -> httpx.Response:
    """Send a well-formed request whose notes (in the place ``where``) carry ``note``."""
    if where == "notes":
        return await client.post("/webhooks/shop", content=webhook_body(notes=note), **kwargs)
    if where == "items[].notes":
        return await client.post("/webhooks/shop", content=webhook_body(item_notes=note), **kwargs)
    if where == "orderInfo.notes":
        return await admin.http.post(
            admin.submit_path,
            content=revel_body(make_cart, encode, order_notes=note),
            headers=admin.revel_headers,
            **kwargs,
        )
    return await admin.http.post(
        admin.submit_path,
        content=revel_body(make_cart, encode, special_request=note),
        headers=admin.revel_headers,
        **kwargs,
    )


PLACES = ["notes", "items[].notes", "orderInfo.notes", "special_request"]


@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize(
    ("note", "status", "check"),
    [
        ("mock:status:503", 503, lambda r: r.json() == {"error": "mock status 503"}),
        ("mock:error_body:Item sold out", 200, lambda r: r.json()["error"]["message"] == "Item sold out"),
        ("mock:error_body.errorMsg:Item sold out", 200, lambda r: r.json()["errorMsg"] == "Item sold out"),
        ("mock:html:500", 500, lambda r: r.headers["content-type"].startswith("text/html")),
        ("mock:redirect:307", 307, lambda r: r.headers["location"] == "http://127.0.0.1:9/elsewhere"),
        ("mock:malformed", 200, lambda r: r.content == b"<<not json>>"),
    ],
)
async def test_directive_changes_the_answer(
    client: httpx.AsyncClient,
    admin: Any,
    make_cart: Any,
    encode: Any,
    where: str,
    note: str,
    status: int,
    check: Any,
) -> None:
    response = await send_with_directive(client, admin, make_cart, encode, where, f"Leave at door. {note}")
    assert response.status_code == status
    assert check(response)
    entry = (await admin.journal())[-1]
    assert entry["fault"] == note.split(":")[1].split(".")[0]
    assert entry["faultId"] is None


@pytest.mark.parametrize("where", PLACES)
async def test_reset_directive_drops_the_connection(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, where: str
) -> None:
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await send_with_directive(client, admin, make_cart, encode, where, "mock:reset")
    assert (await admin.journal())[-1]["fault"] == "reset"


@pytest.mark.parametrize("where", ["notes", "orderInfo.notes"])
async def test_informational_status_directive_is_a_protocol_error(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, where: str
) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        await send_with_directive(client, admin, make_cart, encode, where, "mock:status:100")


@pytest.mark.parametrize("where", ["items[].notes", "special_request"])
async def test_delay_directive_outlasts_a_short_client_timeout(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, where: str
) -> None:
    with pytest.raises(httpx.ReadTimeout):
        await send_with_directive(client, admin, make_cart, encode, where, "mock:delay:2", timeout=0.3)


@pytest.mark.parametrize("where", ["notes", "orderInfo.notes"])
async def test_trickle_directive_sends_the_normal_answer_slowly(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, where: str
) -> None:
    started = time.monotonic()
    response = await send_with_directive(client, admin, make_cart, encode, where, "mock:trickle:0.6")
    assert time.monotonic() - started >= 0.5
    assert response.status_code == 200
    assert response.json() in ({"externalOrderId": "shop-1"}, {"status": "OK", "data": {"orderId": 10001}})


async def test_directive_takes_precedence_over_admin_faults(client: httpx.AsyncClient, admin: Any) -> None:
    fault = await admin.fault(target="shop", mode="status", code=500, times=1)
    response = await client.post("/webhooks/shop", content=webhook_body(notes="mock:status:409"))
    assert response.status_code == 409
    assert (await admin.faults())[0]["remaining"] == 1  # the admin fault was not used up
    assert (await client.post("/webhooks/shop", content=webhook_body())).status_code == 500
    assert [entry["faultId"] for entry in await admin.journal()] == [None, fault["id"]]


async def test_invalid_directive_is_journaled_and_ignored(client: httpx.AsyncClient, admin: Any) -> None:
    response = await client.post("/webhooks/shop", content=webhook_body(notes="mock:status:abc"))
    assert response.status_code == 200
    entry = (await admin.journal())[-1]
    assert entry["fault"] is None
    assert "mock:status" in entry["directiveError"]
