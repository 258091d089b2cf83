"""The repository: every read and write of the service's tables, tenant-scoped, as small async calls."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cata_sandbox import attempt_feed
from cata_sandbox.errors import Conflict, NotFound
from cata_sandbox.lifecycle import FulfilmentStatus
from cata_sandbox.sqlite_writer import SqliteWriter, hot
from cata_sandbox.tables import (
    api_keys,
    delivery_attempts,
    idempotency_keys,
    order_status_history,
    orders,
    outlet_providers,
    status_update_skips,
    tenants,
    webhooks,
)

T = TypeVar("T")


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return "cata_sk_" + secrets.token_urlsafe(24)


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    tenant_id: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    tenant_id: str
    outlet_id: str
    provider: str
    callback_url: str
    events: list[str]
    secret: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OutletProvider:
    tenant_id: str
    outlet_id: str
    provider_slug: str
    external_id: str
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Attempt:
    id: str
    order_id: str
    route: str
    started_at: datetime
    duration_ms: float
    request_method: str
    request_url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    response_status: int | None
    response_headers: dict[str, str]
    response_body: bytes
    dispatched: bool
    reason: str
    external_order_id: str


@dataclass(frozen=True, slots=True)
class StoredOrder:
    id: str
    tenant_id: str
    outlet_id: str
    event: str
    transformer: str | None
    route: str | None
    order_ref_no: str
    body: bytes
    status: str
    reason: str
    external_order_id: str
    created_at: datetime
    updated_at: datetime
    fulfilment_status: str | None = None
    version: int = 0


def _webhook(row: sa.Row[Any]) -> Webhook:
    return Webhook(
        id=row.id,
        tenant_id=row.tenant_id,
        outlet_id=row.outlet_id,
        provider=row.provider,
        callback_url=row.callback_url,
        events=msgspec.json.decode(row.events, type=list[str]),
        secret=row.secret,
        is_active=bool(row.is_active),
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def _order(row: sa.Row[Any]) -> StoredOrder:
    return StoredOrder(
        id=row.id,
        tenant_id=row.tenant_id,
        outlet_id=row.outlet_id,
        event=row.event,
        transformer=row.transformer,
        route=row.route,
        order_ref_no=row.order_ref_no,
        body=bytes(row.body),
        status=row.status,
        reason=row.reason,
        external_order_id=row.external_order_id,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        fulfilment_status=row.fulfilment_status,
        version=row.version,
    )


def _attempt(row: sa.Row[Any]) -> Attempt:
    return Attempt(
        id=row.id,
        order_id=row.order_id,
        route=row.route,
        started_at=aware(row.started_at),
        duration_ms=row.duration_ms,
        request_method=row.request_method,
        request_url=row.request_url,
        request_headers=msgspec.json.decode(row.request_headers, type=dict[str, str]),
        request_body=None if row.request_body is None else bytes(row.request_body),
        response_status=row.response_status,
        response_headers=msgspec.json.decode(row.response_headers, type=dict[str, str]),
        response_body=bytes(row.response_body),
        dispatched=bool(row.dispatched),
        reason=row.reason,
        external_order_id=row.external_order_id,
    )


# Hot-path statements, built once and executed with parameters: building one per call (``.values()``)
# costs more CPU than executing it (profiled; README, Performance).
_INSERT_ORDER = hot(sa.insert(orders))
_INSERT_ATTEMPT = hot(sa.insert(delivery_attempts))
_SET_OUTCOME = hot(
    sa.update(orders)
    .where(orders.c.id == sa.bindparam("b_order_id"))
    .values(
        status=sa.bindparam("b_status"),
        reason=sa.bindparam("b_reason"),
        external_order_id=sa.bindparam("b_external_order_id"),
        updated_at=sa.bindparam("b_updated_at"),
    )
)
_ACTIVE_WEBHOOKS = hot(
    sa.select(webhooks)
    .where(
        webhooks.c.tenant_id == sa.bindparam("tenant_id"),
        webhooks.c.outlet_id == sa.bindparam("outlet_id"),
        webhooks.c.is_active.is_(True),
        webhooks.c.deleted_at.is_(None),
    )
    .order_by(webhooks.c.id.desc())
)
_MARK_PAID = hot(
    sa.update(orders)
    .where(orders.c.id == sa.bindparam("b_order_id"), orders.c.fulfilment_status.is_(None))
    .values(fulfilment_status=FulfilmentStatus.PAID.value, version=orders.c.version + 1)
    .returning(orders.c.version)
)
_INSERT_HISTORY = hot(sa.insert(order_status_history))


class Store:
    """Tenant-scoped access to the tables. Every method takes the tenant it acts for."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite files: the hot path's transactions run on a writer thread in one hop (see transaction()).
        self._writer = SqliteWriter.for_engine(engine)
        self._postgres = engine.dialect.name == "postgresql"
        # Wakes the attempt streams of this process (see cata_sandbox.attempt_feed).
        self.attempts_recorded = attempt_feed.AttemptSignal()

    # --- tenants and keys -------------------------------------------------------------------

    async def ensure_tenant(self, name: str, now: datetime) -> str:
        async with self.engine.begin() as conn:
            return await self._ensure_tenant(conn, name, now)

    async def _ensure_tenant(self, conn: AsyncConnection, name: str, now: datetime) -> str:
        found = await conn.scalar(sa.select(tenants.c.id).where(tenants.c.name == name))
        if found is not None:
            return str(found)
        tenant_id = str(uuid.uuid4())
        await conn.execute(sa.insert(tenants).values(id=tenant_id, name=name, created_at=now))
        return tenant_id

    async def add_api_key(self, tenant_name: str, raw_key: str, now: datetime) -> tuple[str, bool]:
        """Create the tenant if needed and register ``raw_key``; returns (tenant id, whether it was new)."""
        async with self.engine.begin() as conn:
            tenant_id = await self._ensure_tenant(conn, tenant_name, now)
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

    # --- webhooks ---------------------------------------------------------------------------

    async def create_webhook(
        self,
        tenant_id: str,
        *,
        outlet_id: str,
        provider: str,
        callback_url: str,
        events: list[str],
        secret: str,
        now: datetime,
    ) -> Webhook:
        async with self.engine.begin() as conn:
            webhook_id = (
                await conn.execute(
                    sa.insert(webhooks)
                    .values(
                        tenant_id=tenant_id,
                        outlet_id=outlet_id,
                        provider=provider,
                        callback_url=callback_url,
                        events=msgspec.json.encode(events).decode(),
                        secret=secret,
                        is_active=True,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(webhooks.c.id)
                )
            ).scalar_one()
            row = (await conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id))).one()
        return _webhook(row)

    async def list_webhooks(self, tenant_id: str, outlet_id: str | None = None) -> list[Webhook]:
        query = sa.select(webhooks).where(webhooks.c.tenant_id == tenant_id, webhooks.c.deleted_at.is_(None))
        if outlet_id is not None:
            query = query.where(webhooks.c.outlet_id == outlet_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(webhooks.c.id))).all()
        return [_webhook(row) for row in rows]

    async def get_webhook(self, tenant_id: str, webhook_id: int) -> Webhook | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(webhooks).where(
                        webhooks.c.id == webhook_id,
                        webhooks.c.tenant_id == tenant_id,
                        webhooks.c.deleted_at.is_(None),
                    )
                )
            ).first()
        return None if row is None else _webhook(row)

    async def update_webhook(
        self, tenant_id: str, webhook_id: int, now: datetime, **changes: Any
    ) -> Webhook | None:
        values: dict[str, Any] = {"updated_at": now}
        for name, value in changes.items():
            if value is None:
                continue
            values[name] = msgspec.json.encode(value).decode() if name == "events" else value
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(webhooks)
                .where(
                    webhooks.c.id == webhook_id,
                    webhooks.c.tenant_id == tenant_id,
                    webhooks.c.deleted_at.is_(None),
                )
                .values(**values)
            )
            if result.rowcount == 0:
                return None
            row = (await conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id))).one()
        return _webhook(row)

    async def delete_webhook(self, tenant_id: str, webhook_id: int, now: datetime) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(webhooks)
                .where(
                    webhooks.c.id == webhook_id,
                    webhooks.c.tenant_id == tenant_id,
                    webhooks.c.deleted_at.is_(None),
                )
                .values(deleted_at=now, is_active=False, updated_at=now)
            )
            return bool(result.rowcount)

    # --- outlet providers ---------------------------------------------------------------------

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
        row = (
            await conn.execute(
                sa.select(outlet_providers).where(
                    outlet_providers.c.tenant_id == tenant_id, outlet_providers.c.outlet_id == outlet_id
                )
            )
        ).first()
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

    # --- orders and attempts --------------------------------------------------------------------

    async def active_webhook_for(
        self, conn: AsyncConnection, tenant_id: str, outlet_id: str, event: str
    ) -> Webhook | None:
        rows = (await conn.execute(_ACTIVE_WEBHOOKS, {"tenant_id": tenant_id, "outlet_id": outlet_id})).all()
        for row in rows:
            hook = _webhook(row)
            if event in hook.events:
                return hook
        return None

    async def insert_order(self, conn: AsyncConnection, order: StoredOrder) -> None:
        await conn.execute(
            _INSERT_ORDER,
            {
                "id": order.id,
                "tenant_id": order.tenant_id,
                "outlet_id": order.outlet_id,
                "event": order.event,
                "transformer": order.transformer,
                "route": order.route,
                "order_ref_no": order.order_ref_no,
                "body": order.body,
                "status": order.status,
                "reason": order.reason,
                "external_order_id": order.external_order_id,
                "created_at": order.created_at,
                "updated_at": order.updated_at,
            },
        )

    async def record_attempt(self, attempt: Attempt, *, tenant_id: str, status: str, now: datetime) -> None:
        """Store one attempt and the order's outcome together, so neither is ever seen without the other."""
        await self.transaction(self._record_attempt_in, attempt, tenant_id=tenant_id, status=status, now=now)
        self.attempts_recorded.notify()

    async def _record_attempt_in(
        self, conn: AsyncConnection, attempt: Attempt, *, tenant_id: str, status: str, now: datetime
    ) -> None:
        await conn.execute(
            _INSERT_ATTEMPT,
            {
                "id": attempt.id,
                "order_id": attempt.order_id,
                "tenant_id": tenant_id,
                "route": attempt.route,
                "started_at": attempt.started_at,
                "duration_ms": attempt.duration_ms,
                "request_method": attempt.request_method,
                "request_url": attempt.request_url,
                "request_headers": msgspec.json.encode(attempt.request_headers).decode(),
                "request_body": attempt.request_body,
                "response_status": attempt.response_status,
                "response_headers": msgspec.json.encode(attempt.response_headers).decode(),
                "response_body": attempt.response_body,
                "dispatched": attempt.dispatched,
                "reason": attempt.reason,
                "external_order_id": attempt.external_order_id,
            },
        )
        if attempt.dispatched:
            await self._mark_paid(conn, attempt, tenant_id=tenant_id, now=now)
        await conn.execute(
            _SET_OUTCOME,
            {
                "b_order_id": attempt.order_id,
                "b_status": status,
                "b_reason": attempt.reason,
                "b_external_order_id": attempt.external_order_id,
                "b_updated_at": now,
            },
        )
        # Last: on PostgreSQL it takes the feed's lock, held until this transaction commits.
        await attempt_feed.append(conn, attempt_id=attempt.id, tenant_id=tenant_id, postgres=self._postgres)

    async def set_order_outcome(self, order_id: str, *, status: str, reason: str, now: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(orders)
                .where(orders.c.id == order_id)
                .values(status=status, reason=reason, updated_at=now)
            )

    async def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(orders).where(orders.c.id == order_id, orders.c.tenant_id == tenant_id)
                )
            ).first()
        return None if row is None else _order(row)

    async def list_attempts(self, tenant_id: str, order_id: str) -> list[Attempt]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(delivery_attempts)
                    .where(
                        delivery_attempts.c.order_id == order_id, delivery_attempts.c.tenant_id == tenant_id
                    )
                    .order_by(delivery_attempts.c.started_at, delivery_attempts.c.id)
                )
            ).all()
        return [_attempt(row) for row in rows]

    async def list_orders(
        self,
        tenant_id: str,
        *,
        outlet_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[StoredOrder], int]:
        where = [orders.c.tenant_id == tenant_id]
        if outlet_id is not None:
            where.append(orders.c.outlet_id == outlet_id)
        if status is not None:
            where.append(orders.c.status == status)
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
        return [_order(row) for row in rows], int(total or 0)

    # --- fulfilment status (order lifecycle) -----------------------------------------------------

    async def _mark_paid(
        self, conn: AsyncConnection, attempt: Attempt, *, tenant_id: str, now: datetime
    ) -> None:
        """An order's first successful attempt makes it PAID, with the first history entry.

        Runs inside ``record_attempt``'s transaction. The conditional UPDATE takes the row lock first, so
        two attempts that dispatch at once add one PAID entry, not two; a redispatch leaves a status alone.
        """
        paid = (await conn.execute(_MARK_PAID, {"b_order_id": attempt.order_id})).first()
        if paid is None:
            return
        await conn.execute(
            _INSERT_HISTORY,
            {
                "order_id": attempt.order_id,
                "tenant_id": tenant_id,
                "version": paid.version,
                "status": FulfilmentStatus.PAID.value,
                "previous_status": None,
                "pos_order_id": attempt.external_order_id or None,
                "reason": None,
                "source": DISPATCH_SOURCE,
                "occurred_at": now,
                "recorded_at": now,
            },
        )

    async def update_fulfilment(
        self,
        tenant_id: str,
        order_id: str,
        decide: Callable[[str | None], str | None],
        change: StatusChange,
        *,
        now: datetime,
    ) -> FulfilmentUpdate:
        """Apply ``decide(current)`` to the order's fulfilment status with optimistic concurrency.

        ``decide`` returns the status to store, None for "already there" (nothing is written), or raises.
        The write is one transaction that starts with ``UPDATE ... WHERE version = <read version>`` and
        adds the history entry: a concurrent writer makes the UPDATE match no row, and the change is
        re-read and re-decided. Starting with the write matters on SQLite, where a transaction that
        read first and then writes can fail instead of waiting for the lock.
        """
        for _ in range(MAX_STATUS_RETRIES):
            async with self.engine.connect() as conn:
                row = (
                    await conn.execute(
                        sa.select(orders.c.fulfilment_status, orders.c.version).where(
                            orders.c.id == order_id, orders.c.tenant_id == tenant_id
                        )
                    )
                ).first()
                # End the read before writing: the write transaction must begin with the UPDATE.
                await conn.rollback()
                if row is None:
                    raise NotFound(f"order {order_id} not found")
                current: str | None = row.fulfilment_status
                target = decide(current)
                if target is None:
                    return FulfilmentUpdate(status=current, previous_status=current, entry=None)
                async with conn.begin():
                    moved = await conn.execute(
                        sa.update(orders)
                        .where(
                            orders.c.id == order_id,
                            orders.c.tenant_id == tenant_id,
                            orders.c.version == row.version,
                        )
                        .values(fulfilment_status=target, version=row.version + 1, updated_at=now)
                    )
                    if moved.rowcount == 1:
                        entry = StatusEntry(
                            version=row.version + 1,
                            status=target,
                            previous_status=current,
                            pos_order_id=change.pos_order_id,
                            reason=change.reason,
                            source=change.source,
                            # UTC: SQLite keeps the wall time and drops the offset.
                            occurred_at=(change.occurred_at or now).astimezone(UTC),
                            recorded_at=now,
                        )
                        await conn.execute(
                            sa.insert(order_status_history).values(
                                order_id=order_id,
                                tenant_id=tenant_id,
                                version=entry.version,
                                status=entry.status,
                                previous_status=entry.previous_status,
                                pos_order_id=entry.pos_order_id,
                                reason=entry.reason,
                                source=entry.source,
                                occurred_at=entry.occurred_at,
                                recorded_at=entry.recorded_at,
                            )
                        )
                        return FulfilmentUpdate(status=target, previous_status=current, entry=entry)
        raise Conflict(f"order {order_id} was changed concurrently too many times; try again")

    async def status_history(self, tenant_id: str, order_id: str) -> list[StatusEntry]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(order_status_history)
                    .where(
                        order_status_history.c.order_id == order_id,
                        order_status_history.c.tenant_id == tenant_id,
                    )
                    .order_by(order_status_history.c.version)
                )
            ).all()
        return [
            StatusEntry(
                version=row.version,
                status=row.status,
                previous_status=row.previous_status,
                pos_order_id=row.pos_order_id,
                reason=row.reason,
                source=row.source,
                occurred_at=aware(row.occurred_at),
                recorded_at=aware(row.recorded_at),
            )
            for row in rows
        ]

    async def find_order_by_external_id(
        self, tenant_id: str, transformer: str, external_order_id: str
    ) -> StoredOrder | None:
        """The newest order sent through ``transformer`` whose POS order id is ``external_order_id``."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(orders)
                    .where(
                        orders.c.tenant_id == tenant_id,
                        orders.c.external_order_id == external_order_id,
                        orders.c.transformer == transformer,
                    )
                    .order_by(orders.c.created_at.desc(), orders.c.id.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else _order(row)

    async def record_status_skip(self, tenant_id: str, order_id: str, skip: StatusSkip) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.insert(status_update_skips).values(
                    order_id=order_id,
                    tenant_id=tenant_id,
                    source=skip.source,
                    pos_order_id=skip.pos_order_id,
                    reason=skip.reason,
                    received_at=skip.received_at,
                )
            )

    async def status_skips(self, tenant_id: str, order_id: str) -> list[StatusSkip]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(status_update_skips)
                    .where(
                        status_update_skips.c.order_id == order_id,
                        status_update_skips.c.tenant_id == tenant_id,
                    )
                    .order_by(status_update_skips.c.id)
                )
            ).all()
        return [
            StatusSkip(
                source=row.source,
                pos_order_id=row.pos_order_id,
                reason=row.reason,
                received_at=aware(row.received_at),
            )
            for row in rows
        ]

    # --- idempotency keys of the dispatch endpoint -----------------------------------------------

    async def claim_idempotency_key(
        self,
        conn: AsyncConnection,
        tenant_id: str,
        *,
        key: str,
        fingerprint: str,
        order_id: str,
        now: datetime,
    ) -> None:
        """Claim ``key`` for ``order_id`` in the caller's transaction; IntegrityError when it is taken."""
        await conn.execute(
            sa.insert(idempotency_keys).values(
                tenant_id=tenant_id, key=key, fingerprint=fingerprint, order_id=order_id, created_at=now
            )
        )

    async def find_idempotency_key(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        """(order id, body fingerprint) of a claimed key, or None."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(idempotency_keys.c.order_id, idempotency_keys.c.fingerprint).where(
                        idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.key == key
                    )
                )
            ).first()
        return None if row is None else (row.order_id, row.fingerprint)

    async def first_outcome(self, tenant_id: str, order_id: str) -> tuple[bool, str, str] | None:
        """(dispatched, reason, externalOrderId) the order's dispatch first answered; None while pending.

        The first attempt when there is one (a later redispatch does not change what the first request
        answered); else the order itself (no route: failed without an attempt). The order is read first:
        its status and its first attempt are committed together, so once it is not pending the attempt
        is visible too.
        """
        async with self.engine.connect() as conn:
            order = (
                await conn.execute(
                    sa.select(orders.c.status, orders.c.reason).where(
                        orders.c.id == order_id, orders.c.tenant_id == tenant_id
                    )
                )
            ).first()
            if order is None or order.status == "pending":
                return None
            first = (
                await conn.execute(
                    sa.select(
                        delivery_attempts.c.dispatched,
                        delivery_attempts.c.reason,
                        delivery_attempts.c.external_order_id,
                    )
                    .where(
                        delivery_attempts.c.order_id == order_id, delivery_attempts.c.tenant_id == tenant_id
                    )
                    .order_by(delivery_attempts.c.started_at, delivery_attempts.c.id)
                    .limit(1)
                )
            ).first()
        if first is not None:
            return bool(first.dispatched), first.reason, first.external_order_id
        return False, order.reason, ""

    # --- hot-path transactions ------------------------------------------------------------------

    async def transaction(self, body: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """``await body(conn, *args, **kwargs)`` in one transaction, committed when it returns.

        On a SQLite file the body runs on the writer thread in one hop (cata_sandbox.sqlite_writer), so it
        may await only ``conn.execute``/``conn.scalar`` (and coroutines that do no more); elsewhere it runs
        in ``engine.begin()``.
        """
        if self._writer is not None:
            return await self._writer.transaction(lambda conn: body(conn, *args, **kwargs))
        async with self.engine.begin() as conn:
            return await body(conn, *args, **kwargs)

    async def aclose(self) -> None:
        """Let queued hot-path transactions finish and release the writer thread (idempotent)."""
        if self._writer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._writer.close)


# --- fulfilment records (order lifecycle) ---------------------------------------------------------

DISPATCH_SOURCE = "dispatch"
# Each failed try means another writer's change committed, so the order is making progress.
MAX_STATUS_RETRIES = 50


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What a status update says besides the status: where it came from and when it happened."""

    source: str
    pos_order_id: str | None = None
    reason: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One accepted fulfilment change; ``version`` is the order's version after it."""

    version: int
    status: str
    previous_status: str | None
    pos_order_id: str | None
    reason: str | None
    source: str
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class FulfilmentUpdate:
    """The outcome of a status update: ``entry`` is None when the order already had the status."""

    status: str | None
    previous_status: str | None
    entry: StatusEntry | None


@dataclass(frozen=True, slots=True)
class StatusSkip:
    """An inbound POS status webhook acknowledged without a change, and why."""

    source: str
    pos_order_id: str | None
    reason: str
    received_at: datetime
