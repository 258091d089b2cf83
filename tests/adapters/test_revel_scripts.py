"""The shipped Revel scripts against the Python Revel classes: the same request, answer and status for the same input.

Compared structurally, with prices as Decimals: the script's prices are JS numbers, so the decimal text
of the order (``5.50``, ``27.00``, ``1E+1``) goes out as the shortest double (``5.5``, ``27``, ``10``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cata_sandbox.adapters import load_catalog
from cata_sandbox.fulfilment.inbound import _moment
from cata_sandbox.transformers import UnmappableOrder
from cata_sandbox.transformers.revel import RevelTransformer
from tests.support.revel import DINING, order_json
from tests.support.revel_orders import (
    FULL_ORDER,
    INTERPRETED,
    SMALL_ORDER,
    UNMAPPABLE,
    item_st,
    order,
    prices,
    script_input,
    settings,
)
from tests.support.script_runtime import SyncRuntime

REVEL = RevelTransformer()


@pytest.fixture(scope="module")
def js() -> Iterator[SyncRuntime]:
    runtime = SyncRuntime(load_catalog())
    try:
        yield runtime
    finally:
        runtime.close()


def both(js: SyncRuntime, raw: bytes, **overrides: Any) -> tuple[Any, Any]:
    python = REVEL.build_request(order(raw), settings(**overrides), "order.paid")
    result = js.run("revel", "order_dispatch", script_input(raw, **overrides))
    assert result.error is None, result.error
    assert result.request is not None
    script = result.request
    assert (script.method, script.url, script.headers) == (python.method, python.url, python.headers)
    assert script.body is not None
    return json.loads(python.body, parse_float=Decimal), json.loads(script.body, parse_float=Decimal)


@pytest.mark.parametrize("raw", [SMALL_ORDER, FULL_ORDER], ids=["small", "full"])
def test_the_script_builds_the_python_transformers_request(js: SyncRuntime, raw: bytes) -> None:
    python, script = both(js, raw, productIdByPlu={"MUSH": 204, "COMBO-L": 104}, paymentType=205)
    assert script == python


def test_decimal_text_becomes_the_shortest_js_number(js: SyncRuntime) -> None:
    result = js.run("revel", "order_dispatch", script_input(SMALL_ORDER))
    assert result.request is not None
    assert result.request.body is not None
    # The Python transformer writes the order's own text, 5.50; the engine writes the double, 5.5.
    assert b'"price":5.5,' in result.request.body
    assert b'"amount":13.5,' in result.request.body


@pytest.mark.parametrize("method", sorted(DINING))
def test_dining_option_and_times_match(js: SyncRuntime, method: str) -> None:
    raw = order_json(
        deliveryMethod=method,
        createdAt="2026-11-27T09:59:30.250+05:30",
        expectedPickupAt="2026-11-27T10:45:00+05:30",
        customer={"firstName": "Mei", "email": "mei@example.com"},
        tip=Decimal("2.00"),
        payment={"transactionId": "txn-1"},
    )
    python, script = both(js, raw)
    assert script == python


@pytest.mark.parametrize(("item", "message"), UNMAPPABLE, ids=["item", "modifier", "combo-modifier", "zero"])
def test_an_unmappable_order_is_the_same_message(js: SyncRuntime, item: dict[str, Any], message: str) -> None:
    raw = order_json(items=[{"plu": "101", "name": "A", "quantity": 1, "unitPrice": 1}, item])
    with pytest.raises(UnmappableOrder):
        REVEL.build_request(order(raw), settings(productIdByPlu={"OTHER": 1}), "order.paid")
    result = js.run("revel", "order_dispatch", script_input(raw, productIdByPlu={"OTHER": 1}))
    assert result.error is not None
    assert result.error.message.startswith(f"Error: {message} (at ")


def test_a_plu_past_two_to_the_53_is_refused_not_rounded(js: SyncRuntime) -> None:
    raw = order_json(items=[{"plu": "9007199254740993", "name": "Big", "quantity": 1, "unitPrice": 1}])
    result = js.run("revel", "order_dispatch", script_input(raw))
    assert result.error is not None
    assert "the plu is over 2^53 - 1, which a JavaScript number cannot carry exactly" in result.error.message


@given(
    items=st.lists(
        st.one_of(
            item_st,
            item_st.flatmap(
                lambda base: st.lists(item_st, min_size=1, max_size=3).map(
                    lambda c: {**base, "comboItems": c}
                )
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    total=prices,
)
def test_every_generated_order_gives_the_same_cart(
    js: SyncRuntime, items: list[dict[str, Any]], total: Decimal
) -> None:
    python, script = both(js, order_json(items=items, totalPay=total))
    assert script == python


@pytest.mark.parametrize(("body", "dispatched", "message", "external_id"), INTERPRETED)
def test_interpret_reads_revels_answer_as_the_python_class_does(
    js: SyncRuntime, body: bytes, dispatched: bool, message: str, external_id: str
) -> None:
    try:
        json.loads(body)
        parsed: Any = msgspec.Raw(body)
    except ValueError:
        parsed = body.decode()
    response = {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": parsed}
    result = js.run("revel", "order_dispatch", response, function="interpret")
    assert result.error is None
    expected: dict[str, Any] = {"dispatched": dispatched}
    if message:
        expected["message"] = message
    if dispatched and (external_id or body.startswith(b"{")):
        expected["externalOrderId"] = external_id
    assert result.value == expected


STATUS_BODIES = [
    {
        "orderInfo": {
            "id": 32759,
            "closed": True,
            "dining_option": 11,
            "updated_date": "2026-04-29T14:59:40+08:00",
        }
    },
    {
        "orderInfo": {
            "id": "32759 ",
            "closed": True,
            "dining_option": "12",
            "created_date": "2026-04-29T14:59:40",
        }
    },
    {"orderInfo": {"id": 1, "closed": True, "dining_option": 13, "updated_date": "not a date"}},
    {"orderInfo": {"id": 32761, "closed": False, "dining_option": 11}},
    {"orderInfo": {"id": 32761, "dining_option": 11}},
    {"orderInfo": {"id": 5, "closed": True, "dining_option": 5}},
    {"orderInfo": {"id": 5, "closed": True}},
    {"orderInfo": {"id": 5, "closed": True, "dining_option": True}},
    {"event": "order.finalized"},
    {"orderInfo": "x"},
    {"orderInfo": {"closed": True}},
    {"orderInfo": {"id": "", "closed": True}},
    {"orderInfo": {"id": None}},
    [1, 2],
]


MALFORMED = "Error: malformed Revel webhook: "
# What each body means, written out (it was the Python inbound_revel module's reading, which is gone):
# (status, posOrderId, the instant) for COMPLETED, a skip's reason, or the start of the script's error.
STATUS_MEANINGS: list[Any] = [
    ("COMPLETED", "32759", datetime.fromisoformat("2026-04-29T14:59:40+08:00")),
    ("COMPLETED", "32759", datetime(2026, 4, 29, 14, 59, 40, tzinfo=UTC)),
    ("COMPLETED", "1", None),
    {"skip": True, "reason": "order 32761 not closed yet (closed=false)"},
    {"skip": True, "reason": "order 32761 not closed yet (closed=null)"},
    {"skip": True, "reason": "non-CATA dining option 5"},
    {"skip": True, "reason": "non-CATA dining option null"},
    {"skip": True, "reason": "non-CATA dining option true"},
    MALFORMED + "missing `orderInfo`",
    MALFORMED + "`orderInfo` is not an object",
    MALFORMED + "missing or empty `orderInfo.id`",
    MALFORMED + "missing or empty `orderInfo.id`",
    MALFORMED + "missing or empty `orderInfo.id`",
    MALFORMED + "body is not a JSON object",
]


@pytest.mark.parametrize(
    ("body", "meaning"), list(zip(STATUS_BODIES, STATUS_MEANINGS, strict=True)),
    ids=[str(i) for i in range(len(STATUS_BODIES))],
)  # fmt: skip
def test_status_update_script_reads_each_webhook(js: SyncRuntime, body: Any, meaning: Any) -> None:
    raw = json.dumps(body).encode()
    outlet = {"id": "OUT-1", "settings": {"diningOptionIds": DINING}}
    result = js.run("revel", "order_status_update", {"payload": msgspec.Raw(raw), "outlet": outlet})
    if isinstance(meaning, str):
        assert result.error is not None
        assert result.error.message.startswith(f"{meaning} (at ")
    elif isinstance(meaning, dict):
        assert result.value == meaning
    else:
        assert (result.value["status"], result.value["posOrderId"]) == meaning[:2]
        assert _moment(result.value["timestamp"]) == meaning[2]


def test_status_update_without_dining_options_throws_like_the_python(js: SyncRuntime) -> None:
    raw = b'{"orderInfo":{"id":1,"closed":true,"dining_option":11}}'
    result = js.run(
        "revel",
        "order_status_update",
        {"payload": msgspec.Raw(raw), "outlet": {"id": "OUT-9", "settings": {}}},
    )
    assert result.error is not None
    assert result.error.message.startswith(
        "Error: outlet OUT-9 has no Revel dining-option ids configured (settings.diningOptionIds) (at "
    )


def test_missing_credentials_are_named_and_located_in_the_shipped_script(js: SyncRuntime) -> None:
    revel_input = script_input(SMALL_ORDER)
    del revel_input["baseUrl"]
    result = js.run("revel", "order_dispatch", revel_input)
    assert result.error is not None
    assert result.error.message.startswith(
        "Error: revel: input.baseUrl is not set (the provider connection or the outlet's credentials)"
        " (at revel/order_dispatch.js:"
    )
