"""What the engine records and answers: an attempt from one exchange (secrets redacted), the response."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

import msgspec

from cata_sandbox.classify import Outcome
from cata_sandbox.delivery import Exchange
from cata_sandbox.pipeline import Reading, ScriptBuild
from cata_sandbox.schemas import DispatchResponse, Order
from cata_sandbox.store import Attempt, StoredOrder
from cata_sandbox.transformers import OutboundRequest

REDACTED = "[redacted]"
WEBHOOK_ROUTE = "webhook"

_ORDER_DECODER = msgspec.json.Decoder(Order)


def sent_attempt(
    delivery_id: str,
    order: StoredOrder,
    route: str,
    started_at: datetime,
    outgoing: OutboundRequest,
    headers: dict[str, str],
    exchange: Exchange,
    outcome: Outcome,
    reason: str,
    secret_values: list[str],
    built: ScriptBuild,
    reading: Reading,
) -> Attempt:
    """The attempt of one exchange, with every secret value replaced by ``[redacted]``."""
    return Attempt(
        id=delivery_id,
        order_id=order.id,
        route=route,
        started_at=started_at,
        duration_ms=exchange.duration_ms,
        request_method=outgoing.method,
        request_url=outgoing.url,
        request_headers={
            name: REDACTED if name in outgoing.secret_headers else redact_text(value, secret_values)
            for name, value in headers.items()
        },
        request_body=None if route == WEBHOOK_ROUTE else redact_bytes(outgoing.body, secret_values),
        response_status=exchange.status,
        # A receiver or POS may echo what it was sent (an auth header, the secret): never keep it.
        response_headers={
            name: redact_text(value, secret_values) for name, value in exchange.headers.items()
        },
        response_body=redact_bytes(exchange.body, secret_values),
        dispatched=outcome.dispatched,
        reason=reason,
        external_order_id=outcome.external_order_id if outcome.dispatched else "",
        script_error=redact_text(reading.error, secret_values),
        script_logs=built.logs + tuple(redact_text(line, secret_values) for line in reading.logs),
        findings=built.findings,
    )


def decode_dispatch_order(body: bytes) -> Order:
    return _ORDER_DECODER.decode(body)


def response(order_id: str, *, dispatched: bool, reason: str, external_order_id: str) -> DispatchResponse:
    return DispatchResponse(
        code=200,
        isSuccess=True,
        message="order dispatched" if dispatched else "order persisted but not dispatched",
        orderId=order_id,
        externalOrderId=external_order_id,
        dispatched=dispatched,
        reason=reason,
    )


def redacted(built: ScriptBuild, secrets: list[str]) -> ScriptBuild:
    return replace(built, logs=tuple(redact_text(line, secrets) for line in built.logs))


def redact_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def redact_bytes(body: bytes, secrets: list[str]) -> bytes:
    for secret in secrets:
        if secret:
            body = body.replace(secret.encode("utf-8"), REDACTED.encode())
    return body


def log_dispatch(
    log: logging.Logger, order: StoredOrder, route: str | None, dispatched: bool, reason: str, ms: float
) -> None:
    """The one log line of a dispatch."""
    log.info(
        "dispatch order=%s outlet=%s route=%s outcome=%s duration_ms=%.1f%s",
        order.id,
        order.outlet_id,
        route or "none",
        "dispatched" if dispatched else "failed",
        ms,
        f" reason={reason!r}" if reason else "",
    )
