"""Hostile input to mock Lightspeed and mock Atlas: always a 4xx naming the field, never a crash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


def _nest(levels: int, key: str, leaf: dict[str, Any]) -> dict[str, Any]:
    node = dict(leaf)
    for _ in range(levels):
        node = {**leaf, key: [node]}
    return node


@pytest.mark.parametrize("levels", [11, 400])
async def test_lightspeed_refuses_sub_items_nested_too_deep(lightspeed: Any, levels: int) -> None:
    order = lightspeed.order(items=[_nest(levels, "subItems", {"sku": "FRIES-01", "quantity": 1})])
    response = await lightspeed.place(order)
    assert response.status_code == 400
    [error] = [e for e in response.json()["errors"] if e["code"] == "Size"]
    assert error["field"] == "items[0]" + ".subItems[0]" * 11
    assert error["defaultMessage"] == "subItems may be nested at most 10 deep"


@pytest.mark.parametrize("body", [b"[" * 100000, b"[]", b'"order"', b"null", b'{"a": NaN}'])
async def test_lightspeed_body_that_is_no_order_is_a_spring_400(lightspeed: Any, body: bytes) -> None:
    response = await lightspeed.place(body)
    assert response.status_code == 400
    assert response.json()["message"] == "JSON parse error: the request body is not valid JSON"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"customItemPrice": Decimal("1E+999999999")}, "items[0].customItemPrice", "typeMismatch"),
        ({"customItemPrice": "NaN"}, "items[0].customItemPrice", "typeMismatch"),
        ({"customItemPrice": Decimal("1E-999999")}, "items[0].customItemPrice", "typeMismatch"),
        ({"quantity": 2**40}, "items[0].quantity", "Max"),
        ({"quantity": "many"}, "items[0].quantity", "Min"),
        ({"modifiers": "cheese"}, "items[0].modifiers", "typeMismatch"),
        ({"subItems": {"sku": "x"}}, "items[0].subItems", "typeMismatch"),
        ({"sku": 12}, "items[0].sku", "Size"),
    ],
)
async def test_lightspeed_hostile_item_fields(
    lightspeed: Any, change: dict[str, Any], field: str, code: str
) -> None:
    order = lightspeed.order(items=[{"sku": "FRIES-01", "quantity": 1, **change}])
    response = await lightspeed.place(order)
    assert response.status_code == 400, response.text
    assert (field, code) in [(e["field"], e["code"]) for e in response.json()["errors"]]


async def test_lightspeed_hostile_top_level_types(lightspeed: Any) -> None:
    order = lightspeed.order(customerInfo={"firstName": 5}, items="all of them", payment=[1])
    response = await lightspeed.place(order)
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("customerInfo.firstName", "Size"),
        ("items", "NotEmpty"),
        ("payment", "typeMismatch"),
    ]


async def test_lightspeed_huge_tip_is_refused(lightspeed: Any) -> None:
    order = lightspeed.order(payment={"paymentAmount": Decimal("1E+400"), "tipAmount": Decimal("9E+399")})
    response = await lightspeed.place(order)
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["payment.tipAmount", "payment.paymentAmount"]


@pytest.mark.parametrize("levels", [11, 400])
async def test_atlas_refuses_sub_items_nested_too_deep(atlas: Any, levels: int) -> None:
    leaf = {"item_id": 380, "quantity": 1, "price_cents": 400}
    response = await atlas.create(atlas.order(order_items=[_nest(levels, "sub_items", leaf)]))
    assert response.status_code == 422
    assert {
        "field": "order_items[0]" + ".sub_items[0]" * 11,
        "message": "sub_items may be nested at most 10 deep",
    } in (response.json()["details"])


@pytest.mark.parametrize("body", [b"[" * 100000, b"[]", b"null", b'{"a": Infinity}', b"\xff\xfe"])
async def test_atlas_body_that_is_no_order_is_a_422(atlas: Any, body: bytes) -> None:
    response = await atlas.create(body)
    assert (response.status_code, response.json()["details"]) == (
        422,
        [{"field": "body", "message": "must be a JSON object"}],
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 2**40}, "order_items[0].quantity"),
        ({"quantity": True}, "order_items[0].quantity"),
        ({"price_cents": True}, "order_items[0].price_cents"),
        ({"item_id": "380"}, "order_items[0].item_id"),
        ({"notes": ["a"]}, "order_items[0].notes"),
        ({"sub_items": "none"}, "order_items[0].sub_items"),
    ],
)
async def test_atlas_hostile_item_fields(atlas: Any, change: dict[str, Any], field: str) -> None:
    order = atlas.order(order_items=[{"item_id": 380, "quantity": 1, "price_cents": 400, **change}])
    response = await atlas.create(order)
    assert response.status_code == 422, response.text
    assert field in [detail["field"] for detail in response.json()["details"]]


DEEP = b"[" * 200000 + b"]" * 200000


@pytest.mark.parametrize(
    "path", ["/webhooks/deep-receiver", "/revel/specialresources/cart/submit", "/revel/webhooks/finalize"]
)
async def test_json_nested_past_the_recursion_limit_never_crashes_a_receiver_or_mock_revel(
    client: Any, path: str
) -> None:
    """Nesting deeper than Python's recursion limit is "not JSON" to every mock, never a 500."""
    response = await client.post(path, content=DEEP, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, (response.status_code, response.text[:200])
    journal = (await client.get("/__admin/journal")).json()
    assert [entry["path"] for entry in journal] == [path], "the request is still journaled"
