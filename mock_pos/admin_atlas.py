"""Admin API of mock Atlas Kitchen under ``/__admin/atlas``: configuration, orders, order events."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import RawBody

from mock_pos.admin import BadAdminInput, UnknownResource, decode_input
from mock_pos.atlas_config import AtlasConfig, EventType, check_atlas_config
from mock_pos.atlas_events import emit
from mock_pos.catalogue import CatalogueError
from mock_pos.state import MockPosState

_EXACT = msgspec.json.Encoder(decimal_format="number")


class EventInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """Body of ``POST /__admin/atlas/events``."""

    order_id: int
    event_type: EventType
    url: str | None = None


def _apply(mock: MockPosState, config: AtlasConfig) -> dict[str, Any]:
    try:
        check_atlas_config(config)
    except CatalogueError as exc:
        raise BadAdminInput(str(exc), exc.field) from exc
    mock.atlas.configure(config)
    shown: dict[str, Any] = msgspec.to_builtins(config)
    return shown


class AtlasAdmin(Controller):
    """Set up and observe mock Atlas Kitchen."""

    path = "/__admin/atlas"
    tags = ["admin"]

    @get("/")
    async def config(self, mock: NamedDependency[MockPosState]) -> dict[str, Any]:
        """The configuration."""
        shown: dict[str, Any] = msgspec.to_builtins(mock.atlas.config)
        return shown

    @put("/")
    async def configure(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Replace the whole configuration."""
        return _apply(mock, decode_input(body, AtlasConfig))

    @patch("/")
    async def amend(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Change some top-level settings (``webhookUrl``, ``eventSchedule``, ...), keeping the rest."""
        changes = decode_input(body, dict[str, Any])
        merged = {**msgspec.to_builtins(mock.atlas.config), **changes}
        return _apply(mock, decode_input(msgspec.json.encode(merged), AtlasConfig))

    @get("/orders")
    async def orders(self, mock: NamedDependency[MockPosState]) -> Response[bytes]:
        """Created orders: ``{"order": <the order object>, "body": <what was sent, decimals exact>}``."""
        shown = [{"order": order, "body": mock.atlas.exact[oid]} for oid, order in mock.atlas.orders.items()]
        return Response(_EXACT.encode(shown), media_type="application/json")

    @post("/events", status_code=200)
    async def send_event(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Send an order event now (retried later if refused); returns it with its first attempt."""
        request: EventInput = decode_input(body, EventInput)
        if request.order_id not in mock.atlas.orders:
            raise UnknownResource(f"order {request.order_id} does not exist", "orderId")
        if request.url is None and mock.atlas.config.webhook_url is None:
            raise BadAdminInput("no url given and no webhookUrl configured", "url")
        event = await emit(mock, request.order_id, request.event_type, request.url)
        assert event is not None
        return event.view()

    @get("/events")
    async def events(self, mock: NamedDependency[MockPosState]) -> list[dict[str, Any]]:
        """Every event sent, with its attempts (``{"at", "status"}`` or ``{"at", "error"}``)."""
        return [event.view() for event in mock.atlas.events]
