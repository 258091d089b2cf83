from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from cata_sandbox.errors import InvalidRequest
from cata_sandbox.validation import decode_dispatch

ORDER = {
    "orderRefNo": "R1",
    "deliveryMethod": "PICKUP",
    "createdAt": "2026-11-27T10:00:00+08:00",
    "currency": "SGD",
    "items": [{"plu": "1", "name": "Tea", "quantity": 1, "unitPrice": 1.5}],
    "totalPay": 1.5,
}


def envelope(order: object = ORDER, **extra: object) -> bytes:
    return msgspec.json.encode({"outletId": "o1", "event": "order.paid", "order": order, **extra})


def test_order_bytes_are_kept_exactly() -> None:
    raw = (
        b'{ "totalPay" : 1.50000000000000000001 ,"orderRefNo":"R\\u00e9","deliveryMethod":"PICKUP",'
        b'"createdAt":"2026-11-27T10:00:00Z","currency":"SGD","items":[{"plu":"1","name":"T","quantity":1,'
        b'"unitPrice":0.1}],"x":{"y":[]}}'
    )
    body = b'{"outletId":"o","event":"order.paid","order":' + raw + b"}"
    request = decode_dispatch(body)
    assert request.order_bytes == raw
    assert request.order.totalPay == Decimal("1.50000000000000000001")
    assert request.order.orderRefNo == "R\u00e9"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{", "malformed JSON"),
        (b"[]", "invalid dispatch request: "),
        (msgspec.json.encode({"event": "order.paid", "order": ORDER}), "`outletId`"),
        (msgspec.json.encode({"outletId": "o", "order": ORDER}), "`event`"),
        (msgspec.json.encode({"outletId": "o", "event": "order.paid"}), "`order`"),
        (envelope([1]), "`$.order`"),
        (envelope("x"), "`$.order`"),
        (msgspec.json.encode({"outletId": "o", "event": "order.eaten", "order": ORDER}), "`$.event`"),
        (envelope({**ORDER, "items": []}), "`$.order.items`"),
        (envelope({**ORDER, "items": [{**ORDER["items"][0], "plu": 1}]}), "`$.order.items[0].plu`"),  # type: ignore[index, dict-item]
        (envelope({**ORDER, "items": [{**ORDER["items"][0], "quantity": 0}]}), "`$.order.items[0].quantity`"),  # type: ignore[index, dict-item]
        (
            envelope({**ORDER, "items": [{**ORDER["items"][0], "unitPrice": -1}]}),
            "`$.order.items[0].unitPrice`",
        ),  # type: ignore[index, dict-item]
        (envelope({**ORDER, "deliveryMethod": "DRONE"}), "`$.order.deliveryMethod`"),
        (envelope({**ORDER, "createdAt": "yesterday"}), "`$.order.createdAt`"),
        (envelope({**ORDER, "createdAt": "2026-11-27T10:00:00"}), "`$.order.createdAt`"),
        (envelope({**ORDER, "currency": "sgd"}), "`$.order.currency`"),
        (envelope({**ORDER, "totalPay": -0.01}), "`$.order.totalPay`"),
        (
            b'{"outletId":"o","event":"order.paid","order":{"orderRefNo":"\xff"}}',
            "request body is not valid UTF-8: invalid byte at offset 60 - at `$.order.orderRefNo`",
        ),
    ],
)
def test_bad_requests_name_the_path(body: bytes, fragment: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        decode_dispatch(body)
    assert fragment in caught.value.detail


@pytest.mark.parametrize(
    "field", ["orderRefNo", "deliveryMethod", "createdAt", "currency", "items", "totalPay"]
)
def test_each_missing_required_field_is_named(field: str) -> None:
    order = {k: v for k, v in ORDER.items() if k != field}
    with pytest.raises(InvalidRequest) as caught:
        decode_dispatch(envelope(order))
    assert caught.value.detail.startswith("invalid order: ")
    assert caught.value.detail.endswith(f" - at `$.order.{field}`")


@pytest.mark.parametrize(
    "order",
    [
        {**ORDER, "totalPay": "1.50"},
        {**ORDER, "tip": "0.50"},
        {**ORDER, "items": [{**ORDER["items"][0], "unitPrice": "1.5"}]},  # type: ignore[index, dict-item]
        {
            **ORDER,
            "items": [
                {
                    **ORDER["items"][0],
                    "modifiers": [{"plu": "m", "name": "M", "quantity": 1, "unitPrice": "0.5"}],
                }  # type: ignore[index, dict-item]
            ],
        },
    ],
)
def test_money_written_as_a_string_is_refused(order: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest) as caught:
        decode_dispatch(envelope(order))
    assert "money must be a JSON number" in caught.value.detail
    assert "`$.order." in caught.value.detail
