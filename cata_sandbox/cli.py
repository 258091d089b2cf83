"""The ``cata-sandbox`` command line."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import click

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.settings import Settings


def _settings_env(settings: Settings) -> dict[str, str]:
    env = {
        "CATA_DATABASE_URL": settings.database_url,
        "CATA_DISPATCH_TIMEOUT_S": str(settings.dispatch_timeout_s),
        "CATA_LOG_LEVEL": settings.log_level,
        "CATA_MAX_REQUEST_BYTES": str(settings.max_request_bytes),
        "CATA_CALLBACK_POLICY": settings.callback_policy,
    }
    if settings.api_key:
        env["CATA_API_KEY"] = settings.api_key
    return env


async def _prepare(settings: Settings) -> str | None:
    """Migrate and make sure tenant ``sandbox`` has a key, once, before any worker starts."""
    from cata_sandbox.app import bootstrap_sandbox_tenant
    from cata_sandbox.db import create_engine, migrate
    from cata_sandbox.store import Store

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        return await bootstrap_sandbox_tenant(Store(engine), settings, SYSTEM_CLOCK)
    finally:
        await engine.dispose()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cata-sandbox")
def main() -> None:
    """A local simulator of the Cata order dispatch service.

    Every setting can come from a CATA_* environment variable (CATA_DATABASE_URL,
    CATA_DISPATCH_TIMEOUT_S, CATA_API_KEY, ...); flags win over the environment.
    """


@main.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1, env CATA_HOST).")
@click.option("--port", type=int, default=None, help="Port (default 8700, env CATA_PORT).")
@click.option(
    "--database-url", default=None, help="SQLAlchemy URL; SQLite file by default (env CATA_DATABASE_URL)."
)
@click.option(
    "--dispatch-timeout",
    type=float,
    default=None,
    help="Budget of one dispatch call in seconds (default 30).",
)
@click.option(
    "--workers", type=int, default=1, show_default=True, help="Worker processes (use PostgreSQL for >1)."
)
@click.option("--log-level", default=None, help="debug, info, warning (default info).")
def serve(
    host: str | None,
    port: int | None,
    database_url: str | None,
    dispatch_timeout: float | None,
    workers: int,
    log_level: str | None,
) -> None:
    """Start the dispatch service alone (migrates the database first)."""
    import uvicorn

    settings = Settings.from_env(
        host=host,
        port=port,
        database_url=database_url,
        dispatch_timeout_s=dispatch_timeout,
        log_level=log_level,
    )
    if not port_is_free(settings.host, settings.port):
        raise click.ClickException(f"port {settings.port} on {settings.host} is already in use")
    generated = asyncio.run(_prepare(settings))
    if generated:
        click.echo(f"Created tenant 'sandbox' with API key: {generated}")
        settings = Settings.from_env(
            host=host,
            port=port,
            database_url=database_url,
            dispatch_timeout_s=dispatch_timeout,
            log_level=log_level,
            api_key=generated,
        )
    os.environ.update(_settings_env(settings))
    click.echo(f"cata-sandbox listening on http://{settings.host}:{settings.port} (OpenAPI at /schema)")
    uvicorn.run(
        "cata_sandbox.asgi:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=int(settings.dispatch_timeout_s) + 5,
    )


@main.group()
def keys() -> None:
    """Manage API keys."""


@keys.command("create")
@click.option("--tenant", required=True, help="Tenant name; created when it does not exist.")
@click.option("--database-url", default=None, help="SQLAlchemy URL (env CATA_DATABASE_URL).")
def keys_create(tenant: str, database_url: str | None) -> None:
    """Print a new API key for TENANT."""
    from cata_sandbox.db import create_engine, migrate
    from cata_sandbox.store import Store, new_api_key

    settings = Settings.from_env(database_url=database_url)

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            await migrate(engine)
            key = new_api_key()
            await Store(engine).add_api_key(tenant, key, SYSTEM_CLOCK.now())
            return key
        finally:
            await engine.dispose()

    click.echo(asyncio.run(run()))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
