"""Mock Lightspeed K-Series configuration: OAuth client, token lifetime, businesses and their catalogues.

The same Structs decode ``PUT /__admin/lightspeed`` and hold the live configuration. Prices are
``Decimal`` in major units, the way Lightspeed writes money, so a configured ``4.50`` stays ``4.50``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from mock_pos.catalogue import CatalogueError

Seconds = Annotated[float, msgspec.Meta(ge=0, le=86400)]


class LightspeedItem(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A sellable item of a business location, matched by ``sku`` (at most 25 characters)."""

    sku: Annotated[str, msgspec.Meta(min_length=1, max_length=25)]
    name: str
    price: Decimal


class BusinessLocation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """One business location: its catalogue and the production instructions (modifier ids) it knows."""

    id: int
    name: str
    items: list[LightspeedItem]
    modifier_ids: list[str] = []


class Business(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """A Lightspeed business with its locations."""

    id: int
    name: str
    locations: list[BusinessLocation]


class LightspeedConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """Everything mock Lightspeed is configured with."""

    client_id: str
    client_secret: str
    businesses: list[Business]
    token_lifetime_seconds: Seconds = 3600.0
    notification_delay_seconds: Seconds = 0.2
    check_payment_total: bool = True


def check_lightspeed_config(config: LightspeedConfig) -> None:
    """Location ids are unique across businesses and SKUs unique within a location."""
    seen: set[int] = set()
    for b_index, business in enumerate(config.businesses):
        for l_index, location in enumerate(business.locations):
            where = f"businesses[{b_index}].locations[{l_index}]"
            if location.id in seen:
                raise CatalogueError(f"{where}.id", f"duplicate business location id {location.id}")
            seen.add(location.id)
            skus: set[str] = set()
            for i_index, item in enumerate(location.items):
                if item.sku in skus:
                    raise CatalogueError(f"{where}.items[{i_index}].sku", f"duplicate sku {item.sku!r}")
                skus.add(item.sku)


def _item(sku: str, name: str, price: str) -> LightspeedItem:
    return LightspeedItem(sku=sku, name=name, price=Decimal(price))


def default_lightspeed_config() -> LightspeedConfig:
    """The configuration mock Lightspeed serves until ``PUT /__admin/lightspeed`` replaces it (README)."""
    return LightspeedConfig(
        client_id="sandbox-client",
        client_secret="sandbox-client-secret",
        businesses=[
            Business(
                id=45454565682100,
                name="Sandbox Bistro",
                locations=[
                    BusinessLocation(
                        id=45454565682155,
                        name="Sandbox Bistro Downtown",
                        items=[
                            _item("BURGER-01", "Classic Burger", "11.50"),
                            _item("FRIES-01", "Fries", "3.25"),
                            _item("COLA-01", "Cola", "2.80"),
                            _item("MENU-01", "Burger Menu", "14.90"),
                            _item("CHEESE-01", "Extra Cheese", "1.10"),
                            _item("SALAD-01", "Garden Salad", "7.45"),
                        ],
                        modifier_ids=["236025632784492", "236025632784493", "236025632784494"],
                    )
                ],
            )
        ],
    )
