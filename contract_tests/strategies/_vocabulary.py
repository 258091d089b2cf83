"""The schema's vocabulary and the text, numbers and JSON the strategies are built from."""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from typing import Any

from faker import Faker
from hypothesis import strategies as st

# --- the schema's vocabulary ---------------------------------------------------------------------

DELIVERY_METHODS = ("PICKUP", "DELIVERY", "DINE_IN")
ORDER_FIELDS = frozenset(
    {
        "orderRefNo",
        "deliveryMethod",
        "createdAt",
        "currency",
        "items",
        "totalPay",
        "expectedPickupAt",
        "customer",
        "deliveryAddress",
        "subtotal",
        "tax",
        "serviceCharge",
        "deliveryFee",
        "discount",
        "tip",
        "payment",
        "notes",
    }
)
ITEM_FIELDS = frozenset({"plu", "name", "quantity", "unitPrice", "notes", "modifiers", "comboItems"})
MODIFIER_FIELDS = frozenset({"plu", "name", "groupName", "quantity", "unitPrice"})
OPTIONAL_MONEY = ("subtotal", "tax", "serviceCharge", "deliveryFee", "discount", "tip")
# The service refuses amounts of 1e15 and more (a POS, and arithmetic on money, would not take them).
MONEY_LIMIT = 10**15
# The mock's notes directive (``mock:<mode>``) must only appear where a test puts it on purpose.
DIRECTIVE_MARK = "mock:"

LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "ja_JP",
    "zh_CN",
    "zh_TW",
    "ko_KR",
    "th_TH",
    "de_DE",
    "fr_FR",
    "es_ES",
    "pt_BR",
    "ru_RU",
    "el_GR",
    "ar_AA",
    "he_IL",
    "hi_IN",
)
_FAKER = Faker(list(LOCALES))

# Faker has no food provider: a café-and-kitchen menu with the modifier groups POS menus use.
MENU = (
    "Flat White",
    "Long Black",
    "Iced Latte",
    "Matcha Latte",
    "Masala Chai",
    "Hainanese Chicken Rice",
    "Nasi Lemak",
    "Char Kway Teow",
    "Laksa",
    "Pad Thai",
    "Tom Yum Soup",
    "Bibimbap",
    "Tonkotsu Ramen",
    "Salmon Nigiri (2 pc)",
    "Margherita Pizza",
    "Caesar Salad",
    "Croque Monsieur",
    "Bánh Mì",
    "Falafel Wrap",
    "Butter Chicken",
    "Chocolate Cake",
    "Crème Brûlée",
    "Mango Sticky Rice",
    "Lunch Combo",
    "Kids Meal",
)
MODIFIER_GROUPS: dict[str, tuple[str, ...]] = {
    "Milk": ("Oat milk", "Soy milk", "Almond milk", "Skim milk"),
    "Size": ("Regular", "Large", "Extra large"),
    "Spice level": ("Mild", "Medium", "Hot", "Thai hot"),
    "Extras": ("Extra cheese", "Fried egg", "Bacon", "Avocado", "Extra shot"),
    "Remove": ("No onion", "No coriander", "No peanuts", "No ice"),
}


# --- text and numbers ----------------------------------------------------------------------------


@functools.cache
def unicode_text(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Any unicode a JSON string can carry, never a mock_pos directive.

    Lone surrogates cannot be UTF-8; NUL is refused by the service on purpose (PostgreSQL text cannot
    hold it), which the validation property checks separately.
    """
    return st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=min_size,
        max_size=max_size,
    ).filter(lambda text: DIRECTIVE_MARK not in text)


@functools.cache
def money(*, max_places: int = 6, max_value: int = MONEY_LIMIT - 1) -> st.SearchStrategy[Decimal]:
    """A non-negative exact amount with 0..``max_places`` decimal places, small or very large."""
    small = [st.decimals(min_value=0, max_value=1000, places=places) for places in range(max_places + 1)]
    large = [st.decimals(min_value=0, max_value=max_value, places=places) for places in range(max_places + 1)]
    return st.one_of(*small, *large)


@functools.cache
def json_values() -> st.SearchStrategy[Any]:
    """Arbitrary JSON (numbers as ``int`` or exact ``Decimal``), for unknown fields."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.decimals(allow_nan=False, allow_infinity=False),
        unicode_text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(unicode_text(max_size=10), children, max_size=4),
        ),
        max_leaves=8,
    )


@functools.cache
def unknown_fields(known: frozenset[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Fields the schema does not know yet (the schema only grows); they must be forwarded untouched."""
    names = unicode_text(min_size=1, max_size=12).filter(lambda name: name not in known)
    return st.dictionaries(names, json_values(), max_size=3)


@st.composite
def rfc3339(draw: st.DrawFn) -> str:
    """An RFC 3339 timestamp with an offset, in the spellings the format allows."""
    moment = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
    offset_minutes = draw(st.integers(-12 * 4, 14 * 4)) * 15
    text = moment.strftime("%Y-%m-%d") + draw(st.sampled_from("Tt")) + moment.strftime("%H:%M:%S")
    digits = draw(st.integers(0, 9))
    if digits:
        text += "." + f"{moment.microsecond:06d}{draw(st.integers(0, 999)):03d}"[:digits]
    if offset_minutes == 0 and draw(st.booleans()):
        return text + draw(st.sampled_from("Zz"))
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"
