"""The Atlas dispatch script against mock Atlas Kitchen over loopback: orders through ``_standard`` + the
script in worker processes, POSTed through a HostHttp, read back from the mock and compared field by field
with the Cata order in integer cents; the exact cents conversion; what the mock answers to each bad request
(the engine reads those answers by the seed's rules: tests/fulfilment/test_atlas_service.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings

from cata_sandbox.adapters import precision_findings
from contract_tests.strategies import Catalogue, OrderShape, Product, orders
from tests.support.atlas import (
    FULL_ORDER,
    dispatch,
    script_input,
    the_mock_holds_the_order,
)
from tests.support.scripts import PosBench

_EXACT = msgspec.json.Encoder(decimal_format="number")


@pytest.fixture
def fresh(pos_bench: PosBench) -> PosBench:
    pos_bench.reset()
    return pos_bench


def findings(bench: PosBench, raw: bytes, body: bytes) -> list[str]:
    script = bench.catalog.get("atlas", "order_dispatch")
    assert script is not None
    return [str(f) for f in precision_findings(raw, body, script.prices)]


def test_a_full_order_arrives_at_mock_atlas_in_exact_cents(fresh: PosBench) -> None:
    raw = FULL_ORDER.encode()
    request, answer = dispatch(fresh, raw)
    assert request.url == f"{fresh.server.url}/atlas/admin/v1/outlets/3/channels/1/orders"
    assert (request.headers["X-Api-Key"], request.headers["X-Merchant-Id"]) == (
        "sandbox-atlas-key",
        "sandbox-merchant",
    )
    assert answer[0] == 200, answer
    assert type(msgspec.json.decode(answer[2])["id"]) is int  # the externalOrderId, by the seed's rules
    body = the_mock_holds_the_order(fresh, raw)
    assert (body["serving_date"], body["timeslot_start"], body["timeslot_end"]) == (
        "2026-11-27",
        54900,
        56700,
    )
    assert body["timeslot_type"] == "available_timeslots"
    assert (body["contact_name"], body["contact_number"]) == ("Zoë 陈", "+65 8123 4567")
    assert (body["address_line1"], body["address_line2"], body["postal_code"]) == (
        "8 Temasek Boulevard",
        "Suntec Tower 3",
        "038988",
    )
    assert body["notes"] == "Leave at the door"
    assert body["order_items"][0]["notes"] == "less spicy, ลดเผ็ด"
    assert body["order_payments"] == [{"amount": 6657, "capture_id": "txn_1", "capture_type": "card"}]
    assert findings(fresh, raw, request.body) == []


@pytest.mark.parametrize(
    ("when", "timezone", "expected"),
    [
        (
            '"expectedPickupAt":"2026-11-27T23:30:00+05:30"',
            "Asia/Singapore",
            ("2026-11-28", 7200, "available_timeslots"),
        ),
        (
            '"expectedPickupAt":"2026-11-27T23:30:00+05:30"',
            "+07:00",
            ("2026-11-28", 3600, "available_timeslots"),
        ),
        (
            '"expectedPickupAt":"2026-11-27T23:30:00+05:30"',
            None,
            ("2026-11-27", 84600, "available_timeslots"),
        ),
        ('"expectedPickupAt":"2026-11-27T23:50:00Z"', "UTC", ("2026-11-27", 85800, "available_timeslots")),
        ('"asap":true', "Asia/Jakarta", ("2026-11-27", 46800, "asap")),
    ],
    ids=["singapore", "offset", "own-offset", "near-midnight", "asap-from-createdAt"],
)
def test_the_timeslot_is_wall_time_in_the_outlets_timezone(
    fresh: PosBench, when: str, timezone: str | None, expected: tuple[str, int, str]
) -> None:
    raw = FULL_ORDER.replace('"expectedPickupAt":"2026-11-27T07:15:00Z"', when).encode()
    result = fresh.dispatch("atlas", script_input(fresh, raw, timezone=timezone))
    assert result.error is None, result.error
    body = result.value["body"]
    assert (body["serving_date"], body["timeslot_start"], body["timeslot_type"]) == expected
    assert body["timeslot_end"] == min(expected[1] + 1800, 86400)


@pytest.mark.parametrize(
    ("price", "currency", "sent"),
    [
        ("0.1", "SGD", 10),
        ("0.29", "SGD", 29),
        ("19.99", "SGD", 1999),
        ("4.10", "SGD", 410),
        ("0", "SGD", 0),
        ("1E+2", "SGD", 10000),
        ("12345678901234.57", "SGD", 1234567890123457),
        ("15000", "IDR", 15000),
        ("1.005", "SGD", "is 1.005, not a whole number of minor units (2 decimal places)"),
        ("0.1000001", "SGD", "is 0.1000001, not"),
        ("1e-7", "SGD", "is 1e-7, not"),
        ("15000.5", "IDR", "is 15000.5, not a whole number of minor units (0 decimal places)"),
        (
            "90071992547409.93",
            "SGD",
            "is 90071992547409.94: over 2^53 - 1 minor units, which a JavaScript number",
        ),
    ],
)
def test_prices_become_integer_minor_units_exactly_or_are_refused(
    fresh: PosBench, price: str, currency: str, sent: int | str
) -> None:
    raw = (
        f'{{"orderRefNo":"P","deliveryMethod":"PICKUP","createdAt":"2026-11-27T10:00:00Z","currency":"{currency}",'
        f'"items":[{{"plu":"380","name":"Coffee","quantity":1,"unitPrice":{price}}}],"totalPay":0}}'
    )
    result = fresh.dispatch("atlas", script_input(fresh, raw.encode()))
    if isinstance(sent, int):
        assert result.error is None, result.error
        assert result.value["body"]["order_items"][0]["price_cents"] == sent
    else:
        assert result.error is not None
        assert result.error.message.startswith(f"Error: atlas: $.order.items[0].unitPrice {sent}"), (
            result.error
        )


def test_a_price_the_double_changes_is_a_named_finding(fresh: PosBench) -> None:
    raw = FULL_ORDER.replace('"unitPrice":15.00', '"unitPrice":90000000000000.01').encode()
    request, answer = dispatch(fresh, raw)
    assert answer[0] == 200
    assert findings(fresh, raw, request.body) == [
        "order_items[0].price_cents: the POS received 9000000000000002 minor units, the order says"
        " 90000000000000.01 (90000000000000.01 at items[0].unitPrice)"
    ]


def first_detail(answer: tuple[int, dict[str, str], bytes]) -> str:
    """``field: message`` of the first detail of Atlas's ApiError body."""
    error = msgspec.json.decode(answer[2])
    assert set(error) >= {"type", "message", "details"}, error
    detail = error["details"][0]
    return f"{detail['field']}: {detail['message']}"


