"""Revel's ``order.finalized`` webhook body → a Cata status update (pure: no I/O, no clock).

Mirrors Cata's ``revel/order_status_update`` adapter: Revel only ever says an order is finished, so the
one status it produces is ``COMPLETED``, with the Revel order id (stringified) as ``posOrderId`` and
``orderInfo.updated_date`` (else ``created_date``) as the timestamp. An order that is not closed yet, or
whose dining option is not one of the outlet's configured ones (so not a Cata order), is skipped: the
webhook is acknowledged and nothing changes. A body the adapter cannot read is refused with a 5xx so
that Revel retries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

SOURCE = "revel"
# The builtInTransformer slug whose orders Revel's webhook reports on.
TRANSFORMER = "revel"


class UnprocessableWebhook(Exception):
    """The webhook cannot be turned into a status update; Revel must be told to retry (5xx)."""


@dataclass(frozen=True, slots=True)
class FinalizedOrder:
    """What the webhook says about one Revel order."""

    pos_order_id: str
    closed: Any
    dining_option: Any
    updated_date: Any
    created_date: Any


@dataclass(frozen=True, slots=True)
class Skip:
    """Acknowledge without a change, for ``reason``."""

    reason: str


@dataclass(frozen=True, slots=True)
class Complete:
    """Move the order to COMPLETED; ``occurred_at`` None means "now"."""

    pos_order_id: str
    occurred_at: datetime | None


def parse_finalized(body: bytes) -> FinalizedOrder:
    """The order the webhook is about; raises :class:`UnprocessableWebhook` naming what is missing."""
    try:
        event = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise UnprocessableWebhook(f"malformed Revel webhook: body is not JSON ({exc})") from None
    if not isinstance(event, dict):
        raise UnprocessableWebhook("malformed Revel webhook: body is not a JSON object")
    info = event.get("orderInfo")
    if info is None:
        raise UnprocessableWebhook("malformed Revel webhook: missing `orderInfo`")
    if not isinstance(info, dict):
        raise UnprocessableWebhook("malformed Revel webhook: `orderInfo` is not an object")
    return FinalizedOrder(
        pos_order_id=_order_id(info.get("id")),
        closed=info.get("closed"),
        dining_option=info.get("dining_option"),
        updated_date=info.get("updated_date"),
        created_date=info.get("created_date"),
    )


def _order_id(value: Any) -> str:
    # Revel ids are integers; a digit string is taken too. posOrderId is opaque downstream.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if value is None or value == "":
        raise UnprocessableWebhook("malformed Revel webhook: missing or empty `orderInfo.id`")
    raise UnprocessableWebhook(f"malformed Revel webhook: `orderInfo.id` is not an order id: {value!r}")


def configured_dining_options(outlet_id: str, settings: Mapping[str, Any] | None) -> set[str]:
    """The outlet's Cata dining-option ids, as strings; raises when none is configured.

    Without them no order can be told apart from a walk-in one, which is a set-up error: like the real
    adapter, refuse (5xx) so the webhook is retried once the outlet is configured.
    """
    ids = (settings or {}).get("diningOptionIds")
    found = (
        {_id_text(v) for v in ids.values() if v is not None and _id_text(v)}
        if isinstance(ids, dict)
        else set()
    )
    if not found:
        raise UnprocessableWebhook(
            f"outlet {outlet_id} has no Revel dining-option ids configured (settings.diningOptionIds)"
        )
    return found


def _id_text(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    return str(value).strip()


def interpret(order: FinalizedOrder, dining_options: set[str]) -> Skip | Complete:
    """What the webhook means for the Cata order, given the outlet's dining-option ids."""
    if order.closed is not True:
        return Skip(f"order {order.pos_order_id} not closed yet (closed={_json(order.closed)})")
    if order.dining_option is None or _id_text(order.dining_option) not in dining_options:
        return Skip(f"non-CATA dining option {_json(order.dining_option)}")
    return Complete(
        pos_order_id=order.pos_order_id,
        occurred_at=_moment(order.updated_date) or _moment(order.created_date),
    )


def _json(value: Any) -> str:
    """A value as the adapter (JavaScript) would print it: ``false``, ``5``, ``null``."""
    if isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 time; one without an offset is taken as UTC. Unreadable or empty → None ("now")."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
