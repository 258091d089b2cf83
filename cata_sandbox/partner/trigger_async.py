"""``trigger`` for a POS that answers later: Lightspeed's ``200 ok`` only means accepted, and the outcome
(``SUCCESS`` → ACCEPTED with the account id, ``FAILURE`` → REJECTED with the reason) arrives by
notification. After dispatching, ``trigger`` polls each dispatched order (with a deadline) until its
fulfilment status leaves PAID, and shows what the POS decided.

``--fault notification:<mode>[:<arg>]`` plants mock Lightspeed's ``mock-notification:`` directive in the
order's notes: ``failure[:reason]`` (a FAILURE after ``200 ok``), ``delay:<s>``, ``never``, ``twice``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from cata_sandbox.partner.client import ApiError, SandboxClient

__all__ = ["ASYNC_PROVIDERS", "NOTIFICATION_MODES", "Outcome", "await_outcomes", "notification_directive"]

# Providers whose dispatch answer is not the outcome (the outcome comes by notification).
ASYNC_PROVIDERS = frozenset({"lightspeed"})
NOTIFICATION_MODES = ("failure", "delay", "never", "twice")
OUTCOME_WAIT_S = 15.0


def notification_directive(text: str) -> str | None:
    """``notification:failure:Kitchen closed`` → ``mock-notification:failure:Kitchen closed``; else None."""
    raw = text.strip()
    if not raw.startswith("notification:"):
        return None
    rest = raw[len("notification:") :]
    mode = rest.partition(":")[0]
    if mode not in NOTIFICATION_MODES:
        raise ValueError(f"unknown notification fault {mode!r} (one of {', '.join(NOTIFICATION_MODES)})")
    return f"mock-notification:{rest}"


@dataclass(frozen=True, slots=True)
class Outcome:
    order_id: str
    order_ref_no: str
    status: str | None  # None: still PAID when the wait ended
    detail: str

    @property
    def line(self) -> str:
        if self.status is None:
            return (
                f"  {self.order_ref_no}: no outcome yet (still PAID after {OUTCOME_WAIT_S:g}s): {self.detail}"
            )
        return f"  {self.order_ref_no}: {self.status}{f' ({self.detail})' if self.detail else ''}"


def _outcome(order_id: str, order: dict[str, object]) -> Outcome | None:
    status = order.get("fulfilmentStatus")
    ref = str(order.get("orderRefNo", ""))
    if status in (None, "PAID"):
        return None
    history = order.get("statusHistory")
    last = history[-1] if isinstance(history, list) and history and isinstance(history[-1], dict) else {}
    if status == "REJECTED":
        return Outcome(order_id, ref, "REJECTED", f"reason: {last.get('reason') or ''}")
    external = order.get("externalOrderId") or last.get("posOrderId") or ""
    return Outcome(order_id, ref, str(status), f"POS order {external}" if external else "")


def await_outcomes(
    client: SandboxClient,
    orders: list[tuple[str, str]],
    *,
    timeout: float = OUTCOME_WAIT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Each ``(order id, orderRefNo)``'s outcome, polling every 0.2 s until all have one or ``timeout``."""
    pending = dict(orders)
    found: dict[str, Outcome] = {}
    deadline = time.monotonic() + timeout
    while pending:
        for order_id in list(pending):
            try:
                order, _ = client.get_order(order_id)
            except ApiError:
                continue
            outcome = _outcome(order_id, order)
            if outcome is not None:
                found[order_id] = outcome
                del pending[order_id]
        if not pending or time.monotonic() >= deadline:
            break
        sleep(0.2)  # polling the service against a deadline
    for order_id, ref in pending.items():
        found[order_id] = Outcome(order_id, ref, None, "the POS's notification has not arrived")
    return [found[order_id] for order_id, _ in orders]
