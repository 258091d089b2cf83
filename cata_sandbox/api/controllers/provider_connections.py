"""Provider connections: a tenant's credentials for one POS provider (``apiKey``/``apiSecret`` write-only)."""

from __future__ import annotations

import logging

import msgspec
from litestar import Controller, delete, get, put
from litestar.params import FromPath, RawBody

from cata_sandbox.api.dependencies import CallerDep, ServicesDep
from cata_sandbox.api.openapi.document import REQUEST_BODY_OPT
from cata_sandbox.errors import InvalidRequest, NotFound
from cata_sandbox.net.callback_url import check_callback_url
from cata_sandbox.pipeline import secret_config_values
from cata_sandbox.schemas import ApiResponse, ProviderConnectionInput, ProviderConnectionView
from cata_sandbox.store import ProviderConnection
from cata_sandbox.validation import locate

log = logging.getLogger("cata_sandbox.provider_connections")

_INPUT = msgspec.json.Decoder(ProviderConnectionInput)


class ProviderConnectionEnvelope(ApiResponse, kw_only=True):
    providerConnection: ProviderConnectionView


def connection_view(connection: ProviderConnection) -> ProviderConnectionView:
    secret_values = set(secret_config_values(connection.config))
    config = {k: v for k, v in connection.config.items() if str(v) not in secret_values}
    secrets = [
        name
        for name, value in (("apiKey", connection.api_key), ("apiSecret", connection.api_secret))
        if value
    ]
    secrets += sorted(k for k, v in connection.config.items() if str(v) in secret_values)
    return ProviderConnectionView(
        providerSlug=connection.provider_slug,
        status=connection.status,
        webhookUrl=connection.webhook_url,
        baseUrl=connection.base_url,
        config=config,
        secretsSet=secrets,
        createdAt=connection.created_at,
        updatedAt=connection.updated_at,
    )


def _check_url(value: str, field: str) -> None:
    if value:
        check_callback_url(value, path=f"$.{field}")


class ProviderConnectionController(Controller):
    path = "/api/v1/provider-connections"
    tags = ["Provider connections"]

    @put(
        "/{slug:str}",
        status_code=200,
        summary="Set the tenant's connection to a POS provider",
        opt={REQUEST_BODY_OPT: ProviderConnectionInput},
    )
    async def put_connection(
        self, slug: FromPath[str], body: RawBody, caller: CallerDep, services: ServicesDep
    ) -> ProviderConnectionEnvelope:
        """``{status, apiKey, apiSecret, webhookUrl, baseUrl, config}``; replaces the connection."""
        known = services.dispatcher.known_providers()
        if slug not in known:  # the path names no provider the sandbox has: no such resource
            raise NotFound(f"unknown provider {slug!r} - at `slug` (known: {', '.join(known) or 'none'})")
        try:
            data = _INPUT.decode(body)
        except msgspec.ValidationError as exc:
            raise InvalidRequest(f"invalid provider connection: {locate(str(exc))}") from exc
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"malformed JSON: {exc}") from exc
        _check_url(data.baseUrl, "baseUrl")
        _check_url(data.webhookUrl, "webhookUrl")
        for name in ("apiKey", "apiSecret"):
            if any(ord(c) < 32 or ord(c) == 127 for c in getattr(data, name)):
                raise InvalidRequest(
                    f"invalid provider connection: {name} has control characters - at `$.{name}`"
                )
        connection = await services.store.put_provider_connection(
            caller.tenant_id,
            slug,
            status=data.status,
            api_key=data.apiKey,
            api_secret=data.apiSecret,
            webhook_url=data.webhookUrl,
            base_url=data.baseUrl,
            config=data.config,
            now=services.clock.now(),
        )
        log.info("provider connection set provider=%s status=%s", slug, data.status)
        return ProviderConnectionEnvelope(
            code=200,
            isSuccess=True,
            message="provider connection saved",
            providerConnection=connection_view(connection),
        )

    @get("/{slug:str}", summary="The tenant's connection to a provider (never its secrets)")
    async def get_connection(
        self, slug: FromPath[str], caller: CallerDep, services: ServicesDep
    ) -> ProviderConnectionEnvelope:
        connection = await services.store.get_provider_connection(caller.tenant_id, slug)
        if connection is None:
            raise NotFound(f"no provider connection for {slug}")
        return ProviderConnectionEnvelope(
            code=200, isSuccess=True, message="ok", providerConnection=connection_view(connection)
        )

    @delete("/{slug:str}", status_code=200, summary="Remove the tenant's connection to a provider")
    async def delete_connection(
        self, slug: FromPath[str], caller: CallerDep, services: ServicesDep
    ) -> ApiResponse:
        if not await services.store.delete_provider_connection(caller.tenant_id, slug):
            raise NotFound(f"no provider connection for {slug}")
        return ApiResponse(code=200, isSuccess=True, message="provider connection deleted")
