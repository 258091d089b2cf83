"""The repository: every read and write of the service's tables, tenant-scoped, as small async calls.

One module per aggregate (``keys``, ``webhooks``, ``outlets``, ``connections``, ``orders``, ``fulfilment``,
``inspection``, ``idempotency``), each a part of :class:`Store`; ``records`` holds the values they return,
``tables`` the schema, ``db`` the engine, ``sqlite_writer`` the hot path's writer thread on SQLite.
"""

from __future__ import annotations

from cata_sandbox.store.connections import ConnectionStore
from cata_sandbox.store.fulfilment import DISPATCH_SOURCE, MAX_STATUS_RETRIES, FulfilmentStore
from cata_sandbox.store.idempotency import IdempotencyStore
from cata_sandbox.store.inspection import AttemptPoint, InspectionStore, OrderQuery
from cata_sandbox.store.keys import KeyStore, hash_key, new_api_key
from cata_sandbox.store.orders import OrderStore
from cata_sandbox.store.outlets import OutletStore
from cata_sandbox.store.records import (
    ApiKey,
    Attempt,
    FulfilmentUpdate,
    OrderStatus,
    OutletProvider,
    ProviderConnection,
    StatusChange,
    StatusEntry,
    StatusSkip,
    StoredOrder,
    Webhook,
    aware,
)
from cata_sandbox.store.webhooks import WebhookStore, new_webhook_secret


class Store(
    KeyStore,
    WebhookStore,
    OutletStore,
    ConnectionStore,
    OrderStore,
    FulfilmentStore,
    IdempotencyStore,
    InspectionStore,
):
    """Tenant-scoped access to the tables. Every method takes the tenant it acts for."""


__all__ = [
    "DISPATCH_SOURCE",
    "MAX_STATUS_RETRIES",
    "ApiKey",
    "Attempt",
    "AttemptPoint",
    "FulfilmentUpdate",
    "OrderQuery",
    "OrderStatus",
    "OutletProvider",
    "ProviderConnection",
    "StatusChange",
    "StatusEntry",
    "StatusSkip",
    "Store",
    "StoredOrder",
    "Webhook",
    "aware",
    "hash_key",
    "new_api_key",
    "new_webhook_secret",
]
