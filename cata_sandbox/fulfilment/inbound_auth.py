"""Who sent a POS's status webhook: the tenant's ``X-Api-Key``, or the provider's own credentials.

A POS that cannot send ``X-Api-Key`` (Lightspeed and Atlas send only what their webhook set-up allows)
calls ``/api/v1/inbound/{provider}/order-status?tenant=<tenant id>`` and proves itself by what the
tenant's provider connection's ``config`` says, first match wins:

- ``inboundUsername`` + ``inboundPassword``: HTTP Basic with exactly those (Lightspeed's webhook
  registration ``withBasicAuth``);
- ``inboundSigningSecret``: ``<inboundSignatureHeader>`` (default ``X-Signature``) is the hex HMAC-SHA256 of
  the raw body under that secret, ``sha256=`` prefix allowed (for a POS that signs);
- ``inboundToken``: the query parameter ``token`` equals it (Atlas: its webhook URL is the only thing it
  sends, so the secret rides in the URL).

Anything else is refused with 401, in the same words whatever was wrong, so a caller learns nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from cata_sandbox.api.auth import KeyRing
from cata_sandbox.errors import Unauthorized
from cata_sandbox.store import Store

__all__ = ["DEFAULT_SIGNATURE_HEADER", "inbound_tenant"]

DEFAULT_SIGNATURE_HEADER = "X-Signature"


def _same(given: str, wanted: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), wanted.encode("utf-8", "replace"))


def _basic(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        user, sep, password = (
            base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        )
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def credentials_ok(
    config: dict[str, Any], headers: Mapping[str, str], token: str | None, body: bytes
) -> bool:
    """Whether the request carries the credentials the connection's config asks for."""
    username, password = config.get("inboundUsername"), config.get("inboundPassword")
    if isinstance(username, str) and isinstance(password, str) and username and password:
        given = _basic(headers.get("authorization", ""))
        return given is not None and _same(given[0], username) & _same(given[1], password)
    secret = config.get("inboundSigningSecret")
    if isinstance(secret, str) and secret:
        name = str(config.get("inboundSignatureHeader") or DEFAULT_SIGNATURE_HEADER)
        signature = headers.get(name.lower(), "").strip().removeprefix("sha256=")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return bool(signature) and _same(signature.lower(), expected)
    wanted = config.get("inboundToken")
    if isinstance(wanted, str) and wanted:
        return token is not None and _same(token, wanted)
    return False


async def inbound_tenant(
    keys: KeyRing,
    store: Store,
    provider: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
) -> str:
    """The tenant the webhook is for, or :class:`Unauthorized`. ``headers`` keys are lower case."""
    api_key = headers.get("x-api-key")
    if api_key:
        return (await keys.authenticate(api_key)).tenant_id
    refused = Unauthorized(
        f"missing X-Api-Key header or {provider}'s webhook credentials (?tenant= and what its connection"
        " sets: Basic auth, a signature or a token)"
    )
    tenant = query.get("tenant")
    if not tenant:
        raise refused
    connection = await store.get_provider_connection(tenant, provider)
    if connection is None or not credentials_ok(connection.config, headers, query.get("token"), body):
        raise refused
    return tenant
