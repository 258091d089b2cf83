"""Revel Systems: a Cata order as one Weborder cart submit (``POST {baseUrl}/specialresources/cart/submit``).

What is mapped, and from where (see the README, "Path 2: built-in transformers (Revel)"):

- every item, modifier and combo item becomes a Revel product id: ``productIdByPlu[plu]`` when the
  outlet's settings map it, else the ``plu`` itself when it is all ASCII digits; anything else makes the
  order unmappable (:class:`UnmappableOrder` naming the item), and the POS is never called;
- prices stay ``Decimal`` from the order's JSON text to the cart's JSON text (encoded with
  ``decimal_format="number"``): ``5.50`` goes out as ``5.50``, never through a float;
- the body is sent with ``Content-Type: text/plain`` (Revel answers "Unhandled error" to JSON).

Not mapped: ``subtotal``, ``tax``, ``serviceCharge``, ``deliveryFee``, ``discount`` and
``deliveryAddress``. Revel's ``serviceFees[]`` and ``discounts[]`` need per-tenant Revel aliases and
barcodes the Cata order does not carry, and the address shape of the order is not fixed; the payment
still carries the full ``totalPay``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar

import msgspec

from cata_sandbox.classify import Outcome, body_error_message, decode_json_object, external_id_from
from cata_sandbox.schemas import Item, Modifier, Order
from cata_sandbox.transformers.base import OutboundRequest, UnmappableOrder

__all__ = ["AUTH_HEADER", "SUBMIT_PATH", "DiningOptionIds", "RevelSettings", "RevelTransformer"]

SUBMIT_PATH = "/specialresources/cart/submit"
AUTH_HEADER = "API-AUTHENTICATION"
DEFAULT_PAYMENT_TYPE = 7
_MAX_PRODUCT_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")
# Decimals are written as JSON numbers from their own text: 1.005 stays 1.005, 27.00 stays 27.00.
_ENCODER = msgspec.json.Encoder(decimal_format="number")

BaseUrl = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/?#@]+(/[^\s?#]*)?$")]
# Header-safe: no control characters (a CR/LF would split the header); the key cannot hold the colon.
# At least 8 characters: secrets are redacted from reasons and attempts by substitution, so a one-letter
# credential would blot that letter out of every message (Revel's own keys are far longer).
ApiKey = Annotated[str, msgspec.Meta(min_length=8, pattern=r"^[^\x00-\x1f\x7f:]+$")]
ApiSecret = Annotated[str, msgspec.Meta(min_length=8, pattern=r"^[^\x00-\x1f\x7f]+$")]
RevelId = Annotated[int, msgspec.Meta(ge=1, le=_MAX_PRODUCT_ID)]
DiningOptionId = Annotated[int, msgspec.Meta(ge=0)]


class DiningOptionIds(msgspec.Struct, forbid_unknown_fields=True):
    """The outlet's Revel dining option for each Cata ``deliveryMethod``; all three are required."""

    PICKUP: DiningOptionId
    DELIVERY: DiningOptionId
    DINE_IN: DiningOptionId


class RevelSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Per-outlet Revel settings. ``apiKey`` and ``apiSecret`` are write-only."""

    baseUrl: BaseUrl
    apiKey: ApiKey
    apiSecret: ApiSecret
    establishmentId: RevelId
    diningOptionIds: DiningOptionIds
    paymentType: int = DEFAULT_PAYMENT_TYPE
    # Without it (or for a plu it does not list), an all-digits plu is the Revel product id.
    productIdByPlu: dict[str, RevelId] | None = None


class RevelTransformer:
    """Cata order → Revel Weborder cart submit; Revel's answer → dispatched / message / order id."""

    slug: ClassVar[str] = "revel"
    settings_type: ClassVar[type[msgspec.Struct]] = RevelSettings
    secret_settings: ClassVar[frozenset[str]] = frozenset({"apiKey", "apiSecret"})

    def build_request(self, order: Order, settings: Any, event: str) -> OutboundRequest:
        if not isinstance(settings, RevelSettings):
            raise TypeError(f"RevelTransformer needs RevelSettings, got {type(settings).__name__}")
        cart = {
            "skin": "weborder",
            "establishmentId": settings.establishmentId,
            "customMenuInfo": {"mode": 0, "name": ""},
            "items": [
                _cart_item(item, settings, label=f"item {index + 1}", path=f"$.order.items[{index}]")
                for index, item in enumerate(order.items)
            ],
            "orderInfo": _order_info(order, settings),
            "paymentInfo": {
                "type": settings.paymentType,
                "amount": order.totalPay,
                "tip": order.tip if order.tip is not None else 0,
                "transaction_id": _transaction_id(order),
            },
        }
        return OutboundRequest(
            method="POST",
            url=settings.baseUrl.rstrip("/") + SUBMIT_PATH,
            headers={
                AUTH_HEADER: f"{settings.apiKey}:{settings.apiSecret}",
                "Accept": "application/json",
                # Revel's cart API answers "Unhandled error" to application/json.
                "Content-Type": "text/plain",
            },
            body=_ENCODER.encode(cart),
            secret_headers=frozenset({AUTH_HEADER}),
        )

    def interpret_response(self, status: int, headers: Mapping[str, str], body: bytes) -> Outcome:
        """``{"status":"OK","data":{"orderId":N}}`` is success; ``status: ERROR`` (any error shape) is not.

        A 2xx whose body is not a JSON object counts as dispatched without an id, the engine's generic
        rule: the seed calls a dispatch failed only on a non-2xx, a body that says so, or the transport.
        """
        document = decode_json_object(body)
        if document is None:
            return Outcome(dispatched=True)
        message = body_error_message(document)
        if message is not None:
            return Outcome(dispatched=False, message=message)
        data = document.get("data")
        external_id = external_id_from(data, "orderId") if isinstance(data, dict) else ""
        return Outcome(dispatched=True, external_order_id=external_id or external_id_from(document))


