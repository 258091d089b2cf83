"""``create_app``: the one place the service is assembled."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE, HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError

from cata_sandbox import __version__, inspector
from cata_sandbox.adapters import AdapterRuntime
from cata_sandbox.adapters.library import AdapterLibrary
from cata_sandbox.api import hostile_input
from cata_sandbox.api.auth import KeyRing
from cata_sandbox.api.controllers.adapters import AdapterController
from cata_sandbox.api.controllers.attempts import AttemptController
from cata_sandbox.api.controllers.lifecycle import InboundController, LifecycleController
from cata_sandbox.api.controllers.meta import MetaController
from cata_sandbox.api.controllers.orders import OrderController
from cata_sandbox.api.controllers.outlet_providers import OutletProviderController
from cata_sandbox.api.controllers.provider_connections import ProviderConnectionController
from cata_sandbox.api.controllers.webhooks import WebhookController, WebhookSecretController
from cata_sandbox.api.dependencies import Services, provide_caller, provide_services
from cata_sandbox.api.openapi import ui as apidoc_ui
from cata_sandbox.clock import SYSTEM_CLOCK, Clock
from cata_sandbox.delivery import outbound_client
from cata_sandbox.dispatch import Dispatcher
from cata_sandbox.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    SandboxError,
    Unauthorized,
)
from cata_sandbox.net.transport import AiohttpTransport, trust
from cata_sandbox.pipeline import ScriptPipeline, SenderHttp
from cata_sandbox.settings import Settings
from cata_sandbox.store import Store, new_api_key
from cata_sandbox.store.db import create_engine, migrate
from cata_sandbox.transformers import TransformerRegistry

log = logging.getLogger("cata_sandbox")

SANDBOX_TENANT = "sandbox"
STATUS_OF: dict[type[SandboxError], int] = {
    InvalidRequest: 400,
    Unauthorized: 401,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
}


def _envelope(code: int, message: str) -> Response[dict[str, object]]:
    return Response({"code": code, "isSuccess": False, "message": message}, status_code=code)


def _domain_error(_: Request[object, object, State], exc: SandboxError) -> Response[dict[str, object]]:
    code = next((c for kind, c in STATUS_OF.items() if isinstance(exc, kind)), 400)
    return _envelope(code, exc.detail)


def _http_error(request: Request[object, object, State], exc: HTTPException) -> Response[dict[str, object]]:
    if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.route_handler.resolve_request_max_body_size()
        return _envelope(exc.status_code, hostile_input.too_large_message(limit))
    message = str(exc.detail)
    extra = getattr(exc, "extra", None)
    if isinstance(extra, list) and extra:
        parts = [
            f"{item.get('message', '')} - at `{item.get('key', '')}`" if isinstance(item, dict) else str(item)
            for item in extra
        ]
        message = f"{message}: {'; '.join(parts)}"
    response = _envelope(exc.status_code, message)
    # e.g. the Allow header of a 405, which RFC 9110 requires.
    response.headers.update(exc.headers or {})
    return response


def _undecodable(
    request: Request[object, object, State], exc: RecursionError | UnicodeDecodeError
) -> Response[dict[str, object]]:
    return _domain_error(request, hostile_input.undecodable(exc))


def _unstorable(request: Request[object, object, State], exc: DataError) -> Response[dict[str, object]]:
    # The database refused a value the validation let through (too long for its column, say): the
    # request's fault, and nothing was stored (the transaction rolled back).
    log.warning("database refused a request value: %s", str(exc.orig).splitlines()[0] if exc.orig else exc)
    return _envelope(400, "a value in the request cannot be stored (too long or malformed for its field)")


async def _before_request(request: Request[object, object, State]) -> Response[None] | None:
    if request.method == "OPTIONS":
        # Litestar 2.25 answers OPTIONS with the methods of the first handler registered at a path (the
        # route object is rebuilt as handlers are added; its OPTIONS handler keeps the first one's view).
        template = request.scope.get("path_template")
        methods = next((r.methods for r in request.app.routes if r.path_format == template), None)
        if methods:
            return Response(None, status_code=204, headers={"Allow": ", ".join(sorted(methods))})
        return None
    await hostile_input.refuse_hostile_input(request)
    return None


def _unexpected(_: Request[object, object, State], exc: Exception) -> Response[dict[str, object]]:
    log.exception("unhandled error", exc_info=exc)
    return _envelope(HTTP_500_INTERNAL_SERVER_ERROR, "internal server error")


async def bootstrap_sandbox_tenant(store: Store, settings: Settings, clock: Clock) -> str | None:
    """Make sure tenant ``sandbox`` has a key: ``settings.api_key`` when given, else a new one (returned)."""
    if settings.api_key:
        await store.add_api_key(SANDBOX_TENANT, settings.api_key, clock.now())
        return None
    if await store.tenant_has_keys(SANDBOX_TENANT):
        return None
    key = new_api_key()
    await store.add_api_key(SANDBOX_TENANT, key, clock.now())
    return key


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = SYSTEM_CLOCK,
    registry: TransformerRegistry | None = None,
) -> Litestar:
    settings = settings or Settings.from_env()
    registry = registry or TransformerRegistry.discover()
    # A bad script is a start-up error naming its file and line (CatalogError).
    library = AdapterLibrary(settings.adapters_dir)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        await migrate(engine)
        store = Store(engine)
        generated = await bootstrap_sandbox_tenant(store, settings, clock)
        if generated:
            print(f"Created tenant '{SANDBOX_TENANT}' with API key: {generated}", flush=True)
        client_transport = transport or AiohttpTransport(ssl_context=trust(settings.ca_bundle))
        client = outbound_client(settings.dispatch_timeout_s, client_transport)
        runtime = AdapterRuntime(library.catalog, workers=max(1, settings.adapter_workers))
        dispatcher = Dispatcher(
            store=store,
            client=client,
            settings=settings,
            clock=clock,
            registry=registry,
            transport=client_transport,
            scripts=ScriptPipeline(library, runtime),
        )
        # context.http goes out the way orders do: the callback policy, the body cap, the budget.
        runtime.http = SenderHttp(dispatcher.sender)
        await runtime.start()
        app.state.services = Services(
            settings=settings,
            clock=clock,
            store=store,
            keys=KeyRing(store, clock),
            registry=registry,
            dispatcher=dispatcher,
            adapters=library,
        )
        try:
            yield
        finally:
            await runtime.close()
            store.attempts_recorded.close()
            await client.aclose()
            await store.aclose()
            await engine.dispose()

    return Litestar(
        route_handlers=[
            MetaController,
            WebhookController,
            WebhookSecretController,
            OrderController,
            OutletProviderController,
            ProviderConnectionController,
            AdapterController,
            LifecycleController,
            InboundController,
            AttemptController,
            apidoc_ui.assets_router(),
            inspector.router(),
        ],
        dependencies={
            "services": Provide(provide_services, sync_to_thread=False),
            "caller": Provide(provide_caller),
        },
        lifespan=[lifespan],
        exception_handlers={
            SandboxError: _domain_error,
            HTTPException: _http_error,
            RecursionError: _undecodable,
            UnicodeDecodeError: _undecodable,
            DataError: _unstorable,
            Exception: _unexpected,
        },
        before_request=_before_request,
        # The process's logging is set up once, in one format, by whoever runs the app (serving.py).
        logging_config=None,
        request_max_body_size=settings.max_request_bytes,
        openapi_config=apidoc_ui.openapi_config(__version__),
        template_config=inspector.template_config(),
        debug=False,
    )
