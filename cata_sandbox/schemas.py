"""msgspec Structs of the wire formats: the dispatch envelope, the Cata Order JSON (v1), API bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec

__all__ = [
    "EVENTS",
    "ApiResponse",
    "AttemptView",
    "AwareDatetime",
    "Currency",
    "Customer",
    "DeliveryMethod",
    "DispatchEnvelope",
    "DispatchResponse",
    "Item",
    "Modifier",
    "NonEmptyStr",
    "Order",
    "OrderView",
    "OutletId",
    "OutletProviderInput",
    "OutletProviderView",
    "Payment",
    "PositiveInt",
    "ProviderName",
    "StatusEntryView",
    "StatusSkipView",
    "WebhookRegistration",
    "WebhookUpdate",
    "WebhookView",
]


NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1)]
# The columns that hold them are VARCHAR(200) / VARCHAR(50): PostgreSQL refuses longer values.
OutletId = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ProviderName = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
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

    outletId: OutletId
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
    outletId: OutletId
    callbackUrl: NonEmptyStr
    provider: ProviderName = "cata"
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


class PrecisionFindingView(msgspec.Struct, kw_only=True):
    """A price the POS received that differs from the order's exact decimal (in minor units)."""

    orderPath: str
    bodyPath: str
    order: str
    expected: str
    received: str
    message: str


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
    # Adapter-script routes: the script's error ("" when none), its context.log lines, and the prices
    # the POS received that differ from the order's (see the README, "Money in a JS transformer").
    scriptError: str = ""
    scriptLogs: list[str] = []
    precisionFindings: list[PrecisionFindingView] = []


class StatusEntryView(msgspec.Struct, kw_only=True):
    """One accepted fulfilment change of an order."""

    status: str
    previousStatus: str | None
    posOrderId: str | None
    reason: str | None
    source: str
    occurredAt: datetime
    recordedAt: datetime


class StatusSkipView(msgspec.Struct, kw_only=True):
    """An inbound POS status webhook that was acknowledged without a change, and why."""

    source: str
    posOrderId: str | None
    reason: str
    receivedAt: datetime


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
    fulfilmentStatus: str | None = None
    statusHistory: list[StatusEntryView] = []
    skippedStatusUpdates: list[StatusSkipView] = []


class OutletProviderInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of ``PUT /api/v1/outlet-providers/{outletId}``; ``settings`` is checked by the provider."""

    providerSlug: NonEmptyStr
    settings: dict[str, Any]
    externalId: str = ""


class OutletProviderView(msgspec.Struct, kw_only=True):
    """An outlet's provider mapping as shown: secret settings are left out, only named in ``secretsSet``."""

    outletId: str
    providerSlug: str
    externalId: str
    settings: dict[str, Any]
    secretsSet: list[str]
    createdAt: datetime
    updatedAt: datetime


class AdapterView(msgspec.Struct, kw_only=True):
    """One adapter script the service runs: ``source`` is ``builtin`` or the file's path."""

    provider: str
    topic: str
    version: str
    source: str
    hasInterpret: bool


ConnectionStatus = Literal["active", "inactive"]


class ProviderConnectionInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of ``PUT /api/v1/provider-connections/{slug}``: the tenant's credentials for one provider."""

    status: ConnectionStatus = "active"
    apiKey: str = ""
    apiSecret: str = ""
    webhookUrl: str = ""
    baseUrl: str = ""
    config: dict[str, Any] = {}


class ProviderConnectionView(msgspec.Struct, kw_only=True):
    """A provider connection as shown: ``apiKey`` / ``apiSecret`` (and secret config keys) are write-only."""

    providerSlug: str
    status: str
    webhookUrl: str
    baseUrl: str
    config: dict[str, Any]
    secretsSet: list[str]
    createdAt: datetime
    updatedAt: datetime
