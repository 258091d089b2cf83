"""Mock Atlas's live state: configuration, created orders, and the order events it sent (with attempts).

Mutated only from the app's event loop. Order, line and event ids never repeat within one app.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mock_pos.atlas_config import AtlasConfig, MenuItem, Outlet, default_atlas_config


@dataclass(slots=True)
class AtlasEvent:
    """One order event and every attempt to deliver it."""

    id: int
    event_type: str
    order_id: int
    url: str
    body: bytes
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: bool = False

    def view(self) -> dict[str, Any]:
        """As served by ``GET /__admin/atlas/events``."""
        return {
            "id": self.id,
            "eventType": self.event_type,
            "orderId": self.order_id,
            "url": self.url,
            "delivered": self.delivered,
            "attempts": self.attempts,
        }


class AtlasStore:
    """Configuration, orders (by id, with an identifier index) and sent events of mock Atlas."""

    FIRST_ORDER_ID = 85

    def __init__(self) -> None:
        self._order_ids = itertools.count(self.FIRST_ORDER_ID)
        self.line_ids = itertools.count(214)
        self._event_ids = itertools.count(1)
        self.tasks: set[asyncio.Task[None]] = set()
        self.reset()

    def reset(self) -> None:
        """Default configuration, no orders, no events, nothing pending (ids keep counting)."""
        for task in self.tasks:
            task.cancel()
        self.configure(default_atlas_config())
        self.orders: dict[int, dict[str, Any]] = {}
        self.exact: dict[int, Any] = {}
        self.events: list[AtlasEvent] = []

    def configure(self, config: AtlasConfig) -> None:
        """Replace the configuration (orders and events stay)."""
        self.config = config
        self.menu: dict[int, MenuItem] = {item.id: item for item in config.items}
        self.outlets: dict[int, Outlet] = {outlet.id: outlet for outlet in config.outlets}

    def next_order_id(self) -> int:
        """A new order id."""
        return next(self._order_ids)

    def keep(self, order: dict[str, Any], exact_body: Any) -> None:
        """Keep a created order and the body it was made from (decimals as their exact text)."""
        self.orders[order["id"]] = order
        self.exact[order["id"]] = exact_body

    def by_identifier(self, identifier: str) -> dict[str, Any] | None:
        """An order by its ``identifier``."""
        return next((o for o in self.orders.values() if o["identifier"] == identifier), None)

    def new_event(self, event_type: str, order_id: int, url: str, body: bytes) -> AtlasEvent:
        """Record an event about to be sent."""
        event = AtlasEvent(next(self._event_ids), event_type, order_id, url, body)
        self.events.append(event)
        return event

    def spawn(self, work: Any) -> None:
        """Run a coroutine in the background, cancelled by a reset."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def epoch(moment: datetime) -> int:
    """Whole seconds since the epoch, as Atlas writes ``created_at``."""
    return int(moment.timestamp())
