"""The dispatch endpoint and the stored orders."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Litestar, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, HeaderParameter, QueryParameter, RawBody

from cata_sandbox.api.dependencies import CallerDep, ServicesDep
from cata_sandbox.api.openapi.document import REQUEST_BODY_OPT, one_of
from cata_sandbox.errors import NotFound
from cata_sandbox.idempotency import (
    IDEMPOTENCY_HEADER,
    KEY_PATTERN,
    MAX_KEY_LENGTH,
    REPLAYED_HEADER,
    WAIT_MARGIN_S,
    claim_for,
    dispatch_once,
)
from cata_sandbox.schemas import (
    EVENTS,
    ApiResponse,
    AttemptView,
    DispatchResponse,
    Order,
    OrderView,
    OutletId,
    PrecisionFindingView,
    StatusEntryView,
    StatusSkipView,
)
from cata_sandbox.store import Attempt, OrderStatus, StatusEntry, StatusSkip, StoredOrder
from cata_sandbox.transformers import TransformerRegistry

ORDER_STATUSES = tuple(status.value for status in OrderStatus)


def dispatch_request_type(app: Litestar) -> Any:
    """The dispatch body as the OpenAPI document shows it; the handler decodes the raw bytes itself."""
    services = getattr(app.state, "services", None)
    registry = services.registry if services is not None else TransformerRegistry.discover()
    slugs = registry.slugs()
    transformer: Any = one_of(slugs) | None if slugs else None
    return msgspec.defstruct(
        "DispatchRequest",
        [
            ("outletId", OutletId),
            ("event", one_of(EVENTS)),
            ("order", Order),
            ("builtInTransformer", transformer, None),
        ],
        kw_only=True,
    )


class OrderSummary(msgspec.Struct, kw_only=True):
    orderId: str
    outletId: str
    orderRefNo: str
    route: str | None
    builtInTransformer: str | None
    status: str
    reason: str
    externalOrderId: str
    createdAt: str


class OrderList(ApiResponse, kw_only=True):
    orders: list[OrderSummary]
    total: int
    limit: int
    offset: int


class OrderEnvelope(ApiResponse, kw_only=True):
    order: OrderView


def attempt_view(attempt: Attempt) -> AttemptView:
    return AttemptView(
        deliveryId=attempt.id,
        route=attempt.route,
        startedAt=attempt.started_at,
        durationMs=round(attempt.duration_ms, 3),
        requestMethod=attempt.request_method,
        requestUrl=attempt.request_url,
        requestHeaders=attempt.request_headers,
        responseStatus=attempt.response_status,
        responseHeaders=attempt.response_headers,
        responseBody=attempt.response_body.decode("utf-8", errors="replace"),
        dispatched=attempt.dispatched,
        reason=attempt.reason,
        externalOrderId=attempt.external_order_id,
        scriptError=attempt.script_error,
        scriptLogs=list(attempt.script_logs),
        precisionFindings=[PrecisionFindingView(**f) for f in attempt.findings],
    )


def status_entry_view(entry: StatusEntry) -> StatusEntryView:
    return StatusEntryView(
        status=entry.status,
        previousStatus=entry.previous_status,
        posOrderId=entry.pos_order_id,
        reason=entry.reason,
        source=entry.source,
        occurredAt=entry.occurred_at,
        recordedAt=entry.recorded_at,
    )


def order_view(
    order: StoredOrder,
    attempts: list[Attempt],
    history: list[StatusEntry] | None = None,
    skips: list[StatusSkip] | None = None,
) -> OrderView:
    return OrderView(
        orderId=order.id,
        outletId=order.outlet_id,
        event=order.event,
        route=order.route,
        builtInTransformer=order.transformer,
        orderRefNo=order.order_ref_no,
        status=order.status,
        reason=order.reason,
        externalOrderId=order.external_order_id,
        createdAt=order.created_at,
        updatedAt=order.updated_at,
        order=msgspec.Raw(order.body),
        attempts=[attempt_view(a) for a in attempts],
        fulfilmentStatus=order.fulfilment_status,
        statusHistory=[status_entry_view(e) for e in history or []],
        skippedStatusUpdates=[
            StatusSkipView(
                source=s.source, posOrderId=s.pos_order_id, reason=s.reason, receivedAt=s.received_at
            )
            for s in skips or []
        ],
    )


class OrderController(Controller):
    path = "/api/v1/orders"
    tags = ["Partner H2H"]

    @post(
        "/dispatch",
        status_code=200,
        summary="Dispatch an order to the outlet's POS (webhook or transformer)",
        opt={REQUEST_BODY_OPT: dispatch_request_type},
        response_headers=[
            ResponseHeader(
                name=REPLAYED_HEADER,
                documentation_only=True,
                description="`true` when the answer replays an earlier request with the same Idempotency-Key",
            )
        ],
    )
    async def dispatch(
        self,
        caller: CallerDep,
        services: ServicesDep,
        body: RawBody,
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name=IDEMPOTENCY_HEADER,
                # Documented, and checked by ``claim_for``, whose message names the header.
                schema_extra={"minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
                description="Same key and same body: the first response again, nothing stored or sent;"
                " same key, different body: 409. Per tenant.",
            ),
        ] = None,
    ) -> Response[DispatchResponse]:
        """``{outletId, event, order, builtInTransformer?}``; ``order`` is sent byte for byte.

        The raw body is taken as bytes, not decoded by the framework: the order's bytes must survive.
        """
        claim = claim_for(idempotency_key, body)
        if claim is None:
            return Response(await services.dispatcher.dispatch(caller.tenant_id, body))
        answer, replayed = await dispatch_once(
            lambda claimed: services.dispatcher.dispatch(caller.tenant_id, body, claim=claimed),
            services.store,
            caller.tenant_id,
            claim,
            clock=services.clock,
            wait_s=services.settings.dispatch_timeout_s + WAIT_MARGIN_S,
        )
        return Response(answer, headers={REPLAYED_HEADER: "true"} if replayed else None)

    @get("/{order_id:str}", summary="A stored order with its attempts")
    async def get_order(
        self, order_id: FromPath[str], caller: CallerDep, services: ServicesDep
    ) -> OrderEnvelope:
        order = await services.store.get_order(caller.tenant_id, order_id)
        if order is None:
            raise NotFound(f"order {order_id} not found")
        attempts = await services.store.list_attempts(caller.tenant_id, order_id)
        history = await services.store.status_history(caller.tenant_id, order_id)
        skips = await services.store.status_skips(caller.tenant_id, order_id)
        return OrderEnvelope(
            code=200, isSuccess=True, message="ok", order=order_view(order, attempts, history, skips)
        )

    @get("/", summary="Stored orders, newest first")
    async def list_orders(
        self,
        caller: CallerDep,
        services: ServicesDep,
        outlet_id: Annotated[str | None, QueryParameter(name="outletId")] = None,
        status: Annotated[
            str | None,
            QueryParameter(name="status", pattern=f"^({'|'.join(ORDER_STATUSES)})$"),
        ] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
        # Bounded like every id: past what the database's integers hold is a 400, not an overflow.
        offset: Annotated[int, QueryParameter(name="offset", ge=0, le=2**53 - 1)] = 0,
    ) -> OrderList:
        found, total = await services.store.list_orders(
            caller.tenant_id, outlet_id=outlet_id, status=status, limit=limit, offset=offset
        )
        summaries = [
            OrderSummary(
                orderId=o.id,
                outletId=o.outlet_id,
                orderRefNo=o.order_ref_no,
                route=o.route,
                builtInTransformer=o.transformer,
                status=o.status,
                reason=o.reason,
                externalOrderId=o.external_order_id,
                createdAt=o.created_at.isoformat(),
            )
            for o in found
        ]
        return OrderList(
            code=200, isSuccess=True, message="ok", orders=summaries, total=total, limit=limit, offset=offset
        )
