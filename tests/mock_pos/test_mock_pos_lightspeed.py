"""Mock Lightspeed K-Series: order routes, Spring-style validation, 409 duplicates, exact decimals, admin."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest


async def test_to_go_order_is_accepted_and_kept_with_exact_decimals(lightspeed: Any) -> None:
    order = lightspeed.order()
    order["items"][1]["customItemPrice"] = Decimal("3.250")  # trailing zero must survive
    response = await lightspeed.place(order)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    [kept] = await lightspeed.orders()
    assert (kept["kind"], kept["thirdPartyReference"], kept["businessLocationId"]) == (
        "toGo",
        "cata-ord-0001",
        45454565682155,
    )
    assert kept["body"]["payment"] == {
        "paymentMethod": "OOPAYMENT",
        "paymentAmount": "21.10",
        "tipAmount": "2.00",
    }
    assert kept["body"]["items"][1]["customItemPrice"] == "3.250"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", kept["receivedAt"])


async def test_dine_in_order_goes_to_local_and_needs_a_table(lightspeed: Any) -> None:
    missing = await lightspeed.place(lightspeed.order(), kind="local")
    assert missing.status_code == 400
    assert [error["field"] for error in missing.json()["errors"]] == ["tableNumber"]
    assert missing.json()["message"] == "Validation failed for object='localOrder'. Error count: 1"
    ok = await lightspeed.place(lightspeed.order(tableNumber="12", clientCount=2), kind="local")
    assert (ok.status_code, ok.json()) == (200, {"status": "ok"})
    assert [order["kind"] for order in await lightspeed.orders()] == ["local"]


async def test_missing_reference_gives_the_documented_spring_body(lightspeed: Any) -> None:
    order = lightspeed.order()
    del order["thirdPartyReference"]
    response = await lightspeed.place(order)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"timestamp", "status", "error", "message", "errors", "path"}
    assert (body["status"], body["error"], body["path"]) == (400, "Bad Request", "/o/op/1/order/toGo")
    assert body["message"] == "Validation failed for object='toGoOrder'. Error count: 1"
    assert body["errors"] == [
        {
            "codes": [
                "NotNull.toGoOrder.thirdPartyReference",
                "NotNull.thirdPartyReference",
                "NotNull.java.lang.String",
                "NotNull",
            ],
            "arguments": [
                {
                    "codes": ["toGoOrder.thirdPartyReference", "thirdPartyReference"],
                    "defaultMessage": "thirdPartyReference",
                    "code": "thirdPartyReference",
                }
            ],
            "defaultMessage": "must not be null",
            "objectName": "toGoOrder",
            "field": "thirdPartyReference",
            "bindingFailure": False,
            "code": "NotNull",
        }
    ]


def _broken(order: dict[str, Any], change: str) -> dict[str, Any]:
    if change == "no-location":
        del order["businessLocationId"]
    elif change == "unknown-location":
        order["businessLocationId"] = 1
    elif change == "long-reference":
        order["thirdPartyReference"] = "r" * 49
    elif change == "no-endpoint":
        del order["endpointId"]
    elif change == "unregistered-endpoint":
        order["endpointId"] = "NOPE"
    elif change == "no-first-name":
        del order["customerInfo"]["firstName"]
    elif change == "no-customer":
        del order["customerInfo"]
    elif change == "unknown-sku":
        order["items"][1]["sku"] = "NOT-ON-MENU"
    elif change == "zero-quantity":
        order["items"][1]["quantity"] = 0
    elif change == "unknown-modifier":
        order["items"][0]["modifiers"] = [{"modifierId": "999"}]
    elif change == "no-modifier-id":
        order["items"][0]["modifiers"] = [{}]
    elif change == "unknown-sub-sku":
        order["items"][0]["subItems"][0]["sku"] = "GHOST"
    elif change == "no-items":
        order["items"] = []
    elif change == "no-payment-amount":
        del order["payment"]["paymentAmount"]
    elif change == "tip-not-included":
        order["payment"]["paymentAmount"] = Decimal("19.10")
    return order


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ("no-location", "businessLocationId", "NotNull"),
        ("unknown-location", "businessLocationId", "Invalid"),
        ("long-reference", "thirdPartyReference", "Size"),
        ("no-endpoint", "endpointId", "NotNull"),
        ("unregistered-endpoint", "endpointId", "Invalid"),
        ("no-first-name", "customerInfo.firstName", "NotNull"),
        ("no-customer", "customerInfo", "NotNull"),
        ("unknown-sku", "items[1].sku", "Invalid"),
        ("zero-quantity", "items[1].quantity", "Min"),
        ("unknown-modifier", "items[0].modifiers[0].modifierId", "Invalid"),
        ("no-modifier-id", "items[0].modifiers[0].modifierId", "NotNull"),
        ("unknown-sub-sku", "items[0].subItems[0].sku", "Invalid"),
        ("no-items", "items", "NotEmpty"),
        ("no-payment-amount", "payment.paymentAmount", "NotNull"),
        ("tip-not-included", "payment.paymentAmount", "PaymentAmount"),
    ],
)
async def test_each_validation_error_names_its_field(
    lightspeed: Any, change: str, field: str, code: str
) -> None:
    response = await lightspeed.place(_broken(lightspeed.order(), change))
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert (error["field"], error["code"], error["objectName"]) == (field, code, "toGoOrder")
    assert error["codes"][0] == f"{code}.toGoOrder.{field}"
    assert await lightspeed.orders() == []


async def test_payment_total_message_states_the_expected_amount(lightspeed: Any) -> None:
    response = await lightspeed.place(_broken(lightspeed.order(), "tip-not-included"))
    [error] = response.json()["errors"]
    assert error["defaultMessage"] == (
        "must equal the order total including tips: 21.10 (items 19.10 + tipAmount 2.00)"
    )


async def test_several_errors_are_reported_together(lightspeed: Any) -> None:
    order = lightspeed.order()
    del order["thirdPartyReference"], order["endpointId"]
    body = (await lightspeed.place(order)).json()
    assert body["message"] == "Validation failed for object='toGoOrder'. Error count: 2"
    assert [error["field"] for error in body["errors"]] == ["thirdPartyReference", "endpointId"]


async def test_body_that_is_not_json_is_a_spring_400_without_errors(lightspeed: Any) -> None:
    response = await lightspeed.place(b"{not json")
    body = response.json()
    assert (response.status_code, body["error"], body["path"]) == (400, "Bad Request", "/o/op/1/order/toGo")
    assert body["message"] == "JSON parse error: the request body is not valid JSON"
    assert "errors" not in body


async def test_reused_reference_is_a_409_and_not_kept_twice(lightspeed: Any) -> None:
    assert (await lightspeed.place(lightspeed.order())).status_code == 200
    again = await lightspeed.place(lightspeed.order())
    assert (again.status_code, again.json()) == (
        409,
        {"status": "fail", "msg": "reference has already been used cata-ord-0001"},
    )
    assert len(await lightspeed.orders()) == 1


async def test_payment_total_check_can_be_switched_off(client: httpx.AsyncClient, lightspeed: Any) -> None:
    changed = await client.patch("/__admin/lightspeed", json={"checkPaymentTotal": False})
    assert changed.status_code == 200, changed.text
    response = await lightspeed.place(_broken(lightspeed.order(), "tip-not-included"))
    assert response.status_code == 200


# --- the other routes ----------------------------------------------------------------------------


async def test_businesses_list_the_configured_locations(client: httpx.AsyncClient, lightspeed: Any) -> None:
    response = await client.get("/lightspeed/o/op/data/businesses", headers=lightspeed.auth())
    assert response.json() == [
        {
            "businessId": 45454565682100,
            "businessName": "Sandbox Bistro",
            "businessLocations": [{"blId": 45454565682155, "blName": "Sandbox Bistro Downtown"}],
        }
    ]


async def test_webhook_registration_round_trip(client: httpx.AsyncClient, lightspeed: Any) -> None:
    registered = await lightspeed.register("OTHER", withBasicAuth=True, username="u", password="p")
    assert registered.json()["endpointId"] == "OTHER"
    assert "password" not in registered.json()
    read = await client.get("/lightspeed/o/wh/1/webhook/OTHER", headers=lightspeed.auth())
    assert (read.status_code, read.json()["username"]) == (200, "u")
    assert (
        await client.delete("/lightspeed/o/wh/1/webhook/OTHER", headers=lightspeed.auth())
    ).status_code == 204
    gone = await client.get("/lightspeed/o/wh/1/webhook/OTHER", headers=lightspeed.auth())
    assert (gone.status_code, gone.json()["error"]) == (404, "Not Found")


async def test_webhook_registration_needs_a_url(client: httpx.AsyncClient, lightspeed: Any) -> None:
    response = await client.put(
        "/lightspeed/o/wh/1/webhook", json={"endpointId": "X"}, headers=lightspeed.auth()
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("url", "NotNull")]


async def test_unknown_path_is_a_spring_404(client: httpx.AsyncClient, lightspeed: Any) -> None:
    response = await client.get("/lightspeed/o/op/1/nothing", headers=lightspeed.auth())
    assert (response.status_code, response.json()["error"]) == (404, "Not Found")


async def test_admin_configuration_replaces_the_catalogue(client: httpx.AsyncClient, lightspeed: Any) -> None:
    config = (await client.get("/__admin/lightspeed")).json()
    assert config["businesses"][0]["locations"][0]["items"][0] == {
        "sku": "BURGER-01",
        "name": "Classic Burger",
        "price": "11.50",
    }
    config["businesses"][0]["locations"][0]["items"].append({"sku": "PIE-01", "name": "Pie", "price": "4.05"})
    assert (await client.put("/__admin/lightspeed", json=config)).status_code == 200
    order = lightspeed.order(items=[{"sku": "PIE-01", "quantity": 3}])
    order["payment"]["paymentAmount"] = Decimal("14.15")
    assert (await lightspeed.place(order)).status_code == 200


async def test_bad_admin_configuration_names_the_field(client: httpx.AsyncClient) -> None:
    config = (await client.get("/__admin/lightspeed")).json()
    items = config["businesses"][0]["locations"][0]["items"]
    items.append(dict(items[0]))
    response = await client.put("/__admin/lightspeed", content=json.dumps(config))
    assert response.status_code == 400
    assert response.json()["field"] == "businesses[0].locations[0].items[6].sku"
    wrong_type = await client.patch("/__admin/lightspeed", json={"tokenLifetimeSeconds": "soon"})
    assert (wrong_type.status_code, wrong_type.json()["field"]) == (400, "tokenLifetimeSeconds")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("endpointId", "NotNull"), ("url", "NotNull")]),
        (
            {"endpointId": "X", "url": "http://h/x", "withBasicAuth": "yes"},
            [("withBasicAuth", "typeMismatch")],
        ),
    ],
)
async def test_webhook_registration_errors_name_the_field(
    client: httpx.AsyncClient, lightspeed: Any, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    response = await client.put("/lightspeed/o/wh/1/webhook", json=body, headers=lightspeed.auth())
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == errors


async def test_webhook_update_of_an_unknown_endpoint_is_404(
    client: httpx.AsyncClient, lightspeed: Any
) -> None:
    body = {"endpointId": "NEW", "url": "http://127.0.0.1:9/x"}
    response = await client.post("/lightspeed/o/wh/1/webhook", json=body, headers=lightspeed.auth())
    assert response.status_code == 404
    assert (
        await client.post(
            "/lightspeed/o/wh/1/webhook",
            json={**body, "endpointId": "CATA-WEBHOOK"},
            headers=lightspeed.auth(),
        )
    ).status_code == 200
