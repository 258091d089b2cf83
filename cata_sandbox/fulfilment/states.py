"""The fulfilment state machine of an order, as pure functions (no I/O, no clock).

``PAID`` is set by the dispatch engine when an attempt dispatches; partners (and inbound POS
webhooks) move the order on from there::

    PAID → ACCEPTED → IN_PROGRESS → READY → DRIVER_PICKED_UP → COMPLETED
    PAID → REJECTED
    any non-terminal state → CANCELLED

Forward skips are allowed; backward moves and moves out of ``COMPLETED``, ``CANCELLED`` or
``REJECTED`` are refused; repeating the current status is an idempotent no-op.
"""

from __future__ import annotations

from enum import StrEnum

from cata_sandbox.errors import Conflict, InvalidRequest


class FulfilmentStatus(StrEnum):
    PAID = "PAID"
    ACCEPTED = "ACCEPTED"
    IN_PROGRESS = "IN_PROGRESS"
    READY = "READY"
    DRIVER_PICKED_UP = "DRIVER_PICKED_UP"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"


# The forward path, in order: a move is forward when it goes right along this tuple.
FORWARD: tuple[FulfilmentStatus, ...] = (
    FulfilmentStatus.PAID,
    FulfilmentStatus.ACCEPTED,
    FulfilmentStatus.IN_PROGRESS,
    FulfilmentStatus.READY,
    FulfilmentStatus.DRIVER_PICKED_UP,
    FulfilmentStatus.COMPLETED,
)
TERMINAL: frozenset[FulfilmentStatus] = frozenset(
    {FulfilmentStatus.COMPLETED, FulfilmentStatus.CANCELLED, FulfilmentStatus.REJECTED}
)
ALL_STATUSES: tuple[str, ...] = tuple(status.value for status in FulfilmentStatus)


def parse_status(text: str, *, at: str = "$.status") -> FulfilmentStatus:
    """The status named by ``text`` (exact, upper case); anything else is an :class:`InvalidRequest`."""
    try:
        return FulfilmentStatus(text)
    except ValueError:
        raise InvalidRequest(
            f"unknown status {text!r} - at `{at}` (one of {', '.join(ALL_STATUSES)})"
        ) from None


def refusal(current: FulfilmentStatus, requested: FulfilmentStatus) -> str | None:
    """Why ``current → requested`` is not allowed, or None when it is (repeats are allowed)."""
    if requested == current:
        return None
    if current in TERMINAL:
        return f"{current} is a final status"
    if requested == FulfilmentStatus.CANCELLED:
        return None
    if requested == FulfilmentStatus.REJECTED:
        return None if current == FulfilmentStatus.PAID else "only a PAID order can be rejected"
    if FORWARD.index(requested) < FORWARD.index(current):
        return "status cannot move backward"
    return None


def next_status(
    order_id: str, current: FulfilmentStatus | str | None, requested: FulfilmentStatus
) -> FulfilmentStatus | None:
    """The status to store for ``requested``, or None when the order already has it (idempotent repeat).

    Raises :class:`Conflict` naming both statuses for a move the machine does not allow, and for an
    order that was never dispatched (it has no fulfilment status yet).
    """
    if current is None:
        raise Conflict(f"order {order_id} has not been dispatched: it has no fulfilment status yet")
    current = FulfilmentStatus(current)
    if requested == current:
        return None
    why = refusal(current, requested)
    if why is not None:
        raise Conflict(f"cannot move order {order_id} from {current} to {requested}: {why}")
    return requested
