"""Mock Lightspeed's OAuth2: the ``/oauth/token`` endpoint and the bearer-token check of the API.

Grants ``authorization_code`` (a one-time code from ``POST /__admin/lightspeed/authorize``) and
``refresh_token`` (rotating: a refresh token is good once); scope ``orders-api``; client id and secret in
the form or in HTTP Basic. Errors are RFC 6749 bodies; the API's 401 is RFC 6750's ``invalid_token``.
"""

from __future__ import annotations

import base64
import hmac
from datetime import datetime
from urllib.parse import parse_qs

import msgspec

from mock_pos.lightspeed_state import SCOPE, LightspeedStore
from mock_pos.wire import Exchange, Reply


def _oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply.json(status, {"error": error, "error_description": description})


def unauthorized(description: str) -> Reply:
    """Lightspeed's 401 for the API: the OAuth2 bearer-token error (RFC 6750)."""
    header = f'Bearer realm="lightspeed", error="invalid_token", error_description="{description}"'
    return Reply(
        401,
        msgspec.json.encode({"error": "invalid_token", "error_description": description}),
        headers=(("www-authenticate", header),),
    )


def _client_credentials(exchange: Exchange, form: dict[str, str]) -> tuple[str, str]:
    given = exchange.header("authorization") or ""
    if given.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(given[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        return user, password
    return form.get("client_id", ""), form.get("client_secret", "")


def token_answer(store: LightspeedStore, exchange: Exchange, body: bytes, now: datetime) -> Reply:
    """``POST /oauth/token``: the OAuth2 token endpoint (form-encoded, client id/secret in form or Basic)."""
    if exchange.method != "POST":
        return Reply(405, b'{"error":"method_not_allowed"}', headers=(("allow", "POST"),))
    form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
    client_id, client_secret = _client_credentials(exchange, form)
    config = store.config
    if not (
        hmac.compare_digest(client_id.encode(), config.client_id.encode())
        and hmac.compare_digest(client_secret.encode(), config.client_secret.encode())
    ):
        return _oauth_error(401, "invalid_client", "Bad client credentials")
    if "scope" in form and SCOPE not in form["scope"].split():
        return _oauth_error(400, "invalid_scope", f"scope must include {SCOPE}")
    grant = form.get("grant_type")
    if grant == "authorization_code":
        code = form.get("code")
        if code is None:
            return _oauth_error(400, "invalid_request", "Missing parameter: code")
        if code not in store.codes:
            return _oauth_error(400, "invalid_grant", "Invalid authorization code")
        store.codes.discard(code)  # a code is good once
    elif grant == "refresh_token":
        refresh = form.get("refresh_token")
        if refresh is None:
            return _oauth_error(400, "invalid_request", "Missing parameter: refresh_token")
        if refresh not in store.refresh_tokens:
            return _oauth_error(400, "invalid_grant", "Invalid refresh token")
        store.refresh_tokens.discard(refresh)  # refresh tokens rotate
    elif grant is None:
        return _oauth_error(400, "invalid_request", "Missing parameter: grant_type")
    else:
        return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")
    return Reply.json(200, store.issue_tokens(now))


def bearer_problem(store: LightspeedStore, exchange: Exchange, now: datetime) -> str | None:
    given = exchange.header("authorization") or ""
    if not given.lower().startswith("bearer "):
        return "Full authentication is required to access this resource"
    token = given[7:].strip()
    if token not in store.access_tokens:
        return "Invalid access token"
    if not store.token_valid(token, now):
        return "Access token expired"
    return None
