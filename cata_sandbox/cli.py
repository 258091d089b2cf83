"""The ``cata-sandbox`` command line."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.partner.commands import check_receiver, orders, register, replay, show
from cata_sandbox.partner.listen import listen
from cata_sandbox.partner.trigger_command import trigger
from cata_sandbox.partner.webhook_commands import webhooks
from cata_sandbox.settings import Settings


class Commands(click.Group):
    """The command group, with the one place an API error of a partner tool becomes a CLI error."""

    def invoke(self, ctx: click.Context) -> object:
        from cata_sandbox.partner.client import ApiError

        try:
            return super().invoke(ctx)
        except ApiError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--callback-policy",
    type=click.Choice(["allow-private", "public-only"]),
    default=None,
    help="public-only refuses loopback, private, link-local, metadata addresses and plain http://"
    " (default allow-private).",
)
@click.option(
    "--adapters",
    "adapters_dir",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Folder of adapter scripts (<provider>/<topic>.js) adding to or overriding the built-in ones"
    " (env CATA_ADAPTERS_DIR).",
)
def serve(
    host: str | None,
    port: int | None,
    database_url: str | None,
    dispatch_timeout: float | None,
    workers: int,
    log_level: str | None,
    callback_policy: str | None,
    adapters_dir: str | None,
) -> None:
    """Start the dispatch service alone (migrates the database first).

    SIGTERM (or Ctrl-C) stops accepting connections, lets dispatches in flight finish within the dispatch
    budget, and exits with status 0.
    """
    from cata_sandbox import serving
    from cata_sandbox.net.transport import trust

    try:
        settings = Settings.from_env(
            host=host,
            port=port,
            database_url=database_url,
            dispatch_timeout_s=dispatch_timeout,
            log_level=log_level,
            callback_policy=callback_policy,
            adapters_dir=adapters_dir,
        )
        trust(settings.ca_bundle)  # a bad CATA_CA_BUNDLE is one line now, not a failed startup
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        serving.serve(settings, workers=workers, echo=click.echo)
    except serving.ServeError as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def keys() -> None:
    """Manage API keys."""


@keys.command("create")
@click.option("--tenant", required=True, help="Tenant name; created when it does not exist.")
@click.option("--database-url", default=None, help="SQLAlchemy URL (env CATA_DATABASE_URL).")
def keys_create(tenant: str, database_url: str | None) -> None:
    """Print a new API key for TENANT."""
    from cata_sandbox.store import Store, new_api_key
    from cata_sandbox.store.db import create_engine, migrate

    if not tenant.strip():
        raise click.BadParameter("must not be empty, e.g. --tenant acme", param_hint="'--tenant'")
    settings = Settings.from_env(database_url=database_url)
    from cata_sandbox.serving import ServeError, check_database

    try:
        check_database(settings.database_url)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None

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


# --- the partner sandbox: up, trigger, register, check-receiver, orders, show ------------------------


@main.command()
@click.option("--host", default=None, help="Interface both servers bind (default 127.0.0.1, env CATA_HOST).")
@click.option("--port", type=int, default=None, help="Dispatch service port (default 8700, env CATA_PORT).")
@click.option(
    "--mock-port", type=int, default=8701, show_default=True, envvar="CATA_MOCK_PORT", help="mock_pos port."
)
@click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL; ./cata-sandbox.db by default (env CATA_DATABASE_URL).",
)
@click.option(
    "--dispatch-timeout",
    type=float,
    default=None,
    help="Budget of one dispatch call in seconds (default 30).",
)
@click.option("--log-level", default=None, help="debug, info, warning (default info).")
@click.option(
    "--adapters",
    "adapters_dir",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Folder of adapter scripts adding to or overriding the built-in ones (env CATA_ADAPTERS_DIR).",
)
@click.option(
    "--tls",
    is_flag=True,
    help="mock_pos also serves HTTPS on the 8 ports after --mock-port (the valid site, then one per TLS"
    " fault), with a local CA kept beside the database (cata-sandbox-tls/) that the service trusts.",
)
def up(
    host: str | None,
    port: int | None,
    mock_port: int,
    database_url: str | None,
    dispatch_timeout: float | None,
    log_level: str | None,
    adapters_dir: str | None,
    tls: bool,
) -> None:
    """Start the dispatch service and mock_pos together, seeded for a partner (Ctrl-C stops both).

    Seeds tenant 'sandbox' (a fresh API key each start, or CATA_API_KEY), outlet 'outlet-webhook' wired to
    mock_pos's receiver, and outlet 'outlet-revel' mapped to mock Revel, then prints how to use them.
    """
    from cata_sandbox.adapters import CatalogError
    from cata_sandbox.partner.up import UpError, UpOptions, run

    try:
        settings = Settings.from_env(
            host=host,
            port=port,
            database_url=database_url,
            dispatch_timeout_s=dispatch_timeout,
            log_level=log_level,
            adapters_dir=adapters_dir,
        )
        from cata_sandbox.net.transport import trust
        from cata_sandbox.partner.up_banner import default_tls_dir

        trust(settings.ca_bundle)  # a bad CATA_CA_BUNDLE is one line, not a failed startup

        options = UpOptions(settings, mock_port, default_tls_dir(settings.database_url) if tls else None)
        asyncio.run(run(options, echo=click.echo, warn=lambda line: click.echo(line, err=True)))
    except (UpError, ValueError, CatalogError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option(
    "--url", default=None, help="A running sandbox; without it the bench starts its own on loopback."
)
@click.option("--api-key", envvar="CATA_API_KEY", default=None, help="API key of the running sandbox.")
@click.option(
    "--concurrency", "-c", type=click.IntRange(1), default=16, show_default=True, help="Connections."
)
@click.option(
    "--duration", "-d", type=float, default=10.0, show_default=True, help="Seconds per measurement."
)
@click.option(
    "--warmup", type=float, default=1.0, show_default=True, help="Seconds of load before measuring."
)
@click.option(
    "--path", "path_", type=click.Choice(["webhook", "revel"]), default="webhook", show_default=True
)
@click.option(
    "--receiver-delay-ms", type=click.IntRange(0), default=0, show_default=True, help="The receiver's delay."
)
@click.option("--scenario", type=click.Choice(["default", "isolation"]), default="default", show_default=True)
@click.option("--receiver", default=None, help="Your own webhook receiver URL instead of the bench's.")
@click.option(
    "--load-generator",
    type=click.Choice(["auto", "wrk", "python"]),
    default="auto",
    show_default=True,
    help="wrk when installed (auto), else an aiohttp client in a child process.",
)
@click.option(
    "--dispatch-timeout",
    type=float,
    default=2.0,
    show_default=True,
    help="Dispatch budget of the service the bench starts (the isolation scenario's hang lasts this long).",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def bench(
    url: str | None,
    api_key: str | None,
    concurrency: int,
    duration: float,
    warmup: float,
    path_: str,
    receiver_delay_ms: int,
    scenario: str,
    receiver: str | None,
    load_generator: str,
    dispatch_timeout: float,
    json_path: Path | None,
) -> None:
    """Measure dispatches/s and latency, against the same load sent straight to the receiver."""
    from cata_sandbox.bench import BenchError, BenchOptions, render, run_bench

    options = BenchOptions(
        url=url,
        api_key=api_key if url else None,
        concurrency=concurrency,
        duration=duration,
        warmup=warmup,
        path=path_,  # type: ignore[arg-type]
        receiver_delay_ms=receiver_delay_ms,
        scenario=scenario,  # type: ignore[arg-type]
        receiver=receiver,
        generator=load_generator,  # type: ignore[arg-type]
        dispatch_timeout=dispatch_timeout,
    )
    click.echo(
        f"cata-sandbox bench: scenario {scenario}, {path_} path, {concurrency} connections,"
        f" {duration:g} s per measurement (+{warmup:g} s warm-up)"
    )
    try:
        report = run_bench(options, echo=lambda line: click.echo(f"  .. {line}"))
    except BenchError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(render(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report.as_dict(), indent=2))


for command in (register, check_receiver, orders, show, replay, trigger, listen, webhooks):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
