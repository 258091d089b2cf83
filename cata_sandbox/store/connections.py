"""Provider connections: a tenant's credentials and config for one POS provider (tenant-level)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.records import ProviderConnection, aware
from cata_sandbox.store.sqlite_writer import hot
from cata_sandbox.store.tables import provider_connections

_T = provider_connections
# Read on every scripted dispatch, inside the order's transaction: built once (as orders.py's statements).
_CONNECTION = hot(
    sa.select(_T).where(
        _T.c.tenant_id == sa.bindparam("tenant_id"), _T.c.provider_slug == sa.bindparam("slug")
    )
)


class ConnectionStore(StoreBase):
    """Provider connections, tenant-scoped; one per (tenant, provider slug)."""

    async def put_provider_connection(
        self,
        tenant_id: str,
        slug: str,
        *,
        status: str,
        api_key: str,
        api_secret: str,
        webhook_url: str,
        base_url: str,
        config: dict[str, Any],
        now: datetime,
    ) -> ProviderConnection:
        values = {
            "status": status,
            "api_key": api_key,
            "api_secret": api_secret,
            "webhook_url": webhook_url,
            "base_url": base_url,
            "config": msgspec.json.encode(config).decode(),
            "updated_at": now,
        }
        async with self.engine.begin() as conn:
            updated = await conn.execute(
                sa.update(_T).where(_T.c.tenant_id == tenant_id, _T.c.provider_slug == slug).values(**values)
            )
            if updated.rowcount == 0:
                await conn.execute(
                    sa.insert(_T).values(tenant_id=tenant_id, provider_slug=slug, created_at=now, **values)
                )
        found = await self.get_provider_connection(tenant_id, slug)
        assert found is not None
        return found

    async def get_provider_connection(self, tenant_id: str, slug: str) -> ProviderConnection | None:
        async with self.engine.connect() as conn:
            return await self.provider_connection_for(conn, tenant_id, slug)

    async def delete_provider_connection(self, tenant_id: str, slug: str) -> bool:
        async with self.engine.begin() as conn:
            deleted = await conn.execute(
                sa.delete(_T).where(_T.c.tenant_id == tenant_id, _T.c.provider_slug == slug)
            )
        return bool(deleted.rowcount)

    async def provider_connection_for(
        self, conn: AsyncConnection, tenant_id: str, slug: str
    ) -> ProviderConnection | None:
        row = (await conn.execute(_CONNECTION, {"tenant_id": tenant_id, "slug": slug})).first()
        if row is None:
            return None
        return ProviderConnection(
            tenant_id=row.tenant_id,
            provider_slug=row.provider_slug,
            status=row.status,
            api_key=row.api_key,
            api_secret=row.api_secret,
            webhook_url=row.webhook_url,
            base_url=row.base_url,
            config=msgspec.json.decode(row.config),
            created_at=aware(row.created_at),
            updated_at=aware(row.updated_at),
        )
