"""The HTTP face of fulfilment: status updates (partners, Revel's webhook) and redispatch."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, RawBody
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from cata_sandbox.api.dependencies import CallerDep, ServicesDep
from cata_sandbox.errors import InvalidRequest
from cata_sandbox.fulfilment.inbound import UnprocessableWebhook, inbound_status
from cata_sandbox.fulfilment.inbound_auth import inbound_tenant
from cata_sandbox.fulfilment.service import apply_status
from cata_sandbox.fulfilment.states import parse_status
from cata_sandbox.schemas import ApiResponse, AwareDatetime, DispatchResponse
from cata_sandbox.store import FulfilmentUpdate, StatusChange
from cata_sandbox.validation import decode_body

log = logging.getLogger("cata_sandbox.lifecycle")

API_SOURCE = "api"


class StatusUpdate(msgspec.Struct, kw_only=True):
    """``POST /api/v1/orders/{orderId}/status``. Unknown fields are ignored, as everywhere in the API."""

    status: str
    posOrderId: str | None = None
    timestamp: str | None = None
    reason: str | None = None


class StatusUpdateResponse(ApiResponse, kw_only=True):
    orderId: str
    status: str | None
    previousStatus: str | None
    changed: bool


class InboundStatusResponse(ApiResponse, kw_only=True):
    orderId: str
    skipped: bool
    reason: str
    status: str | None
    changed: bool


_UPDATE_DECODER = msgspec.json.Decoder(StatusUpdate)


def decode_status_update(body: bytes) -> StatusUpdate:
    return decode_body(_UPDATE_DECODER, body, "status update")


def parse_timestamp(text: str | None) -> datetime | None:
    """RFC 3339 with an offset; missing or empty means the server's time."""
    if text is None or text == "":
        return None
    try:
        return msgspec.convert(text, AwareDatetime)
    except msgspec.ValidationError:
        raise InvalidRequest(
            f"invalid timestamp {text!r} - at `$.timestamp` (RFC 3339 with an offset,"
            " e.g. 2026-04-29T14:59:40+08:00)"
        ) from None


def _status_response(order_id: str, update: FulfilmentUpdate) -> StatusUpdateResponse:
    changed = update.entry is not None
    return StatusUpdateResponse(
        code=200,
        isSuccess=True,
        message="status updated" if changed else f"status unchanged: the order is already {update.status}",
        orderId=order_id,
        status=update.status,
        previousStatus=update.previous_status,
        changed=changed,
    )


class LifecycleController(Controller):
    path = "/api/v1/orders"

    @post(
        "/{order_id:str}/status",
        status_code=200,
        tags=["Partner H2H"],
        summary="Push the order's fulfilment status (PAID → ACCEPTED → ... → COMPLETED)",
    )
    async def update_status(
        self, order_id: FromPath[str], caller: CallerDep, services: ServicesDep, body: RawBody
    ) -> StatusUpdateResponse:
        """``{status, posOrderId?, timestamp?, reason?}``.

        Forward moves and skips are allowed, REJECTED only from PAID, CANCELLED from any non-final
        status; backward moves and moves out of COMPLETED, CANCELLED or REJECTED are 409; repeating the
        current status is a 200 that changes nothing.
        """
        update = decode_status_update(body)
        requested = parse_status(update.status)
        change = StatusChange(
            source=API_SOURCE,
            pos_order_id=update.posOrderId or None,
            reason=update.reason or None,
            occurred_at=parse_timestamp(update.timestamp),
        )
        stored = await apply_status(
            services.store, services.clock, caller.tenant_id, order_id, requested, change
        )
        return _status_response(order_id, stored)

    @post(
        "/{order_id:str}/redispatch",
        status_code=200,
        tags=["Orders"],
        summary="Send a stored order again through its route (fresh delivery id, new attempt)",
    )
    async def redispatch(
        self, order_id: FromPath[str], caller: CallerDep, services: ServicesDep
    ) -> DispatchResponse:
        """The stored order bytes go out again unchanged; the answer has the dispatch response's shape."""
        return await services.dispatcher.redispatch(caller.tenant_id, order_id)


class InboundController(Controller):
    path = "/api/v1/inbound"
    tags = ["Inbound"]

    @post(
        "/{provider:str}/order-status",
        status_code=200,
        summary="A POS's order status webhook, read by its order_status_update.js",
    )
    async def order_status(
        self, provider: FromPath[str], request: Request[Any, Any, Any], services: ServicesDep, body: RawBody
    ) -> InboundStatusResponse:
        """The POS's own body, read by ``<provider>/order_status_update.js`` (Revel's ``order.finalized``
        → COMPLETED; Lightspeed's and Atlas's order notifications → their Cata status).

        ``{skip: true, reason}`` from the script is acknowledged (200) with ``skipped: true`` and the
        reason, and changes nothing. A script that throws (a body it cannot read) is answered with a 500,
        so that the POS retries it.

        Authentication: the tenant's ``X-Api-Key``, or ``?tenant=<id>`` with the provider's own
        credentials as its connection's config sets them (HTTP Basic, an HMAC signature header, or
        ``?token=``); otherwise 401.
        """
        tenant_id = await inbound_tenant(
            services.keys, services.store, provider, request.headers, request.query_params, body
        )
        scripts = services.dispatcher.scripts
        if scripts is None:
            raise InvalidRequest("adapter scripts are not available")
        try:
            outcome = await inbound_status(services.store, services.clock, scripts, tenant_id, provider, body)
        except UnprocessableWebhook as exc:
            raise _retry_later(str(exc)) from None
        if outcome.update is None:
            return InboundStatusResponse(
                code=200,
                isSuccess=True,
                message="acknowledged without a change",
                orderId=outcome.order_id,
                skipped=True,
                reason=outcome.reason,
                status=outcome.status,
                changed=False,
            )
        reply = _status_response(outcome.order_id, outcome.update)
        return InboundStatusResponse(
            code=200,
            isSuccess=True,
            message=reply.message,
            orderId=outcome.order_id,
            skipped=False,
            reason="",
            status=outcome.status,
            changed=reply.changed,
        )


def _retry_later(message: str) -> HTTPException:
    """A 5xx with the envelope: the POS retries a webhook it gets a 5xx for."""
    log.warning("inbound status webhook refused (the POS will retry): %s", message)
    return HTTPException(status_code=HTTP_500_INTERNAL_SERVER_ERROR, detail=message)
