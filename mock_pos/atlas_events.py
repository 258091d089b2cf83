"""Mock Atlas's outgoing order events ``{event_type, event_at, payload}`` and their retries.

Sent to the configured ``webhookUrl`` on admin command or on the configured schedule after each created
order. An answer other than 2xx (or no answer) is retried after each of ``retryDelaysSeconds`` in turn
(default 1, 5, 25 s), then given up; every attempt is recorded. ``payload`` is the order object with its
order-level money in decimal major units, as Atlas's order-event docs write it (``subtotal: 28.5``).
"""

from __future__ import annotations

import asyncio
import copy
from decimal import Decimal
from typing import Any

import msgspec

from mock_pos.atlas_check import MONEY_FIELDS
from mock_pos.atlas_state import AtlasEvent, epoch
from mock_pos.outbound import OutboundError
from mock_pos.state import MockPosState, rfc3339

NEW_STATE = {
    "order.confirmed": "confirmed",
    "order.dispatched": "dispatched",
    "order.completed": "completed",
    "order.cancelled": "cancelled",
}
_EXACT = msgspec.json.Encoder(decimal_format="number")


def event_payload(order: dict[str, Any]) -> dict[str, Any]:
    """The order as an event carries it: order-level cents → exact decimal major units."""
    payload = copy.deepcopy(order)
    for name in MONEY_FIELDS:
        value = payload.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            payload[name] = Decimal(value).scaleb(-2)
    return payload


async def attempt(state: MockPosState, event: AtlasEvent) -> dict[str, Any]:
    """One POST of the event; the attempt is recorded on it."""
    record: dict[str, Any] = {"at": rfc3339(state.clock())}
    headers = {"Content-Type": "application/json", "User-Agent": "Atlas-Webhooks (mock_pos)"}
    try:
        answered = await state.outbound.request("POST", event.url, headers=headers, content=event.body)
    except OutboundError as exc:
        record["error"] = str(exc)
    else:
        record["status"] = answered.status
        event.delivered = 200 <= answered.status < 300
    event.attempts.append(record)
    return record


async def _retry(state: MockPosState, event: AtlasEvent) -> None:
    for delay in list(state.atlas.config.retry_delays_seconds):
        await asyncio.sleep(delay)  # Atlas's own retry schedule, not a test wait
        await attempt(state, event)
        if event.delivered:
            return


async def emit(
    state: MockPosState, order_id: int, event_type: str, url: str | None = None
) -> AtlasEvent | None:
    """Apply the event to the order, send it once now, and keep retrying in the background if refused.

    None when there is nowhere to send it (no ``url`` given and no ``webhookUrl`` configured); the
    order's state still changes.
    """
    store = state.atlas
    order = store.orders[order_id]
    now = state.clock()
    if event_type in NEW_STATE:
        order["state"] = NEW_STATE[event_type]
        order["updated_at"] = epoch(now)
    target = url or store.config.webhook_url
    if target is None:
        return None
    body = _EXACT.encode(
        {"event_type": event_type, "event_at": rfc3339(now), "payload": event_payload(order)}
    )
    event = store.new_event(event_type, order_id, target, body)
    await attempt(state, event)
    if not event.delivered:
        store.spawn(_retry(state, event))
    return event


async def _later(state: MockPosState, order_id: int, event_type: str, after: float) -> None:
    await asyncio.sleep(after)  # the configured schedule
    await emit(state, order_id, event_type)


def schedule(state: MockPosState, order_id: int) -> None:
    """Start the configured events of a just-created order."""
    for planned in state.atlas.config.event_schedule:
        state.atlas.spawn(_later(state, order_id, planned.event_type, planned.after_seconds))
