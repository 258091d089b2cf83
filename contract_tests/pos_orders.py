"""A POS's view of an order and the Cata order's: what property 5 compares, every amount an exact ``Decimal``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


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
    # None: the POS holds no tip of its own (Atlas: the tip is inside the total).
    tip: Decimal | None


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
