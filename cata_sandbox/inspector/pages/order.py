"""One order: as sent, its attempts, its status history; Replay, push a status, HAR download."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from cata_sandbox.api.dependencies import Services, ServicesDep
from cata_sandbox.errors import InvalidRequest, NotFound
from cata_sandbox.fulfilment.service import apply_status
from cata_sandbox.fulfilment.states import parse_status
from cata_sandbox.inspector.har import har_of
from cata_sandbox.inspector.render import back, page
from cata_sandbox.inspector.session import Session, checked_form
from cata_sandbox.inspector.views import allowed_moves, attempts_shown, pretty
from cata_sandbox.store import Attempt, StatusChange, StoredOrder

SOURCE = "inspector"
SessionDep = NamedDependency[Session]


async def order_and_attempts(
    services: Services, tenant_id: str, order_id: str
) -> tuple[StoredOrder, list[Attempt]]:
    order = await services.store.get_order(tenant_id, order_id)
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return order, await services.store.list_attempts(tenant_id, order_id)


class OrderPage(Controller):
    path = "/orders/{order_id:str}"
    include_in_schema = False

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, State],
        order_id: FromPath[str],
        session: SessionDep,
        services: ServicesDep,
    ) -> Template:
        order, attempts = await order_and_attempts(services, session.tenant_id, order_id)
        hooks = await services.store.list_webhooks(session.tenant_id, order.outlet_id)
        return page(
            request,
            "order.html",
            session,
            section="orders",
            order=order,
            order_pretty=pretty(order.body),
            order_raw=order.body.decode("utf-8", errors="replace"),
            attempts=attempts_shown(order, attempts, hooks),
            history=await services.store.status_history(session.tenant_id, order_id),
            skips=await services.store.status_skips(session.tenant_id, order_id),
            moves=allowed_moves(order.fulfilment_status),
            notice=request.query_params.get("notice"),
        )

    @post("/replay", status_code=303)
    async def replay(
        self,
        request: Request[Any, Any, State],
        order_id: FromPath[str],
        session: SessionDep,
        services: ServicesDep,
    ) -> Redirect:
        await checked_form(request)
        answer = await services.dispatcher.redispatch(session.tenant_id, order_id)
        outcome = "dispatched" if answer.dispatched else f"failed: {answer.reason}"
        return back(f"/orders/{order_id}", notice=f"replayed: {outcome}")

    @post("/status", status_code=303)
    async def push_status(
        self,
        request: Request[Any, Any, State],
        order_id: FromPath[str],
        session: SessionDep,
        services: ServicesDep,
    ) -> Redirect:
        fields = await checked_form(request)
        if not fields.get("status"):
            raise InvalidRequest("choose a status - at `status`")
        requested = parse_status(fields["status"], at="status")
        change = StatusChange(source=SOURCE, reason=fields.get("reason") or None)
        update = await apply_status(
            services.store, services.clock, session.tenant_id, order_id, requested, change
        )
        said = f"status {update.status}" if update.entry is not None else f"already {update.status}"
        return back(f"/orders/{order_id}", notice=said)

    @get("/har")
    async def har(
        self, order_id: FromPath[str], session: SessionDep, services: ServicesDep
    ) -> Response[bytes]:
        order, attempts = await order_and_attempts(services, session.tenant_id, order_id)
        return Response(
            msgspec.json.encode(har_of(order, attempts)),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="order-{order.id}.har"',
                "Cache-Control": "no-store",
            },
        )
