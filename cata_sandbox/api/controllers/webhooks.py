"""Webhook registration and management. The secret is shown on registration and rotation only."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import PathParameter, QueryParameter, RawBody

from cata_sandbox.api.dependencies import CallerDep, Services, ServicesDep
from cata_sandbox.api.openapi.document import REQUEST_BODY_OPT
from cata_sandbox.errors import InvalidRequest, NotFound
from cata_sandbox.net.callback_url import check_callback
from cata_sandbox.schemas import EVENTS, ApiResponse, WebhookRegistration, WebhookUpdate, WebhookView
from cata_sandbox.store import Webhook, new_webhook_secret, webhook_rules
from cata_sandbox.validation import decode_body

# A number past what the database's integer holds is a 400, not an overflow inside the store. The bound is
# JSON's largest exact integer, so every client (and the OpenAPI document) can state it exactly.
WebhookId = Annotated[int, PathParameter(ge=1, le=2**53 - 1)]
# Bodies are decoded here, strictly: the framework's decoding would take ``"isActive": 0`` as false.
_REGISTRATION = msgspec.json.Decoder(WebhookRegistration)
_UPDATE = msgspec.json.Decoder(WebhookUpdate)


class WebhookEnvelope(ApiResponse, kw_only=True):
    webhook: WebhookView


class WebhookList(ApiResponse, kw_only=True):
    webhooks: list[WebhookView]


class WebhookSecret(ApiResponse, kw_only=True):
    webhookId: int
    secret: str


def _view(hook: Webhook, *, with_secret: bool = False) -> WebhookView:
    return WebhookView(
        id=hook.id,
        outletId=hook.outlet_id,
        provider=hook.provider,
        callbackUrl=hook.callback_url,
        events=hook.events,
        isActive=hook.is_active,
        createdAt=hook.created_at,
        updatedAt=hook.updated_at,
        secret=hook.secret if with_secret else None,
    )


def check_events(events: list[str]) -> list[str]:
    for index, event in enumerate(events):
        if event not in EVENTS:
            raise InvalidRequest(f"unknown event {event!r} - at `$.events[{index}]`")
    return events


# The steps of registering, updating and rotating a webhook, shared by this API and the inspector's forms.


async def register_from(services: Services, tenant_id: str, body: bytes) -> Webhook:
    """Decode a registration, check its callback URL and events, store it with a new secret."""
    data = decode_body(_REGISTRATION, body, "webhook registration")
    return await webhook_rules.register_webhook(
        services.store,
        tenant_id,
        outlet_id=data.outletId,
        provider=data.provider,
        callback_url=await check_callback(data.callbackUrl, services.settings.callback_policy),
        events=check_events(data.events),
        secret=new_webhook_secret(),
        now=services.clock.now(),
    )


async def update_from(services: Services, tenant_id: str, webhook_id: int, body: bytes) -> Webhook:
    """Decode an update, check what it changes, apply it; NotFound for another tenant's or no webhook."""
    data = decode_body(_UPDATE, body, "webhook update")
    hook = await webhook_rules.update_webhook(
        services.store,
        tenant_id,
        webhook_id,
        services.clock.now(),
        callback_url=None
        if data.callbackUrl is None
        else await check_callback(data.callbackUrl, services.settings.callback_policy),
        events=None if data.events is None else check_events(data.events),
        is_active=data.isActive,
    )
    if hook is None:
        raise NotFound(f"webhook {webhook_id} not found")
    return hook


async def rotate_secret(services: Services, tenant_id: str, webhook_id: int) -> Webhook:
    hook = await services.store.update_webhook(
        tenant_id, webhook_id, services.clock.now(), secret=new_webhook_secret()
    )
    if hook is None:
        raise NotFound(f"webhook {webhook_id} not found")
    return hook


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["Partner H2H"]

    @post(
        "/register",
        status_code=201,
        summary="Register a webhook (the secret is shown once)",
        opt={REQUEST_BODY_OPT: WebhookRegistration},
    )
    async def register(self, body: RawBody, caller: CallerDep, services: ServicesDep) -> WebhookEnvelope:
        hook = await register_from(services, caller.tenant_id, body)
        return WebhookEnvelope(
            code=201, isSuccess=True, message="webhook registered", webhook=_view(hook, with_secret=True)
        )

    @get("/", summary="List the tenant's webhooks")
    async def list_webhooks(
        self,
        caller: CallerDep,
        services: ServicesDep,
        outlet_id: Annotated[str | None, QueryParameter(name="outletId")] = None,
    ) -> WebhookList:
        hooks = await services.store.list_webhooks(caller.tenant_id, outlet_id)
        return WebhookList(code=200, isSuccess=True, message="ok", webhooks=[_view(h) for h in hooks])

    @get("/{webhook_id:int}", summary="Webhook detail (never the secret)")
    async def get_webhook(
        self, webhook_id: WebhookId, caller: CallerDep, services: ServicesDep
    ) -> WebhookEnvelope:
        hook = await services.store.get_webhook(caller.tenant_id, webhook_id)
        if hook is None:
            raise NotFound(f"webhook {webhook_id} not found")
        return WebhookEnvelope(code=200, isSuccess=True, message="ok", webhook=_view(hook))

    @put(
        "/{webhook_id:int}",
        summary="Update callbackUrl, events, isActive",
        opt={REQUEST_BODY_OPT: WebhookUpdate},
    )
    async def update_webhook(
        self, webhook_id: WebhookId, body: RawBody, caller: CallerDep, services: ServicesDep
    ) -> WebhookEnvelope:
        hook = await update_from(services, caller.tenant_id, webhook_id, body)
        return WebhookEnvelope(code=200, isSuccess=True, message="webhook updated", webhook=_view(hook))

    @delete("/{webhook_id:int}", status_code=200, summary="Soft-delete a webhook")
    async def delete_webhook(
        self, webhook_id: WebhookId, caller: CallerDep, services: ServicesDep
    ) -> ApiResponse:
        if not await services.store.delete_webhook(caller.tenant_id, webhook_id, services.clock.now()):
            raise NotFound(f"webhook {webhook_id} not found")
        return ApiResponse(code=200, isSuccess=True, message="webhook deleted")

    @post("/{webhook_id:int}/rotate-secret", status_code=200, summary="Rotate the secret (shown once)")
    async def rotate_secret(
        self, webhook_id: WebhookId, caller: CallerDep, services: ServicesDep
    ) -> WebhookEnvelope:
        hook = await rotate_secret(services, caller.tenant_id, webhook_id)
        return WebhookEnvelope(
            code=200, isSuccess=True, message="secret rotated", webhook=_view(hook, with_secret=True)
        )


class WebhookSecretController(Controller):
    """Sandbox only: the real service shows a secret once (registration, rotation). The sandbox's own
    tools (`listen`, `up`, `bench`) need it again, so it is here, outside the Partner H2H surface."""

    path = "/api/v1/webhooks"
    tags = ["Sandbox"]

    @get(
        "/{webhook_id:int}/secret",
        summary="The webhook's signing secret (sandbox only, for the tenant's own tools)",
    )
    async def get_secret(
        self, webhook_id: WebhookId, caller: CallerDep, services: ServicesDep
    ) -> WebhookSecret:
        hook = await services.store.get_webhook(caller.tenant_id, webhook_id)
        if hook is None:
            raise NotFound(f"webhook {webhook_id} not found")
        return WebhookSecret(code=200, isSuccess=True, message="ok", webhookId=hook.id, secret=hook.secret)
