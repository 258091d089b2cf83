"""Validation up front: decode the dispatch envelope, keep the order's raw bytes, check the order.

Why ``msgspec.Raw``: the order must reach the webhook byte for byte (the partner's HMAC is over those
bytes), so it is never decoded-and-re-encoded; it is decoded once, only to validate it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import msgspec

from cata_sandbox.bodytext import check_utf8
from cata_sandbox.errors import InvalidRequest
from cata_sandbox.schemas import EVENTS, DispatchEnvelope, Item, Order

Number = int | float
T = TypeVar("T")


class _ModifierMoney(msgspec.Struct):
    unitPrice: Number = 0


class _ItemMoney(msgspec.Struct):
    unitPrice: Number = 0
    modifiers: list[_ModifierMoney] = []
    comboItems: list[_ItemMoney] = []


class _OrderMoney(msgspec.Struct):
    """Only the money fields, typed as JSON numbers: ``Decimal`` alone would also take "12.50"."""

    totalPay: Number = 0
    items: list[_ItemMoney] = []
    subtotal: Number | None = None
    tax: Number | None = None
    serviceCharge: Number | None = None
    deliveryFee: Number | None = None
    discount: Number | None = None
    tip: Number | None = None


# Decoded only to check the JSON types; the values come from the Decimal decode, never from float.
_ORDER_MONEY = msgspec.json.Decoder(_OrderMoney)
_ENVELOPE = msgspec.json.Decoder(DispatchEnvelope)
_ORDER = msgspec.json.Decoder(Order)
_AT = re.compile(r"^(?P<text>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_NAMED_FIELD = re.compile(r"(?:missing required|contains unknown) field `(?P<name>[^`]+)`")
MONEY_LIMIT = Decimal(10**15)


@dataclass(frozen=True, slots=True)
class DispatchRequest:
    outlet_id: str
    event: str
    transformer: str | None
    order_bytes: bytes
    order: Order


def decode_dispatch(body: bytes) -> DispatchRequest:
    """The validated request, or :class:`InvalidRequest` naming the JSON path of the first problem."""
    try:
        envelope = _ENVELOPE.decode(body)
    except msgspec.ValidationError as exc:
        raise InvalidRequest(f"invalid dispatch request: {locate(str(exc))}") from exc
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        check_utf8(body)
        raise InvalidRequest(f"malformed JSON: {exc}") from exc
    # Raw is a view into the request buffer: copy it out at once.
    order_bytes = bytes(envelope.order)
    if not order_bytes.startswith(b"{"):
        raise InvalidRequest("invalid dispatch request: Expected `object` - at `$.order`")
    if envelope.event not in EVENTS:
        known = ", ".join(sorted(EVENTS))
        raise InvalidRequest(f"unknown event {envelope.event!r} - at `$.event` (known events: {known})")
    try:
        order_bytes.decode("utf-8")
    except UnicodeDecodeError:
        # Raw does not check UTF-8; the envelope's own strings did decode, so the first bad byte of the
        # whole body is this one, and the body gives the offset and path a partner can find.
        check_utf8(body)
        raise
    try:
        order = _ORDER.decode(order_bytes)
    except msgspec.ValidationError as exc:
        raise InvalidRequest("invalid order: " + locate(str(exc), "$.order")) from exc
    except msgspec.DecodeError as exc:
        raise InvalidRequest(f"malformed JSON in the order: {exc} - at `$.order`") from exc
    _check_money(order)
    try:
        _ORDER_MONEY.decode(order_bytes)
    except msgspec.ValidationError as exc:
        message = locate(str(exc), "$.order").replace("`int | float`", "`number`")
        raise InvalidRequest("invalid order: money must be a JSON number: " + message) from exc
    return DispatchRequest(
        outlet_id=envelope.outletId,
        event=envelope.event,
        transformer=envelope.builtInTransformer,
        order_bytes=order_bytes,
        order=order,
    )


def decode_body(decoder: msgspec.json.Decoder[T], body: bytes, what: str) -> T:
    """A request body decoded strictly (``0`` is no boolean, ``"1"`` no number), or a 400 naming the
    JSON path. Too-deep bodies raise on to the app's handlers, which answer 400 too."""
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise InvalidRequest(f"invalid {what}: {locate(str(exc))}") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        check_utf8(body)
        raise InvalidRequest(f"malformed JSON: {exc}") from None


def locate(message: str, root: str = "$") -> str:
    """A decoder's validation message with its JSON path under ``root``, ending in `` - at `<path>```.

    A missing or unknown field is named in the path (``Object missing required field `apiKey``` at
    ``$.settings`` → ``- at `$.settings.apiKey```), so every 400 names the field itself.
    """
    found = _AT.match(message)
    assert found is not None  # the pattern matches any text
    text, path = found["text"], root + (found["path"] or "")
    named = _NAMED_FIELD.search(text)
    if named is not None:
        path = f"{path}.{named['name']}"
    return f"{text} - at `{path}`"


def _check_amount(value: Decimal | None, path: str) -> None:
    if value is None:
        return
    if not value.is_finite():
        raise InvalidRequest(f"invalid order: Expected a finite number - at `{path}`")
    if value < 0:
        raise InvalidRequest(f"invalid order: Expected `number` >= 0 - at `{path}`")
    if value >= MONEY_LIMIT:
        # Decimal takes 1e999999999 in its stride; a POS (and any arithmetic on it) would not.
        raise InvalidRequest(f"invalid order: Expected `number` < 1e15 - at `{path}`")


def _check_item(item: Item, path: str) -> None:
    _check_amount(item.unitPrice, f"{path}.unitPrice")
    for index, modifier in enumerate(item.modifiers):
        _check_amount(modifier.unitPrice, f"{path}.modifiers[{index}].unitPrice")
    for index, combo in enumerate(item.comboItems):
        _check_item(combo, f"{path}.comboItems[{index}]")


def _check_money(order: Order) -> None:
    """msgspec cannot put bounds on Decimal fields, so the sign and finiteness are checked here."""
    for name in ("totalPay", "subtotal", "tax", "serviceCharge", "deliveryFee", "discount", "tip"):
        _check_amount(getattr(order, name), f"$.order.{name}")
    for index, item in enumerate(order.items):
        _check_item(item, f"$.order.items[{index}]")
