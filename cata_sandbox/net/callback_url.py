"""What a callback URL may be: http(s), a host, no credentials, no control characters; and where it may lead.

``check_callback_url`` is the syntax (always applied); ``check_callback`` adds the ``callback_policy``
check of the destination (see :mod:`cata_sandbox.net.policy`), done at registration and again by the
engine before every send.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from cata_sandbox.errors import InvalidRequest
from cata_sandbox.net import policy as netpolicy
from cata_sandbox.settings import CallbackPolicy

MAX_URL_LENGTH = 2048
# A registration waits this long at most for the callback host to resolve (public-only only).
RESOLVE_BUDGET_S = 10.0


def check_callback_url(url: str, *, path: str = "$.callbackUrl") -> str:
    if len(url) > MAX_URL_LENGTH:
        raise InvalidRequest(f"callback URL is longer than {MAX_URL_LENGTH} characters - at `{path}`")
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise InvalidRequest(f"callback URL must not contain spaces or control characters - at `{path}`")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidRequest(f"invalid callback URL: {exc} - at `{path}`") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidRequest(f"callback URL must use http or https, not {parts.scheme!r} - at `{path}`")
    if not parts.hostname:
        raise InvalidRequest(f"callback URL has no host - at `{path}`")
    if parts.username is not None or parts.password is not None:
        raise InvalidRequest(f"callback URL must not carry credentials - at `{path}`")
    return url


async def check_callback(url: str, policy: CallbackPolicy, *, path: str = "$.callbackUrl") -> str:
    """``check_callback_url``, then refuse destinations ``policy`` forbids (after DNS resolution)."""
    check_callback_url(url, path=path)
    try:
        async with asyncio.timeout(RESOLVE_BUDGET_S):
            await netpolicy.check_destination(url, policy)
    except netpolicy.DestinationRefused as exc:
        raise InvalidRequest(f"callback URL refused: {exc} - at `{path}`") from exc
    except TimeoutError as exc:
        raise InvalidRequest(
            f"callback URL refused: its host did not resolve within {RESOLVE_BUDGET_S:g}s - at `{path}`"
        ) from exc
    return url
