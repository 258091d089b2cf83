"""The adapters loaded: the JavaScript adapter scripts (provider, topic, version, source), transformers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template

from cata_sandbox.adapters.catalog import CatalogError, load_catalog
from cata_sandbox.api.dependencies import ServicesDep
from cata_sandbox.inspector.render import page
from cata_sandbox.inspector.session import Session

SessionDep = NamedDependency[Session]


def adapter_rows(app_state: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The app's adapter catalog when it has one (issue 16 wires it in), else the built-in scripts."""
    catalog = getattr(getattr(app_state, "services", None), "catalog", None)
    problem = None
    if catalog is None:
        try:
            catalog = load_catalog()
        except CatalogError as exc:
            return [], str(exc)
    rows = [
        {
            "provider": s.provider,
            "topic": s.topic,
            "version": s.version,
            "origin": s.origin,
            "path": s.path,
            "source": s.source,
            "interpret": s.has_interpret,
        }
        for s in catalog
    ]
    return rows, problem


class AdaptersPage(Controller):
    path = "/adapters"
    include_in_schema = False

    @get("/")
    async def adapters(
        self, request: Request[Any, Any, State], session: SessionDep, services: ServicesDep
    ) -> Template:
        rows, problem = adapter_rows(request.app.state)
        transformers = [
            {"slug": slug, "secrets": sorted(t.secret_settings)}
            for slug in services.registry.slugs()
            if (t := services.registry.get(slug)) is not None
        ]
        return page(
            request,
            "adapters.html",
            session,
            section="adapters",
            scripts=rows,
            problem=problem,
            transformers=transformers,
        )
