"""Random sequences of status updates, concurrent pairs included, against a model of the state machine.

The service runs on loopback over SQLite and PostgreSQL; after every step the stored fulfilment status
and the whole status history must equal the model's. Two updates fired at once may be applied in either
order, but the history must be exactly one of the two serializations: nothing lost, nothing interleaved.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tests.support import API_KEY, ORDER, MockPos, Sandbox, connect_receiver, envelope

FORWARD = ["PAID", "ACCEPTED", "IN_PROGRESS", "READY", "DRIVER_PICKED_UP", "COMPLETED"]
KNOWN = [*FORWARD, "CANCELLED", "REJECTED"]
FINAL = {"COMPLETED", "CANCELLED", "REJECTED"}
STATUS_TEXT = st.one_of(st.sampled_from(KNOWN), st.sampled_from(KNOWN), st.sampled_from(["SHIPPED", "ready"]))
BASE_TIME = datetime(2026, 4, 29, 14, 0, tzinfo=timezone(timedelta(hours=8)))
MACHINE_SETTINGS = settings(
    max_examples=15,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def expected(current: str | None, requested: str) -> tuple[int, str | None]:
    """The model: (HTTP status, status afterwards)."""
    if requested not in KNOWN:
        return 400, current
    if current is None:
        return 409, current
    if requested == current:
        return 200, current
    if current in FINAL:
        return 409, current
    if requested == "CANCELLED":
        return 200, requested
    if requested == "REJECTED":
        return (200, requested) if current == "PAID" else (409, current)
    if FORWARD.index(requested) > FORWARD.index(current):
        return 200, requested
    return 409, current


@dataclass(frozen=True)
class Entry:
    status: str
    previous: str | None
    pos_order_id: str | None
    reason: str | None
    source: str
    occurred_at: datetime | None  # None: "when it was recorded"


@dataclass(frozen=True)
class Update:
    body: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.body["status"])

    def entry(self, previous: str | None) -> Entry:
        stamp = self.body.get("timestamp")
        return Entry(
            status=self.status,
            previous=previous,
            pos_order_id=self.body["posOrderId"],
            reason=self.body["reason"],
            source="api",
            occurred_at=datetime.fromisoformat(stamp) if stamp else None,
        )


def observed_entry(raw: dict[str, Any]) -> Entry:
    occurred = datetime.fromisoformat(raw["occurredAt"])
    recorded = datetime.fromisoformat(raw["recordedAt"])
    return Entry(
        status=raw["status"],
        previous=raw["previousStatus"],
        pos_order_id=raw["posOrderId"],
        reason=raw["reason"],
        source=raw["source"],
        occurred_at=None if occurred == recorded else occurred,
    )


def replay(
    status: str | None, history: list[Entry], steps: list[tuple[Update, httpx.Response]]
) -> tuple[str | None, list[Entry]] | None:
    """The state after ``steps`` in this order, or None when the answers contradict this order."""
    history = list(history)
    for update, response in steps:
        code, after = expected(status, update.status)
        if response.status_code != code:
            return None
        if code == 200 and response.json()["previousStatus"] != status:
            return None
        if code == 200 and after != status:
            history.append(update.entry(status))
        status = after
    return status, history


class StatusMachine(RuleBasedStateMachine):
    def __init__(self, sandbox: Sandbox, outlet_id: str, pool: ThreadPoolExecutor) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.outlet_id = outlet_id
        self.pool = pool
        self.order_id = ""
        self.status: str | None = None
        self.history: list[Entry] = []
        self.tags = 0

    def _update(self, status: str, *, timestamped: bool) -> Update:
        self.tags += 1
        body: dict[str, Any] = {
            "status": status,
            "posOrderId": f"pos-{self.tags}",
            "reason": f"step {self.tags}",
        }
        if timestamped:
            body["timestamp"] = (BASE_TIME + timedelta(seconds=self.tags)).isoformat()
        return Update(body)

    def _post(self, update: Update, client: httpx.Client | None = None) -> httpx.Response:
        return (client or self.sandbox.client).post(
            f"/api/v1/orders/{self.order_id}/status", json=update.body
        )

    @initialize(dispatched=st.integers(0, 5).map(bool))
    def new_order(self, dispatched: bool) -> None:
        outlet = self.outlet_id if dispatched else "outlet-without-route"
        response = self.sandbox.dispatch(envelope(outlet, msgspec.json.encode(ORDER)))
        assert response.json()["dispatched"] is dispatched, response.text
        self.order_id = response.json()["orderId"]
        if dispatched:
            self.status = "PAID"
            pos_order_id = response.json()["externalOrderId"]
            self.history = [Entry("PAID", None, pos_order_id, None, "dispatch", None)]

    @rule(status=STATUS_TEXT, timestamped=st.booleans())
    def update(self, status: str, timestamped: bool) -> None:
        update = self._update(status, timestamped=timestamped)
        response = self._post(update)
        after = replay(self.status, self.history, [(update, response)])
        assert after is not None, (self.status, status, response.status_code, response.text)
        self.status, self.history = after

    @rule(first=st.sampled_from(KNOWN), second=st.sampled_from(KNOWN), timestamped=st.booleans())
    def concurrent_pair(self, first: str, second: str, timestamped: bool) -> None:
        a = self._update(first, timestamped=timestamped)
        b = self._update(second, timestamped=timestamped)
        barrier = threading.Barrier(2)

        def fire(update: Update) -> httpx.Response:
            with httpx.Client(
                base_url=self.sandbox.url, headers={"X-Api-Key": API_KEY}, timeout=30
            ) as client:
                client.get("/health")  # connect before the barrier, so both requests leave together
                barrier.wait(timeout=10)
                return self._post(update, client)

        ra, rb = self.pool.map(fire, [a, b])
        stored = self._observe()
        orders = [[(a, ra), (b, rb)], [(b, rb), (a, ra)]]
        candidates = [
            c for c in (replay(self.status, self.history, steps) for steps in orders) if c is not None
        ]
        assert stored in candidates, (
            f"{first} ({ra.status_code}) and {second} ({rb.status_code}) from {self.status}: stored {stored}"
        )
        self.status, self.history = stored

    def _observe(self) -> tuple[str | None, list[Entry]]:
        order = self.sandbox.order(self.order_id)
        return order["fulfilmentStatus"], [observed_entry(raw) for raw in order["statusHistory"]]

    @invariant()
    def stored_equals_model(self) -> None:
        if self.order_id:
            assert self._observe() == (self.status, self.history)


def test_status_updates_never_diverge_from_the_model(sandbox: Sandbox, mock_pos: MockPos) -> None:
    connect_receiver(sandbox, mock_pos, "outlet-1", "r1")
    with ThreadPoolExecutor(max_workers=2) as pool:

        class AgainstThisService(StatusMachine):
            def __init__(self) -> None:
                super().__init__(sandbox, "outlet-1", pool)

        run_state_machine_as_test(AgainstThisService, settings=MACHINE_SETTINGS)


def test_the_model_is_not_vacuous() -> None:
    """The model refuses what it must: a wrong implementation would be caught by the machine."""
    assert expected("READY", "ACCEPTED") == (409, "READY")
    assert expected("ACCEPTED", "REJECTED") == (409, "ACCEPTED")
    assert expected("COMPLETED", "COMPLETED") == (200, "COMPLETED")
    assert expected("COMPLETED", "CANCELLED") == (409, "COMPLETED")
    assert expected(None, "ACCEPTED") == (409, None)
    assert expected("PAID", "DRIVER_PICKED_UP") == (200, "DRIVER_PICKED_UP")
    assert expected("PAID", "SHIPPED") == (400, "PAID")
