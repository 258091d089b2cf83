"""Applying fulfilment changes: a status update from any source, and Revel's inbound order webhook.

The HTTP layer decodes and answers; this module decides and stores. Domain errors only: ``NotFound``
for an order the tenant does not have, :class:`inbound_revel.UnprocessableWebhook` for a webhook that
must be retried (the API turns it into a 5xx).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cata_sandbox.clock import Clock
from cata_sandbox.errors import NotFound
from cata_sandbox.fulfilment import inbound_revel
from cata_sandbox.fulfilment.states import FulfilmentStatus, next_status
from cata_sandbox.store import FulfilmentUpdate, StatusChange, StatusSkip, Store

log = logging.getLogger("cata_sandbox.lifecycle")


async def apply_status(
    store: Store,
    clock: Clock,
    tenant_id: str,
    order_id: str,
    requested: FulfilmentStatus,
    change: StatusChange,
) -> FulfilmentUpdate:
    """Run ``requested`` through the state machine and store it; the one path for every source."""
    update = await store.update_fulfilment(
        tenant_id,
        order_id,
        lambda current: next_status(order_id, current, requested),
        change,
        now=clock.now(),
    )
    if update.entry is not None:
        log.info(
            "status order=%s from=%s to=%s source=%s",
            order_id,
            update.previous_status,
            update.status,
            change.source,
        )
    return update


@dataclass(frozen=True, slots=True)
class InboundOutcome:
    """What an inbound webhook did to one order: skipped with a reason, or a status update."""

    order_id: str
    skipped: bool
    reason: str
    status: str | None
    update: FulfilmentUpdate | None = None


async def revel_order_finalized(store: Store, clock: Clock, tenant_id: str, body: bytes) -> InboundOutcome:
    """Revel's ``order.finalized`` body: the Cata order Revel knows as ``orderInfo.id`` → COMPLETED.

    Raises :class:`inbound_revel.UnprocessableWebhook` for a body to retry, ``NotFound`` for an order
    never dispatched to Revel.
    """
    finalized = inbound_revel.parse_finalized(body)
    order = await store.find_order_by_external_id(
        tenant_id, inbound_revel.TRANSFORMER, finalized.pos_order_id
    )
    if order is None:
        raise NotFound(f"no order dispatched to Revel as Revel order {finalized.pos_order_id}")
    mapping = await store.get_outlet_provider(tenant_id, order.outlet_id)
    dining_options = inbound_revel.configured_dining_options(
        order.outlet_id, mapping.settings if mapping else None
    )
    meaning = inbound_revel.interpret(finalized, dining_options)
    if isinstance(meaning, inbound_revel.Skip):
        skip = StatusSkip(
            source=inbound_revel.SOURCE,
            pos_order_id=finalized.pos_order_id,
            reason=meaning.reason,
            received_at=clock.now(),
        )
        await store.record_status_skip(tenant_id, order.id, skip)
        log.info("status order=%s skipped source=revel reason=%r", order.id, meaning.reason)
        return InboundOutcome(order.id, skipped=True, reason=meaning.reason, status=order.fulfilment_status)
    change = StatusChange(
        source=inbound_revel.SOURCE, pos_order_id=meaning.pos_order_id, occurred_at=meaning.occurred_at
    )
    update = await apply_status(store, clock, tenant_id, order.id, FulfilmentStatus.COMPLETED, change)
    return InboundOutcome(order.id, skipped=False, reason="", status=update.status, update=update)
