"""The in-memory state of one mock_pos app: journal, faults, receivers, and each mocked POS's store.

Everything is created per app by ``create_mock_pos`` and mutated only from that app's event loop, so
plain containers are enough. Ids (journal seq, fault ids, order ids, external order ids) never repeat
within one app, even across ``POST /__admin/reset``, the way a real counterparty never reuses an id.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from mock_pos.atlas_state import AtlasStore
from mock_pos.catalogue import Product, RevelConfig, default_revel_config
from mock_pos.faults import FaultSpec, RequestFacts, matches
from mock_pos.lightspeed_state import LightspeedStore
from mock_pos.outbound import Outbound

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: the current time in UTC."""
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """``2024-05-01T12:00:00.123456Z``: UTC with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- journal ------------------------------------------------------------------------------------


@dataclass(slots=True)
class JournalEntry:
    """One request received by a mocked counterparty, and how it was answered (filled in as it happens)."""

    seq: int
    target: str
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    received_at: datetime
    signature_valid: bool | None = None
    fault: str | None = None
    fault_id: int | None = None
    response_status: int | None = None
    probe: dict[str, Any] | None = None
    directive_error: str | None = None

    def view(self) -> dict[str, Any]:
        """The JSON shape served by ``GET /__admin/journal``."""
        shown: dict[str, Any] = {
            "seq": self.seq,
            "target": self.target,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": [[name, value] for name, value in self.headers],
            "bodyBase64": base64.b64encode(self.body).decode("ascii"),
            "receivedAt": rfc3339(self.received_at),
            "signatureValid": self.signature_valid,
            "fault": self.fault,
            "faultId": self.fault_id,
            "responseStatus": self.response_status,
        }
        if self.probe is not None:
            shown["probe"] = self.probe
        if self.directive_error is not None:
            shown["directiveError"] = self.directive_error
        return shown


class Journal:
    """Every request to receivers and mock Revel, in arrival order."""

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []
        self._seq = itertools.count(1)

    def record(
        self,
        *,
        target: str,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        received_at: datetime,
    ) -> JournalEntry:
        """Append a new entry and return it, so the handler can fill in how it answered."""
        entry = JournalEntry(next(self._seq), target, method, path, query, headers, body, received_at)
        self._entries.append(entry)
        return entry

    def entries(self, target: str | None = None) -> list[JournalEntry]:
        """All entries, or those of one target."""
        return [entry for entry in self._entries if target is None or entry.target == target]

    def clear(self) -> None:
        """Forget every entry (seq keeps counting)."""
        self._entries.clear()


# --- faults -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ActiveFault:
    """A fault set through the admin API, with how many more requests it may affect (None: unlimited)."""

    id: int
    spec: FaultSpec
    remaining: int | None

    def view(self) -> dict[str, Any]:
        """The JSON shape served by the faults admin API: the spec as given plus ``id`` and ``remaining``."""
        shown: dict[str, Any] = {"id": self.id}
        shown.update(msgspec.to_builtins(self.spec))
        shown["remaining"] = self.remaining
        return shown


class FaultBook:
    """Admin faults in creation order; the first matching one with requests left applies."""

    def __init__(self) -> None:
        self._faults: list[ActiveFault] = []
        self._ids = itertools.count(1)

    def add(self, spec: FaultSpec) -> ActiveFault:
        """Activate a fault."""
        fault = ActiveFault(next(self._ids), spec, spec.times)
        self._faults.append(fault)
        return fault

    def __iter__(self) -> Iterator[ActiveFault]:
        return iter(list(self._faults))

    def remove(self, fault_id: int) -> bool:
        """Remove one fault; False if there is none with that id."""
        before = len(self._faults)
        self._faults = [fault for fault in self._faults if fault.id != fault_id]
        return len(self._faults) != before

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    def take(self, facts: RequestFacts) -> ActiveFault | None:
        """The fault that applies to this request, its count already decremented."""
        for fault in self._faults:
            if fault.remaining != 0 and matches(fault.spec, facts):
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None


# --- receivers ----------------------------------------------------------------------------------


class ProbeConfig(msgspec.Struct, forbid_unknown_fields=True):
    """A GET the receiver makes before answering, to observe the sender's state mid-delivery."""

    url: str
    headers: dict[str, str] = {}


