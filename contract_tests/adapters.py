"""POS mocks the contract suite can drive: one adapter per transformer slug that has a mock in mock_pos.

Adding a POS is a transformer (registered under its slug), a mock of the POS in mock_pos, and an entry in
:data:`ADAPTERS`: the transformer contract and the Path 2 failure reasons then run against it. An adapter
knows how to point an outlet at the mock, what the mock's catalogue allows, how to keep a fault to one
scenario, and how to read an accepted order back as a :class:`PosOrder` — the POS's view of the items,
quantities, prices, modifiers and totals, with every amount an exact ``Decimal``, and what the service
must answer under each fault. Revel here; Lightspeed and Atlas, whose scripts read a 2xx answer
themselves, in :mod:`contract_tests.adapters_scripted`.
"""

from __future__ import annotations

from typing import Any, Protocol

from contract_tests.adapters_scripted import AtlasAdapter, LightspeedAdapter
from contract_tests.pos_orders import PosItem, PosModifier, PosOrder, _decimal, cata_view
from contract_tests.script_readers import Want
from contract_tests.seed import expected
from contract_tests.strategies import Catalogue, OrderShape, Product
from contract_tests.targets import Scenario
from mock_pos.catalogue import default_revel_config

__all__ = [
    "ADAPTERS",
    "PosAdapter",
    "PosItem",
    "PosModifier",
    "PosOrder",
    "RevelAdapter",
    "cata_view",
    "registered_slugs",
    "with_mock",
]


class PosAdapter(Protocol):
    slug: str
    # The mock_pos journal / fault target of the mock.
    target: str
    # The auth the POS's API documents, as the mock's credentials make it: sent exactly, once.
    auth_headers: dict[str, str]
    # True: only the properties that take the adapter's own expectation and order shape (3 and 5) run
    # on it, because its script reads the answers (Lightspeed's interpret) or its POS takes only orders
    # of its own shape (Atlas: whole cents). False: every Path 2 property, with any Cata order.
    reads_answers: bool

    def order_shape(self, catalogue: Catalogue, **knobs: Any) -> OrderShape:
        """The orders this POS can take: ``knobs`` of :class:`OrderShape`, within the POS's limits."""

    def prepare(self, order: dict[str, Any]) -> dict[str, Any]:
        """A drawn order made acceptable where the POS is stricter than the Cata schema (documented)."""

    def connect(self, scenario: Scenario) -> None:
        """Map the scenario's outlet to the mock (per-outlet settings through the service's API)."""

    def catalogue(self, scenario: Scenario) -> Catalogue:
        """The products (and their modifiers) the mock accepts."""

    def fault_match(self, scenario: Scenario) -> dict[str, Any]:
        """A fault ``match`` that only the scenario's orders hit (their ``orderRefNo`` is the scenario's)."""

    def expected(self, fault: dict[str, Any], budget_s: float) -> Want:
        """Property 3: the dispatch answer while the mock has ``fault`` (the seed's, as the POS is read)."""

    def accepted(self, scenario: Scenario, answer: dict[str, Any]) -> dict[str, Any] | None:
        """The mock's record of the order the dispatch ``answer`` says it accepted."""

    def want(self, order: dict[str, Any], answer: dict[str, Any]) -> PosOrder:
        """What the POS must hold for ``order`` (dispatched with ``answer``)."""

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> PosOrder:
        """The accepted order as the POS holds it (``order``: the Cata order, to split mixed lists)."""


