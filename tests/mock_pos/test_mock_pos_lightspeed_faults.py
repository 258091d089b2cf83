"""Every fault mode on mock Lightspeed, from the admin API and from notes directives, over real loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_pos.client import entry_body


@pytest.mark.parametrize(
    ("spec", "status", "content_type", "check"),
    [
        ({"mode": "status", "code": 500}, 500, "application/json", {"error": "Internal Server Error"}),
        ({"mode": "status", "code": 429}, 429, "application/json", {"error": "Too Many Requests"}),
        (
            {"mode": "status", "code": 401},
            401,
            "application/json",
            {"error": "invalid_token", "error_description": "mock status 401"},
        ),
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
            {"mode": "error_body", "shape": "errorMsg", "message": "Nope"},
            200,
            "application/json",
            {"errorMsg": "Nope"},
        ),
        ({"mode": "malformed"}, 200, "application/json", "<<not json>>"),
        ({"mode": "html"}, 502, "text/html", "502 Bad Gateway"),
        ({"mode": "redirect", "code": 307}, 307, None, ""),
    ],
)
async def test_replacing_faults_on_the_order_endpoint(
    admin: Any, lightspeed: Any, spec: dict[str, Any], status: int, content_type: str | None, check: Any
) -> None:
    await admin.fault(target="lightspeed", **spec)
    response = await lightspeed.place(lightspeed.order())
    assert response.status_code == status
    if content_type is not None:
        assert response.headers["content-type"].startswith(content_type)
    if isinstance(check, dict):
        body = response.json()
        assert {key: body[key] for key in check} == check
    else:
        assert check in response.text
    assert await lightspeed.orders() == []  # a replaced answer means the order never got in
    entry = (await admin.journal("lightspeed"))[-1]
    assert (entry["fault"], entry["responseStatus"]) == (spec["mode"], status)


async def test_status_fault_keeps_lightspeeds_spring_shape(admin: Any, lightspeed: Any) -> None:
    await admin.fault(target="lightspeed", mode="status", code=500)
    body = (await lightspeed.place(lightspeed.order())).json()
    assert set(body) == {"timestamp", "status", "error", "message", "path"}
    assert (body["status"], body["path"]) == (500, "/o/op/1/order/toGo")


async def test_reset_fault_drops_the_connection(admin: Any, lightspeed: Any) -> None:
    await admin.fault(target="lightspeed", mode="reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await lightspeed.place(lightspeed.order())


async def test_informational_status_is_a_protocol_error(admin: Any, lightspeed: Any) -> None:
    await admin.fault(target="lightspeed", mode="status", code=102)
    with pytest.raises(httpx.RemoteProtocolError):
        await lightspeed.place(lightspeed.order())


async def test_delay_fault_outlasts_a_short_client_timeout(admin: Any, lightspeed: Any, encode: Any) -> None:
    await admin.fault(target="lightspeed", mode="delay", seconds=2)
    headers = {**lightspeed.auth(), "Content-Type": "application/json"}
    with pytest.raises(httpx.ReadTimeout):
        await lightspeed.http.post(
            "/lightspeed/o/op/1/order/toGo", content=encode(lightspeed.order()), headers=headers, timeout=0.2
        )


async def test_delay_then_normal_answer(admin: Any, lightspeed: Any) -> None:
    await admin.fault(target="lightspeed", mode="delay", seconds=0.3)
    response = await lightspeed.place(lightspeed.order())
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert len(await lightspeed.orders()) == 1


async def test_trickle_fault_still_delivers_the_whole_answer(admin: Any, lightspeed: Any) -> None:
    await admin.fault(target="lightspeed", mode="trickle", seconds=0.3, chunks=3)
    response = await lightspeed.place(lightspeed.order())
    assert response.json() == {"status": "ok"}


async def test_fault_matches_third_party_reference_and_location(admin: Any, lightspeed: Any) -> None:
    await admin.fault(
        target="lightspeed",
        mode="status",
        code=503,
        match={"orderRefNo": "cata-ord-0002", "outletId": "45454565682155"},
    )
    assert (await lightspeed.place(lightspeed.order())).status_code == 200
    assert (await lightspeed.place(lightspeed.order(thirdPartyReference="cata-ord-0002"))).status_code == 503


async def test_oauth_faults_target_the_token_endpoint_only(admin: Any, lightspeed: Any) -> None:
    await admin.fault(target="lightspeed-oauth", mode="status", code=503)
    refused = await lightspeed.oauth(grant_type="refresh_token", refresh_token=lightspeed.refresh)
    assert refused.status_code == 503
    assert (await lightspeed.place(lightspeed.order())).status_code == 200
    entry = (await admin.journal("lightspeed-oauth"))[-1]
    assert entry["fault"] == "status"


@pytest.mark.parametrize("where", ["orderNote", "customerInfo", "item", "subItem"])
async def test_notes_directive_anywhere_in_the_order(admin: Any, lightspeed: Any, where: str) -> None:
    order = lightspeed.order()
    directive = "mock:status:503"
    if where == "orderNote":
        order["orderNote"] = f"Ring the bell {directive}"
    elif where == "customerInfo":
        order["customerInfo"]["notes"] = directive
    elif where == "item":
        order["items"][1]["notes"] = directive
    else:
        order["items"][0]["subItems"][0]["notes"] = directive
    response = await lightspeed.place(order)
    assert response.status_code == 503
    assert response.json()["error"] == "Internal Server Error"
    entry = (await admin.journal("lightspeed"))[-1]
    assert entry["fault"] == "status"


async def test_error_body_directive_with_message(lightspeed: Any) -> None:
    response = await lightspeed.place(lightspeed.order(orderNote="mock:error_body.errorMsg:Kitchen closed"))
    assert (response.status_code, response.json()) == (200, {"status": "ERROR", "errorMsg": "Kitchen closed"})


async def test_journal_records_the_exact_bytes(admin: Any, lightspeed: Any, encode: Any) -> None:
    raw = encode(lightspeed.order())
    await lightspeed.place(raw)
    entry = (await admin.journal("lightspeed"))[-1]
    assert entry_body(entry) == raw
    assert b'"paymentAmount":21.10' in raw


@pytest.mark.parametrize(("code", "error"), [(400, "invalid_request"), (401, "invalid_client")])
async def test_oauth_status_fault_answers_an_oauth_error(
    admin: Any, lightspeed: Any, code: int, error: str
) -> None:
    await admin.fault(target="lightspeed-oauth", mode="status", code=code)
    response = await lightspeed.oauth(grant_type="refresh_token", refresh_token=lightspeed.refresh)
    assert (response.status_code, response.json()) == (
        code,
        {"error": error, "error_description": f"mock status {code}"},
    )
