"""Mock Revel: cart submit accepted and rejected the way Revel does, configuration, orders, finalize."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

COMBO_ITEM = {
    "product": 104,
    "quantity": 1,
    "price": Decimal("15.00"),
    "is_combo": True,
    "products_sets": [
        {"id": 1, "name": "Main", "products": [{"product": 101, "quantity": 1, "price": Decimal("0.00")}]},
        {
            "id": 2,
            "name": "Drink",
            "products": [
                {
                    "product": 106,
                    "quantity": 1,
                    "price": Decimal("0.60"),
                    "modifieritems": [{"modifier": 205, "qty": 1, "modifier_price": Decimal("0.60")}],
                }
            ],
        },
    ],
}


async def test_well_formed_cart_is_accepted_with_a_new_order_id(
    admin: Any, make_cart: Any, encode: Any
) -> None:
    first = await admin.submit(encode(make_cart()))
    second = await admin.submit(encode(make_cart()))
    assert (first.status_code, first.json()) == (200, {"status": "OK", "data": {"orderId": 10001}})
    assert second.json() == {"status": "OK", "data": {"orderId": 10002}}


async def test_accepted_orders_keep_exact_decimal_prices(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any
) -> None:
    cart = make_cart()
    cart["items"][0]["price"] = Decimal("12.500")  # the trailing zero must survive
    await admin.submit(encode(cart))
    [order] = (await client.get("/__admin/revel/orders")).json()
    assert (order["orderId"], order["establishmentId"]) == (10001, 1)
    first_item = order["body"]["items"][0]
    assert first_item["price"] == "12.500"
    assert first_item["modifieritems"][0]["modifier_price"] == "1.50"
    assert order["body"]["paymentInfo"] == {
        "type": 7,
        "amount": "31.20",
        "tip": "0.00",
        "transaction_id": "tx-1",
    }
    assert first_item["quantity"] == 2  # integers stay integers
    assert order["receivedAt"].endswith("Z")


@pytest.mark.parametrize(
    "path", ["/revel/specialresources/cart/submit", "/revel/specialresources/cart/submit/"]
)
async def test_submit_path_works_with_and_without_trailing_slash(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, path: str
) -> None:
    response = await client.post(path, content=encode(make_cart()), headers=admin.revel_headers)
    assert response.json()["status"] == "OK"


async def test_legacy_establishment_key_and_string_id_are_accepted(
    admin: Any, make_cart: Any, encode: Any
) -> None:
    legacy = make_cart()
    legacy["establishment"] = legacy.pop("establishmentId")
    assert (await admin.submit(encode(legacy))).json()["status"] == "OK"
    assert (await admin.submit(encode(make_cart(establishmentId="1")))).json()["status"] == "OK"


async def test_combo_items_are_accepted(admin: Any, make_cart: Any, encode: Any) -> None:
    response = await admin.submit(encode(make_cart(items=[COMBO_ITEM])))
    assert response.json() == {"status": "OK", "data": {"orderId": 10001}}


async def test_text_plain_with_charset_is_accepted(admin: Any, make_cart: Any, encode: Any) -> None:
    response = await admin.submit(encode(make_cart()), Content_Type="text/plain; charset=utf-8")
    assert response.json()["status"] == "OK"


@pytest.mark.parametrize("auth", [None, "sandbox-key:wrong", "sandbox-key", "wrong:sandbox-secret", ""])
async def test_bad_credentials_get_an_html_403_page(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, auth: str | None
) -> None:
    headers = {"Content-Type": "text/plain"}
    if auth is not None:
        headers["API-AUTHENTICATION"] = auth
    response = await client.post(admin.submit_path, content=encode(make_cart()), headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text
    assert (await client.get("/__admin/revel/orders")).json() == []


async def test_credentials_are_checked_before_anything_else(client: httpx.AsyncClient, admin: Any) -> None:
    response = await client.post(
        admin.submit_path, content=b"not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 403


def revel_error(message: str) -> dict[str, str]:
    return {"status": "ERROR", "errorMsg": message}


@pytest.mark.parametrize("content_type", ["application/json", "text/html", None])
async def test_wrong_content_type_is_an_unhandled_error(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, content_type: str | None
) -> None:
    headers = {"API-AUTHENTICATION": "sandbox-key:sandbox-secret"}
    request = client.build_request("POST", admin.submit_path, content=encode(make_cart()), headers=headers)
    if content_type is None:
        request.headers.pop("content-type", None)
    else:
        request.headers["content-type"] = content_type
    response = await client.send(request)
    assert (response.status_code, response.json()) == (200, revel_error("Unhandled error"))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c.update(establishmentId=99), "Establishment 99 does not exist"),
        (lambda c: c.pop("establishmentId"), "establishmentId is required"),
        (lambda c: c["items"][0].update(product=999), "Product 999 does not exist in establishment 1"),
        (lambda c: c["items"][0].update(product=301), "Product 301 does not exist in establishment 1"),
        (
            lambda c: c["items"][0]["modifieritems"][0].update(modifier=204),
            "Modifier 204 is not available for product 101",
        ),
        (
            lambda c: c["items"][1].update(modifieritems=[{"modifier": 201, "qty": 1}]),
            "Modifier 201 is not available for product 103",
        ),
        (lambda c: c["items"][0].update(quantity=0), "Quantity of product 101 must be positive"),
        (lambda c: c["items"][0].update(quantity=-1), "Quantity of product 101 must be positive"),
        (lambda c: c["items"][0].pop("quantity"), "Quantity of product 101 must be positive"),
        (
            lambda c: c["items"][0]["modifieritems"][0].update(qty=0),
            "Quantity of modifier 201 must be positive",
        ),
        (lambda c: c.update(items=[]), "Cart has no items"),
        (lambda c: c["items"][0].update(product="101"), "Item product must be a product id, got '101'"),
    ],
)
async def test_invalid_carts_get_revel_error_bodies(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, mutate: Any, message: str
) -> None:
    cart = make_cart()
    mutate(cart)
    response = await admin.submit(encode(cart))
    assert (response.status_code, response.json()) == (200, revel_error(message))
    assert (await client.get("/__admin/revel/orders")).json() == []


async def test_combo_with_unknown_set_product_is_rejected(admin: Any, make_cart: Any, encode: Any) -> None:
    combo = json.loads(encode(COMBO_ITEM))
    combo["products_sets"][1]["products"][0]["product"] = 777
    response = await admin.submit(encode(make_cart(items=[combo])))
    assert response.json() == revel_error("Product 777 does not exist in establishment 1")


@pytest.mark.parametrize("body", [b"not json", b"", b'{"a": NaN}', b"\xff\xfe", b"[1, 2]"])
async def test_non_json_or_non_object_body_is_an_error(admin: Any, body: bytes) -> None:
    response = await admin.submit(body)
    assert response.status_code == 200
    assert response.json()["status"] == "ERROR"


async def test_other_paths_get_an_html_404_page(client: httpx.AsyncClient, admin: Any) -> None:
    for path in ("/revel", "/revel/resources/Order/", "/revel/specialresources/cart/validate/"):
        response = await client.post(path, content=b"{}", headers=admin.revel_headers)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
    wrong_method = await client.get(admin.submit_path, headers=admin.revel_headers)
    assert wrong_method.status_code == 405
    assert len(await admin.journal("revel")) == 4
    beside = await client.post(
        "/revelx/specialresources/cart/submit", content=b"{}", headers=admin.revel_headers
    )
    assert beside.status_code == 404
    assert len(await admin.journal()) == 4  # not mock Revel's path, not journaled


CUSTOM_CONFIG = {
    "apiKey": "k2",
    "apiSecret": "s2",
    "establishments": [{"id": 7, "products": [{"id": 1, "name": "Soup", "price": 4.25, "modifiers": []}]}],
    "strictContentType": False,
    "webhookUrl": "http://127.0.0.1:9/hook",
}


async def test_configured_catalogue_and_credentials_replace_the_default(
    client: httpx.AsyncClient, admin: Any, encode: Any
) -> None:
    assert (await client.put("/__admin/revel", json=CUSTOM_CONFIG)).status_code == 200
    shown = (await client.get("/__admin/revel")).json()
    assert shown["establishments"][0]["products"][0]["price"] == "4.25"
    assert shown["strictContentType"] is False
    cart = {"establishmentId": 7, "items": [{"product": 1, "quantity": 1, "price": Decimal("4.25")}]}
    old_credentials = await admin.submit(encode(cart))
    assert old_credentials.status_code == 403
    new = await client.post(
        admin.submit_path,
        content=encode(cart),
        headers={"API-AUTHENTICATION": "k2:s2", "Content-Type": "application/json"},  # not strict now
    )
    assert new.json() == {"status": "OK", "data": {"orderId": 10001}}


async def test_reset_restores_the_default_catalogue_and_forgets_orders(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any
) -> None:
    await admin.submit(encode(make_cart()))
    await client.put("/__admin/revel", json=CUSTOM_CONFIG)
    assert (await client.post("/__admin/reset")).json() == {"status": "ok"}
    assert (await client.get("/__admin/revel")).json()["apiKey"] == "sandbox-key"
    assert (await client.get("/__admin/revel/orders")).json() == []
    assert (await admin.submit(encode(make_cart()))).json()["status"] == "OK"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"apiKey": 1}, "apiKey"),
        (
            {"establishments": [{"id": 1, "products": [{"id": 1, "name": "x", "price": "abc"}]}]},
            "establishments[0].products[0].price",
        ),
        (
            {
                "establishments": [
                    {"id": 1, "products": [{"id": 1, "name": "x", "price": 1, "modifiers": [2]}]}
                ]
            },
            "establishments[0].products[0].modifiers",
        ),
        ({"establishments": [{"id": 1, "products": []}, {"id": 1, "products": []}]}, "establishments[1].id"),
        ({"strict": True}, "strict"),
    ],
)
async def test_bad_revel_config_is_400_naming_the_field(
    client: httpx.AsyncClient, change: dict[str, Any], field: str
) -> None:
    response = await client.put("/__admin/revel", json={**CUSTOM_CONFIG, **change})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert (await client.get("/__admin/revel")).json()["apiKey"] == "sandbox-key"


async def test_finalize_posts_an_order_finalized_webhook(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, recorder: Any
) -> None:
    url, target = recorder
    target.status, target.body = 202, b'{"ok":true}'
    await admin.submit(encode(make_cart()))
    response = await client.post(
        "/__admin/revel/finalize",
        json={"orderId": 10001, "url": f"{url}/revel-hook", "headers": {"X-Api-Key": "partner-key"}},
    )
    assert response.json() == {"status": 202, "body": '{"ok":true}'}
    [hook] = target.requests
    assert (hook["method"], hook["path"], hook["headers"]["x-api-key"]) == (
        "POST",
        "/revel-hook",
        "partner-key",
    )
    assert hook["headers"]["content-type"] == "application/json"
    event = json.loads(hook["body"], parse_float=Decimal)
    assert event["event"] == "order.finalized"
    info = event["orderInfo"]
    assert (info["id"], info["closed"], info["dining_option"], info["establishment"]) == (10001, True, 2, 1)
    assert info["created_date"].endswith("Z")
    assert info["updated_date"].endswith("Z")
    assert b'"price":12.50' in hook["body"]  # decimals travel as exact JSON numbers
    assert [item["product"] for item in event["items"]] == [101, 103]


async def test_finalize_overrides_and_configured_webhook_url(
    client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any, recorder: Any
) -> None:
    url, target = recorder
    await client.put("/__admin/revel", json={**CUSTOM_CONFIG, "webhookUrl": f"{url}/configured"})
    cart = {"establishmentId": 7, "items": [{"product": 1, "quantity": 1}], "orderInfo": {"dining_option": 1}}
    await client.post(admin.submit_path, content=encode(cart), headers={"API-AUTHENTICATION": "k2:s2"})
    response = await client.post(
        "/__admin/revel/finalize", json={"orderId": 10001, "closed": False, "diningOption": 3}
    )
    assert response.json()["status"] == 200
    [hook] = target.requests
    assert hook["path"] == "/configured"
    info = json.loads(hook["body"])["orderInfo"]
    assert (info["closed"], info["dining_option"], info["establishment"]) == (False, 3, 7)


async def test_finalize_errors(client: httpx.AsyncClient, admin: Any, make_cart: Any, encode: Any) -> None:
    unknown = await client.post("/__admin/revel/finalize", json={"orderId": 1, "url": "http://127.0.0.1:9/x"})
    assert (unknown.status_code, unknown.json()["field"]) == (404, "orderId")
    await admin.submit(encode(make_cart()))
    no_url = await client.post("/__admin/revel/finalize", json={"orderId": 10001})
    assert (no_url.status_code, no_url.json()["field"]) == (400, "url")
    unreachable = await client.post(
        "/__admin/revel/finalize", json={"orderId": 10001, "url": "http://127.0.0.1:9/x"}
    )
    assert unreachable.status_code == 502
    assert unreachable.json()["error"] == "could not connect to http://127.0.0.1:9/x"
