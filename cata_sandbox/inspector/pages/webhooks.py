"""Webhooks (list, register, update, rotate the secret - shown once -, delete); outlets and their charts."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from cata_sandbox.api.controllers.outlet_providers import outlet_provider_view
from cata_sandbox.api.controllers.webhooks import WebhookId, register_from, rotate_secret, update_from
from cata_sandbox.api.dependencies import Services, ServicesDep
from cata_sandbox.errors import NotFound
from cata_sandbox.inspector.chart import latency_chart
from cata_sandbox.inspector.render import back, page
from cata_sandbox.inspector.session import Session, checked_form
from cata_sandbox.schemas import EVENTS
from cata_sandbox.store import Webhook

SessionDep = NamedDependency[Session]
CHART_POINTS = 40


def _events(fields: dict[str, str], form_events: list[str]) -> list[str]:
    return [e for e in form_events if e] or [
        e.strip() for e in fields.get("events", "").split(",") if e.strip()
    ]


async def _webhooks_page(
    request: Request[Any, Any, State], session: Session, services: Services, **extra: Any
) -> Template:
    hooks = await services.store.list_webhooks(session.tenant_id)
    return page(request, "webhooks.html", session, section="webhooks", hooks=hooks, events=EVENTS, **extra)


class WebhooksPage(Controller):
    path = "/"
    include_in_schema = False

    @get("/webhooks")
    async def webhooks(
        self, request: Request[Any, Any, State], session: SessionDep, services: ServicesDep
    ) -> Template:
        return await _webhooks_page(request, session, services, notice=request.query_params.get("notice"))

    @post("/webhooks", status_code=201)
    async def register(
        self, request: Request[Any, Any, State], session: SessionDep, services: ServicesDep
    ) -> Template:
        fields = await checked_form(request)
        events = _events(fields, (await request.form()).getall("event", []))
        body = {"outletId": fields.get("outletId", ""), "callbackUrl": fields.get("callbackUrl", "")}
        if fields.get("provider"):
            body["provider"] = fields["provider"]
        registration = msgspec.json.encode({**body, "events": events or ["order.paid"]})
        hook = await register_from(services, session.tenant_id, registration)
        return await _webhooks_page(
            request, session, services, shown=hook, notice=f"webhook #{hook.id} registered"
        )

    @post("/webhooks/{webhook_id:int}", status_code=303)
    async def update(
        self,
        request: Request[Any, Any, State],
        webhook_id: WebhookId,
        session: SessionDep,
        services: ServicesDep,
    ) -> Redirect:
        fields = await checked_form(request)
        events = _events(fields, (await request.form()).getall("event", []))
        body: dict[str, Any] = {"isActive": fields.get("isActive") == "on"}
        if fields.get("callbackUrl"):
            body["callbackUrl"] = fields["callbackUrl"]
        if events:
            body["events"] = events
        await update_from(services, session.tenant_id, webhook_id, msgspec.json.encode(body))
        return back("/webhooks", notice=f"webhook #{webhook_id} updated")

    @post("/webhooks/{webhook_id:int}/rotate", status_code=200)
    async def rotate(
        self,
        request: Request[Any, Any, State],
        webhook_id: WebhookId,
        session: SessionDep,
        services: ServicesDep,
    ) -> Template:
        await checked_form(request)
        hook = await rotate_secret(services, session.tenant_id, webhook_id)
        return await _webhooks_page(
            request, session, services, shown=hook, notice=f"webhook #{hook.id}: secret rotated"
        )

    @post("/webhooks/{webhook_id:int}/delete", status_code=303)
    async def delete(
        self,
        request: Request[Any, Any, State],
        webhook_id: WebhookId,
        session: SessionDep,
        services: ServicesDep,
    ) -> Redirect:
        await checked_form(request)
        if not await services.store.delete_webhook(session.tenant_id, webhook_id, services.clock.now()):
            raise NotFound(f"webhook {webhook_id} not found")
        return back("/webhooks", notice=f"webhook #{webhook_id} deleted")

    @get("/outlets")
    async def outlets(
        self, request: Request[Any, Any, State], session: SessionDep, services: ServicesDep
    ) -> Template:
        tenant = session.tenant_id
        hooks: list[Webhook] = await services.store.list_webhooks(tenant)
        scripts = services.dispatcher.scripts
        mappings = {
            m.outlet_id: outlet_provider_view(
                m, services.registry, scripts is not None and scripts.has(m.provider_slug)
            )
            for m in await services.store.list_outlet_providers(tenant)
        }
        names = sorted({*(h.outlet_id for h in hooks), *mappings, *await services.store.outlet_ids(tenant)})
        outlets = []
        for name in names:
            points = await services.store.recent_attempts(tenant, name, CHART_POINTS)
            outlets.append(
                {
                    "id": name,
                    "hooks": [h for h in hooks if h.outlet_id == name],
                    "mapping": mappings.get(name),
                    "points": points,
                    "failed": sum(1 for p in points if not p.dispatched),
                    "chart": latency_chart(
                        points, f"latency and outcome of the last {len(points)} attempts to {name}"
                    ),
                }
            )
        return page(
            request, "outlets.html", session, section="outlets", outlets=outlets, chart_points=CHART_POINTS
        )
