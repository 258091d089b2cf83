"""The Lightspeed status-update script over every notification mock Lightspeed sends (captured by a
loopback receiver): SUCCESS, FAILURE after ``200 ok``, the later statuses, and the ones with no Cata status."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import pytest

from tests.support.lightspeed import FULL_ORDER, dispatch, login, notification
from tests.support.scripts import PosBench


def status_update(bench: PosBench, event: Any) -> Any:
    payload = msgspec.Raw(msgspec.json.encode(event))
    return bench.js.run("lightspeed", "order_status_update", {"payload": payload, "outlet": {"settings": {}}})


def test_an_order_walks_to_completed_by_lightspeeds_own_notifications(pos_bench: PosBench) -> None:
    token = login(pos_bench)
    _, answer = dispatch(pos_bench, FULL_ORDER.encode(), token)
    assert answer[0] == 200
    success = notification(pos_bench, "CATA-LS-1", "SUCCESS")
    [held] = pos_bench.admin.lightspeed_orders()
    assert status_update(pos_bench, success).value == {
        "status": "ACCEPTED",
        "posOrderId": held["ikentooAccountIdentifier"],
        "externalReference": "CATA-LS-1",
    }
    walk = [("READY_FOR_PICKUP", "READY"), ("IN_DELIVERY", "DRIVER_PICKED_UP"), ("CLOSED", "COMPLETED")]
    for lightspeed, cata in walk:
        assert pos_bench.admin.lightspeed_notify("CATA-LS-1", lightspeed)["answerStatus"] == 200
        sent = notification(pos_bench, "CATA-LS-1", lightspeed)
        assert status_update(pos_bench, sent).value == {"status": cata, "externalReference": "CATA-LS-1"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("CANCELLED", {"status": "CANCELLED", "externalReference": "CATA-LS-1"}),
        (
            "ABANDONED",
            {
                "skip": True,
                "reason": 'Lightspeed status "ABANDONED" has no Cata status',
                "externalReference": "CATA-LS-1",
            },
        ),
    ],
)
def test_cancelled_and_abandoned(pos_bench: PosBench, status: str, expected: dict[str, Any]) -> None:
    _, answer = dispatch(pos_bench, FULL_ORDER.encode(), login(pos_bench))
    assert answer[0] == 200
    notification(pos_bench, "CATA-LS-1", "SUCCESS")
    pos_bench.admin.lightspeed_notify("CATA-LS-1", status)
    assert status_update(pos_bench, notification(pos_bench, "CATA-LS-1", status)).value == expected


def test_failure_after_200_ok_is_rejected_with_lightspeeds_reason(pos_bench: PosBench) -> None:
    raw = FULL_ORDER.replace('"Ring the bell"', '"mock-notification:failure:Kitchen is closed"').encode()
    _, answer = dispatch(pos_bench, raw, login(pos_bench))
    assert pos_bench.interpret("lightspeed", answer) == {"dispatched": True}
    failure = notification(pos_bench, "CATA-LS-1", "FAILURE")
    assert status_update(pos_bench, failure).value == {
        "status": "REJECTED",
        "reason": "Kitchen is closed",
        "externalReference": "CATA-LS-1",
    }


def test_a_notification_sent_twice_reads_the_same_both_times(pos_bench: PosBench) -> None:
    token = login(pos_bench)
    pos_bench.admin.add_lightspeed_notification_fault({"mode": "twice"})
    dispatch(pos_bench, FULL_ORDER.encode(), token)
    deadline = time.monotonic() + 5
    while len((held := pos_bench.admin.lightspeed_orders()[0])["notifications"]) < 2:
        assert time.monotonic() < deadline, "the second notification was not sent within 5 s"
        time.sleep(0.02)  # polling the mock's record against a deadline
    assert [n["status"] for n in held["notifications"]] == ["SUCCESS", "SUCCESS"]
    sent = [r["body"] for r in pos_bench.receiver.requests]
    assert len(sent) == 2
    readings = [status_update(pos_bench, msgspec.json.decode(body)).value for body in sent]
    assert (
        readings[0]
        == readings[1]
        == {
            "status": "ACCEPTED",
            "posOrderId": held["ikentooAccountIdentifier"],
            "externalReference": "CATA-LS-1",
        }
    )


@pytest.mark.parametrize(
    ("event", "outcome"),
    [
        (
            {"status": "SUCCESS", "ikentooAccountId": "2114502594134196", "thirdPartyReference": "R1"},
            "2114502594134196",
        ),
        ({"status": "FAILURE", "thirdPartyReference": "R1"}, "Lightspeed sent FAILURE without a reason"),
        (
            {"status": "SUCCESS", "thirdPartyReference": "R1", "type": "PAYMENT"},
            'not an order notification (type "PAYMENT")',
        ),
        (
            {"status": "DELIVERED", "thirdPartyReference": "R1"},
            'Lightspeed status "DELIVERED" has no Cata status',
        ),
        ({"status": "SUCCESS"}, "malformed Lightspeed notification: missing or empty `thirdPartyReference`"),
        (
            {"status": "SUCCESS", "thirdPartyReference": "R1"},
            "malformed Lightspeed notification: SUCCESS without",
        ),
        ([1, 2], "malformed Lightspeed notification: body is not a JSON object"),
    ],
    ids=["account-id", "no-reason", "payment", "delivered", "no-reference", "no-account", "array"],
)
def test_edges_of_the_notification(pos_bench: PosBench, event: Any, outcome: str) -> None:
    result = status_update(pos_bench, event)
    if outcome.startswith("malformed"):
        assert result.error is not None
        assert result.error.message.startswith(f"Error: {outcome}")
    elif result.value.get("skip"):
        assert result.value == {"skip": True, "reason": outcome, "externalReference": "R1"}
    else:
        assert outcome in (result.value.get("posOrderId"), result.value.get("reason"))


def test_a_notification_with_the_account_maps_the_same(pos_bench: PosBench) -> None:
    token = login(pos_bench)
    registration = {
        "endpointId": "CATA-WEBHOOK",
        "url": f"{pos_bench.receiver.url}/ls-notify",
        "provideAccount": True,
        "withBasicAuth": True,
        "username": "cata",
        "password": "s3cret",
    }
    answer = pos_bench.send(
        "POST",
        f"{pos_bench.server.url}/lightspeed/o/wh/1/webhook",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        msgspec.json.encode(registration),
    )
    assert answer[0] == 200, answer
    dispatch(pos_bench, FULL_ORDER.encode(), token)
    success = notification(pos_bench, "CATA-LS-1", "SUCCESS")
    assert success["account"]["identifier"] == success["ikentooAccountIdentifier"]
    assert status_update(pos_bench, success).value == {
        "status": "ACCEPTED",
        "posOrderId": success["ikentooAccountIdentifier"],
        "externalReference": "CATA-LS-1",
    }
