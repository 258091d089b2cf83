"""The inspector's reads: orders searched and counted, recent attempts, mappings, a session key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec
import sqlalchemy as sa

from cata_sandbox.store.base import StoreBase
from cata_sandbox.store.records import ApiKey, OutletProvider, StoredOrder, aware, order_of_row
from cata_sandbox.store.tables import api_keys, delivery_attempts, orders, outlet_providers


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """The orders page's filters; None (or empty) means any."""

    outlet_id: str | None = None
    route: str | None = None  # the route or the builtInTransformer (provider) slug
    status: str | None = None
    fulfilment_status: str | None = None
    ref_contains: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptPoint:
    """One attempt as a chart point."""

    started_at: datetime
    duration_ms: float
    dispatched: bool
    response_status: int | None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(tenant_id: str, query: OrderQuery) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [orders.c.tenant_id == tenant_id]
    if query.outlet_id:
        where.append(orders.c.outlet_id == query.outlet_id)
    if query.route:
        where.append(sa.or_(orders.c.route == query.route, orders.c.transformer == query.route))
    if query.status:
        where.append(orders.c.status == query.status)
    if query.fulfilment_status:
        where.append(orders.c.fulfilment_status == query.fulfilment_status)
    if query.ref_contains:
        pattern = f"%{_escape_like(query.ref_contains)}%"
        where.append(orders.c.order_ref_no.like(pattern, escape="\\"))
    return where


class InspectionStore(StoreBase):
    """Reads for the inspector web page (cata_sandbox.inspector); tenant-scoped like every read."""

    async def search_orders(
        self, tenant_id: str, query: OrderQuery, *, limit: int, offset: int
    ) -> tuple[list[StoredOrder], int]:
        """Orders newest first matching ``query``, and how many match in all."""
        where = _where(tenant_id, query)
        async with self.engine.connect() as conn:
            total = await conn.scalar(sa.select(sa.func.count()).select_from(orders).where(*where))
            rows = (
                await conn.execute(
                    sa.select(orders)
                    .where(*where)
                    .order_by(orders.c.created_at.desc(), orders.c.id.desc())
                    .limit(limit)
                    .offset(offset)
                )
            ).all()
        return [order_of_row(row) for row in rows], int(total or 0)

    async def order_counts(self, tenant_id: str) -> dict[str, int]:
        """How many of the tenant's orders are in each dispatch status."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(orders.c.status, sa.func.count())
                    .where(orders.c.tenant_id == tenant_id)
                    .group_by(orders.c.status)
                )
            ).all()
        return {str(status): int(count) for status, count in rows}

    async def outlet_ids(self, tenant_id: str) -> list[str]:
        """Every outlet the tenant has sent orders for, sorted."""
        async with self.engine.connect() as conn:
            rows = await conn.scalars(
                sa.select(orders.c.outlet_id).where(orders.c.tenant_id == tenant_id).distinct()
            )
            return sorted(rows)

    async def recent_attempts(self, tenant_id: str, outlet_id: str, limit: int) -> list[AttemptPoint]:
        """The outlet's last ``limit`` attempts, oldest first."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(
                        delivery_attempts.c.started_at,
                        delivery_attempts.c.duration_ms,
                        delivery_attempts.c.dispatched,
                        delivery_attempts.c.response_status,
                    )
                    .join(orders, orders.c.id == delivery_attempts.c.order_id)
                    .where(delivery_attempts.c.tenant_id == tenant_id, orders.c.outlet_id == outlet_id)
                    .order_by(delivery_attempts.c.started_at.desc(), delivery_attempts.c.id.desc())
                    .limit(limit)
                )
            ).all()
        points = [
            AttemptPoint(aware(r.started_at), float(r.duration_ms), bool(r.dispatched), r.response_status)
            for r in rows
        ]
        return points[::-1]

    async def list_outlet_providers(self, tenant_id: str) -> list[OutletProvider]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(outlet_providers)
                    .where(outlet_providers.c.tenant_id == tenant_id)
                    .order_by(outlet_providers.c.outlet_id)
                )
            ).all()
        return [
            OutletProvider(
                tenant_id=row.tenant_id,
                outlet_id=row.outlet_id,
                provider_slug=row.provider_slug,
                external_id=row.external_id,
                settings=msgspec.json.decode(row.settings),
                created_at=aware(row.created_at),
                updated_at=aware(row.updated_at),
            )
            for row in rows
        ]

    async def session_key(self, key_id: int) -> tuple[ApiKey, str] | None:
        """API key ``key_id`` and its stored hash (what an inspector session cookie is signed with)."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(
                        api_keys.c.id, api_keys.c.tenant_id, api_keys.c.expires_at, api_keys.c.key_hash
                    ).where(api_keys.c.id == key_id)
                )
            ).first()
        if row is None:
            return None
        expires = None if row.expires_at is None else aware(row.expires_at)
        return ApiKey(id=row.id, tenant_id=row.tenant_id, expires_at=expires), str(row.key_hash)
