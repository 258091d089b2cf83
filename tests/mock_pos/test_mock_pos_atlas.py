"""Mock Atlas Kitchen: create and read orders, menus, ApiError bodies (401/404/422), integer cents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest


async def test_created_order_is_the_full_order_object(atlas: Any) -> None:
    response = await atlas.create(atlas.order())
    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["id"], order["identifier"], order["outlet_id"], order["channel_id"]) == (
        85,
        "ATL-000085",
        3,
        1,
    )
    assert (order["state"], order["is_paid"], order["fulfilment_type"]) == ("unpaid", False, "delivery")
    assert (order["serving_date"], order["timeslot_start"], order["timeslot_end"]) == (
        "2025-04-03",
        54000,
        55800,
    )
    assert order["timeslot_range"] == "3:00PM\u20133:30PM"
    assert (order["external_order_id"], order["notes"]) == ("CATA8F2C91", "Leave at the door")
    first, second = order["order_items"]
    assert first == {
        "id": 214,
        "item_id": 381,
        "name": "Laksa",
        "quantity": 1,
        "currency": "SGD",
        "price_cents": 1500,
        "calculated_subtotal": 1500,
        "discount": 0,
        "notes": "less spicy",
        "sub_items": [
            {
                "id": 215,
                "item_id": 496,
                "name": "Iced",
                "quantity": 1,
                "currency": "SGD",
                "price_cents": 0,
                "calculated_subtotal": 0,
                "discount": 0,
                "notes": None,
                "sub_items": [],
            }
        ],
    }
    assert (second["calculated_subtotal"], order["subtotal"], order["total"]) == (1000, 2500, 2500)
    assert isinstance(order["created_at"], int)


async def test_order_is_readable_by_id_and_identifier(atlas: Any) -> None:
    created = (await atlas.create(atlas.order())).json()
    by_id = await atlas.get("/orders/85")
    by_identifier = await atlas.get("/orders/identifier/ATL-000085")
    assert by_id.json() == created
    assert by_identifier.json() == created
    missing = await atlas.get("/orders/999")
    assert (missing.status_code, missing.json()) == (
        404,
        {
            "type": "Not Found",
            "message": "The requested resource could not be found.",
            "details": [{"field": "id", "message": "Order 999 does not exist"}],
        },
    )
    assert (await atlas.get("/orders/identifier/NOPE")).json()["details"][0]["field"] == "identifier"


async def test_menus_list_the_configured_items(atlas: Any) -> None:
    [menu] = (await atlas.get("/menus")).json()
    assert (menu["id"], menu["outlet_ids"]) == (1, [3])
    assert menu["items"][0] == {"id": 380, "name": "Coffee", "price_cents": 400}


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"X-Api-Key": "wrong"}, "api_key"),
        ({"X-Api-Key": ""}, "api_key"),
        ({"X-Merchant-Id": "someone-else"}, "merchant_id"),
    ],
)
async def test_bad_credentials_are_the_documented_401(
    atlas: Any, headers: dict[str, str], field: str
) -> None:
    response = await atlas.create(atlas.order(), **{k.replace("-", "_"): v for k, v in headers.items()})
    assert response.status_code == 401
    body = response.json()
    assert (body["type"], body["details"][0]["field"]) == ("Unauthorized", field)
    assert body["message"] == (
        "You did not provide valid credentials for this request. Please check your request and try again."
    )
    if field == "api_key":
        assert (
            body["details"][0]["message"] == "Check if the API Key is set correctly in the X-Api-Key header."
        )


async def test_missing_credentials_on_a_read_are_401(client: httpx.AsyncClient, atlas: Any) -> None:
    response = await client.get("/atlas/admin/v1/menus")
    assert (response.status_code, response.json()["type"]) == (401, "Unauthorized")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/atlas/admin/v1/outlets/9/channels/1/orders", "outlet_id"),
        ("/atlas/admin/v1/outlets/3/channels/7/orders", "channel_id"),
        ("/atlas/admin/v1/outlets/x/channels/1/orders", "outlet_id"),
        ("/atlas/admin/v2/nothing", "path"),
    ],
)
async def test_unknown_outlet_channel_or_path_is_404(atlas: Any, path: str, field: str) -> None:
    response = await atlas.create(atlas.order(), path=path)
    assert response.status_code == 404
    assert (response.json()["type"], response.json()["details"][0]["field"]) == ("Not Found", field)


def _broken(order: dict[str, Any], change: str) -> dict[str, Any]:
    items = order["order_items"]
    changes: dict[str, Any] = {
        "no-fulfilment": lambda: order.pop("fulfilment_type"),
        "bad-fulfilment": lambda: order.update(fulfilment_type="takeaway"),
        "no-date": lambda: order.pop("serving_date"),
        "bad-date": lambda: order.update(serving_date="2025-02-30"),
        "no-start": lambda: order.pop("timeslot_start"),
        "start-not-seconds": lambda: order.update(timeslot_start="15:00"),
        "end-past-midnight": lambda: order.update(timeslot_end=90000),
        "end-before-start": lambda: order.update(timeslot_end=50000),
        "bad-timeslot-type": lambda: order.update(timeslot_type="later"),
        "no-address": lambda: order.pop("address_line1"),
        "no-items": lambda: order.update(order_items=[]),
        "unknown-item": lambda: items[1].update(item_id=999),
        "zero-quantity": lambda: items[1].update(quantity=0),
        "no-price": lambda: items[1].pop("price_cents"),
        "fractional-price": lambda: items[1].update(price_cents=Decimal("15.5")),
        "float-whole-price": lambda: items[1].update(price_cents=Decimal("500.0")),
        "string-price": lambda: items[1].update(price_cents="500"),
        "sub-item-unknown": lambda: items[0]["sub_items"][0].update(item_id=1),
        "sub-item-price": lambda: items[0]["sub_items"][0].update(price_cents=Decimal("0.5")),
        "bad-total": lambda: order.update(total=Decimal("25.00")),
        "bad-payment": lambda: order.update(order_payments=[{"amount": Decimal("25.0")}]),
    }
    changes[change]()
    return order


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("no-fulfilment", "fulfilment_type", "is required"),
        ("bad-fulfilment", "fulfilment_type", "must be one of dine_in, pickup, delivery"),
        ("no-date", "serving_date", "is required"),
        ("bad-date", "serving_date", "must be a date as YYYY-MM-DD"),
        ("no-start", "timeslot_start", "is required"),
        ("start-not-seconds", "timeslot_start", "must be whole seconds from midnight, 0 to 86400"),
        ("end-past-midnight", "timeslot_end", "must be whole seconds from midnight, 0 to 86400"),
        ("end-before-start", "timeslot_end", "must not be before timeslot_start"),
        ("bad-timeslot-type", "timeslot_type", "must be one of asap, available_timeslots"),
        ("no-address", "address_line1", "is required for delivery"),
        ("no-items", "order_items", "must contain at least one item"),
        ("unknown-item", "order_items[1].item_id", "item 999 is not on the menu"),
        ("zero-quantity", "order_items[1].quantity", "must be an integer from 1 to 2147483647"),
        ("no-price", "order_items[1].price_cents", "is required"),
        ("fractional-price", "order_items[1].price_cents", "must be an integer amount in cents"),
        ("float-whole-price", "order_items[1].price_cents", "must be an integer amount in cents"),
        ("string-price", "order_items[1].price_cents", "must be an integer amount in cents"),
        ("sub-item-unknown", "order_items[0].sub_items[0].item_id", "item 1 is not on the menu"),
        ("sub-item-price", "order_items[0].sub_items[0].price_cents", "must be an integer amount in cents"),
        ("bad-total", "total", "must be an integer amount in cents"),
        ("bad-payment", "order_payments[0].amount", "must be an integer amount in cents"),
    ],
)
async def test_each_invalid_parameter_is_a_422_with_details(
    client: httpx.AsyncClient, atlas: Any, change: str, field: str, message: str
) -> None:
    response = await atlas.create(_broken(atlas.order(), change))
    assert response.status_code == 422, response.text
    assert response.json() == {
        "type": "Invalid Parameter",
        "message": "The request contains invalid parameters.",
        "details": [{"field": field, "message": message}],
    }
    assert (await client.get("/__admin/atlas/orders")).json() == []


async def test_pickup_needs_no_address_and_all_problems_are_listed(atlas: Any) -> None:
    pickup = atlas.order(fulfilment_type="pickup")
    del pickup["address_line1"]
    assert (await atlas.create(pickup)).status_code == 200
    broken = atlas.order(serving_date="tomorrow", timeslot_start=-1)
    fields = [detail["field"] for detail in (await atlas.create(broken)).json()["details"]]
    assert fields == ["serving_date", "timeslot_start"]


async def test_body_that_is_not_json_is_a_422(atlas: Any) -> None:
    response = await atlas.create(b"<xml/>")
    assert (response.status_code, response.json()["details"]) == (
        422,
        [{"field": "body", "message": "must be a JSON object"}],
    )


async def test_orders_read_back_exactly(client: httpx.AsyncClient, atlas: Any) -> None:
    await atlas.create(atlas.order(address_latitude=Decimal("1.29510"), is_paid=True, total=2500))
    response = await client.get("/__admin/atlas/orders")
    [kept] = response.json()
    assert kept["body"]["order_items"][1] == {"item_id": 480, "quantity": 2, "price_cents": 500}
    assert kept["body"]["address_latitude"] == "1.29510"
    assert (kept["order"]["state"], kept["order"]["total"]) == ("paid", 2500)
    assert '"address_latitude":1.29510' in (await atlas.get("/orders/85")).text


async def test_admin_configuration_replaces_the_menu(client: httpx.AsyncClient, atlas: Any) -> None:
    config = (await client.get("/__admin/atlas")).json()
    config["items"].append({"id": 999, "name": "Satay", "price_cents": 120})
    assert (await client.put("/__admin/atlas", json=config)).status_code == 200
    order = atlas.order()
    order["order_items"][1]["item_id"] = 999
    assert (await atlas.create(order)).json()["order_items"][1]["name"] == "Satay"
    config["items"].append({"id": 999, "name": "Again", "price_cents": 1})
    duplicate = await client.put("/__admin/atlas", json=config)
    assert (duplicate.status_code, duplicate.json()["field"]) == (400, "items[6].id")
    wrong = await client.patch("/__admin/atlas", json={"retryDelaysSeconds": [-1]})
    assert (wrong.status_code, wrong.json()["field"]) == (400, "retryDelaysSeconds[0]")


async def test_reset_forgets_orders_and_configuration(client: httpx.AsyncClient, atlas: Any) -> None:
    await atlas.configure(webhookUrl="http://127.0.0.1:9/hook", eventSchedule=[])
    await atlas.create(atlas.order())
    assert (await client.post("/__admin/reset")).status_code == 200
    assert (await client.get("/__admin/atlas/orders")).json() == []
    assert (await client.get("/__admin/atlas")).json()["webhookUrl"] is None
    assert (await atlas.create(atlas.order())).json()["id"] == 86  # ids never repeat
