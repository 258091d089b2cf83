"""Unauthenticated and identity endpoints: health, the event catalogue, whoami, the sandbox's settings."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get

from cata_sandbox import __version__
from cata_sandbox.api.dependencies import CallerDep, ServicesDep
from cata_sandbox.schemas import EVENTS, ApiResponse


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


class MockPosUrls(msgspec.Struct, kw_only=True):
    """Where the mock_pos that runs beside the service answers."""

    url: str
    adminUrl: str
    receiversUrl: str
    revelUrl: str


class SandboxInfo(ApiResponse, kw_only=True):
    """What a client needs to know to predict outcomes: the budget, the callback policy, the limits."""

    version: str
    dispatchBudgetS: float
    callbackPolicy: str
    maxRequestBytes: int
    responseBodyCap: int
    mockPos: MockPosUrls | None


def mock_pos_urls(url: str | None) -> MockPosUrls | None:
    if url is None:
        return None
    base = url.rstrip("/")
    return MockPosUrls(
        url=base, adminUrl=f"{base}/__admin", receiversUrl=f"{base}/webhooks", revelUrl=f"{base}/revel"
    )


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

    @get("/api/v1/sandbox", summary="This sandbox's dispatch budget, callback policy, version, mock URLs")
    async def sandbox(self, caller: CallerDep, services: ServicesDep) -> SandboxInfo:
        settings = services.settings
        return SandboxInfo(
            code=200,
            isSuccess=True,
            message="ok",
            version=__version__,
            dispatchBudgetS=settings.dispatch_timeout_s,
            callbackPolicy=settings.callback_policy,
            maxRequestBytes=settings.max_request_bytes,
            responseBodyCap=settings.response_body_cap,
            mockPos=mock_pos_urls(settings.mock_url),
        )
