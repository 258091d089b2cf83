"""Realistic paid orders for the sandbox: valid Cata Order JSON (v1), reproducible from a seed.

Every ``plu`` is a product id of mock Revel's default catalogue (``mock_pos/catalogue.py``, establishment
1), and every modifier is one that product allows, so the same orders go through the webhook path and
through ``builtInTransformer: "revel"``. Money is built from ``Decimal`` and encoded as JSON numbers with
their exact text (``12.50`` stays ``12.50``). Order ``index`` of seed ``s`` is the same order whatever the
batch size: each order draws from its own generator, seeded from ``(s, index)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import msgspec
from faker import Faker

CURRENCY = "SGD"
OUTLET_TZ = timezone(timedelta(hours=8))
CENT = Decimal("0.01")
GST = Decimal("0.09")
SERVICE_CHARGE = Decimal("0.10")
DELIVERY_FEE = Decimal("3.50")

# Faker locales a Singapore outlet's customers plausibly come from; non-ASCII names included on purpose.
LOCALES = ("en_US", "en_GB", "en_AU", "en_IN", "zh_CN", "ja_JP", "fr_FR", "de_DE")
COUNTRY = {
    "en_US": "US",
    "en_GB": "GB",
    "en_AU": "AU",
    "en_IN": "IN",
    "zh_CN": "CN",
    "ja_JP": "JP",
    "fr_FR": "FR",
    "de_DE": "DE",
}
ITEM_NOTES = ("no onion", "extra hot", "less ice", "sauce on the side", "cut in half", "no nuts please")
ORDER_NOTES = ("Please ring the bell", "Leave at the door", "Cutlery please", "Birthday order!")
PAYMENT_METHODS = ("card", "paynow", "apple_pay", "google_pay", "grabpay")

_ENCODER = msgspec.json.Encoder(decimal_format="number")


@dataclass(frozen=True, slots=True)
class MenuModifier:
    plu: str
    name: str
    group: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class MenuItem:
    plu: str
    name: str
    price: Decimal
    modifiers: tuple[MenuModifier, ...] = ()


def _money(text: str) -> Decimal:
    return Decimal(text)


_EXTRA_CHEESE = MenuModifier("201", "Extra Cheese", "Toppings", _money("1.50"))
_MUSHROOMS = MenuModifier("202", "Mushrooms", "Toppings", _money("1.25"))
_BACON = MenuModifier("203", "Bacon", "Add-ons", _money("2.00"))
_CHICKEN = MenuModifier("204", "Grilled Chicken", "Add-ons", _money("3.75"))
_OAT_MILK = MenuModifier("205", "Oat Milk", "Milk", _money("0.60"))

MARGHERITA = MenuItem(
    "101",
    "Margherita Pizza",
    _money("12.50"),
    (_EXTRA_CHEESE, _MUSHROOMS, MenuModifier("203", "Bacon", "Toppings", _money("2.00"))),
)
CAESAR = MenuItem("102", "Caesar Salad", _money("8.75"), (_BACON, _CHICKEN))
ICED_TEA = MenuItem("103", "Iced Tea", _money("3.20"))
LUNCH_COMBO = MenuItem("104", "Lunch Combo", _money("15.00"))
CAKE = MenuItem("105", "Chocolate Cake", _money("5.50"))
FLAT_WHITE = MenuItem("106", "Flat White", _money("4.10"), (_OAT_MILK,))

MENU: tuple[MenuItem, ...] = (MARGHERITA, CAESAR, ICED_TEA, LUNCH_COMBO, CAKE, FLAT_WHITE)
"""The sandbox menu: plu = mock Revel product id (establishment 1), prices = mock Revel's prices."""

COMBO_MAINS = (MARGHERITA, CAESAR)
COMBO_DRINKS = (ICED_TEA, FLAT_WHITE)


@dataclass(frozen=True, slots=True)
class FakeOrder:
    """One generated order: the value (Decimals, aware datetimes) and its JSON bytes."""

    order_ref_no: str
    order: dict[str, Any]
    body: bytes


def encode_order(order: dict[str, Any]) -> bytes:
    """Compact JSON, Decimals as numbers with their exact text, datetimes as RFC 3339."""
    return _ENCODER.encode(order)


