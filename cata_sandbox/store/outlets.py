"""Outlet → POS provider mappings with their per-outlet settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.records import (
    OutletProvider,
    aware,
)
from cata_sandbox.store.sqlite_writer import hot
from cata_sandbox.store.tables import (
    outlet_providers,
)

# Read on every scripted dispatch, inside the order's transaction: built once (as orders.py's statements).
_OUTLET_PROVIDER = hot(
    sa.select(outlet_providers).where(
        outlet_providers.c.tenant_id == sa.bindparam("tenant_id"),
        outlet_providers.c.outlet_id == sa.bindparam("outlet_id"),
    )
)


class OutletStore(StoreBase):
    """Outlet provider mappings, tenant-scoped."""

    async def put_outlet_provider(
        self,
        tenant_id: str,
        outlet_id: str,
        *,
        provider_slug: str,
        external_id: str,
        settings: dict[str, Any],
        now: datetime,
    ) -> OutletProvider:
        encoded = msgspec.json.encode(settings).decode()
        async with self.engine.begin() as conn:
            updated = await conn.execute(
                sa.update(outlet_providers)
                .where(outlet_providers.c.tenant_id == tenant_id, outlet_providers.c.outlet_id == outlet_id)
                .values(
                    provider_slug=provider_slug, external_id=external_id, settings=encoded, updated_at=now
                )
            )
            if updated.rowcount == 0:
                await conn.execute(
                    sa.insert(outlet_providers).values(
                        tenant_id=tenant_id,
                        outlet_id=outlet_id,
                        provider_slug=provider_slug,
                        external_id=external_id,
                        settings=encoded,
                        created_at=now,
                        updated_at=now,
                    )
                )
        found = await self.get_outlet_provider(tenant_id, outlet_id)
        assert found is not None
        return found

    async def get_outlet_provider(self, tenant_id: str, outlet_id: str) -> OutletProvider | None:
        async with self.engine.connect() as conn:
            return await self.outlet_provider_for(conn, tenant_id, outlet_id)

    async def outlet_provider_for(
        self, conn: AsyncConnection, tenant_id: str, outlet_id: str
    ) -> OutletProvider | None:
        row = (await conn.execute(_OUTLET_PROVIDER, {"tenant_id": tenant_id, "outlet_id": outlet_id})).first()
        if row is None:
            return None
        return OutletProvider(
            tenant_id=row.tenant_id,
            outlet_id=row.outlet_id,
            provider_slug=row.provider_slug,
            external_id=row.external_id,
            settings=msgspec.json.decode(row.settings),
            created_at=aware(row.created_at),
            updated_at=aware(row.updated_at),
        )
