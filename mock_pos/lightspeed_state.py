"""Mock Lightspeed's live state: OAuth codes and tokens, webhooks, accepted orders, notification faults.

Mutated only from the app's event loop. Ids and tokens never repeat within one app, even across a reset.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from mock_pos.lightspeed_config import LightspeedConfig, LightspeedItem, default_lightspeed_config

SCOPE = "orders-api"
NotificationMode = Literal["delay", "never", "twice", "failure"]
DEFAULT_FAILURE_REASON = "The order could not be delivered to the POS. (mock_pos notification fault)"


class WebhookRegistration(msgspec.Struct, forbid_unknown_fields=False, kw_only=True, rename="camel"):
    """``PUT /o/wh/1/webhook``: where order notifications for ``endpoint_id`` go."""

    endpoint_id: Annotated[str, msgspec.Meta(min_length=1)]
    url: Annotated[str, msgspec.Meta(min_length=1)]
    with_basic_auth: bool = False
    username: str | None = None
    password: str | None = None
    provide_account: bool = False
    expand_transactions: bool = False
    expand_payments: bool = False
    subscribe_to: list[dict[str, Any]] = []

    def view(self) -> dict[str, Any]:
        """The registration as read back: the password is never shown."""
        shown: dict[str, Any] = msgspec.to_builtins(self)
        shown.pop("password", None)
        return shown


class NotificationFault(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """A disturbance of the order notification that follows ``200 ok`` (not of the HTTP answer)."""

    mode: NotificationMode
    seconds: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 5.0
    reason: str = DEFAULT_FAILURE_REASON
    times: Annotated[int, msgspec.Meta(ge=1)] | None = None
    third_party_reference: str | None = None


@dataclass(slots=True)
class ActiveNotificationFault:
    """A notification fault set through the admin API, with how many orders it may still affect."""

    id: int
    spec: NotificationFault
    remaining: int | None

    def view(self) -> dict[str, Any]:
        """As served by ``GET /__admin/lightspeed/notification-faults``."""
        return {"id": self.id, **msgspec.to_builtins(self.spec), "remaining": self.remaining}


@dataclass(slots=True)
class LightspeedOrder:
    """An order mock Lightspeed accepted (``200 ok``) and what its notifications did since."""

    kind: str
    reference: str
    business_location_id: int
    endpoint_id: str
    body: Any
    exact_body: Any
    received_at: datetime
    total: Decimal
    account_id: str
    account_identifier: str
    status: str | None = None
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        """``GET /__admin/lightspeed/orders``: decimals as strings of their exact text."""
        return {
            "kind": self.kind,
            "thirdPartyReference": self.reference,
            "businessLocationId": self.business_location_id,
            "endpointId": self.endpoint_id,
            "status": self.status,
            "ikentooAccountId": self.account_id if self.delivered else None,
            "ikentooAccountIdentifier": self.account_identifier if self.delivered else None,
            "body": self.exact_body,
            "receivedAt": self.received_at.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"
            ),  # as the journal
            "notifications": self.notifications,
        }

    @property
    def delivered(self) -> bool:
        """Whether the POS took the order (a SUCCESS was decided), so the account exists."""
        return self.status not in (None, "FAILURE")


class LightspeedStore:
    """Configuration, credentials, registrations, orders and notification faults of mock Lightspeed."""

    FIRST_ACCOUNT_ID = 2114502594134196

    def __init__(self) -> None:
        self._accounts = itertools.count(self.FIRST_ACCOUNT_ID)
        self._fault_ids = itertools.count(1)
        self.tasks: set[asyncio.Task[None]] = set()
        self.reset()

    def reset(self) -> None:
        """Default configuration; no codes, tokens, webhooks, orders, faults or pending notifications."""
        for task in self.tasks:
            task.cancel()
        self.configure(default_lightspeed_config())
        self.codes: set[str] = set()
        self.access_tokens: dict[str, datetime] = {}
        self.refresh_tokens: set[str] = set()
        self.webhooks: dict[str, WebhookRegistration] = {}
        self.orders: dict[str, LightspeedOrder] = {}
        self.faults: list[ActiveNotificationFault] = []

    def configure(self, config: LightspeedConfig) -> None:
        """Replace the configuration (tokens, webhooks and orders stay)."""
        self.config = config
        self._catalogues = {
            location.id: {item.sku: item for item in location.items}
            for business in config.businesses
            for location in business.locations
        }
        self._modifiers = {
            location.id: set(location.modifier_ids)
            for business in config.businesses
            for location in business.locations
        }

    def catalogue(self, location_id: int) -> dict[str, LightspeedItem] | None:
        """A location's items by SKU, None if there is no such location."""
        return self._catalogues.get(location_id)

    def modifiers(self, location_id: int) -> set[str]:
        """The modifier ids a location knows."""
        return self._modifiers.get(location_id, set())

    # --- OAuth ----------------------------------------------------------------------------------

    def new_code(self) -> str:
        """A one-time authorization code, as ``/oauth/authorize`` would hand the integrator."""
        code = "code-" + secrets.token_urlsafe(12)
        self.codes.add(code)
        return code

    def issue_tokens(self, now: datetime) -> dict[str, Any]:
        """A new access/refresh token pair, in the OAuth2 token-response shape."""
        access, refresh = "ls-at-" + secrets.token_urlsafe(18), "ls-rt-" + secrets.token_urlsafe(18)
        lifetime = self.config.token_lifetime_seconds
        self.access_tokens[access] = now + timedelta(seconds=lifetime)
        self.refresh_tokens.add(refresh)
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(lifetime),
            "refresh_token": refresh,
            "scope": SCOPE,
        }

    def token_valid(self, token: str, now: datetime) -> bool:
        """Whether ``token`` was issued here and has not expired."""
        expires = self.access_tokens.get(token)
        return expires is not None and now < expires

    def expire_tokens(self, now: datetime) -> int:
        """Make every access token already expired (refresh tokens stay usable); returns how many."""
        for token in self.access_tokens:
            self.access_tokens[token] = now
        return len(self.access_tokens)

    # --- orders ---------------------------------------------------------------------------------

    def accept(self, order_fields: dict[str, Any], onto: LightspeedOrder | None = None) -> LightspeedOrder:
        """Keep an accepted order; its account ids (``onto``'s for a dine-in addition to an open account,
        else new ones) are announced by the SUCCESS notification."""
        if onto is not None:
            account_id, identifier = onto.account_id, onto.account_identifier
        else:
            number = next(self._accounts)
            account_id, identifier = str(number), f"A{number % 1000000}.{len(self.orders) + 1}"
        order = LightspeedOrder(account_id=account_id, account_identifier=identifier, **order_fields)
        self.orders[order.reference] = order
        return order

    def account_orders(self, identifier: str) -> list[LightspeedOrder]:
        """The delivered orders on the account with this identifier, oldest first (empty: no such account)."""
        return [o for o in self.orders.values() if o.delivered and o.account_identifier == identifier]

    def add_fault(self, spec: NotificationFault) -> ActiveNotificationFault:
        """Activate a notification fault."""
        fault = ActiveNotificationFault(next(self._fault_ids), spec, spec.times)
        self.faults.append(fault)
        return fault

    def take_fault(self, reference: str) -> NotificationFault | None:
        """The first notification fault that applies to this order, its count decremented."""
        for fault in self.faults:
            wanted = fault.spec.third_party_reference
            if fault.remaining != 0 and (wanted is None or wanted == reference):
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault.spec
        return None
