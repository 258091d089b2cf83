"""The shipped Revel scripts in the runtime: JS numbers for prices, the unmappable messages, Revel's
answers, and the status-update script's reading of each webhook. (They were compared with the Python
Revel classes; those are gone, and tests/engine/test_revel_transformer.py holds the golden carts.)

The script's prices are JS numbers, so the decimal text of the order (``5.50``, ``27.00``, ``1E+1``) goes
out as the shortest double (``5.5``, ``27``, ``10``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from cata_sandbox.adapters import load_catalog
from cata_sandbox.fulfilment.inbound import _moment
from tests.support.revel import DINING, order_json
from tests.support.revel_orders import (
    INTERPRETED,
    SMALL_ORDER,
    UNMAPPABLE,
    script_input,
)
from tests.support.script_runtime import SyncRuntime


@pytest.fixture(scope="module")
def js() -> Iterator[SyncRuntime]:
    runtime = SyncRuntime(load_catalog())
    try:
        yield runtime
    finally:
        runtime.close()


def test_decimal_text_becomes_the_shortest_js_number(js: SyncRuntime) -> None:
    result = js.run("revel", "order_dispatch", script_input(SMALL_ORDER))
    assert result.request is not None
    assert result.request.body is not None
    # The Python transformer writes the order's own text, 5.50; the engine writes the double, 5.5.
    assert b'"price":5.5,' in result.request.body
    assert b'"amount":13.5,' in result.request.body


@pytest.mark.parametrize(("item", "message"), UNMAPPABLE, ids=["item", "modifier", "combo-modifier", "zero"])
def test_an_unmappable_order_is_the_same_message(js: SyncRuntime, item: dict[str, Any], message: str) -> None:
    raw = order_json(items=[{"plu": "101", "name": "A", "quantity": 1, "unitPrice": 1}, item])
    result = js.run("revel", "order_dispatch", script_input(raw, productIdByPlu={"OTHER": 1}))
    assert result.error is not None
    assert result.error.message.startswith(f"Error: {message} (at ")


def test_a_plu_past_two_to_the_53_is_refused_not_rounded(js: SyncRuntime) -> None:
    raw = order_json(items=[{"plu": "9007199254740993", "name": "Big", "quantity": 1, "unitPrice": 1}])
    result = js.run("revel", "order_dispatch", script_input(raw))
    assert result.error is not None
    assert "the plu is over 2^53 - 1, which a JavaScript number cannot carry exactly" in result.error.message


@pytest.mark.parametrize(("body", "dispatched", "message", "external_id"), INTERPRETED)
def test_interpret_reads_revels_answer(
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
