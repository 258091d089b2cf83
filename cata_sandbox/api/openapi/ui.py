"""The API documentation pages, served with no internet: Swagger UI's files come from an installed package.

The ``swagger-ui-py`` package ships Swagger UI 5 (which renders OpenAPI 3.1, ``webhooks`` included) as
static files; they are served at :data:`ASSETS_PATH` and the page at ``/schema`` references only them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from litestar import Router
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from cata_sandbox.api.openapi.document import complete_before_serving

ASSETS_PATH = "/static/swagger-ui"


def swagger_ui_files() -> Path:
    """The folder of Swagger UI's files in the installed ``swagger-ui-py`` (found without importing it)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed (a dependency of cata-sandbox)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def openapi_config(version: str) -> OpenAPIConfig:
    """``/schema``: Swagger UI from :data:`ASSETS_PATH`; ``/schema/openapi.json``: the completed document."""
    swagger = SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        path="/swagger",
    )
    return OpenAPIConfig(
        title="cata-sandbox",
        version=version,
        description=(
            "A local simulator of the Cata order dispatch service. Partner operations are tagged"
            " `Partner H2H`; the delivery your receiver gets is the `order.paid` webhook below."
        ),
        path="/schema",
        render_plugins=[swagger],
        # Completes the document (dispatch body, error answers, links) before its first rendering.
        openapi_router=Router(
            "/schema", route_handlers=[], include_in_schema=False, before_request=complete_before_serving
        ),
    )


def assets_router() -> BaseRouteHandler | Router:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[swagger_ui_files()], include_in_schema=False, name="swagger-ui"
    )
