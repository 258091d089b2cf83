"""Unauthenticated and identity endpoints: health, the event catalogue, whoami."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get

from cata_sandbox.schemas import EVENTS, ApiResponse
from cata_sandbox.services import CallerDep


class Health(msgspec.Struct):
    status: str


class EventInfo(msgspec.Struct):
    name: str
    description: str


class EventCatalogue(msgspec.Struct):
    events: list[EventInfo]


class WhoAmI(ApiResponse, kw_only=True):
    authenticated: bool
    tenantId: str
    apiKeyId: int
    expiresAt: datetime | None


class MetaController(Controller):
    path = "/"
    tags = ["Partner H2H"]

    @get("/health", summary="Liveness probe")
    async def health(self) -> Health:
        return Health(status="healthy")

    @get("/api/v1/webhooks/events", summary="Catalogue of webhook events")
    async def events(self) -> EventCatalogue:
        return EventCatalogue(events=[EventInfo(name=n, description=d) for n, d in EVENTS.items()])

    @get("/api/v1/auth/whoami", summary="Verify X-Api-Key")
    async def whoami(self, caller: CallerDep) -> WhoAmI:
        return WhoAmI(
            code=200,
            isSuccess=True,
            message="authenticated",
            authenticated=True,
            tenantId=caller.tenant_id,
            apiKeyId=caller.api_key.id,
            expiresAt=caller.api_key.expires_at,
        )
