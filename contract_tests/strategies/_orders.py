"""Valid Cata Order JSON values: realistic people, menus and notes from a seeded Faker, exact money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from contract_tests.strategies._vocabulary import (
    _FAKER,
    DELIVERY_METHODS,
    ITEM_FIELDS,
    LOCALES,
    MENU,
    MODIFIER_FIELDS,
    MODIFIER_GROUPS,
    MONEY_LIMIT,
    OPTIONAL_MONEY,
    ORDER_FIELDS,
    money,
    rfc3339,
    unicode_text,
    unknown_fields,
)

# --- orders ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Product:
    """A POS catalogue entry an order may name by ``plu`` (for transformer contracts)."""

    plu: str
    name: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalogue:
    products: tuple[Product, ...]

    def by_plu(self, plu: str) -> Product:
        return next(product for product in self.products if product.plu == plu)


@dataclass(frozen=True, slots=True)
class OrderShape:
    """Knobs of :func:`orders`: what a test needs the order to contain."""

    catalogue: Catalogue | None = None
    unknown_fields: bool = True
    arbitrary_text: bool = True
    max_items: int = 4
    max_places: int = 6
    max_value: int = MONEY_LIMIT - 1
    # Totals (subtotal, optional amounts, totalPay) stay below this: a POS's own limit (Atlas: cents a
    # JavaScript number carries exactly).
    total_limit: int = MONEY_LIMIT
    need_modifier: bool = False
    need_combo: bool = False


# Built once: constructing strategies inside every draw costs more than drawing from them.
_BOOLEANS = st.booleans()
_LOCALE = st.sampled_from(LOCALES)
_SEED = st.integers(0, 2**32 - 1)
_ONE_IN_FOUR = st.integers(0, 3)
_MENU = st.sampled_from(MENU)
_GROUP = st.sampled_from(sorted(MODIFIER_GROUPS))
_GROUP_CHOICE = {group: st.sampled_from(choices) for group, choices in MODIFIER_GROUPS.items()}
_QUANTITY = st.one_of(st.integers(1, 5), st.integers(1, 10**6))
_MODIFIER_QUANTITY = st.integers(1, 5)
_MODIFIER_COUNT = st.integers(0, 3)
_CURRENCY = st.sampled_from(("SGD", "USD", "EUR", "JPY", "GBP", "THB", "AUD", "INR", "KWD"))
_METHOD = st.sampled_from(DELIVERY_METHODS)
_PAYMENT_METHOD = st.sampled_from(("CARD", "CASH", "PAYNOW", "APPLE_PAY"))


def _seeded_faker(draw: st.DrawFn) -> Any:
    locale = draw(_LOCALE)
    _FAKER.seed_instance(draw(_SEED))
    return _FAKER[locale]


def _text(draw: st.DrawFn, shape: OrderShape, realistic: str, *, min_size: int = 0) -> str:
    if shape.arbitrary_text and draw(_ONE_IN_FOUR) == 0:
        return draw(unicode_text(min_size=min_size))
    return realistic


def _maybe(draw: st.DrawFn) -> bool:
    return draw(_BOOLEANS)


def _modifier(draw: st.DrawFn, fake: Any, shape: OrderShape, plu: str | None) -> dict[str, Any]:
    group = draw(_GROUP)
    realistic = draw(_GROUP_CHOICE[group])
    modifier: dict[str, Any] = {
        "plu": plu if plu is not None else _text(draw, shape, str(fake.random_int(200, 999))),
        "name": _text(draw, shape, realistic),
    }
    if _maybe(draw):
        modifier["groupName"] = _text(draw, shape, group)
    if _maybe(draw):
        modifier["quantity"] = draw(_MODIFIER_QUANTITY)
    if _maybe(draw):
        modifier["unitPrice"] = draw(money(max_places=shape.max_places, max_value=shape.max_value))
    if shape.unknown_fields and draw(_ONE_IN_FOUR) == 0:
        modifier.update(draw(unknown_fields(MODIFIER_FIELDS)))
    return modifier


def _item(draw: st.DrawFn, fake: Any, shape: OrderShape, *, depth: int, combo: bool) -> dict[str, Any]:
    product = draw(st.sampled_from(shape.catalogue.products)) if shape.catalogue else None
    plu = product.plu if product else _text(draw, shape, str(fake.random_int(100, 99999)))
    name = product.name if product else _text(draw, shape, draw(_MENU))
    item: dict[str, Any] = {
        "plu": plu,
        "name": name,
        "quantity": draw(_QUANTITY),
        "unitPrice": draw(money(max_places=shape.max_places, max_value=shape.max_value)),
    }
    if _maybe(draw):
        item["notes"] = _text(draw, shape, fake.sentence(nb_words=4))
    allowed = product.modifiers if product else None
    if allowed is None or allowed:
        count = draw(_MODIFIER_COUNT)
        if shape.need_modifier and depth == 0 and not combo:
            count = max(count, 1)
        if count:
            item["modifiers"] = [
                _modifier(draw, fake, shape, draw(st.sampled_from(allowed)) if allowed else None)
                for _ in range(count)
            ]
    if depth == 0 and (shape.need_combo or _maybe(draw)):
        count = draw(st.integers(1 if shape.need_combo else 0, 2))
        if count:
            item["comboItems"] = [_item(draw, fake, shape, depth=depth + 1, combo=True) for _ in range(count)]
    if shape.unknown_fields and _maybe(draw):
        item.update(draw(unknown_fields(ITEM_FIELDS)))
    return item


def _line_total(item: dict[str, Any]) -> Decimal:
    modifiers = sum(
        (m.get("unitPrice", Decimal(0)) * m.get("quantity", 1) for m in item.get("modifiers", [])),
        Decimal(0),
    )
    unit: Decimal = item["unitPrice"]
    quantity: int = item["quantity"]
    return (unit + modifiers) * quantity


def _total_money(shape: OrderShape) -> st.SearchStrategy[Decimal]:
    return money(max_places=shape.max_places, max_value=shape.total_limit - 1)


@st.composite
def orders(draw: st.DrawFn, shape: OrderShape = OrderShape()) -> dict[str, Any]:
    """A valid Cata order (v1) as a JSON value: dicts, lists, str, int, ``Decimal``, bool, None."""
    fake = _seeded_faker(draw)
    method = draw(_METHOD)
    items = [
        _item(draw, fake, shape, depth=0, combo=False) for _ in range(draw(st.integers(1, shape.max_items)))
    ]
    # Totals add up like a real receipt, except when a test wants arbitrary amounts.
    subtotal = sum((_line_total(item) for item in items), Decimal(0))
    order: dict[str, Any] = {
        "orderRefNo": _text(draw, shape, fake.bothify("CATA-########-??").upper(), min_size=1),
        "deliveryMethod": method,
        "createdAt": draw(rfc3339()),
        "currency": draw(_CURRENCY),
        "items": items,
    }
    extras: dict[str, Any] = {}
    if _maybe(draw):
        extras["expectedPickupAt"] = draw(rfc3339())
    if _maybe(draw):
        customer: dict[str, Any] = {}
        for key, value in (
            ("firstName", fake.first_name()),
            ("lastName", fake.last_name()),
            ("phone", fake.phone_number()),
            ("email", fake.email()),
        ):
            if _maybe(draw):
                customer[key] = _text(draw, shape, value) if draw(st.integers(0, 9)) else None
        extras["customer"] = customer
    if method == "DELIVERY" or _maybe(draw):
        extras["deliveryAddress"] = {
            "line1": _text(draw, shape, fake.street_address()),
            "city": fake.city(),
            "postalCode": fake.postcode(),
            "country": fake.current_country_code(),
            **({"instructions": _text(draw, shape, fake.sentence(nb_words=6))} if _maybe(draw) else {}),
        }
    for name in OPTIONAL_MONEY:
        if _maybe(draw):
            fits = name == "subtotal" and subtotal < shape.total_limit
            extras[name] = subtotal if fits else draw(_total_money(shape))
    if _maybe(draw):
        extras["payment"] = {
            "method": draw(_PAYMENT_METHOD),
            "transactionId": fake.uuid4(),
            "paidAt": draw(rfc3339()),
        }
    if _maybe(draw):
        extras["notes"] = _text(draw, shape, fake.sentence(nb_words=8))
    total = subtotal + extras.get("tip", Decimal(0)) + extras.get("deliveryFee", Decimal(0))
    adds_up = total < shape.total_limit and draw(_ONE_IN_FOUR) != 0
    order["totalPay"] = total if adds_up else draw(_total_money(shape))
    order.update(extras)
    if shape.unknown_fields and _maybe(draw):
        order.update(draw(unknown_fields(ORDER_FIELDS)))
    return order
