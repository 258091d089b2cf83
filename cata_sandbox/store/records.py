"""The records the store hands out: frozen values of keys, webhooks, outlets, orders, attempts, statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec
import sqlalchemy as sa


class OrderStatus(StrEnum):
    """An order's dispatch status: persisted before sending, then what the last attempt achieved."""

    PENDING = "pending"
    DISPATCHED = "dispatched"
    FAILED = "failed"


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    tenant_id: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    tenant_id: str
    outlet_id: str
    provider: str
    callback_url: str
    events: list[str]
    secret: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OutletProvider:
    tenant_id: str
    outlet_id: str
    provider_slug: str
    external_id: str
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProviderConnection:
    """A tenant's credentials for one POS provider; ``api_key`` / ``api_secret`` are never shown."""

    tenant_id: str
    provider_slug: str
    status: str
    api_key: str
    api_secret: str
    webhook_url: str
    base_url: str
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Attempt:
    id: str
    order_id: str
    route: str
    started_at: datetime
    duration_ms: float
    request_method: str
    request_url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    response_status: int | None
    response_headers: dict[str, str]
    response_body: bytes
    dispatched: bool
    reason: str
    external_order_id: str
    # The adapter scripts' side of the attempt (empty for the webhook and Python routes): the script's
    # error, its context.log lines, and the precision findings of the body it built.
    script_error: str = ""
    script_logs: tuple[str, ...] = ()
    findings: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredOrder:
    id: str
    tenant_id: str
    outlet_id: str
    event: str
    transformer: str | None
    route: str | None
    order_ref_no: str
    body: bytes
    status: str
    reason: str
    external_order_id: str
    created_at: datetime
    updated_at: datetime
    fulfilment_status: str | None = None
    version: int = 0


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What a status update says besides the status: where it came from and when it happened."""

    source: str
    pos_order_id: str | None = None
    reason: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One accepted fulfilment change; ``version`` is the order's version after it."""

    version: int
    status: str
    previous_status: str | None
    pos_order_id: str | None
    reason: str | None
    source: str
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class FulfilmentUpdate:
    """The outcome of a status update: ``entry`` is None when the order already had the status."""

    status: str | None
    previous_status: str | None
    entry: StatusEntry | None


@dataclass(frozen=True, slots=True)
class StatusSkip:
    """An inbound POS status webhook acknowledged without a change, and why."""

    source: str
    pos_order_id: str | None
    reason: str
    received_at: datetime


def webhook_of_row(row: sa.Row[Any]) -> Webhook:
    return Webhook(
        id=row.id,
        tenant_id=row.tenant_id,
        outlet_id=row.outlet_id,
        provider=row.provider,
        callback_url=row.callback_url,
        events=msgspec.json.decode(row.events, type=list[str]),
        secret=row.secret,
        is_active=bool(row.is_active),
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def order_of_row(row: sa.Row[Any]) -> StoredOrder:
    return StoredOrder(
        id=row.id,
        tenant_id=row.tenant_id,
        outlet_id=row.outlet_id,
        event=row.event,
        transformer=row.transformer,
        route=row.route,
        order_ref_no=row.order_ref_no,
        body=bytes(row.body),
        status=row.status,
        reason=row.reason,
        external_order_id=row.external_order_id,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        fulfilment_status=row.fulfilment_status,
        version=row.version,
    )


def attempt_of_row(row: sa.Row[Any]) -> Attempt:
    return Attempt(
        id=row.id,
        order_id=row.order_id,
        route=row.route,
        started_at=aware(row.started_at),
        duration_ms=row.duration_ms,
        request_method=row.request_method,
        request_url=row.request_url,
        request_headers=msgspec.json.decode(row.request_headers, type=dict[str, str]),
        request_body=None if row.request_body is None else bytes(row.request_body),
        response_status=row.response_status,
        response_headers=msgspec.json.decode(row.response_headers, type=dict[str, str]),
        response_body=bytes(row.response_body),
        dispatched=bool(row.dispatched),
        reason=row.reason,
        external_order_id=row.external_order_id,
        script_error=row.script_error or "",
        script_logs=tuple(msgspec.json.decode(row.script_logs or "[]", type=list[str])),
        findings=tuple(msgspec.json.decode(row.findings or "[]", type=list[dict[str, str]])),
    )
