"""msgspec Structs of the wire formats: the dispatch envelope, the Cata Order JSON (v1), API bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import msgspec

NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]

EVENTS: dict[str, str] = {
    "order.paid": "Triggered when an order is paid and ready for fulfillment",
}


class DeliveryMethod(StrEnum):
    PICKUP = "PICKUP"
    DELIVERY = "DELIVERY"
    DINE_IN = "DINE_IN"


class Customer(msgspec.Struct, kw_only=True):
    firstName: str | None = None
    lastName: str | None = None
    phone: str | None = None
    email: str | None = None


class Payment(msgspec.Struct, kw_only=True):
    method: str | None = None
    transactionId: str | None = None
    paidAt: str | None = None


class Modifier(msgspec.Struct, kw_only=True):
    plu: str
    name: str
    quantity: PositiveInt = 1
    unitPrice: Decimal = Decimal(0)
    groupName: str | None = None


class Item(msgspec.Struct, kw_only=True):
    plu: str
    name: str
    quantity: PositiveInt
    unitPrice: Decimal
    notes: str | None = None
    modifiers: list[Modifier] = []
    comboItems: list[Item] = []


class Order(msgspec.Struct, kw_only=True):
    """The Cata Order JSON, v1. Unknown fields are allowed: the schema only grows."""

    orderRefNo: NonEmptyStr
    deliveryMethod: DeliveryMethod
    createdAt: AwareDatetime
    currency: Currency
    items: Annotated[list[Item], msgspec.Meta(min_length=1)]
    totalPay: Decimal
    expectedPickupAt: AwareDatetime | None = None
    customer: Customer | None = None
    deliveryAddress: dict[str, Any] | None = None
    subtotal: Decimal | None = None
    tax: Decimal | None = None
    serviceCharge: Decimal | None = None
    deliveryFee: Decimal | None = None
    discount: Decimal | None = None
    tip: Decimal | None = None
    payment: Payment | None = None
    notes: str | None = None


class DispatchEnvelope(msgspec.Struct, kw_only=True):
    """``order`` stays ``Raw``: the bytes exactly as the caller wrote them, for byte-for-byte HMAC."""

    outletId: NonEmptyStr
    event: str
    order: msgspec.Raw
    builtInTransformer: str | None = None


class ApiResponse(msgspec.Struct, kw_only=True):
    code: int
    isSuccess: bool
    message: str


class DispatchResponse(ApiResponse, kw_only=True):
    orderId: str
    externalOrderId: str
    dispatched: bool
    reason: str


class WebhookRegistration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    outletId: NonEmptyStr
    callbackUrl: NonEmptyStr
    provider: str = "cata"
    events: Annotated[list[str], msgspec.Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: ["order.paid"]
    )


class WebhookUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    callbackUrl: NonEmptyStr | None = None
    events: Annotated[list[str], msgspec.Meta(min_length=1)] | None = None
    isActive: bool | None = None


class WebhookView(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: int
    outletId: str
    provider: str
    callbackUrl: str
    events: list[str]
    isActive: bool
    createdAt: datetime
    updatedAt: datetime
    secret: str | None = None


class AttemptView(msgspec.Struct, kw_only=True):
    deliveryId: str
    route: str
    startedAt: datetime
    durationMs: float
    requestMethod: str
    requestUrl: str
    requestHeaders: dict[str, str]
    responseStatus: int | None
    responseHeaders: dict[str, str]
    responseBody: str
    dispatched: bool
    reason: str
    externalOrderId: str


class OrderView(msgspec.Struct, kw_only=True):
    orderId: str
    outletId: str
    event: str
    route: str | None
    builtInTransformer: str | None
    orderRefNo: str
    status: str
    reason: str
    externalOrderId: str
    createdAt: datetime
    updatedAt: datetime
    order: msgspec.Raw
    attempts: list[AttemptView] = []
