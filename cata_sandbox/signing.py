"""HMAC-SHA256 webhook signatures, GitHub style: ``X-Cata-Signature: sha256=<hex>`` over the raw body.

Partners can copy this module as is: it depends on the standard library only.

    from cata_sandbox.signing import verify
    ok = verify(secret, request_body_bytes, request.headers.get("X-Cata-Signature"))
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Cata-Signature"
PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header for ``body``: ``sha256=`` + lowercase hex HMAC-SHA256 keyed with ``secret`` (UTF-8)."""
    return PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of exactly ``body``; constant-time, never raises."""
    if not isinstance(header, str) or not header.startswith(PREFIX):
        return False
    try:
        expected = sign(secret, body).encode("ascii")
        given = header.strip().encode("ascii")
    except (UnicodeError, AttributeError, TypeError):
        return False
    return hmac.compare_digest(expected, given)
