"""Broken requests: orders with a required field removed or invalid, and malformed envelopes."""

from __future__ import annotations

import json
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from contract_tests.jsontext import RawJSON, write
from contract_tests.strategies._orders import OrderShape, orders
from contract_tests.strategies._vocabulary import DELIVERY_METHODS, json_values, unicode_text
from contract_tests.strategies._wire import envelope, envelope_styles, written_orders

# --- broken requests ------------------------------------------------------------------------------

# Required fields, as paths into the order; ``[]`` is an index drawn among the elements present.
REQUIRED_FIELDS = (
    "orderRefNo",
    "deliveryMethod",
    "createdAt",
    "currency",
    "items",
    "totalPay",
    "items[].plu",
    "items[].name",
    "items[].quantity",
    "items[].unitPrice",
    "items[].modifiers[].plu",
    "items[].modifiers[].name",
    "items[].comboItems[].plu",
    "items[].comboItems[].name",
    "items[].comboItems[].quantity",
    "items[].comboItems[].unitPrice",
)

_NOT_STRINGS = st.one_of(
    st.integers(-5, 10**6),
    st.decimals(min_value=-100, max_value=100, places=2),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 9), max_size=2),
    st.just({}),
)
_NOT_NUMBERS = st.one_of(
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 9), max_size=2),
    st.just({"amount": 1}),
    unicode_text(max_size=8).filter(lambda text: not _is_number_text(text)),
)
NEGATIVE_MONEY = st.decimals(min_value=-(10**15), max_value=Decimal("-0.000001"), places=6)
# Money is a JSON number (ARCHITECTURE.md): a price written as a string is the classic mistype.
NUMERIC_STRINGS = st.decimals(min_value=0, max_value=1000, places=2).map(str)

INVALID_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "orderRefNo": st.one_of(_NOT_STRINGS, st.just("")),
    "deliveryMethod": st.one_of(
        _NOT_STRINGS,
        st.sampled_from(("pickup", "TAKEAWAY", "Delivery", "DINE-IN", "")),
        unicode_text(max_size=10).filter(lambda text: text not in DELIVERY_METHODS),
    ),
    "createdAt": st.one_of(
        _NOT_STRINGS,
        st.datetimes(min_value=datetime(2000, 1, 1)).map(lambda moment: moment.isoformat()),
        st.sampled_from(("yesterday", "2026-11-27", "27/11/2026 10:00", "", "2026-13-45T99:99:99Z")),
    ),
    "currency": st.one_of(
        _NOT_STRINGS,
        st.sampled_from(("sgd", "SG", "SGDX", "S1D", "", "€")),
        st.text(string.ascii_letters, min_size=0, max_size=6).filter(
            lambda text: not (len(text) == 3 and text.isupper())
        ),
    ),
    "items": st.one_of(
        _NOT_STRINGS.filter(lambda value: value != [] and not isinstance(value, list)),
        st.just([]),
        st.lists(st.one_of(st.integers(), unicode_text(max_size=5), st.none()), min_size=1, max_size=2),
    ),
    "money": st.one_of(
        _NOT_NUMBERS,
        NUMERIC_STRINGS,
        NEGATIVE_MONEY,
    ),
    "quantity": st.one_of(
        _NOT_NUMBERS,
        NUMERIC_STRINGS,
        st.integers(max_value=0),
        st.decimals(min_value=Decimal("0.01"), max_value=100, places=2).filter(
            lambda d: d != d.to_integral()
        ),
        st.integers(1, 100).map(lambda n: Decimal(n).quantize(Decimal("0.0"))),
    ),
    "plu": _NOT_STRINGS,
    "name": _NOT_STRINGS,
}


def invalid_value_kind(path: str) -> str:
    leaf = path.rsplit(".", 1)[-1]
    return "money" if leaf in ("totalPay", "unitPrice") else leaf


@dataclass(frozen=True, slots=True)
class BrokenOrder:
    """A valid order with one required field removed or given an invalid value."""

    value: dict[str, Any]
    path: str
    concrete_path: str
    how: str


def _locate(order: dict[str, Any], path: str, draw: st.DrawFn) -> tuple[Any, str, str]:
    """The container holding ``path``'s leaf, the leaf name, and the concrete path (indices drawn)."""
    container: Any = order
    concrete = ""
    segments = path.split(".")
    for segment in segments[:-1]:
        name = segment.removesuffix("[]")
        container = container[name]
        concrete += f".{name}"
        if segment.endswith("[]"):
            index = draw(st.integers(0, len(container) - 1))
            container = container[index]
            concrete += f"[{index}]"
    return container, segments[-1], f"{concrete}.{segments[-1]}".lstrip(".")


@st.composite
def broken_orders(draw: st.DrawFn, path: str, how: str) -> BrokenOrder:
    """An order whose field at ``path`` is removed (``how="missing"``), invalid (``"invalid"``), or, for
    money, a number written as a string (``"numeric-string"``) below zero (``"negative"``) or at the 10¹⁵ limit (``"at-limit"``)."""
    needs = OrderShape(need_modifier="modifiers" in path, need_combo="comboItems" in path)
    order = draw(orders(needs))
    container, leaf, concrete = _locate(order, path, draw)
    if how == "missing":
        del container[leaf]
    elif how == "numeric-string":
        container[leaf] = draw(NUMERIC_STRINGS)
    elif how == "negative":
        container[leaf] = draw(NEGATIVE_MONEY)
    elif how == "at-limit":
        container[leaf] = Decimal(10**15)
    else:
        container[leaf] = draw(INVALID_VALUES[invalid_value_kind(path)])
    return BrokenOrder(order, path, concrete, how)


