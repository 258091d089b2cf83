"""The common view of an order (the Cata order's and a mock's copy) and the base of a mock profile.

A profile knows the mock's side only: the credentials and outlet settings that reach it, the products its
catalogue accepts (so generated orders can be accepted at all), and how to turn the mock's copy of an
order, and the Cata order, into one common :data:`View` that :mod:`.compare` walks field by field.
The views follow each POS's documented mapping (the header of the shipped script), not the script.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from contract_tests.strategies import OrderShape
from mock_pos.client import MockAdmin

__all__ = ["MockProfile", "View", "cata_view", "split_subs", "text"]

# {"reference", "items": [{"product", "quantity", "price", "modifiers": [...], "combo": [...]}],
#  "total", "tip", "customer"}: amounts are Decimal (major units), products and texts are str.
View = dict[str, Any]


@dataclass
class MockProfile:
    """One mock: its fault target, the script input that reaches it, and both views of an order."""

    slug: str
    target: str
    shape: OrderShape
    settings: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, Any] = field(default_factory=dict)

    def connect(self, admin: MockAdmin, url: str) -> dict[str, Any]:
        """Set the mock up (after a reset) and return the script input without ``payload``."""
        return {
            "providerSlug": self.slug,
            "baseUrl": f"{url}/{self.slug}",
            "webhookUrl": "",
            "config": {},
            **self.credentials,
            "outlet": {"settings": self.settings, "refCode": f"KIT-{self.slug.upper()}"},
        }

    def prepare(self, order: dict[str, Any]) -> dict[str, Any]:
        """A generated order made acceptable to the mock's own checks (its arithmetic is not tested)."""
        return order

    def held(self, admin: MockAdmin) -> list[dict[str, Any]]:
        """Every order the mock holds, oldest first."""
        raise NotImplementedError

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> View:
        raise NotImplementedError

    def cata_view(self, order: dict[str, Any], order_id: str) -> View:
        """What the POS must hold for ``order`` dispatched as Cata order ``order_id`` (``input.orderId``)."""
        raise NotImplementedError

    def product(self, plu: str) -> str:
        return plu


def _line(profile: MockProfile, line: dict[str, Any], *, item: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "product": profile.product(str(line["plu"])),
        "quantity": line.get("quantity", 1),
        "price": Decimal(line.get("unitPrice", 0)),
    }
    if item:
        out["modifiers"] = [_line(profile, m, item=False) for m in line.get("modifiers", [])]
        out["combo"] = [_line(profile, c, item=True) for c in line.get("comboItems", [])]
    return out


def cata_view(profile: MockProfile, order: dict[str, Any], customer: Any, tip: bool = True) -> View:
    return {
        "reference": order["orderRefNo"],
        "items": [_line(profile, item, item=True) for item in order["items"]],
        "total": Decimal(order["totalPay"]),
        "tip": Decimal(order.get("tip", 0)) if tip else None,
        "customer": customer,
    }


def text(value: Any, default: str = "") -> str:
    return default if value is None or value == "" else str(value)


def split_subs(
    line: Callable[..., dict[str, Any]], subs: list[dict[str, Any]], cata: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One sub-item list as the documented order has it: the Cata modifiers first, then the combo items
    (matched to the Cata combo items they came from, so their own modifiers split the same way)."""
    count = len(cata.get("modifiers", []))
    combos = cata.get("comboItems", [])
    modifiers = [line(s, {}, item=False) for s in subs[:count]]
    combo = [line(s, c, item=True) for s, c in zip(subs[count:], combos, strict=False)]
    combo += [line(s, {}, item=True) for s in subs[count + len(combos) :]]
    return modifiers, combo
