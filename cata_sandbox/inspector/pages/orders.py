"""The orders page (filters, pagination, counts) and the live feed it listens to (SSE, by session cookie)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, Template

from cata_sandbox.api.attempt_stream import attempt_events
from cata_sandbox.api.controllers.attempts import MAX_SEQ, _start
from cata_sandbox.api.dependencies import ServicesDep
from cata_sandbox.fulfilment.states import ALL_STATUSES
from cata_sandbox.inspector.render import page
from cata_sandbox.inspector.session import Session
from cata_sandbox.store import OrderQuery, OrderStatus

PAGE_SIZE = 25
DISPATCH_STATUSES = tuple(s.value for s in OrderStatus)
SessionDep = NamedDependency[Session]
Text = Annotated[str | None, QueryParameter(max_length=200)]


async def counts_of(services: Any, tenant_id: str) -> dict[str, int]:
    found = await services.store.order_counts(tenant_id)
    return {status: found.get(status, 0) for status in DISPATCH_STATUSES}


class OrdersPage(Controller):
    path = "/"
    include_in_schema = False

    @get("/orders")
    async def orders(
        self,
        request: Request[Any, Any, State],
        session: SessionDep,
        services: ServicesDep,
        outlet: Text = None,
        route: Text = None,
        status: Annotated[str | None, QueryParameter(pattern=f"^({'|'.join(DISPATCH_STATUSES)})?$")] = None,
        fulfilment: Annotated[str | None, QueryParameter(pattern=f"^({'|'.join(ALL_STATUSES)})?$")] = None,
        q: Text = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        query = OrderQuery(
            outlet_id=outlet or None,
            route=route or None,
            status=status or None,
            fulfilment_status=fulfilment or None,
            ref_contains=q or None,
        )
        found, total = await services.store.search_orders(
            session.tenant_id, query, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
        )
        filters = {
            "outlet": outlet or "",
            "route": route or "",
            "status": status or "",
            "fulfilment": fulfilment or "",
            "q": q or "",
        }
        return page(
            request,
            "orders.html",
            session,
            section="orders",
            orders=found,
            total=total,
            page_number=page_number,
            pages=max(1, -(-total // PAGE_SIZE)),
            filters=filters,
            filtered=any(filters.values()),
            counts=await counts_of(services, session.tenant_id),
            outlets=await services.store.outlet_ids(session.tenant_id),
            routes=["webhook", *services.registry.slugs()],
            dispatch_statuses=DISPATCH_STATUSES,
            fulfilment_statuses=ALL_STATUSES,
        )

    @get("/orders/counts")
    async def counts(self, session: SessionDep, services: ServicesDep) -> dict[str, int]:
        """The dispatched / failed / pending counts, which the page refreshes after live events."""
        return await counts_of(services, session.tenant_id)

    @get("/stream", media_type="text/event-stream")
    async def stream(
        self,
        session: SessionDep,
        services: ServicesDep,
        after: Annotated[int | None, QueryParameter(ge=0, le=MAX_SEQ)] = None,
        last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID")] = None,
    ) -> ServerSentEvent:
        """The API's attempt stream (the same feed and events), authenticated by the session cookie."""
        return ServerSentEvent(
            attempt_events(
                services.store, session.tenant_id, outlet_id=None, after=_start(last_event_id, after)
            ),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
