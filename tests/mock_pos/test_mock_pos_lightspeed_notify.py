"""Mock Lightspeed's asynchronous outcome: notifications to a real loopback receiver, later statuses, faults."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest


def _bodies(recorder: Any) -> list[dict[str, Any]]:
    return [json.loads(request["body"]) for request in recorder[1].requests]


async def _notified(lightspeed: Any) -> list[dict[str, Any]]:
    """The orders whose notification the mock has recorded (it records one after its receiver answered)."""
    return [order for order in await lightspeed.orders() if order["notifications"]]


async def test_success_notification_arrives_after_200_ok(lightspeed: Any, recorder: Any, poll: Any) -> None:
    assert (await lightspeed.place(lightspeed.order())).json() == {"status": "ok"}
    [request] = await poll(lambda: recorder[1].requests)
    assert (request["method"], request["path"]) == ("POST", "/ls-notify")
    assert request["headers"]["content-type"] == "application/json"
    assert "authorization" not in request["headers"]
    event = json.loads(request["body"])
    assert event == {
        "status": "SUCCESS",
        "thirdPartyReference": "cata-ord-0001",
        "type": "ORDER",
        "ikentooAccountId": "2114502594134196",
        "ikentooAccountIdentifier": "A134196.1",
        "businessLocationId": 45454565682155,
    }
    # The receiver has the request before the mock has read its answer: wait for the mock's record.
    [order] = await poll(lambda: _notified(lightspeed))
    assert (order["status"], order["ikentooAccountId"]) == ("SUCCESS", "2114502594134196")
    [sent] = order["notifications"]
    assert (sent["status"], sent["answerStatus"]) == ("SUCCESS", 200)


async def test_account_is_readable_once_the_order_succeeded(
    client: httpx.AsyncClient, lightspeed: Any, recorder: Any, poll: Any
) -> None:
    await lightspeed.place(lightspeed.order())
    await poll(lambda: recorder[1].requests)
    response = await client.get("/lightspeed/o/op/1/order/accounts/A134196.1", headers=lightspeed.auth())
    assert response.status_code == 200
    account = response.json()
    assert (account["identifier"], account["status"]) == ("A134196.1", "SUCCESS")
    assert '"currentAmount":19.10' in response.text  # exact decimal, item total without the tip
    missing = await client.get("/lightspeed/o/op/1/order/accounts/A0.0", headers=lightspeed.auth())
    assert missing.status_code == 404


async def test_basic_auth_and_account_are_sent_when_registered(
    lightspeed: Any, recorder: Any, poll: Any
) -> None:
    await lightspeed.register(withBasicAuth=True, username="cata", password="s3cret", provideAccount=True)
    await lightspeed.place(lightspeed.order())
    [request] = await poll(lambda: recorder[1].requests)
    assert request["headers"]["authorization"] == "Basic " + base64.b64encode(b"cata:s3cret").decode()
    assert b'"paidAmount":21.10' in request["body"]
    assert json.loads(request["body"])["account"]["salesEntries"][0]["itemSku"] == "BURGER-01"


@pytest.mark.parametrize("status", ["READY_FOR_PICKUP", "IN_DELIVERY", "CLOSED", "CANCELLED"])
async def test_later_statuses_on_admin_command(
    client: httpx.AsyncClient, lightspeed: Any, recorder: Any, poll: Any, status: str
) -> None:
    await lightspeed.place(lightspeed.order())
    await poll(lambda: recorder[1].requests)
    recorder[1].status = 202
    sent = await client.post(
        "/__admin/lightspeed/notify", json={"thirdPartyReference": "cata-ord-0001", "status": status}
    )
    assert (sent.status_code, sent.json()["status"], sent.json()["answerStatus"]) == (200, status, 202)
    last = _bodies(recorder)[-1]
    assert (last["status"], last["ikentooAccountIdentifier"]) == (status, "A134196.1")
    assert [order["status"] for order in await lightspeed.orders()] == [status]


async def test_notify_for_an_unknown_order_is_404_naming_the_field(client: httpx.AsyncClient) -> None:
    sent = await client.post(
        "/__admin/lightspeed/notify", json={"thirdPartyReference": "x", "status": "CLOSED"}
    )
    assert (sent.status_code, sent.json()["field"]) == (404, "thirdPartyReference")
    wrong = await client.post(
        "/__admin/lightspeed/notify", json={"thirdPartyReference": "x", "status": "DONE"}
    )
    assert (wrong.status_code, wrong.json()["field"]) == (400, "status")


async def test_unreachable_endpoint_is_recorded_on_the_order(lightspeed: Any, poll: Any) -> None:
    lightspeed.notify_url = "http://127.0.0.1:9/nobody"
    await lightspeed.register()
    await lightspeed.place(lightspeed.order())

    async def recorded() -> list[dict[str, Any]]:
        return [n for order in await lightspeed.orders() for n in order["notifications"]]

    [sent] = await poll(recorded)
    assert sent["error"] == "could not connect to http://127.0.0.1:9/nobody"


# --- notification faults -------------------------------------------------------------------------


async def test_failure_after_200_ok(
    client: httpx.AsyncClient, lightspeed: Any, recorder: Any, poll: Any
) -> None:
    await client.post(
        "/__admin/lightspeed/notification-faults", json={"mode": "failure", "reason": "Closed today"}
    )
    assert (await lightspeed.place(lightspeed.order())).status_code == 200
    [event] = [json.loads(r["body"]) for r in await poll(lambda: recorder[1].requests)]
    assert event == {
        "status": "FAILURE",
        "thirdPartyReference": "cata-ord-0001",
        "type": "ORDER",
        "reason": "Closed today",
    }
    [order] = await poll(lambda: _notified(lightspeed))
    assert (order["status"], order["ikentooAccountId"], order["notifications"][0]["fault"]) == (
        "FAILURE",
        None,
        "failure",
    )


async def test_sent_twice(client: httpx.AsyncClient, lightspeed: Any, recorder: Any, poll: Any) -> None:
    await client.post("/__admin/lightspeed/notification-faults", json={"mode": "twice"})
    await lightspeed.place(lightspeed.order())
    await poll(lambda: len(recorder[1].requests) == 2)
    first, second = _bodies(recorder)
    assert first == second
    assert first["status"] == "SUCCESS"


async def test_never_sent(client: httpx.AsyncClient, lightspeed: Any, recorder: Any, poll: Any) -> None:
    await client.post("/__admin/lightspeed/notification-faults", json={"mode": "never", "times": 1})
    await lightspeed.place(lightspeed.order())
    await lightspeed.place(lightspeed.order(thirdPartyReference="cata-ord-0002"))
    # The second order's notification arrives; the first one's never does, though its moment has passed.
    [request] = await poll(lambda: recorder[1].requests)
    assert json.loads(request["body"])["thirdPartyReference"] == "cata-ord-0002"
    first = (await lightspeed.orders())[0]
    assert first["notifications"] == [
        {"status": "SUCCESS", "sentAt": None, "fault": "never", "error": "not sent (notification fault)"}
    ]
    assert len(recorder[1].requests) == 1


async def test_delayed(client: httpx.AsyncClient, lightspeed: Any, recorder: Any, poll: Any) -> None:
    await client.post(
        "/__admin/lightspeed/notification-faults",
        json={"mode": "delay", "seconds": 1.5, "thirdPartyReference": "cata-ord-0001"},
    )
    await lightspeed.place(lightspeed.order())
    await lightspeed.place(lightspeed.order(thirdPartyReference="cata-ord-0002"))
    await poll(lambda: len(recorder[1].requests) == 2)
    assert [body["thirdPartyReference"] for body in _bodies(recorder)] == ["cata-ord-0002", "cata-ord-0001"]


async def test_notification_faults_are_listed_counted_and_removed(client: httpx.AsyncClient) -> None:
    created = (
        await client.post("/__admin/lightspeed/notification-faults", json={"mode": "twice", "times": 2})
    ).json()
    assert created == {
        "id": 1,
        "mode": "twice",
        "seconds": 5.0,
        "reason": created["reason"],
        "times": 2,
        "thirdPartyReference": None,
        "remaining": 2,
    }
    assert [f["id"] for f in (await client.get("/__admin/lightspeed/notification-faults")).json()] == [1]
    assert (await client.delete("/__admin/lightspeed/notification-faults/1")).status_code == 204
    assert (await client.delete("/__admin/lightspeed/notification-faults/1")).status_code == 404
    bad = await client.post("/__admin/lightspeed/notification-faults", json={"mode": "sometimes"})
    assert (bad.status_code, bad.json()["field"]) == (400, "mode")


@pytest.mark.parametrize(
    ("note", "status", "reason"),
    [
        ("mock-notification:failure:Sold out of buns", "FAILURE", "Sold out of buns"),
        ("please mock-notification:failure", "FAILURE", None),
    ],
)
async def test_notification_directive_in_order_note(
    lightspeed: Any, recorder: Any, poll: Any, note: str, status: str, reason: str | None
) -> None:
    await lightspeed.place(lightspeed.order(orderNote=note))
    [event] = [json.loads(r["body"]) for r in await poll(lambda: recorder[1].requests)]
    assert event["status"] == status
    expected = reason or "The order could not be delivered to the POS. (mock_pos notification fault)"
    assert event["reason"] == expected


async def test_notification_directive_in_a_sub_item_note(lightspeed: Any, recorder: Any, poll: Any) -> None:
    order = lightspeed.order()
    order["items"][0]["subItems"][0]["notes"] = "mock-notification:twice"
    await lightspeed.place(order)
    await poll(lambda: len(recorder[1].requests) == 2)


async def test_bad_notification_directive_is_recorded_and_the_order_succeeds(
    lightspeed: Any, recorder: Any, poll: Any
) -> None:
    await lightspeed.place(lightspeed.order(orderNote="mock-notification:delay:soon"))
    [event] = [json.loads(r["body"]) for r in await poll(lambda: recorder[1].requests)]
    assert event["status"] == "SUCCESS"
    [order] = await lightspeed.orders()
    assert order["notifications"][0] == {"directiveError": "mock-notification:delay: 'soon' is not a number"}


async def test_dine_in_addition_to_an_open_account(
    client: httpx.AsyncClient, lightspeed: Any, recorder: Any, poll: Any
) -> None:
    await lightspeed.place(lightspeed.order(tableNumber="7"), kind="local")
    await poll(lambda: recorder[1].requests)
    more = lightspeed.order(
        tableNumber="7",
        thirdPartyReference="cata-ord-0002",
        accountIdentifier="A134196.1",
        items=[{"sku": "COLA-01", "quantity": 1}],
        payment={"paymentAmount": Decimal("2.80")},
    )
    assert (await lightspeed.place(more, kind="local")).status_code == 200
    await poll(lambda: len(recorder[1].requests) == 2)
    assert _bodies(recorder)[1]["ikentooAccountIdentifier"] == "A134196.1"
    account = await client.get("/lightspeed/o/op/1/order/accounts/A134196.1", headers=lightspeed.auth())
    assert [entry["itemSku"] for entry in account.json()["salesEntries"]] == [
        "BURGER-01",
        "FRIES-01",
        "COLA-01",
    ]
    assert '"currentAmount":21.90' in account.text
    assert '"paidAmount":23.90' in account.text
    unknown = await lightspeed.place(
        lightspeed.order(tableNumber="7", thirdPartyReference="cata-ord-0003", accountIdentifier="A9.9"),
        kind="local",
    )
    assert [(e["field"], e["defaultMessage"]) for e in unknown.json()["errors"]] == [
        ("accountIdentifier", "no open account A9.9")
    ]


async def test_reset_forgets_orders_webhooks_and_tokens(client: httpx.AsyncClient, lightspeed: Any) -> None:
    await lightspeed.place(lightspeed.order())
    assert (await client.post("/__admin/reset")).status_code == 200
    assert await lightspeed.orders() == []
    assert (await client.get("/__admin/lightspeed/webhooks")).json() == []
    assert (await lightspeed.place(lightspeed.order())).status_code == 401