class RevelAdapter:
    """Mock Revel (``/revel`` on mock_pos): Weborder cart submit, establishment 1 of the default catalogue."""

    slug = "revel"
    target = "revel"
    # adapters/scripts/revel/order_dispatch.js: prices are JS numbers (see cata_view).
    js_numbers = True
    establishment_id = 1
    # pos-apis.md §1: ``API-AUTHENTICATION: key:secret`` (mock Revel's default credentials below).
    auth_headers = {"API-AUTHENTICATION": "sandbox-key:sandbox-secret"}
    reads_answers = False

    def order_shape(self, catalogue: Catalogue, **knobs: Any) -> OrderShape:
        return OrderShape(catalogue=catalogue, **knobs)

    def prepare(self, order: dict[str, Any]) -> dict[str, Any]:
        return order

    def expected(self, fault: dict[str, Any], budget_s: float) -> Want:
        return expected(self.slug, fault, budget_s, None)

    def connect(self, scenario: Scenario, base_url: str | None = None) -> None:
        """``base_url`` reaches mock_pos elsewhere (one of its HTTPS sites)."""
        scenario.outlet_provider(
            self.slug,
            {
                "baseUrl": f"{base_url or scenario.target.mock_url}/revel",
                # mock Revel's default credentials, from the mock itself
                "apiKey": default_revel_config().api_key,
                "apiSecret": default_revel_config().api_secret,
                "establishmentId": self.establishment_id,
                "diningOptionIds": {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 0},
            },
        )

    def catalogue(self, scenario: Scenario) -> Catalogue:
        config = scenario.mock_admin("revel")
        [establishment] = [e for e in config["establishments"] if e["id"] == self.establishment_id]
        return Catalogue(
            tuple(
                Product(plu=str(p["id"]), name=p["name"], modifiers=tuple(str(m) for m in p["modifiers"]))
                for p in establishment["products"]
            )
        )

    def fault_match(self, scenario: Scenario) -> dict[str, Any]:
        return {"orderRefNo": scenario.order_ref}

    def accepted(self, scenario: Scenario, answer: dict[str, Any]) -> dict[str, Any] | None:
        held = scenario.mock_admin("revel/orders")
        found = [o for o in held if str(o["orderId"]) == answer["externalOrderId"]]
        assert len(found) <= 1, found
        return found[0] if found else None

    def want(self, order: dict[str, Any], answer: dict[str, Any]) -> PosOrder:
        return cata_view(order, js_numbers=self.js_numbers)

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> PosOrder:
        body = record["body"]

        def item(entry: dict[str, Any]) -> PosItem:
            sets = entry.get("products_sets") or []
            combo = tuple(item(product) for products_set in sets for product in products_set["products"])
            assert bool(entry.get("is_combo")) == bool(combo), entry
            return PosItem(
                product=str(entry["product"]),
                quantity=entry["quantity"],
                price=_decimal(entry["price"]),
                modifiers=tuple(
                    PosModifier(str(m["modifier"]), m["qty"], _decimal(m["modifier_price"]))
                    for m in entry.get("modifieritems", [])
                ),
                combo=combo,
            )

        return PosOrder(
            reference=body["orderInfo"]["call_name"],
            items=tuple(item(entry) for entry in body["items"]),
            total=_decimal(body["paymentInfo"]["amount"]),
            tip=_decimal(body["paymentInfo"]["tip"]),
        )


ADAPTERS: dict[str, PosAdapter] = {
    adapter.slug: adapter for adapter in (RevelAdapter(), LightspeedAdapter(), AtlasAdapter())
}


def registered_slugs() -> list[str]:
    """The ``builtInTransformer`` slugs the service knows: its dispatch scripts and the Python plugins."""
    from cata_sandbox.adapters import load_catalog
    from cata_sandbox.transformers import TransformerRegistry

    scripted = load_catalog().providers("order_dispatch")
    return sorted({*scripted, *TransformerRegistry.discover().slugs()})


def with_mock(*, scripted: bool = False) -> list[str]:
    """The registered transformer slugs that have a mock here: the Path 2 targets of the properties.

    Without ``scripted``, only those whose answers the seed's rules read (no ``interpret`` of their
    own): the properties that assert the seed's wording on Path 2 run on these. Properties 3 and 5
    pass ``scripted=True`` and take each adapter's expectation (``expected``, ``want``)."""
    registered = registered_slugs()
    return sorted(
        slug
        for slug, adapter in ADAPTERS.items()
        if slug in registered and (scripted or not adapter.reads_answers)
    )
