"""The Lightspeed dispatch script against mock Lightspeed over loopback: orders through ``_standard`` +
the script in worker processes, POSTed through a HostHttp, read back from the mock and compared field by
field with the Cata order (decimal major units, exactly); the mock's failures read by ``interpret``."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cata_sandbox.adapters import precision_findings
from contract_tests.strategies import Catalogue, OrderShape, Product, orders
from tests.support.lightspeed import (
    FULL_ORDER,
    dispatch,
    login,
    script_input,
    the_mock_holds_the_order,
)
from tests.support.scripts import PosBench

_EXACT = msgspec.json.Encoder(decimal_format="number")


@pytest.fixture
def token(pos_bench: PosBench) -> str:
    return login(pos_bench)


def test_a_full_order_arrives_at_mock_lightspeed_exactly(pos_bench: PosBench, token: str) -> None:
    raw = FULL_ORDER.encode()
    request, answer = dispatch(pos_bench, raw, token)
    assert request.url == f"{pos_bench.server.url}/lightspeed/o/op/1/order/toGo"
    assert request.headers["Authorization"] == f"Bearer {token}"
    assert answer[0] == 200
    assert pos_bench.interpret("lightspeed", answer) == {"dispatched": True}
    body = the_mock_holds_the_order(pos_bench, raw, "toGo")
    assert body["customerInfo"] == {
        "firstName": "Zoë 陈",
        "lastName": "Ng",
        "email": "zoe@example.com",
        "contactNumberAsE164": "+6581234567",
    }
    assert body["deliveryAddress"] == {
        "addressLine1": "8 Temasek Boulevard",
        "addressLine2": "#12-01",
        "zip": "038988",
        "city": "Singapore",
    }
    assert (body["orderNote"], body["orderCollectionTimeAsIso8601"]) == (
        "Ring the bell",
        "2026-11-27T10:45:00+08:00",
    )
    script = pos_bench.catalog.get("lightspeed", "order_dispatch")
    assert script is not None
    assert precision_findings(raw, request.body, script.prices) == []


def test_dine_in_is_a_local_order_with_table_and_client_count(pos_bench: PosBench, token: str) -> None:
    raw = b"""{"orderRefNo":"CATA-LS-T","deliveryMethod":"DINE_IN","createdAt":"2026-11-27T10:00:00Z",
    "currency":"SGD","clientCount":3,"items":[{"plu":"COLA-01","name":"Cola","quantity":1,"unitPrice":2.80,
    "modifiers":[{"plu":"ICE","name":"No ice","unitPrice":0}]}],"totalPay":2.80}"""
    request, answer = dispatch(
        pos_bench, raw, token, tableNumber=12, modifierIdByPlu={"ICE": "236025632784492"}
    )
    assert request.url.endswith("/lightspeed/o/op/1/order/local")
    assert answer[0] == 200, answer
    [held] = pos_bench.admin.lightspeed_orders()
    assert (held["kind"], held["body"]["tableNumber"], held["body"]["clientCount"]) == ("local", 12, 3)
    assert held["body"]["items"][0]["modifiers"] == [{"modifierId": "236025632784492"}]
    assert "subItems" not in held["body"]["items"][0]


def test_a_replay_is_refused_as_a_duplicate_not_doubled(pos_bench: PosBench, token: str) -> None:
    raw = FULL_ORDER.encode()
    dispatch(pos_bench, raw, token)
    _, again = dispatch(pos_bench, raw, token)
    assert again[0] == 409
    assert pos_bench.interpret("lightspeed", again) == {
        "dispatched": False,
        "message": "duplicate order: reference has already been used CATA-LS-1",
    }
    assert len(pos_bench.admin.lightspeed_orders()) == 1


def test_the_reference_is_the_cata_order_id_when_the_engine_gives_one(
    pos_bench: PosBench, token: str
) -> None:
    order_input = script_input(pos_bench, FULL_ORDER.encode(), token)
    result = pos_bench.dispatch(
        "lightspeed", {**order_input, "orderId": "0e7c5a8e-1f0b-4bb0-9d4e-27c1a5f0a9b1"}
    )
    assert result.value["body"]["thirdPartyReference"] == "0e7c5a8e-1f0b-4bb0-9d4e-27c1a5f0a9b1"
    too_long = pos_bench.dispatch("lightspeed", {**order_input, "orderId": "x" * 49})
    assert too_long.error is not None
    assert too_long.error.message.startswith(
        "Error: lightspeed: the Cata order id " + json.dumps("x" * 49) + " is not 1-48 characters"
    )


@pytest.mark.parametrize(
    ("overrides", "setup", "status", "message"),
    [
        ({"skuByPlu": {"101": "NOPE-01"}}, None, 400, "items[0].sku: unknown sku NOPE-01 (and 1 more)"),
        ({"endpointId": "UNKNOWN"}, None, 400, "endpointId: no webhook registered with endpointId UNKNOWN"),
        ({}, "expire", 401, "Lightspeed refused the access token: Access token expired"),
        ({}, "wrong-token", 401, "Lightspeed refused the access token: Invalid access token"),
        ({}, "fault-500", 500, "Lightspeed answered HTTP 500: mock status"),
    ],
    ids=["unknown-sku", "unknown-endpoint", "expired-token", "wrong-token", "server-error"],
)
def test_each_failure_of_the_mock_is_read_into_a_reason(
    pos_bench: PosBench, token: str, overrides: dict[str, Any], setup: str | None, status: int, message: str
) -> None:
    if setup == "expire":
        pos_bench.admin.expire_lightspeed_tokens()
    if setup == "fault-500":
        pos_bench.admin.add_fault({"target": "lightspeed", "mode": "status", "code": 500, "times": 1})
    used = "not-a-token" if setup == "wrong-token" else token
    _, answer = dispatch(pos_bench, FULL_ORDER.encode(), used, **overrides)
    assert answer[0] == status
    assert pos_bench.interpret("lightspeed", answer) == {"dispatched": False, "message": message}


def test_a_payment_that_is_not_the_item_total_is_lightspeeds_400(pos_bench: PosBench, token: str) -> None:
    raw = FULL_ORDER.replace('"totalPay":45.695', '"totalPay":40').encode()
    _, answer = dispatch(pos_bench, raw, token)
    reading = pos_bench.interpret("lightspeed", answer)
    assert reading == {
        "dispatched": False,
        "message": "payment.paymentAmount: must equal the order total including tips: 45.695 (items 43.695"
        " + tipAmount 2)",
    }


def test_script_errors_name_what_is_missing(pos_bench: PosBench) -> None:
    no_token = pos_bench.dispatch("lightspeed", script_input(pos_bench, FULL_ORDER.encode(), ""))
    assert no_token.error is not None
    assert no_token.error.message.startswith(
        "Error: lightspeed: input.config.accessToken is not set (the connection's OAuth token) (at lightspeed/"
    )
    long_plu = FULL_ORDER.replace('"plu":"MENU-01"', '"plu":"' + "P" * 26 + '"').encode()
    unmapped = pos_bench.dispatch("lightspeed", script_input(pos_bench, long_plu, "t"))
    assert unmapped.error is not None
    assert "a sku is 1-25 characters; map it in the outlet's skuByPlu - at `$.order.items[1].plu`" in (
        unmapped.error.message
    )
    dine_in = FULL_ORDER.replace('"DELIVERY"', '"DINE_IN"').encode()
    no_table = pos_bench.dispatch("lightspeed", script_input(pos_bench, dine_in, "t"))
    assert no_table.error is not None
    assert "a dine-in order needs a tableNumber" in no_table.error.message


def test_prices_a_double_cannot_carry_are_named_findings(pos_bench: PosBench, token: str) -> None:
    raw = (
        b'{"orderRefNo":"CATA-LS-BIG","deliveryMethod":"PICKUP","createdAt":"2026-11-27T10:00:00Z",'
        b'"currency":"SGD","items":[{"plu":"COLA-01","name":"Gold","quantity":1,"unitPrice":90071992547409.93}],'
        b'"totalPay":90071992547409.93}'
    )
    request, answer = dispatch(pos_bench, raw, token)
    assert answer[0] == 200  # the mock takes the double's text: its total is what it was sent
    script = pos_bench.catalog.get("lightspeed", "order_dispatch")
    assert script is not None
    assert [str(f) for f in precision_findings(raw, request.body, script.prices)] == [
        "items[0].customItemPrice: the POS received 90071992547409.94, the order says 90071992547409.93"
        " (90071992547409.93 at items[0].unitPrice)",
        "payment.paymentAmount: the POS received 90071992547409.94, the order says 90071992547409.93"
        " (90071992547409.93 at totalPay)",
    ]
    [held] = pos_bench.admin.lightspeed_orders()
    assert held["body"]["payment"]["paymentAmount"] == "90071992547409.94"


# The contract suite's orders (faker people in many locales, unicode, unknown fields, modifiers, combos)
# on mock Lightspeed's catalogue: "101" and "3001" reach it through skuByPlu.
CATALOGUE = Catalogue(
    products=(
        Product("BURGER-01", "Burger", ("CHEESE-01", "SALAD-01", "3001")),
        Product("101", "Burger", ("CHEESE-01",)),
        Product("MENU-01", "Menu", ("COLA-01", "FRIES-01")),
        Product("FRIES-01", "Fries"),
        Product("COLA-01", "Cola"),
    )
)
SHAPE = OrderShape(catalogue=CATALOGUE, max_places=2, max_value=10**6)
tips = st.none() | st.decimals(min_value=0, max_value=10**4, places=2)


def line_total(line: dict[str, Any]) -> Decimal:
    inner = sum(
        (line_total(sub) for sub in line.get("modifiers", []) + line.get("comboItems", [])), Decimal(0)
    )
    return (line.get("unitPrice", Decimal(0)) + inner) * line.get("quantity", 1)


@settings(max_examples=25, deadline=None)
@given(order=orders(SHAPE), tip=tips)
def test_every_generated_order_arrives_exactly(
    pos_bench: PosBench, order: dict[str, Any], tip: Decimal | None
) -> None:
    token = login(pos_bench)
    order["orderRefNo"] = "CATA-GEN"  # Lightspeed's 1-48 characters (Java's UTF-16 count)
    order.pop("tip", None)
    for item in order["items"]:  # a million combo picks of a million would pass what a double carries
        for combo in item.get("comboItems", []):
            combo["quantity"] = min(combo["quantity"], 9)
    if tip is not None:
        order["tip"] = tip
    # Lightspeed checks the payment against its own item total plus the tip: the receipt adds up.
    order["totalPay"] = sum((line_total(item) for item in order["items"]), Decimal(0)) + (tip or 0)
    raw = _EXACT.encode(order)
    request, answer = dispatch(pos_bench, raw, token, tableNumber=7)
    assert answer[0] == 200, answer
    kind = "local" if order["deliveryMethod"] == "DINE_IN" else "toGo"
    the_mock_holds_the_order(pos_bench, raw, kind)
    script = pos_bench.catalog.get("lightspeed", "order_dispatch")
    assert script is not None
    assert precision_findings(raw, request.body, script.prices) == []