@pytest.mark.parametrize(
    ("overrides", "setup", "status", "detail"),
    [
        ({"itemIdByPlu": {"LAKSA": 999}}, None, 422, "order_items[0].item_id: item 999 is not on the menu"),
        ({"outletId": 77}, None, 404, "outlet_id: "),
        ({}, "wrong-key", 401, "api_key: "),
        ({"merchantId": "other"}, None, 401, "merchant_id: "),
        ({}, "fault-500", 500, None),
    ],
    ids=["unknown-item", "unknown-outlet", "wrong-key", "wrong-merchant", "server-error"],
)
def test_each_bad_request_gets_the_mocks_error_answer(
    fresh: PosBench, overrides: dict[str, Any], setup: str | None, status: int, detail: str | None
) -> None:
    if setup == "fault-500":
        fresh.admin.add_fault({"target": "atlas", "mode": "status", "code": 500, "times": 1})
    order_input = script_input(fresh, FULL_ORDER.encode(), **overrides)
    if setup == "wrong-key":
        order_input["apiKey"] = "not-the-key"
    result = fresh.dispatch("atlas", order_input)
    request = result.request
    answer = fresh.send(request.method, request.url, request.headers, request.body)
    assert answer[0] == status
    if detail is not None:
        assert first_detail(answer).startswith(detail), answer


def test_every_problem_is_a_detail_of_one_answer(fresh: PosBench) -> None:
    raw = FULL_ORDER.replace('"plu":"480"', '"plu":"12345"').encode()
    _, answer = dispatch(fresh, raw, itemIdByPlu={"LAKSA": 999})
    assert answer[0] == 422
    assert first_detail(answer) == "order_items[0].item_id: item 999 is not on the menu"
    assert len(msgspec.json.decode(answer[2])["details"]) == 2


