"""Mock Revel's configuration: credentials, establishments and their product catalogues.

The same Structs decode ``PUT /__admin/revel`` and hold the live configuration. Prices are
``Decimal`` so a configured ``5.50`` stays ``5.50``.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec


class Product(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A product; ``modifiers`` lists the product ids allowed as its modifiers."""

    id: int
    name: str
    price: Decimal
    modifiers: list[int] = []


class Establishment(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One Revel establishment (a store) and its catalogue."""

    id: int
    products: list[Product]


class RevelConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """Everything mock Revel is configured with."""

    api_key: str
    api_secret: str
    establishments: list[Establishment]
    strict_content_type: bool = True
    webhook_url: str | None = None


class CatalogueError(ValueError):
    """A configuration that decodes but does not make a usable catalogue."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{message} - at `$.{field}`")
        self.field = field


def check_catalogue(config: RevelConfig) -> None:
    """Ids are unique and every modifier is a product of the same establishment."""
    seen_establishments: set[int] = set()
    for e_index, establishment in enumerate(config.establishments):
        where = f"establishments[{e_index}]"
        if establishment.id in seen_establishments:
            raise CatalogueError(f"{where}.id", f"duplicate establishment id {establishment.id}")
        seen_establishments.add(establishment.id)
        product_ids = [product.id for product in establishment.products]
        for p_index, product in enumerate(establishment.products):
            if product_ids.count(product.id) > 1:
                raise CatalogueError(f"{where}.products[{p_index}].id", f"duplicate product id {product.id}")
            for modifier in product.modifiers:
                if modifier not in product_ids:
                    raise CatalogueError(
                        f"{where}.products[{p_index}].modifiers",
                        f"modifier {modifier} is not a product of establishment {establishment.id}",
                    )


def _product(pid: int, name: str, price: str, modifiers: list[int] | None = None) -> Product:
    return Product(id=pid, name=name, price=Decimal(price), modifiers=modifiers or [])


def default_revel_config() -> RevelConfig:
    """The catalogue mock Revel serves until ``PUT /__admin/revel`` replaces it (listed in the README)."""
    return RevelConfig(
        api_key="sandbox-key",
        api_secret="sandbox-secret",
        establishments=[
            Establishment(
                id=1,
                products=[
                    _product(101, "Margherita Pizza", "12.50", [201, 202, 203]),
                    _product(102, "Caesar Salad", "8.75", [203, 204]),
                    _product(103, "Iced Tea", "3.20"),
                    _product(104, "Lunch Combo", "15.00"),
                    _product(105, "Chocolate Cake", "5.50"),
                    _product(106, "Flat White", "4.10", [205]),
                    _product(201, "Extra Cheese", "1.50"),
                    _product(202, "Mushrooms", "1.25"),
                    _product(203, "Bacon", "2.00"),
                    _product(204, "Grilled Chicken", "3.75"),
                    _product(205, "Oat Milk", "0.60"),
                ],
            ),
            Establishment(
                id=2,
                products=[
                    _product(301, "Pad Thai", "13.90", [302]),
                    _product(302, "Extra Peanuts", "0.80"),
                ],
            ),
        ],
    )
