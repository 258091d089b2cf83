"""Mock Atlas's order events to a real loopback webhook: admin command, schedule, Atlas-style retries."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest


def _events(recorder: Any) -> list[dict[str, Any]]:
    return [json.loads(request["body"]) for request in recorder[1].requests]


@pytest.mark.parametrize(
    ("event_type", "state"),
    [
        ("order.confirmed", "confirmed"),
        ("order.dispatched", "dispatched"),
        ("order.completed", "completed"),
        ("order.cancelled", "cancelled"),
    ],
)
async def test_event_on_admin_command(
    client: httpx.AsyncClient, atlas: Any, recorder: Any, event_type: str, state: str
) -> None:
    url, seen = recorder
    await atlas.configure(eventSchedule=[])
    await atlas.create(atlas.order(total=2850))
    sent = await client.post(
        "/__admin/atlas/events", json={"orderId": 85, "eventType": event_type, "url": f"{url}/atlas-hook"}
    )
    assert sent.status_code == 200, sent.text
    assert (sent.json()["delivered"], sent.json()["attempts"][0]["status"]) == (True, 200)
    [request] = seen.requests
    assert (request["path"], request["headers"]["content-type"]) == ("/atlas-hook", "application/json")
    event = json.loads(request["body"])
    assert set(event) == {"event_type", "event_at", "payload"}
    assert (event["event_type"], event["payload"]["id"], event["payload"]["state"]) == (event_type, 85, state)
    assert b'"total":28.50' in request["body"]  # order-event money in exact decimal major units
    assert b'"subtotal":25.00' in request["body"]
    assert event["payload"]["order_items"][0]["price_cents"] == 1500
    assert (await atlas.get("/orders/85")).json()["state"] == state


async def test_scheduled_events_follow_each_order(atlas: Any, recorder: Any, poll: Any) -> None:
    url, seen = recorder
    await atlas.configure(
        webhookUrl=f"{url}/atlas-hook",
        eventSchedule=[
            {"eventType": "order.created"},
            {"eventType": "order.confirmed", "afterSeconds": 0.1},
            {"eventType": "order.completed", "afterSeconds": 0.2},
        ],
    )
    await atlas.create(atlas.order())
    await poll(lambda: len(seen.requests) == 3)
    assert [event["event_type"] for event in _events(recorder)] == [
        "order.created",
        "order.confirmed",
        "order.completed",
    ]
    assert (await atlas.get("/orders/85")).json()["state"] == "completed"


async def test_non_2xx_is_retried_until_accepted(atlas: Any, recorder: Any, poll: Any) -> None:
    url, seen = recorder
    seen.status = 500
    await atlas.configure(webhookUrl=f"{url}/atlas-hook", retryDelaysSeconds=[0.05, 0.5, 0.5])
    await atlas.create(atlas.order())
    await poll(lambda: len(seen.requests) == 2)
    seen.status = 204
    [event] = await poll(lambda: _delivered(atlas))
    assert [attempt.get("status") for attempt in event["attempts"]] == [500, 500, 204]
    assert len({request["body"] for request in seen.requests}) == 1  # a retry is the same event


async def _delivered(atlas: Any) -> list[dict[str, Any]]:
    return [event for event in await atlas.events() if event["delivered"]]


async def test_retries_give_up_after_the_configured_delays(atlas: Any, recorder: Any, poll: Any) -> None:
    url, seen = recorder
    seen.status = 503
    await atlas.configure(webhookUrl=f"{url}/atlas-hook", retryDelaysSeconds=[0.05, 0.05])

    async def all_tried() -> list[dict[str, Any]]:
        return [event for event in await atlas.events() if len(event["attempts"]) == 3]

    await atlas.create(atlas.order())
    [event] = await poll(all_tried)
    assert (event["delivered"], [a["status"] for a in event["attempts"]]) == (False, [503, 503, 503])


async def test_unreachable_webhook_is_an_attempt_with_an_error(client: httpx.AsyncClient, atlas: Any) -> None:
    await atlas.configure(eventSchedule=[], retryDelaysSeconds=[])
    await atlas.create(atlas.order())
    sent = await client.post(
        "/__admin/atlas/events",
        json={"orderId": 85, "eventType": "order.confirmed", "url": "http://127.0.0.1:9/hook"},
    )
    assert sent.json()["attempts"][0]["error"] == "could not connect to http://127.0.0.1:9/hook"


async def test_event_admin_errors_name_the_field(client: httpx.AsyncClient, atlas: Any) -> None:
    unknown = await client.post("/__admin/atlas/events", json={"orderId": 1, "eventType": "order.created"})
    assert (unknown.status_code, unknown.json()["field"]) == (404, "orderId")
    await atlas.create(atlas.order())
    no_url = await client.post("/__admin/atlas/events", json={"orderId": 85, "eventType": "order.created"})
    assert (no_url.status_code, no_url.json()["field"]) == (400, "url")
    bad = await client.post("/__admin/atlas/events", json={"orderId": 85, "eventType": "order.eaten"})
    assert (bad.status_code, bad.json()["field"]) == (400, "eventType")