class ReceiverConfig(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """How one webhook receiver behaves; ``secret=None`` accepts any signature."""

    secret: str | None = None
    probe: ProbeConfig | None = None


class ReceiverRegistry:
    """Configured receivers and each receiver's external-order-id counter."""

    def __init__(self) -> None:
        self._configs: dict[str, ReceiverConfig] = {}
        self._issued: dict[str, int] = {}
        self._orders: dict[tuple[str, str], str] = {}

    def configure(self, name: str, config: ReceiverConfig) -> None:
        """Set (or replace) a receiver's configuration."""
        self._configs[name] = config

    def get(self, name: str) -> ReceiverConfig | None:
        """A receiver's configuration, None if it was never configured."""
        return self._configs.get(name)

    def views(self) -> list[dict[str, Any]]:
        """Configured receivers, for ``GET /__admin/receivers``."""
        return [
            {"name": name, **msgspec.to_builtins(config), "issued": self._issued.get(name, 0)}
            for name, config in self._configs.items()
        ]

    def external_id(self, name: str, order_ref: str | None) -> str:
        """``<name>-<n>``, n counting the orders a receiver accepted. A correct receiver dedupes: the same
        ``orderRefNo`` delivered again (a duplicate or a replay) gets the id it got the first time."""
        if order_ref is not None and (name, order_ref) in self._orders:
            return self._orders[(name, order_ref)]
        issued = self._issued.get(name, 0) + 1
        self._issued[name] = issued
        external = f"{name}-{issued}"
        if order_ref is not None:
            self._orders[(name, order_ref)] = external
        return external

    def clear(self) -> None:
        """Forget configurations and accepted orders (counters keep counting, so ids never repeat)."""
        self._configs.clear()
        self._orders.clear()


# --- revel --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevelOrder:
    """An order mock Revel accepted; ``body`` is parsed with every decimal as ``Decimal``."""

    order_id: int
    establishment_id: int
    body: Any
    exact_body: Any
    received_at: datetime

    def view(self) -> dict[str, Any]:
        """The JSON shape of ``GET /__admin/revel/orders``; decimals appear as strings of their exact text."""
        return {
            "orderId": self.order_id,
            "establishmentId": self.establishment_id,
            "body": self.exact_body,
            "receivedAt": rfc3339(self.received_at),
        }


class RevelStore:
    """Mock Revel's configuration (with a lookup index) and the orders it accepted."""

    FIRST_ORDER_ID = 10001

    def __init__(self) -> None:
        self._order_ids = itertools.count(self.FIRST_ORDER_ID)
        self.orders: list[RevelOrder] = []
        self.configure(default_revel_config())

    def configure(self, config: RevelConfig) -> None:
        """Replace the configuration (orders already accepted stay)."""
        self.config = config
        self._products = {
            establishment.id: {product.id: product for product in establishment.products}
            for establishment in config.establishments
        }

    def products_of(self, establishment_id: int) -> dict[int, Product] | None:
        """An establishment's products by id, None if there is no such establishment."""
        return self._products.get(establishment_id)

    def accept(
        self, *, establishment_id: int, body: Any, exact_body: Any, received_at: datetime
    ) -> RevelOrder:
        """Keep an accepted order under a new order id."""
        order = RevelOrder(next(self._order_ids), establishment_id, body, exact_body, received_at)
        self.orders.append(order)
        return order

    def find(self, order_id: int) -> RevelOrder | None:
        """An accepted order by id."""
        return next((order for order in self.orders if order.order_id == order_id), None)

    def reset(self) -> None:
        """Back to the default catalogue with no orders (order ids keep counting)."""
        self.orders.clear()
        self.configure(default_revel_config())


# --- the whole ----------------------------------------------------------------------------------


@dataclass
class MockPosState:
    """All state of one mock_pos app, plus its clock and outbound-HTTP seam."""

    clock: Clock = utc_now
    outbound: Outbound = field(default_factory=Outbound)
    journal: Journal = field(default_factory=Journal)
    faults: FaultBook = field(default_factory=FaultBook)
    receivers: ReceiverRegistry = field(default_factory=ReceiverRegistry)
    revel: RevelStore = field(default_factory=RevelStore)
    lightspeed: LightspeedStore = field(default_factory=LightspeedStore)
    atlas: AtlasStore = field(default_factory=AtlasStore)
    # The HTTPS sites (`mock-pos serve --tls`): the CA file and each site's URL; None without --tls.
    tls: dict[str, Any] | None = None

    def reset(self) -> None:
        """``POST /__admin/reset``: no faults, journal or receivers; every mocked POS back to its defaults."""
        self.faults.clear()
        self.journal.clear()
        self.receivers.clear()
        self.revel.reset()
        self.lightspeed.reset()
        self.atlas.reset()
