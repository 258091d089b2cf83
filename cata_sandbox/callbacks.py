"""What a callback URL may be: http(s), a host, no credentials in it."""

from __future__ import annotations

from urllib.parse import urlsplit

from cata_sandbox.errors import InvalidRequest


def check_callback_url(url: str, *, path: str = "$.callbackUrl") -> str:
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