def test_script_errors_name_what_is_missing(fresh: PosBench) -> None:
    no_address = FULL_ORDER.replace('"line1":"8 Temasek Boulevard",', "").encode()
    missing = fresh.dispatch("atlas", script_input(fresh, no_address))
    assert missing.error is not None
    assert missing.error.message.startswith("Error: atlas: a delivery order needs deliveryAddress.line1")
    unmapped = fresh.dispatch(
        "atlas", script_input(fresh, FULL_ORDER.replace('"LAKSA"', '"NOODLE"').encode())
    )
    assert unmapped.error is not None
    assert 'no Atlas item_id for plu "NOODLE"' in unmapped.error.message
    zone = fresh.dispatch("atlas", script_input(fresh, FULL_ORDER.encode(), timezone="Europe/Paris"))
    assert zone.error is not None
    assert 'timezone "Europe/Paris" is not a zone the script knows' in zone.error.message
    no_channel = fresh.dispatch("atlas", script_input(fresh, FULL_ORDER.encode(), channelId=None))
    assert no_channel.error is not None
    assert (
        "atlas: channelId is not set (outlet settings or the connection's config)" in no_channel.error.message
    )


# The contract suite's orders (faker people in many locales, unicode, unknown fields, modifiers, combos,
# RFC 3339 times in every spelling) on mock Atlas's menu: "LAKSA" reaches it through itemIdByPlu.
CATALOGUE = Catalogue(
    products=(
        Product("380", "Coffee", ("496", "497")),
        Product("381", "Laksa", ("497",)),
        Product("LAKSA", "Laksa", ("496",)),
        Product("480", "Kaya Toast"),
    )
)
SHAPE = OrderShape(catalogue=CATALOGUE, max_places=2, max_value=10**6)
SINGAPORE = dt.timezone(dt.timedelta(hours=8))


def wall_time(text: str) -> tuple[str, int]:
    """Serving date and seconds from midnight in Singapore, computed by Python's datetime."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.upper())
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(SINGAPORE)
    return moment.date().isoformat(), moment.hour * 3600 + moment.minute * 60 + moment.second


@settings(max_examples=25, deadline=None)
@given(order=orders(SHAPE))
def test_every_generated_order_arrives_in_exact_cents(pos_bench: PosBench, order: dict[str, Any]) -> None:
    order["currency"] = "SGD"
    for name in ("subtotal", "tax", "serviceCharge", "deliveryFee", "discount", "tip", "totalPay"):
        if name in order:  # amounts a double carries in cents; past 2^53 cents is refused (tested above)
            order[name] = order[name] % 10**12
    raw = _EXACT.encode(order)
    pos_bench.reset()
    result = pos_bench.dispatch("atlas", script_input(pos_bench, raw))
    address = order.get("deliveryAddress") or {}
    if order["deliveryMethod"] == "DELIVERY" and not address.get("line1"):
        assert result.error is not None
        assert "a delivery order needs deliveryAddress.line1" in result.error.message
        return
    assert result.error is None, result.error
    request = result.request
    answer = pos_bench.send(request.method, request.url, request.headers, request.body)
    assert answer[0] == 200, answer
    body = the_mock_holds_the_order(pos_bench, raw)
    when = order.get("expectedPickupAt") or order["createdAt"]
    assert (body["serving_date"], body["timeslot_start"]) == wall_time(when)
    customer = order.get("customer") or {}
    name = " ".join(part for part in (customer.get("firstName"), customer.get("lastName")) if part)
    assert body.get("contact_name") == (name or None)
    assert findings(pos_bench, raw, request.body) == []


def test_the_external_order_id_is_the_cata_order_id_when_the_engine_gives_one(fresh: PosBench) -> None:
    order_input = script_input(fresh, FULL_ORDER.encode())
    result = fresh.dispatch("atlas", {**order_input, "orderId": "0e7c5a8e-1f0b-4bb0-9d4e-27c1a5f0a9b1"})
    assert result.error is None, result.error
    body = result.value["body"]
    assert (body["external_order_id"], body["external_order_short_code"]) == (
        "0e7c5a8e-1f0b-4bb0-9d4e-27c1a5f0a9b1",
        "CATA-AT-1",
    )