def _transaction_id(order: Order) -> str:
    """The payment's own id; without one the order reference, unique per order on Cata's side."""
    paid = order.payment.transactionId if order.payment is not None else None
    return paid or order.orderRefNo


def _quote(text: str) -> str:
    return msgspec.json.encode(text).decode()


def _product_id(plu: str, name: str, settings: RevelSettings, *, label: str, path: str) -> int:
    mapping = settings.productIdByPlu
    if mapping is not None and plu in mapping:
        return mapping[plu]
    if _DIGITS.fullmatch(plu) and 1 <= int(plu) <= _MAX_PRODUCT_ID:
        return int(plu)
    if mapping is None:
        problem = "no Revel product id: the plu is not numeric and the outlet has no productIdByPlu"
    else:
        problem = "no Revel product id in productIdByPlu"
    raise UnmappableOrder(f"{label} (plu {_quote(plu)}, {_quote(name)}): {problem} - at `{path}.plu`")


def _modifier_item(
    modifier: Modifier, parent_id: int, settings: RevelSettings, *, label: str, path: str
) -> dict[str, Any]:
    return {
        "modifier": _product_id(modifier.plu, modifier.name, settings, label=label, path=path),
        "product_id": parent_id,
        "modifier_price": modifier.unitPrice,
        "qty": modifier.quantity,
        "qty_type": 0,
        "mod_type": 0,
    }


def _cart_item(item: Item, settings: RevelSettings, *, label: str, path: str) -> dict[str, Any]:
    """One Revel cart item; a combo (an item with ``comboItems``) carries them as one products set."""
    product_id = _product_id(item.plu, item.name, settings, label=label, path=path)
    entry: dict[str, Any] = {"product": product_id, "quantity": item.quantity, "price": item.unitPrice}
    if item.comboItems:
        entry["is_combo"] = True
    entry |= {
        "special_request": item.notes or "",
        "product_name_override": "",
        "product_sub_id": "",
        "has_upsell": False,
        "modifieritems": [
            _modifier_item(
                modifier,
                product_id,
                settings,
                label=f"{label} modifier {index + 1}",
                path=f"{path}.modifiers[{index}]",
            )
            for index, modifier in enumerate(item.modifiers)
        ],
        "products_sets": None,
    }
    if item.comboItems:
        entry["products_sets"] = [
            {
                "id": product_id,
                "name": item.name,
                "products": [
                    _cart_item(
                        combo_item,
                        settings,
                        label=f"{label} combo item {index + 1}",
                        path=f"{path}.comboItems[{index}]",
                    )
                    for index, combo_item in enumerate(item.comboItems)
                ],
            }
        ]
    return entry


def _local_time(moment: datetime) -> str:
    """Revel's offset-less ``YYYY-MM-DDTHH:MM:SS``, as the wall time in the order's own offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _order_info(order: Order, settings: RevelSettings) -> dict[str, Any]:
    info: dict[str, Any] = {
        "dining_option": getattr(settings.diningOptionIds, order.deliveryMethod.value),
        "asap": order.expectedPickupAt is None,
    }
    if order.expectedPickupAt is not None:
        info["pickup_time"] = _local_time(order.expectedPickupAt)
    info |= {
        "created_date": _local_time(order.createdAt),
        "notes": order.notes or "",
        # The order reference is what staff call out and what ties Revel's order back to Cata's.
        "call_name": order.orderRefNo,
    }
    if order.customer is not None:
        customer = order.customer
        info["customer"] = {
            "first_name": customer.firstName or "",
            "last_name": customer.lastName or "",
            "email": customer.email or "",
            "phone": customer.phone or "",
        }
    return info
