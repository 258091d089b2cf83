"""``--url`` and ``--api-key`` of the commands that talk to a running sandbox, and the client they make."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from cata_sandbox.partner.client import DEFAULT_URL

if TYPE_CHECKING:
    from cata_sandbox.partner.client import SandboxClient

DEFAULT_URL_HINT = (
    f"; this is the default URL {DEFAULT_URL}: if your sandbox runs on another port, use the"
    " `export CATA_URL=... CATA_API_KEY=...` line `cata-sandbox up` printed, or pass --url"
)


def _check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(
            f"{value!r} is not an http:// or https:// URL of the sandbox, e.g. {DEFAULT_URL}"
            " (the URL `cata-sandbox up` printed)"
        )
    return value.rstrip("/")


def url_option(command: Callable[..., None]) -> Callable[..., None]:
    """``--url`` (env ``CATA_URL``), checked to be an http(s) URL before anything is sent."""
    return click.option(
        "--url",
        envvar="CATA_URL",
        default=DEFAULT_URL,
        show_default=True,
        callback=_check_url,
        help="The dispatch service (env CATA_URL; `up` prints the export line).",
    )(command)


def service_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--url`` and ``--api-key`` of a command that talks to a running sandbox."""
    command = click.option(
        "--api-key", envvar="CATA_API_KEY", default=None, help="API key (env CATA_API_KEY; `up` prints one)."
    )(command)
    return url_option(command)


def url_hint() -> str:
    """Added to errors when ``--url`` came from its default: the sandbox may well be elsewhere."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.get_parameter_source("url") not in (ParameterSource.DEFAULT, None):
        return ""
    return DEFAULT_URL_HINT


def make_client(url: str, api_key: str | None) -> SandboxClient:
    from cata_sandbox.partner.client import SandboxClient

    if not api_key:
        raise click.UsageError("no API key: pass --api-key or set CATA_API_KEY (cata-sandbox up prints one)")
    return SandboxClient(url, api_key, hint=url_hint())
