"""Running the service under uvicorn: one log format, and a shutdown that drains in order.

On SIGINT/SIGTERM uvicorn stops accepting connections, lets the requests in flight finish (up to
``timeout_graceful_shutdown``: the dispatch budget plus a margin, so every dispatch in flight ends with its
true outcome recorded) and then runs the app's shutdown. An attempt stream never finishes by itself, so
:class:`OrderlyServer` ends the streams first; otherwise one open ``listen`` would hold the shutdown until
uvicorn gives up and cancels everything, dispatches included.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import socket
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

from cata_sandbox.api.attempt_stream import end_streams
from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.settings import Settings

LOG_FORMATTER = "cata_sandbox.asgi.LineFormatter"
# Beyond the dispatch budget: the answer to the caller and the attempt's commit come after the send.
DRAIN_MARGIN_S = 5


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's own records in the service's line format (``<time> <level> <logger>: <message>``)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": LOG_FORMATTER}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def drain_seconds(dispatch_timeout_s: float) -> int:
    """How long a shutdown waits for requests in flight: the longest a dispatch can take, and a margin."""
    return int(dispatch_timeout_s + 0.999) + DRAIN_MARGIN_S


class OrderlyServer(uvicorn.Server):
    """A uvicorn server that ends the attempt streams before it drains the requests in flight.

    ``own_signals=False`` leaves SIGINT and SIGTERM to the caller (``up`` stops its two servers itself).
    """

    def __init__(self, config: uvicorn.Config, *, own_signals: bool = True) -> None:
        super().__init__(config)
        self.own_signals = own_signals

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if self.own_signals:
            with super().capture_signals():
                yield
        else:
            yield

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.config.loaded:
            end_streams(self.config.loaded_app)
        await super().shutdown(sockets)


class OrderlyProcess(multiprocess.Process):
    """A uvicorn worker process whose server is an :class:`OrderlyServer`."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = OrderlyServer(config=self.config)
        return self._server


def run(config: uvicorn.Config) -> None:
    """Serve ``config`` in the foreground, with worker processes when ``config.workers > 1``."""
    if config.workers > 1:
        # uvicorn's supervisor makes its workers' servers itself (a plain uvicorn.Server); this is the one
        # place its worker class can be swapped. Workers are spawned: they unpickle OrderlyProcess by name.
        multiprocess.Process = OrderlyProcess  # type: ignore[misc]
        sock = config.bind_socket()
        multiprocess.Multiprocess(config, sockets=[sock]).run()
        return
    OrderlyServer(config).run()


# --- `cata-sandbox serve` ---------------------------------------------------------------------------------


class ServeError(Exception):
    """The service cannot start as asked (port taken, database location unusable); one line for the user."""


def settings_env(settings: Settings) -> dict[str, str]:
    env = {
        "CATA_DATABASE_URL": settings.database_url,
        "CATA_DISPATCH_TIMEOUT_S": str(settings.dispatch_timeout_s),
        "CATA_LOG_LEVEL": settings.log_level,
        "CATA_MAX_REQUEST_BYTES": str(settings.max_request_bytes),
        "CATA_CALLBACK_POLICY": settings.callback_policy,
    }
    if settings.api_key:
        env["CATA_API_KEY"] = settings.api_key
    if settings.adapters_dir:
        env["CATA_ADAPTERS_DIR"] = settings.adapters_dir
    env["CATA_ADAPTER_WORKERS"] = str(settings.adapter_workers)
    return env


def check_adapters(settings: Settings) -> None:
    """Load the adapter scripts once before starting: a bad one is a start-up error naming file and line."""
    from cata_sandbox.adapters import CatalogError
    from cata_sandbox.adapters.library import AdapterLibrary

    try:
        AdapterLibrary(settings.adapters_dir)
    except CatalogError as exc:
        raise ServeError(str(exc)) from None


async def prepare(settings: Settings) -> str | None:
    """Migrate and make sure tenant ``sandbox`` has a key, once, before any worker starts."""
    from cata_sandbox.app import bootstrap_sandbox_tenant
    from cata_sandbox.store import Store
    from cata_sandbox.store.db import create_engine, migrate

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        return await bootstrap_sandbox_tenant(Store(engine), settings, SYSTEM_CLOCK)
    finally:
        await engine.dispose()


WORKER_HEALTHCHECK_S = 90


def check_database(url: str) -> None:
    from cata_sandbox.store.db import DatabaseLocationError, check_location

    try:
        check_location(url)
    except DatabaseLocationError as exc:
        raise ServeError(str(exc)) from None


def exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def serve(settings: Settings, *, workers: int, echo: Callable[[str], None]) -> None:
    """Migrate, make sure tenant ``sandbox`` has a key, and run uvicorn until SIGINT/SIGTERM."""
    check_database(settings.database_url)
    check_adapters(settings)
    if not port_is_free(settings.host, settings.port):
        raise ServeError(f"port {settings.port} on {settings.host} is already in use")
    generated = asyncio.run(prepare(settings))
    if generated:
        echo(f"Created tenant 'sandbox' with API key: {generated}")
        settings = dataclasses.replace(settings, api_key=generated)
    os.environ.update(settings_env(settings))
    echo(f"cata-sandbox listening on http://{settings.host}:{settings.port} (OpenAPI at /schema)")
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises it again: a graceful stop is a clean exit.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, exit_cleanly)
    run(
        uvicorn.Config(
            "cata_sandbox.asgi:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=settings.log_level,
            log_config=log_config(settings.log_level),
            access_log=False,
            timeout_graceful_shutdown=drain_seconds(settings.dispatch_timeout_s),
            # A worker answers the supervisor's health check once it has imported the app; on a busy
            # 2-core machine that can take longer than uvicorn's 5 s, and the worker would be killed.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        )
    )
