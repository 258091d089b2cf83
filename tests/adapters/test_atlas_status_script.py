"""The Atlas status-update script over every order event mock Atlas sends (captured by a loopback
receiver): created and confirmed, dispatched (delivery and pickup), completed, cancelled, and updated."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from tests.support.atlas import FULL_ORDER, dispatch, event
from tests.support.scripts import PosBench


def status_update(bench: PosBench, sent: Any) -> Any:
    payload = msgspec.Raw(msgspec.json.encode(sent))
    return bench.js.run("atlas", "order_status_update", {"payload": payload, "outlet": {"settings": {}}})


def placed(bench: PosBench, raw: bytes) -> int:
    """A fresh mock whose events go to the receiver, and the id of the order the script placed."""
    bench.reset()
    bench.admin.configure_atlas({"webhookUrl": f"{bench.receiver.url}/atlas-events"})
    _, answer = dispatch(bench, raw)
    assert answer[0] == 200, answer
    order_id: int = msgspec.json.decode(answer[2])["id"]
    return order_id


@pytest.mark.parametrize(
    ("method", "dispatched"), [("DELIVERY", "DRIVER_PICKED_UP"), ("PICKUP", "READY"), ("DINE_IN", "READY")]
)
def test_an_order_walks_to_completed_by_atlas_own_events(
    pos_bench: PosBench, method: str, dispatched: str
) -> None:
    order_id = placed(pos_bench, FULL_ORDER.replace('"DELIVERY"', f'"{method}"').encode())
    walk = [
        ("order.created", "ACCEPTED"),  # sent by the mock's schedule when the order is created
        ("order.confirmed", "ACCEPTED"),
        ("order.dispatched", dispatched),
        ("order.completed", "COMPLETED"),
    ]
    for event_type, cata in walk:
        if event_type != "order.created":
            assert pos_bench.admin.atlas_event(order_id, event_type)["delivered"] is True
        sent = event(pos_bench, order_id, event_type)
        assert status_update(pos_bench, sent).value == {
            "status": cata,
            "posOrderId": str(order_id),
            "externalReference": "CATA-AT-1",
            "timestamp": sent["event_at"],
        }


def test_cancelled_and_updated(pos_bench: PosBench) -> None:
    order_id = placed(pos_bench, FULL_ORDER.encode())
    pos_bench.admin.atlas_event(order_id, "order.updated")
    updated = status_update(pos_bench, event(pos_bench, order_id, "order.updated"))
    assert updated.value == {"skip": True, "reason": 'Atlas event "order.updated" has no Cata status'}
    pos_bench.admin.atlas_event(order_id, "order.cancelled")
    cancelled = status_update(pos_bench, event(pos_bench, order_id, "order.cancelled"))
    assert cancelled.value["status"] == "CANCELLED"
    assert cancelled.value["externalReference"] == "CATA-AT-1"


@pytest.mark.parametrize(
    ("sent", "outcome"),
    [
        ({"event_type": "menu.updated", "payload": {}}, 'Atlas event "menu.updated" has no Cata status'),
        (
            {"event_type": "order.completed", "payload": {"id": 85, "external_order_id": None}},
            "Atlas order 85 has no external_order_id (not a Cata order)",
        ),
        ({"payload": {"id": 85}}, "malformed Atlas event: missing `event_type`"),
        (
            {"event_type": "order.completed", "payload": [1]},
            "malformed Atlas event: `payload` is not an order object",
        ),
        (
            {"event_type": "order.completed", "payload": {"external_order_id": "R1"}},
            "malformed Atlas event: `payload.id` is not an order id",
        ),
        ("not json", "malformed Atlas event: body is not JSON"),
    ],
    ids=["menu", "not-cata", "no-type", "payload-array", "no-id", "not-json"],
)
def test_edges_of_the_event(pos_bench: PosBench, sent: Any, outcome: str) -> None:
    payload: Any = sent if isinstance(sent, str) else msgspec.Raw(msgspec.json.encode(sent))
    result = pos_bench.js.run(
        "atlas", "order_status_update", {"payload": payload, "outlet": {"settings": {}}}
    )
    if outcome.startswith("malformed"):
        assert result.error is not None
        assert result.error.message.startswith(f"Error: {outcome}")
    else:
        assert result.value == {"skip": True, "reason": outcome}
