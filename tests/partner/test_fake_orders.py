"""The fake order generator: valid Cata Order JSON, reproducible, priced exactly, on mock Revel's menu."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cata_sandbox.partner.fake_orders import MENU, OrderFactory, fake_orders
from cata_sandbox.validation import decode_dispatch
from mock_pos.catalogue import default_revel_config
from tests.support import NOW, envelope

FACTORY = OrderFactory()


def exact(body: bytes) -> Any:
    return json.loads(body, parse_float=Decimal)


@given(seed=st.integers(0, 2**32), index=st.integers(0, 10_000))
def test_every_generated_order_passes_the_services_validation(seed: int, index: int) -> None:
    order = FACTORY.order(seed, index, now=NOW)
    request = decode_dispatch(envelope("outlet-1", order.body))
    assert request.order_bytes == order.body
    assert request.order.orderRefNo == order.order_ref_no


def test_the_same_seed_gives_the_same_orders_whatever_the_batch_size() -> None:
    first = fake_orders(30, 42, now=NOW)
    again = fake_orders(10, 42, now=NOW)
    assert [o.body for o in first[:10]] == [o.body for o in again]
    other = fake_orders(10, 43, now=NOW)
    assert all(a.body != b.body for a, b in zip(again, other, strict=True))
    assert len({o.order_ref_no for o in first}) == 30


def test_orders_are_paid_just_before_now_in_the_outlets_offset() -> None:
    for order in FACTORY.batch(50, 7, now=NOW):
        value = exact(order.body)
        created = datetime.fromisoformat(value["createdAt"])
        paid = datetime.fromisoformat(value["payment"]["paidAt"])
        assert created.utcoffset() == timedelta(hours=8)
        assert created < paid < NOW
        assert (NOW - created).total_seconds() <= 600


def test_money_is_exact_decimal_text_and_adds_up() -> None:
    for order in FACTORY.batch(200, 11, now=NOW):
        value = exact(order.body)
        subtotal = Decimal(0)
        for item in value["items"]:
            extras = sum((m["unitPrice"] * m["quantity"] for m in item.get("modifiers", [])), Decimal(0))
            subtotal += (item["unitPrice"] + extras) * item["quantity"]
        assert value["subtotal"] == subtotal
        total = (
            value["subtotal"]
            - value.get("discount", 0)
            + value.get("serviceCharge", 0)
            + value.get("deliveryFee", 0)
            + value["tax"]
            + value.get("tip", 0)
        )
        assert value["totalPay"] == total
        for name in ("subtotal", "tax", "totalPay"):
            assert value[name].as_tuple().exponent == -2, (name, value[name])
    # The JSON keeps the trailing zero: 15.00, not 15.0 or 15.
    assert any(b'"unitPrice":15.00' in o.body for o in FACTORY.batch(50, 11, now=NOW))


def test_every_plu_is_a_mock_revel_product_with_its_price_and_allowed_modifiers() -> None:
    establishment = default_revel_config().establishments[0]
    products = {p.id: p for p in establishment.products}
    for entry in MENU:
        product = products[int(entry.plu)]
        assert product.name == entry.name
        assert product.price == entry.price
        for modifier in entry.modifiers:
            assert int(modifier.plu) in product.modifiers
            assert products[int(modifier.plu)].price == modifier.price
    for order in FACTORY.batch(200, 5, now=NOW):
        for item in exact(order.body)["items"]:
            assert int(item["plu"]) in products
            allowed = products[int(item["plu"])].modifiers
            assert all(int(m["plu"]) in allowed for m in item.get("modifiers", []))
            assert all(int(c["plu"]) in products for c in item.get("comboItems", []))


def test_batches_are_varied_like_real_traffic() -> None:
    values = [exact(o.body) for o in FACTORY.batch(200, 3, now=NOW)]
    assert {v["deliveryMethod"] for v in values} == {"PICKUP", "DELIVERY", "DINE_IN"}
    assert all("deliveryAddress" in v for v in values if v["deliveryMethod"] == "DELIVERY")
    assert any(any("modifiers" in i for i in v["items"]) for v in values)
    assert any(any("comboItems" in i for i in v["items"]) for v in values)
    names = " ".join(f"{v['customer']['firstName']} {v['customer']['lastName']}" for v in values)
    assert any(ord(ch) > 127 for ch in names), "faker locales should give some non-ASCII names"
    assert not any("mock:" in o.body.decode() for o in FACTORY.batch(200, 3, now=NOW))


@pytest.mark.parametrize("directive", ["mock:status:503", "mock:error_body:Sold out"])
def test_notes_carry_a_planted_directive_verbatim(directive: str) -> None:
    for order in FACTORY.batch(5, 9, now=NOW, notes=directive):
        assert exact(order.body)["notes"] == directive
