"""The dispatch endpoint and the stored orders."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter, RawBody

from cata_sandbox.errors import InvalidRequest, NotFound
from cata_sandbox.schemas import ApiResponse, AttemptView, DispatchResponse, OrderView
from cata_sandbox.services import CallerDep, ServicesDep
from cata_sandbox.store import Attempt, StoredOrder

ORDER_STATUSES = ("pending", "dispatched", "failed")


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
    )


def order_view(order: StoredOrder, attempts: list[Attempt]) -> OrderView:
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
    )


class OrderController(Controller):
    path = "/api/v1/orders"
    tags = ["Partner H2H"]

    @post(
        "/dispatch", status_code=200, summary="Dispatch an order to the outlet's POS (webhook or transformer)"
    )
    async def dispatch(
        self,
        caller: CallerDep,
        services: ServicesDep,
        body: RawBody,
    ) -> DispatchResponse:
        """``{outletId, event, order, builtInTransformer?}``; ``order`` is sent byte for byte.

        The raw body is taken as bytes, not decoded by the framework: the order's bytes must survive.
        """
        return await services.dispatcher.dispatch(caller.tenant_id, body)

    @get("/{order_id:str}", summary="A stored order with its attempts")
    async def get_order(
        self, order_id: FromPath[str], caller: CallerDep, services: ServicesDep
    ) -> OrderEnvelope:
        order = await services.store.get_order(caller.tenant_id, order_id)
        if order is None:
            raise NotFound(f"order {order_id} not found")
        attempts = await services.store.list_attempts(caller.tenant_id, order_id)
        return OrderEnvelope(code=200, isSuccess=True, message="ok", order=order_view(order, attempts))

    @get("/", summary="Stored orders, newest first")
    async def list_orders(
        self,
        caller: CallerDep,
        services: ServicesDep,
        outlet_id: Annotated[str | None, QueryParameter(name="outletId")] = None,
        status: Annotated[str | None, QueryParameter(name="status")] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(name="offset", ge=0)] = 0,
    ) -> OrderList:
        if status is not None and status not in ORDER_STATUSES:
            raise InvalidRequest(
                f"unknown status {status!r} - at `status` (one of {', '.join(ORDER_STATUSES)})"
            )
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
