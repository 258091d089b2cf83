"""The Revel transformer, now the shipped script adapters/revel/order_dispatch.js: unit tests of the cart it
builds and how it reads Revel's answers (run in the script runtime), then Path 2 end to end against mock
Revel over loopback (on SQLite and PostgreSQL). Where these once held the Python class's exact decimal
text (5.50), they hold the script's JS numbers (5.5): the same values, the shortest text."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.store import Store
from cata_sandbox.store.db import create_engine
from cata_sandbox.transformers import UnmappableOrder
from tests.support import API_KEY, MockPos, Sandbox, connect_receiver, envelope, start_sandbox, stop_sandbox
from tests.support.revel import (
    DINING,
    REVEL_KEY,
    REVEL_SECRET,
    body_of,
    configure_mock_revel,
    headers_of,
    map_outlet,
    order_json,
    revel_dispatch,
    revel_settings,
)
from tests.support.revel_orders import (
    FULL_ORDER,
    INTERPRETED,
    REVEL,
    SMALL_ORDER,
    UNMAPPABLE,
    item_st,
    order,
    prices,
    settings,
)

RESET_REASON = "http request failed: connection reset by peer (<mock>)"


def cart_of(body: bytes) -> Any:
    return json.loads(body, parse_float=Decimal)


# --- build_request ---------------------------------------------------------------------------------


# As the script writes it (JSON.stringify of JS numbers): 5.50 is 5.5, 13.50 is 13.5, 0.75 stays.
SMALL_ORDER_CART = (
    b'{"skin":"weborder","establishmentId":456,"customMenuInfo":{"mode":0,"name":""},'
    b'"items":[{"product":501,"quantity":2,"price":5.5,"special_request":"no onion",'
    b'"product_name_override":"","product_sub_id":"","has_upsell":false,'
    b'"modifieritems":[{"modifier":3001,"product_id":501,"modifier_price":0.75,"qty":1,"qty_type":0,"mod_type":0},'
    b'{"modifier":3005,"product_id":501,"modifier_price":1.5,"qty":1,"qty_type":0,"mod_type":0}],'
    b'"products_sets":null}],'
    b'"orderInfo":{"dining_option":11,"asap":true,"created_date":"2026-11-27T10:00:00","notes":"",'
    b'"call_name":"CATA-7"},'
    b'"paymentInfo":{"type":7,"amount":13.5,"tip":0,"transaction_id":"CATA-7"}}'
)


def test_golden_cart_for_a_small_order() -> None:
    request = REVEL.build_request(order(SMALL_ORDER), settings(), "order.paid")

    assert request.method == "POST"
    assert request.url == "https://acme.revelup.com/specialresources/cart/submit"
    assert request.headers == {
        "API-AUTHENTICATION": "unit-key-1:unit-secret-1",
        "Accept": "application/json",
        "Content-Type": "text/plain",
    }
    assert request.secret_headers == frozenset({"API-AUTHENTICATION"})
    assert request.body == SMALL_ORDER_CART


@pytest.mark.parametrize(
    "base_url",
    ["https://acme.revelup.com/", "http://127.0.0.1:9000/revel", "http://127.0.0.1:9000/revel/"],
)
def test_url_is_base_url_plus_submit_path_with_one_slash(base_url: str) -> None:
    request = REVEL.build_request(order(SMALL_ORDER), settings(baseUrl=base_url), "order.paid")
    assert request.url == base_url.rstrip("/") + "/specialresources/cart/submit"


# (the order's price text, what the script sends): the double JSON.parse makes of the text, written
# as JS writes it (the shortest text that reads back the same). The Python class sent the order's own
# text; a JS transformer cannot, which is what the precision findings report when a value changes.
JS_PRICES = [
    ("1.005", "1.005"),
    ("0.1", "0.1"),
    ("0.2", "0.2"),
    ("0.30000000000000004", "0.30000000000000004"),
    ("27.00", "27"),
    ("0", "0"),
    ("0.0", "0"),
    ("1E+1", "10"),
    ("123456789012345678.000000000001", "123456789012345680"),
]


@pytest.mark.parametrize(("text", "sent"), JS_PRICES)
def test_prices_are_the_orders_double_as_javascript_writes_it(text: str, sent: str) -> None:
    raw = (
        '{"orderRefNo":"D","deliveryMethod":"PICKUP","createdAt":"2026-11-27T10:00:00Z","currency":"SGD",'
        f'"items":[{{"plu":"1","name":"A","quantity":1,"unitPrice":{text},'
        f'"modifiers":[{{"plu":"2","name":"B","unitPrice":{text}}}],'
        f'"comboItems":[{{"plu":"3","name":"C","quantity":1,"unitPrice":{text}}}]}}],'
        f'"totalPay":{text},"tip":{text}}}'
    )
    body = REVEL.build_request(order(raw), settings(), "order.paid").body

    for key in ("price", "modifier_price", "amount", "tip"):
        assert f'"{key}":{sent},'.encode() in body or f'"{key}":{sent}}}'.encode() in body, key
    cart = cart_of(body)
    item = cart["items"][0]
    expected = Decimal(sent)
    assert float(expected) == float(text)  # the same double
    assert item["price"] == expected
    assert item["modifieritems"][0]["modifier_price"] == expected
    assert item["products_sets"][0]["products"][0]["price"] == expected
    assert cart["paymentInfo"]["amount"] == expected
    assert cart["paymentInfo"]["tip"] == expected


def test_combo_is_one_products_set_of_its_combo_items_with_their_modifiers() -> None:
    raw = order_json(
        items=[
            {
                "plu": "COMBO-L",
                "name": "Lunch Combo",
                "quantity": 2,
                "unitPrice": Decimal("15.00"),
                "notes": "combo note",
                "comboItems": [
                    {"plu": "103", "name": "Iced Tea", "quantity": 1, "unitPrice": Decimal("0")},
                    {
                        "plu": "FW",
                        "name": "Flat White",
                        "quantity": 1,
                        "unitPrice": Decimal("0.60"),
                        "notes": "extra hot",
                        "modifiers": [{"plu": "205", "name": "Oat Milk", "unitPrice": Decimal("0.60")}],
                    },
                ],
            }
        ]
    )
    body = REVEL.build_request(
        order(raw), settings(productIdByPlu={"COMBO-L": 104, "FW": 106}), "order.paid"
    ).body

    [combo] = cart_of(body)["items"]
    assert combo == {
        "product": 104,
        "quantity": 2,
        "price": Decimal("15.00"),
        "is_combo": True,
        "special_request": "combo note",
        "product_name_override": "",
        "product_sub_id": "",
        "has_upsell": False,
        "modifieritems": [],
        "products_sets": [
            {
                "id": 104,
                "name": "Lunch Combo",
                "products": [
                    {
                        "product": 103,
                        "quantity": 1,
                        "price": Decimal("0"),
                        "special_request": "",
                        "product_name_override": "",
                        "product_sub_id": "",
                        "has_upsell": False,
                        "modifieritems": [],
                        "products_sets": None,
                    },
                    {
                        "product": 106,
                        "quantity": 1,
                        "price": Decimal("0.60"),
                        "special_request": "extra hot",
                        "product_name_override": "",
                        "product_sub_id": "",
                        "has_upsell": False,
                        "modifieritems": [
                            {
                                "modifier": 205,
                                "product_id": 106,
                                "modifier_price": Decimal("0.60"),
                                "qty": 1,
                                "qty_type": 0,
                                "mod_type": 0,
                            }
                        ],
                        "products_sets": None,
                    },
                ],
            }
        ],
    }
    assert b'"is_combo"' not in body.split(b'"products_sets":[')[1]


def test_product_id_map_wins_over_a_numeric_plu_and_numeric_plus_fall_back() -> None:
    raw = order_json(
        items=[
            {"plu": "101", "name": "A", "quantity": 1, "unitPrice": 1},
            {"plu": "0042", "name": "B", "quantity": 1, "unitPrice": 1},
        ]
    )
    body = REVEL.build_request(order(raw), settings(productIdByPlu={"101": 9001}), "order.paid").body
    assert [item["product"] for item in cart_of(body)["items"]] == [9001, 42]


@pytest.mark.parametrize(("method", "dining_option"), [("PICKUP", 11), ("DELIVERY", 12), ("DINE_IN", 13)])
def test_dining_option_comes_from_the_outlets_setting_for_the_delivery_method(
    method: str, dining_option: int
) -> None:
    body = REVEL.build_request(order(order_json(deliveryMethod=method)), settings(), "order.paid").body
    assert cart_of(body)["orderInfo"]["dining_option"] == dining_option


def test_order_info_carries_pickup_time_in_the_orders_own_offset_customer_and_notes() -> None:
    raw = order_json(
        orderRefNo="CATA-99",
        createdAt="2026-11-27T09:59:30.250+05:30",
        expectedPickupAt="2026-11-27T10:45:00+05:30",
        notes="mock-free note",
        customer={"firstName": "Mei", "lastName": "Tan", "phone": "+6591234567"},
        tip=Decimal("2.00"),
        payment={"method": "card", "transactionId": "txn-1"},
    )
    cart = cart_of(REVEL.build_request(order(raw), settings(paymentType=205), "order.paid").body)

    assert cart["orderInfo"] == {
        "dining_option": 11,
        "asap": False,
        "pickup_time": "2026-11-27T10:45:00",
        "created_date": "2026-11-27T09:59:30",
        "notes": "mock-free note",
        "call_name": "CATA-99",
        "customer": {"first_name": "Mei", "last_name": "Tan", "email": "", "phone": "+6591234567"},
    }
    assert cart["paymentInfo"] == {
        "type": 205,
        "amount": Decimal("12.50"),
        "tip": Decimal("2.00"),
        "transaction_id": "txn-1",
    }


def test_asap_order_has_no_pickup_time_and_no_customer_when_none_is_given() -> None:
    cart = cart_of(REVEL.build_request(order(order_json()), settings(), "order.paid").body)
    assert cart["orderInfo"]["asap"] is True
    assert "pickup_time" not in cart["orderInfo"]
    assert "customer" not in cart["orderInfo"]
    assert cart["paymentInfo"]["transaction_id"] == "CATA-1"


@pytest.mark.parametrize(("item", "message"), UNMAPPABLE, ids=["item", "modifier", "combo-modifier", "zero"])
def test_a_plu_without_a_product_id_is_unmappable_naming_the_item(item: dict[str, Any], message: str) -> None:
    raw = order_json(items=[{"plu": "101", "name": "A", "quantity": 1, "unitPrice": 1}, item])
    with pytest.raises(UnmappableOrder) as caught:
        REVEL.build_request(order(raw), settings(productIdByPlu={"OTHER": 1}), "order.paid")
    assert str(caught.value) == message


def test_without_a_product_map_the_message_says_the_plu_is_not_numeric() -> None:
    raw = order_json(items=[{"plu": "١٢", "name": "Arabic digits", "quantity": 1, "unitPrice": 1}])
    with pytest.raises(UnmappableOrder) as caught:
        REVEL.build_request(order(raw), settings(), "order.paid")
    assert str(caught.value) == (
        'item 1 (plu "١٢", "Arabic digits"): no Revel product id: the plu is not numeric and the outlet'
        " has no productIdByPlu - at `$.order.items[0].plu`"
    )


@given(
    items=st.lists(
        st.one_of(
            item_st,
            item_st.flatmap(
                lambda base: st.lists(item_st, min_size=1, max_size=3).map(
                    lambda combo: {**base, "comboItems": combo}
                )
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    total=prices,
)
def test_every_item_modifier_combo_quantity_and_price_survives(
    items: list[dict[str, Any]], total: Decimal
) -> None:
    raw = order_json(items=items, totalPay=total)
    cart = cart_of(REVEL.build_request(order(raw), settings(), "order.paid").body)

    def check(entry: dict[str, Any], item: dict[str, Any]) -> None:
        assert entry["product"] == int(item["plu"])
        assert entry["quantity"] == item["quantity"]
        assert entry["price"] == item["unitPrice"]
        assert entry["special_request"] == item.get("notes", "")
        assert [
            (m["modifier"], m["product_id"], m["qty"], m["modifier_price"]) for m in entry["modifieritems"]
        ] == [(int(m["plu"]), int(item["plu"]), m["quantity"], m["unitPrice"]) for m in item["modifiers"]]
        combo = item.get("comboItems", [])
        assert entry.get("is_combo", False) is bool(combo)
        if combo:
            [products_set] = entry["products_sets"]
            assert (products_set["id"], products_set["name"]) == (int(item["plu"]), item["name"])
            assert len(products_set["products"]) == len(combo)
            for sub_entry, sub_item in zip(products_set["products"], combo, strict=True):
                check(sub_entry, sub_item)
        else:
            assert entry["products_sets"] is None

    assert len(cart["items"]) == len(items)
    for entry, item in zip(cart["items"], items, strict=True):
        check(entry, item)
    assert cart["paymentInfo"]["amount"] == total


# --- interpret_response ------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "dispatched", "message", "external_id"), INTERPRETED)
def test_interpret_response(body: bytes, dispatched: bool, message: str, external_id: str) -> None:
    outcome = REVEL.interpret_response(200, {"content-type": "application/json"}, body)
    assert (outcome.dispatched, outcome.message, outcome.external_order_id) == (
        dispatched,
        message,
        external_id,
    )


# --- over loopback against mock Revel -----------------------------------------------------------------


def _plain(product: int, quantity: int, price: str, request: str = "", mods: Any = ()) -> dict[str, Any]:
    return {
        "product": product,
        "quantity": quantity,
        "price": Decimal(price),
        "special_request": request,
        "product_name_override": "",
        "product_sub_id": "",
        "has_upsell": False,
        "modifieritems": list(mods),
        "products_sets": None,
    }


def _mod(modifier: int, parent: int, price: str, qty: int) -> dict[str, Any]:
    return {
        "modifier": modifier,
        "product_id": parent,
        "modifier_price": Decimal(price),
        "qty": qty,
        "qty_type": 0,
        "mod_type": 0,
    }


# FULL_ORDER as Revel must receive it, written out by hand from the order above.
FULL_ORDER_ITEMS = [
    _plain(101, 2, "12.50", "well done", [_mod(201, 101, "1.50", 2), _mod(202, 101, "1.25", 1)]),
    {
        "product": 104,
        "quantity": 1,
        "price": Decimal("15.00"),
        "is_combo": True,
        "special_request": "",
        "product_name_override": "",
        "product_sub_id": "",
        "has_upsell": False,
        "modifieritems": [],
        "products_sets": [
            {
                "id": 104,
                "name": "Lunch Combo",
                "products": [
                    _plain(103, 1, "0"),
                    _plain(106, 1, "0.60", "extra hot", [_mod(205, 106, "0.60", 1)]),
                ],
            }
        ],
    },
    _plain(105, 3, "1.005"),
]


def test_revel_dispatch_arrives_exactly_and_answers_mock_revels_order_id(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    configure_mock_revel(mock_pos)
    map_outlet(sandbox, "outlet-r", revel_settings(mock_pos, productIdByPlu={"MUSH": 202, "COMBO-L": 104}))

    body = revel_dispatch(sandbox, "outlet-r", FULL_ORDER)

    assert body["dispatched"] is True, body
    assert body["reason"] == ""
    [accepted] = mock_pos.client.get("/__admin/revel/orders").json()
    assert body["externalOrderId"] == str(accepted["orderId"])
    [entry] = mock_pos.journal("revel")
    assert (entry["method"], entry["path"]) == ("POST", "/revel/specialresources/cart/submit")
    headers = headers_of(entry)
    assert headers["api-authentication"] == f"{REVEL_KEY}:{REVEL_SECRET}"
    assert headers["accept"] == "application/json"
    assert headers["content-type"] == "text/plain"
    assert not any(name.startswith("x-cata-") for name in headers)
    cart = body_of(entry)
    assert set(cart) == {"skin", "establishmentId", "customMenuInfo", "items", "orderInfo", "paymentInfo"}
    assert (cart["skin"], cart["establishmentId"], cart["customMenuInfo"]) == (
        "weborder",
        1,
        {"mode": 0, "name": ""},
    )
    assert len(cart["items"]) == len(FULL_ORDER_ITEMS)
    for index, (got, want) in enumerate(zip(cart["items"], FULL_ORDER_ITEMS, strict=True)):
        assert got == want, f"items[{index}]"
    assert cart["orderInfo"] == {
        "dining_option": DINING["DELIVERY"],
        "asap": False,
        "pickup_time": "2026-11-27T10:45:00",
        "created_date": "2026-11-27T10:00:00",
        "notes": "ring the bell",
        "call_name": "REVEL-1001",
        "customer": {
            "first_name": "Mei",
            "last_name": "Tan",
            "email": "mei@example.com",
            "phone": "+6591234567",
        },
    }
    assert cart["paymentInfo"] == {
        "type": 7,
        "amount": Decimal("56.615"),
        "tip": Decimal("2.00"),
        "transaction_id": "txn-9f8e7d",
    }
    # The script sees prices as JS numbers (the engine's JSON.parse, as in production): 1.005 keeps its
    # value, 12.50 reaches Revel as 12.5 (the Python class sent the text "12.50"; the value is the same).
    assert accepted["body"]["items"][2]["price"] == "1.005"
    assert accepted["body"]["items"][0]["price"] == "12.5"
    stored = sandbox.order(body["orderId"])
    assert (stored["status"], stored["route"], stored["builtInTransformer"]) == (
        "dispatched",
        "revel",
        "revel",
    )
    assert stored["externalOrderId"] == body["externalOrderId"]
    [attempt] = stored["attempts"]
    assert attempt["requestUrl"] == f"{mock_pos.url}/revel/specialresources/cart/submit"
    assert attempt["requestHeaders"]["API-AUTHENTICATION"] == "[redacted]"
    assert attempt["responseStatus"] == 200


def _forbidden_page(mock_pos: MockPos) -> str:
    """What mock Revel answers to bad credentials, fetched directly (journaled under ``revel``)."""
    response = httpx.post(
        f"{mock_pos.url}/revel/specialresources/cart/submit",
        headers={"API-AUTHENTICATION": "nobody:nothing", "Content-Type": "text/plain"},
        content=b"{}",
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    return _truncated(response.text)


ERROR_MESSAGE = "Product 999 is not available"
HTML_PAGE = "<the HTML page, truncated>"
# (case, fault set on mock Revel for this order's call_name only, exact reason)
REVEL_FAILURES: list[tuple[str, dict[str, Any], str]] = [
    (
        "5xx",
        {"mode": "status", "code": 503, "body": "maintenance window", "contentType": "text/plain"},
        "POS returned HTTP 503: maintenance window",
    ),
    ("html-502", {"mode": "html", "code": 502}, f"POS returned HTTP 502: {HTML_PAGE}"),
    *[
        (
            f"error-body-{shape}",
            {"mode": "error_body", "shape": shape, "message": ERROR_MESSAGE},
            f"POS returned 2xx but body indicated error: {ERROR_MESSAGE}",
        )
        for shape in ("nested", "details", "errorMsg", "string")
    ],
    ("timeout", {"mode": "delay", "seconds": 2}, "http request failed: timeout after 1s"),
    ("reset", {"mode": "reset"}, RESET_REASON),
    ("redirect-not-followed", {"mode": "redirect", "code": 302}, "POS returned HTTP 302: "),
]


def _truncated(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


def test_each_revel_failure_gives_its_exact_reason_and_keeps_the_order(
    database_url: str, mock_pos: MockPos
) -> None:
    sandbox = start_sandbox(database_url, dispatch_timeout_s=1.0)
    try:
        configure_mock_revel(mock_pos)
        map_outlet(sandbox, "outlet-ok", revel_settings(mock_pos))
        map_outlet(sandbox, "outlet-bad-creds", revel_settings(mock_pos, apiSecret="rs_wrong_0000"))
        forbidden = _forbidden_page(mock_pos)
        cases: list[tuple[str, str, dict[str, Any] | None, str, str]] = [
            ("wrong-credentials", "outlet-bad-creds", None, f"POS returned HTTP 403: {forbidden}", "101"),
            # mock Revel's own business error: an unknown product, HTTP 200 with errorMsg
            (
                "unknown-product",
                "outlet-ok",
                None,
                "POS returned 2xx but body indicated error: Product 999 does not exist in establishment 1",
                "999",
            ),
        ]
        cases += [(name, "outlet-ok", fault, reason, "101") for name, fault, reason in REVEL_FAILURES]
        for index, (name, outlet, fault, reason, plu) in enumerate(cases):
            ref = f"FAIL-{index}-{name}"
            if fault is not None:
                mock_pos.fault("revel", **fault, times=1, match={"orderRefNo": ref})
            raw = order_json(orderRefNo=ref, items=[{"plu": plu, "name": "X", "quantity": 1, "unitPrice": 1}])

            body = revel_dispatch(sandbox, outlet, raw)

            stored = sandbox.order(body["orderId"])
            [attempt] = stored["attempts"]
            if HTML_PAGE in reason:
                page = attempt["responseBody"]
                assert page.lstrip().lower().startswith(("<!doctype html", "<html")), page
                reason = reason.replace(HTML_PAGE, _truncated(page))
            reason = reason.replace("<mock>", mock_pos.url.removeprefix("http://"))
            assert (body["dispatched"], body["reason"], body["externalOrderId"]) == (False, reason, ""), name
            assert (stored["status"], stored["reason"], stored["route"]) == ("failed", reason, "revel"), name
            assert (attempt["dispatched"], attempt["reason"]) == (False, reason), name
            assert attempt["requestHeaders"]["API-AUTHENTICATION"] == "[redacted]", name
            assert REVEL_SECRET not in json.dumps(stored), name
            assert "rs_wrong_0000" not in json.dumps(stored), name
            journaled = [
                e
                for e in mock_pos.journal("revel")
                if body_of(e).get("orderInfo", {}).get("call_name") == ref
            ]
            assert len(journaled) == 1, name
    finally:
        stop_sandbox(sandbox)


def test_unmappable_order_is_kept_failed_and_revel_is_never_called(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    configure_mock_revel(mock_pos)
    map_outlet(sandbox, "outlet-r", revel_settings(mock_pos, productIdByPlu={"FW": 106}))
    raw = order_json(
        items=[
            {"plu": "FW", "name": "Flat White", "quantity": 1, "unitPrice": 4},
            {"plu": "LATTE-L", "name": "Latte Large", "quantity": 1, "unitPrice": 5},
        ]
    )

    body = revel_dispatch(sandbox, "outlet-r", raw)

    expected = (
        'transformer failed: Error: item 2 (plu "LATTE-L", "Latte Large"): no Revel product id in'
        " productIdByPlu - at `$.order.items[1].plu` (at revel/order_dispatch.js:"
    )
    assert (body["dispatched"], body["reason"][: len(expected)], body["externalOrderId"]) == (
        False,
        expected,
        "",
    )
    stored = sandbox.order(body["orderId"])
    assert (stored["status"], stored["reason"]) == ("failed", body["reason"])
    # The script failed after the order was committed: one attempt records it, nothing was sent.
    [attempt] = stored["attempts"]
    assert (attempt["responseStatus"], attempt["requestUrl"], attempt["reason"]) == (None, "", body["reason"])
    assert attempt["scriptError"] == body["reason"].removeprefix("transformer failed: ")
    assert msgspec.json.decode(msgspec.json.encode(stored["order"])) == msgspec.json.decode(raw)
    assert mock_pos.journal("revel") == []


def test_builtin_transformer_on_the_request_picks_the_path(sandbox: Sandbox, mock_pos: MockPos) -> None:
    configure_mock_revel(mock_pos)
    connect_receiver(sandbox, mock_pos, "outlet-both", "r1")
    map_outlet(sandbox, "outlet-both", revel_settings(mock_pos))
    raw = order_json(orderRefNo="BOTH-1")

    webhook = sandbox.dispatch(envelope("outlet-both", raw)).json()
    revel = revel_dispatch(sandbox, "outlet-both", raw)

    assert (webhook["dispatched"], revel["dispatched"]) == (True, True)
    [delivered] = mock_pos.journal("r1")
    [submitted] = mock_pos.journal("revel")
    assert headers_of(delivered)["x-cata-signature"].startswith("sha256=")
    assert body_of(submitted)["orderInfo"]["call_name"] == "BOTH-1"
    assert sandbox.order(webhook["orderId"])["route"] == "webhook"
    assert sandbox.order(revel["orderId"])["route"] == "revel"
    [accepted] = mock_pos.client.get("/__admin/revel/orders").json()
    assert revel["externalOrderId"] == str(accepted["orderId"])
    assert webhook["externalOrderId"] != revel["externalOrderId"]


def test_transformer_without_a_mapping_for_it_has_no_route(sandbox: Sandbox, mock_pos: MockPos) -> None:
    connect_receiver(sandbox, mock_pos, "outlet-hook-only", "r1")

    body = revel_dispatch(sandbox, "outlet-hook-only", order_json())

    assert body["reason"] == "no dispatch route configured for this outlet/provider"
    assert mock_pos.journal() == []


def test_unknown_builtin_transformer_is_400_before_anything_is_stored(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    configure_mock_revel(mock_pos)
    map_outlet(sandbox, "outlet-r", revel_settings(mock_pos))

    response = sandbox.dispatch(envelope("outlet-r", order_json(), builtInTransformer="toast"))

    assert response.status_code == 400
    message = response.json()["message"]
    assert "`$.builtInTransformer`" in message
    assert "'toast'" in message
    # the known providers: every dispatch script (revel, lightspeed, atlas) and the Python plugins
    assert all(name in message for name in ("atlas", "lightspeed", "revel"))
    assert sandbox.orders()["total"] == 0
    assert mock_pos.journal() == []


def test_stored_settings_that_no_longer_fit_fail_the_order_but_keep_it(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    """Settings are checked on PUT; ones stored before a transformer changed must not cost the order."""

    async def store_outdated_mapping() -> None:
        engine = create_engine(sandbox.database_url)
        try:
            store = Store(engine)
            key = await store.find_api_key(API_KEY)
            assert key is not None
            outdated = {k: v for k, v in revel_settings(mock_pos).items() if k != "diningOptionIds"}
            await store.put_outlet_provider(
                key.tenant_id,
                "outlet-old",
                provider_slug="revel",
                external_id="",
                settings=outdated,
                now=SYSTEM_CLOCK.now(),
            )
        finally:
            await engine.dispose()

    asyncio.run(store_outdated_mapping())

    body = revel_dispatch(sandbox, "outlet-old", order_json())

    assert body["dispatched"] is False
    assert body["reason"].startswith(
        "transformer failed: Error: outlet settings: diningOptionIds.PICKUP is not set to a Revel dining option id"
    )
    stored = sandbox.order(body["orderId"])
    [attempt] = stored["attempts"]
    assert (stored["status"], attempt["responseStatus"]) == ("failed", None)
    assert mock_pos.journal("revel") == []
