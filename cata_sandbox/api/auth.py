"""API keys: ``X-Api-Key`` → the caller's tenant. Keys are stored hashed; found keys are cached."""

from __future__ import annotations

from dataclasses import dataclass

from cata_sandbox.clock import Clock
from cata_sandbox.errors import Unauthorized
from cata_sandbox.store import ApiKey, Store

API_KEY_HEADER = "X-Api-Key"


@dataclass(frozen=True, slots=True)
class Caller:
    tenant_id: str
    api_key: ApiKey


class KeyRing:
    """Looks keys up once: a dispatch should not pay a database round trip to authenticate."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._known: dict[str, ApiKey] = {}

    async def authenticate(self, raw_key: str | None) -> Caller:
        if not raw_key:
            raise Unauthorized("missing X-Api-Key header")
        key = self._known.get(raw_key)
        if key is None:
            key = await self._store.find_api_key(raw_key)
            if key is None:
                raise Unauthorized("invalid or expired API key")
            self._known[raw_key] = key
        if key.expires_at is not None and key.expires_at <= self._clock.now():
            raise Unauthorized("invalid or expired API key")
        return Caller(tenant_id=key.tenant_id, api_key=key)
