"""Applying fulfilment changes: a status update from any source (the API, a POS's inbound webhook).

The HTTP layer decodes and answers; this module decides and stores. Domain errors only: ``NotFound``
for an order the tenant does not have. A POS's webhook is read in :mod:`cata_sandbox.fulfilment.inbound`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cata_sandbox.clock import Clock
from cata_sandbox.fulfilment.states import FulfilmentStatus, next_status
from cata_sandbox.store import FulfilmentUpdate, StatusChange, Store

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
