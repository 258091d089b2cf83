"""Faults set through the admin API, as a plain httpx client sees them over real loopback HTTP."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest

ORDER = b'{"orderRefNo":"R-1","notes":"","items":[]}'


async def deliver(
    client: httpx.AsyncClient, name: str = "shop", body: bytes = ORDER, **kwargs: Any
) -> httpx.Response:
    return await client.post(f"/webhooks/{name}", content=body, **kwargs)


@pytest.mark.parametrize(
    ("spec", "status", "content_type", "body"),
    [
        ({"mode": "status", "code": 503}, 503, "application/json", {"error": "mock status 503"}),
        (
            {"mode": "status", "code": 418, "body": "short and stout", "contentType": "text/plain"},
            418,
            "text/plain",
            "short and stout",
        ),
        ({"mode": "status", "code": 599}, 599, "application/json", {"error": "mock status 599"}),
        (
            {"mode": "error_body"},
            200,
            "application/json",
            {"status": "ERROR", "error": {"message": "mock error", "details": {"message": "mock error"}}},
        ),
        (
            {"mode": "error_body", "shape": "details", "message": "Out of stock"},
            200,
            "application/json",
            {"status": "ERROR", "error": {"details": {"message": "Out of stock"}}},
        ),
        (
            {"mode": "error_body", "shape": "errorMsg", "message": "Out of stock"},
            200,
            "application/json",
            {"status": "ERROR", "errorMsg": "Out of stock"},
        ),
        (
            {"mode": "error_body", "shape": "string", "message": "Out of stock"},
            200,
            "application/json",
            {"status": "ERROR", "error": "Out of stock"},
        ),
        ({"mode": "malformed"}, 200, "application/json", "<<not json>>"),
        ({"mode": "html"}, 502, "text/html", "502 Bad Gateway"),
        ({"mode": "html", "code": 500}, 500, "text/html", "500 Internal Server Error"),
    ],
)
@pytest.mark.parametrize("target", ["shop", "revel"])
async def test_replacing_faults_change_the_answer_for_receivers_and_revel(
    client: httpx.AsyncClient,
    admin: Any,
    target: str,
    spec: dict[str, Any],
    status: int,
    content_type: str,
    body: Any,
) -> None:
    await admin.fault(target=target, **spec)
    path = "/webhooks/shop" if target == "shop" else admin.submit_path
    response = await client.post(path, content=ORDER)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(content_type)
    if isinstance(body, dict):
        assert response.json() == body
    else:
        assert body in response.text


@pytest.mark.parametrize("target", ["shop", "revel"])
async def test_status_fault_with_body_base64_answers_those_exact_bytes(
    client: httpx.AsyncClient, admin: Any, target: str
) -> None:
    raw = "Fehler: Größe".encode("latin-1") + b"\xe2\x82"  # Latin-1, then a cut UTF-8 sequence
    await admin.fault(
        target=target,
        mode="status",
        code=500,
        bodyBase64=base64.b64encode(raw).decode(),
        contentType="text/plain",
    )
    path = "/webhooks/shop" if target == "shop" else admin.submit_path
    response = await client.post(path, content=ORDER)
    assert response.status_code == 500
    assert response.content == raw


async def test_status_fault_with_no_content_code_sends_no_body(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.fault(target="shop", mode="status", code=204)
    response = await deliver(client)
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize(
    ("spec", "status", "location"),
    [
        ({"mode": "redirect"}, 302, "http://127.0.0.1:9/elsewhere"),
        (
            {"mode": "redirect", "code": 307, "location": "http://127.0.0.1:9/moved"},
            307,
            "http://127.0.0.1:9/moved",
        ),
    ],
)
async def test_redirect_fault_answers_a_redirect_with_an_empty_body(
    client: httpx.AsyncClient, admin: Any, spec: dict[str, Any], status: int, location: str
) -> None:
    await admin.fault(target="shop", **spec)
    response = await deliver(client)
    assert response.status_code == status
    assert response.headers["location"] == location
    assert response.content == b""


@pytest.mark.parametrize("code", [100, 103, 199])
async def test_informational_status_fault_is_a_protocol_error_for_the_client(
    client: httpx.AsyncClient, admin: Any, code: int
) -> None:
    await admin.fault(target="shop", mode="status", code=code)
    with pytest.raises(httpx.RemoteProtocolError):
        await deliver(client)
    entry = (await admin.journal("shop"))[-1]
    assert (entry["fault"], entry["responseStatus"]) == ("status", code)


@pytest.mark.parametrize("target", ["shop", "revel"])
async def test_reset_fault_drops_the_connection(client: httpx.AsyncClient, admin: Any, target: str) -> None:
    await admin.fault(target=target, mode="reset")
    path = "/webhooks/shop" if target == "shop" else admin.submit_path
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as raised:
        await client.post(path, content=ORDER)
    assert not isinstance(raised.value, httpx.TimeoutException)
    assert (await client.get("/__admin/health")).status_code == 200  # the server itself is fine


async def test_delay_fault_outlasts_a_short_client_timeout(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.fault(target="shop", mode="delay", seconds=2)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await deliver(client, timeout=0.3)
    assert time.monotonic() - started < 1.5


async def test_delay_fault_then_answers_normally(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.fault(target="shop", mode="delay", seconds=0.4)
    started = time.monotonic()
    response = await deliver(client)
    assert time.monotonic() - started >= 0.4
    assert response.status_code == 200
    assert response.json() == {"externalOrderId": "shop-1"}


async def test_trickle_fault_spreads_the_normal_body_over_the_configured_time(
    client: httpx.AsyncClient, admin: Any
) -> None:
    await admin.fault(target="shop", mode="trickle", seconds=1.0, chunks=5)
    arrivals: list[float] = []
    async with client.stream("POST", "/webhooks/shop", content=ORDER) as response:
        headers_at = time.monotonic()
        assert response.status_code == 200
        body = b""
        async for piece in response.aiter_raw():
            body += piece
            arrivals.append(time.monotonic())
    assert arrivals[-1] - headers_at >= 0.8
    assert len(arrivals) >= 3  # really in pieces, not one late burst
    assert body == b'{"externalOrderId":"shop-1"}'


async def test_times_limits_a_fault_to_the_next_n_requests(client: httpx.AsyncClient, admin: Any) -> None:
    created = await admin.fault(target="shop", mode="status", code=500, times=2)
    assert created["remaining"] == 2
    statuses = [(await deliver(client)).status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]
    assert [fault["remaining"] for fault in await admin.faults()] == [0]


async def test_fault_without_times_applies_until_cleared(client: httpx.AsyncClient, admin: Any) -> None:
    created = await admin.fault(target="shop", mode="status", code=500)
    assert [(await deliver(client)).status_code for _ in range(3)] == [500, 500, 500]
    assert (await client.delete(f"/__admin/faults/{created['id']}")).status_code == 204
    assert (await deliver(client)).status_code == 200


async def test_fault_targets_only_its_receiver(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.fault(target="shop", mode="status", code=500)
    assert (await deliver(client, "other")).status_code == 200
    assert (await deliver(client, "shop")).status_code == 500


@pytest.mark.parametrize(
    ("match", "hit", "miss"),
    [
        (
            {"outletId": "outlet-7"},
            {"params": {"outletId": "outlet-7"}},
            {"params": {"outletId": "outlet-8"}},
        ),
        ({"outletId": 7}, {"content": b'{"outletId":7}'}, {"content": b'{"outletId":8}'}),
        ({"orderRefNo": "R-9"}, {"content": b'{"orderRefNo":"R-9"}'}, {"content": b'{"orderRefNo":"R-1"}'}),
        (
            {"header": {"X-Tenant": "acme"}},
            {"headers": {"x-tenant": "acme"}},
            {"headers": {"X-Tenant": "other"}},
        ),
    ],
)
async def test_match_limits_a_fault_to_matching_requests(
    client: httpx.AsyncClient, admin: Any, match: dict[str, Any], hit: dict[str, Any], miss: dict[str, Any]
) -> None:
    await admin.fault(target="shop", mode="status", code=503, match=match)
    miss.setdefault("content", ORDER)
    hit.setdefault("content", ORDER)
    assert (await client.post("/webhooks/shop", **miss)).status_code == 200
    assert (await client.post("/webhooks/shop", **hit)).status_code == 503
    assert (await client.post("/webhooks/shop", **miss)).status_code == 200


async def test_all_match_keys_must_match(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.fault(target="shop", mode="status", code=503, match={"orderRefNo": "R-1", "outletId": "o1"})
    assert (await deliver(client, params={"outletId": "o2"})).status_code == 200
    assert (await deliver(client, params={"outletId": "o1"})).status_code == 503


async def test_revel_faults_match_establishment_and_call_name(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any
) -> None:
    await admin.fault(target="revel", mode="error_body", shape="errorMsg", match={"establishmentId": 2})
    await admin.fault(target="revel", mode="status", code=500, match={"orderRefNo": "ORD-500"})
    assert (await admin.submit(encode(make_cart()))).json()["status"] == "OK"
    assert (await admin.submit(encode(make_cart(establishmentId=2)))).json()["status"] == "ERROR"
    called = make_cart()
    called["orderInfo"]["call_name"] = "ORD-500"
    assert (await admin.submit(encode(called))).status_code == 500


async def test_first_matching_fault_in_creation_order_applies(client: httpx.AsyncClient, admin: Any) -> None:
    first = await admin.fault(target="shop", mode="status", code=501, times=1)
    second = await admin.fault(target="shop", mode="status", code=502, times=1)
    assert [(await deliver(client)).status_code for _ in range(3)] == [501, 502, 200]
    assert [entry["faultId"] for entry in await admin.journal()] == [first["id"], second["id"], None]


async def test_faults_are_listed_and_cleared(client: httpx.AsyncClient, admin: Any) -> None:
    created = await admin.fault(target="shop", mode="delay", seconds=0.5, match={"outletId": "o1"})
    assert created == {
        "id": created["id"],
        "mode": "delay",
        "seconds": 0.5,
        "target": "shop",
        "times": None,
        "match": {"outletId": "o1"},
        "remaining": None,
    }
    assert await admin.faults() == [created]
    assert (await client.delete("/__admin/faults")).status_code == 204
    assert await admin.faults() == []


async def test_deleting_an_unknown_fault_is_404(client: httpx.AsyncClient) -> None:
    response = await client.delete("/__admin/faults/999")
    assert response.status_code == 404
    assert "999" in response.json()["error"]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"target": "shop"}, "mode"),
        ({"target": "shop", "mode": "explode"}, "mode"),
        ({"target": "shop", "mode": "status"}, "code"),
        ({"target": "shop", "mode": "status", "code": 600}, "code"),
        ({"target": "shop", "mode": "status", "code": "503"}, "code"),
        ({"target": "shop", "mode": "status", "code": 503, "cdoe": 1}, "cdoe"),
        ({"target": "shop", "mode": "reset", "times": 0}, "times"),
        ({"target": "shop", "mode": "delay", "seconds": -1}, "seconds"),
        ({"target": "shop", "mode": "error_body", "shape": "weird"}, "shape"),
        ({"target": "shop", "mode": "redirect", "code": 200}, "code"),
        ({"target": "shop", "mode": "trickle", "chunks": 0}, "chunks"),
        ({"target": "shop", "mode": "reset", "match": {"outlet": "x"}}, "match.outlet"),
        ({"target": "shop", "mode": "reset", "match": {"establishmentId": 1}}, "match.establishmentId"),
        ({"mode": "reset"}, "target"),
        ({"target": "shop", "mode": "status", "code": 500, "bodyBase64": "not base64!"}, "bodyBase64"),
        ({"target": "shop", "mode": "status", "code": 500, "bodyBase64": "QQ"}, "bodyBase64"),
        ({"target": "shop", "mode": "status", "code": 500, "body": "x", "bodyBase64": "QQ=="}, "bodyBase64"),
        ({"target": "shop", "mode": "status", "code": 500, "bodyBase64": 1}, "bodyBase64"),
    ],
)
async def test_bad_fault_input_is_400_naming_the_field(
    client: httpx.AsyncClient, spec: dict[str, Any], field: str
) -> None:
    response = await client.post("/__admin/faults", json=spec)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["error"]


async def test_non_json_admin_body_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/__admin/faults", content=b"{not json")
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
