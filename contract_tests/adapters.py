"""POS mocks the contract suite can drive: one adapter per transformer slug that has a mock in mock_pos.

Adding a POS is a transformer (registered under its slug), a mock of the POS in mock_pos, and an entry in
:data:`ADAPTERS`: the transformer contract and the Path 2 failure reasons then run against it. An adapter
knows how to point an outlet at the mock, what the mock's catalogue allows, how to keep a fault to one
scenario, and how to read an accepted order back as a :class:`PosOrder` — the POS's view of the items,
quantities, prices, modifiers and totals, with every amount an exact ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from contract_tests.strategies import Catalogue, Product
from contract_tests.targets import Scenario
from mock_pos.catalogue import default_revel_config


@dataclass(frozen=True, slots=True)
class PosModifier:
    product: str
    quantity: int
    price: Decimal


@dataclass(frozen=True, slots=True)
class PosItem:
    product: str
    quantity: int
    price: Decimal
    modifiers: tuple[PosModifier, ...]
    combo: tuple[PosItem, ...]


@dataclass(frozen=True, slots=True)
class PosOrder:
    """An order as a POS holds it; compared field by field with the Cata order it came from."""

    reference: str
    items: tuple[PosItem, ...]
    total: Decimal
    tip: Decimal


def _decimal(value: Any) -> Decimal:
    """An amount from the mock's exact view (decimal text as a string, integers as ints)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise AssertionError(f"not an amount: {value!r}")
    return Decimal(value)


def cata_view(order: dict[str, Any], *, js_numbers: bool = False) -> PosOrder:
    """What a POS must end up holding for ``order`` (defaults from the Cata Order JSON v1 schema).

    ``js_numbers``: the transformer is a JavaScript script, which gets each price as the double
    ``JSON.parse`` makes of its text (as in production), so the POS must hold exactly that double's
    value: ``1099511627776.0001`` is ``1099511627776``. Any other change (a rounding) still differs."""

    def price(value: Any) -> Decimal:
        return Decimal(repr(float(value))) if js_numbers else Decimal(value)

    def item(entry: dict[str, Any]) -> PosItem:
        return PosItem(
            product=entry["plu"],
            quantity=entry["quantity"],
            price=price(entry["unitPrice"]),
            modifiers=tuple(
                PosModifier(m["plu"], m.get("quantity", 1), price(m.get("unitPrice", Decimal(0))))
                for m in entry.get("modifiers", [])
            ),
            combo=tuple(item(combo) for combo in entry.get("comboItems", [])),
        )

    return PosOrder(
        reference=order["orderRefNo"],
        items=tuple(item(entry) for entry in order["items"]),
        total=price(order["totalPay"]),
        tip=price(order.get("tip", Decimal(0))),
    )


class PosAdapter(Protocol):
    slug: str
    # The mock_pos journal / fault target of the mock.
    target: str
    # The auth the POS's API documents, as the mock's credentials make it: sent exactly, once.
    auth_headers: dict[str, str]

    def connect(self, scenario: Scenario) -> None:
        """Map the scenario's outlet to the mock (per-outlet settings through the service's API)."""

    def catalogue(self, scenario: Scenario) -> Catalogue:
        """The products (and their modifiers) the mock accepts."""

    def fault_match(self, scenario: Scenario) -> dict[str, Any]:
        """A fault ``match`` that only the scenario's orders hit (their ``orderRefNo`` is the scenario's)."""

    def accepted(self, scenario: Scenario, external_order_id: str) -> dict[str, Any] | None:
        """The mock's record of the order it accepted under ``external_order_id``."""

    def pos_view(self, record: dict[str, Any]) -> PosOrder:
        """The accepted order as the POS holds it."""


class RevelAdapter:
    """Mock Revel (``/revel`` on mock_pos): Weborder cart submit, establishment 1 of the default catalogue."""

    slug = "revel"
    target = "revel"
    # adapters/scripts/revel/order_dispatch.js: prices are JS numbers (see cata_view).
    js_numbers = True
    establishment_id = 1
    # pos-apis.md §1: ``API-AUTHENTICATION: key:secret`` (mock Revel's default credentials below).
    auth_headers = {"API-AUTHENTICATION": "sandbox-key:sandbox-secret"}

    def connect(self, scenario: Scenario) -> None:
        scenario.outlet_provider(
            self.slug,
            {
                "baseUrl": f"{scenario.target.mock_url}/revel",
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

    def accepted(self, scenario: Scenario, external_order_id: str) -> dict[str, Any] | None:
        found = [o for o in scenario.mock_admin("revel/orders") if str(o["orderId"]) == external_order_id]
        assert len(found) <= 1, found
        return found[0] if found else None

    def pos_view(self, record: dict[str, Any]) -> PosOrder:
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


ADAPTERS: dict[str, PosAdapter] = {adapter.slug: adapter for adapter in (RevelAdapter(),)}


def registered_slugs() -> list[str]:
    """The ``builtInTransformer`` slugs the service knows: its dispatch scripts and the Python plugins."""
    from cata_sandbox.adapters import load_catalog
    from cata_sandbox.transformers import TransformerRegistry

    scripted = load_catalog().providers("order_dispatch")
    return sorted({*scripted, *TransformerRegistry.discover().slugs()})


def with_mock() -> list[str]:
    """The registered transformer slugs that have a mock here: the Path 2 targets of the properties."""
    return sorted(slug for slug in registered_slugs() if slug in ADAPTERS)