class OrderFactory:
    """Makes orders; one Faker per locale, created when first needed (Faker instances are slow to build)."""

    def __init__(self) -> None:
        self._fakers: dict[str, Faker] = {}

    def _faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            self._fakers[locale] = Faker(locale)
        return self._fakers[locale]

    def order(self, seed: int, index: int, *, now: datetime, notes: str | None = None) -> FakeOrder:
        """Order ``index`` of ``seed``, paid a few minutes before ``now``; ``notes`` replaces its notes."""
        rng = random.Random(f"cata-sandbox:{seed}:{index}")
        locale = rng.choice(LOCALES)
        fake = self._faker(locale)
        fake.seed_instance(rng.getrandbits(64))

        method = rng.choice(("PICKUP", "PICKUP", "DELIVERY", "DINE_IN"))
        created = (now.astimezone(OUTLET_TZ) - timedelta(seconds=rng.randint(60, 600))).replace(microsecond=0)
        items = [_item(rng) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
        subtotal = sum((_line_total(item) for item in items), Decimal("0.00"))
        discount = Decimal("2.00") if rng.random() < 0.15 and subtotal > 10 else Decimal("0.00")
        service = (subtotal * SERVICE_CHARGE).quantize(CENT) if method == "DINE_IN" else Decimal("0.00")
        delivery = DELIVERY_FEE if method == "DELIVERY" else Decimal("0.00")
        tax = ((subtotal - discount + service) * GST).quantize(CENT)
        tip = rng.choice((Decimal("0.00"),) * 3 + (Decimal("1.00"), Decimal("2.50")))
        total = subtotal - discount + service + delivery + tax + tip

        ref = f"SBX-{seed % 100000:05d}-{index + 1:04d}"
        order: dict[str, Any] = {
            "orderRefNo": ref,
            "deliveryMethod": method,
            "createdAt": created,
            "currency": CURRENCY,
            "items": items,
            "subtotal": subtotal,
            "tax": tax,
            "totalPay": total,
        }
        if method != "DINE_IN":
            order["expectedPickupAt"] = (created + timedelta(minutes=rng.choice((15, 20, 30, 45)))).replace(
                second=0
            )
        if service:
            order["serviceCharge"] = service
        if delivery:
            order["deliveryFee"] = delivery
        if discount:
            order["discount"] = discount
        if tip:
            order["tip"] = tip
        first, last = fake.first_name(), fake.last_name()
        order["customer"] = {
            "firstName": first,
            "lastName": last,
            "phone": fake.phone_number(),
            "email": fake.email(),
        }
        if method == "DELIVERY":
            order["deliveryAddress"] = {
                "line1": fake.street_address(),
                "city": fake.city(),
                "postalCode": fake.postcode(),
                "country": COUNTRY[locale],
            }
        paid = created + timedelta(seconds=rng.randint(15, 55))
        order["payment"] = {
            "method": rng.choice(PAYMENT_METHODS),
            "transactionId": f"txn_{rng.getrandbits(48):012x}",
            "paidAt": paid.isoformat(),
        }
        if notes is not None:
            order["notes"] = notes
        elif rng.random() < 0.25:
            order["notes"] = rng.choice(ORDER_NOTES)
        return FakeOrder(order_ref_no=ref, order=order, body=encode_order(order))

    def batch(self, count: int, seed: int, *, now: datetime, notes: str | None = None) -> list[FakeOrder]:
        """Orders ``0 .. count-1`` of ``seed``."""
        return [self.order(seed, index, now=now, notes=notes) for index in range(count)]


def _item(rng: random.Random) -> dict[str, Any]:
    product = rng.choice(MENU)
    item: dict[str, Any] = {
        "plu": product.plu,
        "name": product.name,
        "quantity": rng.choice((1, 1, 1, 2, 2, 3)),
        "unitPrice": product.price,
    }
    if product.modifiers and rng.random() < 0.5:
        chosen = rng.sample(product.modifiers, rng.randint(1, len(product.modifiers)))
        item["modifiers"] = [
            {"plu": m.plu, "name": m.name, "groupName": m.group, "quantity": 1, "unitPrice": m.price}
            for m in sorted(chosen, key=lambda m: m.plu)
        ]
    if product is LUNCH_COMBO:
        item["comboItems"] = [
            {"plu": part.plu, "name": part.name, "quantity": 1, "unitPrice": Decimal("0.00")}
            for part in (rng.choice(COMBO_MAINS), rng.choice(COMBO_DRINKS))
        ]
    if rng.random() < 0.2:
        item["notes"] = rng.choice(ITEM_NOTES)
    return item


def _line_total(item: dict[str, Any]) -> Decimal:
    unit: Decimal = item["unitPrice"]
    quantity: int = item["quantity"]
    extras = sum((m["unitPrice"] * m["quantity"] for m in item.get("modifiers", [])), Decimal("0.00"))
    return (unit + extras) * quantity


def fake_orders(count: int, seed: int, *, now: datetime, notes: str | None = None) -> list[FakeOrder]:
    """``count`` orders of ``seed`` (see :class:`OrderFactory`)."""
    return OrderFactory().batch(count, seed, now=now, notes=notes)
