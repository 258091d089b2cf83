"""Tenants and their API keys (only the SHA-256 of a key is stored)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.records import (
    ApiKey,
    aware,
)
from cata_sandbox.store.tables import (
    api_keys,
    tenants,
)


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return "cata_sk_" + secrets.token_urlsafe(24)


async def ensure_tenant_in(conn: AsyncConnection, name: str, now: datetime) -> str:
    found = await conn.scalar(sa.select(tenants.c.id).where(tenants.c.name == name))
    if found is not None:
        return str(found)
    tenant_id = str(uuid.uuid4())
    await conn.execute(sa.insert(tenants).values(id=tenant_id, name=name, created_at=now))
    return tenant_id


class KeyStore(StoreBase):
    """Tenants and API keys."""

    async def ensure_tenant(self, name: str, now: datetime) -> str:
        async with self.engine.begin() as conn:
            return await ensure_tenant_in(conn, name, now)

    async def add_api_key(self, tenant_name: str, raw_key: str, now: datetime) -> tuple[str, bool]:
        """Create the tenant if needed and register ``raw_key``; returns (tenant id, whether it was new)."""
        async with self.engine.begin() as conn:
            tenant_id = await ensure_tenant_in(conn, tenant_name, now)
            digest = hash_key(raw_key)
            existing = await conn.scalar(sa.select(api_keys.c.tenant_id).where(api_keys.c.key_hash == digest))
            if existing is not None:
                if existing != tenant_id:
                    raise ValueError("that API key already belongs to another tenant")
                return tenant_id, False
            await conn.execute(
                sa.insert(api_keys).values(
                    tenant_id=tenant_id, key_hash=digest, created_at=now, expires_at=None
                )
            )
            return tenant_id, True

    async def tenant_has_keys(self, tenant_name: str) -> bool:
        async with self.engine.connect() as conn:
            count = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(api_keys.join(tenants, tenants.c.id == api_keys.c.tenant_id))
                .where(tenants.c.name == tenant_name)
            )
            return bool(count)

    async def find_api_key(self, raw_key: str) -> ApiKey | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(api_keys.c.id, api_keys.c.tenant_id, api_keys.c.expires_at).where(
                        api_keys.c.key_hash == hash_key(raw_key)
                    )
                )
            ).first()
        if row is None:
            return None
        return ApiKey(
            id=row.id,
            tenant_id=row.tenant_id,
            expires_at=None if row.expires_at is None else aware(row.expires_at),
        )
