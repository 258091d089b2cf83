"""The dispatch engine: validate, persist, route, send, classify, record.

Persistence comes first: the order row is committed before any outbound byte is sent, so a crash or a
failure always leaves the order as evidence. The outbound request and its exchange (one budget for the
whole exchange, no redirects, the answer read up to a cap) are defined in :mod:`cata_sandbox.delivery`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import Any

import httpx
import msgspec
import sqlalchemy as sa

from cata_sandbox import signing
from cata_sandbox.classify import (
    NO_ROUTE,
    Outcome,
    pos_reason,
    transport_reason,
    webhook_outcome,
    webhook_reason,
)
from cata_sandbox.clock import Clock
from cata_sandbox.delivery import Sender, attempt_headers, webhook_request
from cata_sandbox.errors import InvalidRequest, NotFound
from cata_sandbox.idempotency import IdempotencyClaim, KeyAlreadyClaimed
from cata_sandbox.net.failures import describe_failure
from cata_sandbox.schemas import DispatchResponse, Order
from cata_sandbox.settings import Settings
from cata_sandbox.store import Attempt, OrderStatus, Store, StoredOrder
from cata_sandbox.transformers import OutboundRequest, TransformerRegistry, UnmappableOrder
from cata_sandbox.validation import DispatchRequest, decode_dispatch, locate

log = logging.getLogger("cata_sandbox.dispatch")

REDACTED = "[redacted]"
WEBHOOK_ROUTE = "webhook"


class Dispatcher:
    def __init__(
        self,
        *,
        store: Store,
        client: httpx.AsyncClient,
        settings: Settings,
        clock: Clock,
        registry: TransformerRegistry,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.settings = settings
        self.clock = clock
        self.registry = registry
        # The client's transport is given by whoever built the client (see delivery.Sender).
        self.sender = Sender(
            client=client,
            transport=transport,
            budget_s=settings.dispatch_timeout_s,
            body_cap=settings.response_body_cap,
            clock=clock,
            callback_policy=settings.callback_policy,
        )

    async def dispatch(
        self, tenant_id: str, body: bytes, *, claim: IdempotencyClaim | None = None
    ) -> DispatchResponse:
        """Validate, persist, route, send, classify, record; ``claim`` is the request's Idempotency-Key.

        Raises :class:`KeyAlreadyClaimed` (and stores nothing) when another request holds the key.
        """
        started = self.clock.monotonic()
        request = decode_dispatch(body)
        if request.transformer is not None and request.transformer not in self.registry:
            known = ", ".join(self.registry.slugs()) or "none"
            raise InvalidRequest(
                f"unknown builtInTransformer {request.transformer!r} - at `$.builtInTransformer`"
                f" (known: {known})"
            )
        now = self.clock.now()
        order = StoredOrder(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            outlet_id=request.outlet_id,
            event=request.event,
            transformer=request.transformer,
            route=None,
            order_ref_no=request.order.orderRefNo,
            body=request.order_bytes,
            status=OrderStatus.PENDING.value,
            reason="",
            external_order_id="",
            created_at=now,
            updated_at=now,
        )
        try:
            outbound, reason = await self._persist(order, request, claim)
        except sa.exc.IntegrityError as exc:
            if claim is None:
                raise
            raise KeyAlreadyClaimed(claim.key) from exc
        if outbound is None:
            self._log(order, None, False, reason, started)
            return _response(order.id, dispatched=False, reason=reason, external_order_id="")
        return await self._deliver(order, outbound, started)

    async def redispatch(self, tenant_id: str, order_id: str) -> DispatchResponse:
        """Send a stored order again through its route, with a fresh delivery id and a new attempt."""
        stored = await self.store.get_order(tenant_id, order_id)
        if stored is None:
            raise NotFound(f"order {order_id} not found")
        request = DispatchRequest(
            outlet_id=stored.outlet_id,
            event=stored.event,
            transformer=stored.transformer,
            order_bytes=stored.body,
            order=decode_dispatch_order(stored.body),
        )
        started = self.clock.monotonic()
        routed = await self.store.read(self._route, stored, request)
        if isinstance(routed, str):
            await self.store.set_order_outcome(
                stored.id, status=OrderStatus.FAILED.value, reason=routed, now=self.clock.now()
            )
            self._log(stored, None, False, routed, started)
            return _response(stored.id, dispatched=False, reason=routed, external_order_id="")
        return await self._deliver(stored, routed, started)

    # --- steps ------------------------------------------------------------------------------

    async def _deliver(
        self, order: StoredOrder, routed: tuple[str, OutboundRequest, list[str]], started: float
    ) -> DispatchResponse:
        """Send a persisted order along its route, log the line, and answer: shared by both entries."""
        route, outgoing, secret_values = routed
        outcome, reason, attempt = await self._send(order, route, outgoing, secret_values)
        self._log(order, route, outcome.dispatched, reason, started)
        return _response(
            order.id,
            dispatched=outcome.dispatched,
            reason=reason,
            external_order_id=attempt.external_order_id,
        )

    async def _persist(
        self, order: StoredOrder, request: DispatchRequest, claim: IdempotencyClaim | None = None
    ) -> tuple[tuple[str, OutboundRequest, list[str]] | None, str]:
        """Route and commit the order (and claim its idempotency key) in one transaction, before sending."""
        return await self.store.transaction(self._persist_in, order, request, claim)

    async def _persist_in(
        self, conn: Any, order: StoredOrder, request: DispatchRequest, claim: IdempotencyClaim | None
    ) -> tuple[tuple[str, OutboundRequest, list[str]] | None, str]:
        # Runs in Store.transaction: on SQLite in one step on the writer thread, so it awaits only `conn`.
        routed = await self._route(conn, order, request)
        if isinstance(routed, str):
            failed = replace(order, status=OrderStatus.FAILED.value, reason=routed)
            await self.store.insert_order(conn, failed)
            await self._claim(conn, order, claim)
            return None, routed
        await self.store.insert_order(conn, replace(order, route=routed[0]))
        await self._claim(conn, order, claim)
        return routed, ""

    async def _claim(self, conn: Any, order: StoredOrder, claim: IdempotencyClaim | None) -> None:
        if claim is not None:
            await self.store.claim_idempotency_key(
                conn,
                order.tenant_id,
                key=claim.key,
                fingerprint=claim.fingerprint,
                order_id=order.id,
                now=order.created_at,
            )

    async def _route(
        self, conn: Any, order: StoredOrder, request: DispatchRequest
    ) -> tuple[str, OutboundRequest, list[str]] | str:
        """The route, request and secrets for the order, or the reason there is none."""
        if request.transformer is None:
            hook = await self.store.active_webhook_for(conn, order.tenant_id, order.outlet_id, order.event)
            if hook is None:
                return NO_ROUTE
            outgoing = webhook_request(
                hook.callback_url,
                request.order_bytes,
                signing.sign(hook.secret, request.order_bytes),
                event=order.event,
                timestamp=int(self.clock.now().timestamp()),
            )
            return WEBHOOK_ROUTE, outgoing, [hook.secret]
        transformer = self.registry.get(request.transformer)
        mapping = await self.store.outlet_provider_for(conn, order.tenant_id, order.outlet_id)
        if transformer is None or mapping is None or mapping.provider_slug != request.transformer:
            return NO_ROUTE
        secrets = [
            str(mapping.settings[name]) for name in transformer.secret_settings if name in mapping.settings
        ]
        # Whatever a transformer (possibly a third-party one) raises, the order must still be kept:
        # each failure becomes the order's reason, never a 500 that rolls the order back.
        try:
            settings = msgspec.convert(mapping.settings, transformer.settings_type)
            outgoing = transformer.build_request(request.order, settings, order.event)
        except UnmappableOrder as exc:
            return _redact_text(f"order cannot be mapped for {transformer.slug}: {exc}", secrets)
        except msgspec.ValidationError as exc:
            where = locate(str(exc), "$.settings")
            return f"stored settings of this outlet are not valid for {transformer.slug}: {where}"
        except Exception as exc:
            reason = _redact_text(f"transformer {transformer.slug} failed: {describe_failure(exc)}", secrets)
            # No traceback: its frames could show the settings' secrets.
            log.error("order=%s %s", order.id, reason)
            return reason
        return transformer.slug, outgoing, secrets

    async def _send(
        self, order: StoredOrder, route: str, outgoing: OutboundRequest, secret_values: list[str]
    ) -> tuple[Outcome, str, Attempt]:
        delivery_id = str(uuid.uuid4())
        webhook = route == WEBHOOK_ROUTE
        headers = attempt_headers(outgoing, delivery_id) if webhook else dict(outgoing.headers)
        started_at = self.clock.now()
        exchange = await self.sender.exchange(outgoing.method, outgoing.url, headers, outgoing.body)
        if exchange.status is None:
            outcome = Outcome(dispatched=False)
            reason = transport_reason(exchange.error or "unknown error")
        elif route == WEBHOOK_ROUTE:
            outcome = webhook_outcome(exchange.status, exchange.body)
            reason = webhook_reason(exchange.status, outcome)
        else:
            transformer = self.registry.get(route)
            assert transformer is not None
            if 200 <= exchange.status < 300:
                outcome = transformer.interpret_response(exchange.status, exchange.headers, exchange.body)
            else:
                outcome = Outcome(dispatched=False)
            reason = pos_reason(exchange.status, exchange.body, outcome)
        reason = _redact_text(reason, secret_values)
        attempt = Attempt(
            id=delivery_id,
            order_id=order.id,
            route=route,
            started_at=started_at,
            duration_ms=exchange.duration_ms,
            request_method=outgoing.method,
            request_url=outgoing.url,
            request_headers={
                name: REDACTED if name in outgoing.secret_headers else _redact_text(value, secret_values)
                for name, value in headers.items()
            },
            request_body=None if route == WEBHOOK_ROUTE else _redact_bytes(outgoing.body, secret_values),
            response_status=exchange.status,
            # A receiver or POS may echo what it was sent (an auth header, the secret): never keep it.
            response_headers={
                name: _redact_text(value, secret_values) for name, value in exchange.headers.items()
            },
            response_body=_redact_bytes(exchange.body, secret_values),
            dispatched=outcome.dispatched,
            reason=reason,
            external_order_id=outcome.external_order_id if outcome.dispatched else "",
        )
        await self.store.record_attempt(
            attempt,
            tenant_id=order.tenant_id,
            status=(OrderStatus.DISPATCHED if outcome.dispatched else OrderStatus.FAILED).value,
            now=self.clock.now(),
        )
        return outcome, reason, attempt

    def _log(
        self, order: StoredOrder, route: str | None, dispatched: bool, reason: str, started: float
    ) -> None:
        log.info(
            "dispatch order=%s outlet=%s route=%s outcome=%s duration_ms=%.1f%s",
            order.id,
            order.outlet_id,
            route or "none",
            "dispatched" if dispatched else "failed",
            (self.clock.monotonic() - started) * 1000,
            f" reason={reason!r}" if reason else "",
        )


_ORDER_DECODER = msgspec.json.Decoder(Order)


def decode_dispatch_order(body: bytes) -> Order:
    return _ORDER_DECODER.decode(body)


def _response(order_id: str, *, dispatched: bool, reason: str, external_order_id: str) -> DispatchResponse:
    return DispatchResponse(
        code=200,
        isSuccess=True,
        message="order dispatched" if dispatched else "order persisted but not dispatched",
        orderId=order_id,
        externalOrderId=external_order_id,
        dispatched=dispatched,
        reason=reason,
    )


def _redact_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _redact_bytes(body: bytes, secrets: list[str]) -> bytes:
    for secret in secrets:
        if secret:
            body = body.replace(secret.encode("utf-8"), REDACTED.encode())
    return body
