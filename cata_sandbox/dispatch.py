"""The dispatch engine: validate, persist, route, send, classify, record.

Persistence comes first: the order row is committed before any outbound byte is sent, so a crash or a
failure always leaves the order as evidence. The outbound request and its exchange (one budget for the
whole exchange, no redirects, the answer read up to a cap) are defined in :mod:`cata_sandbox.delivery`.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from typing import Any

import httpx
import sqlalchemy as sa

from cata_sandbox import signing
from cata_sandbox.attempt_record import (
    decode_dispatch_order,
    log_dispatch,
    redact_text,
    redacted,
    response,
    sent_attempt,
)
from cata_sandbox.classify import (
    NO_ROUTE,
    NOT_DISPATCHED,
    Outcome,
    pos_reason,
    transport_reason,
    webhook_outcome,
    webhook_reason,
)
from cata_sandbox.clock import Clock
from cata_sandbox.delivery import Sender, attempt_headers, webhook_request
from cata_sandbox.errors import InvalidRequest, NotFound
from cata_sandbox.idempotency import IdempotencyClaim, KeyAlreadyClaimed, claim_in
from cata_sandbox.oauth_tokens import TokenKeeper, refreshable
from cata_sandbox.pipeline import Reading, ScriptBuild, ScriptPipeline, remaining_deadline
from cata_sandbox.schemas import DispatchResponse
from cata_sandbox.script_route import (
    Routed,
    ScriptCall,
    failed_attempt,
    plugin_request,
    provider_call,
    script_outgoing,
    standard_call,
    with_config,
)
from cata_sandbox.settings import Settings
from cata_sandbox.store import Attempt, OrderStatus, Store, StoredOrder
from cata_sandbox.transformers import OutboundRequest, TransformerRegistry
from cata_sandbox.validation import DispatchRequest, decode_dispatch

log = logging.getLogger("cata_sandbox.dispatch")

WEBHOOK_ROUTE = "webhook"
# ``interpret(response)`` still gets this long when the POS's answer used up the dispatch budget.
INTERPRET_FLOOR_S = 0.25


def _config(call: ScriptCall | None) -> dict[str, Any]:
    found = call.input.get("config") if call is not None else None
    return found if isinstance(found, dict) else {}


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
        scripts: ScriptPipeline | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.settings = settings
        self.clock = clock
        self.registry = registry
        self.scripts = scripts
        # The client's transport is given by whoever built the client (see delivery.Sender).
        self.sender = Sender(
            client=client,
            transport=transport,
            budget_s=settings.dispatch_timeout_s,
            body_cap=settings.response_body_cap,
            clock=clock,
            callback_policy=settings.callback_policy,
        )
        self.tokens = TokenKeeper(store, self.sender, clock)

    async def dispatch(
        self, tenant_id: str, body: bytes, *, claim: IdempotencyClaim | None = None
    ) -> DispatchResponse:
        """Validate, persist, route, send, classify, record; ``claim`` is the request's Idempotency-Key.

        Raises :class:`KeyAlreadyClaimed` (and stores nothing) when another request holds the key.
        """
        started = self.clock.monotonic()
        request = decode_dispatch(body)
        if request.transformer is not None and request.transformer not in self.known_providers():
            known = ", ".join(self.known_providers()) or "none"
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
            return response(order.id, dispatched=False, reason=reason, external_order_id="")
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
            return response(stored.id, dispatched=False, reason=routed, external_order_id="")
        return await self._deliver(stored, routed, started)

    def known_providers(self) -> list[str]:
        """The ``builtInTransformer`` values: providers with a dispatch script, plus Python plugins."""
        scripted = self.scripts.providers() if self.scripts is not None else []
        return sorted({*scripted, *self.registry.slugs()})

    # --- steps ------------------------------------------------------------------------------

    async def _deliver(self, order: StoredOrder, routed: Routed, started: float) -> DispatchResponse:
        """Send a persisted order along its route, log, answer; a 401 to a refreshable token: once more."""
        route, outgoing, secrets, call = routed
        outcome, reason, attempt, call, secrets = await self._attempt(order, routed, started, force=False)
        if outgoing is None and attempt.response_status == 401 and refreshable(_config(call)):
            again = Routed(route, None, secrets, call)
            outcome, reason, attempt, _, _ = await self._attempt(order, again, started, force=True)
        self._log(order, route, outcome.dispatched, reason, started)
        return response(
            order.id,
            dispatched=outcome.dispatched,
            reason=reason,
            external_order_id=attempt.external_order_id,
        )

    async def _attempt(
        self, order: StoredOrder, routed: Routed, started: float, *, force: bool
    ) -> tuple[Outcome, str, Attempt, ScriptCall | None, list[str]]:
        """One attempt; a scripted route's token is made fresh and its scripts run first (ADR 0006)."""
        route, outgoing, secret_values, call = routed
        built = ScriptBuild(None)
        if outgoing is None:
            assert call is not None
            assert self.scripts is not None
            spent = self.clock.monotonic() - started
            budget = self.settings.dispatch_timeout_s - spent
            config = await self.tokens.fresh_config(
                order.tenant_id, call.provider, _config(call), budget=budget, force=force
            )
            if isinstance(config, str):
                built = ScriptBuild(None, config)
            else:
                call, secret_values = with_config(call, config, secret_values)
                deadline = remaining_deadline(budget + spent, self.clock.monotonic() - started)
                built = await self.scripts.build(call.provider, call.input, order.body, deadline=deadline)
            if built.request is None:
                reason = redact_text(built.error, secret_values)
                attempt = failed_attempt(
                    str(uuid.uuid4()), order, route, reason, redacted(built, secret_values), self.clock.now()
                )
                if isinstance(config, str):
                    attempt = replace(attempt, script_error="")
                await self._record(order, route, attempt)
                return Outcome(dispatched=False), reason, attempt, call, secret_values
            outgoing = script_outgoing(built.request, call, order.body, secret_values)
        outcome, reason, attempt = await self._send(
            order, route, outgoing, secret_values, started, redacted(built, secret_values), call
        )
        return outcome, reason, attempt, call, secret_values

    async def _persist(
        self, order: StoredOrder, request: DispatchRequest, claim: IdempotencyClaim | None = None
    ) -> tuple[Routed | None, str]:
        """Route and commit the order (and claim its idempotency key) in one transaction, before sending."""
        return await self.store.transaction(self._persist_in, order, request, claim)

    async def _persist_in(
        self, conn: Any, order: StoredOrder, request: DispatchRequest, claim: IdempotencyClaim | None
    ) -> tuple[Routed | None, str]:
        # Runs in Store.transaction: on SQLite in one step on the writer thread, so it awaits only `conn`.
        routed = await self._route(conn, order, request)
        if isinstance(routed, str):
            failed = replace(order, status=OrderStatus.FAILED.value, reason=routed)
            await self.store.insert_order(conn, failed)
            await claim_in(self.store, conn, order, claim)
            return None, routed
        await self.store.insert_order(conn, replace(order, route=routed[0]))
        await claim_in(self.store, conn, order, claim)
        return routed, ""

    async def _route(self, conn: Any, order: StoredOrder, request: DispatchRequest) -> Routed | str:
        """The route, request and secrets for the order, or the reason there is none. No script runs
        here (this is inside the order's transaction): a scripted route's request is built after it."""
        if request.transformer is None:
            hook = await self.store.active_webhook_for(conn, order.tenant_id, order.outlet_id, order.event)
            if hook is None:
                return NO_ROUTE
            signature = signing.sign(hook.secret, request.order_bytes)
            timestamp = int(self.clock.now().timestamp())
            if self.scripts is not None and not self.scripts.standard_is_builtin():
                call = standard_call(order, hook.callback_url, signature, timestamp)
                return Routed(WEBHOOK_ROUTE, None, [hook.secret], call)
            # The fast path: the Python twin of the built-in _standard script (a test holds them equal).
            outgoing = webhook_request(
                hook.callback_url, request.order_bytes, signature, event=order.event, timestamp=timestamp
            )
            return Routed(WEBHOOK_ROUTE, outgoing, [hook.secret])
        if self.scripts is not None and self.scripts.has(request.transformer):
            mapping = await self.store.outlet_provider_for(conn, order.tenant_id, order.outlet_id)
            if mapping is None or mapping.provider_slug != request.transformer:
                return NO_ROUTE
            connection = await self.store.provider_connection_for(
                conn, order.tenant_id, mapping.provider_slug
            )
            call, secrets = provider_call(order, mapping, connection)
            return Routed(mapping.provider_slug, None, secrets, call)
        transformer = self.registry.get(request.transformer)
        mapping = await self.store.outlet_provider_for(conn, order.tenant_id, order.outlet_id)
        if transformer is None or mapping is None or mapping.provider_slug != request.transformer:
            return NO_ROUTE
        built = plugin_request(transformer, mapping.settings, request.order, order)
        return built if isinstance(built, str) else Routed(transformer.slug, *built)

    async def _send(
        self,
        order: StoredOrder,
        route: str,
        outgoing: OutboundRequest,
        secret_values: list[str],
        started: float,
        built: ScriptBuild,
        call: ScriptCall | None,
    ) -> tuple[Outcome, str, Attempt]:
        delivery_id = str(uuid.uuid4())
        webhook = route == WEBHOOK_ROUTE
        headers = attempt_headers(outgoing, delivery_id) if webhook else dict(outgoing.headers)
        started_at = self.clock.now()
        budget = (
            None if call is None else self.settings.dispatch_timeout_s - (self.clock.monotonic() - started)
        )
        exchange = await self.sender.exchange(
            outgoing.method, outgoing.url, headers, outgoing.body, budget=budget
        )
        reading = Reading(NOT_DISPATCHED, "")
        if exchange.status is None:
            outcome = Outcome(dispatched=False)
            reason = transport_reason(exchange.error or "unknown error")
        elif route == WEBHOOK_ROUTE:
            outcome = webhook_outcome(exchange.status, exchange.body)
            reason = webhook_reason(exchange.status, outcome)
        elif call is not None and self.scripts is not None:
            spent = self.clock.monotonic() - started
            deadline = max(
                remaining_deadline(self.settings.dispatch_timeout_s, spent),
                time.monotonic() + INTERPRET_FLOOR_S,
            )
            reading = await self.scripts.read(
                route, exchange.status, exchange.headers, exchange.body, deadline=deadline
            )
            outcome, reason = reading.outcome, reading.reason
        else:
            transformer = self.registry.get(route)
            assert transformer is not None
            if 200 <= exchange.status < 300:
                outcome = transformer.interpret_response(exchange.status, exchange.headers, exchange.body)
            else:
                outcome = Outcome(dispatched=False)
            reason = pos_reason(exchange.status, exchange.body, outcome)
        reason = redact_text(reason, secret_values)
        attempt = sent_attempt(
            delivery_id,
            order,
            route,
            started_at,
            outgoing,
            headers,
            exchange,
            outcome,
            reason,
            secret_values,
            built,
            reading,
        )
        await self._record(order, route, attempt)
        return outcome, reason, attempt

    async def _record(self, order: StoredOrder, route: str, attempt: Attempt) -> None:
        await self.store.record_attempt(
            attempt,
            tenant_id=order.tenant_id,
            status=(OrderStatus.DISPATCHED if attempt.dispatched else OrderStatus.FAILED).value,
            now=self.clock.now(),
        )

    def _log(
        self, order: StoredOrder, route: str | None, dispatched: bool, reason: str, started: float
    ) -> None:
        log_dispatch(log, order, route, dispatched, reason, (self.clock.monotonic() - started) * 1000)
