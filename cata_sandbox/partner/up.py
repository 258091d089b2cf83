"""``cata-sandbox up``: the dispatch service and mock_pos in one process, seeded for a partner.

Both servers are uvicorn servers in one asyncio loop, on sockets bound before anything else happens (so a
busy port is one line, not a traceback). ``up`` owns SIGINT and SIGTERM: either asks both servers to
finish their in-flight requests and stop, and the process exits 0. The seeding goes through the
service's own HTTP API, exactly as a partner's calls would.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import logging.config
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import uvicorn

from cata_sandbox import serving
from cata_sandbox.app import SANDBOX_TENANT, create_app
from cata_sandbox.asgi import configure_logging
from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.partner.client import ApiError, SandboxClient
from cata_sandbox.partner.trigger import OUTLET_REVEL, OUTLET_WEBHOOK
from cata_sandbox.partner.up_banner import banner, https_sites, tls_banner
from cata_sandbox.partner.up_pos import seed_pos
from cata_sandbox.settings import Settings
from cata_sandbox.store import new_api_key
from cata_sandbox.transformers import TransformerRegistry
from mock_pos.catalogue import default_revel_config
from mock_pos.client import MockAdmin, MockAdminError

MOCK_RECEIVER = "outlet-webhook"
ORDER_PAID = "order.paid"
REVEL_SLUG = "revel"
STARTUP_TIMEOUT_S = 30.0


class UpError(Exception):
    """Why ``up`` cannot run, in one line."""


@dataclass(frozen=True, slots=True)
class UpOptions:
    settings: Settings
    mock_port: int
    tls_dir: str | None = None  # `up --tls`: mock_pos also serves HTTPS, its CA kept here


@dataclass(slots=True)
class Seeded:
    """What ``up`` set up, for the banner."""

    api_key: str
    webhook_id: int = 0
    webhook_secret: str = ""
    callback_url: str = ""
    revel_mapped: bool = False
    pos_mapped: bool = False
    warnings: list[str] = field(default_factory=list)


def loopback(host: str) -> str:
    """The address clients use for ``host`` (a wildcard bind is reached over loopback)."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def base_url(host: str, port: int) -> str:
    shown = loopback(host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def bind(host: str, port: int) -> socket.socket:
    """A bound socket for ``host:port``; a busy port is an :class:`UpError` naming it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UpError(f"port {port} on {host} is already in use") from None
        raise UpError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


async def prepare_database(settings: Settings) -> str:
    """Migrate and return the key of tenant ``sandbox``: ``CATA_API_KEY`` when set, else a fresh one.

    A fresh key every start (old ones stay valid) because a stored key cannot be shown again: only its
    hash is kept, and the banner must always carry a working key.
    """
    from cata_sandbox.store import Store
    from cata_sandbox.store.db import DatabaseLocationError, check_location, create_engine, migrate

    try:
        check_location(settings.database_url)
    except DatabaseLocationError as exc:
        raise UpError(str(exc)) from None
    try:
        engine = create_engine(settings.database_url)
    except Exception as exc:
        raise UpError(f"cannot use database {settings.database_url!r}: {exc}") from None
    try:
        await migrate(engine)
        key = settings.api_key or new_api_key()
        await Store(engine).add_api_key(SANDBOX_TENANT, key, SYSTEM_CLOCK.now())
        return key
    except UpError:
        raise
    except Exception as exc:
        raise UpError(f"cannot prepare database {settings.database_url!r}: {_one_line(exc)}") from None
    finally:
        await engine.dispose()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def revel_settings(mock_url: str) -> dict[str, Any]:
    """Outlet ``outlet-revel``'s settings: mock Revel's default credentials and establishment 1."""
    credentials = default_revel_config()
    return {
        "baseUrl": f"{mock_url}/revel",
        "apiKey": credentials.api_key,
        "apiSecret": credentials.api_secret,
        "establishmentId": 1,
        "diningOptionIds": {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 3},
    }


async def seed(service_url: str, mock_url: str, api_key: str) -> Seeded:
    """Wire ``outlet-webhook`` to mock receiver ``outlet-webhook`` and map ``outlet-revel`` to mock Revel.

    The calls are the blocking clients' (:class:`SandboxClient`, :class:`MockAdmin`), in a worker thread:
    both servers answer them from this process's event loop meanwhile.
    """
    return await asyncio.to_thread(_seed, service_url, mock_url, api_key)


def _seed(service_url: str, mock_url: str, api_key: str) -> Seeded:
    seeded = Seeded(api_key=api_key, callback_url=f"{mock_url}/webhooks/{MOCK_RECEIVER}")
    with SandboxClient(service_url, api_key, timeout=10) as api, MockAdmin(mock_url, timeout=10) as mock:
        # The newest active subscription is reused and re-pointed: its secret stays, so a partner's
        # receiver keeps working across restarts; only `rotate-secret` changes it.
        webhook, _ = api.ensure_webhook(OUTLET_WEBHOOK, seeded.callback_url, [ORDER_PAID])
        seeded.webhook_id, seeded.webhook_secret = int(webhook["id"]), str(webhook["secret"])
        try:
            mock.configure_receiver(MOCK_RECEIVER, seeded.webhook_secret)
        except MockAdminError as exc:
            raise UpError(f"mock_pos refused the receiver secret: {exc}") from None

        # Lightspeed and Atlas are adapter scripts (always there); each mock is wired to its outlet.
        seeded.warnings += seed_pos(api, mock, service_url, mock_url)
        seeded.pos_mapped = not seeded.warnings
        # Revel is the shipped script adapters/scripts/revel/order_dispatch.js: always there.
        try:
            api.map_provider(OUTLET_REVEL, REVEL_SLUG, revel_settings(mock_url), external_id="1")
        except ApiError as exc:
            seeded.warnings.append(f"could not map {OUTLET_REVEL} to mock Revel: {exc}")
        else:
            seeded.revel_mapped = True
    return seeded


def _service_config(app: Any, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        log_config=None,
        log_level="warning",
        access_log=False,
        ws="none",
        loop="asyncio",
        timeout_graceful_shutdown=serving.drain_seconds(settings.dispatch_timeout_s),
    )


async def _serve(server: uvicorn.Server, sock: socket.socket, name: str) -> None:
    try:
        await server.serve(sockets=[sock])
    except SystemExit:
        # uvicorn exits the process when an app's lifespan startup fails; here that only ends this server.
        raise UpError(f"{name} failed to start (see the log above)") from None


async def run(options: UpOptions, echo: Callable[[str], None], warn: Callable[[str], None]) -> None:
    """Run until SIGINT or SIGTERM; raises :class:`UpError` for anything that prevents starting."""
    settings = options.settings
    # The banner says what matters; per-request client and migration chatter would bury it.
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    servers: list[uvicorn.Server] = []

    def request_stop() -> None:
        # The service first (it drains its dispatches); mock_pos once it has stopped (_stop_in_order).
        if stop.is_set():
            for server in servers:
                server.force_exit = True
        stop.set()
        if servers:
            servers[0].should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, request_stop)
    try:
        service_sock = bind(settings.host, settings.port)
        try:
            mock_sock = bind(settings.host, options.mock_port)
        except UpError:
            service_sock.close()
            raise
        await _run_servers(options, service_sock, mock_sock, stop, servers, echo, warn)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _run_servers(
    options: UpOptions,
    service_sock: socket.socket,
    mock_sock: socket.socket,
    stop: asyncio.Event,
    servers: list[uvicorn.Server],
    echo: Callable[[str], None],
    warn: Callable[[str], None],
) -> None:
    from mock_pos.app import create_mock_pos
    from mock_pos.server import MockServer, build_config

    try:
        api_key = await prepare_database(options.settings)
    except BaseException:
        service_sock.close()
        mock_sock.close()
        raise
    mock_url = base_url(options.settings.host, options.mock_port)
    tls = https_sites(options, mock_sock, service_sock)
    settings = replace(options.settings, api_key=api_key, mock_url=mock_url)
    if tls is not None:
        settings = replace(settings, ca_bundle=settings.ca_bundle or str(tls.authority.ca_file))
    logging.config.dictConfig(serving.log_config(settings.log_level))
    configure_logging(settings.log_level)
    registry = TransformerRegistry.discover()
    service = serving.OrderlyServer(
        _service_config(create_app(settings, registry=registry), settings), own_signals=False
    )
    drain = serving.drain_seconds(settings.dispatch_timeout_s)
    mock = MockServer(
        build_config(create_mock_pos(tls=tls), host=settings.host, port=options.mock_port, drain_s=drain),
        drain_s=drain,
        own_signals=False,
        tls=tls,
    )
    servers += [service, mock]
    if stop.is_set():
        service_sock.close()
        mock_sock.close()
        return
    tasks = [
        asyncio.create_task(_serve(service, service_sock, "the dispatch service")),
        asyncio.create_task(_serve(mock, mock_sock, "mock_pos")),
    ]
    service_url = base_url(settings.host, settings.port)
    try:
        await _started(servers, tasks, stop)
        if not stop.is_set():
            try:
                seeded = await seed(service_url, mock_url, api_key)
            except ApiError as exc:
                raise UpError(f"seeding the sandbox failed: {exc}") from None
            for line in seeded.warnings:
                warn(f"warning: {line}")
            echo(banner(settings, service_url, mock_url, seeded) + (f"\n{tls_banner(tls)}" if tls else ""))
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
    finally:
        results = await _stop_in_order(servers, tasks)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    if not stop.is_set():
        raise UpError("a server stopped unexpectedly")
    echo("cata-sandbox stopped")


async def _stop_in_order(servers: list[uvicorn.Server], tasks: list[asyncio.Task[None]]) -> list[Any]:
    """Stop the service, let it drain its dispatches (their receivers, mock_pos's, still answer), then
    stop mock_pos: a dispatch in flight at Ctrl-C ends with its true outcome stored."""
    service, mock = servers
    service.should_exit = True
    (first,) = await asyncio.gather(tasks[0], return_exceptions=True)
    mock.should_exit = True
    (second,) = await asyncio.gather(tasks[1], return_exceptions=True)
    return [first, second]


async def _started(
    servers: list[uvicorn.Server], tasks: list[asyncio.Task[None]], stop: asyncio.Event
) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT_S
    while not all(server.started for server in servers):
        if stop.is_set():
            return
        finished = [task for task in tasks if task.done()]
        if finished:
            error = finished[0].exception()
            raise error if error is not None else UpError("a server exited during startup")
        if asyncio.get_running_loop().time() > deadline:
            raise UpError(f"the servers did not start within {STARTUP_TIMEOUT_S:g}s")
        await asyncio.sleep(0.01)
