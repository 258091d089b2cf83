"""``mock-pos``: run the mock POS / mock partner server on its own."""

from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path

import click

from mock_pos.app import create_mock_pos
from mock_pos.server import MockServer, bind_socket, build_config
from mock_pos.tls import DEFAULT_TLS_PORT, TlsSites

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(
    context_settings=CONTEXT,
    help=(
        "Mock counterparties for the Cata sandbox: partner webhook receivers (POST /webhooks/{name}) "
        "and mock POS APIs: Revel (base URL http://HOST:PORT/revel), Lightspeed K-Series (/lightspeed) and "
        "Atlas Kitchen (/atlas), each able to fail on demand. "
        "Configure, inject faults and read the request journal under /__admin/."
    ),
)
def main() -> None:
    """Entry point of the ``mock-pos`` console script."""


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


@main.command(
    context_settings=CONTEXT,
    help=(
        "Serve the mock over HTTP (and HTTPS with --tls) until interrupted. State (receivers, faults, "
        "journal, Revel catalogue and orders) is in memory and starts fresh. Default credentials: Revel "
        "sandbox-key / sandbox-secret; "
        "Lightspeed client sandbox-client / sandbox-client-secret; Atlas X-Api-Key sandbox-atlas-key, "
        "X-Merchant-Id sandbox-merchant. Ctrl-C (or SIGTERM) stops accepting connections, lets requests in "
        "flight finish for up to --drain-timeout seconds (a delay fault answers if it can), then exits 0."
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8701, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="Log level (uvicorn's records and mock_pos's, one line format).",
)
@click.option(
    "--drain-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds a shutdown waits for requests in flight (the dispatch service's default budget).",
)
@click.option(
    "--tls",
    is_flag=True,
    help="Also serve HTTPS: the valid site on --tls-port and one port per TLS fault after it (tls:expired,"
    " tls:wrong-host, ...; GET /__admin/tls lists them), with a local CA kept in --tls-dir.",
)
@click.option(
    "--tls-port",
    default=DEFAULT_TLS_PORT,
    show_default=True,
    type=click.IntRange(0, 65528),
    help="First HTTPS port.",
)
@click.option(
    "--tls-dir",
    default="./mock-pos-tls",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the sandbox CA is made on first start and reused after (ca.pem is the file to trust).",
)
def serve(
    host: str, port: int, log_level: str, drain_timeout: float, tls: bool, tls_port: int, tls_dir: Path
) -> None:
    """Run uvicorn in the foreground with the connection-tracking protocol (reset and 1xx faults need it)."""
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is already in use: stop what runs there (another mock-pos or"
                f" `cata-sandbox up`?) or pick another with --port"
            ) from None
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sites = TlsSites.bind(tls_dir, host, tls_port) if tls else None
    except OSError as exc:
        sock.close()
        raise click.ClickException(
            f"cannot serve HTTPS on {host} ports {tls_port}-{tls_port + 7} ({exc.strerror or exc}):"
            " pick others with --tls-port"
        ) from None
    config = build_config(
        create_mock_pos(tls=sites),
        host=host,
        port=port,
        log_level=log_level,
        embedded=False,
        drain_s=drain_timeout,
    )
    if sites is not None:
        click.echo(tls_banner(sites), err=True)
    # uvicorn stops gracefully on SIGINT/SIGTERM, then raises it again: a graceful stop is a clean exit.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_cleanly)
    MockServer(config, drain_s=drain_timeout, tls=sites).run(sockets=[sock])


def tls_banner(sites: TlsSites) -> str:
    """The HTTPS sites and the CA to trust, for the terminal."""
    described = sites.describe()
    lines = [
        f"HTTPS: {described['url']} (trust {described['caFile']}, e.g. CATA_CA_BUNDLE={described['caFile']})"
    ]
    lines += [f"  {mode:<26} {url}" for mode, url in described["faults"].items()]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
