"""The ``cata-sandbox`` command line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.listen import listen
from cata_sandbox.partner_options import make_client, service_options
from cata_sandbox.settings import Settings
from cata_sandbox.trigger_command import trigger
from cata_sandbox.webhook_commands import webhooks

if TYPE_CHECKING:
    from cata_sandbox.client import SandboxClient


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
    from cata_sandbox.store import Store
    from cata_sandbox.store.db import create_engine, migrate

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        return await bootstrap_sandbox_tenant(Store(engine), settings, SYSTEM_CLOCK)
    finally:
        await engine.dispose()


WORKER_HEALTHCHECK_S = 90


def _check_database(url: str) -> None:
    from cata_sandbox.store.db import DatabaseLocationError, check_location

    try:
        check_location(url)
    except DatabaseLocationError as exc:
        raise click.ClickException(str(exc)) from None


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


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
@click.option(
    "--callback-policy",
    type=click.Choice(["allow-private", "public-only"]),
    default=None,
    help="public-only refuses loopback, private, link-local, metadata addresses (default allow-private).",
)
def serve(
    host: str | None,
    port: int | None,
    database_url: str | None,
    dispatch_timeout: float | None,
    workers: int,
    log_level: str | None,
    callback_policy: str | None,
) -> None:
    """Start the dispatch service alone (migrates the database first).

    SIGTERM (or Ctrl-C) stops accepting connections, lets dispatches in flight finish within the dispatch
    budget, and exits with status 0.
    """
    import uvicorn

    from cata_sandbox import serving

    settings = Settings.from_env(
        host=host,
        port=port,
        database_url=database_url,
        dispatch_timeout_s=dispatch_timeout,
        log_level=log_level,
        callback_policy=callback_policy,
    )
    _check_database(settings.database_url)
    if not port_is_free(settings.host, settings.port):
        raise click.ClickException(f"port {settings.port} on {settings.host} is already in use")
    generated = asyncio.run(_prepare(settings))
    if generated:
        click.echo(f"Created tenant 'sandbox' with API key: {generated}")
        settings = dataclasses.replace(settings, api_key=generated)
    os.environ.update(_settings_env(settings))
    click.echo(f"cata-sandbox listening on http://{settings.host}:{settings.port} (OpenAPI at /schema)")
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises it again: a graceful stop is a clean exit.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_cleanly)
    serving.run(
        uvicorn.Config(
            "cata_sandbox.asgi:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=settings.log_level,
            log_config=serving.log_config(settings.log_level),
            access_log=False,
            timeout_graceful_shutdown=serving.drain_seconds(settings.dispatch_timeout_s),
            # A worker answers the supervisor's health check once it has imported the app; on a busy
            # 2-core machine that can take longer than uvicorn's 5 s, and the worker would be killed.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        )
    )


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
    _check_database(settings.database_url)

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
def up(
    host: str | None,
    port: int | None,
    mock_port: int,
    database_url: str | None,
    dispatch_timeout: float | None,
    log_level: str | None,
) -> None:
    """Start the dispatch service and mock_pos together, seeded for a partner (Ctrl-C stops both).

    Seeds tenant 'sandbox' (a fresh API key each start, or CATA_API_KEY), outlet 'outlet-webhook' wired to
    mock_pos's receiver, and outlet 'outlet-revel' mapped to mock Revel, then prints how to use them.
    """
    from cata_sandbox.sandbox_up import UpError, UpOptions, run

    try:
        settings = Settings.from_env(
            host=host,
            port=port,
            database_url=database_url,
            dispatch_timeout_s=dispatch_timeout,
            log_level=log_level,
        )
        asyncio.run(
            run(UpOptions(settings, mock_port), echo=click.echo, warn=lambda line: click.echo(line, err=True))
        )
    except (UpError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--outlet", required=True, help="Outlet id whose orders the receiver gets.")
@click.option("--callback-url", required=True, help="Your receiver's URL.")
@service_options
def register(outlet: str, callback_url: str, url: str, api_key: str | None) -> None:
    """Register your own webhook receiver for an outlet; prints the secret to configure on your side."""
    from cata_sandbox.client import ApiError

    with make_client(url, api_key) as client:
        try:
            webhook = client.register_webhook(outlet, callback_url)
        except ApiError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"webhook id    {webhook['id']}")
    click.echo(f"outlet        {webhook['outletId']}")
    click.echo(f"callback URL  {webhook['callbackUrl']}")
    click.echo(f"secret        {webhook['secret']}")
    click.echo(
        "Configure the secret in your receiver (shown only now): verify X-Cata-Signature, "
        "sha256=<HMAC-SHA256 of the raw body>, on every delivery."
    )
    click.echo(f"Send it orders:   cata-sandbox trigger --outlet {outlet} --count 5")
    click.echo(
        f"Certify it:       cata-sandbox check-receiver {webhook['callbackUrl']} --secret {webhook['secret']}"
    )


@main.command("check-receiver")
@click.argument("receiver_url", metavar="URL")
@click.option(
    "--secret",
    default=None,
    envvar="CATA_WEBHOOK_SECRET",
    help="The receiver's webhook secret (env CATA_WEBHOOK_SECRET; `listen`, `register` and `up` print it).",
)
@click.option(
    "--junit-xml",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a JUnit XML report (one testcase per check) for CI; its folder is created.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=Settings().dispatch_timeout_s,
    show_default=True,
    help="The dispatch budget in seconds: each whole exchange, to the last byte of the answer.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the results as one JSON document (for machines)."
)
def check_receiver(
    receiver_url: str, secret: str | None, junit_xml: Path | None, timeout: float, as_json: bool
) -> None:
    """Certify a webhook receiver: deliveries exactly as Cata sends them, forged and tampered ones too.

    Nine checks, each PASS, WARN (holds, but weakly) or FAIL, with the receiver's status, body and
    latency as evidence. A receiver that cannot be reached ends the run after the first delivery.
    Exit code 0 when nothing failed (warnings allowed), 1 otherwise.
    """
    from cata_sandbox.certify import check_receiver as certify
    from cata_sandbox.certify.report import (
        json_document,
        not_run_line,
        progress_line,
        summary_line,
        table,
        write_junit,
    )
    from cata_sandbox.reports import console

    if not receiver_url.startswith(("http://", "https://")):
        raise click.BadParameter("the receiver URL must start with http:// or https://", param_hint="URL")
    if not secret:
        raise click.UsageError(
            "no webhook secret: pass --secret or set CATA_WEBHOOK_SECRET to the secret your receiver"
            " verifies with (`listen`, `register` and `up` print it; `webhooks show ID --secret` shows it)"
        )
    if junit_xml is not None:
        try:
            junit_xml.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.BadParameter(
                f"cannot create the folder {junit_xml.parent} ({exc.strerror}); choose another path",
                param_hint="--junit-xml",
            ) from None

    click.echo(f"Checking {receiver_url} (budget {timeout:g}s for each whole exchange)", err=True)
    certification = certify(
        receiver_url, secret, budget_s=timeout, progress=lambda r: click.echo(progress_line(r), err=True)
    )
    if as_json:
        click.echo(json.dumps(json_document(certification), ensure_ascii=False, indent=2))
    else:
        console().print(table(certification))
        skipped = not_run_line(certification)
        if skipped:
            click.echo(skipped)
    if junit_xml is not None:
        try:
            write_junit(certification, junit_xml)
        except OSError as exc:
            raise click.ClickException(
                f"could not write {junit_xml} ({exc.strerror}); choose another --junit-xml path"
            ) from None
        click.echo(f"JUnit XML written to {junit_xml}", err=as_json)
    click.echo(summary_line(certification), err=as_json)
    if not certification.passed:
        raise click.exceptions.Exit(1)


@main.command()
@click.option("--failed", is_flag=True, help="Only orders that were not dispatched.")
@click.option("--stuck", is_flag=True, help="Only pending orders (persisted, never answered).")
@click.option("--outlet", default=None, help="Only this outlet's orders.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer as JSON.")
@service_options
def orders(
    failed: bool, stuck: bool, outlet: str | None, limit: int, as_json: bool, url: str, api_key: str | None
) -> None:
    """List stored orders, newest first."""
    from cata_sandbox.client import ApiError
    from cata_sandbox.reports import console, orders_table

    if failed and stuck:
        raise click.UsageError("--failed and --stuck exclude each other")
    status = "failed" if failed else "pending" if stuck else None
    with make_client(url, api_key) as client:
        try:
            listing = client.list_orders(status=status, outlet_id=outlet, limit=limit)
        except ApiError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    console().print(orders_table(listing))
    if listing.get("orders"):
        click.echo("Details of one: cata-sandbox show <orderId>")


@main.command()
@click.argument("order_id")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer as JSON.")
@service_options
def show(order_id: str, as_json: bool, url: str, api_key: str | None) -> None:
    """Show one stored order with every attempt: request and response headers, bodies, reasons."""
    from cata_sandbox.client import ApiError
    from cata_sandbox.reports import order_bytes_of, order_detail

    with make_client(url, api_key) as client:
        try:
            order, content = client.get_order(order_id)
        except ApiError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(content.decode("utf-8"))
        return
    click.echo(order_detail(order, order_bytes_of(content)))


# --- replay (order lifecycle) -----------------------------------------------------------------------

REPLAY_PAGE = 500


def _replay_call(
    client: SandboxClient, method: str, path: str, params: dict[str, str | int] | None = None
) -> dict[str, object]:
    """The JSON answer of one call; anything but a 200 is ApiError("HTTP <code>: <the service's message>")."""
    import httpx

    from cata_sandbox.client import ApiError

    try:
        response = client.http.request(method, path, params=params)
    except httpx.HTTPError as exc:
        raise ApiError(f"cannot reach the sandbox at {client.url}: {exc}") from None
    try:
        document = response.json()
    except ValueError:
        document = None
    if response.status_code != 200 or not isinstance(document, dict):
        message = document.get("message") if isinstance(document, dict) else None
        raise ApiError(f"HTTP {response.status_code}: {message or response.text[:200]}")
    return document


def _failed_order_ids(client: SandboxClient, outlet: str | None) -> list[str]:
    """Every failed order (of one outlet), collected before any replay moves one out of the list."""
    found: list[str] = []
    while True:
        params: dict[str, str | int] = {"status": "failed", "limit": REPLAY_PAGE, "offset": len(found)}
        if outlet is not None:
            params["outletId"] = outlet
        page = _replay_call(client, "GET", "/api/v1/orders", params=params)
        orders = page.get("orders")
        if not isinstance(orders, list) or not orders:
            return found
        found.extend(str(order["orderId"]) for order in orders)
        if len(found) >= int(str(page.get("total", 0))):
            return found


def _replay_one(client: SandboxClient, order_id: str) -> dict[str, str]:
    from cata_sandbox.client import ApiError

    row = {"orderId": order_id, "orderRefNo": "-", "dispatched": "no", "reason": "", "attempts": "-"}
    try:
        answer = _replay_call(client, "POST", f"/api/v1/orders/{order_id}/redispatch")
        row["dispatched"] = "yes" if answer.get("dispatched") is True else "no"
        row["reason"] = str(answer.get("reason") or "")
        stored = _replay_call(client, "GET", f"/api/v1/orders/{order_id}")["order"]
        assert isinstance(stored, dict)
        row["orderRefNo"] = str(stored.get("orderRefNo", "-"))
        row["attempts"] = str(len(stored.get("attempts") or []))
    except ApiError as exc:
        row["reason"] = row["reason"] or str(exc)
    return row


def _cut_cell(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _replay_table(rows: list[dict[str, str]]) -> str:
    columns = ["orderId", "orderRefNo", "dispatched", "reason", "attempts"]
    cells = [[_cut_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    return "\n".join(lines)


@main.command()
@click.argument("order_ids", nargs=-1, metavar="[ORDER_ID]...")
@click.option("--failed", is_flag=True, help="Replay every stored order whose dispatch failed.")
@click.option("--outlet", default=None, help="With --failed: only this outlet's failed orders.")
@service_options
def replay(
    order_ids: tuple[str, ...], failed: bool, outlet: str | None, url: str, api_key: str | None
) -> None:
    """Send stored orders again: the ORDER_IDs given, or every failed order with --failed.

    Each replay goes through the order's own route (webhook or builtInTransformer) with the stored
    order bytes unchanged and a fresh X-Cata-Delivery-ID, and is stored as a new attempt
    (POST /api/v1/orders/{orderId}/redispatch). Prints one row per order: orderId, orderRefNo,
    dispatched, reason, attempts (now stored). Exits 0 only when every replayed order was dispatched.

    \b
    cata-sandbox replay 0b6f...e1            # one order
    cata-sandbox replay --failed             # every failed order
    cata-sandbox replay --failed --outlet outlet-1
    """
    from cata_sandbox.client import ApiError

    if failed == bool(order_ids):
        raise click.UsageError("give ORDER_ID(s) or --failed, not both and not neither")
    if outlet is not None and not failed:
        raise click.UsageError("--outlet only goes with --failed")
    with make_client(url, api_key) as client:
        try:
            client.whoami()
            targets = list(order_ids) if order_ids else _failed_order_ids(client, outlet)
        except ApiError as exc:
            raise click.ClickException(str(exc)) from None
        if not targets:
            click.echo("no failed orders to replay" + (f" for outlet {outlet}" if outlet else ""))
            return
        rows = [_replay_one(client, order_id) for order_id in targets]
    click.echo(_replay_table(rows))
    done = sum(row["dispatched"] == "yes" for row in rows)
    click.echo(f"{len(rows)} replayed: {done} dispatched, {len(rows) - done} not dispatched")
    if done != len(rows):
        raise click.exceptions.Exit(1)


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


for command in (trigger, listen, webhooks):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
