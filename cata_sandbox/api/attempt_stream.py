"""The attempt stream: Server-Sent Events of a tenant's delivery attempts, as they are recorded.

Each event is ``event: attempt``, ``id: <feed number>`` and one JSON object. A client that reconnects with
``Last-Event-ID: <the last id it saw>`` gets exactly the attempts after it (the feed is in commit order,
see :mod:`cata_sandbox.store.attempt_feed`); without it the stream starts with the next attempt. The
stream reads the feed after its last number whenever this process records an attempt, and every
``poll_s`` seconds for attempts other workers recorded; a comment every ``keepalive_s`` seconds keeps
idle connections open through proxies. It ends when the service stops (:func:`end_streams`), so a
shutdown is never held up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Litestar
from litestar.response import ServerSentEventMessage

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.store import Store, attempt_feed
from cata_sandbox.store.attempt_feed import AttemptSignal, FeedEntry

EVENT = "attempt"
RETRY_MS = 1000
POLL_S = 1.0
KEEPALIVE_S = 15.0
BATCH = 100


class AttemptEvent(msgspec.Struct, kw_only=True):
    """The data of one ``attempt`` event (also the schema the OpenAPI document shows)."""

    seq: int
    deliveryId: str
    orderId: str
    orderRefNo: str
    outletId: str
    route: str
    startedAt: str
    durationMs: float
    requestUrl: str
    responseStatus: int | None
    dispatched: bool
    reason: str
    externalOrderId: str


def event_of(entry: FeedEntry) -> AttemptEvent:
    return AttemptEvent(
        seq=entry.seq,
        deliveryId=entry.delivery_id,
        orderId=entry.order_id,
        orderRefNo=entry.order_ref_no,
        outletId=entry.outlet_id,
        route=entry.route,
        startedAt=entry.started_at.isoformat(),
        durationMs=round(entry.duration_ms, 1),
        requestUrl=entry.request_url,
        responseStatus=entry.response_status,
        dispatched=entry.dispatched,
        reason=entry.reason,
        externalOrderId=entry.external_order_id,
    )


async def attempt_events(
    store: Store,
    tenant_id: str,
    *,
    outlet_id: str | None,
    after: int | None,
    poll_s: float = POLL_S,
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[ServerSentEventMessage]:
    """The stream's messages, from the attempt after ``after`` (None: from now) until the service stops."""
    signal: AttemptSignal = store.attempts_recorded
    last = after if after is not None else await attempt_feed.latest(store.engine, tenant_id)
    # The first message says where the stream starts, so even an idle stream shows it is connected.
    yield ServerSentEventMessage(data=None, comment=f"attempts after {last}", retry=RETRY_MS)
    idle = 0.0
    while not signal.closed:
        entries = await attempt_feed.read_after(
            store.engine, tenant_id, last, outlet_id=outlet_id, limit=BATCH
        )
        for entry in entries:
            last = entry.seq
            data = msgspec.json.encode(event_of(entry)).decode()
            yield ServerSentEventMessage(data=data, event=EVENT, id=entry.seq)
        if len(entries) == BATCH:
            continue
        if entries:
            idle = 0.0
        elif idle >= keepalive_s:
            idle = 0.0
            yield ServerSentEventMessage(data=None, comment="keepalive")
        loop_started = SYSTEM_CLOCK.monotonic()
        await signal.wait(poll_s)
        idle += SYSTEM_CLOCK.monotonic() - loop_started


def end_streams(app: Any) -> None:
    """End every attempt stream of ``app`` (a Litestar app, or an ASGI app wrapping one)."""
    while not isinstance(app, Litestar) and hasattr(app, "app"):
        app = app.app
    services = getattr(app.state, "services", None) if isinstance(app, Litestar) else None
    if services is not None:
        services.store.attempts_recorded.close()
