"""``mock-pos``: run the mock POS / mock partner server on its own."""

from __future__ import annotations

import errno
import signal
import sys

import click

from mock_pos.app import create_mock_pos
from mock_pos.server import MockServer, bind_socket, build_config

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
        "Serve the mock over HTTP until interrupted. State (receivers, faults, journal, Revel catalogue "
        "and orders) is in memory and starts fresh. Default credentials: Revel sandbox-key / sandbox-secret; "
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
def serve(host: str, port: int, log_level: str, drain_timeout: float) -> None:
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
    config = build_config(
        create_mock_pos(), host=host, port=port, log_level=log_level, embedded=False, drain_s=drain_timeout
    )
    # uvicorn stops gracefully on SIGINT/SIGTERM, then raises it again: a graceful stop is a clean exit.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_cleanly)
    MockServer(config, drain_s=drain_timeout).run(sockets=[sock])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
