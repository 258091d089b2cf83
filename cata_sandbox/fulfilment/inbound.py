"""A POS's status webhook through its ``order_status_update.js``: any provider, one flow.

1. The order: ``reference(input)`` when the script has one (Revel's: ``{posOrderId}``), else ``transform``
   run once without outlet settings; ``externalReference`` is the Cata order id the dispatch script sent
   (Lightspeed's ``thirdPartyReference``, Atlas's ``external_order_id``), ``posOrderId`` the POS's id
   that the dispatch answer gave (the order's ``externalOrderId``).
2. ``transform`` with that order's outlet (``input.outlet.settings``): ``{status, posOrderId, timestamp,
   reason}`` goes through the state machine; ``{skip: true, reason}`` is acknowledged with no change.
A script that throws (or an order it names that cannot be read) raises :class:`UnprocessableWebhook`, so
the API answers 5xx and the POS retries; an order the tenant does not have is ``NotFound``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import msgspec

from cata_sandbox.clock import Clock
from cata_sandbox.errors import NotFound
from cata_sandbox.fulfilment.service import InboundOutcome, apply_status
from cata_sandbox.fulfilment.states import FulfilmentStatus
from cata_sandbox.pipeline import ScriptPipeline
from cata_sandbox.store import StatusChange, StatusSkip, Store, StoredOrder

__all__ = ["STATUS_TOPIC", "UnprocessableWebhook", "inbound_status"]

STATUS_TOPIC = "order_status_update"
_SCRIPT_SECONDS = 5.0
_encoder = msgspec.json.Encoder()


class UnprocessableWebhook(Exception):
    """The webhook cannot be read now (the script threw): answered 5xx so the POS sends it again."""


def _payload(body: bytes) -> Any:
    try:
        msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return body.decode("utf-8", errors="replace")  # the script decides (it throws: 5xx)
    return msgspec.Raw(body)


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 time; one without an offset is taken as UTC. Unreadable or empty → None ("now")."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


async def _run(
    scripts: ScriptPipeline, provider: str, function: str, input: dict[str, Any]
) -> dict[str, Any]:
    result = await scripts.call(
        provider,
        STATUS_TOPIC,
        _encoder.encode(input),
        deadline=time.monotonic() + _SCRIPT_SECONDS,
        function=function,
    )
    if not result.ok:
        raise UnprocessableWebhook(f"{provider}/{STATUS_TOPIC}.js failed: {result.error}")
    if not isinstance(result.value, dict):
        raise UnprocessableWebhook(f"{provider}/{STATUS_TOPIC}.js {function} did not return an object")
    return result.value


async def _find(store: Store, tenant_id: str, provider: str, named: dict[str, Any]) -> StoredOrder:
    reference, pos_order_id = _text(named.get("externalReference")), _text(named.get("posOrderId"))
    if reference:
        order = await store.get_order(tenant_id, reference)
        if order is not None and order.transformer == provider:
            return order
        raise NotFound(f"no order dispatched to {provider} with reference {reference}")
    if pos_order_id:
        order = await store.find_order_by_external_id(tenant_id, provider, pos_order_id)
        if order is not None:
            return order
        raise NotFound(f"no order dispatched to {provider} as {provider} order {pos_order_id}")
    raise UnprocessableWebhook(
        f"{provider}/{STATUS_TOPIC}.js named no order (externalReference or posOrderId)"
    )


async def inbound_status(
    store: Store, clock: Clock, scripts: ScriptPipeline, tenant_id: str, provider: str, body: bytes
) -> InboundOutcome:
    script = scripts.library.catalog.get(provider, STATUS_TOPIC)
    if script is None:
        # No such resource: the path names a provider whose status webhook the sandbox does not know.
        raise NotFound(f"provider {provider!r} has no {STATUS_TOPIC}.js - at `provider`")
    connection = await store.get_provider_connection(tenant_id, provider)
    base: dict[str, Any] = {
        "providerSlug": provider,
        "baseUrl": connection.base_url if connection else "",
        "webhookUrl": connection.webhook_url if connection else "",
        "config": {},
        "payload": _payload(body),
        "outlet": {"id": "", "refCode": "", "settings": {}},
    }
    first = await _run(scripts, provider, "reference" if script.has_reference else "transform", base)
    if (
        first.get("skip") is True
        and not _text(first.get("externalReference"))
        and not _text(first.get("posOrderId"))
    ):
        # Not about one of Cata's orders (Atlas's menu.updated): acknowledged, so the POS stops sending it.
        return InboundOutcome(
            "", skipped=True, reason=_text(first.get("reason")) or "skipped by the script", status=None
        )
    order = await _find(store, tenant_id, provider, first)
    mapping = await store.get_outlet_provider(tenant_id, order.outlet_id)
    settings = mapping.settings if mapping and mapping.provider_slug == provider else {}
    ref_code = (mapping.external_id if mapping else "") or order.outlet_id
    outlet = {"id": order.outlet_id, "refCode": ref_code, "settings": settings}
    meaning = await _run(scripts, provider, "transform", {**base, "outlet": outlet, "orderId": order.id})
    pos_order_id = _text(meaning.get("posOrderId")) or _text(first.get("posOrderId")) or None
    if meaning.get("skip") is True:
        reason = _text(meaning.get("reason")) or "skipped by the script"
        skip = StatusSkip(source=provider, pos_order_id=pos_order_id, reason=reason, received_at=clock.now())
        await store.record_status_skip(tenant_id, order.id, skip)
        return InboundOutcome(order.id, skipped=True, reason=reason, status=order.fulfilment_status)
    try:
        requested = FulfilmentStatus(str(meaning.get("status")))
    except ValueError:
        raise UnprocessableWebhook(
            f"{provider}/{STATUS_TOPIC}.js returned status {meaning.get('status')!r}, not a Cata status"
        ) from None
    change = StatusChange(
        source=provider,
        pos_order_id=pos_order_id,
        reason=_text(meaning.get("reason")) or None,
        occurred_at=_moment(meaning.get("timestamp")),
    )
    update = await apply_status(store, clock, tenant_id, order.id, requested, change)
    return InboundOutcome(order.id, skipped=False, reason="", status=update.status, update=update)
