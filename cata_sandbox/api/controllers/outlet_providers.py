"""Outlet → POS provider mappings with per-outlet settings (Path 2). Secret settings are write-only."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Controller, get, put
from litestar.params import FromPath, RawBody

from cata_sandbox.adapters.settings import SETTINGS_TYPES
from cata_sandbox.api.dependencies import CallerDep, ServicesDep
from cata_sandbox.errors import InvalidRequest, NotFound
from cata_sandbox.schemas import ApiResponse, OutletProviderInput, OutletProviderView
from cata_sandbox.script_route import CREDENTIALS
from cata_sandbox.store import OutletProvider
from cata_sandbox.transformers import TransformerRegistry
from cata_sandbox.validation import locate

log = logging.getLogger("cata_sandbox.outlet_providers")

_INPUT = msgspec.json.Decoder(OutletProviderInput)


class OutletProviderEnvelope(ApiResponse, kw_only=True):
    outletProvider: OutletProviderView


def validated_settings(
    slug: str, settings_type: type[msgspec.Struct], settings: dict[str, Any]
) -> dict[str, Any]:
    """The settings as the provider reads them (defaults filled in), or InvalidRequest naming the setting.

    msgspec's messages never quote the offending value, so a bad secret is not echoed back.
    """
    try:
        converted = msgspec.convert(settings, settings_type)
    except msgspec.ValidationError as exc:
        raise InvalidRequest(f"invalid settings for {slug}: {locate(str(exc), '$.settings')}") from exc
    normalized: dict[str, Any] = msgspec.to_builtins(converted)
    return normalized


def script_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """An adapter-script provider's settings: any object; the credentials it holds must be strings."""
    for name in ("baseUrl", "webhookUrl", *CREDENTIALS):
        value = settings.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidRequest(f"invalid settings: {name} must be a string - at `$.settings.{name}`")
        if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise InvalidRequest(f"invalid settings: {name} has control characters - at `$.settings.{name}`")
    return settings


def outlet_provider_view(
    mapping: OutletProvider, registry: TransformerRegistry, scripted: bool = False
) -> OutletProviderView:
    transformer = registry.get(mapping.provider_slug)
    shown: dict[str, Any]
    secrets_set: list[str]
    if scripted:
        shown = {name: value for name, value in mapping.settings.items() if name not in CREDENTIALS}
        secrets_set = sorted(name for name in CREDENTIALS if mapping.settings.get(name) not in (None, ""))
    elif transformer is None:
        # Without its transformer nothing says which settings are secret: show none of them.
        shown, secrets_set = {}, []
    else:
        secret = transformer.secret_settings
        shown = {name: value for name, value in mapping.settings.items() if name not in secret}
        secrets_set = sorted(name for name in secret if mapping.settings.get(name) not in (None, ""))
    return OutletProviderView(
        outletId=mapping.outlet_id,
        providerSlug=mapping.provider_slug,
        externalId=mapping.external_id,
        settings=shown,
        secretsSet=secrets_set,
        createdAt=mapping.created_at,
        updatedAt=mapping.updated_at,
    )


class OutletProviderController(Controller):
    path = "/api/v1/outlet-providers"
    tags = ["Outlet providers"]

    @put(
        "/{outlet_id:str}",
        status_code=200,
        summary="Map an outlet to a POS provider with the outlet's own settings (replaces any mapping)",
    )
    async def put_outlet_provider(
        self, outlet_id: FromPath[str], body: RawBody, caller: CallerDep, services: ServicesDep
    ) -> OutletProviderEnvelope:
        """``{providerSlug, externalId?, settings}``. Secret settings (credentials) are never returned.

        The body is decoded here, not by the framework, so every error names its JSON path.
        """
        try:
            data = _INPUT.decode(body)
        except msgspec.ValidationError as exc:
            raise InvalidRequest(f"invalid outlet provider: {locate(str(exc))}") from exc
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"malformed JSON: {exc}") from exc
        scripts = services.dispatcher.scripts
        scripted = scripts is not None and scripts.has(data.providerSlug)
        transformer = services.registry.get(data.providerSlug)
        if transformer is None and not scripted:
            known = ", ".join(services.dispatcher.known_providers()) or "none"
            raise InvalidRequest(
                f"unknown providerSlug {data.providerSlug!r} - at `$.providerSlug` (known: {known})"
            )
        checked = SETTINGS_TYPES.get(data.providerSlug)
        if scripted and checked is not None:
            settings = validated_settings(data.providerSlug, checked, data.settings)
        elif scripted or transformer is None:
            settings = script_settings(data.settings)
        else:
            settings = validated_settings(transformer.slug, transformer.settings_type, data.settings)
        mapping = await services.store.put_outlet_provider(
            caller.tenant_id,
            outlet_id,
            provider_slug=data.providerSlug,
            external_id=data.externalId,
            settings=settings,
            now=services.clock.now(),
        )
        # Setting names only: values may be credentials.
        log.info(
            "outlet provider set outlet=%s provider=%s settings=%s",
            outlet_id,
            data.providerSlug,
            ",".join(sorted(settings)),
        )
        return OutletProviderEnvelope(
            code=200,
            isSuccess=True,
            message="outlet provider saved",
            outletProvider=outlet_provider_view(mapping, services.registry, scripted),
        )

    @get("/{outlet_id:str}", summary="An outlet's provider mapping (never its secret settings)")
    async def get_outlet_provider(
        self, outlet_id: FromPath[str], caller: CallerDep, services: ServicesDep
    ) -> OutletProviderEnvelope:
        mapping = await services.store.get_outlet_provider(caller.tenant_id, outlet_id)
        if mapping is None:
            raise NotFound(f"no provider mapping for outlet {outlet_id}")
        scripts = services.dispatcher.scripts
        scripted = scripts is not None and scripts.has(mapping.provider_slug)
        view = outlet_provider_view(mapping, services.registry, scripted)
        return OutletProviderEnvelope(code=200, isSuccess=True, message="ok", outletProvider=view)
