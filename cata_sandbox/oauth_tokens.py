"""ADR 0006's refresh-before-execute: a provider connection's OAuth token, fresh before a script runs.

Data-driven, not per provider: a connection whose ``config`` has ``tokenUrl`` and ``refreshToken`` keeps
its token as ``{accessToken, refreshToken, expiresAt}`` there. Before a dispatch script runs, a token that
expires within :data:`REFRESH_MARGIN_S` (or has no ``expiresAt``/``accessToken``) is refreshed with the
``refresh_token`` grant at ``tokenUrl`` (client id and secret = the connection's ``apiKey`` and
``apiSecret``, as HTTP Basic), and the new token is stored before the script reads
``input.config.accessToken``. A 401 from the POS forces one refresh and one retry (see ``dispatch``).
The token endpoint is called through the service's :class:`Sender`: the callback policy and the dispatch
budget apply to it. Refresh tokens may rotate; one process refreshes a connection at a time, and a
refresh refused because another process rotated the token first uses that process's stored token.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import msgspec

from cata_sandbox.clock import Clock
from cata_sandbox.delivery import Sender
from cata_sandbox.store import ProviderConnection, Store

__all__ = ["REFRESH_FAILED", "REFRESH_MARGIN_S", "TokenKeeper", "refreshable"]

REFRESH_MARGIN_S = 60.0
REFRESH_FAILED = "OAuth token refresh failed: "


def refreshable(config: dict[str, Any]) -> bool:
    """Whether a connection's config describes a refreshable OAuth token (``tokenUrl`` + ``refreshToken``)."""
    return bool(config.get("tokenUrl")) and bool(config.get("refreshToken"))


def expires_at(config: dict[str, Any]) -> datetime | None:
    value = config.get("expiresAt")
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value)).astimezone()
        if isinstance(value, str) and value:
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo is not None else None
    except (ValueError, OverflowError, OSError):
        return None
    return None


def is_due(config: dict[str, Any], now: datetime) -> bool:
    moment = expires_at(config)
    return (
        not config.get("accessToken") or moment is None or moment - now <= timedelta(seconds=REFRESH_MARGIN_S)
    )


def _explain(status: int | None, body: bytes, error: str | None) -> str:
    if status is None:
        return f"token endpoint unreachable: {error or 'no answer'}"
    try:
        parsed = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        said = parsed["error"]
        if isinstance(parsed.get("error_description"), str):
            said += f" ({parsed['error_description']})"
        return f"token endpoint answered HTTP {status}: {said}"
    return f"token endpoint answered HTTP {status}: {body[:200].decode('utf-8', 'replace')}"


class TokenKeeper:
    """Refreshes connections' OAuth tokens through the service's sender, storing each new token."""

    def __init__(self, store: Store, sender: Sender, clock: Clock) -> None:
        self.store = store
        self.sender = sender
        self.clock = clock
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def fresh_config(
        self, tenant_id: str, slug: str, config: dict[str, Any], *, budget: float, force: bool = False
    ) -> dict[str, Any] | str:
        """``config`` with a token good for the next minute, or why not (``OAuth token refresh failed: ...``).

        ``force``: the POS refused the token in ``config`` (401), so refresh it whatever ``expiresAt`` says.
        """
        if not refreshable(config) or (not force and not is_due(config, self.clock.now())):
            return config
        lock = self._locks.setdefault((tenant_id, slug), asyncio.Lock())
        async with lock:
            stored = await self.store.get_provider_connection(tenant_id, slug)
            if stored is None:
                return REFRESH_FAILED + f"the {slug} provider connection is gone"
            current = stored.config
            if current.get("accessToken") != config.get("accessToken") and not is_due(
                current, self.clock.now()
            ):
                return current  # refreshed meanwhile (by this process, or another one)
            refreshed = await self._refresh(stored, budget)
            if isinstance(refreshed, str):
                again = await self.store.get_provider_connection(tenant_id, slug)
                rotated = again is not None and again.config.get("refreshToken") != current.get(
                    "refreshToken"
                )
                return again.config if again is not None and rotated else refreshed
            return refreshed

    async def _refresh(self, connection: ProviderConnection, budget: float) -> dict[str, Any] | str:
        config = connection.config
        pair = f"{connection.api_key}:{connection.api_secret}".encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
        }
        form = {"grant_type": "refresh_token", "refresh_token": str(config["refreshToken"])}
        if config.get("scope"):
            form["scope"] = str(config["scope"])
        exchange = await self.sender.exchange(
            "POST", str(config["tokenUrl"]), headers, urlencode(form).encode(), budget=max(0.1, budget)
        )
        if exchange.status != 200:
            return REFRESH_FAILED + _explain(exchange.status, exchange.body, exchange.error)
        try:
            answer = msgspec.json.decode(exchange.body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            answer = None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            return REFRESH_FAILED + "the token endpoint's answer has no access_token"
        assert isinstance(answer, dict)
        now = self.clock.now()
        lifetime = answer.get("expires_in")
        seconds = (
            float(lifetime)
            if isinstance(lifetime, (int, float)) and not isinstance(lifetime, bool)
            else 3600.0
        )
        new = {
            **config,
            "accessToken": token,
            "refreshToken": str(answer.get("refresh_token") or config["refreshToken"]),
            "expiresAt": (now + timedelta(seconds=seconds)).isoformat(),
        }
        await self.store.put_provider_connection(
            connection.tenant_id,
            connection.provider_slug,
            status=connection.status,
            api_key=connection.api_key,
            api_secret=connection.api_secret,
            webhook_url=connection.webhook_url,
            base_url=connection.base_url,
            config=new,
            now=now,
        )
        return new
