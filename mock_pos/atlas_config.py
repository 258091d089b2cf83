"""Mock Atlas Kitchen configuration: API key and merchant, outlets and channels, menu, webhook and events.

The same Structs decode ``PUT /__admin/atlas`` and hold the live configuration. Money is integer cents,
as in Atlas's Admin API.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from mock_pos.catalogue import CatalogueError

EventType = Literal[
    "order.created",
    "order.updated",
    "order.confirmed",
    "order.dispatched",
    "order.completed",
    "order.cancelled",
]
Seconds = Annotated[float, msgspec.Meta(ge=0, le=3600)]


class MenuItem(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A menu item (a sub-item such as a choice is an item too)."""

    id: int
    name: str
    price_cents: int


class Outlet(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An outlet and the channels orders may come in through."""

    id: int
    name: str
    channels: list[int]


class ScheduledEvent(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """An order event sent ``after_seconds`` after each order is created."""

    event_type: EventType
    after_seconds: Seconds = 0.0


def _default_schedule() -> list[ScheduledEvent]:
    return [ScheduledEvent(event_type="order.created")]


class AtlasConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """Everything mock Atlas is configured with."""

    api_key: str
    merchant_id: str
    currency: str = "SGD"
    menu_id: int = 1
    outlets: list[Outlet]
    items: list[MenuItem]
    webhook_url: str | None = None
    event_schedule: list[ScheduledEvent] = msgspec.field(default_factory=_default_schedule)
    retry_delays_seconds: list[Seconds] = msgspec.field(default_factory=lambda: [1.0, 5.0, 25.0])


def check_atlas_config(config: AtlasConfig) -> None:
    """Outlet and item ids are unique."""
    for name, ids in (("outlets", [o.id for o in config.outlets]), ("items", [i.id for i in config.items])):
        seen: set[int] = set()
        for index, value in enumerate(ids):
            if value in seen:
                raise CatalogueError(f"{name}[{index}].id", f"duplicate id {value}")
            seen.add(value)


def default_atlas_config() -> AtlasConfig:
    """The configuration mock Atlas serves until ``PUT /__admin/atlas`` replaces it (listed in the README)."""
    return AtlasConfig(
        api_key="sandbox-atlas-key",
        merchant_id="sandbox-merchant",
        outlets=[Outlet(id=3, name="Sandbox Kitchen Suntec", channels=[1, 2])],
        items=[
            MenuItem(id=380, name="Coffee", price_cents=400),
            MenuItem(id=381, name="Laksa", price_cents=1500),
            MenuItem(id=480, name="Kaya Toast", price_cents=500),
            MenuItem(id=496, name="Iced", price_cents=0),
            MenuItem(id=497, name="Extra Shot", price_cents=80),
        ],
    )
