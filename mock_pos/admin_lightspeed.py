"""Admin API of mock Lightspeed under ``/__admin/lightspeed``: configuration, OAuth, orders, notifications."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, RawBody

from mock_pos.admin import BadAdminInput, UnknownResource, decode_input
from mock_pos.catalogue import CatalogueError
from mock_pos.lightspeed_config import LightspeedConfig, check_lightspeed_config
from mock_pos.lightspeed_notify import send
from mock_pos.lightspeed_state import NotificationFault
from mock_pos.state import MockPosState

NotifyStatus = Literal[
    "SUCCESS", "FAILURE", "READY_FOR_PICKUP", "IN_DELIVERY", "CLOSED", "CANCELLED", "ABANDONED"
]


class NotifyInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """Body of ``POST /__admin/lightspeed/notify``."""

    third_party_reference: str
    status: NotifyStatus
    reason: str | None = None


def _apply(mock: MockPosState, config: LightspeedConfig) -> dict[str, Any]:
    try:
        check_lightspeed_config(config)
    except CatalogueError as exc:
        raise BadAdminInput(str(exc), exc.field) from exc
    mock.lightspeed.configure(config)
    shown: dict[str, Any] = msgspec.to_builtins(config)
    return shown


class LightspeedAdmin(Controller):
    """Set up and observe mock Lightspeed."""

    path = "/__admin/lightspeed"
    tags = ["admin"]

    @get("/")
    async def config(self, mock: NamedDependency[MockPosState]) -> dict[str, Any]:
        """The configuration (prices as decimal strings)."""
        shown: dict[str, Any] = msgspec.to_builtins(mock.lightspeed.config)
        return shown

    @put("/")
    async def configure(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Replace the whole configuration: client credentials, businesses and catalogues, timings."""
        return _apply(mock, decode_input(body, LightspeedConfig))

    @patch("/")
    async def amend(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Change some top-level settings (e.g. ``tokenLifetimeSeconds``), keeping the rest."""
        changes = decode_input(body, dict[str, Any])
        merged = {**msgspec.to_builtins(mock.lightspeed.config), **changes}
        return _apply(mock, decode_input(msgspec.json.encode(merged), LightspeedConfig))

    @post("/authorize", status_code=201)
    async def authorize(self, mock: NamedDependency[MockPosState]) -> dict[str, str]:
        """A one-time authorization code, as if the merchant had approved ``/oauth/authorize``."""
        return {"code": mock.lightspeed.new_code()}

    @post("/tokens", status_code=201)
    async def tokens(self, mock: NamedDependency[MockPosState]) -> dict[str, Any]:
        """A fresh token pair without the OAuth dance (for seeding a connection)."""
        return mock.lightspeed.issue_tokens(mock.clock())

    @post("/tokens/expire", status_code=200)
    async def expire(self, mock: NamedDependency[MockPosState]) -> dict[str, int]:
        """Expire every access token now (refresh tokens stay good)."""
        return {"expired": mock.lightspeed.expire_tokens(mock.clock())}

    @get("/webhooks")
    async def webhooks(self, mock: NamedDependency[MockPosState]) -> list[dict[str, Any]]:
        """Registered notification endpoints (passwords not shown)."""
        return [registration.view() for registration in mock.lightspeed.webhooks.values()]

    @get("/orders")
    async def orders(self, mock: NamedDependency[MockPosState]) -> list[dict[str, Any]]:
        """Accepted orders with their notifications, decimals as strings of their exact text."""
        return [order.view() for order in mock.lightspeed.orders.values()]

    @post("/notify", status_code=200)
    async def notify(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Send a notification for an accepted order now; returns what its endpoint answered."""
        request: NotifyInput = decode_input(body, NotifyInput)
        order = mock.lightspeed.orders.get(request.third_party_reference)
        if order is None:
            raise UnknownResource(
                f"no order with thirdPartyReference {request.third_party_reference}", "thirdPartyReference"
            )
        return await send(mock, order, request.status, request.reason)

    @post("/notification-faults", status_code=201)
    async def add_fault(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Disturb the outcome notification of the next matching orders (delay, never, twice, failure)."""
        spec: NotificationFault = decode_input(body, NotificationFault)
        return mock.lightspeed.add_fault(spec).view()

    @get("/notification-faults")
    async def faults(self, mock: NamedDependency[MockPosState]) -> list[dict[str, Any]]:
        """Active notification faults with their remaining counts."""
        return [fault.view() for fault in mock.lightspeed.faults]

    @delete("/notification-faults/{fault_id:int}")
    async def remove_fault(self, mock: NamedDependency[MockPosState], fault_id: FromPath[int]) -> None:
        """Remove one notification fault."""
        before = len(mock.lightspeed.faults)
        mock.lightspeed.faults = [fault for fault in mock.lightspeed.faults if fault.id != fault_id]
        if len(mock.lightspeed.faults) == before:
            raise UnknownResource(f"notification fault {fault_id} does not exist", "id")
