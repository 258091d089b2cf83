"""``Idempotency-Key`` on ``POST /api/v1/orders/dispatch``: a retried request is answered, not re-sent.

A key names at most one order per tenant. The engine claims it (a row with a unique primary key) in the
transaction that inserts the order, so two requests with one key — in one process or in two workers —
cannot both store and send: the second one's insert fails on the constraint and it replays instead.

Replaying needs no stored response: the first response is rebuilt from what the first request stored
(the order's first attempt, or the order itself when it was never sent). While the first request is
still in flight (its order is ``pending``), a second one waits for it, up to the dispatch budget and a
margin, and then answers 409 "still in progress". The same key with a different body is 409 at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cata_sandbox.clock import Clock
from cata_sandbox.errors import Conflict, InvalidRequest
from cata_sandbox.schemas import DispatchResponse
from cata_sandbox.store import Store, StoredOrder

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Visible ASCII only: the key is compared byte for byte and echoed in messages.
KEY_PATTERN = r"^[\x21-\x7e]+$"
_KEY = re.compile(KEY_PATTERN)
POLL_INTERVAL_S = 0.05
# How much longer than the dispatch budget a duplicate waits for the first request to finish.
WAIT_MARGIN_S = 5.0


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    """The key a request claims, with the fingerprint (SHA-256) of its body."""

    key: str
    fingerprint: str


class KeyAlreadyClaimed(Exception):
    """Another request of the tenant has claimed the key (raised by the engine instead of storing)."""


@dataclass(frozen=True, slots=True)
class FirstOutcome:
    """What the first request with a key answered: enough to rebuild its response."""

    order_id: str
    dispatched: bool
    reason: str
    external_order_id: str


def claim_for(key: str | None, body: bytes) -> IdempotencyClaim | None:
    """The claim of a request carrying ``key`` (None without one); 400 for a malformed key."""
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not _KEY.match(key):
        raise InvalidRequest(
            f"invalid {IDEMPOTENCY_HEADER} header: 1 to {MAX_KEY_LENGTH} visible ASCII characters"
            f" - at `{IDEMPOTENCY_HEADER}`"
        )
    return IdempotencyClaim(key=key, fingerprint=hashlib.sha256(body).hexdigest())


def response_of(outcome: FirstOutcome) -> DispatchResponse:
    return DispatchResponse(
        code=200,
        isSuccess=True,
        message="order dispatched" if outcome.dispatched else "order persisted but not dispatched",
        orderId=outcome.order_id,
        externalOrderId=outcome.external_order_id,
        dispatched=outcome.dispatched,
        reason=outcome.reason,
    )


async def replay(
    store: Store, tenant_id: str, claim: IdempotencyClaim, *, clock: Clock, wait_s: float
) -> DispatchResponse | None:
    """The first response for ``claim.key``, or None when no request has claimed the key yet.

    Raises :class:`Conflict` for a different body, and when the first request is still in flight after
    ``wait_s`` (or was cut off by a crash: its order stays ``pending`` until it is redispatched).
    """
    deadline = clock.monotonic() + wait_s
    while True:
        found = await store.find_idempotency_key(tenant_id, claim.key)
        if found is None:
            return None
        order_id, fingerprint = found
        if fingerprint != claim.fingerprint:
            raise Conflict(
                f"{IDEMPOTENCY_HEADER} {claim.key!r} was already used with a different request body"
                f" (order {order_id}) - at `{IDEMPOTENCY_HEADER}`"
            )
        outcome = await store.first_outcome(tenant_id, order_id)
        if outcome is not None:
            return response_of(FirstOutcome(order_id, *outcome))
        if clock.monotonic() >= deadline:
            raise Conflict(
                f"a request with {IDEMPOTENCY_HEADER} {claim.key!r} is still in progress (order {order_id}"
                " is pending); retry later - at `Idempotency-Key`"
            )
        await asyncio.sleep(POLL_INTERVAL_S)


async def dispatch_once(
    dispatch: Callable[[IdempotencyClaim], Awaitable[DispatchResponse]],
    store: Store,
    tenant_id: str,
    claim: IdempotencyClaim,
    *,
    clock: Clock,
    wait_s: float,
) -> tuple[DispatchResponse, bool]:
    """The answer to a request carrying ``claim``, and whether it replays an earlier request's answer.

    The first request with the key dispatches (``dispatch(claim)`` claims the key with the order); a
    concurrent one that loses the claim answers what the winner answers.
    """
    replayed = await replay(store, tenant_id, claim, clock=clock, wait_s=wait_s)
    if replayed is None:
        try:
            return await dispatch(claim), False
        except KeyAlreadyClaimed:
            replayed = await replay(store, tenant_id, claim, clock=clock, wait_s=wait_s)
            if replayed is None:
                raise Conflict(f"{IDEMPOTENCY_HEADER} {claim.key!r} is contended; retry") from None
    return replayed, True


async def claim_in(store: Store, conn: Any, order: StoredOrder, claim: IdempotencyClaim | None) -> None:
    """Claim the request's key for ``order`` inside the order's transaction (``conn``)."""
    if claim is not None:
        await store.claim_idempotency_key(
            conn,
            order.tenant_id,
            key=claim.key,
            fingerprint=claim.fingerprint,
            order_id=order.id,
            now=order.created_at,
        )
