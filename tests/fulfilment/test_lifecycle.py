"""The fulfilment state machine, alone and through POST /api/v1/orders/{orderId}/status over loopback."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import msgspec
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.errors import Conflict, InvalidRequest
from cata_sandbox.fulfilment.states import ALL_STATUSES, FulfilmentStatus, next_status, parse_status
from cata_sandbox.store import Store
from cata_sandbox.store.db import MIGRATIONS_DIR, create_engine, migrate
from tests.support import ORDER, MockPos, Sandbox, connect_receiver, envelope

# Every allowed change, written out by hand (the model the implementation is checked against).
ALLOWED: set[tuple[str, str]] = {
    ("PAID", "ACCEPTED"),
    ("PAID", "IN_PROGRESS"),
    ("PAID", "READY"),
    ("PAID", "DRIVER_PICKED_UP"),
    ("PAID", "COMPLETED"),
    ("PAID", "REJECTED"),
    ("PAID", "CANCELLED"),
    ("ACCEPTED", "IN_PROGRESS"),
    ("ACCEPTED", "READY"),
    ("ACCEPTED", "DRIVER_PICKED_UP"),
    ("ACCEPTED", "COMPLETED"),
    ("ACCEPTED", "CANCELLED"),
    ("IN_PROGRESS", "READY"),
    ("IN_PROGRESS", "DRIVER_PICKED_UP"),
    ("IN_PROGRESS", "COMPLETED"),
    ("IN_PROGRESS", "CANCELLED"),
    ("READY", "DRIVER_PICKED_UP"),
    ("READY", "COMPLETED"),
    ("READY", "CANCELLED"),
    ("DRIVER_PICKED_UP", "COMPLETED"),
    ("DRIVER_PICKED_UP", "CANCELLED"),
}


@pytest.mark.parametrize(("current", "requested"), list(itertools.product(ALL_STATUSES, repeat=2)))
def test_every_pair_of_statuses_follows_the_table(current: str, requested: str) -> None:
    wanted = FulfilmentStatus(requested)
    if current == requested:
        assert next_status("o-1", current, wanted) is None
    elif (current, requested) in ALLOWED:
        assert next_status("o-1", current, wanted) == wanted
    else:
        with pytest.raises(Conflict) as refused:
            next_status("o-1", current, wanted)
        assert f"from {current} to {requested}" in refused.value.detail
        assert "o-1" in refused.value.detail


def test_an_order_without_a_fulfilment_status_was_not_dispatched() -> None:
    with pytest.raises(Conflict, match="order o-9 has not been dispatched"):
        next_status("o-9", None, FulfilmentStatus.ACCEPTED)


@pytest.mark.parametrize("text", ["accepted", "DONE", "", " PAID"])
def test_unknown_status_names_the_field_and_the_choices(text: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_status(text)
    assert "`$.status`" in refused.value.detail
    assert "DRIVER_PICKED_UP" in refused.value.detail


# --- over HTTP ------------------------------------------------------------------------------------


def dispatched_order(sandbox: Sandbox, mock_pos: MockPos, outlet_id: str = "outlet-1") -> str:
    connect_receiver(sandbox, mock_pos, outlet_id, f"r-{outlet_id}")
    response = sandbox.dispatch(envelope(outlet_id, msgspec.json.encode(ORDER)))
    assert response.status_code == 200, response.text
    assert response.json()["dispatched"] is True, response.text
    order_id: str = response.json()["orderId"]
    return order_id


def post_status(sandbox: Sandbox, order_id: str, **body: Any) -> httpx.Response:
    return sandbox.client.post(f"/api/v1/orders/{order_id}/status", json=body)


def history_of(sandbox: Sandbox, order_id: str) -> list[tuple[str, str | None, str]]:
    return [(e["status"], e["previousStatus"], e["source"]) for e in sandbox.order(order_id)["statusHistory"]]


def test_dispatch_makes_the_order_paid_with_a_first_history_entry(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    order_id = dispatched_order(sandbox, mock_pos)

    order = sandbox.order(order_id)

    assert order["fulfilmentStatus"] == "PAID"
    [entry] = order["statusHistory"]
    assert (entry["status"], entry["previousStatus"], entry["source"]) == ("PAID", None, "dispatch")
    assert entry["posOrderId"] == order["externalOrderId"] != ""
    assert entry["occurredAt"] == entry["recordedAt"]


def test_walks_forward_skips_and_refuses_backward_and_terminal_moves(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    order_id = dispatched_order(sandbox, mock_pos)

    accepted = post_status(sandbox, order_id, status="ACCEPTED")
    repeated = post_status(sandbox, order_id, status="ACCEPTED")
    skipped = post_status(sandbox, order_id, status="READY")
    backward = post_status(sandbox, order_id, status="IN_PROGRESS")
    completed = post_status(sandbox, order_id, status="COMPLETED")
    out_of_final = post_status(sandbox, order_id, status="CANCELLED")
    completed_again = post_status(sandbox, order_id, status="COMPLETED")

    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {
        "code": 200,
        "isSuccess": True,
        "message": "status updated",
        "orderId": order_id,
        "status": "ACCEPTED",
        "previousStatus": "PAID",
        "changed": True,
    }
    assert (repeated.status_code, repeated.json()["changed"], repeated.json()["status"]) == (
        200,
        False,
        "ACCEPTED",
    )
    assert (skipped.status_code, skipped.json()["previousStatus"]) == (200, "ACCEPTED")
    assert backward.status_code == 409
    assert backward.json() == {
        "code": 409,
        "isSuccess": False,
        "message": f"cannot move order {order_id} from READY to IN_PROGRESS: status cannot move backward",
    }
    assert completed.status_code == 200
    assert out_of_final.status_code == 409
    assert "from COMPLETED to CANCELLED" in out_of_final.json()["message"]
    assert (completed_again.status_code, completed_again.json()["changed"]) == (200, False)
    assert sandbox.order(order_id)["fulfilmentStatus"] == "COMPLETED"
    assert history_of(sandbox, order_id) == [
        ("PAID", None, "dispatch"),
        ("ACCEPTED", "PAID", "api"),
        ("READY", "ACCEPTED", "api"),
        ("COMPLETED", "READY", "api"),
    ]


def test_rejected_only_from_paid_and_cancelled_from_any_open_status(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    rejected = dispatched_order(sandbox, mock_pos, "outlet-r")
    cancelled = dispatched_order(sandbox, mock_pos, "outlet-c")

    assert post_status(sandbox, rejected, status="REJECTED", reason="out of stock").status_code == 200
    assert post_status(sandbox, rejected, status="ACCEPTED").status_code == 409
    assert post_status(sandbox, cancelled, status="ACCEPTED").status_code == 200
    late_reject = post_status(sandbox, cancelled, status="REJECTED")
    assert late_reject.status_code == 409
    assert "from ACCEPTED to REJECTED" in late_reject.json()["message"]
    assert post_status(sandbox, cancelled, status="CANCELLED", reason="customer left").status_code == 200
    assert post_status(sandbox, cancelled, status="COMPLETED").status_code == 409

    assert sandbox.order(rejected)["statusHistory"][-1]["reason"] == "out of stock"
    assert history_of(sandbox, cancelled)[-1] == ("CANCELLED", "ACCEPTED", "api")


def test_pos_order_id_is_opaque_and_the_timestamp_is_kept(sandbox: Sandbox, mock_pos: MockPos) -> None:
    order_id = dispatched_order(sandbox, mock_pos)

    response = post_status(
        sandbox, order_id, status="ACCEPTED", posOrderId="00042-ä/x", timestamp="2026-04-29T14:59:40.5+08:00"
    )

    assert response.status_code == 200, response.text
    entry = sandbox.order(order_id)["statusHistory"][-1]
    assert entry["posOrderId"] == "00042-ä/x"
    occurred = datetime.fromisoformat(entry["occurredAt"])
    assert occurred == datetime(2026, 4, 29, 14, 59, 40, 500000, tzinfo=timezone(timedelta(hours=8)))
    assert entry["occurredAt"] != entry["recordedAt"]


def test_without_a_timestamp_the_change_happened_when_it_was_recorded(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    order_id = dispatched_order(sandbox, mock_pos)
    before = SYSTEM_CLOCK.now()

    assert post_status(sandbox, order_id, status="READY", timestamp="").status_code == 200

    entry = sandbox.order(order_id)["statusHistory"][-1]
    assert entry["occurredAt"] == entry["recordedAt"]
    assert datetime.fromisoformat(entry["recordedAt"]) >= before - timedelta(seconds=1)


BAD_UPDATES: list[tuple[str, bytes, str]] = [
    ("unknown-status", b'{"status":"SHIPPED"}', "unknown status 'SHIPPED' - at `$.status`"),
    ("lower-case", b'{"status":"accepted"}', "unknown status 'accepted' - at `$.status`"),
    ("missing-status", b'{"posOrderId":"1"}', "`status`"),
    ("numeric-pos-id", b'{"status":"ACCEPTED","posOrderId":123}', "`$.posOrderId`"),
    ("naive-timestamp", b'{"status":"ACCEPTED","timestamp":"2026-04-29T14:59:40"}', "`$.timestamp`"),
    ("bad-timestamp", b'{"status":"ACCEPTED","timestamp":"yesterday"}', "`$.timestamp`"),
    ("malformed-json", b'{"status":', "malformed JSON"),
    ("not-an-object", b'["ACCEPTED"]', "invalid status update"),
]


def test_bad_updates_are_400_naming_the_field_and_change_nothing(sandbox: Sandbox, mock_pos: MockPos) -> None:
    order_id = dispatched_order(sandbox, mock_pos)

    # one order for every case (a sandbox per case costs seconds): none of them may change it
    answers = {
        case: sandbox.client.post(
            f"/api/v1/orders/{order_id}/status", content=raw, headers={"Content-Type": "application/json"}
        )
        for case, raw, _ in BAD_UPDATES
    }

    for case, _, named in BAD_UPDATES:
        response = answers[case]
        assert response.status_code == 400, (case, response.text)
        assert response.json()["isSuccess"] is False, case
        assert named in response.json()["message"], (case, response.text)
    assert history_of(sandbox, order_id) == [("PAID", None, "dispatch")]


def test_an_order_that_was_never_dispatched_cannot_change_status(sandbox: Sandbox) -> None:
    # no webhook for this outlet: the order is kept, not dispatched, and has no fulfilment status
    response = sandbox.dispatch(envelope("nowhere", msgspec.json.encode(ORDER)))
    order_id = response.json()["orderId"]

    update = post_status(sandbox, order_id, status="ACCEPTED")

    assert update.status_code == 409
    assert update.json()["message"].startswith(f"order {order_id} has not been dispatched")
    order = sandbox.order(order_id)
    assert (order["fulfilmentStatus"], order["statusHistory"]) == (None, [])


def test_unknown_and_foreign_orders_are_404(sandbox: Sandbox, mock_pos: MockPos) -> None:
    order_id = dispatched_order(sandbox, mock_pos)

    async def add_other_key() -> None:
        engine = create_engine(sandbox.database_url)
        try:
            await Store(engine).add_api_key("other", "test-key-other", SYSTEM_CLOCK.now())
        finally:
            await engine.dispose()

    asyncio.run(add_other_key())
    with httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": "test-key-other"}) as other:
        foreign = other.post(f"/api/v1/orders/{order_id}/status", json={"status": "ACCEPTED"})
    unknown = post_status(sandbox, "no-such-order", status="ACCEPTED")
    anonymous = httpx.post(f"{sandbox.url}/api/v1/orders/{order_id}/status", json={"status": "ACCEPTED"})

    assert (foreign.status_code, foreign.json()["message"]) == (404, f"order {order_id} not found")
    assert unknown.status_code == 404
    assert anonymous.status_code == 401
    assert history_of(sandbox, order_id) == [("PAID", None, "dispatch")]


def test_a_redispatch_of_a_progressed_order_keeps_its_status(sandbox: Sandbox, mock_pos: MockPos) -> None:
    order_id = dispatched_order(sandbox, mock_pos)
    assert post_status(sandbox, order_id, status="IN_PROGRESS").status_code == 200

    again = sandbox.client.post(f"/api/v1/orders/{order_id}/redispatch")

    assert again.json()["dispatched"] is True
    order = sandbox.order(order_id)
    assert order["fulfilmentStatus"] == "IN_PROGRESS"
    assert len(order["attempts"]) == 2
    assert history_of(sandbox, order_id) == [("PAID", None, "dispatch"), ("IN_PROGRESS", "PAID", "api")]


def test_the_status_endpoint_is_a_partner_operation_in_openapi(sandbox: Sandbox) -> None:
    schema = sandbox.client.get("/schema/openapi.json").json()

    operation = schema["paths"]["/api/v1/orders/{order_id}/status"]["post"]

    assert "Partner H2H" in operation["tags"]


# --- the migration --------------------------------------------------------------------------------


def test_migration_adds_the_lifecycle_to_existing_orders(database_url: str) -> None:
    """A database at 0001 with an order in it upgrades: version 0, no status, history table there."""

    def to_0001(connection: sa.Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")

    async def run() -> tuple[Any, ...]:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(to_0001)
            now = datetime.now(UTC)
            async with engine.begin() as conn:
                await conn.execute(
                    sa.text("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'old', :now)"),
                    {"now": now},
                )
                await conn.execute(
                    sa.text(
                        "INSERT INTO orders (id, tenant_id, outlet_id, event, order_ref_no, body, status, reason,"
                        " external_order_id, created_at, updated_at) VALUES ('o1', 't1', 'x', 'order.paid', 'R1',"
                        " :body, 'dispatched', '', 'e1', :now, :now)"
                    ),
                    {"body": b"{}", "now": now},
                )
            await migrate(engine)
            async with engine.connect() as conn:
                row = (
                    await conn.execute(
                        sa.text("SELECT fulfilment_status, version FROM orders WHERE id = 'o1'")
                    )
                ).one()
                count = await conn.scalar(sa.text("SELECT count(*) FROM order_status_history"))
            return (row.fulfilment_status, row.version, count)
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == (None, 0, 0)
