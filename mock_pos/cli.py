"""``mock-pos``: run the mock POS / mock partner server on its own."""

from __future__ import annotations

import click
import uvicorn

from mock_pos.app import create_mock_pos
from mock_pos.server import build_config


@click.group(
    help=(
        "Mock counterparties for the Cata sandbox: partner webhook receivers (POST /webhooks/{name}) "
        "and a mock Revel order API (base URL http://HOST:PORT/revel), each able to fail on demand. "
        "Configure, inject faults and read the request journal under /__admin/."
    )
)
def main() -> None:
    """Entry point of the ``mock-pos`` console script."""


@main.command(
    help=(
        "Serve the mock over HTTP until interrupted. State (receivers, faults, journal, Revel catalogue "
        "and orders) is in memory and starts fresh. Revel's default credentials are "
        "sandbox-key / sandbox-secret."
    )
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8701, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="uvicorn log level.",
)
def serve(host: str, port: int, log_level: str) -> None:
    """Run uvicorn in the foreground with the connection-tracking protocol (reset and 1xx faults need it)."""
    config = build_config(create_mock_pos(), host=host, port=port, log_level=log_level, embedded=False)
    uvicorn.Server(config).run()
