"""Mock Lightspeed's order notifications: the asynchronous outcome after ``200 ok``, later statuses, faults.

A moment (``notificationDelaySeconds``) after an order is accepted, the mock POSTs ``SUCCESS`` (with the
account ids) or ``FAILURE`` (with a ``reason``) to the URL registered for the order's ``endpointId``. A
notification fault — from the admin API or a ``mock-notification:<mode>[:<arg>]`` directive in the order's
notes — delays it, never sends it, sends it twice, or turns it into ``FAILURE``. Every send is recorded on
the order, with what the endpoint answered.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import msgspec

from mock_pos.lightspeed_check import as_decimal
from mock_pos.lightspeed_state import DEFAULT_FAILURE_REASON, LightspeedOrder, NotificationFault
from mock_pos.outbound import OutboundError
from mock_pos.state import MockPosState, rfc3339

LATER_STATUSES = ("READY_FOR_PICKUP", "IN_DELIVERY", "CLOSED", "CANCELLED", "ABANDONED")
_EXACT = msgspec.json.Encoder(decimal_format="number")
_DIRECTIVE = re.compile(r"mock-notification:(?P<mode>delay|never|twice|failure)(?::(?P<arg>[^\r\n]*))?")


class NotificationDirectiveError(ValueError):
    """A ``mock-notification:`` directive whose argument does not make a fault."""


def find_notification_directive(notes: Iterable[str]) -> NotificationFault | None:
    """The notification fault asked for by the first ``mock-notification:`` directive in ``notes``."""
    for note in notes:
        found = _DIRECTIVE.search(note)
        if found is None:
            continue
        mode, arg = found["mode"], (found["arg"] or "").strip()
        if mode == "delay" and arg:
            try:
                return NotificationFault(mode="delay", seconds=min(float(arg.split()[0]), 3600.0))
            except ValueError as exc:
                raise NotificationDirectiveError(f"mock-notification:delay: {arg!r} is not a number") from exc
        if mode == "failure":
            return NotificationFault(mode="failure", reason=arg or DEFAULT_FAILURE_REASON)
        return NotificationFault(mode=mode)  # type: ignore[arg-type]
    return None


def account_view(orders: list[LightspeedOrder]) -> dict[str, Any]:
    """The POS account of delivered orders (the one that opened it first, then dine-in additions to it)."""
    first = orders[0]
    entries: list[dict[str, Any]] = []
    paid = Decimal(0)
    for order in orders:
        body = order.body if isinstance(order.body, dict) else {}
        entries += [
            {
                "itemName": item.get("customItemName") or item.get("sku"),
                "itemSku": item.get("sku"),
                "quantity": item.get("quantity"),
                "subLineItems": item.get("subItems", []),
            }
            for item in body.get("items", [])
            if isinstance(item, dict)
        ]
        payment = body.get("payment")
        paid += as_decimal(payment.get("paymentAmount")) or 0 if isinstance(payment, dict) else 0
    opening = first.body if isinstance(first.body, dict) else {}
    return {
        "uuid": f"acc-{first.account_id}",
        "identifier": first.account_identifier,
        "name": first.reference,
        "currentAmount": sum((order.total for order in orders), Decimal(0)),
        "paidAmount": paid,
        "salesEntries": entries,
        "tableNumber": opening.get("tableNumber"),
        "status": orders[-1].status,
    }


def notification_body(order: LightspeedOrder, status: str, reason: str | None) -> bytes:
    """The notification Lightspeed POSTs for ``status`` (``pos-apis.md`` §2.4), decimals exact."""
    event: dict[str, Any] = {"status": status, "thirdPartyReference": order.reference, "type": "ORDER"}
    if status == "FAILURE":
        event["reason"] = reason or DEFAULT_FAILURE_REASON
    else:
        event["ikentooAccountId"] = order.account_id
        event["ikentooAccountIdentifier"] = order.account_identifier
        event["businessLocationId"] = order.business_location_id
    return _EXACT.encode(event)


async def send(
    state: MockPosState,
    order: LightspeedOrder,
    status: str,
    reason: str | None = None,
    fault: str | None = None,
) -> dict[str, Any]:
    """POST one notification to the order's registered endpoint; the record of it is kept on the order."""
    order.status = status
    record: dict[str, Any] = {"status": status, "sentAt": rfc3339(state.clock())}
    if fault is not None:
        record["fault"] = fault
    registration = state.lightspeed.webhooks.get(order.endpoint_id)
    if registration is None:
        record["error"] = f"endpointId {order.endpoint_id} is no longer registered"
        order.notifications.append(record)
        return record
    body = notification_body(order, status, reason)
    if registration.provide_account and status != "FAILURE":
        event = msgspec.json.decode(body)
        event["account"] = account_view(state.lightspeed.account_orders(order.account_identifier) or [order])
        body = _EXACT.encode(event)
    headers = {"Content-Type": "application/json"}
    if registration.with_basic_auth:
        pair = f"{registration.username or ''}:{registration.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    try:
        answered = await state.outbound.request("POST", registration.url, headers=headers, content=body)
    except OutboundError as exc:
        record["error"] = str(exc)
    else:
        record["answerStatus"], record["answerBody"] = answered.status, answered.text[:500]
    order.notifications.append(record)
    return record


async def _acceptance(state: MockPosState, order: LightspeedOrder, fault: NotificationFault | None) -> None:
    delay = state.lightspeed.config.notification_delay_seconds
    if fault is not None and fault.mode == "delay":
        delay = fault.seconds
    await asyncio.sleep(delay)  # the POS takes a moment: this is the mock's own schedule, not a test wait
    mode = fault.mode if fault is not None else None
    if mode == "failure":
        assert fault is not None
        await send(state, order, "FAILURE", fault.reason, fault="failure")
    elif mode == "never":
        order.status = "SUCCESS"
        order.notifications.append(
            {"status": "SUCCESS", "sentAt": None, "fault": "never", "error": "not sent (notification fault)"}
        )
    else:
        await send(state, order, "SUCCESS", fault=mode)
        if mode == "twice":
            await send(state, order, "SUCCESS", fault=mode)


def schedule_acceptance(state: MockPosState, order: LightspeedOrder, notes: Iterable[str]) -> str | None:
    """Start the outcome notification of a just-accepted order; returns a directive error, if any."""
    problem: str | None = None
    try:
        fault = find_notification_directive(notes)
    except NotificationDirectiveError as exc:
        fault, problem = None, str(exc)
    if fault is None:
        fault = state.lightspeed.take_fault(order.reference)
    task = asyncio.get_running_loop().create_task(_acceptance(state, order, fault))
    tasks = state.lightspeed.tasks
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return problem
