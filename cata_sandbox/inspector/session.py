"""The inspector's session: an API key signs in, a signed cookie keeps it; forms carry a CSRF token.

The session cookie is ``<key id>.<expiry, unix seconds>.<HMAC-SHA256>``, keyed with the stored hash of the
API key that signed in: nothing is kept in memory, so every worker process accepts it, and a key that
expires ends its sessions. Forms are protected by a double-submit token: a random value in a second
cookie (HttpOnly, SameSite=Strict) that every state-changing form repeats in its ``csrf`` field; a post
without it, or with another value, is refused with a 403 before anything is read or changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from litestar import Request
from litestar.datastructures import Cookie, State

from cata_sandbox.api.dependencies import Services, ServicesDep

PREFIX = "/inspector"
SESSION_COOKIE = "cata_inspector_session"
CSRF_COOKIE = "cata_inspector_csrf"
CSRF_FIELD = "csrf"
LIFETIME_S = 8 * 3600


class NotSignedIn(Exception):
    """No session cookie, or one that is forged, expired or of a key that no longer works."""


class CsrfRefused(Exception):
    """A state-changing form without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Session:
    tenant_id: str
    key_id: int
    expires: int


def _signature(key_hash: str, text: str) -> str:
    return hmac.new(key_hash.encode("ascii"), text.encode("ascii"), hashlib.sha256).hexdigest()


def session_value(key_id: int, key_hash: str, expires: int) -> str:
    text = f"{key_id}.{expires}"
    return f"{text}.{_signature(key_hash, text)}"


def _cookie(request: Request[object, object, State], key: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path=PREFIX,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def session_cookie(request: Request[object, object, State], value: str) -> Cookie:
    return _cookie(request, SESSION_COOKIE, value, LIFETIME_S)


def ended_session_cookie(request: Request[object, object, State]) -> Cookie:
    return _cookie(request, SESSION_COOKIE, "", 0)


def csrf_for(request: Request[object, object, State]) -> tuple[str, Cookie | None]:
    """The token this page's forms carry: the browser's CSRF cookie, or a new one with the cookie to set."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) >= 32 and token.isascii():
        return token, None
    token = secrets.token_urlsafe(32)
    return token, _cookie(request, CSRF_COOKIE, token, LIFETIME_S)


async def checked_form(request: Request[object, object, State]) -> dict[str, str]:
    """The posted form's fields, after its CSRF token was checked against the cookie (else CsrfRefused)."""
    form = await request.form()
    fields = {name: str(form.get(name)) for name in form}
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = fields.pop(CSRF_FIELD, "")
    if len(cookie) < 32 or not hmac.compare_digest(cookie.encode(), given.encode()):
        raise CsrfRefused(
            "the form's CSRF token is missing or does not match this browser's (reload the page)"
        )
    return fields


async def session_of(request: Request[object, object, State], services: Services) -> Session:
    """The signed-in session of this request, or :class:`NotSignedIn`."""
    parts = request.cookies.get(SESSION_COOKIE, "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 15:
        raise NotSignedIn("not signed in")
    key_id, expires = int(parts[0]), int(parts[1])
    found = await services.store.session_key(key_id)
    if found is None:
        raise NotSignedIn("the API key of this session no longer exists")
    key, key_hash = found
    expected = _signature(key_hash, f"{key_id}.{expires}")
    if not hmac.compare_digest(expected.encode(), parts[2].encode("ascii", "replace")):
        raise NotSignedIn("the session cookie is not valid")
    now = services.clock.now()
    if expires <= now.timestamp() or (key.expires_at is not None and key.expires_at <= now):
        raise NotSignedIn("the session has expired: sign in again")
    return Session(tenant_id=key.tenant_id, key_id=key_id, expires=expires)


async def provide_session(request: Request[object, object, State], services: ServicesDep) -> Session:
    return await session_of(request, services)