MALFORMED_KINDS = (
    "not-json",
    "nul-character",
    "truncated",
    "trailing-garbage",
    "invalid-utf8",
    "not-an-object",
    "missing-envelope-field",
    "bad-outlet-id",
    "bad-event",
    "order-not-an-object",
    "order-syntax-error",
    "unknown-transformer",
)


@st.composite
def malformed_envelopes(
    draw: st.DrawFn, kind: str, outlet_id: str, known_transformers: Sequence[str]
) -> bytes:
    """A dispatch body that must be refused before anything happens; it names ``outlet_id`` when it can."""
    written = draw(written_orders(OrderShape(unknown_fields=False)))
    how = draw(envelope_styles())
    good = envelope(outlet_id, written.text, how)
    if kind == "not-json":
        return draw(
            st.one_of(
                st.binary(max_size=40).filter(lambda data: not _is_json_object(data)),
                st.sampled_from((b"", b"null", b"{", b"}", b"outletId=x&event=order.paid", b"{'a': 1}")),
            )
        )
    if kind == "nul-character":
        # Refused on purpose (cata_sandbox/api/hostile_input.py): PostgreSQL text cannot hold NUL, no POS wants it.
        where = draw(st.sampled_from(("orderRefNo", "notes", "name")))
        value = dict(written.value)
        if where == "name":
            value["items"] = [{**value["items"][0], "name": "Flat\x00White"}, *value["items"][1:]]
        else:
            value[where] = draw(unicode_text(max_size=5)) + "\x00" + draw(unicode_text(max_size=5))
        return envelope(outlet_id, write(value, written.style), how)
    if kind == "truncated":
        last = good.rindex(b"}")
        return good[: draw(st.integers(0, last))]
    if kind == "trailing-garbage":
        return good + draw(st.sampled_from((b"x", b"{}", b",", b"]", b'"', b"\x00", b"}")))
    if kind == "invalid-utf8":
        bad = draw(
            st.sampled_from((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88\x80\x80\x80"))
        )
        marker = b'"orderRefNo"'
        at = written.text.index(b":", written.text.index(marker) if marker in written.text else 0)
        quote = written.text.index(b'"', at) + 1
        text = written.text[:quote] + bad + written.text[quote:]
        return envelope(outlet_id, text, how)
    if kind == "not-an-object":
        return write(draw(st.one_of(st.lists(json_values(), max_size=3), unicode_text(), st.integers())))
    if kind == "missing-envelope-field":
        missing = draw(st.sampled_from(("outletId", "event", "order")))
        body: dict[str, Any] = {"outletId": outlet_id, "event": "order.paid", "order": RawJSON(written.text)}
        del body[missing]
        return write(body, how.style)
    if kind == "bad-outlet-id":
        wrong = draw(st.one_of(st.just(""), st.integers(), st.none(), st.just([outlet_id])))
        return write({"outletId": wrong, "event": "order.paid", "order": RawJSON(written.text)}, how.style)
    if kind == "bad-event":
        event = draw(
            st.one_of(
                unicode_text(max_size=15).filter(lambda text: text != "order.paid"),
                st.sampled_from(("order.Paid", "ORDER.PAID", "order.paid ", "order.refunded")),
            )
        )
        if draw(st.integers(0, 3)) == 0:
            return write(
                {"outletId": outlet_id, "event": draw(_NOT_STRINGS), "order": RawJSON(written.text)},
                how.style,
            )
        return envelope(outlet_id, written.text, how, event=event)
    if kind == "order-not-an-object":
        order = draw(st.one_of(st.lists(json_values(), max_size=3), unicode_text(), st.integers(), st.none()))
        return envelope(outlet_id, write(order), how)
    if kind == "order-syntax-error":
        text = written.text
        broken = draw(
            st.sampled_from(
                (
                    text[:-1] + b",}",
                    text.replace(b":", b"=", 1),
                    text.replace(b'"orderRefNo"', b"orderRefNo", 1),
                    text[:-1] + b',"tip":NaN}',
                    text[:-1] + b',"tip":Infinity}',
                    text[:-1] + b',"tip":01}',
                    text[:-1] + b',"tip":.5}',
                    text[:-1] + b',"x":"\\x"}',
                )
            ).filter(lambda candidate: candidate != text)
        )
        return envelope(outlet_id, broken, how)
    if kind == "unknown-transformer":
        name = draw(
            st.one_of(
                unicode_text(max_size=12).filter(lambda text: text not in known_transformers),
                st.sampled_from(("Revel", "REVEL", "lightspeed", "atlas", "")),
            ).filter(lambda text: text not in known_transformers)
        )
        return envelope(outlet_id, written.text, how, transformer=name)
    raise ValueError(f"unknown malformed kind {kind!r}")


def _is_number_text(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _is_json_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False
