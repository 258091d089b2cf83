"""The adapter scripts the service runs: list them, reload them from disk."""

from __future__ import annotations

import logging

from litestar import Controller, get, post

from cata_sandbox.adapters import AdapterCatalog, CatalogError
from cata_sandbox.api.dependencies import CallerDep, ServicesDep
from cata_sandbox.errors import InvalidRequest
from cata_sandbox.schemas import AdapterView, ApiResponse

log = logging.getLogger("cata_sandbox.adapters")


class AdapterList(ApiResponse, kw_only=True):
    adapters: list[AdapterView]


def adapter_views(catalog: AdapterCatalog) -> list[AdapterView]:
    return [
        AdapterView(
            provider=script.provider,
            topic=script.topic,
            version=script.version,
            source="builtin" if script.origin == "builtin" else script.path,
            hasInterpret=script.has_interpret,
        )
        for script in catalog
    ]


class AdapterController(Controller):
    path = "/api/v1/adapters"
    tags = ["Adapters"]

    @get("/", summary="The adapter scripts: provider, topic, version and source (builtin or the file)")
    async def list_adapters(self, caller: CallerDep, services: ServicesDep) -> AdapterList:
        services.adapters.refresh_if_changed()
        return AdapterList(
            code=200, isSuccess=True, message="ok", adapters=adapter_views(services.adapters.catalog)
        )

    @post("/reload", status_code=200, summary="Load the adapter scripts again from disk")
    async def reload_adapters(self, caller: CallerDep, services: ServicesDep) -> AdapterList:
        """A bad script is a 400 naming its file and line; the scripts loaded before stay in use."""
        try:
            catalog = services.adapters.reload()
        except CatalogError as exc:
            where = "; ".join(str(error) for error in exc.errors)
            raise InvalidRequest(f"adapter scripts not reloaded: {where}") from exc
        log.info("adapter scripts reloaded: %d scripts", len(catalog.scripts))
        return AdapterList(
            code=200, isSuccess=True, message="adapters reloaded", adapters=adapter_views(catalog)
        )
